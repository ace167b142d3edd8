"""Ordered work shared between this process and forked workers."""

import os
import time

from norelmo.parallel import ordered_map

_parent = os.getpid()


def _noop() -> None:
    pass


def _square_where(batch: int) -> tuple[int, int]:
    """The batch's square and the process that made it; the workers are slow, so the pool falls behind."""
    if os.getpid() != _parent:
        time.sleep(0.05)
    return batch * batch, os.getpid()


def test_shared_map_keeps_order_and_takes_back_what_the_slow_workers_had_not_started():
    with ordered_map(_square_where, range(40), 2, _noop, (), fork=True, share=4) as results:
        got = list(results)
    assert [square for square, _ in got] == [b * b for b in range(40)]
    done_here = [b for b, (_, pid) in enumerate(got) if pid == _parent]
    # This process works whenever the worker has 4 queued, and at the end takes back the newest batches
    # the worker had not started: it does most of the work, the last batch included.
    assert len(done_here) > 20 and 39 in done_here
    assert len(done_here) < 40  # the worker did its part too


def test_spawned_map_without_sharing_is_in_order():
    with ordered_map(abs, range(-10, 10), 2, _noop, ()) as results:
        assert list(results) == [abs(b) for b in range(-10, 10)]
