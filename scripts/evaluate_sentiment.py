"""Snakemake wrapper of rule evaluate_sentiment."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_json  # noqa: E402
from norelmo.evaluate.sentiment import evaluate_sentiment  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    result = evaluate_sentiment(
        Path(sm.input.weights).parent,
        sm.input.train,
        sm.input.dev,
        sm.input.test,
        tuple(sm.params.methods),
        sm.params.seeds,
        lemmatizer=sm.input.udpipe[0] if sm.input.udpipe else None,
        progress=True,
    )
    print(json.dumps({method: {"seed_42": r["seed_42"], "mean": r["mean"]} for method, r in result["methods"].items()}))
    atomic_json(sm.output[0], result)
