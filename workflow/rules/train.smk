# Checkpoints live in results/{run}/checkpoints/ but are not a declared output: Snakemake deletes
# outputs before a job runs, and a rerun must find them to resume.
rule train:
    input:
        tokens=token_shards(),
        vocab=f"{RESULTS}/vocab/vocab.txt",
        types=f"{RESULTS}/vocab/vocab.tsv",
        stats=f"{RESULTS}/vocab/stats.json",
        gpus_checked=training_gpus_checked,
    output:
        summary=f"{RESULTS}/train/train.json",
        plot=report(
            f"{RESULTS}/train/loss.png",
            category="Training",
            caption="../report/loss.rst",
        ),
    log:
        f"{RESULTS}/logs/train/train.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/train.tsv"
    conda:
        "../../envs/train.yaml"
    threads: 8
    resources:
        # One scheduling token per GPU: the workstation profile allows one at a time, SLURM gets --gpus.
        **train_resources(),
    params:
        checkpoints=f"{RESULTS}/checkpoints",
        logs=lambda wc, output: os.path.dirname(output.summary),
        # Plain dicts: Snakemake records them and reruns training when they change.
        model=config["model"],
        train=config["train"],
    script:
        "../../scripts/train.py"
