"""A part-of-speech probe: frozen ELMo features and a linear classifier, scored by UPOS accuracy.

The features are what users of the model get from simple_elmo (`norelmo embed`): the average of the
three layers, and the character-CNN layer alone as a context-free comparison. The classifier is
scikit-learn's multinomial logistic regression on standardized features; a majority-class baseline
(the training file's most frequent tag) is reported beside it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..text.udpipe import read_conllu_sentences

CHUNK = 256  # sentences embedded at a time: keeps memory at one chunk's padded layers


@dataclass(frozen=True)
class TaggedSentence:
    forms: list[str]
    lemmas: list[str]
    upos: list[str]


def read_conllu(path: Path) -> list[TaggedSentence]:
    """Syntactic words of a CoNLL-U file, read by UDPipe (multiword-token ranges and empty nodes stay apart)."""
    sentences = []
    for sentence in read_conllu_sentences(path):
        words = list(sentence.words)[1:]  # word 0 is the technical root
        sentences.append(TaggedSentence([w.form for w in words], [w.lemma for w in words], [w.upostag for w in words]))
    return sentences


def token_features(embedder, sentences: list[list[str]]) -> dict[str, np.ndarray]:
    """Per token: the layer average and the character-CNN layer, each (n_tokens, 2 x projection)."""
    average, char_cnn = [], []
    for start in range(0, len(sentences), CHUNK):
        chunk = sentences[start : start + CHUNK]
        layers = embedder.embed(chunk, layers="all", warmup=start == 0)  # (n, L, T, 2P)
        for k, sentence in enumerate(chunk):
            vectors = layers[k, :, : len(sentence)]
            average.append(vectors.mean(axis=0))
            char_cnn.append(vectors[0])
    return {"average": np.concatenate(average), "char_cnn": np.concatenate(char_cnn)}


def fit_and_score(train_x: np.ndarray, train_y: list[str], test_x: np.ndarray, test_y: list[str], seed: int = 0):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    probe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, random_state=seed))
    probe.fit(train_x, train_y)
    return float(np.mean(probe.predict(test_x) == np.asarray(test_y)))


def pos_probe(model_dir: Path, train_conllu: Path, test_conllu: Path, lemmas: bool = False) -> dict:
    """UPOS accuracy of linear probes on a model's features; `lemmas` feeds lemmas (a lemmatized model)."""
    from ..elmo.embed import Embedder

    train, test = read_conllu(train_conllu), read_conllu(test_conllu)
    words = (lambda s: s.lemmas) if lemmas else (lambda s: s.forms)
    embedder = Embedder(model_dir)
    train_f = token_features(embedder, [words(s) for s in train])
    test_f = token_features(embedder, [words(s) for s in test])
    train_y = [t for s in train for t in s.upos]
    test_y = [t for s in test for t in s.upos]
    majority, _ = Counter(train_y).most_common(1)[0]
    return {
        "accuracy": fit_and_score(train_f["average"], train_y, test_f["average"], test_y),
        "char_cnn_accuracy": fit_and_score(train_f["char_cnn"], train_y, test_f["char_cnn"], test_y),
        "majority_accuracy": float(np.mean(np.asarray(test_y) == majority)),
        "majority_tag": majority,
        "features": "layer average" + (" (lemmas in)" if lemmas else ""),
        "train_tokens": len(train_y),
        "test_tokens": len(test_y),
        "tags": len(set(train_y)),
        "train_file": str(train_conllu),
        "test_file": str(test_conllu),
    }
