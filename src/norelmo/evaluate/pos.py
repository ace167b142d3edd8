"""Part-of-speech tagging as NorLM scored NorELMo: frozen token features, a small classifier, UPOS accuracy.

The protocol of NorLM's elmo_pos.py (February 2021): simple_elmo's get_elmo_vectors(layers="average")
with batches of 64, each token classified on its own by Dense(128, relu) -> Dropout(0.1) -> softmax,
Adam, 20 epochs, batch 64, no early stopping; accuracy on the test file after training on the train file.
"""

from __future__ import annotations

import time
from collections import Counter
from functools import partial
from pathlib import Path

import numpy as np

from ..download import sha1_of
from ..progress import progress_bar
from .classifiers import FEATURE_BATCH, Fit, dense_classifier, fit_and_predict, seed_list, seed_summary
from .datasets import read_tagged_conllu
from .published import pos_test_split

POS_FIT = Fit(epochs=20, batch_size=64)
PROTOCOL = (
    "NorLM's elmo_pos.py: layer-average token vectors (simple_elmo, batches of 64), "
    "Dense(128, relu) -> Dropout(0.1) -> softmax, Adam, 20 epochs, batch 64, UPOS accuracy"
)


def evaluate_pos(
    model_dir: Path, train_conllu: Path, test_conllu: Path, lemmas: bool = False, seeds: int = 5, progress: bool = False
) -> dict:
    """UPOS accuracy of the published tagger on the model's frozen features, over `seeds` seeds (42 first);
    `lemmas` feeds the treebank's lemmas (a lemmatized model)."""
    from ..elmo.embed import Embedder

    train, test = read_tagged_conllu(train_conllu), read_tagged_conllu(test_conllu)
    words = (lambda s: s.lemmas) if lemmas else (lambda s: s.forms)
    start = time.perf_counter()
    embedder = Embedder(model_dir, batch_size=FEATURE_BATCH)
    label = (lambda split: f"features, {split}") if progress else (lambda split: None)
    train_x = embedder.token_vectors([words(s) for s in train], "average", progress=label("train"))
    test_x = embedder.token_vectors([words(s) for s in test], "average", progress=label("test"))
    features_s = time.perf_counter() - start
    train_tags = [t for s in train for t in s.upos]
    test_tags = [t for s in test for t in s.upos]
    classes = sorted(set(train_tags))
    index = {tag: k for k, tag in enumerate(classes)}
    train_y = np.array([index[t] for t in train_tags])
    test_y = np.array([index.get(t, -1) for t in test_tags])  # a tag unseen in training is always wrong
    build = partial(dense_classifier, train_x.shape[1], len(classes))
    runs = []
    for seed in progress_bar(seed_list(seeds), desc="classifier seeds", disable=not progress):
        predicted, epochs, seconds = fit_and_predict(build, POS_FIT, seed, (train_x, train_y), test_x)
        accuracy = float(np.mean(predicted == test_y))
        runs.append({"seed": seed, "accuracy": accuracy, "epochs": epochs, "seconds": seconds})
    majority, _ = Counter(train_tags).most_common(1)[0]
    return {
        "task": "pos",
        "metric": "accuracy",
        **seed_summary(runs, "accuracy"),
        "features_minutes": features_s / 60,
        "majority_accuracy": float(np.mean(np.asarray(test_tags) == majority)),
        "majority_tag": majority,
        "inputs": "lemmas" if lemmas else "word forms",
        "train_sentences": len(train),
        "train_tokens": len(train_tags),
        "test_tokens": len(test_tags),
        "tags": len(classes),
        "train_file": str(train_conllu),
        "test_file": str(test_conllu),
        "test_split": pos_test_split(test_conllu, len(test), sha1_of(test_conllu)),
        "protocol": PROTOCOL,
    }
