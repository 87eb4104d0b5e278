"""Forked worker pools: the work comes back in order, and the parent's objects are frozen out of the garbage
collector only while the pool runs (`serve` builds again and again in one process: a freeze that stayed would
keep every later build's garbage for good)."""

from __future__ import annotations

import gc
import os

import pytest

from generator.workers import can_fork, forked_pool

pytestmark = pytest.mark.skipif(not can_fork(2, 1, 1), reason="no fork on this system")


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_a_forked_pool_does_the_work_in_other_processes_in_order() -> None:
    with forked_pool(2) as pool:
        results = list(pool.imap(_square, range(20)))
    assert [r for r, _ in results] == [n * n for n in range(20)]
    assert os.getpid() not in {pid for _, pid in results}


def test_the_parents_objects_are_frozen_only_while_the_pool_runs() -> None:
    kept = [[n] for n in range(100)]   # objects alive in this process while the pool runs
    assert gc.get_freeze_count() == 0
    with forked_pool(2) as pool:
        assert gc.get_freeze_count() > 0
        pool.map(_square, range(4))
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), forked_pool(2):
        raise RuntimeError("a build that fails in the middle")
    assert gc.get_freeze_count() == 0
    assert all(gc.is_tracked(k) for k in kept)   # collectable again


def test_small_jobs_stay_in_this_process() -> None:
    assert can_fork(2, 2000, 1500)
    assert not can_fork(2, 1000, 1500)
    assert not can_fork(1, 2000, 1500)
