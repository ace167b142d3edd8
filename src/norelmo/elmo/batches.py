"""Training batches: both directions' windows (sentences.py) completed with what is cheaper on the host: the
distinct token types of the batch (the character CNN then runs once per type, not once per position) and their
characters, the targets and the sampled-softmax negatives. Everything is a pure function of the seed and a small
state, so a run killed at any batch resumes on exactly the batches it would have seen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chars import split_short_long
from .negatives import expected_count, sample_log_uniform_unique
from .sentences import SentenceStream, WindowRows
from .token_types import TokenTypes
from .type_shapes import PROBED_BATCHES, padded_rows, rounded_row_count, type_count_buckets


@dataclass
class Batch:
    """One training step's inputs, for both directions (axis 0: forward, backward)."""

    step: int  # 0-based index of this batch in the run
    # Character ids of the batch's distinct types, short ones and long ones, each group cut to its
    # own width (see BatchMaker); neither is empty (a spare <S> row fills in).
    short_chars: np.ndarray  # (U1, width1)
    long_chars: np.ndarray  # (U2, width2)
    positions: np.ndarray  # (2, batch, unroll) index into [short_chars; long_chars] of each input token
    targets: np.ndarray  # (2, batch, unroll) softmax ids of the next tokens
    true_expected: np.ndarray  # (2, batch, unroll) sampler's expected count of each target
    sampled: np.ndarray  # (2, negatives) sampled softmax ids
    sampled_expected: np.ndarray  # (2, negatives)
    # (2, batch) 1.0 where a row's LSTM state starts from zero at this batch (its window starts a sentence)
    resets: np.ndarray
    state: str  # JSON of the pipeline position after this batch; saved with checkpoints


@dataclass
class Windows:
    """The sequential part of a batch: both directions' packed windows and the pipeline position after them."""

    step: int
    inputs: np.ndarray  # (2, batch, unroll) type ids
    following: np.ndarray  # (2, batch, unroll) the next type ids
    resets: np.ndarray  # (2, batch)
    state: str


@dataclass
class BatchCompleter:
    """The rest of a batch, a pure function of its windows: targets, distinct types and their
    characters, negatives. Made in other processes when batch making runs in several (parallel_batches)."""

    types: TokenTypes
    negatives: int
    seed: int
    widest_filter: int | None
    type_sizes: tuple[tuple[int, int], ...]

    def __call__(self, w: Windows) -> Batch:
        v = self.types.n_vocab
        targets = self.types.targets(w.following)
        distinct, positions = np.unique(w.inputs, return_inverse=True)
        short_chars, long_chars, positions = self._type_chars(distinct, positions)
        rng = np.random.default_rng([self.seed, w.step, 7])
        sampled, true_exp, sampled_exp = [], [], []
        for d in range(2):
            ids, tries = sample_log_uniform_unique(rng, self.negatives, v)
            sampled.append(ids)
            sampled_exp.append(expected_count(ids, tries, v))
            true_exp.append(expected_count(targets[d], tries, v))
        return Batch(
            step=w.step,
            short_chars=short_chars,
            long_chars=long_chars,
            positions=positions.reshape(w.inputs.shape).astype(np.int32),
            targets=targets,
            true_expected=np.stack(true_exp),
            sampled=np.stack(sampled),
            sampled_expected=np.stack(sampled_exp),
            resets=w.resets,
            state=w.state,
        )

    def _type_chars(self, distinct: np.ndarray, positions: np.ndarray):
        """Character ids of the two groups, and `positions` renumbered to index [short; long]."""
        chars = self.types.chars[distinct].astype(np.int32)
        spare = self.types.chars[self.types.bos].astype(np.int32)[np.newaxis]
        if self.widest_filter is None:  # every type at full width, unpadded
            return chars, spare, positions
        short, long, short_width, long_width = split_short_long(chars, self.widest_filter)
        if self.type_sizes:
            # XLA: long types keep every column, so both widths are the run's; the counts padded to a size pair.
            long_width = chars.shape[1]
            sizes = next((s, lg) for s, lg in self.type_sizes if s >= len(short) and lg >= len(long))
        else:
            sizes = (rounded_row_count(len(short)), rounded_row_count(len(long)))
        short_chars, long_chars = (
            padded_rows(chars[rows, :width], spare[:, :width], size)
            for rows, width, size in zip((short, long), (short_width, long_width), sizes, strict=True)
        )
        new_index = np.empty(len(distinct), np.int64)
        new_index[short] = np.arange(len(short))
        new_index[long] = len(short_chars) + np.arange(len(long))
        return short_chars, long_chars, new_index[positions]


