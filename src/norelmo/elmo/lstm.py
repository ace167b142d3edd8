"""One projected LSTM layer over a fixed-length window, with a hand-written backward pass.

TensorFlow's autodiff of a statically unrolled LSTM computes the weight gradients step by step:
per step and layer two small matmuls (K = batch rows) and an AddN to sum them, plus every
elementwise derivative as its own tiny op. On a CPU that per-op overhead is most of the LSTM's
training time at small sizes. Keras' LSTM has no output projection or clipping, so it cannot
stand in. Here only what is truly sequential stays in the step loop (two matmuls and a few
elementwise ops per step); the weight gradients, the input gradient and the gate derivatives
are computed for all steps at once. bench/train.py measures the effect; tests/elmo/test_lstm.py
checks the gradients against TensorFlow's autodiff of the same forward pass.
"""

from __future__ import annotations

import tensorflow as tf


def projected_lstm(x, kernel, bias, w_proj, c0, h0, cell_clip: float, proj_clip: float):
    """x (B, T, P) -> outputs (B, T, P), the final cell c (B, D) and the final output h (B, P).

    Gates are packed i, j, f, o as in TF1's LSTMCell, with its forget bias of 1; the cell is
    clipped to +-cell_clip and the projected output to +-proj_clip, and the clips' gradients
    pass where the value lies within the bounds, bounds included (as tf.clip_by_value's do).
    """
    p = x.shape[-1]

    @tf.custom_gradient
    def layer(x, kernel, bias, w_proj, c0, h0):
        w_x, w_h = kernel[:p], kernel[p:]
        steps, rows = x.shape[1], tf.shape(x)[0]
        # Time-major 2-D matrices, so that every batched product is one plain matmul.
        x_2d = tf.reshape(tf.transpose(x, [1, 0, 2]), [-1, p])  # (T*B, P)
        gates_x = tf.reshape(x_2d @ w_x + bias, [steps, rows, -1])
        c, h = c0, h0
        hs, cs, h_in, acts, c_kept, h_kept = [], [c0], [], [], [], []
        for g_x in tf.unstack(gates_x):
            i, j, f, o = tf.split(g_x + h @ w_h, 4, axis=1)
            si, tj, sf, so = tf.sigmoid(i), tf.tanh(j), tf.sigmoid(f + 1.0), tf.sigmoid(o)
            c_raw = sf * c + si * tj
            c = tf.clip_by_value(c_raw, -cell_clip, cell_clip)
            h_in.append(h)
            h_raw = (so * tf.tanh(c)) @ w_proj
            h = tf.clip_by_value(h_raw, -proj_clip, proj_clip)
            acts.append((si, tj, sf, so))
            cs.append(c)
            c_kept.append(tf.abs(c_raw) <= cell_clip)
            h_kept.append(tf.abs(h_raw) <= proj_clip)
            hs.append(h)
        outputs = tf.stack(hs, axis=1)

        def backward(d_out, d_c, d_h):
            # Derivative factors for all steps at once: (T, B, D) each.
            si, tj, sf, so = (tf.stack(a) for a in zip(*acts, strict=True))
            c_prev, c_all = tf.stack(cs[:-1]), tf.stack(cs[1:])
            tc = tf.tanh(c_all)
            m = so * tc
            # dL/dc_raw -> gates i, j, f (stacked like the packed gates), and dL/dm -> gate o, cell
            from_c = tf.stack([tj * si * (1 - si), si * (1 - tj * tj), c_prev * sf * (1 - sf)], axis=2)
            o_factor = tc * so * (1 - so)
            m_to_c = so * (1 - tc * tc)
            d_outs = tf.unstack(tf.transpose(d_out, [1, 0, 2]))
            w_h_t, w_proj_t = tf.transpose(w_h), tf.transpose(w_proj)
            # A final state that nothing downstream uses has no gradient.
            dc = tf.zeros_like(c0) if d_c is None else d_c
            dh = tf.zeros_like(h0) if d_h is None else d_h
            d_gates, d_h_raw = [None] * len(hs), [None] * len(hs)
            for t in reversed(range(len(hs))):
                dh_raw = tf.where(h_kept[t], d_outs[t] + dh, 0.0)
                dm = dh_raw @ w_proj_t
                dc = tf.where(c_kept[t], dc + dm * m_to_c[t], 0.0)
                d_ijf = tf.reshape(dc[:, tf.newaxis] * from_c[t], [-1, 3 * dc.shape[-1]])
                d_gates[t] = tf.concat([d_ijf, dm * o_factor[t]], axis=1)
                d_h_raw[t] = dh_raw
                dc = dc * sf[t]
                dh = d_gates[t] @ w_h_t
            d_gates = tf.concat(d_gates, axis=0)  # (T*B, 4D)
            d_x = tf.transpose(tf.reshape(tf.matmul(d_gates, w_x, transpose_b=True), [steps, rows, p]), [1, 0, 2])
            d_w_x = tf.matmul(x_2d, d_gates, transpose_a=True)
            d_w_h = tf.matmul(tf.concat(h_in, axis=0), d_gates, transpose_a=True)
            d_bias = tf.reduce_sum(d_gates, axis=0)
            m_2d = tf.reshape(m, [-1, m.shape[-1]])
            d_w_proj = tf.matmul(m_2d, tf.concat(d_h_raw, axis=0), transpose_a=True)
            return d_x, tf.concat([d_w_x, d_w_h], axis=0), d_bias, d_w_proj, dc, dh

        return (outputs, c, h), backward

    # Tensors, not variables, go in: the tape then carries the gradients on to the variables.
    return layer(*(tf.convert_to_tensor(v) for v in (x, kernel, bias, w_proj, c0, h0)))
