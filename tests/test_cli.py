"""The `norelmo` command: every stage has --help, and bad input ends in one clear line."""

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import BIN, DUMP

STAGES = [
    "extract",
    "train-udpipe",
    "tokenize",
    "count",
    "vocab",
    "train",
    "export",
    "embed",
    "perplexity",
    "evaluate",
    "evaluate pos",
    "evaluate sentiment",
    "evaluate fine",
]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_has_help(stage):
    proc = subprocess.run([str(BIN / "norelmo"), *stage.split(), "--help"], capture_output=True, text=True)
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


def test_the_retired_probe_names_its_successor():
    proc = subprocess.run(
        [str(BIN / "norelmo"), "probe", "model", "--train", "t.conllu"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "norelmo evaluate pos MODEL_DIR" in proc.stderr.strip().splitlines()[-1]


def test_evaluation_of_bad_data_is_one_line_naming_file_and_sentence(tmp_path):
    bad = tmp_path / "train.json"
    bad.write_text('[{"sent_id": "s7", "text": "Bra film .", "label": "Mixed"}]', encoding="utf-8")
    cmd = [str(BIN / "norelmo"), "evaluate", "sentiment", str(tmp_path / "model")]
    cmd += [x for split in ("train", "dev", "test") for x in (f"--{split}", str(bad))]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert last == f"norelmo: error: {bad}: sentence 0 (s7): label 'Mixed' is not one of Negative, Positive"


def tiny_training(tmp_path, train: str) -> tuple[list[str], Path]:
    """A config of `model:` and `train:` (the given flow mapping) for a tiny biLM, and its inputs: the arguments
    `norelmo train` and `norelmo export` share, and the tokenized file."""
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("Oslo er en stor by .\nBergen har mange kontorer .\n" * 20, encoding="utf-8")
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("<S>\n</S>\n<UNK>\nOslo\ner\nen\nstor\nby\n.\n", encoding="utf-8")
    stats = tmp_path / "stats.json"
    stats.write_text('{"n_train_tokens": 220}')
    config = tmp_path / "model.yaml"
    config.write_text(
        "model: {char_cnn: {embedding: {dim: 4}, filters: [[1, 8], [2, 8]], n_highway: 1},\n"
        "        lstm: {dim: 16, projection_dim: 8}, n_negative_samples_batch: 8, unroll_steps: 5}\n"
        f"train: {train}\n"
    )
    common = ["--config", str(config), "--vocab", str(vocab), "--stats", str(stats)]
    common += ["--checkpoints", str(tmp_path / "c")]
    return common, tokens


def test_train_and_export_take_a_config_of_only_the_keys_they_read(tmp_path):
    """A file of `model:` and `train:` alone, as the help says; the workflow's `run` and `corpora` are not asked for."""
    common, tokens = tiny_training(tmp_path, "{epochs: 1, batch_size: 4, log_every: 1, heldout_sentences: 0, gpus: 0}")
    config = tmp_path / "model.yaml"
    train = subprocess.run(
        [str(BIN / "norelmo"), "train", *common, "--logs", str(tmp_path / "l"), str(tokens)],
        capture_output=True,
        text=True,
    )
    assert train.returncode == 0, train.stderr[-2000:]
    export = subprocess.run(
        [str(BIN / "norelmo"), "export", *common, "--out", str(tmp_path / "m")], capture_output=True
    )
    assert export.returncode == 0, export.stderr[-2000:]
    assert {p.name for p in (tmp_path / "m").iterdir()} >= {"model.hdf5", "options.json", "vocab.txt"}
    # Keys present are still checked: a misspelt section is refused, not ignored.
    config.write_text("modle: {}\ntrain: {epochs: 1}\n")
    proc = subprocess.run([str(BIN / "norelmo"), "export", *common, "--out", str(tmp_path / "n")], capture_output=True)
    assert proc.returncode == 2 and b"top level: unknown key(s) 'modle'" in proc.stderr


def test_training_that_asks_for_a_gpu_stops_where_tensorflow_sees_none(tmp_path):
    """train.gpus 1 on a machine without a GPU: one error before the first step, naming what was found and the
    fixes, and no checkpoint or summary left behind (no silent CPU training at a hundredth of the speed)."""
    common, tokens = tiny_training(tmp_path, "{epochs: 1, batch_size: 4, log_every: 1, heldout_sentences: 0, gpus: 1}")
    proc = subprocess.run(
        [str(BIN / "norelmo"), "train", *common, "--logs", str(tmp_path / "l"), str(tokens)],
        capture_output=True,
        text=True,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": ""},  # also on a machine that has one
    )
    assert proc.returncode == 2, proc.stderr[-2000:]
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("norelmo: error: ")]
    assert "train.gpus is 1 but TensorFlow" in line and "sees 0 GPUs" in line
    assert "CUDA_VISIBLE_DEVICES=''" in line
    assert "python3 tasks.py setup --gpu" in line and "set train.gpus: 0 to train on the CPU" in line
    assert "train: " not in proc.stderr  # not a single batch
    assert not (tmp_path / "c").exists() or not any((tmp_path / "c").iterdir())
    assert not (tmp_path / "l" / "train.json").exists()
