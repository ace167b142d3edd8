"""Snakemake wrapper of rule tokenize."""

import json
import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.atomic import atomic_text  # noqa: E402
from norelmo.logs import log_to  # noqa: E402
from norelmo.text.udpipe import tokenize_file  # noqa: E402

sm = snakemake  # noqa: F821
with log_to(sm.log[0]):
    counts = tokenize_file(sm.input.model, sm.input.text, sm.output.tokens, sm.params.lemmatize, workers=sm.threads)
    print(json.dumps(counts))
    if counts["empty"]:
        print(f"warning: {sm.input.text} gave no sentences")
    with atomic_text(sm.output.stats) as fh:
        json.dump(counts, fh, indent=2)
