"""The graph parser's inputs: word and character ids, gold label matrices, and batches of sentences of like length.

Word forms are lowercased and numbers become one form, NUM, as in the parser that scored NorELMo's fine-grained
column; the character model reads the forms as written. Ids 0 and 1 are padding and the unknown form.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .opinion_graph import LABELS, Edges

PAD, UNK = 0, 1
NUMBER = re.compile(r"[+-]?\d[\d.,:/-]*")
MAX_CHARS = 30  # longer forms are cut: the character model sees their first 30 characters


def word_key(token: str) -> str:
    return "NUM" if NUMBER.fullmatch(token) else token.lower()


@dataclass(frozen=True)
class Vocabularies:
    words: dict[str, int]
    chars: dict[str, int]

    @classmethod
    def from_sentences(cls, sentences: list[list[str]]) -> Vocabularies:
        """Every lowercased form and character of the training sentences."""
        words = Counter(word_key(t) for s in sentences for t in s)
        chars = Counter(c for s in sentences for t in s for c in t)

        def ids(counts: Counter) -> dict[str, int]:
            return {key: k + 2 for k, (key, _) in enumerate(counts.most_common())}

        return cls(ids(words), ids(chars))

    def word_ids(self, tokens: list[str]) -> np.ndarray:
        return np.array([self.words.get(word_key(t), UNK) for t in tokens], np.int32)

    def char_ids(self, token: str) -> list[int]:
        return [self.chars.get(c, UNK) for c in token[:MAX_CHARS]]


LABEL_IDS = {label: k + 1 for k, label in enumerate(LABELS)}  # 0: no edge


def gold_matrix(edges: Edges, n_tokens: int) -> np.ndarray:
    """(n+1, n+1) label ids, [head, dependent], node 0 the root."""
    matrix = np.zeros((n_tokens + 1, n_tokens + 1), np.int32)
    for (head, dependent), label in edges.items():
        matrix[head, dependent] = LABEL_IDS[label]
    return matrix


def edges_of(matrix: np.ndarray) -> Edges:
    """The labelled edges of an (n+1, n+1) label-id matrix; the root is never a dependent, no token its own head."""
    heads, dependents = np.nonzero(matrix)
    return {
        (int(h), int(d)): LABELS[matrix[h, d] - 1] for h, d in zip(heads, dependents, strict=True) if d > 0 and h != d
    }


@dataclass
class Batch:
    index: np.ndarray  # (B,) the sentences' positions in their split
    words: np.ndarray  # (B, T) word ids, PAD past a sentence
    type_chars: np.ndarray  # (U, C) character ids of the batch's distinct forms
    type_index: np.ndarray  # (B, T) each token's row in type_chars
    lengths: np.ndarray  # (B,)
    elmo: np.ndarray | None  # (B, T, E) frozen contextual vectors
    gold: np.ndarray | None  # (B, T+1, T+1) label ids


def make_batch(
    index: np.ndarray,
    tokens: list[list[str]],
    vocab: Vocabularies,
    elmo: list[np.ndarray] | None,
    gold: list[np.ndarray] | None,
) -> Batch:
    sentences = [tokens[k] for k in index]
    lengths = np.array([len(s) for s in sentences], np.int32)
    width = int(lengths.max())
    words = np.zeros((len(index), width), np.int32)
    type_index = np.zeros((len(index), width), np.int32)
    types: dict[str, int] = {}
    for row, sentence in enumerate(sentences):
        words[row, : len(sentence)] = vocab.word_ids(sentence)
        type_index[row, : len(sentence)] = [types.setdefault(t, len(types)) for t in sentence]
    chars = [vocab.char_ids(t) for t in types]
    type_chars = np.zeros((len(chars), max(len(c) for c in chars)), np.int32)
    for row, ids in enumerate(chars):
        type_chars[row, : len(ids)] = ids
    vectors = None
    if elmo is not None:
        vectors = np.zeros((len(index), width, elmo[0].shape[1]), np.float32)
        for row, k in enumerate(index):
            vectors[row, : lengths[row]] = elmo[k]
    labels = None
    if gold is not None:
        labels = np.zeros((len(index), width + 1, width + 1), np.int32)
        for row, k in enumerate(index):
            labels[row, : lengths[row] + 1, : lengths[row] + 1] = gold[k]
    return Batch(index, words, type_chars, type_index, lengths, vectors, labels)


def bucketed(lengths: list[int], batch_size: int, rng: np.random.Generator | None = None) -> list[np.ndarray]:
    """Sentence positions in batches of `batch_size` sentences of like length (sorted by length, then cut), so
    that little of a batch is padding; with `rng`, ties are broken at random and the batches come in random order."""
    order = np.argsort(np.asarray(lengths) + (rng.random(len(lengths)) if rng is not None else 0.0), kind="stable")
    batches = [order[k : k + batch_size] for k in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(batches)
    return batches
