rule tokenize:
    input:
        text=f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.txt",
        model=udpipe_model(),
    output:
        f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt",
    params:
        lemmatize=config["udpipe"]["lemmatize"],
    log:
        f"{RESULTS}/logs/tokenize/{{corpus}}-{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/tokenize/{{corpus}}-{{shard}}.tsv"
    conda:
        "../../envs/tokenize.yaml"
    script:
        "../../scripts/tokenize.py"
