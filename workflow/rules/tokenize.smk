rule tokenize:
    input:
        text=f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.txt",
        model=udpipe_model(),
    output:
        tokens=f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt",
        stats=f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.json",
    threads: 2
    log:
        f"{RESULTS}/logs/tokenize/{{corpus}}-{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/tokenize/{{corpus}}-{{shard}}.tsv"
    conda:
        "../../envs/tokenize.yaml"
    params:
        lemmatize=config["udpipe"]["lemmatize"],
    script:
        "../../scripts/tokenize.py"
