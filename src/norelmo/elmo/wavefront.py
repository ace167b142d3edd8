"""A stack of projected LSTM levels run as a wavefront: where XLA compiles the step (GPUs), the LSTMs' recurrence
is a chain of small kernels, one step after the other, with too few rows to fill the GPU; lstm.projected_lstm runs
a level's layers side by side, and this runs the levels so too.

Level l starts one step after the level below it: at step k of the wavefront level l computes its own step k - l,
whose input, the output of level l - 1 at step k - l, the step before computed. So a window of T steps takes
T + L - 1 wavefront steps instead of T steps per level, each one batched product for all the L * G layers. In the
first and last L - 1 steps some levels have no step of their own; they compute on anything (zeros as input) and
keep their state, and their gradients are masked to zero. The backward pass runs the same steps in reverse order.

The same model as lstm.projected_lstm level after level, with the same clips, forget bias, dropout scales between
levels and skip connections; tests/elmo/test_wavefront.py compares outputs and gradients with that (whose own
gradients tests/elmo/test_lstm.py compares with TensorFlow's autodiff).
"""

from __future__ import annotations

import tensorflow as tf
from tensorflow.compiler.tf2xla.python import xla as xla_ops

from .lstm import gate_activations, lstm_step, with_forget_bias
from .precision import matmul, operand


