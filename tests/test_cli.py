"""The `norelmo` command: every stage has --help, and bad input ends in one clear line."""

import subprocess

import pytest

from .conftest import BIN, DUMP

STAGES = ["extract", "train-udpipe", "tokenize", "count", "vocab", "train", "export", "embed", "perplexity", "probe"]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_help(stage):
    proc = subprocess.run([str(BIN / "norelmo"), stage, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "usage: norelmo" in proc.stdout


def test_extract_writes_shards_from_the_command_line(tmp_path):
    proc = subprocess.run(
        [str(BIN / "norelmo"), "extract", str(DUMP), "--out", str(tmp_path), "--shards", "2"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shard-0.json", "shard-0.txt", "shard-1.json", "shard-1.txt"]


def test_a_bad_config_is_one_line_naming_the_key(tmp_path):
    config = tmp_path / "bad.yaml"
    config.write_text("run: x\ncorpora: [{name: a, dump: x.bz2}]\ntrain: {batch_sise: 8}\n")
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("<S>\n</S>\n<UNK>\n")
    stats = tmp_path / "stats.json"
    stats.write_text('{"n_train_tokens": 10}')
    cmd = [str(BIN / "norelmo"), "train", "--config", str(config), "--vocab", str(vocab), "--stats", str(stats)]
    cmd += ["--checkpoints", str(tmp_path / "c"), "--logs", str(tmp_path / "l"), str(vocab)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1] == (
        f"norelmo: error: {config}: invalid config: train: unknown key(s) 'batch_sise'"
    )
