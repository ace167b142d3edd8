"""Every command the README gives is one that works: its subcommands, options, files and profiles exist.

The quick start itself runs in the workflow tests (the sample) and in CI (the test command); the variants'
dry runs in test_variants. Here each command line of the README's bash blocks is checked against the thing
it calls, so that a renamed option or file breaks a test rather than a user's first try.
"""

from __future__ import annotations

import re
import shlex
import subprocess

import pytest
import yaml

from norelmo.config import Config

from .conftest import BIN, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(kind: str) -> list[str]:
    return re.findall(rf"^```{kind}\n(.*?)^```", README, re.S | re.M)


def command_lines() -> list[list[str]]:
    lines = []
    for block in blocks("bash"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()  # the comment after a command
            if line:
                lines.append(shlex.split(re.sub(r"\[[^\]]*\]", "", line)))  # [optional] parts are shown as such
    return lines


def options(argv: list[str]) -> list[str]:
    return [a.split("=")[0] for a in argv if a.startswith("--")]


def test_the_readme_gives_the_commands_users_run():
    firsts = {argv[0] for argv in command_lines()}
    assert firsts == {"python3", ".venv/bin/snakemake", "norelmo"}, firsts


@pytest.mark.parametrize("argv", [a for a in command_lines() if a[0] == "python3"], ids=shlex.join)
def test_tasks_commands_exist(argv):
    assert argv[1] == "tasks.py" and argv[2] in ("sample", "test", "setup")
    assert set(argv[3:]) <= {"--gpu"}
    text = (ROOT / "tasks.py").read_text()
    assert all(option in text for option in argv[3:])


@pytest.mark.parametrize("argv", [a for a in command_lines() if a[0] == ".venv/bin/snakemake"], ids=shlex.join)
def test_snakemake_commands_name_real_configs_and_profiles(argv):
    for flag, value in zip(argv, argv[1:], strict=False):
        if flag == "--configfile" and value != "my-config.yaml":  # the README's example config, checked below
            Config.from_dict(yaml.safe_load((ROOT / value).read_text()), value)
        if flag == "--workflow-profile":
            assert (ROOT / value / "config.yaml").is_file()
    help_text = subprocess.run([str(BIN / "snakemake"), "--help"], capture_output=True, text=True).stdout
    assert all(option in help_text for option in options(argv))


def test_the_example_config_is_valid():
    (example,) = [b for b in blocks("yaml") if "run: my-nowiki" in b]
    Config.from_dict(yaml.safe_load(example), "README example")


@pytest.mark.parametrize("argv", [a for a in command_lines() if a[0] == "norelmo"], ids=shlex.join)
def test_norelmo_commands_take_the_options_shown(argv):
    sub = argv[1:3] if argv[1] == "evaluate" else argv[1:2]
    proc = subprocess.run([str(BIN / "norelmo"), *sub, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert all(option in proc.stdout for option in options(argv)), (options(argv), proc.stdout)


def test_bench_scripts_and_docs_the_readme_names_exist():
    for path in set(re.findall(r"\b(bench/\w+\.py|docs/\w+\.md|config/\w+/\w+\.yaml)", README)):
        assert (ROOT / path).is_file(), path
    for path in re.findall(r"\]\(([^)#]+)", README):
        if not path.startswith("http"):
            assert (ROOT / path).exists(), path


def test_no_paragraph_or_code_block_is_written_twice():
    chunks = [c.strip() for c in re.split(r"\n[ \t]*\n", README) if len(c.strip()) > 40]
    repeated = {c[:80] for c in chunks if chunks.count(c) > 1}
    assert not repeated, repeated


def test_the_readme_stays_a_guide_of_a_few_hundred_lines():
    assert len(README.splitlines()) <= 350, "move design material to docs/ and link it"
