"""Projected LSTM layers over a fixed-length window, with a hand-written backward pass; one layer, or
several independent ones side by side.

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
from tensorflow.compiler.tf2xla.python import xla as xla_ops

from .precision import matmul, operand


def with_forget_bias(bias, dim: int):
    """The gate bias with TF1 LSTMCell's forget bias of 1 added to the f block, once for all steps."""
    forget = tf.concat([tf.zeros([2 * dim]), tf.ones([dim]), tf.zeros([dim])], axis=0)
    return bias + tf.cast(forget, bias.dtype)


def gate_activations(gates):
    """sigmoid(i), tanh(j), sigmoid(f), sigmoid(o) of the full gate pre-activations (forget bias included)."""
    i, j, f, o = tf.split(gates, 4, axis=-1)
    return tf.sigmoid(i), tf.tanh(j), tf.sigmoid(f), tf.sigmoid(o)


def gate_factors(si, tj, sf, so, c_prev, tc):
    """What the backward pass multiplies by: dL/dc_raw times the first three blocks gives the gradients of gates
    i, j, f and dL/dm times the last that of gate o (one (..., 4D) tensor); and dm/dc_raw, m = so * tanh(c)."""
    factors = tf.concat([tj * si * (1 - si), si * (1 - tj * tj), c_prev * sf * (1 - sf), tc * so * (1 - so)], -1)
    return factors, so * (1 - tc * tc)


def lstm_step(gates, c_prev, w_proj, cell_clip: float, proj_clip: float, dtype=None):
    """One step from the full gate pre-activations (forget bias included), TF1 LSTMCell's way.

    Returns the new cell and output, and what the backward pass needs: the gate activations
    (i, j, f, o) and the cell and projection before their clips.
    """
    si, tj, sf, so = gate_activations(gates)
    c_raw = sf * c_prev + si * tj
    c = tf.clip_by_value(c_raw, -cell_clip, cell_clip)
    h_raw = matmul(so * tf.tanh(c), w_proj, dtype)
    return c, tf.clip_by_value(h_raw, -proj_clip, proj_clip), (si, tj, sf, so), c_raw, h_raw


