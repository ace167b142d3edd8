"""Snakemake wrapper of rule evaluate_fine.

With evaluate.fine_workers > 1 its seeds train in spawned processes, and a spawned process imports this file again
(without the `snakemake` object), so everything runs under the __main__ guard.
"""

import json
import sys
from pathlib import Path


def main(sm) -> None:
    sys.path.insert(0, f"{sm.scriptdir}/../src")  # also inside --sdm conda envs

    from norelmo.atomic import atomic_json
    from norelmo.evaluate.fine import evaluate_fine
    from norelmo.logs import log_to

    with log_to(sm.log[0]):
        result, predictions = evaluate_fine(
            Path(sm.input.weights).parent,
            sm.input.train,
            sm.input.dev,
            sm.input.test,
            epochs=sm.params.epochs,
            seeds=sm.params.seeds,
            lemmatizer=sm.input.udpipe[0] if sm.input.udpipe else None,
            progress=True,
            workers=sm.threads,  # evaluate.fine_workers, at most the cores Snakemake was given
        )
        print(json.dumps({"seed_42": result["seed_42"], "mean": result["mean"], "best_epoch": result["best_epoch"]}))
        atomic_json(sm.output.predictions, predictions)
        atomic_json(sm.output.result, result)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821
