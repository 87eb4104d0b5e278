"""Duplicate and thin content: exact duplicates, near duplicates in clusters, closest twins, unique share.

How pages are compared (figures from /work/shared/seo.md):
  * Each page's main text (its <main>) is cut into 4-word shingles (Broder 1997; the Stanford IR book, 19.6),
    after lower-casing; shingles are hashed to 32 bits (collisions cost well under 0.1% of a similarity).
  * Boilerplate: blocks (paragraphs, headings, list items) found word for word on at least `boilerplate_share`
    of the distinct pages (navigation, disclaimers, a footer inside <main>) are set aside, once there are enough
    pages to tell (MIN_PAGES_FOR_BOILERPLATE). Whole blocks, not shingles: a doorway template whose sentences
    differ only by the place name is *content*, and so is caught as near-duplicate. The rest is the *content*.
  * Exact duplicates: the same words in the same order (hash of the normalised main text).
  * Near duplicates: Jaccard similarity of content shingle sets, reported at `near_threshold` (0.90, as
    Screaming Frog). Candidates come from MinHash + LSH: a 128-value one-permutation MinHash per page (Li, Owen
    & Zhang 2012) with optimal densification (Shrivastava 2017), so each page costs one hash per shingle;
    16 bands of 8 rows make any pair at 0.90 a candidate with probability 0.9999 (a pair at 0.80: 0.93; at
    0.70: 0.52), far below the reporting threshold - the recall trap of an LSH threshold set *at* 0.90 (31%).
    Candidates are screened by their MinHash estimate (kept when within ESTIMATE_MARGIN of the threshold)
    and confirmed by exact Jaccard. Confirmed pairs are joined into clusters.
  * Unique share: the fraction of a page's content shingles found on no other page; the unique word count is
    the number of its words covered by such a shingle. Pages under either minimum are thin. With the
    generator's records (`check`), the pages about one area count as one page here: see `finish`.
  * Closest twin: the most similar page among the LSH candidates (pages less than about 50% alike rarely meet
    in a bucket, and then no twin is named).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

SHINGLE = 4                     # words per shingle
BINS = 128                      # MinHash values per page
BANDS, ROWS = 16, 8             # LSH: BANDS x ROWS == BINS
ESTIMATE_MARGIN = 0.12          # about 4.5 standard errors of a 128-value estimate at 0.90
MIN_PAGES_FOR_BOILERPLATE = 10  # below this, "common to a large share of pages" means too little
ALL_PAIRS_BUCKET = 48           # a bucket up to this size is compared pair by pair; past it, each page is
RING = 24                       # compared with the RING pages after it (large buckets are template clones)

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*|\n")
BREAK = np.uint64(0)   # the word hash of a block break
_P1 = np.uint64(0x9E3779B97F4A7C15)
_C1, _C2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33, _S32 = np.uint64(33), np.uint64(32)
_EMPTY = np.uint32(0xFFFFFFFF)


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, as the comparisons see them (® and ™ and punctuation dropped)."""
    return _WORD.findall(text.lower())


class _WordHashes(dict):
    """word -> stable 64-bit hash, computed once per distinct word (blake2b: the same in every run)."""

    def __init__(self):
        super().__init__({"\n": int(BREAK)})

    def __missing__(self, word: str) -> int:
        value = self[word] = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        return value


def _mix(h: np.ndarray) -> np.ndarray:
    h ^= h >> _S33
    h *= _C1
    h ^= h >> _S33
    h *= _C2
    h ^= h >> _S33
    return h


