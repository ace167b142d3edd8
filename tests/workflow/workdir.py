"""A copy of the project to run Snakemake in, and Snakemake run there with the project's environment."""

from __future__ import annotations

import os
import shutil
import subprocess

import yaml

from ..conftest import BIN, ROOT

PARTS = ("Snakefile", "workflow", "profiles", "config", "resources", "scripts", "envs", "src")


def workdir_copy(dest):
    for part in PARTS:
        src = ROOT / part
        if src.is_symlink():
            os.symlink(os.readlink(src), dest / part)
        else:
            (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / part)
    return dest


def snakemake(workdir, *args, check=True):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    proc = subprocess.run([str(BIN / "snakemake"), *args], cwd=workdir, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return proc


def snakemake_at(directory, config: dict, *args, env: dict | None = None) -> subprocess.CompletedProcess:
    """The project's Snakefile run in `directory` (no copy of the project) on `config`, written to run.yaml there."""
    (directory / "run.yaml").write_text(yaml.safe_dump(config))
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **(env or {})}
    cmd = [str(BIN / "snakemake"), "--configfile", str(directory / "run.yaml"), "--snakefile", str(ROOT / "Snakefile"),
           "--directory", str(directory), "--cores", "1", *args]  # fmt: skip
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
