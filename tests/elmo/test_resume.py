"""Killed at any moment, training resumes to the same weights; a NaN loss stops with the last good checkpoint."""

import json
import os
import signal
import subprocess
import time

import numpy as np
import pytest
import tensorflow as tf
import yaml

from norelmo.elmo.export import restore_weights
from norelmo.elmo.train import train_bilm
from norelmo.errors import NorelmoError

from ..conftest import BIN
from .tiny import TINY, TINY_TRAIN

LINES = [
    "Oslo er en stor by i Norge .",
    "Bergen har mange kontorer og skoler .",
    "Kirken ble bygd i 1150 .",
    "Trondheim ligger ved en lang elv .",
    "Blåbærsyltetøy er godt .",
    "Byen har en gammel kirke og et nytt museum .",
] * 12
MODEL = {
    "char_cnn": {"embedding": {"dim": 8}, "filters": [[1, 16], [2, 16], [3, 32]], "n_highway": 2},
    "lstm": {"dim": 48, "projection_dim": 16},
    "n_negative_samples_batch": 16,
    "unroll_steps": 5,
}


def corpus(tmp_path):
    tokens = tmp_path / "tokens.txt"
    tokens.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    words = sorted({w for line in LINES for w in line.split()})
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(["<S>", "</S>", "<UNK>", *words]) + "\n", encoding="utf-8")
    stats = tmp_path / "stats.json"
    stats.write_text(json.dumps({"n_train_tokens": sum(len(x.split()) for x in LINES)}))
    return tokens, vocab, stats, len(words) + 3


def train_cmd(tmp_path, run, epochs=12):
    tokens, vocab, stats, _ = corpus(tmp_path)
    config = tmp_path / "config.yaml"
    train = {"epochs": epochs, "batch_size": 4, "seed": 5, "checkpoint_every": 1, "log_every": 1, "deterministic": True}
    train["gpus"] = 0
    config.write_text(
        yaml.safe_dump({"run": "t", "corpora": [{"name": "c", "text": "x"}], "model": MODEL, "train": train})
    )
    return [
        str(BIN / "norelmo"), "train", "--config", str(config), "--vocab", str(vocab), "--stats", str(stats),
        "--checkpoints", str(tmp_path / run / "ckpt"), "--logs", str(tmp_path / run / "logs"), str(tokens),
    ]  # fmt: skip


def final_weights(tmp_path, run, vocab_size):
    from norelmo.config import Config

    cfg = Config.from_dict(yaml.safe_load((tmp_path / "config.yaml").read_text()))
    return {n: v.numpy() for n, v in restore_weights(cfg.model, vocab_size, tmp_path / run / "ckpt").weights.items()}


@pytest.mark.slow
def test_a_sigkilled_run_resumes_to_the_weights_of_an_uninterrupted_one(tmp_path):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run(train_cmd(tmp_path, "whole"), check=True, env=env, capture_output=True)

    proc = subprocess.Popen(train_cmd(tmp_path, "killed"), env=env, stderr=subprocess.DEVNULL)
    ckpt = tmp_path / "killed" / "ckpt"
    deadline = time.time() + 120
    while time.time() < deadline and not (ckpt.exists() and list(ckpt.glob("ckpt-8.index"))):
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    subprocess.run(train_cmd(tmp_path, "killed"), check=True, env=env, capture_output=True)

    summary = json.loads((tmp_path / "killed" / "logs" / "train.json").read_text())
    assert 0 < summary["resumed_from"] < summary["batches"], "the kill did not land mid-run"
    vocab_size = corpus(tmp_path)[3]
    whole, resumed = final_weights(tmp_path, "whole", vocab_size), final_weights(tmp_path, "killed", vocab_size)
    worst = max(float(np.abs(whole[n] - resumed[n]).max()) for n in whole)
    assert worst <= 1e-6, f"max abs difference {worst}"


def test_a_non_finite_loss_stops_the_run_and_keeps_the_last_good_checkpoint(tmp_path):
    tokens, vocab, stats, vocab_size = corpus(tmp_path)
    wild = TINY.__class__(**{**TINY.__dict__, "learning_rate": 1e30})
    train = TINY_TRAIN.__class__(**{**TINY_TRAIN.__dict__, "epochs": 10, "checkpoint_every": 1})
    with pytest.raises(NorelmoError, match=r"loss became (nan|inf)"):
        train_bilm(wild, train, [tokens], vocab, 300, tmp_path / "ckpt", tmp_path / "logs", progress=False)
    latest = tf.train.latest_checkpoint(str(tmp_path / "ckpt"))
    assert latest is not None
    weights = restore_weights(wild, vocab_size, tmp_path / "ckpt").weights
    assert all(np.isfinite(v.numpy()).all() for v in weights.values())


def test_held_out_sentences_are_never_trained_on(tmp_path):
    from norelmo.elmo.sentences import SentenceStream, heldout_sentences
    from norelmo.elmo.token_types import TokenTypes

    tokens = tmp_path / "tokens.txt"
    tokens.write_text("\n".join(f"setning nummer {k} ." for k in range(30)) + "\n", encoding="utf-8")
    types = TokenTypes(["<S>", "</S>", "<UNK>", "setning", "nummer", "."], [str(k) for k in range(30)], 50)
    held = heldout_sentences([tokens], 5)
    assert [s[2] for s in held] == ["0", "1", "2"]  # at most a tenth of the file
    stream = SentenceStream([tokens], types, reverse=False, seed=1, heldout=5)
    seen = {types.words[next(stream)[3]] for _ in range(200)}
    assert seen == {str(k) for k in range(3, 30)}
