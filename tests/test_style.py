"""The checks the project's CI promises: a clean Snakemake lint, ruff and snakefmt."""

import os
import subprocess

import pytest

from .conftest import BIN, ROOT


def run(*cmd):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)


def test_snakemake_lint_is_clean():
    proc = run(str(BIN / "snakemake"), "--lint")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Congratulations, your workflow is in a good condition" in proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "cmd", [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("snakefmt", "--check", ".")]
)
def test_code_is_linted_and_formatted(cmd):
    proc = run(str(BIN / cmd[0]), *cmd[1:])
    assert proc.returncode == 0, proc.stdout + proc.stderr
