"""Snakemake wrapper of rule tokenize.

Its worker processes are spawned, and a spawned process imports this file again (without the
`snakemake` object), so everything runs under the __main__ guard.
"""

import json
import sys


def main(sm) -> None:
    sys.path.insert(0, f"{sm.scriptdir}/../src")  # also inside --sdm conda envs

    from norelmo.atomic import atomic_text
    from norelmo.logs import log_to
    from norelmo.text.udpipe import tokenize_file

    with log_to(sm.log[0]):
        counts = tokenize_file(
            sm.input.model, sm.input.text, sm.output.tokens, sm.params.lemmatize, sm.threads, progress=True
        )
        print(json.dumps(counts))
        if counts["empty"]:
            print(f"warning: {sm.input.text} gave no sentences")
        with atomic_text(sm.output.stats) as fh:
            json.dump(counts, fh, indent=2)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
