"""The sentiment graph parser of NorLM's fine-grained task (Barnes et al. 2021, after Dozat & Manning), in tf-keras.

Per token: a word-form embedding (100; a form is replaced by the unknown one with probability 0.2 in training), a
character model (100), and the frozen ELMo vector through a trainable linear map to 100; a learned root vector
goes in front. A 3-layer BiLSTM (200 per direction, recurrent dropout 0.2, dropout 0.4 between layers; bilstm.py
runs both directions in one loop, for speed) reads them; head and dependent feed-forward maps (200) of its states,
under dropout 0.3 (the label dropout), meet in a diagonal bilinear scorer that gives every (head, dependent) pair
a score per label, "no edge" being one more label. Training minimises the mean cross-entropy over every pair of a
sentence's nodes, the root included, with Adam (1e-3, beta1 0, beta2 0.95) and the gradient's norm clipped at 5;
a pair takes its argmax label.

Where this differs from that parser, for cost on CPUs or for want of a fact: the character model is one
convolution (width 3, 100 filters) over 80-d character embeddings, max-pooled, where theirs adds a character
LSTM; the recurrent dropout is one mask per sequence on the recurrent state, where theirs drops recurrent
weights; no lemma or word2vec input (they had NLPL word2vec vectors and lemmas); no weight decay (theirs was
3e-9).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .bilstm import fused_bilstm
from .classifiers import keras_module
from .graph_inputs import UNK, Batch
from .opinion_graph import LABELS


@dataclass(frozen=True)
class ParserSizes:
    word_dim: int = 100
    char_dim: int = 80
    char_filters: int = 100
    char_out: int = 100
    elmo_dim: int = 100
    lstm_units: int = 200
    lstm_layers: int = 3
    mlp_dim: int = 200
    word_dropout: float = 0.2
    recurrent_dropout: float = 0.2
    lstm_dropout: float = 0.4
    label_dropout: float = 0.3
    learning_rate: float = 1e-3
    clip_norm: float = 5.0
    lstm: str = "fused"  # bilstm.py's layer, or "keras": Bidirectional(LSTM), its baseline


N_CLASSES = len(LABELS) + 1  # the labels and "no edge" (id 0)


def build_parser(n_words: int, n_chars: int, elmo_width: int | None, sizes: ParserSizes = ParserSizes()):
    """A tf-keras model from (words, type_chars, type_index, lengths[, elmo]) to (B, T+1, T+1, labels) scores."""
    import tensorflow as tf

    keras = keras_module()
    layers = keras.layers

    class GraphParser(keras.Model):
        def __init__(self):
            super().__init__()
            self.word_embedding = layers.Embedding(n_words, sizes.word_dim)
            self.char_embedding = layers.Embedding(n_chars, sizes.char_dim)
            self.char_conv = layers.Conv1D(sizes.char_filters, 3, padding="same", activation="relu")
            self.char_out = layers.Dense(sizes.char_out)
            self.elmo_width = elmo_width
            self.elmo_map = layers.Dense(sizes.elmo_dim) if elmo_width else None
            width = sizes.word_dim + sizes.char_out + (sizes.elmo_dim if elmo_width else 0)
            self.root = self.add_weight(name="root", shape=(1, 1, width), initializer="random_normal")
            if sizes.lstm == "fused":
                self.lstms = [fused_bilstm(sizes.lstm_units, sizes.recurrent_dropout) for _ in range(sizes.lstm_layers)]
            else:
                self.lstms = [
                    layers.Bidirectional(
                        layers.LSTM(sizes.lstm_units, return_sequences=True, recurrent_dropout=sizes.recurrent_dropout)
                    )
                    for _ in range(sizes.lstm_layers)
                ]
            self.head = layers.Dense(sizes.mlp_dim)
            self.dependent = layers.Dense(sizes.mlp_dim)
            self.label_weights = self.add_weight(
                name="label_diagonal", shape=(N_CLASSES, sizes.mlp_dim), initializer="glorot_uniform"
            )

        def _dropout(self, x, rate, training):
            """One mask per sequence, shared by its positions (SG's locked dropout)."""
            if not training or rate == 0:
                return x
            return tf.nn.dropout(x, rate, noise_shape=(tf.shape(x)[0], 1, tf.shape(x)[2]))

        def call(self, inputs, training=False):
            words, type_chars, type_index, lengths = inputs[:4]
            if training:  # word dropout: a form becomes the unknown form, whose vector is learned
                drop = tf.random.uniform(tf.shape(words)) < sizes.word_dropout
                words = tf.where(drop & (words > 0), tf.fill(tf.shape(words), UNK), words)
            chars = self.char_conv(self.char_embedding(type_chars))
            per_type = self.char_out(tf.reduce_max(chars, axis=1))
            parts = [self.word_embedding(words), tf.gather(per_type, type_index)]
            if self.elmo_map is not None:
                parts.append(self.elmo_map(inputs[4]))
            x = tf.concat(parts, axis=-1)
            root = tf.tile(self.root, (tf.shape(x)[0], 1, 1))
            x = tf.concat([root, x], axis=1)
            mask = tf.sequence_mask(lengths + 1, tf.shape(x)[1])
            for k, lstm in enumerate(self.lstms):
                if k > 0:
                    x = self._dropout(x, sizes.lstm_dropout, training)
                if sizes.lstm == "fused":
                    x = lstm(x, lengths + 1, training=training)
                else:
                    x = lstm(x, mask=mask, training=training)
            x = self._dropout(x, sizes.label_dropout, training)
            head = self._dropout(self.head(x), sizes.label_dropout, training)
            dependent = self._dropout(self.dependent(x), sizes.label_dropout, training)
            # (B, heads, dependents, labels): head_i . diag(w_l) . dependent_j
            return tf.einsum("bik,lk,bjk->bijl", head, self.label_weights, dependent)

    return GraphParser()


class ParserTrainer:
    """Compiled training and prediction steps of one parser."""

    def __init__(self, model, sizes: ParserSizes = ParserSizes()):
        import tensorflow as tf

        keras = keras_module()
        self.model = model
        self.optimizer = keras.optimizers.Adam(
            sizes.learning_rate, beta_1=0.0, beta_2=0.95, global_clipnorm=sizes.clip_norm
        )
        self.uses_elmo = model.elmo_map is not None
        spec = [
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None, None), tf.int32),
            tf.TensorSpec((None,), tf.int32),
        ]
        if self.uses_elmo:
            spec.append(tf.TensorSpec((None, None, model.elmo_width), tf.float32))
        gold = tf.TensorSpec((None, None, None), tf.int32)

        def pair_mask(lengths, width):
            nodes = tf.sequence_mask(lengths + 1, width)
            return nodes[:, :, None] & nodes[:, None, :]

        def train_step(inputs, labels):
            with tf.GradientTape() as tape:
                scores = model(inputs, training=True)
                mask = pair_mask(inputs[3], tf.shape(labels)[1])
                losses = tf.nn.sparse_softmax_cross_entropy_with_logits(labels, scores)
                loss = tf.reduce_sum(tf.where(mask, losses, 0.0)) / tf.reduce_sum(tf.cast(mask, tf.float32))
            grads = tape.gradient(loss, model.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
            return loss

        def predict_step(inputs):
            return tf.argmax(model(inputs, training=False), axis=-1, output_type=tf.int32)

        self._train = tf.function(train_step, input_signature=[tuple(spec), gold])
        self._predict = tf.function(predict_step, input_signature=[tuple(spec)])

    def _inputs(self, batch: Batch) -> tuple:
        inputs = (batch.words, batch.type_chars, batch.type_index, batch.lengths)
        return (*inputs, batch.elmo) if self.uses_elmo else inputs

    def train_batch(self, batch: Batch) -> float:
        return float(self._train(self._inputs(batch), batch.gold))

    def predict_batch(self, batch: Batch) -> list[np.ndarray]:
        """Each sentence's (n+1, n+1) label-id matrix."""
        labels = self._predict(self._inputs(batch)).numpy()
        return [labels[row, : n + 1, : n + 1] for row, n in enumerate(batch.lengths)]
