"""Snakemake wrapper of rule train_udpipe."""

import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.text.udpipe import train_model  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    train_model(sm.input[0], sm.output[0], sm.params.tokenizer, sm.params.tagger)