def shingle_hashes(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """32-bit hashes of each run of SHINGLE consecutive words inside one block, and where each run starts.

    `ids` are word hashes with BREAK between blocks (paragraphs, headings, list items): a shingle never spans
    two blocks, so a heading does not glue itself to the next paragraph, and a block shorter than a shingle
    adds nothing.
    """
    n = len(ids) - SHINGLE + 1
    if n <= 0:
        return np.empty(0, np.uint32), np.empty(0, np.int64)
    h = ids[:n] * _P1
    for i in range(1, SHINGLE - 1):
        h = (h + ids[i: n + i]) * _P1
    h += ids[SHINGLE - 1:]
    breaks = np.flatnonzero(ids == BREAK)
    valid = np.ones(n, bool)
    for k in range(SHINGLE):   # a window starting at b - k contains the break at b
        starts = breaks - k
        valid[starts[(starts >= 0) & (starts < n)]] = False
    where = np.flatnonzero(valid)
    return (_mix(h[where]) >> _S32).astype(np.uint32), where


@dataclass(frozen=True)
class Prepared:
    """One page's main text as the comparison keeps it."""

    key: bytes                  # digest of its words, for exact duplicates
    words: int
    shingles: np.ndarray        # uint32, in order
    starts: np.ndarray          # the word position where each shingle starts
    blocks: np.ndarray          # per shingle, the hash of its block


@dataclass(frozen=True)
class DuplicateSettings:
    near_threshold: float = 0.90
    boilerplate_share: float = 0.5
    min_unique_share: float = 0.2
    min_unique_words: int = 40


@dataclass
class PageStats:
    """The per-page figures of the duplicate check (the report's sortable table)."""

    page: str
    words: int                      # words in the main text
    content_shingles: int           # main-text shingles that are not boilerplate
    unique_share: float             # of the content shingles, the share found on no other page
    unique_words: int               # words covered by a unique shingle
    boilerplate_share: float        # of all main-text shingles, the share that is boilerplate
    twin: str | None = None         # the closest other page found
    twin_similarity: float = 0.0    # exact Jaccard of content shingles with the twin
    duplicate_of: str | None = None     # first page of its exact-duplicate group, when not itself
    cluster: int | None = None          # index into DuplicateResult.clusters
    thin: bool = False                  # under min_unique_share or min_unique_words


@dataclass
class Cluster:
    kind: str                       # "exact" | "near"
    pages: list[str]                # sorted; the first is the one kept when others are demoted
    min_similarity: float
    max_similarity: float
    why: str = ""                   # what differs between its pages, when it can be said


@dataclass
class DuplicateResult:
    pages: list[PageStats]
    clusters: list[Cluster]
    boilerplate_blocks: int
    candidate_pairs: int = 0        # pairs compared by their MinHash estimate
    confirmed_pairs: int = 0        # pairs checked by exact Jaccard
    stats: dict[str, PageStats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stats = {s.page: s for s in self.pages}


class DuplicateIndex:
    """Collects pages one at a time (keeping only their shingle hashes), then compares them all in `finish`."""

    def __init__(self, settings: DuplicateSettings | None = None):
        self.settings = settings or DuplicateSettings()
        self._hashes = _WordHashes()
        self._pages: list[str] = []
        self._words: list[int] = []
        self._shingles: list[np.ndarray] = []     # ordered, one per page
        self._starts: list[np.ndarray] = []       # the token position where each shingle starts
        self._blocks: list[np.ndarray] = []       # per shingle, the hash of the block (line) it is in
        self._exact: dict[bytes, int] = {}         # text digest -> first page index
        self._same_as: list[int] = []             # index of the first page with identical text (or itself)

    def __len__(self) -> int:
        return len(self._pages)

    def add(self, page: str, main_text: str) -> None:
        """Add one page's main text (blocks on separate lines, as `HtmlPage.main_text` has them)."""
        self.add_prepared(page, self.prepare(main_text))

    def prepare(self, main_text: str) -> Prepared:
        """The part of `add` that needs no other page (worker processes run it in parallel)."""
        tokens = _TOKEN.findall(main_text.lower())
        ids = np.fromiter(map(self._hashes.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
        words_only = ids[ids != BREAK]
        key = hashlib.blake2b(words_only.tobytes(), digest_size=16).digest()
        hashes, starts = shingle_hashes(ids)
        return Prepared(key, len(words_only), hashes, starts, _block_of(ids, starts))

    def add_prepared(self, page: str, prepared: Prepared) -> None:
        index = len(self._pages)
        self._same_as.append(self._exact.setdefault(prepared.key, index))
        self._pages.append(page)
        self._words.append(prepared.words)
        self._shingles.append(prepared.shingles)
        self._starts.append(prepared.starts)
        self._blocks.append(prepared.blocks)

    # -- the comparison ---------------------------------------------------------------------------------------
    def finish(self, explain: Callable[[str, str], str] | None = None, ranks: dict[str, int] | None = None,
               demote_thin: bool = False, areas: dict[str, str] | None = None) -> DuplicateResult:
        """Compare every page with every other.

        `explain(page_a, page_b)` says why two pages are alike. `ranks` orders the judging of thin pages
        (lowest first; by default the deepest URL first); with `demote_thin`, a thin page leaves the index
        before the pages of the next rank are judged, so the text it repeats counts as theirs alone (an area
        page is not thin because the landing pages that repeated its facts were).

        `areas` ({page: area slug}, known to the generator) makes the pages about one area count as one page
        when unique text is counted: "Jaw Fillers near Esher" and "Lip Fillers near Esher" both carry Esher's
        local facts, and those are what make each of them more than a doorway. Text found on a page about
        another area (a treatment's summary on every area's page) is never unique. Without `areas` (`audit`),
        every page stands alone.
        """
        n = len(self._pages)
        s = self.settings
        groups: dict[int, list[int]] = {}
        for i, first in enumerate(self._same_as):
            groups.setdefault(first, []).append(i)
        reps = sorted(groups)
        boiler = self._boilerplate(reps)
        content, stats = [], []
        for i in range(n):
            in_boiler = _member(self._blocks[i], boiler)
            content.append(np.unique(self._shingles[i][~in_boiler]))
            stats.append(PageStats(
                page=self._pages[i], words=self._words[i], content_shingles=len(content[i]), unique_share=0.0,
                unique_words=0, boilerplate_share=round(float(in_boiler.mean()), 4) if len(in_boiler) else 0.0,
                duplicate_of=self._pages[self._same_as[i]] if self._same_as[i] != i else None))

        # unique share, judged rank by rank against the pages still in the index
        rank_of = [(ranks or {}).get(p, -p.count("/")) for p in self._pages]
        active = set(reps)
        area_of = [(areas or {}).get(p, f"\0{p}") for p in self._pages]
        for rank in sorted(set(rank_of)):
            keys, counts = _count(_by_area([content[i] for i in sorted(active)],
                                           [area_of[i] for i in sorted(active)]))
            judged = [i for i in range(n) if rank_of[i] == rank]
            for i in judged:
                if len(groups[self._same_as[i]]) > 1:
                    continue   # identical text elsewhere: nothing here is unique
                unique = content[i][_lookup(content[i], keys, counts) == 1]
                st = stats[i]
                st.unique_share = round(len(unique) / len(content[i]), 4) if len(content[i]) else 0.0
                st.unique_words = _covered_words(self._shingles[i], self._starts[i], unique)
            for i in judged:
                st = stats[i]
                st.thin = st.unique_share < s.min_unique_share or st.unique_words < s.min_unique_words
                if st.thin and demote_thin:
                    active.discard(self._same_as[i])
        self._shingles, self._starts, self._blocks = [], [], []   # no longer needed

        clusters = [Cluster("exact", [self._pages[i] for i in members], 1.0, 1.0)
                    for members in groups.values() if len(members) > 1]
        pairs, compared = self._near_pairs([i for i in reps if len(content[i])], content, stats)
        clusters += self._near_clusters(pairs, stats)
        for cluster in clusters:
            cluster.pages.sort()
        clusters.sort(key=lambda c: (c.kind != "exact", c.pages[0]))
        by_page = {st.page: st for st in stats}
        for number, cluster in enumerate(clusters):
            for page in cluster.pages:
                by_page[page].cluster = number
            if explain is not None and len(cluster.pages) > 1:
                cluster.why = explain(cluster.pages[0], cluster.pages[1])
        for members in groups.values():   # pages with identical text are each other's twins
            if len(members) > 1:
                for i in members:
                    other = members[1] if i == members[0] else members[0]
                    stats[i].twin, stats[i].twin_similarity = self._pages[other], 1.0
        return DuplicateResult(stats, clusters, len(boiler), compared, len(pairs))

    def _boilerplate(self, reps: list[int]) -> np.ndarray:
        """Hashes of the blocks (paragraphs, headings, list items) found word for word on a large share of pages."""
        s = self.settings
        if len(reps) < MIN_PAGES_FOR_BOILERPLATE:
            return np.empty(0, np.uint64)
        keys, counts = _count([np.unique(self._blocks[i]) for i in reps])
        need = max(2, int(np.ceil(s.boilerplate_share * len(reps))))
        return keys[counts >= need]

    def _near_pairs(self, reps: list[int], content: list[np.ndarray], stats: list[PageStats]):
        """Confirmed near-duplicate pairs (i, j, jaccard) among `reps`; also sets each page's closest twin."""
        threshold = self.settings.near_threshold
        if len(reps) < 2:
            return [], 0
        sig = minhash([content[i] for i in reps])
        a, b = _candidates(sig)
        if len(a) == 0:
            return [], 0
        estimate = (sig[a] == sig[b]).mean(axis=1)
        # each page's best candidate by estimate, to name its closest twin
        best_for: dict[int, tuple[float, int]] = {}
        order = np.argsort(-estimate, kind="stable")
        for k in order:
            x, y, e = int(a[k]), int(b[k]), float(estimate[k])
            for p, q in ((x, y), (y, x)):
                if p not in best_for:
                    best_for[p] = (e, q)
        exact_cache: dict[tuple[int, int], float] = {}

        def jaccard(x: int, y: int) -> float:
            key = (x, y) if x < y else (y, x)
            if key not in exact_cache:
                exact_cache[key] = _jaccard(content[reps[key[0]]], content[reps[key[1]]])
            return exact_cache[key]

        pairs = []
        for k in np.flatnonzero(estimate >= threshold - ESTIMATE_MARGIN):
            x, y = int(a[k]), int(b[k])
            j = jaccard(x, y)
            if j >= threshold:
                pairs.append((reps[x], reps[y], j))
        for p, (_, q) in best_for.items():
            st = stats[reps[p]]
            st.twin, st.twin_similarity = stats[reps[q]].page, round(jaccard(p, q), 4)
        return pairs, len(a)

    def _near_clusters(self, pairs, stats: list[PageStats]) -> list[Cluster]:
        parent: dict[int, int] = {}

        def root(x: int) -> int:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for x, y, _ in pairs:
            rx, ry = root(x), root(y)
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
        groups: dict[int, list[tuple[int, int, float]]] = {}
        for x, y, j in pairs:
            groups.setdefault(root(x), []).append((x, y, j))
        clusters = []
        for edges in groups.values():
            members = sorted({m for x, y, _ in edges for m in (x, y)})
            sims = [j for _, _, j in edges]
            pages = [stats[m].page for m in members]
            # pages with identical text to a member belong to the cluster too
            clusters.append(Cluster("near", pages, round(min(sims), 4), round(max(sims), 4)))
        return clusters


# -- numeric helpers -----------------------------------------------------------------------------------------

def _block_of(ids: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """For each shingle (by its start), a hash of the whole block it lies in."""
    if len(ids) == 0:
        return np.empty(0, np.uint64)
    is_break = ids == BREAK
    block = np.cumsum(is_break)                           # block number of each token (a break opens the next)
    first = np.flatnonzero(np.concatenate(([True], is_break[:-1])))   # where each block starts
    position = np.arange(len(ids)) - first[block]
    # an order-sensitive hash of each block's words: mix(word ^ position), summed per block, mixed again
    values = _mix((ids ^ (position.astype(np.uint64) * _P1)) | np.uint64(1))
    values[is_break] = 0
    block_hash = _mix(np.add.reduceat(values, first))
    return block_hash[block[starts]]


@lru_cache(maxsize=None)
def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, k=1)


def _count(sets: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values over all sets (sorted) and on how many sets each appears."""
    if not sets:
        return np.empty(0, np.uint32), np.empty(0, np.int64)
    allv = np.concatenate(sets)
    allv.sort()
    if len(allv) == 0:
        return allv, np.empty(0, np.int64)
    starts = np.flatnonzero(np.concatenate(([True], allv[1:] != allv[:-1])))
    counts = np.diff(np.append(starts, len(allv)))
    return allv[starts], counts


def _by_area(sets: list[np.ndarray], area: list[str]) -> list[np.ndarray]:
    """One set per area: the union of its pages' sets (a shingle then counts once however many pages of the
    area carry it)."""
    merged: dict[str, list[np.ndarray]] = {}
    for values, key in zip(sets, area):
        merged.setdefault(key, []).append(values)
    return [parts[0] if len(parts) == 1 else np.unique(np.concatenate(parts)) for parts in merged.values()]


def _member(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if len(sorted_keys) == 0 or len(values) == 0:
        return np.zeros(len(values), bool)
    pos = np.searchsorted(sorted_keys, values)
    pos[pos == len(sorted_keys)] = 0
    return sorted_keys[pos] == values


def _lookup(values: np.ndarray, keys: np.ndarray, counts: np.ndarray) -> np.ndarray:
    pos = np.searchsorted(keys, values)
    return counts[np.minimum(pos, len(keys) - 1)] if len(keys) else np.zeros(len(values), np.int64)


def _covered_words(ordered: np.ndarray, starts: np.ndarray, unique_set: np.ndarray) -> int:
    """How many words sit under at least one unique shingle (positions count block breaks, never covered)."""
    if len(unique_set) == 0 or len(ordered) == 0:
        return 0
    first = starts[_member(ordered, unique_set)]
    if len(first) == 0:
        return 0
    span = int(first.max()) + SHINGLE + 1
    covered = np.zeros(span, np.int32)
    np.add.at(covered, first, 1)
    np.add.at(covered, first + SHINGLE, -1)
    return int(np.count_nonzero(np.cumsum(covered)))


def _jaccard(a: np.ndarray, b: np.ndarray) -> float:
    if len(a) == 0 and len(b) == 0:
        return 1.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


_PROBES = 64
_PROBE_TABLE = (np.random.default_rng(20250101).integers(0, BINS, size=(BINS, _PROBES))).astype(np.int64)


def minhash(sets: list[np.ndarray]) -> np.ndarray:
    """One-permutation MinHash with optimal densification: a (len(sets), BINS) uint32 array.

    Each shingle hash falls in bin `h >> 25` and competes there with its low 25 bits (the hash is already
    uniform, so one hash serves as the permutation). An empty bin borrows the value of the first non-empty bin
    on its own fixed pseudo-random probe sequence, the same for every page, which keeps the chance that two
    pages agree on a bin equal to their Jaccard similarity (Shrivastava, ICML 2017).
    """
    n = len(sets)
    lengths = np.fromiter((len(x) for x in sets), dtype=np.int64, count=n)
    allv = np.concatenate(sets) if n else np.empty(0, np.uint32)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    sig = np.full(n * BINS, _EMPTY, dtype=np.uint32)
    np.minimum.at(sig, owner * BINS + (allv >> np.uint32(25)).astype(np.int64), allv & np.uint32(0x1FFFFFF))
    sig = sig.reshape(n, BINS)
    empty = sig == _EMPTY
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if len(rows):
        part, part_empty = sig[rows], empty[rows]
        filled, todo = part.copy(), part_empty.copy()
        index = np.arange(len(rows))[:, None]
        for attempt in range(_PROBES):
            if not todo.any():
                break
            source = np.broadcast_to(_PROBE_TABLE[:, attempt], part.shape)
            ok = todo & ~part_empty[index, source]
            filled[ok] = part[index, source][ok]
            todo &= ~ok
        for r, c in zip(*np.nonzero(todo)):   # a page of a handful of shingles: the next non-empty bin
            full = np.flatnonzero(~part_empty[r])
            filled[r, c] = part[r, full[np.searchsorted(full, c) % len(full)]]
        sig[rows] = filled
    return sig


def _candidates(sig: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of rows that agree on every value of at least one band, each pair once (a < b)."""
    found: list[np.ndarray] = []
    weights = (np.random.default_rng(7).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1))
    for band in range(BANDS):
        block = sig[:, band * ROWS:(band + 1) * ROWS].astype(np.uint64)
        key = _mix((block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band))
        order = np.argsort(key, kind="stable")
        sorted_keys = key[order]
        edges = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1], [True])))
        sizes = np.diff(edges)
        for start, size in zip(edges[:-1][sizes > 1], sizes[sizes > 1]):
            members = np.sort(order[start:start + size])
            if size <= ALL_PAIRS_BUCKET:
                ii, jj = _pairs_of(int(size))
            else:
                span = min(RING, size - 1)
                ii = np.repeat(np.arange(size), span)
                jj = (ii + np.tile(np.arange(1, span + 1), size)) % size
            x, y = members[ii], members[jj]
            found.append(np.stack([np.minimum(x, y), np.maximum(x, y)], axis=1))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.unique(np.concatenate(found), axis=0)
    # equal band keys can hide different values (a collision of the key hash): keep pairs that truly agree
    same = (sig[pairs[:, 0]] == sig[pairs[:, 1]])
    agree = np.zeros(len(pairs), bool)
    for band in range(BANDS):
        agree |= same[:, band * ROWS:(band + 1) * ROWS].all(axis=1)
    pairs = pairs[agree]
    return pairs[:, 0], pairs[:, 1]


