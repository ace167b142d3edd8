# Checkpoints live in results/{run}/checkpoints/ but are not a declared output: Snakemake deletes
# outputs before a job runs, and a rerun must find them to resume.
rule train:
    input:
        tokens=token_shards(),
        vocab=f"{RESULTS}/vocab/vocab.txt",
        types=f"{RESULTS}/vocab/vocab.tsv",
        stats=f"{RESULTS}/vocab/stats.json",
    output:
        summary=f"{RESULTS}/train/train.json",
        plot=f"{RESULTS}/train/loss.png",
    log:
        f"{RESULTS}/logs/train/train.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/train.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 8
    params:
        checkpoints=f"{RESULTS}/checkpoints",
        logs=lambda wc, output: os.path.dirname(output.summary),
        model=CONFIG.model,
        train=CONFIG.train,
    script:
        "../../scripts/train.py"
