rule count_tokens:
    input:
        f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.txt",
    output:
        f"{RESULTS}/counts/{{corpus}}/shard-{{shard}}.tsv",
    log:
        f"{RESULTS}/logs/count_tokens/{{corpus}}-{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/count_tokens/{{corpus}}-{{shard}}.tsv"
    conda:
        "../../envs/vocab.yaml"
    script:
        "../../scripts/count_tokens.py"


rule vocab:
    input:
        count_shards(),
    output:
        vocab=f"{RESULTS}/vocab/vocab.txt",
        counts=f"{RESULTS}/vocab/vocab.tsv",
        stats=f"{RESULTS}/vocab/stats.json",
        plot=report(
            f"{RESULTS}/vocab/rank-frequency.png",
            category="Vocabulary",
            caption="../report/rank-frequency.rst",
        ),
    log:
        f"{RESULTS}/logs/vocab/vocab.log",
    benchmark:
        f"{RESULTS}/benchmarks/vocab/vocab.tsv"
    conda:
        "../../envs/vocab.yaml"
    params:
        size=config["vocab"]["size"],
    script:
        "../../scripts/vocab.py"
