"""Snakemake wrapper of rule tokenize."""

import json
import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.text.udpipe import tokenize_file  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    print(json.dumps(tokenize_file(sm.input.model, sm.input.text, sm.output[0], sm.params.lemmatize)))
