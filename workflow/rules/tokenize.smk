rule tokenize:
    input:
        text=f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.txt",
        model=corpus_udpipe_model,
    output:
        tokens=f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt",
        stats=f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.json",
    log:
        f"{RESULTS}/logs/tokenize/{{corpus}}-{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/tokenize/{{corpus}}-{{shard}}.tsv"
    conda:
        "../../envs/tokenize.yaml"
    threads: 2
    params:
        lemmatize=config["udpipe"]["lemmatize"],
    script:
        "../../scripts/tokenize.py"
