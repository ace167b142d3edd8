"""Snakemake wrapper of rule export."""

import json
import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.config import Config  # noqa: E402
from norelmo.elmo.export import export_run  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    n_train_tokens = json.loads(Path(sm.input.stats).read_text())["n_train_tokens"]
    config = Config.from_dict({**sm.config, "model": sm.params.model, "train": sm.params.train})
    export_run(
        config,
        sm.params.checkpoints,
        sm.input.vocab,
        n_train_tokens,
        Path(sm.output.weights).parent,
        sm.output.zip,
        progress=True,
    )
