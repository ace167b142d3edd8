"""The projected LSTM's hand-written backward pass equals TensorFlow's autodiff of the same layer, and layers
run side by side (the directions under XLA) equal each run alone."""

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.lstm import projected_lstm


def autodiff_lstm(x, kernel, bias, w_proj, c, h, cell_clip, proj_clip):
    """The layer as TF1's LSTMCell(num_proj, cell_clip, proj_clip) computes it, step by step (time-major x)."""
    outputs = []
    for t in range(x.shape[0]):
        gates = tf.concat([x[t], h], axis=1) @ kernel + bias
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = tf.clip_by_value(tf.sigmoid(f + 1.0) * c + tf.sigmoid(i) * tf.tanh(j), -cell_clip, cell_clip)
        h = tf.clip_by_value((tf.sigmoid(o) * tf.tanh(c)) @ w_proj, -proj_clip, proj_clip)
        outputs.append(h)
    return tf.stack(outputs), c, h


@pytest.mark.parametrize("scale, clip", [(0.3, 3.0), (2.0, 0.5)], ids=["no-clipping", "clipping-active"])
def test_gradients_equal_autodiff(scale, clip):
    rng = np.random.default_rng(0)
    b, t, p, d = 3, 6, 5, 7

    def rand(*shape):
        return tf.constant(rng.normal(0, scale, shape), tf.float64)

    args = [rand(t, b, p), rand(2 * p, 4 * d), rand(4 * d), rand(d, p), rand(b, d), rand(b, p)]
    # Weigh every output differently, final states included, so each gradient path counts.
    w_out, w_c, w_h = rand(t, b, p), rand(b, d), rand(b, p)
    results = []
    for fn in (projected_lstm, autodiff_lstm):
        with tf.GradientTape() as tape:
            tape.watch(args)
            out, c, h = fn(*args, clip, clip)
            loss = tf.reduce_sum(out * w_out) + tf.reduce_sum(c * w_c) + tf.reduce_sum(h * w_h)
        results.append(([out, c, h], tape.gradient(loss, args)))
    (ours, our_grads), (ref, ref_grads) = results
    if clip < 1:
        assert np.mean(np.abs(ref[0].numpy()) >= clip) > 0.2, "the clipping case must clip"
    for a, r in zip(ours + our_grads, ref + ref_grads, strict=True):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-10, atol=1e-12)


def test_unused_final_state_has_no_gradient_and_float32_matches():
    rng = np.random.default_rng(1)
    b, t, p, d = 4, 5, 3, 6
    args = [tf.constant(rng.normal(0, 0.5, s), tf.float32) for s in [(t, b, p), (2 * p, 4 * d), (4 * d,), (d, p)]]
    state = [tf.zeros([b, d]), tf.zeros([b, p])]
    grads = []
    for fn in (projected_lstm, autodiff_lstm):
        with tf.GradientTape() as tape:
            tape.watch(args)
            loss = tf.reduce_sum(fn(*args, *state, 3.0, 3.0)[0] ** 2)
        grads.append(tape.gradient(loss, args))
    for a, r in zip(*grads, strict=True):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-5, atol=1e-6)


