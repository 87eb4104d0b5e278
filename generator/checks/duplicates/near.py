"""Near duplicates among the indexable pages: MinHash + LSH candidates, confirmed by exact Jaccard, in clusters.

Pages are compared on their content (main text without boilerplate), word for word as a search engine sees them,
at `near_threshold` (0.90, as Screaming Frog). Candidates come from LSH over MinHash signatures (minhash.py),
are screened by their MinHash estimate (kept when within ESTIMATE_MARGIN of the threshold) and confirmed by exact
Jaccard; confirmed pairs are joined into clusters. Each page's closest twin is the most similar page among its
candidates (pages less than about 50% alike rarely meet in a bucket, and then no twin is named).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from generator.checks.duplicates.arrays import common_values, lookup, pair_keys
from generator.checks.duplicates.minhash import BINS, agreement, densify, lsh_candidates
from generator.checks.duplicates.results import Cluster, PageStats
from generator.checks.duplicates.tables import ShingleSets
from generator.checks.duplicates.text import mix

ESTIMATE_MARGIN = 0.12          # about 4.5 standard errors of a 128-value estimate at 0.90
PAIRS_AT_ONCE = 1000            # pairs compared exactly with their pages' shingle sets worked out at once


@dataclass
class NearPairs:
    pairs: list[tuple[int, int, float]]     # confirmed (page, page, Jaccard) at or above the threshold
    compared: int                           # candidate pairs
    similarities: tuple[np.ndarray, np.ndarray]   # every exact similarity used, by content-set pair key
    signatures: tuple[np.ndarray, np.ndarray]     # each compared content set's MinHash, by its key (sorted)


def near_pairs(sets: ShingleSets, block_hashes: np.ndarray, cpage: np.ndarray, cblock: np.ndarray, n: int,
               reps: list[int], threshold: float, stats: list[PageStats],
               known: tuple[np.ndarray, np.ndarray],
               signatures: tuple[np.ndarray, np.ndarray] | None = None) -> NearPairs:
    """Confirmed near-duplicate pairs among the pages `reps`, whose content blocks are (cpage, cblock) (sorted by
    page); also sets each page's closest twin. `known`: exact similarities an earlier run worked out, by the keys
    of the two pages' content sets (a pair neither of whose text changed is not compared again). `signatures`:
    MinHash signatures an earlier run worked out, by content-set key (a page whose content set is one of them is
    not hashed again)."""
    empty = (np.empty(0, np.uint64), np.empty(0))
    no_signatures = (np.empty(0, np.uint64), np.empty((0, BINS), np.uint32))
    if len(reps) < 2:
        return NearPairs([], 0, empty, no_signatures)
    block_ptr = np.searchsorted(cpage, np.arange(n + 1))
    rep_keys = _content_keys(block_hashes, cblock, block_ptr)[reps]   # each compared page's content set, as a key
    sig = np.empty((len(reps), BINS), np.uint32)
    known_keys, known_sig = signatures if signatures is not None else no_signatures
    where, found = lookup(known_keys, rep_keys)
    if found.any():
        sig[found] = known_sig[where[found]]
    missing = np.flatnonzero(~found)
    if len(missing):
        position = np.full(n, -1, np.int64)
        position[np.asarray(reps, np.int64)[missing]] = np.arange(len(missing))
        pick = position[cpage] >= 0
        sig[missing] = densify(sets.page_minhash(position[cpage[pick]], cblock[pick], len(missing)))
    order = np.argsort(rep_keys, kind="stable")
    first = np.concatenate(([True], rep_keys[order][1:] != rep_keys[order][:-1]))
    kept_signatures = (rep_keys[order][first], sig[order[first]])
    a, b = lsh_candidates(sig)
    if len(a) == 0:
        return NearPairs([], 0, empty, kept_signatures)
    estimate = agreement(sig, a, b)
    # each page's best candidate by estimate (the first in order of falling estimate), to name its closest twin
    rank = np.empty(len(a), np.int64)
    rank[np.argsort(-estimate, kind="stable")] = np.arange(len(a))
    ends, partners = np.concatenate((a, b)), np.concatenate((b, a))
    order = np.lexsort((np.concatenate((rank, rank)), ends))
    ends, partners = ends[order], partners[order]
    first = np.concatenate(([True], ends[1:] != ends[:-1]))
    twin_of, twin = ends[first], partners[first]
    del rank, ends, partners, order, first
    screened = np.flatnonzero(estimate >= threshold - ESTIMATE_MARGIN)
    exact = _known_pairs(np.concatenate((a[screened], twin_of)), np.concatenate((b[screened], twin)), rep_keys,
                         known)
    # the pairs to compare: those the estimate does not rule out, and each page with its closest candidate
    # (grouped by the connected parts of the graph they make: a page's pairs come in one batch)
    twin_pairs = list(zip(twin_of.tolist(), twin.tolist(), strict=True))
    screened_pairs = list(zip(a[screened].tolist(), b[screened].tolist(), strict=True))   # a < b already
    todo = [pair for pair in screened_pairs if pair not in exact]
    todo += [_sorted_pair(pair) for pair in _by_component(
        [pair for pair in twin_pairs if _sorted_pair(pair) not in exact])]
    todo = list(dict.fromkeys(todo))
    for at in range(0, len(todo), PAIRS_AT_ONCE):
        batch = todo[at:at + PAIRS_AT_ONCE]
        pages = sorted({reps[x] for pair in batch for x in pair})
        shared = sets.shared_sets(pages, cblock, block_ptr)
        size = {p: int(sets.single[cblock[block_ptr[p]:block_ptr[p + 1]]].sum()) + len(shared[p]) for p in pages}
        for x, y in batch:
            # exact Jaccard of the two content sets: a shingle of one block only is common to both pages
            # exactly when that block is; the shingles that several blocks share are compared one by one
            p, q = reps[x], reps[y]
            common = common_values(cblock[block_ptr[p]:block_ptr[p + 1]], cblock[block_ptr[q]:block_ptr[q + 1]])
            inter = int(sets.single[common].sum()) + len(common_values(shared[p], shared[q]))
            union = size[p] + size[q] - inter
            exact[(x, y)] = inter / union if union else 1.0
    pairs = [(reps[x], reps[y], exact[(x, y)]) for x, y in screened_pairs if exact[(x, y)] >= threshold]
    for p, q in twin_pairs:
        st = stats[reps[p]]
        st.twin, st.twin_similarity = stats[reps[q]].page, round(exact[_sorted_pair((p, q))], 4)
    return NearPairs(pairs, len(a), _kept_pairs(exact, rep_keys), kept_signatures)


def near_clusters(pairs: list[tuple[int, int, float]], stats: list[PageStats]) -> list[Cluster]:
    root = _joined([(x, y) for x, y, _ in pairs])
    groups: dict[int, list[tuple[int, int, float]]] = {}
    for x, y, j in pairs:
        groups.setdefault(root(x), []).append((x, y, j))
    clusters = []
    for edges in groups.values():
        members = sorted({m for x, y, _ in edges for m in (x, y)})
        sims = [j for _, _, j in edges]
        clusters.append(Cluster("near", [stats[m].page for m in members], round(min(sims), 4), round(max(sims), 4)))
    return clusters


def _content_keys(block_hashes: np.ndarray, cblock: np.ndarray, block_ptr: np.ndarray) -> np.ndarray:
    """A 64-bit key per page for the set of its content blocks (so for its content shingles): the sum of its
    blocks' mixed hashes, which no order changes."""
    mixed = mix(block_hashes[cblock])
    total = np.concatenate((np.zeros(1, np.uint64), np.cumsum(mixed, dtype=np.uint64)))
    return total[block_ptr[1:]] - total[block_ptr[:-1]]


