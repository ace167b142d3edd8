"""train.precision: bf16 runs the training step's matrix products in bfloat16 and everything else in float32.

Weights, Adagrad accumulators, LSTM cell states, gate nonlinearities, the softmax's log-sum-exp and the loss
stay float32; only the operands of the products (and their results) are rounded to bfloat16's 8-bit
mantissa, which is what tensor cores and AVX512-BF16 multiply at twice the float32 rate or more. Inference
(perplexity, embed, the evaluation tasks) always runs in float32.
"""

from __future__ import annotations

import tensorflow as tf

# None: the operands' own type (float32 in training), and no cast anywhere.
COMPUTE_DTYPES = {"fp32": None, "bf16": tf.bfloat16}


def operand(t, dtype=None):
    """`t` in the products' `dtype`, to be read by several products (None: as it is)."""
    return t if dtype is None else tf.cast(t, dtype)


def matmul(a, b, dtype=None, transpose_a: bool = False, transpose_b: bool = False):
    """a @ b with both operands in `dtype` and a float32 result (None: as they come); operands already in `dtype`
    are not cast again, so weights used at every step are cast once by the caller."""
    if dtype is None:
        return tf.matmul(a, b, transpose_a=transpose_a, transpose_b=transpose_b)
    product = tf.matmul(tf.cast(a, dtype), tf.cast(b, dtype), transpose_a=transpose_a, transpose_b=transpose_b)
    return tf.cast(product, tf.float32)
