"""Numeric helpers over sorted numpy arrays, shared by the duplicate check's parts."""

from __future__ import annotations

import numpy as np

from generator.checks.duplicates.text import P1, mix


def groups_of(owner: np.ndarray, member: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Number `count` owners by the set of members each has ((owner[k], member[k]) pairs, each pair once):
    owners with the same set share a number. A set is known by a 64-bit key, the sum of its members' mixed
    numbers and of its size's (the same trust as the blocks' own 64-bit hashes). Returns (number of each owner,
    how many numbers)."""
    key = np.zeros(count, np.uint64)
    np.add.at(key, owner, mix(member.astype(np.uint64) + np.uint64(1)))
    key += mix(np.bincount(owner, minlength=count).astype(np.uint64) | np.uint64(1 << 63))
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    group = np.empty(count, np.int64)
    group[order] = np.cumsum(new) - 1
    return group, int(new.sum())


def pair_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One 64-bit key for each pair of content-set keys, whichever comes first."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = mix(lo)
    key *= P1
    key += hi
    return mix(key)


def return_freed_memory() -> None:
    """Let the large arrays made from now on go back to the system as soon as they are freed (glibc only).
    glibc otherwise raises its mmap threshold after the first large block is freed and serves the next ones (this
    check's tables, up to tens of MB each at 100,000 pages) from a heap it can seldom shrink: in a profile of a
    100,000-page build that kept the peak about 45 MB higher. Each such array then costs fresh pages
    (bench/bench_audit.py: audit of 10,000 pages about 0.5 s slower), which is why small sites go without."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").mallopt(-3, 256 * 1024)   # -3: M_MMAP_THRESHOLD
    except (OSError, AttributeError):
        pass   # another C library: its own policy


def ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranges [starts[k], starts[k] + lengths[k]) one after another, as (k, position) for each entry."""
    lengths = np.asarray(lengths, np.int64)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    offset = np.cumsum(lengths) - lengths
    return owner, np.repeat(np.asarray(starts, np.int64) - offset, lengths) + np.arange(int(lengths.sum()),
                                                                                         dtype=np.int64)


def owned_values(owner: np.ndarray, blocks: np.ndarray, ptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`owner[k] << 32 | v` for every value v of block `blocks[k]` (`values[ptr[b]:ptr[b + 1]]` are block b's),
    each once, sorted: the distinct values of each owner's blocks."""
    which, at = ranges(ptr[blocks], ptr[blocks + 1] - ptr[blocks])
    return distinct((owner[which].astype(np.int64) << 32) | values[at].astype(np.int64))


def lookup(table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value, where it is or would be in the sorted `table`, and whether it is there."""
    if len(table) == 0:
        return np.zeros(len(values), np.int64), np.zeros(len(values), bool)
    at = table.searchsorted(values)
    np.minimum(at, len(table) - 1, out=at)
    return at, table[at] == values


def rows_of(table: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The position of each hash in the sorted `table`, or -1 where it is not there."""
    at, found = lookup(table, hashes)
    return np.where(found, at, -1)


def common_values(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two sorted arrays of distinct values (twice as fast as np.intersect1d here)."""
    return b[lookup(a, b)[1]]


def segment_sums(flags: np.ndarray, ptr: np.ndarray) -> np.ndarray:
    """The number of True flags in each segment [ptr[k], ptr[k + 1]) (empty segments included)."""
    total = np.concatenate(([0], np.cumsum(flags, dtype=np.int64)))
    return total[ptr[1:]] - total[ptr[:-1]]


def distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: np.unique by sorting (numpy 2's hash-based np.unique is many times slower on
    these integer arrays). A stable sort (timsort) finds the sorted runs these arrays are mostly made of (a page's
    blocks' sorted sets, one after another): three times faster than quicksort on them."""
    out = np.sort(values, kind="stable")
    if len(out) > 1:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out
