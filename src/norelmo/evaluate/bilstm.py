"""One BiLSTM layer whose two directions run in one loop, for the graph parser's encoder on CPUs.

Written by hand for speed, against Keras' Bidirectional(LSTM) (the same cell, gates and initializers;
tests/evaluate/test_fine_parser.py checks the outputs equal Keras' for the same weights; the recurrent dropout is
one mask per sequence on the recurrent state, where Keras draws one per gate):
Keras' LSTM with recurrent dropout steps its cell in a loop per direction and multiplies each step's input by the
input kernel there; here the input projections of every step and both directions are one matrix product before
the loop, and one loop steps both directions, their recurrent products batched (bench/fine_parser.py measures both).

Sequences are padded at the end. The backward direction reads each sequence reversed within its own length
(tf.reverse_sequence), so neither direction's states at a real position see padding; outputs past a sequence's
length are not zero and must be masked by the caller.
"""

from __future__ import annotations

from .classifiers import keras_module


def fused_bilstm(units: int, recurrent_dropout: float = 0.0):
    import tensorflow as tf

    keras = keras_module()

    class FusedBiLSTM(keras.layers.Layer):
        def build(self, input_shape):
            width = int(input_shape[-1])
            self.kernel = self.add_weight(name="kernel", shape=(2, width, 4 * units), initializer="glorot_uniform")
            self.recurrent = self.add_weight(name="recurrent", shape=(2, units, 4 * units), initializer="orthogonal")
            forget_one = tf.concat([tf.zeros(units), tf.ones(units), tf.zeros(2 * units)], 0)  # Keras' unit_forget_bias
            self.bias = self.add_weight(
                name="bias", shape=(2, 4 * units), initializer=lambda shape, dtype=None: tf.stack([forget_one] * 2)
            )

        def call(self, x, lengths, training=False):
            batch = tf.shape(x)[0]
            backward = tf.reverse_sequence(x, lengths, seq_axis=1, batch_axis=0)
            # (time, direction, batch, 4 units): every step's input projection in one product
            z = tf.einsum("dbti,dio->tdbo", tf.stack([x, backward]), self.kernel) + self.bias[:, None, :]
            keep = tf.ones((2, batch, units))
            if training and recurrent_dropout > 0:  # one mask per sequence, for all its steps
                keep = tf.nn.dropout(keep, recurrent_dropout)

            def step(state, z_t):
                h, c = state
                gates = z_t + tf.matmul(h * keep, self.recurrent)
                i, f, g, o = tf.split(gates, 4, axis=-1)
                c = tf.sigmoid(f) * c + tf.sigmoid(i) * tf.tanh(g)
                return tf.sigmoid(o) * tf.tanh(c), c

            zeros = tf.zeros((2, batch, units))
            h, _ = tf.scan(step, z, initializer=(zeros, zeros))  # (time, direction, batch, units)
            forward = tf.transpose(h[:, 0], (1, 0, 2))
            backward = tf.reverse_sequence(tf.transpose(h[:, 1], (1, 0, 2)), lengths, seq_axis=1, batch_axis=0)
            return tf.concat([forward, backward], axis=-1)

    return FusedBiLSTM()
