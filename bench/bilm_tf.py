"""bilm-tf's TF1 training graph (simple_elmo 0.9.2 ships it) run on this project's batches: the reference
that tests/elmo/test_bilm_tf_parity.py and bench/parity.py hold the trainer to.

The graph is built as bilm-tf's train() builds it for one GPU: LanguageModel(options, True), the gradient
of total_loss * unroll_steps, average_gradients (which sums a sparse gradient's repeated rows), clipping
by the global norm, tf.train.AdagradOptimizer with accumulators starting at 1; LSTM states carry from
batch to batch. It lives in a graph and session of its own, so eager code runs beside it in one process.
With `fed_negatives`, its sampled softmax takes each batch's negatives and expected counts instead of
drawing its own, so both trainers see the same numbers.
"""

from __future__ import annotations

import contextlib

import numpy as np
import tensorflow as tf

from norelmo.config import ModelConfig
from norelmo.elmo.batches import Batch
from norelmo.elmo.bilm_format import tf1_variable_name
from norelmo.elmo.export import options_json


@contextlib.contextmanager
def _negatives_from(sampled, true_expected, sampled_expected):
    """tf.nn.sampled_softmax_loss with the fed negatives: the first call is the forward LM's, the second the
    backward's."""
    library = tf.nn.sampled_softmax_loss
    calls = iter(range(2))

    def fed(*args, **kwargs):
        d = next(calls)
        return library(*args, sampled_values=(sampled[d], true_expected[d], sampled_expected[d]), **kwargs)

    tf.nn.sampled_softmax_loss = fed
    try:
        yield
    finally:
        tf.nn.sampled_softmax_loss = library


class BilmTfTrainer:
    def __init__(self, cfg: ModelConfig, batch_size: int, vocab_size: int, fed_negatives: bool, seed: int = 0):
        from simple_elmo.training import LanguageModel, average_gradients, clip_grads

        b, t, n = batch_size, cfg.unroll_steps, cfg.n_negative_samples_batch
        options = options_json(cfg, vocab_size, 10**6, 1, b)
        options["char_cnn"]["n_characters"] = 261  # bilm-tf trains with 261 rows; inference adds one
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.compat.v1.set_random_seed(seed)
            global_step = tf.compat.v1.get_variable(
                "global_step", [], initializer=tf.compat.v1.zeros_initializer(), trainable=False
            )
            opt = tf.compat.v1.train.AdagradOptimizer(cfg.learning_rate, initial_accumulator_value=1.0)
            self.fed = None
            patch = contextlib.nullcontext()
            if fed_negatives:
                self.fed = (
                    tf.compat.v1.placeholder(tf.int64, [2, n]),
                    tf.compat.v1.placeholder(tf.float32, [2, b * t, 1]),
                    tf.compat.v1.placeholder(tf.float32, [2, n]),
                )
                patch = _negatives_from(*self.fed)
            with patch, tf.compat.v1.variable_scope("lm"):
                self.model = LanguageModel(options, True)
                grads = opt.compute_gradients(
                    self.model.total_loss * t, aggregation_method=tf.AggregationMethod.EXPERIMENTAL_TREE
                )
            grads = average_gradients([grads], b, options)
            grads, _ = clip_grads(grads, options, False, global_step)
            self.train_op = opt.apply_gradients(grads, global_step=global_step)
            self.variables = {v.name.split(":")[0]: v for v in tf.compat.v1.trainable_variables()}
            init = tf.compat.v1.global_variables_initializer()
        config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
        self.session = tf.compat.v1.Session(graph=self.graph, config=config)
        self.session.run(init)
        m = cfg.char_cnn.max_characters_per_token
        zeros = np.zeros([b, t, m], np.int32)
        self.states = self.session.run(
            self.model.init_lstm_state,
            feed_dict={self.model.tokens_characters: zeros, self.model.tokens_characters_reverse: zeros},
        )

    def set_weights(self, weights: dict[str, np.ndarray]) -> None:
        """This project's weights (HDF5 names, softmax included) into the graph's variables; every one must match."""
        names = {tf1_variable_name(name): name for name in weights}
        if set(names) != set(self.variables):
            raise KeyError(f"weights differ: {sorted(set(names) ^ set(self.variables))}")
        with self.graph.as_default():
            for tf1_name, var in self.variables.items():
                var.load(weights[names[tf1_name]], self.session)

    def weights(self, names: list[str]) -> dict[str, np.ndarray]:
        """The graph's variables under this project's names."""
        values = self.session.run({name: self.variables[tf1_variable_name(name)] for name in names})
        return {name: np.asarray(v) for name, v in values.items()}

    def step(self, batch: Batch) -> float:
        """One update on `batch` (made with full-width characters: no widest_filter, no type padding); the
        loss before it, as bilm-tf's train() reports it (mean over tokens, mean of both directions)."""
        chars = np.concatenate([batch.short_chars, batch.long_chars])[batch.positions]
        m = self.model
        feed = dict(zip(m.init_lstm_state, self.states, strict=True))
        feed.update(
            {
                m.tokens_characters: chars[0],
                m.tokens_characters_reverse: chars[1],
                m.next_token_id: batch.targets[0],
                m.next_token_id_reverse: batch.targets[1],
            }
        )
        if self.fed is not None:
            sampled, true_expected, sampled_expected = self.fed
            feed[sampled] = batch.sampled.astype(np.int64)
            feed[true_expected] = batch.true_expected.reshape(2, -1, 1)
            feed[sampled_expected] = batch.sampled_expected
        _, loss, *self.states = self.session.run([self.train_op, m.total_loss, *m.final_lstm_state], feed_dict=feed)
        return float(loss)
