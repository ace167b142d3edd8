"""Ordered work over batches, in spawned worker processes or in this one."""

from __future__ import annotations

import collections
import contextlib
import math
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


IN_FLIGHT = 4


@contextlib.contextmanager
def ordered_map(
    func: Callable,
    batches: Iterable,
    workers: int,
    initializer: Callable,
    initargs: tuple,
    fork: bool = False,
    share: int = 0,
) -> Iterator[Iterator]:
    """Yield an iterator of func(batch), in input order.

    With workers > 1 the batches go to that many *spawned* processes (a fork would copy loaded
    models and library threads), each running `initializer(*initargs)` once; otherwise it all
    runs here. Callers of a spawning map need a `__main__` guard in their script. `fork`: for
    callers with nothing of that kind loaded, whose workers then start without importing anew.
    `share` > 0: this process is one of the workers (workers - 1 are started), taking a batch
    whenever each of the others has `share` queued (they then stay busy while it works, and it works
    where it would wait); for callers whose own part (reading the input) leaves a core idle, the
    more so the smaller `share`. At most IN_FLIGHT batches per worker are read ahead (Pool.imap
    would read the whole input into memory).
    """
    if workers > 1:
        context = multiprocessing.get_context("fork" if fork else "spawn")
        started = workers - 1 if share else workers
        with context.Pool(started, initializer, initargs) as pool:
            if share:
                initializer(*initargs)
            yield _in_order(pool, func, batches, IN_FLIGHT * workers, started * share or math.inf)
    else:
        initializer(*initargs)
        yield map(func, batches)


class _Done:
    """A batch this process worked on, in the queue beside the pool's AsyncResults."""

    def __init__(self, value):
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self):
        return self.value


def _in_order(pool, func: Callable, batches: Iterable, most: int, enough: float = math.inf) -> Iterator:
    """func(batch) in input order, at most `most` batches pending; this process works on a batch itself
    whenever the pool has `enough` not yet done."""
    pending = collections.deque()
    for batch in batches:
        if sum(not p.ready() for p in pending) < enough:
            pending.append(pool.apply_async(func, (batch,)))
        else:
            pending.append(_Done(func(batch)))
        while pending and (pending[0].ready() or len(pending) >= most):
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
