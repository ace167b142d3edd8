"""The shapes of a batch's distinct token types: rows rounded (no XLA) or padded to a few fixed sizes (XLA), so
the step meets few shapes and compiles, or creates kernels for, each once."""

from __future__ import annotations

import math

import numpy as np

# With XLA every shape compiles anew (30-40 s for the NorELMo step on a GPU), so the counts of a batch's
# short and long distinct types, the shapes that vary, are padded to one of four pairs of sizes, multiples of
# XLA_TYPE_ROUND and XLA_LONG_ROUND (long types are a few percent: 89 of 2,524 in a NorELMo batch of UD Bokmål).
XLA_TYPE_ROUND = 256
XLA_LONG_ROUND = 32
PROBED_BATCHES = 32
# Without XLA, each group's row count (short and long types) is rounded up to a multiple of this: oneDNN
# creates its kernels for each new shape and keeps them, so unrounded counts, new batch after batch, cost
# kernel creation and memory that grows through the run (bench/train.py's tiny config: peak RSS 1.13 GiB
# after 183 steps, 0.98 rounded). At most 31 rows of padding: a few percent of a batch's types.
TYPE_ROWS_ROUND = 32


def batch_layout(filters: list, xla: bool) -> dict:
    """BatchMaker's shape options for a compiled step: short and long types each cut to the characters the
    CNN needs; XLA compiles each shape anew, so there the two widths are fixed and the counts padded."""
    return {"pad_types": xla, "widest_filter": max(width for width, _ in filters)}


def padded_rows(rows: np.ndarray, spare: np.ndarray, size: int) -> np.ndarray:
    """`rows`, then copies of the `spare` row up to `size` rows (no position points at the copies: their
    gradients are zero)."""
    return np.concatenate([rows, np.repeat(spare, size - len(rows), axis=0)])


def rounded_row_count(n: int) -> int:
    """`n` rows rounded up to a positive multiple of TYPE_ROWS_ROUND."""
    return max(1, math.ceil(n / TYPE_ROWS_ROUND)) * TYPE_ROWS_ROUND


def type_count_buckets(counts: list[tuple[int, int]], most: int) -> tuple[tuple[int, int], ...]:
    """At most four padded (short, long) type counts for counts like `counts` (a run's first batches):
    about their medians, their largest, a quarter above those, and `most` each (every position a type of
    its own), so every batch fits one and a typical one pads little. Each count grows from one to the
    next, so the first pair that holds both of a batch's counts is its smallest fit."""

    def padded(k: float, multiple: int) -> int:  # never 0 rows: a group without types still has its spare row
        return min(math.ceil(most / multiple), max(1, math.ceil(k / multiple))) * multiple

    short, long = np.array(counts).reshape(-1, 2).T
    wanted = ((np.median(short), np.median(long)), (short.max(), long.max()))
    wanted += ((1.25 * short.max(), 1.25 * long.max()), (most, most))
    return tuple(sorted({(padded(s, XLA_TYPE_ROUND), padded(lg, XLA_LONG_ROUND)) for s, lg in wanted}))
