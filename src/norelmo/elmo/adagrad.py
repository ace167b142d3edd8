"""The Adagrad update of bilm-tf's training: TF's own kernels, dense or on the rows a gather touched."""

from __future__ import annotations

import tensorflow as tf


def apply_adagrad(var: tf.Variable, accum: tf.Variable, grad, lr: float, rows=None, guard=None) -> None:
    """TF's own Adagrad kernels (no epsilon, as bilm-tf's tf.train.AdagradOptimizer).

    A sparse gradient (IndexedSlices with distinct rows, see summed_rows) updates only its rows; a
    dense one with zero rows leaves those rows' weights and accumulators unchanged, so both give
    the same result, and the dense one is what XLA and the all-reduce of several replicas take.
    `rows` (with a dense gradient that is zero elsewhere; for XLA, which cannot make rows distinct): only
    these rows are updated, repeats allowed (they write the same values), by the dense kernel's arithmetic,
    and only where the scalar `guard` holds, if given (else they are written back unchanged). At the NorELMo
    config the softmax's targets and negatives are a quarter of its 100,000 rows.
    """
    if rows is not None:
        g, a_old, v_old = tf.gather(grad, rows), tf.gather(accum, rows), tf.gather(var, rows)
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
