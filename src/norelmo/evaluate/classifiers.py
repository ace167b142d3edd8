"""The small Keras classifiers of NorLM's ELMo evaluation (February 2021), trained on frozen features.

Their settings are the published scripts': Dense(128, relu) -> Dropout(0.1) -> softmax, or for sentences a
BiLSTM(8, recurrent dropout 0.1) with global max pooling; Adam with Keras' defaults; cross-entropy. Labels
are class indices with the sparse form of the loss, the same values as one-hot labels with the dense form.

They train with tf-keras, the Keras 2 that NorLM's scripts ran on (and that simple_elmo needs), not Keras 3:
under a fixed seed (keras.utils.set_random_seed), Keras 3.15's `fit` on the TensorFlow backend draws the same
shuffle of the training data at every epoch, where Keras 2 reshuffles each epoch. Everything else (Adam, the
loss, the last partial batch) is bit for bit the same in both (docs/design.md, evaluation; bench/keras_fit.py).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FIRST_SEED = 42  # the published figures are single runs with seed 42
FEATURE_BATCH = 64  # simple_elmo's max_batch_size in the published scripts, for both tasks' features


def seed_list(n: int) -> list[int]:
    """`n` seeds, 42 first."""
    return [FIRST_SEED + k for k in range(n)]


def keras_module():
    """tf-keras: Keras 2, as NorLM trained the classifiers (see above)."""
    import tf_keras

    return tf_keras


def dense_classifier(input_dim: int, n_classes: int):
    keras = keras_module()

    return keras.Sequential(
        [
            keras.Input((input_dim,)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.1),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )


def bilstm_classifier(max_len: int, input_dim: int, n_classes: int):
    """(max_len, input_dim) token vectors, zero-padded and unmasked as in the published script."""
    keras = keras_module()

    return keras.Sequential(
        [
            keras.Input((max_len, input_dim)),
            keras.layers.Bidirectional(keras.layers.LSTM(8, return_sequences=True, recurrent_dropout=0.1)),
            keras.layers.GlobalMaxPooling1D(),
            keras.layers.Dense(n_classes, activation="softmax"),
        ]
    )


@dataclass(frozen=True)
class Fit:
    epochs: int
    batch_size: int
    early_stopping: bool = False  # on dev accuracy, patience 3, the last epoch's weights kept (as published)


def fit_and_predict(build, fit: Fit, seed: int, train: tuple, test_x: np.ndarray, dev: tuple | None = None):
    """(test predictions as class indices, epochs run, seconds) of one classifier built by `build()` under `seed`."""
    keras = keras_module()

    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    model = build()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    callbacks = []
    if fit.early_stopping:
        stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", min_delta=0.0001, patience=3, mode="max")
        callbacks.append(stop)
    history = model.fit(
        *train, epochs=fit.epochs, batch_size=fit.batch_size, validation_data=dev, callbacks=callbacks, verbose=0
    )
    predicted = np.argmax(model.predict(test_x, batch_size=256, verbose=0), axis=-1)
    return predicted, len(history.history["loss"]), time.perf_counter() - start


def elmo_inputs(texts: dict[str, list[list[str]]], lemmatizer: Path | None) -> dict[str, list[list[str]]]:
    """What the ELMo model reads of each split: its tokens, or for a lemmatized model their lemmas by `lemmatizer`
    (a UDPipe model)."""
    if lemmatizer is None:
        return texts
    from ..text.udpipe import lemmatize_tokenized

    return {name: lemmatize_tokenized(lemmatizer, sentences) for name, sentences in texts.items()}


def seed_summary(runs: list[dict], metric: str) -> dict:
    """The seed-42 figure, mean and sample sd over the seeds, and the classifier's mean minutes per seed."""
    values = [r[metric] for r in runs]
    return {
        "seed_42": next(r[metric] for r in runs if r["seed"] == FIRST_SEED),
        "mean": statistics.fmean(values),
        "sd": statistics.stdev(values) if len(values) > 1 else 0.0,
        "seeds": [r["seed"] for r in runs],
        "classifier_minutes": statistics.fmean(r["seconds"] for r in runs) / 60,
        "runs": runs,
    }
