"""Snakemake wrapper of rule evaluate_perplexity."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_json  # noqa: E402
from norelmo.evaluate.perplexity import model_perplexity  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    model_dir = Path(sm.input.weights).parent
    result = model_perplexity(model_dir, sm.input.vocab, sm.input.tokens, sm.params.heldout, progress=True)
    print(json.dumps(result))
    atomic_json(sm.output[0], result)
