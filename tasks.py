#!/usr/bin/env python3
"""The quick start's two commands, needing nothing but Python >= 3.11 and pip:

    python3 tasks.py sample   # set up .venv with the pinned dependencies, run the workflow on the bundled sample
    python3 tasks.py test     # set up .venv if needed, then run the test suite (arguments go to pytest)
    python3 tasks.py setup [--gpu]  # only set up .venv; --gpu: with TensorFlow's GPU build (the gpu extra)

Where nvidia-smi lists a GPU, every command sets up the GPU build by itself and says so. The virtual
environment is reinstalled only when pyproject.toml, constraints.txt or the extras change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "src"))
from norelmo.gpus import nvidia_gpus  # noqa: E402 - standard library only, so it runs before .venv exists

VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".norelmo-installed"


def _requirements_hash(extras: str) -> str:
    h = hashlib.sha256(extras.encode())
    for name in ("pyproject.toml", "constraints.txt"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def extras_wanted(argv: list[str]) -> str:
    """test, plus gpu with `setup --gpu`, where nvidia-smi lists a GPU, or where .venv already has the GPU build."""
    if argv[:1] == ["setup"] and "--gpu" in argv[1:]:
        return "test,gpu"
    listed = nvidia_gpus()
    if listed:
        print(f"nvidia-smi lists {len(listed)} GPU(s): setting up TensorFlow's GPU build (the gpu extra)", flush=True)
        return "test,gpu"
    if STAMP.exists() and STAMP.read_text().startswith("test,gpu "):
        return "test,gpu"  # a GPU build set up before stays, also on a node whose driver is not loaded
    return "test"


def ensure_venv(extras: str = "test") -> None:
    wanted = f"{extras} {_requirements_hash(extras)}"
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[{extras}]"], check=True)
    STAMP.write_text(wanted)


def run(cmd: list[str]) -> int:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("sample", "test", "setup"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "setup" and set(argv[1:]) - {"--gpu"}:
        print(f"setup takes only --gpu, not {' '.join(argv[1:])}", file=sys.stderr)
        return 2
    ensure_venv(extras_wanted(argv))
    if argv[0] == "sample":
        return run([str(BIN / "snakemake"), "--cores", "all", *argv[1:]])
    if argv[0] == "test":
        return run([str(BIN / "pytest"), *argv[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
