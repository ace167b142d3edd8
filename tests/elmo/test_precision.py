"""train.precision bf16: matrix products in bfloat16, all state in float32, the same training within rounding."""

import dataclasses

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.train import Trainer
from norelmo.elmo.type_shapes import batch_layout

from .tiny import TINY, TINY_TRAIN, tiny_corpus

LINES = ["Oslo er en stor by i Norge .", "Bergen har mange kontorer og skoler .", "Kirken ble bygd i 1150 ."] * 10


@pytest.mark.parametrize("xla", [False, True], ids=["cpu-step", "xla-step"])
def test_bf16_steps_follow_fp32_and_keep_float32_state(tmp_path, xla):
    """Under XLA the LSTMs' gate gradients are kept in bfloat16 too (all their readers but the bias's sum take
    bfloat16 operands)."""
    corpus, vocab, types = tiny_corpus(tmp_path, LINES)
    cfg = dataclasses.replace(TINY, dropout=0.0)
    layout = batch_layout(cfg.char_cnn.filters, xla=xla)
    losses, weights = {}, {}
    for precision in ("fp32", "bf16"):
        train = dataclasses.replace(TINY_TRAIN, precision=precision, state_resets=0.0)
        trainer = Trainer(cfg, train, len(vocab), tmp_path / precision, xla=xla)
        batches = BatchMaker([corpus], types, train.batch_size, cfg.unroll_steps, 8, seed=1, **layout)
        losses[precision] = [trainer.train_step(next(batches))[0] for _ in range(10)]
        weights[precision] = {n: v.numpy() for n, v in trainer.model.weights.items()}
        assert all(v.dtype == tf.float32 for v in trainer.model.weights.values())
        assert all(s.dtype == tf.float32 for layers in trainer.states for pair in layers for s in pair)
    # bfloat16 keeps 8 bits of mantissa: close to fp32, but not equal (else the products did not change type).
    np.testing.assert_allclose(losses["bf16"], losses["fp32"], rtol=2e-2)
    assert losses["bf16"] != losses["fp32"]
    for name, value in weights["fp32"].items():
        np.testing.assert_allclose(weights["bf16"][name], value, atol=2e-2, err_msg=name)
