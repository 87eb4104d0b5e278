"""MinHash signatures and LSH candidates (near duplicates).

A 128-value one-permutation MinHash per page (Li, Owen & Zhang 2012) with optimal densification (Shrivastava
2017), so each page costs one hash per shingle; 16 bands of 8 rows make any pair at 0.90 a candidate with
probability 0.9999 (a pair at 0.80: 0.93; at 0.70: 0.52), far below the reporting threshold: the recall trap of
an LSH threshold set *at* 0.90 (31%).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from generator.checks.duplicates.arrays import distinct
from generator.checks.duplicates.text import mix

BINS = 128                      # MinHash values per page
BANDS, ROWS = 16, 8             # LSH: BANDS x ROWS == BINS
ALL_PAIRS_BUCKET = 48           # a bucket up to this size is compared pair by pair; past it, each page is
RING = 24                       # compared with the RING pages after it (large buckets are template clones)
EMPTY_BIN = np.uint32(0xFFFFFFFF)
PAIR_CHUNK = 20_000   # candidate pairs whose signatures are compared at once (2 x 10 MB)


@cache
def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, k=1)


def agreement(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pair (a[k], b[k]), the share of MinHash values the two pages have in common."""
    out = np.empty(len(a), np.float64)
    for at in range(0, len(a), PAIR_CHUNK):
        out[at:at + PAIR_CHUNK] = (sig[a[at:at + PAIR_CHUNK]] == sig[b[at:at + PAIR_CHUNK]]).mean(axis=1)
    return out


_PROBES = 64
_PROBE_TABLE = (np.random.default_rng(20250101).integers(0, BINS, size=(BINS, _PROBES))).astype(np.int64)


def minhash(sets: list[np.ndarray]) -> np.ndarray:
    """One-permutation MinHash with optimal densification: a (len(sets), BINS) uint32 array.

    Each shingle hash falls in bin `h >> 25` and competes there with its low 25 bits (the hash is already
    uniform, so one hash serves as the permutation). An empty bin borrows the value of the first non-empty bin
    on its own fixed pseudo-random probe sequence, the same for every page, which keeps the chance that two
    pages agree on a bin equal to their Jaccard similarity (Shrivastava, ICML 2017).
    """
    return densify(raw_minhash(sets))


def raw_minhash(sets: list[np.ndarray]) -> np.ndarray:
    """The minimum per bin of each set (empty bins hold EMPTY_BIN). The union of sets has the bin-wise minimum of
    theirs, which is how a page's MinHash is made from its blocks'."""
    n = len(sets)
    lengths = np.fromiter((len(x) for x in sets), dtype=np.int64, count=n)
    allv = np.concatenate(sets) if n else np.empty(0, np.uint32)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    sig = np.full(n * BINS, EMPTY_BIN, dtype=np.uint32)
    np.minimum.at(sig, owner * BINS + (allv >> np.uint32(25)).astype(np.int64), allv & np.uint32(0x1FFFFFF))
    return sig.reshape(n, BINS)


DENSIFY_CHUNK = 8192   # signatures filled at once (the probe lookups make several arrays of this x BINS)


def densify(sig: np.ndarray) -> np.ndarray:
    """Fill each empty bin from the bins on its probe sequence (optimal densification)."""
    empty = sig == EMPTY_BIN
    all_rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    del empty
    for at in range(0, len(all_rows), DENSIFY_CHUNK):
        rows = all_rows[at:at + DENSIFY_CHUNK]
        part = sig[rows]
        part_empty = part == EMPTY_BIN
        filled, todo = part.copy(), part_empty.copy()
        index = np.arange(len(rows))[:, None]
        for attempt in range(_PROBES):
            if not todo.any():
                break
            source = np.broadcast_to(_PROBE_TABLE[:, attempt], part.shape)
            ok = todo & ~part_empty[index, source]
            filled[ok] = part[index, source][ok]
            todo &= ~ok
        for r, c in zip(*np.nonzero(todo), strict=True):   # a page of a handful of shingles: the next non-empty bin
            full = np.flatnonzero(~part_empty[r])
            filled[r, c] = part[r, full[np.searchsorted(full, c) % len(full)]]
        sig[rows] = filled
    return sig


def lsh_candidates(sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows that agree on every value of at least one band, each pair once (a < b)."""
    n = len(sig)
    found: list[np.ndarray] = []
    weights = (np.random.default_rng(7).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1))
    for band in range(BANDS):
        block = sig[:, band * ROWS:(band + 1) * ROWS].astype(np.uint64)
        key = mix((block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band))
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        edges = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1], [True])))
        sizes = np.diff(edges)
        starts = edges[:-1]
        for size in distinct(sizes[sizes > 1]).tolist():   # the buckets of one size at once
            members = np.sort(order[starts[sizes == size][:, None] + np.arange(size)], axis=1)
            if size <= ALL_PAIRS_BUCKET:
                ii, jj = _pairs_of(size)
            else:
                span = min(RING, size - 1)
                ii = np.repeat(np.arange(size), span)
                jj = (ii + np.tile(np.arange(1, span + 1), size)) % size
            x, y = members[:, ii].ravel(), members[:, jj].ravel()
            found.append(np.minimum(x, y) * n + np.maximum(x, y))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys = distinct(np.concatenate(found))
    pairs = np.stack([keys // n, keys % n], axis=1)
    # equal band keys can hide different values (a collision of the key hash): keep pairs that truly agree
    agree = np.zeros(len(pairs), bool)
    for at in range(0, len(pairs), PAIR_CHUNK):
        same = sig[pairs[at:at + PAIR_CHUNK, 0]] == sig[pairs[at:at + PAIR_CHUNK, 1]]
        agree[at:at + PAIR_CHUNK] = same.reshape(len(same), BANDS, ROWS).all(axis=2).any(axis=1)
    pairs = pairs[agree]
    return pairs[:, 0], pairs[:, 1]

