"""Ordered work over batches, in spawned worker processes or in this one."""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Callable, Iterable, Iterator


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Consecutive lists of `size` items (the last may be shorter)."""
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@contextlib.contextmanager
def ordered_map(
    func: Callable, batches: Iterable, workers: int, initializer: Callable, initargs: tuple
) -> Iterator[Iterator]:
    """Yield an iterator of func(batch), in input order.

    With workers > 1 the batches go to that many *spawned* processes (a fork would copy loaded
    models and library threads), each running `initializer(*initargs)` once; otherwise it all
    runs here. Callers of a spawning map need a `__main__` guard in their script.
    """
    if workers > 1:
        with multiprocessing.get_context("spawn").Pool(workers, initializer, initargs) as pool:
            yield pool.imap(func, batches)
    else:
        initializer(*initargs)
        yield map(func, batches)
