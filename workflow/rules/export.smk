rule export:
    input:
        summary=f"{RESULTS}/train/train.json",
        vocab=f"{RESULTS}/vocab/vocab.txt",
        stats=f"{RESULTS}/vocab/stats.json",
    output:
        directory(f"{RESULTS}/model"),
    params:
        checkpoints=f"{RESULTS}/checkpoints",
        config=CONFIG,
    log:
        f"{RESULTS}/logs/export/export.log",
    benchmark:
        f"{RESULTS}/benchmarks/export/export.tsv"
    conda:
        "../../envs/train.yaml"
    script:
        "../../scripts/export.py"
