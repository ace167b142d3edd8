"""The LSTM levels run as a wavefront (the XLA step's recurrence) equal the levels run one after the other: outputs,
final states and every gradient, with the dropout between levels, the skip connections and active clips."""

import numpy as np
import pytest
import tensorflow as tf

from norelmo.elmo.lstm import projected_lstm
from norelmo.elmo.wavefront import projected_lstm_levels


def level_after_level(x, kernel, bias, w_proj, c0, h0, clip, drops, skip):
    """The reference: each level's layers side by side (projected_lstm), the levels one after the other."""
    outs, cs, hs = x, [], []
    for lv in range(kernel.shape[0]):
        if lv > 0 and drops is not None:
            outs = outs * drops[lv - 1]
        out, c, h = projected_lstm(outs, kernel[lv], bias[lv], w_proj[lv], c0[lv], h0[lv], clip, clip)
        outs = out + outs if skip and lv > 0 else out
        cs.append(c)
        hs.append(h)
    return outs, tf.stack(cs), tf.stack(hs)


@pytest.mark.parametrize(
    "levels, skip, dropout, compiled",
    [(2, True, True, True), (2, False, False, False), (3, True, True, False), (1, True, False, True)],
    ids=["2-levels-skip-dropout-xla", "2-levels-plain", "3-levels", "1-level-xla"],
)
def test_wavefront_equals_level_after_level(levels, skip, dropout, compiled):
    rng = np.random.default_rng(4)
    t, g, b, p, d, clip = 5, 2, 3, 4, 6, 1.0

    def rand(*shape):
        return tf.constant(rng.normal(0, 1.0, shape), tf.float64)

    args = [
        rand(t, g, b, p),
        rand(levels, g, 2 * p, 4 * d),
        rand(levels, g, 4 * d),
        rand(levels, g, d, p),
        rand(levels, g, b, d),
        rand(levels, g, b, p),
    ]
    drops = None
    if dropout:  # inverted dropout scales: 0 or 1 / keep
        drops = tf.constant((rng.random((levels - 1, t, g, b, p)) < 0.8) / 0.8, tf.float64)
    w_out, w_c, w_h = rand(t, g, b, p), rand(levels, g, b, d), rand(levels, g, b, p)

    def gradients(fn):
        def run(*args):
            with tf.GradientTape() as tape:
                tape.watch(args)
                out, c, h = fn(*args, clip, drops, skip)
                loss = tf.reduce_sum(out * w_out) + tf.reduce_sum(c * w_c) + tf.reduce_sum(h * w_h)
            return [out, c, h], tape.gradient(loss, args)

        return run

    def wavefront(x, kernel, bias, w_proj, c0, h0, clip, drops, skip):
        return projected_lstm_levels(x, kernel, bias, w_proj, c0, h0, clip, clip, drops, skip)

    ours_fn = gradients(wavefront)
    if compiled:
        ours_fn = tf.function(ours_fn, jit_compile=True)
    ours, our_grads = ours_fn(*args)
    ref, ref_grads = gradients(level_after_level)(*args)
    assert np.mean(np.abs(ref[0].numpy()) >= clip) > 0.1, "the clips must be active"
    names = ["outputs", "c", "h", "d_x", "d_kernel", "d_bias", "d_w_proj", "d_c0", "d_h0"]
    for name, a, r in zip(names, ours + list(our_grads), ref + list(ref_grads), strict=True):
        np.testing.assert_allclose(a.numpy(), r.numpy(), rtol=1e-9, atol=1e-11, err_msg=name)


def test_bf16_products_stay_close_to_float32():
    """train.precision bf16: the products' operands in bfloat16 (8-bit mantissa), everything else float32."""
    rng = np.random.default_rng(5)
    t, g, b, p, d, clip = 4, 2, 3, 8, 8, 3.0
    shapes = [(t, g, b, p), (2, g, 2 * p, 4 * d), (2, g, 4 * d), (2, g, d, p), (2, g, b, d), (2, g, b, p)]
    args = [tf.constant(rng.normal(0, 0.5, s), tf.float32) for s in shapes]

    @tf.function(jit_compile=True)
    def run(dtype):
        with tf.GradientTape() as tape:
            tape.watch(args)
            out, c, h = projected_lstm_levels(*args, clip, clip, None, True, dtype)
            loss = tf.reduce_sum(out**2) + tf.reduce_sum(c) + tf.reduce_sum(h)
        return [out, *tape.gradient(loss, args)]

    low, full = run(tf.bfloat16), run(None)
    assert not np.array_equal(low[0].numpy(), full[0].numpy()), "the products must take bfloat16 operands"
    for a, r in zip(low, full, strict=True):
        assert np.abs(a.numpy() - r.numpy()).max() < 0.03 * np.abs(r.numpy()).max()
