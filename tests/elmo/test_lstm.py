"""The projected LSTM's hand-written backward pass equals TensorFlow's autodiff of the same layer."""

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.lstm import projected_lstm


def autodiff_lstm(x, kernel, bias, w_proj, c, h, cell_clip, proj_clip):
    """The layer as TF1's LSTMCell(num_proj, cell_clip, proj_clip) computes it, step by step."""
    outputs = []
    for t in range(x.shape[1]):
        gates = tf.concat([x[:, t], h], axis=1) @ kernel + bias
        i, j, f, o = tf.split(gates, 4, axis=1)
        c = tf.clip_by_value(tf.sigmoid(f + 1.0) * c + tf.sigmoid(i) * tf.tanh(j), -cell_clip, cell_clip)
        h = tf.clip_by_value((tf.sigmoid(o) * tf.tanh(c)) @ w_proj, -proj_clip, proj_clip)
        outputs.append(h)
    return tf.stack(outputs, axis=1), c, h


@pytest.mark.parametrize("scale, clip", [(0.3, 3.0), (2.0, 0.5)], ids=["no-clipping", "clipping-active"])
def test_gradients_equal_autodiff(scale, clip):
    rng = np.random.default_rng(0)
    b, t, p, d = 3, 6, 5, 7

    def rand(*shape):
        return tf.constant(rng.normal(0, scale, shape), tf.float64)

    args = [rand(b, t, p), rand(2 * p, 4 * d), rand(4 * d), rand(d, p), rand(b, d), rand(b, p)]
    # Weigh every output differently, final states included, so each gradient path counts.
    w_out, w_c, w_h = rand(b, t, p), rand(b, d), rand(b, p)
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
    args = [tf.constant(rng.normal(0, 0.5, s), tf.float32) for s in [(b, t, p), (2 * p, 4 * d), (4 * d,), (d, p)]]
    state = [tf.zeros([b, d]), tf.zeros([b, p])]
    grads = []
    for fn in (projected_lstm, autodiff_lstm):
        with tf.GradientTape() as tape:
            tape.watch(args)
            loss = tf.reduce_sum(fn(*args, *state, 3.0, 3.0)[0] ** 2)
        grads.append(tape.gradient(loss, args))
    for a, r in zip(*grads, strict=True):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-5, atol=1e-6)
