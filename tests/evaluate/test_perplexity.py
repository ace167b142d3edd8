"""Held-out perplexity: sentences packed into streams as training packs them, states carried window to window."""

import math

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.model import SOFTMAX_B, SOFTMAX_W, BidirectionalLM
from norelmo.elmo.token_types import TokenTypes
from norelmo.evaluate.perplexity import heldout_perplexity, row_streams

from ..elmo.tiny import TINY

SENTENCES = [s.split() for s in ("Oslo er en by .", "Han bor der", "ukjent ord her og der .", "ja", "Det er godt .")]
VOCAB = ["<S>", "</S>", "<UNK>", ".", "er", "der", "Oslo", "en", "by", "Han", "bor", "og", "Det", "godt", "ja"]


@pytest.fixture(scope="module")
def setup():
    types = TokenTypes(VOCAB, ["ukjent", "ord", "her"], TINY.char_cnn.max_characters_per_token)
    return BidirectionalLM.initialized(TINY, vocab_size=len(VOCAB), seed=5), types


def stream_nats(model, types, ids_in, ids_out, direction, state):
    """Summed cross-entropy of one whole stream in a single LSTM pass, and the state it ends in."""
    x = model.token_embedding(types.chars[np.array([ids_in])].astype(np.int32))
    outputs, final = model.lstm_stack(direction, x, tf.ones([1, len(ids_in)], tf.bool), state)
    logits = tf.einsum("btp,vp->btv", outputs[-1], model.weights[SOFTMAX_W]) + model.weights[SOFTMAX_B]
    nats = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.array([ids_out]), logits=logits)
    return float(tf.reduce_sum(nats)), final


def test_streams_are_packed_as_training_packs_them(setup):
    _, types = setup
    inputs, targets, lengths = row_streams(types, SENTENCES[:2], rows=1, reverse=False)
    words = [types.words[i] for i in inputs[0]]
    assert words == ["<S>", "Oslo", "er", "en", "by", ".", "<S>", "Han", "bor", "der"]  # </S> is never an input
    assert [VOCAB[i] for i in targets[0]] == ["Oslo", "er", "en", "by", ".", "</S>", "Han", "bor", "der", "</S>"]
    back, back_targets, _ = row_streams(types, SENTENCES[:1], rows=1, reverse=True)
    assert [types.words[i] for i in back[0]] == ["</S>", ".", "by", "en", "er", "Oslo"]
    assert VOCAB[back_targets[0][-1]] == "<S>"
    _, unknown_targets, lengths = row_streams(types, SENTENCES, rows=2, reverse=False)
    assert lengths.tolist() == [10 + 7, 2 + 5]  # three sentences, then two
    assert "<UNK>" in [VOCAB[i] for i in unknown_targets[0]]  # out-of-vocabulary targets count as <UNK>


@pytest.mark.parametrize("rows", [1, 2])
@pytest.mark.parametrize("warmup", [False, True])
def test_windows_with_carried_states_equal_one_pass_over_each_stream(setup, rows, warmup):
    """Windows of 3 steps, rows of different lengths and the warm-up give what one pass over each
    row's whole stream gives, from a zero state or from the state a first unscored pass leaves."""
    model, types = setup
    result = heldout_perplexity(model, types, SENTENCES, rows=rows, window=3, warmup=warmup)
    for d, key in enumerate(("forward", "backward")):
        inputs, targets, lengths = row_streams(types, SENTENCES, rows, reverse=bool(d))
        total = 0.0
        for r in range(rows):
            ids_in, ids_out = inputs[r, : lengths[r]], targets[r, : lengths[r]]
            state = [tuple(s[:1] for s in layer) for layer in model.zero_states(1)[d]]
            if warmup:
                _, state = stream_nats(model, types, ids_in, ids_out, d, state)
            total += stream_nats(model, types, ids_in, ids_out, d, state)[0]
        assert result[key] == pytest.approx(math.exp(total / lengths.sum()), rel=1e-5)
    assert result["mean"] == pytest.approx(math.sqrt(result["forward"] * result["backward"]))


def test_warm_up_changes_what_a_zero_state_would_score(setup):
    model, types = setup
    cold = heldout_perplexity(model, types, SENTENCES, rows=1, window=4, warmup=False)
    warm = heldout_perplexity(model, types, SENTENCES, rows=1, window=4, warmup=True)
    assert cold["backward"] != pytest.approx(warm["backward"], rel=1e-6)


def test_a_held_out_pass_in_a_stage_log_shows_its_progress_line_by_line(setup, tmp_path, monkeypatch):
    """In a log file (not a terminal) the pass writes plain lines: windows done of how many, rate, time left."""
    from norelmo import progress
    from norelmo.logs import log_to

    monkeypatch.setattr(progress, "FILE_INTERVAL_S", 0.0)  # a line per window; 30 s apart by default
    model, types = setup
    log = tmp_path / "train.log"
    with log_to(log):
        result = heldout_perplexity(model, types, SENTENCES, rows=2, window=3, progress=True)
    text = log.read_text()
    lines = [line for line in text.splitlines() if line.startswith("held-out perplexity, 5 sentences in 2 streams")]
    assert "\r" not in text and math.isfinite(result["mean"])
    # 2 rows of 17 and 7 positions: 6 windows of 3 per direction, each run twice with the warm-up.
    assert lines[-1].split(": ")[1].startswith("100%") and "24/24" in lines[-1], lines[-3:]
    assert len(lines) >= 24 and "window/s" in lines[-1]
