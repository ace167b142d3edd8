"""Snakemake wrapper of rule evaluate_fine."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_json  # noqa: E402
from norelmo.evaluate.fine import evaluate_fine  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    result, predictions = evaluate_fine(
        Path(sm.input.weights).parent,
        sm.input.train,
        sm.input.dev,
        sm.input.test,
        epochs=sm.params.epochs,
        seeds=sm.params.seeds,
        lemmatizer=sm.input.udpipe[0] if sm.input.udpipe else None,
        progress=True,
    )
    print(json.dumps({"seed_42": result["seed_42"], "mean": result["mean"], "best_epoch": result["best_epoch"]}))
    atomic_json(sm.output.predictions, predictions)
    atomic_json(sm.output.result, result)
