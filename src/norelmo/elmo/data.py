"""Training batches the way bilm-tf builds them: endless sentence streams packed into fixed windows.

Each batch row is a stream of consecutive sentences cut into `unroll_steps`-token windows; the
part of a sentence that does not fit continues in the same row of the next batch, which is why
the LSTM state of each row is carried from one batch to the next.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import NorelmoError
from .chars import BOS, EOS, CharIds


@dataclass
class Batch:
    token_ids: np.ndarray  # (batch, unroll) vocabulary ids of the inputs
    char_ids: np.ndarray  # (batch, unroll, max_chars) character ids of the inputs
    targets: np.ndarray  # (batch, unroll) vocabulary ids of the next tokens


class SentenceStream:
    """Sentences forever: shards in a random order, lines shuffled inside each shard.

    With `reverse`, each sentence is read right to left ([</S>, last, ..., first, <S>]) for the
    backward language model.
    """

    def __init__(self, files: list[Path], vocab: list[str], chars: CharIds, reverse: bool, seed: int):
        if not files:
            raise NorelmoError("no tokenized training files were given")
        self.files, self.chars, self.reverse = [Path(f) for f in files], chars, reverse
        self.word_id = {w: i for i, w in enumerate(vocab)}
        self.unk = self.word_id["<UNK>"]
        self.rng = np.random.default_rng(seed)

    def encode(self, tokens: list[str]) -> tuple[np.ndarray, np.ndarray]:
        seq = [BOS, *tokens, EOS]
        if self.reverse:
            seq.reverse()
        ids = np.array([self.word_id.get(t, self.unk) for t in seq], dtype=np.int32)
        return ids, np.stack([self.chars(t) for t in seq])

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        while True:
            found = False
            for i in self.rng.permutation(len(self.files)):
                lines = self.files[i].read_text(encoding="utf-8").splitlines()
                for j in self.rng.permutation(len(lines)):
                    tokens = lines[j].split()
                    if tokens:
                        found = True
                        yield self.encode(tokens)
            if not found:
                raise NorelmoError(f"the training files hold no sentences: {', '.join(map(str, self.files))}")


def window_batches(sentences: Iterator, batch_size: int, unroll_steps: int, max_chars: int) -> Iterator[Batch]:
    """Pack a sentence stream into (batch_size, unroll_steps) windows with next-token targets."""
    rows: list[tuple[np.ndarray, np.ndarray] | None] = [None] * batch_size
    sentences = iter(sentences)
    while True:
        ids = np.zeros((batch_size, unroll_steps), np.int32)
        chars = np.zeros((batch_size, unroll_steps, max_chars), np.int32)
        targets = np.zeros((batch_size, unroll_steps), np.int32)
        for r in range(batch_size):
            pos = 0
            while pos < unroll_steps:
                if rows[r] is None or len(rows[r][0]) <= 1:
                    rows[r] = next(sentences)
                seq_ids, seq_chars = rows[r]
                n = min(len(seq_ids) - 1, unroll_steps - pos)
                ids[r, pos : pos + n] = seq_ids[:n]
                chars[r, pos : pos + n] = seq_chars[:n]
                targets[r, pos : pos + n] = seq_ids[1 : n + 1]
                rows[r] = (seq_ids[n:], seq_chars[n:])
                pos += n
        yield Batch(ids, chars, targets)