def projected_lstm(x, kernel, bias, w_proj, c0, h0, cell_clip: float, proj_clip: float, dtype=None, xla: bool = False):
    """A projected LSTM layer over a time-major window: x (T, B, P) -> outputs (T, B, P), the final cell c (B, D)
    and the final output h (B, P); kernel (2P, 4D), bias (4D,), w_proj (D, P).

    Or G independent layers side by side: x (T, G, B, P), kernel (G, 2P, 4D), bias (G, 4D), w_proj (G, D, P),
    c0 (G, B, D), h0 (G, B, P), and every result with the G axis after T. Their products are then batched
    matmuls, one per step for all G: where XLA compiles the step (GPUs), training runs a level's forward
    and backward layers so, half as many kernels in the recurrence, each with twice the rows. On a CPU
    each layer runs alone: there the batched form takes about 1.5 times as long (bench/lstm.py).

    Gates are packed i, j, f, o as in TF1's LSTMCell, with its forget bias of 1; the cell is
    clipped to +-cell_clip and the projected output to +-proj_clip, and the clips' gradients
    pass where the value lies within the bounds, bounds included (as tf.clip_by_value's do).
    `dtype`: of the matrix products' operands (precision.matmul), forward and backward. `xla` (only where XLA
    compiles the step): the backward pass writes each step's gate gradients into one buffer (XLA's
    dynamic-update-slice, done in place) instead of joining them after the loop, a copy of all of them; and it
    recomputes the gate activations from the pre-activations the forward pass keeps, which XLA fuses into the
    kernels that read them (the forward's step then writes one tensor for them, not four, in one kernel fewer).
    On CPUs both would cost time: there the activations are kept and the gradients joined.
    """
    p = x.shape[-1]
    grouped = x.shape.rank == 4
    # The products over all steps take each layer's rows together, (G, T*B, ...); the recurrence takes each
    # step's rows of every layer, (T, G, B, ...). `swap` moves between the two (nothing to move without G).
    swap = (lambda t: tf.transpose(t, [1, 0, *range(2, t.shape.rank)])) if grouped else (lambda t: t)

    @tf.custom_gradient
    def layer(x, kernel, bias, w_proj, c0, h0):
        steps, rows, d = x.shape[0], tf.shape(x)[-2], w_proj.shape[-2]
        lead = x.shape[1:-2]  # (G,) or ()
        # The weights in the products' dtype once, not at every step.
        kernel_c, w_proj_c = operand(kernel, dtype), operand(w_proj, dtype)
        w_x, w_h = kernel_c[..., :p, :], kernel_c[..., p:, :]
        x_2d = tf.reshape(swap(x), [*lead, -1, p])
        gates_x = matmul(x_2d, w_x, dtype) + tf.expand_dims(with_forget_bias(bias, d), -2)
        c, h = c0, h0
        h_in, kept, c_raws, h_raws = [], [], [], []  # kept: each step's gate activations, or pre-activations
        for g_x in tf.unstack(swap(tf.reshape(gates_x, [*lead, steps, rows, 4 * d]))):
            h_in.append(h)
            gates = g_x + matmul(h, w_h, dtype)
            c, h, act, c_raw, h_raw = lstm_step(gates, c, w_proj_c, cell_clip, proj_clip, dtype)
            kept.append(gates if xla else act)
            c_raws.append(c_raw)
            h_raws.append(h_raw)
        outputs = tf.stack(h_in[1:] + [h])

        def backward(d_out, d_c, d_h):
            # Everything that does not depend on the recurrence, for all steps at once: (T, [G,] B, D).
            if xla:
                si, tj, sf, so = gate_activations(tf.stack(kept))
            else:
                si, tj, sf, so = (tf.stack(a) for a in zip(*kept, strict=True))
            c_raw = tf.stack(c_raws)
            c_all = tf.clip_by_value(c_raw, -cell_clip, cell_clip)  # the forward's c, recomputed
            c_prev = tf.concat([c0[tf.newaxis], c_all[:-1]], axis=0)
            tc = tf.tanh(c_all)
            factors, m_to_c = gate_factors(si, tj, sf, so, c_prev, tc)  # (T, [G,] B, 4D), (T, [G,] B, D)
            # A clip passes the gradient where the value lies within its bounds, bounds included.
            c_kept = tf.abs(c_raw) <= cell_clip
            h_kept = tf.abs(tf.stack(h_raws)) <= proj_clip
            # One unstack per tensor: indexing each step would be an op per step.
            d_outs, factors_t, m_to_c_t, sf_t, c_kept_t, h_kept_t = (
                tf.unstack(v) for v in (d_out, factors, m_to_c, sf, c_kept, h_kept)
            )
            # W_h transposed as a slice of the whole kernel's transpose: Grappler folds a Transpose that
            # feeds a MatMul into the product (transpose_b), and oneDNN's [B, 4D] x [P, 4D]^T at every step
            # took 2.5 times as long at the tiny config's shapes (10% at NorELMo's); a slice is not folded.
            w_h_t, w_proj_t = tf.linalg.matrix_transpose(kernel_c)[..., p:], tf.linalg.matrix_transpose(w_proj_c)
            # A final state that nothing downstream uses has no gradient.
            dc = tf.zeros_like(c0) if d_c is None else d_c
            dh = tf.zeros_like(h0) if d_h is None else d_h
            d_gates, d_h_raw = [None] * steps, [None] * steps
            # ([G,] T*B, 4D), filled step by step (the products over all steps read it whole); in the products'
            # dtype, which all its readers but the bias's sum take (in bf16: half the bytes, and no conversion pass).
            joined = tf.zeros([*lead, steps * rows, 4 * d], dtype or d_out.dtype) if xla else None
            for t in reversed(range(steps)):
                d_h_raw[t] = tf.where(h_kept_t[t], d_outs[t] + dh, 0.0)
                dm = matmul(d_h_raw[t], w_proj_t, dtype)
                dc = tf.where(c_kept_t[t], dc + dm * m_to_c_t[t], 0.0)
                d_gates[t] = tf.concat([dc, dc, dc, dm], axis=-1) * factors_t[t]
                if xla:
                    joined = xla_ops.dynamic_update_slice(
                        joined, operand(d_gates[t], dtype), tf.stack([0] * len(lead) + [t * rows, 0])
                    )
                    d_gates[t] = joined[..., t * rows : (t + 1) * rows, :]  # read back: then XLA keeps one copy
                dc = dc * sf_t[t]
                dh = matmul(d_gates[t], w_h_t, dtype)
            d_gates = joined if xla else tf.concat(d_gates, axis=-2)
            d_x = matmul(d_gates, w_x, dtype, transpose_b=True)
            d_x = swap(tf.reshape(d_x, [*lead, steps, rows, p]))
            d_w_x = matmul(x_2d, d_gates, dtype, transpose_a=True)
            d_w_h = matmul(tf.concat(h_in, axis=-2), d_gates, dtype, transpose_a=True)
            d_bias = tf.reduce_sum(tf.cast(d_gates, d_out.dtype), axis=-2)
            m_2d = tf.reshape(swap(so * tc), [*lead, -1, d])
            d_w_proj = matmul(m_2d, tf.concat(d_h_raw, axis=-2), dtype, transpose_a=True)
            return d_x, tf.concat([d_w_x, d_w_h], axis=-2), d_bias, d_w_proj, dc, dh

        return (outputs, c, h), backward

    # Tensors, not variables, go in: the tape then carries the gradients on to the variables.
    return layer(*(tf.convert_to_tensor(v) for v in (x, kernel, bias, w_proj, c0, h0)))
