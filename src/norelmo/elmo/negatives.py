"""The sampled softmax's negatives: TF's log-uniform candidate sampler, reproduced with a seeded numpy generator so
that a resumed run draws the same negatives as an uninterrupted one."""

from __future__ import annotations

import math

import numpy as np


def log_uniform_probability(ids: np.ndarray, range_max: int) -> np.ndarray:
    """P(id) of TF's log-uniform (Zipfian) candidate sampler over [0, range_max)."""
    ids = np.asarray(ids, np.float64)
    return np.log((ids + 2.0) / (ids + 1.0)) / math.log(range_max + 1.0)


def sample_log_uniform_unique(rng: np.random.Generator, num_sampled: int, range_max: int) -> tuple[np.ndarray, int]:
    """`num_sampled` distinct ids drawn log-uniformly (ascending), and how many draws it took.

    This mirrors tf.random.log_uniform_candidate_sampler(unique=True): the first `num_sampled`
    distinct ids in draw order, from a seeded numpy generator so that a resumed run draws the same
    negatives as an uninterrupted one. Draws come in chunks of a quarter of `num_sampled`; a chunk
    whose new ids all fit is taken whole by marking them (no sort), and only the chunk where the
    count is reached is sorted to find where in it that happens: 0.5 ms instead of 2.4 for 8192 of
    100,000 ids (one direction of a NorELMo batch), where an np.unique over every draw sorts them all.
    """
    log_range = math.log(range_max + 1.0)
    seen, marked = np.zeros(range_max, bool), np.zeros(range_max, bool)
    count, drawn, chunk = 0, 0, max(num_sampled // 4, 256)
    while True:
        more = np.floor(np.exp(rng.random(chunk) * log_range)).astype(np.int64) - 1
        more = np.clip(more, 0, range_max - 1)
        marked[:] = False
        marked[more] = True
        marked &= ~seen
        fresh = int(np.count_nonzero(marked))
        if count + fresh < num_sampled:
            seen |= marked
            count, drawn = count + fresh, drawn + chunk
            continue
        values, first = np.unique(more, return_index=True)
        first_new = np.sort(first[~seen[values]])[: num_sampled - count]  # draw positions of the new ids
        seen[more[first_new]] = True
        return np.flatnonzero(seen).astype(np.int32), drawn + int(first_new[-1]) + 1


def expected_count(ids: np.ndarray, num_tries: int, range_max: int) -> np.ndarray:
    """Expected times `ids` appear in `num_tries` log-uniform draws, as TF's unique samplers report it."""
    p = log_uniform_probability(ids, range_max)
    return (-np.expm1(num_tries * np.log1p(-p))).astype(np.float32)