def test_layers_side_by_side_equal_each_alone():
    """Two layers with their own weights, inputs and states, as one grouped call and as two calls."""
    rng = np.random.default_rng(2)
    b, t, p, d, clip = 3, 5, 4, 6, 1.0

    def rand(*shape):
        return tf.constant(rng.normal(0, 1.0, shape), tf.float64)

    # Time-major inputs (T, G, B, P), then per group: kernel, bias, projection, c0, h0.
    args = [rand(t, 2, b, p), rand(2, 2 * p, 4 * d), rand(2, 4 * d), rand(2, d, p), rand(2, b, d), rand(2, b, p)]
    w_out, w_c, w_h = rand(t, 2, b, p), rand(2, b, d), rand(2, b, p)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(args)
        grouped = projected_lstm(*args, clip, clip)
        alone = [projected_lstm(args[0][:, g], *(a[g] for a in args[1:]), clip, clip) for g in range(2)]
        loss_alone = sum(
            tf.reduce_sum(out * w_out[:, g]) + tf.reduce_sum(c * w_c[g]) + tf.reduce_sum(h * w_h[g])
            for g, (out, c, h) in enumerate(alone)
        )
        loss_grouped = sum(tf.reduce_sum(r * w) for r, w in zip(grouped, (w_out, w_c, w_h), strict=True))
    assert np.mean(np.abs(grouped[0].numpy()) >= clip) > 0.2, "the clips must be active"
    for r, a in zip(grouped, zip(*alone, strict=True), strict=True):
        np.testing.assert_allclose(r.numpy(), tf.stack(a, axis=1 if r.shape.rank == 4 else 0).numpy(), rtol=1e-12)
    for r, a in zip(tape.gradient(loss_grouped, args), tape.gradient(loss_alone, args), strict=True):
        np.testing.assert_allclose(r.numpy(), a.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("grouped", [False, True], ids=["one-layer", "side-by-side"])
def test_xla_backward_equals_autodiff(grouped):
    """xla=True (gate gradients written into one buffer, activations recomputed), compiled, gives autodiff's
    gradients."""
    rng = np.random.default_rng(3)
    b, t, p, d, clip = 3, 5, 4, 6, 1.0
    lead = (2,) if grouped else ()

    def rand(*shape):
        return tf.constant(rng.normal(0, 1.0, shape), tf.float64)

    x = rand(t, *lead, b, p)
    args = [rand(*lead, 2 * p, 4 * d), rand(*lead, 4 * d), rand(*lead, d, p), rand(*lead, b, d), rand(*lead, b, p)]
    w_out, w_c, w_h = rand(t, *lead, b, p), rand(*lead, b, d), rand(*lead, b, p)

    @tf.function(jit_compile=True)
    def compiled(x, *args):
        with tf.GradientTape() as tape:
            tape.watch([x, *args])
            out, c, h = projected_lstm(x, *args, clip, clip, xla=True)
            loss = tf.reduce_sum(out * w_out) + tf.reduce_sum(c * w_c) + tf.reduce_sum(h * w_h)
        return tape.gradient(loss, [x, *args])

    def reference(g):  # layer g (or the only one) by autodiff
        pick = (lambda a: a[g]) if grouped else (lambda a: a)
        xg = x[:, g] if grouped else x
        wo = w_out[:, g] if grouped else w_out
        layer_args = [pick(a) for a in args]
        with tf.GradientTape() as tape:
            tape.watch([xg, *layer_args])
            out, c, h = autodiff_lstm(xg, *layer_args, clip, clip)
            loss = tf.reduce_sum(out * wo) + tf.reduce_sum(c * pick(w_c)) + tf.reduce_sum(h * pick(w_h))
        return tape.gradient(loss, [xg, *layer_args])

    ours = compiled(x, *args)
    refs = [reference(g) for g in range(2)] if grouped else [reference(None)]
    for k, got in enumerate(ours):
        want = [r[k] for r in refs]
        want = tf.stack(want, axis=1 if k == 0 else 0) if grouped else want[0]
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-9, atol=1e-11)


def test_the_training_step_runs_this_layer_not_a_scan(tmp_path):
    """The compiled step knows the window length, so its LSTMs are the static unroll above (no loop op).

    Without dropout: its masks' shape told the step the window length, so only dropout-free runs lost it."""
    import dataclasses

    from norelmo.elmo.batches import BatchMaker
    from norelmo.elmo.token_types import corpus_types
    from norelmo.elmo.train import Trainer

    from .tiny import TINY, TINY_TRAIN

    lines = ["Oslo er en stor by i Norge .", "Bergen har mange kontorer og skoler ."] * 5
    corpus = tmp_path / "t.txt"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    vocab = ["<S>", "</S>", "<UNK>"] + sorted({w for x in lines for w in x.split()})
    types = corpus_types(vocab, None, [corpus], 50)
    batch = next(BatchMaker([corpus], types, TINY_TRAIN.batch_size, TINY.unroll_steps, 8, seed=0))
    cfg = dataclasses.replace(TINY, dropout=0.0)
    step, args = Trainer(cfg, TINY_TRAIN, len(vocab), tmp_path / "ckpt").compiled_step(batch)
    graph = step.get_concrete_function(*args).graph
    ops = {op.type for op in graph.get_operations()}
    ops |= {op.type for f in graph._functions.values() for op in f.graph.get_operations()}
    assert not ops & {"While", "StatelessWhile"}
