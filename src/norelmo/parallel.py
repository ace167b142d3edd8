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
    more so the smaller `share`. Once the input is read, it takes back the batches no worker has
    started, newest first, so that the others' queues do not leave it waiting at the end. At most
    IN_FLIGHT batches per worker are read ahead (Pool.imap would read the whole input into memory).
    """
    if workers <= 1:
        initializer(*initargs)
        yield map(func, batches)
        return
    context = multiprocessing.get_context("fork" if fork else "spawn")
    most = IN_FLIGHT * workers
    if not share:
        with context.Pool(workers, initializer, initargs) as pool:
            yield _in_order(pool, func, batches, most)
        return
    claims = _Claims(context, most + 1)
    with context.Pool(workers - 1, _init_claiming, (claims, initializer, initargs)) as pool:
        initializer(*initargs)
        yield _in_order(pool, func, batches, most, (workers - 1) * share, claims)


class _Claims:
    """A flag per batch in flight (a ring of slots), set by the first process to start on the batch."""

    def __init__(self, context, size: int):
        self.size = size
        self.lock = context.Lock()
        self.flags = context.RawArray("b", size)

    def take(self, slot: int) -> bool:
        with self.lock:
            if self.flags[slot]:
                return False
            self.flags[slot] = 1
            return True

    def clear(self, slot: int) -> None:
        self.flags[slot] = 0  # only for a slot no process holds: its last batch has come back


_claims: _Claims | None = None


def _init_claiming(claims: _Claims, initializer: Callable, initargs: tuple) -> None:
    global _claims
    _claims = claims
    initializer(*initargs)


class _TakenBack:
    """What a worker returns for a batch the calling process took back before the worker reached it."""


def _claimed(func: Callable, slot: int, batch):
    return func(batch) if _claims.take(slot) else _TakenBack()


class _Task:
    """A batch in flight: handed to the pool (`result`), or worked on here (`value`), or both when
    taken back; then the pool's answer is still awaited, so that its claim slot is free for reuse."""

    UNSET = object()

    def __init__(self, batch, result=None, slot: int = -1, value=UNSET):
        self.batch, self.result, self.slot, self.value = batch, result, slot, value

    def ready(self) -> bool:
        return self.result is None or self.result.ready()

    def get(self):
        got = self.value if self.result is None else self.result.get()
        return self.value if isinstance(got, _TakenBack) else got


def _in_order(pool, func: Callable, batches: Iterable, most: int, enough: float = math.inf, claims=None) -> Iterator:
    """func(batch) in input order, at most `most` batches pending. With `claims`, this process works on a
    batch itself whenever the pool has `enough` not yet done, and takes back unstarted ones at the end."""
    pending = collections.deque()
    for i, batch in enumerate(batches):
        if claims is None:
            pending.append(_Task(batch, pool.apply_async(func, (batch,))))
        elif sum(not task.ready() for task in pending) < enough:
            slot = i % claims.size  # pending holds fewer than claims.size batches: this slot's last one is back
            claims.clear(slot)
            pending.append(_Task(batch, pool.apply_async(_claimed, (func, slot, batch)), slot))
        else:
            pending.append(_Task(batch, value=func(batch)))
        while pending and (pending[0].ready() or len(pending) >= most):
            yield pending.popleft().get()
    if claims is not None:
        for task in reversed(pending):  # newest first: the workers start the oldest
            if task.result is not None and claims.take(task.slot):
                task.value = func(task.batch)
            elif task.result is not None:
                break  # a worker started this one, so (first in, first out) every older one too
    while pending:
        yield pending.popleft().get()
