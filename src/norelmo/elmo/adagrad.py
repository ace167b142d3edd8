"""The Adagrad update of bilm-tf's training: TF's own kernels, dense or on the rows a gather touched."""

from __future__ import annotations

import tensorflow as tf


def apply_adagrad(var: tf.Variable, accum: tf.Variable, grad, lr: float, rows=None, guard=None) -> None:
    """TF's own Adagrad kernels (no epsilon, as bilm-tf's tf.train.AdagradOptimizer).

    A sparse gradient (IndexedSlices with distinct rows, see summed_rows) updates only its rows; a
    dense one with zero rows leaves those rows' weights and accumulators unchanged, so both give
    the same result, and the dense one is what XLA and the all-reduce of several replicas take.
    `rows` (for XLA, which cannot make rows distinct): only these rows are updated, `grad` holding each one's
    whole gradient (repeats allowed: they hold and write the same values; see summed_repeats), by the dense
    kernel's arithmetic, and only where the scalar `guard` holds, if given (else they are written back
    unchanged). At the NorELMo config the softmax's targets and negatives are a quarter of its 100,000 rows.
    """
    if rows is not None:
        g, a_old, v_old = grad, tf.gather(accum, rows), tf.gather(var, rows)
        a = a_old + g * g
        v = v_old - lr * g * tf.math.rsqrt(a)
        if guard is not None:
            a, v = tf.where(guard, a, a_old), tf.where(guard, v, v_old)
        tf.raw_ops.ResourceScatterUpdate(resource=accum.handle, indices=rows, updates=a)
        tf.raw_ops.ResourceScatterUpdate(resource=var.handle, indices=rows, updates=v)
    elif isinstance(grad, tf.IndexedSlices):
        tf.raw_ops.ResourceSparseApplyAdagrad(
            var=var.handle, accum=accum.handle, lr=lr, grad=grad.values, indices=grad.indices, update_slots=True
        )
    else:
        tf.raw_ops.ResourceApplyAdagrad(var=var.handle, accum=accum.handle, lr=lr, grad=grad, update_slots=True)


def summed_rows(grad: tf.IndexedSlices) -> tf.IndexedSlices:
    """A gather's gradient with the rows of repeated indices summed, as TF1's optimizers sum them
    before a sparse update; its norm is then that of the dense gradient, which clipping needs."""
    rows, which = tf.unique(grad.indices)
    values = tf.math.unsorted_segment_sum(grad.values, which, tf.shape(rows)[0])
    return tf.IndexedSlices(values, rows, grad.dense_shape)


def summed_repeats(grad: tf.IndexedSlices) -> tuple[tf.Tensor, tf.Tensor]:
    """A gather's gradient with the rows of repeated indices summed, in shapes XLA can compile (tf.unique's
    depend on the data): `sums`, as many rows as indices, each distinct index's sum in one of them and zeros
    in the rest, so that its norm is the dense gradient's; and `where`, for each index the row of `sums` that
    holds its sum (tf.gather(sums, where) gives repeats the same whole gradient, as apply_adagrad's rows
    want). Not tf.convert_to_tensor: a dense gradient of the whole table is written, read for the norm and
    gathered from, 205 MB for the NorELMo softmax (bench/gpu_compile.py for the H100: 0.15 GB less written per
    step, 0.14 GiB less working memory).
    """
    count = tf.shape(grad.indices)[0]
    order = tf.argsort(grad.indices, stable=True)
    ordered = tf.gather(grad.indices, order)
    starts = tf.concat([[True], ordered[1:] != ordered[:-1]], axis=0)
    where = tf.scatter_nd(order[:, tf.newaxis], tf.cumsum(tf.cast(starts, tf.int32)) - 1, [count])
    return tf.math.unsorted_segment_sum(grad.values, where, count), where
