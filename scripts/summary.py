"""Snakemake wrapper of rule summary."""

import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.report import write_summary  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    evaluations = {name: path for path in sm.input.evaluations for name in ("perplexity", "pos-probe") if name in path}
    write_summary(
        sm.config["run"],
        sm.params.results,
        sm.input.text,
        sm.input.tokens,
        sm.input.vocab,
        sm.input.train,
        sm.params.heldout,
        evaluations.get("perplexity"),
        evaluations.get("pos-probe"),
        sm.output[0],
    )
