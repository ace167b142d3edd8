"""train.state_resets: some rows start a batch at a sentence start from zero LSTM states."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.train import Trainer

from .tiny import TINY, TINY_TRAIN, tiny_corpus

LINES = ["Oslo er en stor by i Norge .", "Bergen har mange kontorer og skoler .", "Kirken ble bygd i 1150 ."] * 10


@pytest.fixture
def corpus(tmp_path):
    return tiny_corpus(tmp_path, LINES)


def batches(corpus, resets: float, state: str | None = None):
    path, _, types = corpus
    return BatchMaker([path], types, 6, 4, 8, seed=2, state=state, state_resets=resets)


def test_reset_rows_start_at_a_sentence_start_and_are_marked(corpus):
    _, _, types = corpus
    made = batches(corpus, resets=0.3)
    seen = 0
    for _ in range(20):
        windows = made.next_windows()
        for d, start in enumerate(("<S>", "</S>")):  # the backward LM reads each sentence from its </S>
            for row in np.flatnonzero(windows.resets[d]):
                assert types.words[windows.inputs[d, row, 0]] == start
                seen += 1
        assert np.array_equal(made.complete(windows).resets, windows.resets)  # the batch carries the marks
    assert 0 < seen < 20 * 2 * 6  # some rows, not all


def test_no_resets_by_default_and_resumed_batches_repeat_the_draws(corpus):
    assert not any(next(batches(corpus, resets=0.0)).resets.any() for _ in range(5))
    run = batches(corpus, resets=0.3)
    for _ in range(3):
        saved = next(run).state
    resumed = batches(corpus, resets=0.3, state=saved)
    for _ in range(5):
        a, b = next(run), next(resumed)
        assert np.array_equal(a.resets, b.resets) and np.array_equal(a.positions, b.positions)


def test_reset_rows_train_from_zero_states(corpus, tmp_path):
    """A batch whose rows all start anew gives the loss that the same trainer with zeroed states gives."""
    _, vocab, _ = corpus
    cfg, train = dataclasses.replace(TINY, dropout=0.0, unroll_steps=4), dataclasses.replace(TINY_TRAIN, batch_size=6)
    first = Trainer(cfg, train, len(vocab), tmp_path / "a")
    made = batches(corpus, resets=0.0)
    first.train_step(next(made))
    first.manager.save()
    copies = [Trainer(cfg, train, len(vocab), tmp_path / "a", save_dir=tmp_path / name) for name in ("b", "c")]
    assert all(trainer.restore() for trainer in copies)
    for layers in copies[1].states:
        for c, h in layers:
            c.assign(tf.zeros_like(c))
            h.assign(tf.zeros_like(h))
    batch = next(made)
    carried = first.train_step(batch)[0]
    reset = copies[0].train_step(dataclasses.replace(batch, resets=np.ones_like(batch.resets)))[0]
    zeroed = copies[1].train_step(batch)[0]
    assert reset == pytest.approx(zeroed, rel=1e-6)
    assert carried != pytest.approx(zeroed, rel=1e-4)  # the carried states did matter
