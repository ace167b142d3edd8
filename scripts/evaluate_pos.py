"""Snakemake wrapper of rule evaluate_pos."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_json  # noqa: E402
from norelmo.evaluate.pos import evaluate_pos  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    model_dir = Path(sm.input.weights).parent
    result = evaluate_pos(model_dir, sm.input.train, sm.input.test, sm.params.lemmas, sm.params.seeds, progress=True)
    print(json.dumps({k: v for k, v in result.items() if k != "runs"}))
    atomic_json(sm.output[0], result)
