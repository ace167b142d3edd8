"""The step XLA compiles (GPUs' default: the CNN as matmuls, both directions' LSTMs side by side) trains as the
CPU step does. Without dropout: XLA's stateless random numbers are not TensorFlow kernels' for the same seed
(Philox named or not), so the two steps drop different units."""

import dataclasses

import numpy as np
import pytest

from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.train import Trainer
from norelmo.elmo.type_shapes import batch_layout

from .tiny import TINY, TINY_TRAIN, tiny_corpus

LINES = ["Oslo er en stor by i Norge .", "Bergen har mange kontorer og skoler .", "Kirken ble bygd i 1150 ."] * 20


@pytest.mark.parametrize("wavefront", [False, True], ids=["levels-one-after-the-other", "levels-as-wavefront"])
def test_the_xla_step_gives_the_losses_and_weights_of_the_cpu_step(tmp_path, wavefront):
    corpus, vocab, types = tiny_corpus(tmp_path, LINES)
    # XLA's batch layout (all 50 columns, padded type counts) suits both steps.
    layout = batch_layout(TINY.char_cnn.filters, xla=True)
    batches = BatchMaker([corpus], types, TINY_TRAIN.batch_size, TINY.unroll_steps, 16, 3, **layout)
    batches = [next(batches) for _ in range(8)]
    cfg = dataclasses.replace(TINY, dropout=0.0)
    trainers = [Trainer(cfg, TINY_TRAIN, len(vocab), tmp_path / f"ckpt{xla}", xla=xla) for xla in (False, True)]
    assert not trainers[0].model.directions_side_by_side and trainers[1].model.directions_side_by_side
    trainers[1].model.levels_as_wavefront = wavefront
    losses = [[t.train_step(b)[0] for b in batches] for t in trainers]
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    assert losses[0][-1] < losses[0][0]  # it learns
    for name, weight in trainers[0].model.weights.items():
        np.testing.assert_allclose(trainers[1].model.weights[name].numpy(), weight.numpy(), atol=1e-5, err_msg=name)


def test_a_non_finite_loss_changes_nothing_in_the_xla_step(tmp_path):
    """The guard holds in the XLA step too, for the softmax rows it updates apart from the other weights."""
    corpus, vocab, types = tiny_corpus(tmp_path, LINES)
    layout = batch_layout(TINY.char_cnn.filters, xla=True)
    batches = BatchMaker([corpus], types, TINY_TRAIN.batch_size, TINY.unroll_steps, 16, 3, **layout)
    wild = dataclasses.replace(TINY, dropout=0.0, learning_rate=1e30)  # the weights blow up within a few steps
    trainer = Trainer(wild, TINY_TRAIN, len(vocab), tmp_path / "ckpt", xla=True)

    def state():
        return {n: (v.numpy(), trainer.accumulators[n].numpy()) for n, v in trainer.model.weights.items()}

    for _ in range(10):
        before = state()
        loss = float(trainer.train_step(next(batches))[0])
        if not np.isfinite(loss):
            break
    assert not np.isfinite(loss), "the loss never became non-finite"
    assert int(trainer.refused.numpy()) == 1
    after = state()
    for name, (weight, accum) in before.items():
        np.testing.assert_array_equal(after[name][0], weight, err_msg=name)
        np.testing.assert_array_equal(after[name][1], accum, err_msg=name)
