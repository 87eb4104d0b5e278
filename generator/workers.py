"""Worker processes for large builds, checks and audits: forked, so they start with what this process loaded.
One threshold says when they are worth starting, and one loop shares the work among them."""

from __future__ import annotations

import gc
import multiprocessing
import multiprocessing.pool
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

# From this many pages on, build (render), check and audit (read, parse and check) share the pages among forked
# workers: below it, starting them costs more than it saves (forking pays off from 30-50 pages rendered or
# checked: f777686).
PARALLEL_MIN_PAGES = 100
# In a process that lives on after its builds (the preview, `replaced_workers`), a worker is replaced by a fresh fork
# after this many parts (`spans`: 4 are up to 1,000 pages): a forked worker copies each page of the memory it shares
# with this process that it reads (reading an object writes its reference count), and its caches grow, so that over
# a whole build two workers came to hold much of what this process holds (a 10,000-page preview's start: 260 MB for
# the process tree at its peak, 212 MB with workers replaced). A command that ends with its build keeps its workers:
# each fresh fork copies that memory again and starts its caches again (`check --no-cache` of the 10,000-page synthetic
# site: 224,000-233,000 page faults with workers replaced, 161,000 without, in two runs each).
PARTS_PER_WORKER = 4
_parts_per_worker: int | None = None   # PARTS_PER_WORKER while `replaced_workers` is in force, else None (kept)

_Part = TypeVar("_Part")
_Result = TypeVar("_Result")


def can_fork(jobs: int, items: int, minimum: int | None = None) -> bool:
    """True when `items` are enough (`minimum`, PARALLEL_MIN_PAGES unless given) to share among `jobs` forked
    workers, and fork exists here."""
    least = PARALLEL_MIN_PAGES if minimum is None else minimum
    return jobs > 1 and items >= least and "fork" in multiprocessing.get_all_start_methods()


def spans(total: int, jobs: int) -> list[tuple[int, int]]:
    """`range(total)` cut into consecutive (start, end) spans to hand out: small enough that no worker idles long
    at the end (about eight per worker), big enough that each is worth sending."""
    size = max(50, min(250, total // (jobs * 8)))
    return [(i, min(i + size, total)) for i in range(0, total, size)]


def in_workers(work: Callable[[_Part], _Result], parts: Sequence[_Part], jobs: int
               ) -> Iterator[tuple[_Part, _Result]]:
    """(part, work(part)) for each of `parts`, in order, the work shared among `jobs` forked workers. `work`
    must be a module-level function; what it needs beyond its part, the caller sets up before the fork."""
    with forked_pool(jobs) as pool:
        yield from zip(parts, pool.imap(work, parts), strict=True)


@contextmanager
def replaced_workers() -> Iterator[None]:
    """Within the block, the pools started replace each worker after PARTS_PER_WORKER parts (the preview's rebuilds:
    the preview lives on, and what its workers copied would stay in its memory's peak)."""
    global _parts_per_worker
    before, _parts_per_worker = _parts_per_worker, PARTS_PER_WORKER
    try:
        yield
    finally:
        _parts_per_worker = before


@contextmanager
def forked_pool(jobs: int) -> Iterator[multiprocessing.pool.Pool]:
    """A pool of `jobs` forked workers (replaced after PARTS_PER_WORKER parts within `replaced_workers`). What this
    process holds is frozen out of the garbage collector first: a worker's collections would otherwise walk every
    inherited object, and so copy the memory that holds it (in one measurement, the render workers of a 10,000-page
    build used 1.9 s of CPU each instead of 2.7 s). A worker forked later, to replace one, freezes what it inherited
    as it starts: this process made objects since (the results it received), and its collector is paused."""
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=gc.freeze,
                                                      maxtasksperchild=_parts_per_worker) as pool:
            yield pool
    finally:
        gc.unfreeze()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, as it was before afterwards (a `with` block or a decorator).
    Reading and auditing pages makes no reference cycles (what they leave behind is freed as soon as it is
    unused; the few hundred objects in cycles an audit leaves, whatever the site's size, are freed when the
    collector resumes), yet the collector walks every object made so far, the pages read among them, each time
    enough new ones are made: on the 10,000-page synthetic site those passes cost 1.4 s of CPU while reading,
    in this process and in the workers it forks (they start paused too), and 0.5 s after."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def collecting() -> None:
    """In a forked worker of a build or a check: collect as usual, whatever the parent paused (its objects are frozen
    out of the workers' collections: `forked_pool`)."""
    if not gc.isenabled():
        gc.enable()
