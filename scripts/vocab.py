"""Snakemake wrapper of rule vocab."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.text.vocab import build_vocabulary  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    print(json.dumps(build_vocabulary(sm.input, sm.params.size, Path(sm.output.vocab).parent)))
