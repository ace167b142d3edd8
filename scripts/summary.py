"""Snakemake wrapper of rule summary."""

import sys
from pathlib import Path

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.report import write_summary  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    evaluations = {Path(path).stem: path for path in sm.input.evaluations}
    write_summary(
        sm.config["run"],
        sm.params.results,
        sm.input.text,
        sm.input.tokens,
        sm.input.vocab,
        sm.input.train,
        sm.params.heldout,
        evaluations.get("perplexity"),
        evaluations.get("pos"),
        evaluations.get("sentiment"),
        sm.output[0],
        evaluations.get("fine"),
    )