# -- why pages are alike -------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^\d+$")
_COMPASS = frozenset({"north", "south", "east", "west", "north-east", "north-west", "south-east", "south-west",
                      "northeast", "northwest", "southeast", "southwest"})
_UNITS = frozenset({"km", "miles", "mile", "minutes", "mins"})


def differences(text_a: str, text_b: str) -> list[tuple[str, str]]:
    """The runs of words that differ between two texts, as (words in a, words in b)."""
    wa, wb = text_a.split(), text_b.split()
    matcher = difflib.SequenceMatcher(a=wa, b=wb, autojunk=False)
    return [(" ".join(wa[i1:i2]), " ".join(wb[j1:j2]))
            for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def describe_differences(diffs: list[tuple[str, str]], names_a: tuple[str, ...] = (),
                         names_b: tuple[str, ...] = ()) -> str:
    """'only the area name and distance differ', or the words that differ, for a report."""
    kinds: list[str] = []
    others: list[tuple[str, str]] = []

    def strip(text: str) -> str:
        return re.sub(r"[^\w\s-]", "", text).strip().lower()

    def kind_of(a: str, b: str) -> str | None:
        ta, tb = strip(a).split(), strip(b).split()
        if not ta and not tb:
            return "punctuation"
        if all(_NUMBER.match(re.sub(r"\D", "", t) or "x") or t in _UNITS for t in ta + tb):
            return "distance"
        if all(t in _COMPASS for t in ta + tb):
            return "direction"
        def only_names(text: str, names: tuple[str, ...]) -> bool:
            rest = strip(text)
            for name in sorted(names, key=len, reverse=True):
                rest = rest.replace(strip(name), " ")
            return bool(names) and not rest.strip() and bool(strip(text))
        if only_names(a, names_a) and only_names(b, names_b):
            return "area name"
        return None

    for a, b in diffs:
        kind = kind_of(a, b)
        if kind is None:
            others.append((a, b))
        elif kind != "punctuation" and kind not in kinds:
            kinds.append(kind)
    if not diffs:
        return "their main text is identical"
    if not others:
        named = " and ".join([", ".join(kinds[:-1]), kinds[-1]] if len(kinds) > 1 else kinds)
        return f"only the {named} differ" if len(kinds) > 1 else f"only the {named} differs"
    shown = "; ".join(f"«{a or '—'}» / «{b or '—'}»" for a, b in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    prefix = f"the {', '.join(kinds)} and " if kinds else ""
    return f"{prefix}{len(others)} other passage(s) differ: {shown}{more}"
