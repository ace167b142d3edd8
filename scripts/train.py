"""Snakemake wrapper of rule train: trains in this process, or starts one worker per SLURM task with srun."""

import functools
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

SRC = f"{snakemake.scriptdir}/../src"  # noqa: F821
sys.path.insert(0, SRC)  # also inside --sdm conda envs

from norelmo.config import ModelConfig, TrainConfig  # noqa: E402
from norelmo.elmo.train import train_bilm  # noqa: E402
from norelmo.errors import NorelmoError  # noqa: E402
from norelmo.evaluate.perplexity import heldout_perplexity  # noqa: E402
from norelmo.logs import log_to  # noqa: E402

sm = snakemake  # noqa: F821


def launch_workers() -> None:
    """A multi-node job: `srun norelmo train` runs one worker per task; together they train one model."""
    config = Path(sm.params.logs) / "run-config.yaml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(yaml.safe_dump(dict(sm.config)), encoding="utf-8")
    cmd = [
        sm.resources.mpi, sys.executable, "-m", "norelmo.cli", "train", "--config", str(config),
        "--vocab", sm.input.vocab, "--stats", sm.input.stats, "--types", sm.input.types,
        "--checkpoints", sm.params.checkpoints, "--logs", sm.params.logs, *sm.input.tokens,
    ]  # fmt: skip
    print("+", " ".join(cmd), flush=True)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])))
    if subprocess.run(cmd, env=env).returncode != 0:
        raise NorelmoError(f"the training workers started by {sm.resources.mpi} failed (see above)")


with log_to(sm.log[0]):
    if "mpi" in sm.resources.keys():
        launch_workers()
    else:
        n_train_tokens = json.loads(Path(sm.input.stats).read_text())["n_train_tokens"]
        train_bilm(
            ModelConfig.from_dict(sm.params.model),
            TrainConfig(**sm.params.train),
            sm.input.tokens,
            sm.input.vocab,
            n_train_tokens,
            sm.params.checkpoints,
            sm.params.logs,
            progress=True,
            types_path=sm.input.types,
            score_heldout=functools.partial(heldout_perplexity, progress=True),
        )
