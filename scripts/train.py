"""Snakemake wrapper of rule train."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.elmo.train import train_bilm  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    n_train_tokens = json.loads(Path(sm.input.stats).read_text())["n_train_tokens"]
    train_bilm(
        sm.params.model,
        sm.params.train,
        sm.input.tokens,
        sm.input.vocab,
        n_train_tokens,
        sm.params.checkpoints,
        sm.params.logs,
        progress=True,
        types_path=sm.input.types,
    )
