"""Snakemake wrapper of rule extract: one text shard of a dump or a plain-text corpus."""

import sys

sys.path.insert(0, f"{snakemake.scriptdir}/../src")  # noqa: F821 - also inside --sdm conda envs

from norelmo.logs import log_to  # noqa: E402
from norelmo.wiki.shards import extract_dump_shard, extract_text_shard  # noqa: E402

sm = snakemake  # noqa: F821
shard, out = int(sm.wildcards.shard), sm.output
with log_to(sm.log[0]):
    if sm.params.text:
        extract_text_shard(sm.params.text, shard, sm.params.shards, out.text, out.stats)
    else:
        index = sm.input.get("index")
        extract_dump_shard(sm.input.dump, index, shard, sm.params.shards, out.text, out.stats)
