"""Snakemake wrapper of rule pos_probe."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_json  # noqa: E402
from norelmo.evaluate.probe import pos_probe  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    result = pos_probe(Path(sm.input.weights).parent, sm.input.train, sm.input.test, sm.params.lemmas)
    print(json.dumps(result))
    atomic_json(sm.output[0], result)
