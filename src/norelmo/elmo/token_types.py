"""Every token type of a corpus with its character ids: the vocabulary's words first (their ids are softmax ids),
then the rest, whose characters the inputs keep."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from .chars import BOS, EOS, token_char_ids


class TokenTypes:
    """Every token type of the corpus: vocabulary words first (their ids are softmax ids), then the rest.

    Inputs keep the characters of out-of-vocabulary tokens, as bilm-tf does; only targets become <UNK>.
    """

    def __init__(self, vocab: list[str], others: Iterable[str], max_chars: int):
        self.words = list(vocab)
        self.n_vocab = len(vocab)
        seen = set(self.words)
        self.words += [w for w in others if w not in seen]
        self.index = {w: i for i, w in enumerate(self.words)}
        self.unk = self.index["<UNK>"]
        self.bos, self.eos = self.index[BOS], self.index[EOS]
        self.chars = np.stack([token_char_ids(w, max_chars) for w in self.words]).astype(np.int16)

    def encode(self, tokens: list[str]) -> np.ndarray:
        return np.array([self.bos, *(self.index.get(t, self.unk) for t in tokens), self.eos], np.int32)

    def targets(self, type_ids: np.ndarray) -> np.ndarray:
        return np.where(type_ids < self.n_vocab, type_ids, self.unk).astype(np.int32)


def corpus_types(vocab: list[str], counts_tsv: Path | None, token_files: list[Path], max_chars: int) -> TokenTypes:
    """The type inventory: from the vocabulary stage's vocab.tsv when given, else by reading the corpus."""
    if counts_tsv is not None:
        with open(counts_tsv, encoding="utf-8") as fh:
            others = [line.split("\t", 1)[0] for line in fh if line.strip()]
    else:
        seen: dict[str, None] = {}
        for path in token_files:
            with open(path, encoding="utf-8") as fh:
                for line in fh:
                    seen.update(dict.fromkeys(line.split()))
        others = list(seen)
    return TokenTypes(vocab, others, max_chars)