def projected_lstm_levels(
    x, kernel, bias, w_proj, c0, h0, cell_clip: float, proj_clip: float, drops=None, skip: bool = True, dtype=None
):
    """L levels of G projected LSTM layers each over a time-major window, as a wavefront (see above).

    x (T, G, B, P): the first level's input, its dropout applied; kernel (L, G, 2P, 4D), bias (L, G, 4D),
    w_proj (L, G, D, P), c0 (L, G, B, D), h0 (L, G, B, P); `drops` (L - 1, T, G, B, P) or None: the dropout scales
    of the input of each level above the first (the output of the level below); `skip`: the levels above the first
    add their input to their output. Returns the top level's outputs (T, G, B, P) and every level's final cell
    (L, G, B, D) and output (L, G, B, P). Gates, clips and forget bias as lstm.projected_lstm; `dtype` of the
    products' operands. Only for XLA: the backward pass writes the gate gradients into one buffer in place.
    """
    steps, groups, levels = x.shape[0], x.shape[1], kernel.shape[0]
    p, d = x.shape[-1], w_proj.shape[-2]
    width = steps + levels - 1  # wavefront steps
    # Static: at wavefront step k level l is at its own step k - l, or has none.
    active = [[0 <= k - lv < steps for lv in range(levels)] for k in range(width)]

    def own_step(k, level):
        return k - level if active[k][level] else None

    # Levels and groups as one leading axis, (L * G, ...), level by level: products with one batch dimension, as
    # XLA's GEMM kernels take them (with two, the NorELMo step had 6 more kernels, reshaping copies).
    def level_of(t, level):
        return t[level * groups : (level + 1) * groups]

    def keep_inactive(new, old, k):
        """`new` where level l is active at wavefront step k, `old` (same shape) where not."""
        if all(active[k]):
            return new
        return tf.concat([level_of(new if active[k][lv] else old, lv) for lv in range(levels)], axis=0)

    def flat(t):
        return tf.reshape(t, tf.concat([[levels * groups], tf.shape(t)[2:]], axis=0))

    def unflat(t):
        return tf.reshape(t, tf.concat([[levels, groups], tf.shape(t)[1:]], axis=0))

    @tf.custom_gradient
    def stack(x, kernel, bias, w_proj, c0, h0):
        rows = tf.shape(x)[-2]
        kernel_c, w_proj_c = flat(operand(kernel, dtype)), flat(operand(w_proj, dtype))
        bias_f = tf.expand_dims(with_forget_bias(flat(bias), d), -2)
        xs = tf.unstack(x)
        c, h = flat(c0), flat(h0)
        xhs, kept, c_ins, h_raws, tops = [], [], [], [], []
        below = None  # each level's output at the wavefront's last step
        for k in range(width):
            inputs = []
            for lv in range(levels):
                t = own_step(k, lv)
                if t is None:
                    inputs.append(tf.zeros_like(xs[0]))
                elif lv == 0:
                    inputs.append(xs[t])
                else:
                    inputs.append(below[lv - 1] if drops is None else below[lv - 1] * drops[lv - 1][t])
            x_in = tf.concat(inputs, axis=0)
            xh = tf.concat([x_in, h], axis=-1)  # (L * G, B, 2P): both halves of the gates' product at once
            gates = matmul(xh, kernel_c, dtype) + bias_f
            c_new, h_new, _, _, h_raw = lstm_step(gates, c, w_proj_c, cell_clip, proj_clip, dtype)
            xhs.append(xh)
            kept.append(gates)
            c_ins.append(c)
            h_raws.append(h_raw)
            # Each level's output, its input added where it skips: the next level's input, or the top's output.
            below = [
                level_of(h_new, lv) + level_of(x_in, lv) if skip and lv > 0 else level_of(h_new, lv)
                for lv in range(levels)
            ]
            if own_step(k, levels - 1) is not None:
                tops.append(below[-1])
            c, h = keep_inactive(c_new, c, k), keep_inactive(h_new, h, k)
        outputs = tf.stack(tops)

        def backward(d_top, d_c, d_h):
            kernel_t, w_proj_t = (tf.linalg.matrix_transpose(w) for w in (kernel_c, w_proj_c))
            dc = tf.zeros_like(c) if d_c is None else flat(d_c)
            dh = tf.zeros_like(h) if d_h is None else flat(d_h)
            d_tops = tf.unstack(d_top)
            # The gate gradients of every wavefront step, (L * G, width * B, 4D), filled step by step, in the products'
            # dtype (as lstm.projected_lstm keeps them).
            joined = tf.zeros([levels * groups, width * rows, 4 * d], dtype or d_top.dtype)
            d_x, d_h_raws, ms = [None] * steps, [None] * width, [None] * width
            from_above = [None] * levels  # per level, the gradient of its output coming from the level above
            for k in reversed(range(width)):
                d_outs = []
                for lv in range(levels):
                    t = own_step(k, lv)
                    if t is None:
                        d_outs.append(tf.zeros_like(d_tops[0]))
                    else:
                        d_outs.append(d_tops[t] if lv == levels - 1 else from_above[lv])
                d_out = tf.concat(d_outs, axis=0)
                # The step's activations and cell recomputed from its gates and the cell it started from.
                c_in = c_ins[k]
                si, tj, sf, so = gate_activations(kept[k])
                c_raw = sf * c_in + si * tj
                tc = tf.tanh(tf.clip_by_value(c_raw, -cell_clip, cell_clip))
                ms[k] = so * tc
                # A clip passes the gradient where the value lies within its bounds, bounds included.
                d_h_raw = tf.where(tf.abs(h_raws[k]) <= proj_clip, d_out + dh, 0.0)
                d_h_raws[k] = keep_inactive(d_h_raw, tf.zeros_like(d_h_raw), k)
                dm = matmul(d_h_raw, w_proj_t, dtype)
                dc_new = tf.where(tf.abs(c_raw) <= cell_clip, dc + dm * so * (1 - tc * tc), 0.0)
                # lstm.gate_factors' products, each block multiplied out: with the factors joined first, XLA wrote
                # more (NorELMo bf16 step: 0.25 GB).
                d_gates = tf.concat(
                    [
                        dc_new * tj * si * (1 - si),
                        dc_new * si * (1 - tj * tj),
                        dc_new * c_in * sf * (1 - sf),
                        dm * tc * so * (1 - so),
                    ],
                    axis=-1,
                )
                d_gates = keep_inactive(d_gates, tf.zeros_like(d_gates), k)
                joined = xla_ops.dynamic_update_slice(joined, operand(d_gates, dtype), tf.stack([0, k * rows, 0]))
                # Read back, as lstm.projected_lstm does. XLA still copies it out for the product (which splits its
                # 8,192-deep sum); the gradients kept step by step and joined after the loop wrote as much.
                d_gates = joined[:, k * rows : (k + 1) * rows]
                d_xh = matmul(d_gates, kernel_t, dtype)
                d_in, dh_new = d_xh[..., :p], d_xh[..., p:]
                dc, dh = keep_inactive(dc_new * sf, dc, k), keep_inactive(dh_new, dh, k)
                for lv in range(levels):
                    t = own_step(k, lv)
                    if t is None:
                        continue
                    d_level_in = level_of(d_in, lv)
                    if lv == 0:
                        d_x[t] = d_level_in
                        continue
                    if skip:
                        d_level_in += level_of(d_out, lv)
                    from_above[lv - 1] = d_level_in if drops is None else d_level_in * drops[lv - 1][t]
            # The weights' gradients over all wavefront steps at once (masked steps add zeros).
            xh_all = tf.reshape(tf.stack(xhs, axis=1), [levels * groups, -1, 2 * p])
            d_kernel = matmul(xh_all, joined, dtype, transpose_a=True)
            d_bias = tf.reduce_sum(tf.cast(joined, d_top.dtype), axis=-2)
            m_all = tf.reshape(tf.stack(ms, axis=1), [levels * groups, -1, d])
            d_h_raw_all = tf.reshape(tf.stack(d_h_raws, axis=1), [levels * groups, -1, p])
            d_w_proj = matmul(m_all, d_h_raw_all, dtype, transpose_a=True)
            return tf.stack(d_x), *(unflat(g) for g in (d_kernel, d_bias, d_w_proj, dc, dh))

        return (outputs, unflat(c), unflat(h)), backward

    return stack(*(tf.convert_to_tensor(v) for v in (x, kernel, bias, w_proj, c0, h0)))
