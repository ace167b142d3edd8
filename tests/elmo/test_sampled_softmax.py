"""The written-out sampled softmax equals TensorFlow's, and the negatives follow the log-uniform sampler."""

import math

import numpy as np
import tensorflow as tf

from norelmo.elmo.model import sampled_softmax_loss
from norelmo.elmo.negatives import expected_count, log_uniform_probability, sample_log_uniform_unique


def test_loss_equals_tf_sampled_softmax_loss_for_the_same_negatives():
    rng = np.random.default_rng(0)
    vocab, dim, rows, negatives = 300, 16, 40, 50
    weights = tf.constant(rng.normal(size=(vocab, dim)), tf.float32)
    biases = tf.constant(rng.normal(size=vocab), tf.float32)
    inputs = tf.constant(rng.normal(size=(rows, dim)), tf.float32)
    labels = rng.integers(0, 20, rows)  # frequent ids, so some negatives are accidental hits
    sampled, tries = sample_log_uniform_unique(rng, negatives, vocab)
    true_exp, sampled_exp = expected_count(labels, tries, vocab), expected_count(sampled, tries, vocab)
    watched = [weights, biases, inputs]
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(watched)
        ours = sampled_softmax_loss(weights, biases, inputs, labels, sampled, true_exp, sampled_exp)
        reference = tf.nn.sampled_softmax_loss(
            weights,
            biases,
            labels=labels.reshape(-1, 1).astype(np.int64),
            inputs=inputs,
            num_sampled=negatives,
            num_classes=vocab,
            sampled_values=(sampled.astype(np.int64), true_exp.reshape(-1, 1), sampled_exp),
            remove_accidental_hits=True,
        )
        # Weigh the rows differently, so that each row's gradient counts.
        scale = tf.constant(rng.uniform(0.5, 2.0, rows), tf.float32)
        ours_sum, reference_sum = tf.reduce_sum(ours * scale), tf.reduce_sum(reference * scale)
    assert np.isin(labels, sampled).any()
    np.testing.assert_allclose(ours.numpy(), reference.numpy(), rtol=1e-5, atol=1e-5)
    for got, want in zip(tape.gradient(ours_sum, watched), tape.gradient(reference_sum, watched), strict=True):
        np.testing.assert_allclose(tf.convert_to_tensor(got).numpy(), tf.convert_to_tensor(want).numpy(), atol=1e-5)


def test_negatives_are_distinct_in_range_and_log_uniform():
    rng = np.random.default_rng(1)
    vocab, negatives = 1000, 100
    hits = np.zeros(vocab)
    tries_total = 0
    for _ in range(400):
        sampled, tries = sample_log_uniform_unique(rng, negatives, vocab)
        assert len(set(sampled.tolist())) == negatives and sampled.min() >= 0 and sampled.max() < vocab
        hits[sampled] += 1
        tries_total += tries
    # Each id's inclusion rate matches the expected count TF's unique samplers report.
    predicted = expected_count(np.arange(vocab), tries_total / 400, vocab)
    np.testing.assert_allclose(hits[:50] / 400, predicted[:50], atol=0.08)
    assert abs(log_uniform_probability(np.arange(vocab), vocab).sum() - 1.0) < 1e-9


def test_negatives_are_the_first_distinct_ids_in_draw_order():
    """The chunked sampler returns the ids one np.unique over all draws gives (its plain definition)."""

    for seed, k, v in ((0, 8192, 100000), (1, 128, 12015), (2, 1000, 1001), (3, 5, 5)):
        ids, tries = sample_log_uniform_unique(np.random.default_rng(seed), k, v)
        rng, draws = np.random.default_rng(seed), np.zeros(0, np.int64)
        while len(np.unique(draws)) < k:
            more = np.floor(np.exp(rng.random(max(2 * k, 1024)) * math.log(v + 1.0))).astype(np.int64) - 1
            draws = np.concatenate([draws, np.clip(more, 0, v - 1)])
        first = np.sort(np.unique(draws, return_index=True)[1])[:k]
        assert np.array_equal(ids, np.sort(draws[first])) and tries == first[-1] + 1