def _known_pairs(xs: np.ndarray, ys: np.ndarray, keys: np.ndarray,
                 known: tuple[np.ndarray, np.ndarray]) -> dict[tuple[int, int], float]:
    """The similarities of the pairs (xs[k], ys[k]) (positions among the compared pages, whose content keys are
    `keys`) that `known` holds, by (smaller position, larger)."""
    table, values = known
    xs, ys = np.minimum(xs, ys), np.maximum(xs, ys)
    if len(table) == 0 or len(xs) == 0:
        return {}
    at, found = lookup(table, pair_keys(keys[xs], keys[ys]))
    pairs = zip(xs[found].tolist(), ys[found].tolist(), strict=True)
    return dict(zip(pairs, values[at[found]].tolist(), strict=True))


def _kept_pairs(exact: dict[tuple[int, int], float], keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs compared or looked up in this run, by the keys of their content sets (for the check cache)."""
    if not exact:
        return np.empty(0, np.uint64), np.empty(0)
    xs = np.fromiter((x for x, _ in exact), np.int64, len(exact))
    ys = np.fromiter((y for _, y in exact), np.int64, len(exact))
    pair = pair_keys(keys[xs], keys[ys])
    order = np.argsort(pair, kind="stable")
    pair, values = pair[order], np.fromiter(exact.values(), np.float64, len(exact))[order]
    first = np.concatenate(([True], pair[1:] != pair[:-1]))
    return pair[first], values[first]


def _joined(edges: list[tuple[int, int]]) -> Callable[[int], int]:
    """Union-find over the edges: gives each node the root of its connected part (the smallest node in it)."""
    parent: dict[int, int] = {}

    def root(v: int) -> int:
        parent.setdefault(v, v)
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v
    for x, y in edges:
        rx, ry = root(x), root(y)
        if rx != ry:
            parent[max(rx, ry)] = min(rx, ry)
    return root


def _sorted_pair(pair: tuple[int, int]) -> tuple[int, int]:
    """A pair of pages as the similarity tables key it: the smaller first."""
    return pair if pair[0] < pair[1] else (pair[1], pair[0])


def _by_component(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The pairs (x, y) grouped by the connected parts of the graph they make, so that the pairs that share a
    page come one after another."""
    root = _joined(pairs)
    return sorted(pairs, key=lambda pair: (root(pair[0]), pair[0]))
