"""Snakemake wrapper of rule extract: one text shard of a dump or a plain-text corpus.

The rule's threads are the shard's worker processes, this one included (the others are forked);
everything runs under the __main__ guard, as a spawned process would import this file again.
"""

import sys


def main(sm) -> None:
    sys.path.insert(0, f"{sm.scriptdir}/../src")  # also inside --sdm conda envs

    from norelmo.logs import log_to
    from norelmo.wiki.shards import extract_dump_shard, extract_nak_shard, extract_text_shard

    shard, out = int(sm.wildcards.shard), sm.output
    with log_to(sm.log[0]):
        if sm.params.nak:
            archives = [sm.input[key] for key in sorted(sm.input.keys(), key=lambda k: int(k.removeprefix("archive")))]
            extract_nak_shard(archives, sm.params.nak["standard"], shard, sm.params.shards, out.text, out.stats)
        elif sm.params.text:
            extract_text_shard(sm.params.text, shard, sm.params.shards, out.text, out.stats, sm.params.json_field)
        else:
            index = sm.input.get("index")
            extract_dump_shard(
                sm.input.dump, index, shard, sm.params.shards, out.text, out.stats, sm.threads, progress=True
            )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