class BatchMaker:
    """Forward and backward windows, their distinct types, and per-direction negatives, step by step."""

    def __init__(
        self,
        files: list[Path],
        types: TokenTypes,
        batch_size: int,
        unroll_steps: int,
        negatives: int,
        seed: int,
        state: str | None = None,
        heldout: int = 0,
        pad_types: bool = False,
        widest_filter: int | None = None,
        state_resets: float = 0.0,
    ):
        """`widest_filter` (the character CNN's): split the distinct types into short and long ones,
        each cut to the columns that matter (chars.split_short_long), with a multiple of TYPE_ROWS_ROUND
        rows; with `pad_types` (XLA), long types keep max_characters_per_token columns and the two counts
        are padded to one of at most 4 size pairs (type_count_buckets, from the first batches of the run).
        None: every type in short_chars at max_characters_per_token, unpadded.
        `state_resets`: each row's chance per batch to start its window at a new sentence from a
        zero LSTM state (train.state_resets)."""
        saved = json.loads(state) if state else {"step": 0, "fw": None, "bw": None}
        self.seed, self.state_resets = seed, state_resets
        self.step = saved["step"]
        self.windows = []
        for reverse, key in ((False, "fw"), (True, "bw")):
            part = saved[key] or {}
            stream = SentenceStream(files, types, reverse, seed, part.get("stream"), heldout)
            self.windows.append(WindowRows(stream, batch_size, unroll_steps, part.get("rows")))
        type_sizes: tuple[tuple[int, int], ...] = ()
        if pad_types:
            if widest_filter is None:
                raise ValueError("pad_types needs widest_filter: the counts padded are of short and long types")
            # From a fresh start, whatever the saved position, so a resumed run compiles the same shapes.
            probe = [WindowRows(SentenceStream(files, types, r, seed, None, heldout), batch_size, unroll_steps)
                     for r in (False, True)]  # fmt: skip
            counts = []
            for _ in range(PROBED_BATCHES):
                distinct = np.unique([w.next_window()[0] for w in probe])
                short, long, _, _ = split_short_long(types.chars[distinct], widest_filter)
                counts.append((len(short), len(long)))
            type_sizes = type_count_buckets(counts, 2 * batch_size * unroll_steps)
        self.complete = BatchCompleter(types, negatives, seed, widest_filter, type_sizes)

    def __iter__(self) -> Iterator[Batch]:
        return self

    def __next__(self) -> Batch:
        return self.complete(self.next_windows())

    def next_windows(self) -> Windows:
        """Both directions' next windows, in order: the part of batch making that cannot run ahead."""
        resets = np.zeros((2, self.windows[0].batch_size), np.float32)
        if self.state_resets > 0:
            resets[:] = np.random.default_rng([self.seed, self.step, 11]).random(resets.shape) < self.state_resets
            for rows, restarted in zip(self.windows, resets, strict=True):
                rows.restart(restarted)
        inputs, following = zip(*(w.next_window() for w in self.windows), strict=True)
        self.step += 1
        state = json.dumps({"step": self.step, "fw": self.windows[0].state(), "bw": self.windows[1].state()})
        return Windows(self.step - 1, np.stack(inputs), np.stack(following), resets, state)
