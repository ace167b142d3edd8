"""Endless sentence streams and the fixed windows they are packed into, the way bilm-tf builds its batches.

Each batch row is a stream of consecutive sentences cut into `unroll_steps`-token windows; the part of a sentence
that does not fit continues in the same row of the next batch, which is why the LSTM state of each row is carried
from one batch to the next. A stream's whole position is a small JSON-serializable state, so a run killed at any
batch resumes on exactly the windows it would have seen. Also: which sentences are held out of training.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat
from pathlib import Path

import numpy as np

from ..errors import NorelmoError
from .token_types import TokenTypes


class SentenceStream:
    """Sentences forever: shards in a seeded random order per pass, lines in a seeded order per shard.

    Its whole position is (pass, shard position, line position). With `reverse`, each sentence is
    read right to left ([</S>, last, ..., first, <S>]) for the backward language model.
    """

    def __init__(
        self,
        files: list[Path],
        types: TokenTypes,
        reverse: bool,
        seed: int,
        state: dict | None = None,
        heldout: int = 0,
    ):
        if not files:
            raise NorelmoError("no tokenized training files were given")
        self.files, self.types, self.reverse, self.seed = [Path(f) for f in files], types, reverse, seed
        self.heldout_path, self.heldout = heldout_split(self.files, heldout)
        saved = state or {"pass": 0, "shard": 0, "line": 0}
        self.passes, self.shard, self.line = saved["pass"], saved["shard"], saved["line"]
        self._loaded_key: tuple[int, int] | None = None
        self._count = 0  # sentences of the loaded shard (0: none loaded)
        self._encoded: tuple | None = None  # (path, flat type ids, sentence starts, ends)

    @property
    def state(self) -> dict:
        return {"pass": self.passes, "shard": self.shard, "line": self.line}

    def _rng(self, *keys: int) -> np.random.Generator:
        return np.random.default_rng([self.seed, int(self.reverse), *keys])

    def _load_shard(self) -> None:
        """The current shard's sentences, in this pass's reading order."""
        key = (self.passes, self.shard)
        if self._loaded_key == key:
            return
        order = self._rng(key[0]).permutation(len(self.files))
        path = self.files[order[key[1]]]
        if self._encoded is None or self._encoded[0] != path:  # one file: encoded once for every pass
            self._encoded = (path, *self._encode(path))
        _, flat, starts, ends = self._encoded
        order = self._rng(*key, 1).permutation(len(starts))
        # Plain lists: next_span runs once per sentence, and a list index is far cheaper than an array's.
        self._flat, self._starts, self._ends = flat, starts[order].tolist(), ends[order].tolist()
        self._loaded_key, self._count = key, len(starts)

    def _encode(self, path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A shard as one array of type ids (each sentence reversed in place for the backward LM), and its
        sentences' starts and ends in it."""
        skip = self.heldout if path == self.heldout_path else 0
        with open(path, encoding="utf-8") as fh:
            lines = [tokens for tokens in map(str.split, fh) if tokens][skip:]  # held out: never trained on
        # One dict lookup per token for the whole shard; sentences are spans of one array, so the window
        # packing (the part of batch making that cannot run in other processes) gathers them at once.
        index, unk, bos, eos = self.types.index, self.types.unk, self.types.bos, self.types.eos
        flat = np.array([i for tokens in lines for i in (bos, *map(index.get, tokens, repeat(unk)), eos)], np.int32)
        lengths = np.array([len(tokens) + 2 for tokens in lines], np.int64)
        ends = np.cumsum(lengths)
        starts = ends - lengths
        if self.reverse:  # each sentence right to left, still in file order
            which = np.repeat(np.arange(len(lengths)), lengths)
            flat = flat[starts[which] + ends[which] - 1 - np.arange(len(flat))]
        return flat, starts, ends

    def next_span(self) -> tuple[np.ndarray, int, int]:
        """The next sentence as (array, start, end): array[start:end] are its type ids."""
        if self.line < self._count:  # _count is the loaded shard's, and only the loop below moves to another
            k = self.line
            self.line += 1
            return self._flat, self._starts[k], self._ends[k]
        for _ in range(len(self.files) + 1):
            self._load_shard()
            if self.line < self._count:
                return self.next_span()
            self.line = 0
            self.shard += 1
            if self.shard == len(self.files):
                self.shard = 0
                self.passes += 1
        raise NorelmoError(f"the training files hold no sentences: {', '.join(map(str, self.files))}")

    def __next__(self) -> np.ndarray:
        flat, start, end = self.next_span()
        return flat[start:end]

    def __iter__(self) -> Iterator[np.ndarray]:
        return self


