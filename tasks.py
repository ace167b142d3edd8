#!/usr/bin/env python3
"""The quick start's two commands, needing nothing but Python >= 3.11 and pip:

    python3 tasks.py sample   # set up .venv with the pinned dependencies, run the workflow on the bundled sample
    python3 tasks.py test     # set up .venv if needed, then run the test suite (arguments go to pytest)

The virtual environment is rebuilt only when pyproject.toml or constraints.txt change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
STAMP = VENV / ".norelmo-installed"


def _requirements_hash() -> str:
    h = hashlib.sha256()
    for name in ("pyproject.toml", "constraints.txt"):
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def ensure_venv() -> None:
    wanted = _requirements_hash()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    if not (BIN / "python").exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check"]
    subprocess.run([*pip, "-q", "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(wanted)


def run(cmd: list[str]) -> int:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("sample", "test", "setup"):
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    if argv[0] == "sample":
        return run([str(BIN / "snakemake"), "--cores", "all", *argv[1:]])
    if argv[0] == "test":
        return run([str(BIN / "pytest"), *argv[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
