"""A sparse Adagrad update of a gather's gradient equals the dense update of the same gradient."""

import numpy as np
import tensorflow as tf

from norelmo.elmo.adagrad import apply_adagrad, summed_repeats, summed_rows


def test_sparse_update_with_repeated_rows_equals_the_dense_one():
    rng = np.random.default_rng(0)
    start = rng.normal(size=(50, 4)).astype(np.float32)
    upstream = [tf.constant(rng.normal(size=(7, 4)).astype(np.float32)) for _ in range(3)]
    rows = tf.constant([3, 7, 3, 49, 0, 7, 3])  # repeats, as a batch's targets have
    results = []
    for sparse in (True, False):
        var, accum = tf.Variable(start), tf.Variable(tf.ones_like(start))
        for weights in upstream:
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.gather(var, rows) * weights)
            grad = tape.gradient(loss, var)
            assert isinstance(grad, tf.IndexedSlices)
            summed = summed_rows(grad)
            assert sorted(summed.indices.numpy().tolist()) == [0, 3, 7, 49]
            np.testing.assert_allclose(tf.norm(summed.values), tf.norm(tf.convert_to_tensor(grad)), rtol=1e-6)
            apply_adagrad(var, accum, summed if sparse else tf.convert_to_tensor(grad), 0.2)
        results.append((var.numpy(), accum.numpy()))
    (sv, sa), (dv, da) = results
    np.testing.assert_allclose(sv, dv, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(sa, da, rtol=1e-6, atol=1e-7)
    untouched = [r for r in range(50) if r not in (0, 3, 7, 49)]
    np.testing.assert_array_equal(sv[untouched], start[untouched])


def test_update_of_given_rows_under_xla_equals_the_dense_one():
    """The rows-only update (XLA: repeats allowed) changes what the dense update changes, by the same amounts."""
    rng = np.random.default_rng(1)
    start = rng.normal(size=(50, 4)).astype(np.float32)
    rows = tf.constant([3, 7, 3, 49, 0, 7, 3])
    dense = tf.math.unsorted_segment_sum(tf.constant(rng.normal(size=(7, 4)).astype(np.float32)), rows, 50)

    @tf.function(jit_compile=True)
    def rows_only(var, accum):
        apply_adagrad(var, accum, tf.gather(dense, rows), 0.2, rows)

    results = []
    for given in (True, False):
        var, accum = tf.Variable(start), tf.Variable(tf.ones_like(start))
        for _ in range(3):
            rows_only(var, accum) if given else apply_adagrad(var, accum, dense, 0.2)
        results.append((var.numpy(), accum.numpy()))
    (gv, ga), (dv, da) = results
    np.testing.assert_allclose(gv, dv, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ga, da, rtol=1e-6, atol=1e-7)
    assert not np.allclose(gv[[0, 3, 7, 49]], start[[0, 3, 7, 49]])


def test_summed_repeats_under_xla_give_each_index_its_rows_whole_gradient():
    rows = tf.constant([3, 7, 3, 49, 0, 7, 3])
    values = tf.constant(np.random.default_rng(2).normal(size=(7, 4)).astype(np.float32))
    dense = tf.math.unsorted_segment_sum(values, rows, 50)

    @tf.function(jit_compile=True)
    def summed(values, rows):
        return summed_repeats(tf.IndexedSlices(values, rows, tf.constant([50, 4])))

    sums, where = summed(values, rows)
    np.testing.assert_allclose(tf.gather(sums, where).numpy(), tf.gather(dense, rows).numpy(), rtol=1e-6)
    assert np.count_nonzero(np.abs(sums.numpy()).sum(axis=1)) == 4  # one row per distinct index, zeros after
    np.testing.assert_allclose(tf.norm(sums).numpy(), tf.norm(dense).numpy(), rtol=1e-6)
