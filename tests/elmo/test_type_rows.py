"""Without XLA each batch's short and long type groups are padded to a multiple of TYPE_ROWS_ROUND rows, so a
run meets few shapes (oneDNN makes and keeps kernels per shape); the padding changes nothing trained."""

import numpy as np

from norelmo.elmo import type_shapes
from norelmo.elmo.batches import BatchMaker
from norelmo.elmo.train import Trainer
from norelmo.elmo.type_shapes import batch_layout

from .tiny import TINY, TINY_TRAIN, tiny_corpus

LINES = [
    "Oslo er en stor by i Norge .",
    "Bergen har mange kontorer og skoler , og Trondheim har en katedral fra middelalderen .",
    "Kirken ble bygd i 1150 .",
    "Universitetsbiblioteket i Tromsø åpnet nye lesesaler .",
] * 10


def cpu_batches(corpus, types, count: int = 6):
    layout = batch_layout(TINY.char_cnn.filters, xla=False)
    maker = BatchMaker([corpus], types, TINY_TRAIN.batch_size, TINY.unroll_steps, 16, 3, **layout)
    return [next(maker) for _ in range(count)]


def test_padded_type_groups_train_as_exact_ones(tmp_path, monkeypatch):
    corpus, vocab, types = tiny_corpus(tmp_path, LINES)
    rounded, multiple = cpu_batches(corpus, types), type_shapes.TYPE_ROWS_ROUND
    monkeypatch.setattr(type_shapes, "TYPE_ROWS_ROUND", 1)
    exact = cpu_batches(corpus, types)
    pairs = list(zip(rounded, exact, strict=True))
    for r, e in pairs:
        for padded, rows in ((r.short_chars, e.short_chars), (r.long_chars, e.long_chars)):
            assert len(padded) % multiple == 0 and len(padded) >= len(rows)
            np.testing.assert_array_equal(padded[: len(rows)], rows)
    # Padded short groups ahead of long ones: the long types' positions are renumbered past the padding.
    assert any(len(r.short_chars) > len(e.short_chars) and len(e.long_chars) for r, e in pairs)
    trainers = [Trainer(TINY, TINY_TRAIN, len(vocab), tmp_path / f"ckpt{k}", xla=False) for k in range(2)]
    losses = [[t.train_step(b)[0] for b in batches] for t, batches in zip(trainers, (rounded, exact), strict=True)]
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-6)
    for name, weight in trainers[1].model.weights.items():
        np.testing.assert_allclose(trainers[0].model.weights[name].numpy(), weight.numpy(), atol=1e-6, err_msg=name)