class WindowRows:
    """Packs a sentence stream into (batch_size, unroll_steps) windows of inputs and next-token inputs.

    Each row reads sentence after sentence: `<S> w1 ... wn </S>` gives the inputs `<S> w1 ... wn` and the next
    inputs `w1 ... wn </S>`, cut into windows; what is left of a row's sentence carries over to its next window.
    A row is a span (array, start, end) of the stream's arrays, so a window is planned with integers and made
    with one gather per array (the per-piece slicing was most of batch making's sequential time).
    """

    def __init__(self, stream: SentenceStream, batch_size: int, unroll_steps: int, rows: list | None = None):
        self.stream, self.batch_size, self.unroll_steps = stream, batch_size, unroll_steps
        if rows is None:
            rows = [[]] * batch_size
        self.rows = []
        for r in rows:
            carried = np.array(r, np.int32)
            self.rows.append((carried, 0, len(carried)))

    def restart(self, rows: np.ndarray) -> None:
        """Drop what is left of these rows' sentences, so their next windows start at a sentence start."""
        for r in np.flatnonzero(rows):
            self.rows[r] = (self.rows[r][0], 0, 0)

    def next_window(self) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, next inputs), both (batch_size, unroll_steps) type ids."""
        b, t = self.batch_size, self.unroll_steps
        pieces: dict[int, tuple[np.ndarray, list[int], list[int], list[int]]] = {}  # array id -> its pieces
        for r in range(b):
            pos, (array, start, end) = 0, self.rows[r]
            while pos < t:
                if end - start <= 1:  # a final </S> (or nothing) left: never an input
                    array, start, end = self.stream.next_span()
                n = min(end - start - 1, t - pos)
                _, dest, src, lengths = pieces.setdefault(id(array), (array, [], [], []))
                dest.append(r * t + pos)
                src.append(start)
                lengths.append(n)
                start += n
                pos += n
            self.rows[r] = (array, start, end)
        inputs, following = np.zeros(b * t, np.int32), np.zeros(b * t, np.int32)
        for array, dest, src, lengths in pieces.values():
            n = np.array(lengths)
            within = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n)
            at, take = np.repeat(dest, n) + within, np.repeat(src, n) + within
            inputs[at] = array[take]
            following[at] = array[take + 1]
        return inputs.reshape(b, t), following.reshape(b, t)

    def state(self) -> dict:
        rows = [array[start:end].tolist() for array, start, end in self.rows]
        return {"stream": dict(self.stream.state), "rows": rows}


def heldout_split(files: list[Path], n: int) -> tuple[Path, int]:
    """Where the held-out sentences come from: the first `n` sentences of the first file (sorted),
    but never more than a tenth of that file, so a small corpus still has most of it to train on."""
    first = sorted(Path(f) for f in files)[0]
    with open(first, encoding="utf-8") as fh:
        available = sum(1 for line in fh if line.split())
    return first, min(n, available // 10)


def heldout_sentences(files: list[Path], n: int) -> list[list[str]]:
    path, n = heldout_split(files, n)
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if len(out) == n:
                break
            if line.split():
                out.append(line.split())
    return out
