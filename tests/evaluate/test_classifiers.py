"""The evaluation's classifiers train as NorLM's Keras 2 did: the training data reshuffled at every epoch, under a
fixed seed (Keras 3.15 on TensorFlow draws one shuffle and replays it every epoch)."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from norelmo.evaluate.classifiers import Fit, fit_and_predict, keras_module


def recording_classifier(seen: list):
    """A softmax classifier whose first layer records the rows of each training batch, in order."""
    keras = keras_module()

    class Recorder(keras.layers.Layer):
        def call(self, x, training=None):
            if training:
                tf.py_function(lambda v: seen.append(v.numpy()[:, 0].astype(int).tolist()), [x], [])
            return x

    return keras.Sequential([keras.Input((2,)), Recorder(), keras.layers.Dense(2, activation="softmax")])


def epoch_orders(seed: int, epochs: int = 3, n: int = 24, batch: int = 8) -> list[list[int]]:
    seen: list = []
    x = np.stack([np.arange(n), np.zeros(n)], axis=1).astype(np.float32)
    fit_and_predict(lambda: recording_classifier(seen), Fit(epochs, batch), seed, (x, np.zeros(n, int)), x[:2])
    per_epoch = n // batch
    return [sum(seen[e * per_epoch : (e + 1) * per_epoch], []) for e in range(epochs)]


def test_every_epoch_sees_the_training_data_in_a_new_order():
    orders = epoch_orders(42)
    assert all(sorted(order) == list(range(24)) for order in orders)  # each epoch: every row once
    assert len({tuple(order) for order in orders}) == 3


def test_a_seed_gives_the_same_orders_again_and_another_seed_others():
    assert epoch_orders(42) == epoch_orders(42) != epoch_orders(43)


def test_a_lemmatized_model_reads_every_split_lemmatized_token_for_token(udpipe_model):
    """What the sentiment and fine-grained tasks embed: the tokens, or for a lemmatized model their lemmas."""
    from norelmo.evaluate.classifiers import elmo_inputs

    texts = {"train": [["Bergen", "har", "mange", "kontorer", "."]], "test": [["Kirken", "ble", "bygd"]]}
    assert elmo_inputs(texts, None) == texts
    lemmas = elmo_inputs(texts, udpipe_model)
    assert lemmas == {"train": [["Bergen", "ha", "mange", "kontor", "."]], "test": [["kirke", "bli", "bygge"]]}
