"""Sentence-level binary sentiment as NorLM scored NorELMo: frozen top-layer features, macro F1 on test.

The protocol of NorLM's elmo_binary_sentiment.py (February 2021), run with `--elmo_layers top`, batches of 64:
- `bow`: simple_elmo's get_elmo_vector_average (the sentence's mean top-layer vector, unit length) ->
  Dense(128, relu) -> Dropout(0.1) -> softmax;
- `lstm`: the top layer's token vectors, sentences cut at min(50, longest training sentence) and zero-padded
  to that length -> BiLSTM(8, recurrent dropout 0.1) -> global max pooling -> softmax.
Both: Adam, batch 32, at most 20 epochs, stopped when dev accuracy has not risen for 3 epochs. Which of the two
gave the published 75.0 is not recorded, so both are run. The published column was measured on NorLM's CSV split
(evaluate/published.py); the result names its test split and whether it is that one.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import partial
from pathlib import Path

import numpy as np

from ..download import sha1_of
from ..progress import progress_bar
from .classifiers import (
    FEATURE_BATCH,
    Fit,
    bilstm_classifier,
    dense_classifier,
    elmo_inputs,
    fit_and_predict,
    seed_list,
    seed_summary,
)
from .datasets import SENTIMENT_LABELS, read_sentiment_split
from .published import sentiment_test_split

SENTIMENT_FIT = Fit(epochs=20, batch_size=32, early_stopping=True)
LSTM_MAX_LEN = 50
METHODS = ("bow", "lstm")


def _features(embedder, method: str, sentences: list[list[str]], max_len: int, progress: str | None) -> np.ndarray:
    if method == "bow":
        return embedder.sentence_vectors(sentences, "top", progress=progress)
    vectors = np.zeros((len(sentences), max_len, 2 * embedder.cfg.lstm.projection_dim), np.float32)
    for start, layers in embedder.batches([s[:max_len] for s in sentences], progress=progress):  # zero past a sentence
        vectors[start : start + len(layers), : layers.shape[2]] = layers[:, -1]
    return vectors


def macro_f1(gold: np.ndarray, predicted: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(gold, predicted, average="macro"))


def evaluate_sentiment(
    model_dir: Path,
    train_json: Path,
    dev_json: Path,
    test_json: Path,
    methods: tuple[str, ...] = METHODS,
    seeds: int = 5,
    lemmatizer: Path | None = None,
    progress: bool = False,
) -> dict:
    """Macro F1 on the test split per method, over `seeds` seeds (42 first). `lemmatizer`: a UDPipe model
    whose lemmas replace the tokens (for a lemmatized ELMo model)."""
    from ..elmo.embed import Embedder

    files = {"train": train_json, "dev": dev_json, "test": test_json}
    splits = {name: read_sentiment_split(path) for name, path in files.items()}
    texts = elmo_inputs({name: [s.tokens for s in split] for name, split in splits.items()}, lemmatizer)
    labels = {name: np.array([SENTIMENT_LABELS.index(s.label) for s in split]) for name, split in splits.items()}
    max_len = min(LSTM_MAX_LEN, max(len(s) for s in texts["train"]))
    embedder = Embedder(model_dir, batch_size=FEATURE_BATCH)
    results = {}
    for method in methods:
        start = time.perf_counter()
        x = {
            name: _features(embedder, method, sentences, max_len, f"{method} features, {name}" if progress else None)
            for name, sentences in texts.items()
        }
        features_s = time.perf_counter() - start
        shape = x["train"].shape[1:]
        build = partial(dense_classifier if method == "bow" else bilstm_classifier, *shape, len(SENTIMENT_LABELS))
        runs = []
        for seed in progress_bar(seed_list(seeds), desc=f"{method} classifier seeds", disable=not progress):
            predicted, epochs, seconds = fit_and_predict(
                build, SENTIMENT_FIT, seed, (x["train"], labels["train"]), x["test"], dev=(x["dev"], labels["dev"])
            )
            runs.append(
                {
                    "seed": seed,
                    "macro_f1": macro_f1(labels["test"], predicted),
                    "accuracy": float(np.mean(predicted == labels["test"])),
                    "epochs": epochs,
                    "seconds": seconds,
                }
            )
        results[method] = {**seed_summary(runs, "macro_f1"), "features_minutes": features_s / 60}
    majority = Counter(labels["train"].tolist()).most_common(1)[0][0]
    return {
        "task": "sentiment",
        "metric": "macro_f1",
        "methods": results,
        "majority_macro_f1": macro_f1(labels["test"], np.full_like(labels["test"], majority)),
        "majority_label": SENTIMENT_LABELS[majority],
        "inputs": "lemmas (UDPipe)" if lemmatizer is not None else "tokens",
        "sentences": {name: len(split) for name, split in splits.items()},
        "lstm_max_len": max_len,
        "files": {name: str(path) for name, path in files.items()},
        "test_split": sentiment_test_split(test_json, len(splits["test"]), sha1_of(test_json)),
        "protocol": "NorLM's elmo_binary_sentiment.py, --elmo_layers top (bow and lstm), macro F1 on test",
    }
