"""Snakemake wrapper of rule download."""

import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.download import download  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

with log_to(snakemake.log[0]):  # noqa: F821
    download(snakemake.params.url, snakemake.output[0], snakemake.params.sha1)  # noqa: F821
