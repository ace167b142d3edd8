"""Snakemake wrapper of rule count_tokens."""

import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.text.vocab import count_tokens, write_counts  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    write_counts(*count_tokens(sm.input), sm.output[0])
