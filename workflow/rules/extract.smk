rule extract:
    input:
        unpack(extract_inputs),
    output:
        text=f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.txt",
        stats=f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.json",
    log:
        f"{RESULTS}/logs/extract/{{corpus}}-{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/extract/{{corpus}}-{{shard}}.tsv"
    conda:
        "../../envs/extract.yaml"
    threads: 2
    params:
        text=lambda wc: CORPORA[wc.corpus].get("text"),
        json_field=lambda wc: CORPORA[wc.corpus].get("json_field"),
        nak=lambda wc: CORPORA[wc.corpus].get("nak"),
        shards=config["shards"],
    script:
        "../../scripts/extract.py"
