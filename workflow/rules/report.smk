rule summary:
    input:
        text=expand(
            f"{RESULTS}/text/{{corpus}}/shard-{{shard}}.json",
            corpus=CORPORA,
            shard=SHARDS,
        ),
        tokens=expand(
            f"{RESULTS}/tokens/{{corpus}}/shard-{{shard}}.json",
            corpus=CORPORA,
            shard=SHARDS,
        ),
        vocab=f"{RESULTS}/vocab/stats.json",
        train=f"{RESULTS}/train/train.json",
        evaluations=evaluations(),
    output:
        report(
            f"{RESULTS}/report/summary.html",
            category="Run summary",
            caption="../report/summary.rst",
        ),
    log:
        f"{RESULTS}/logs/report/summary.log",
    conda:
        "../../envs/vocab.yaml"
    params:
        # The run folder (its benchmarks/ are read) and training's per-epoch perplexity log.
        results=lambda wc, input: os.path.dirname(os.path.dirname(input.vocab)),
        heldout=lambda wc, input: os.path.join(
            os.path.dirname(input.train), "heldout.jsonl"
        ),
    script:
        "../../scripts/summary.py"
