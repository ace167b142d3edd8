# Checkpoints live in results/{run}/checkpoints/ but are not a declared output: Snakemake deletes
# outputs before a job runs, and a rerun must find them to resume.
rule train:
    input:
        tokens=token_shards(),
        vocab=f"{RESULTS}/vocab/vocab.txt",
        stats=f"{RESULTS}/vocab/stats.json",
    output:
        summary=f"{RESULTS}/train/train.json",
        plot=f"{RESULTS}/train/loss.png",
    params:
        checkpoints=f"{RESULTS}/checkpoints",
        logs=f"{RESULTS}/train",
        model=CONFIG.model,
        train=CONFIG.train,
    threads: 8
    log:
        f"{RESULTS}/logs/train/train.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/train.tsv"
    conda:
        "../../envs/train.yaml"
    script:
        "../../scripts/train.py"
