"""Duplicate and thin content: exact duplicates, near duplicates in clusters, closest twins, unique share.

How pages are compared (figures from published search-engine and SEO-tool documentation):
  * Each page's main text (its <main>) is cut into 4-word shingles (Broder 1997; the Stanford IR book, 19.6),
    after lower-casing; shingles are hashed to 32 bits (collisions cost well under 0.1% of a similarity).
  * Boilerplate: blocks (paragraphs, headings, list items) found word for word on at least `boilerplate_share`
    of the distinct pages (navigation, disclaimers, a footer inside <main>) are set aside, once there are enough
    pages to tell (MIN_PAGES_FOR_BOILERPLATE). Whole blocks, not shingles: a doorway template whose sentences
    differ only by the place name is *content*, and so is caught as near-duplicate. The rest is the *content*.
  * Exact duplicates: the same blocks with the same words in the same order (a hash of the blocks' hashes).
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

How it stays fast: a page is kept as the list of its blocks, and each distinct block (its words, its shingle
hashes) once for the whole site, so the work grows with the distinct text rather than with pages x text (a
treatment's paragraphs sit on every area's page). Boilerplate is a count of pages per block; a page's content
set is the union of its content blocks' sets, its MinHash the bin-wise minimum of theirs; unique text is found
per distinct shingle from the areas of the blocks that hold it; and a shingle held by several blocks (a phrase
repeated in many headings) is counted once per page, so every figure is the one the definitions above give
(tests/test_checks_duplicates.py checks them against plain set arithmetic).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from functools import lru_cache

import numpy as np

from generator.model import DuplicateSettings  # the thresholds, declared once with site.yaml's fields

SHINGLE = 4                     # words per shingle
BINS = 128                      # MinHash values per page
BANDS, ROWS = 16, 8             # LSH: BANDS x ROWS == BINS
ESTIMATE_MARGIN = 0.12          # about 4.5 standard errors of a 128-value estimate at 0.90
MIN_PAGES_FOR_BOILERPLATE = 10  # below this, "common to a large share of pages" means too little
LARGE_INDEX = 20_000            # pages from which freed tables go back to the system at once
ALL_PAIRS_BUCKET = 48           # a bucket up to this size is compared pair by pair; past it, each page is
RING = 24                       # compared with the RING pages after it (large buckets are template clones)

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)*")
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
    """One page's main text as the comparison keeps it: the blocks it is made of, in order. A block (a
    paragraph, heading or list item: one line of the main text) is stored once in the index however many pages
    repeat it; a worker process sends the blocks it stored to the main one in batches (`take_new`)."""

    key: bytes                  # digest of its blocks in order, for exact duplicates
    words: int
    blocks: np.ndarray          # uint64 block hashes, in page order (repeats kept)


class BlockBatch(NamedTuple):
    """Blocks with their shingles, packed: how they travel between processes and into the check cache."""

    hashes: np.ndarray          # uint64
    words: np.ndarray           # int64, words in each block
    lengths: np.ndarray         # int64, shingles of each block
    shingles: np.ndarray        # uint32, every block's shingle hashes, one after another


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
    near_threshold: float | None = None     # the similarity the near-duplicate clusters were found at
    stats: dict[str, PageStats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stats = {s.page: s for s in self.pages}


LINE_MEMO = 50_000    # distinct lines remembered (line -> block) before the memo starts again: most
                      # lines of a large site are on one page only, and a hot line is soon back


class DuplicateIndex:
    """Collects pages one at a time as lists of blocks, then compares them all in `finish`.

    Each distinct block (its words and shingle hashes) is kept once: a site of treatments x areas repeats each
    treatment's paragraphs on every area's page, so the index grows with the distinct text, not the pages, and
    the site-wide work (boilerplate, unique share, MinHash) runs over the distinct blocks.

    Blocks are kept packed, as `BlockBatch`es (from worker processes, the check cache, or this process's own
    new blocks), and a page as the array of its blocks' hashes: no Python object per block, so 100,000 pages
    (800,000 distinct blocks) fit in tens of megabytes. `finish` merges the batches into one table."""

    def __init__(self, settings: DuplicateSettings | None = None):
        self.settings = settings or DuplicateSettings()
        self._hashes = _WordHashes()
        self._lines: dict[str, tuple[int, int]] = {}   # a line of main text -> (block hash, words)
        self._new: dict[int, tuple[int, str]] = {}     # blocks this process stored since it last packed them:
                                                       # hash -> (words, the words joined by spaces)
        self._known = np.empty(0, np.uint64)           # sorted hashes the main process held when workers forked
        self._batches: list[BlockBatch] = []           # packed blocks (a block may be in several)
        self._table: BlockBatch | None = None          # the batches merged: distinct hashes, sorted (`_merge`)
        self._pages: list[str] = []
        self._words: list[int] = []
        self._blocks: list[np.ndarray] = []            # per page: its blocks' hashes, in order
        self._exact: dict[bytes, int] = {}             # text digest -> first page index
        self._same_as: list[int] = []                  # index of the first page with identical text (or itself)
        # exact similarities of pairs of content sets, by `_pair_keys` (sorted) and value: those a cache held
        # before `finish`, and those `finish` worked out or used (for the cache to keep)
        self.known_similarities: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0))
        self.similarities: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0))

    def __len__(self) -> int:
        return len(self._pages)

    def add(self, page: str, main_text: str) -> None:
        """Add one page's main text (blocks on separate lines, as `HtmlPage.main_text` has them)."""
        self.add_prepared(page, self.prepare(main_text))

    def prepare(self, main_text: str) -> Prepared:
        """The part of `add` that needs no other page (worker processes run it in parallel). A line not seen
        before costs one regular expression and one hash; its shingles are worked out later, with every other new
        block's, in one vectorised pass (`take_new`)."""
        memo = self._lines
        if len(memo) > LINE_MEMO:
            memo.clear()
        seq, words = [], 0
        for line in main_text.split("\n"):
            known = memo.get(line)
            if known is None:
                found = _WORD.findall(line.lower())
                if not found:
                    known = memo[line] = (0, 0)
                else:
                    text = " ".join(found)
                    block = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
                    known = memo[line] = (block, len(found))
                    if block not in self._new:   # (one the memo forgot may be sent twice: merged away)
                        self._new[block] = (len(found), text)
            if known[1]:
                seq.append(known[0])
                words += known[1]
        blocks = np.array(seq, dtype=np.uint64)
        return Prepared(hashlib.blake2b(blocks.tobytes(), digest_size=16).digest(), words, blocks)

    MATERIALISE_CHUNK = 20000   # blocks hashed in one pass (bounds the temporary lists of words)

    def take_new(self) -> BlockBatch:
        """The blocks this process stored since the last call that the main process did not hold when it forked,
        packed, with their shingle hashes worked out in vectorised passes (a worker sends them back this way)."""
        new, self._new = self._new, {}
        hashes = np.fromiter(new, dtype=np.uint64, count=len(new))
        fresh = ~_lookup(self._known, hashes)[1]
        hashes = hashes[fresh]
        entries = [entry for entry, f in zip(new.values(), fresh.tolist()) if f]
        del new
        words = np.fromiter((w for w, _ in entries), dtype=np.int64, count=len(entries))
        lengths, parts = np.zeros(len(entries), np.int64), []
        for at in range(0, len(entries), self.MATERIALISE_CHUNK):
            part = entries[at:at + self.MATERIALISE_CHUNK]
            tokens = [text.split() for _, text in part]
            counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
            flat = [w for t in tokens for w in (*t, "\n")]
            ids = np.fromiter(map(self._hashes.__getitem__, flat), dtype=np.uint64, count=len(flat))
            del tokens, flat
            shingles, starts = shingle_hashes(ids)
            line_start = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))   # where each block's words begin
            line_of = np.searchsorted(line_start, starts, side="right") - 1
            lengths[at:at + len(part)] = np.bincount(line_of, minlength=len(part))
            parts.append(shingles)
        return BlockBatch(hashes, words, lengths, np.concatenate(parts) if parts else np.empty(0, np.uint32))

    def mark_sent(self) -> None:
        """Before worker processes fork: what the index holds now, they hold too (and need not send back)."""
        self._absorb_new()
        self._known = distinct(np.concatenate([b.hashes for b in self._batches])) if self._batches else \
            np.empty(0, np.uint64)

    def receive(self, batch: BlockBatch | None) -> None:
        """Keep the blocks of a batch (those the index holds already are dropped when the batches merge)."""
        if batch is not None and len(batch.hashes):
            self._batches.append(batch)
            self._table = None

    def _absorb_new(self) -> None:
        if self._new:
            self.receive(self.take_new())

    def _merge(self) -> BlockBatch:
        """Every block once, sorted by hash: (hashes, words, shingle counts, shingles one block after another)."""
        self._absorb_new()
        if self._table is None:
            batches = self._batches or [BlockBatch(np.empty(0, np.uint64), np.empty(0, np.int64),
                                                   np.empty(0, np.int64), np.empty(0, np.uint32))]
            every = BlockBatch(*(np.concatenate(part) for part in zip(*batches)))
            order = np.argsort(every.hashes, kind="stable")
            ordered = every.hashes[order]
            first = np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else np.empty(0, bool)
            del ordered
            self._table = _take(every, order[first])   # the first copy of each block, in hash order
            self._batches = [self._table]
        return self._table

    def export(self, hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The stored blocks among `hashes` (sorted, distinct): (hashes, words, shingle counts, shingles
        concatenated)."""
        table = self._merge()
        rows = _rows_of(table.hashes, hashes)
        return _take(table, rows[rows >= 0])

    def add_prepared(self, page: str, prepared: Prepared) -> None:
        index = len(self._pages)
        self._same_as.append(self._exact.setdefault(prepared.key, index))
        self._pages.append(page)
        self._words.append(prepared.words)
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

        Shingles are counted per distinct block of a page: a phrase repeated in two different paragraphs of
        one page counts twice in its content and unique shingles.
        """
        n = len(self._pages)
        if n >= LARGE_INDEX:
            _return_freed_memory()
        s = self.settings
        groups: dict[int, list[int]] = {}
        for i, first in enumerate(self._same_as):
            groups.setdefault(first, []).append(i)
        reps = sorted(groups)
        t = _Tables(self)

        # boilerplate: blocks with shingles on at least boilerplate_share of the distinct pages
        boiler = np.zeros(t.blocks, bool)
        if len(reps) >= MIN_PAGES_FOR_BOILERPLATE:
            is_rep = np.zeros(n, bool)
            is_rep[reps] = True
            pick = is_rep[t.dpage] & (t.bsize[t.dblock] > 0)
            need = max(2, int(np.ceil(s.boilerplate_share * len(reps))))
            boiler = np.bincount(t.dblock[pick], minlength=t.blocks) >= need
        occ_shingles = t.blen[t.occ_block].astype(np.float64)
        all_sh = np.bincount(t.occ_page, weights=occ_shingles, minlength=n)
        boiler_sh = np.bincount(t.occ_page, weights=occ_shingles * boiler[t.occ_block], minlength=n)
        del occ_shingles
        keep = ~boiler[t.dblock] & (t.bsize[t.dblock] > 0)
        cpage, cblock = t.dpage[keep], t.dblock[keep]           # each page's distinct content blocks
        content_sh = (np.bincount(cpage, weights=t.single[cblock], minlength=n)
                      + t.shared_counts(cpage, cblock, n)).astype(np.int64)
        content_occ = ~boiler[t.occ_block]
        stats = [PageStats(page=self._pages[i], words=self._words[i], content_shingles=int(content_sh[i]),
                           unique_share=0.0, unique_words=0,
                           boilerplate_share=round(float(boiler_sh[i] / all_sh[i]), 4) if all_sh[i] else 0.0,
                           duplicate_of=self._pages[self._same_as[i]] if self._same_as[i] != i else None)
                 for i in range(n)]

        # unique share, judged rank by rank against the pages still in the index
        rank_of = np.array([(ranks or {}).get(p, -p.count("/")) for p in self._pages], dtype=np.int64)
        area_ids: dict[str, int] = {}
        page_area = np.array([area_ids.setdefault((areas or {}).get(p, f"\0{p}"), len(area_ids))
                              for p in self._pages], dtype=np.int64)
        active = np.zeros(n, bool)
        active[reps] = True
        counted = False   # the unique figures below are those of the pages in the index now
        for rank in sorted(set(rank_of.tolist())):
            if not counted:
                unique_count, own, covered = t.unique_by_block(cpage, cblock, active, page_area, len(area_ids))
                unique_sh = (np.bincount(cpage, weights=unique_count[cblock], minlength=n)
                             + t.shared_counts(cpage, cblock, n, own))
                unique_w = np.bincount(t.occ_page, weights=covered[t.occ_block] * content_occ, minlength=n)
                counted = True
            judged = np.flatnonzero(rank_of == rank).tolist()
            for i in judged:
                if len(groups[self._same_as[i]]) > 1:
                    continue   # identical text elsewhere: nothing here is unique
                st = stats[i]
                st.unique_share = round(float(unique_sh[i] / content_sh[i]), 4) if content_sh[i] else 0.0
                st.unique_words = int(unique_w[i])
            for i in judged:
                st = stats[i]
                st.thin = st.unique_share < s.min_unique_share or st.unique_words < s.min_unique_words
                if st.thin and demote_thin and active[self._same_as[i]]:
                    active[self._same_as[i]] = False
                    counted = False   # its text now counts as the other pages' own: count again

        clusters = [Cluster("exact", [self._pages[i] for i in members], 1.0, 1.0)
                    for members in groups.values() if len(members) > 1]
        has_content = content_sh > 0
        del keep, content_occ, page_area, active
        if len(rank_of):
            del unique_count, own, covered, unique_sh, unique_w
        t.keep_for_pairs()
        pairs, compared = self._near_pairs([i for i in reps if has_content[i]], t, cpage, cblock, content_sh,
                                           stats)
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
        return DuplicateResult(stats, clusters, int(boiler.sum()), compared, len(pairs), s.near_threshold)

    def _near_pairs(self, reps: list[int], t: _Tables, cpage: np.ndarray, cblock: np.ndarray,
                    sizes: np.ndarray, stats: list[PageStats]):
        """Confirmed near-duplicate pairs (i, j, jaccard) among `reps`; also sets each page's closest twin."""
        threshold = self.settings.near_threshold
        if len(reps) < 2:
            return [], 0
        position = np.full(len(self._pages), -1, np.int64)
        position[reps] = np.arange(len(reps))
        pick = position[cpage] >= 0
        sig = _densify(t.page_minhash(position[cpage[pick]], cblock[pick], len(reps)))
        a, b = _candidates(sig)
        if len(a) == 0:
            return [], 0
        estimate = _agreement(sig, a, b)
        # each page's best candidate by estimate (the first in order of falling estimate), to name its closest twin
        rank = np.empty(len(a), np.int64)
        rank[np.argsort(-estimate, kind="stable")] = np.arange(len(a))
        ends, partners = np.concatenate((a, b)), np.concatenate((b, a))
        order = np.lexsort((np.concatenate((rank, rank)), ends))
        ends, partners = ends[order], partners[order]
        first = np.concatenate(([True], ends[1:] != ends[:-1]))
        twin_of, twin = ends[first], partners[first]
        del rank, ends, partners, order, first
        n = len(self._pages)
        block_ptr = np.searchsorted(cpage, np.arange(n + 1))
        screened = np.flatnonzero(estimate >= threshold - ESTIMATE_MARGIN)
        rep_keys = self._content_keys(cblock, block_ptr)[reps]   # each compared page's content set, as a key
        exact_cache = self._known_pairs(np.concatenate((a[screened], twin_of)), np.concatenate((b[screened], twin)),
                                        rep_keys)
        # the pairs to compare: those the estimate does not rule out, and each page with its closest candidate
        # (grouped by the connected parts of the graph they make: a page's pairs come in one batch)
        twin_pairs = list(zip(twin_of.tolist(), twin.tolist()))
        screened_pairs = list(zip(a[screened].tolist(), b[screened].tolist()))   # a < b already
        todo = [pair for pair in screened_pairs if pair not in exact_cache]
        todo += [_sorted_pair(pair) for pair in _by_component(
            [pair for pair in twin_pairs if _sorted_pair(pair) not in exact_cache])]
        todo = list(dict.fromkeys(todo))
        for at in range(0, len(todo), PAIRS_AT_ONCE):
            batch = todo[at:at + PAIRS_AT_ONCE]
            shared = t.shared_sets(sorted({reps[x] for pair in batch for x in pair}), cblock, block_ptr)
            for x, y in batch:
                # exact Jaccard of the two content sets: a shingle of one block only is common to both pages
                # exactly when that block is; the shingles that several blocks share are compared one by one
                p, q = reps[x], reps[y]
                common = _common(cblock[block_ptr[p]:block_ptr[p + 1]], cblock[block_ptr[q]:block_ptr[q + 1]])
                inter = int(t.single[common].sum()) + len(_common(shared[p], shared[q]))
                union = int(sizes[p]) + int(sizes[q]) - inter
                exact_cache[(x, y)] = inter / union if union else 1.0
        pairs = []
        for x, y in screened_pairs:
            j = exact_cache[(x, y)]
            if j >= threshold:
                pairs.append((reps[x], reps[y], j))
        for p, q in twin_pairs:
            st = stats[reps[p]]
            st.twin, st.twin_similarity = stats[reps[q]].page, round(exact_cache[_sorted_pair((p, q))], 4)
        self._keep_pairs(exact_cache, rep_keys)
        return pairs, len(a)

    def _content_keys(self, cblock: np.ndarray, block_ptr: np.ndarray) -> np.ndarray:
        """A 64-bit key per page for the set of its content blocks (so for its content shingles): the sum of its
        blocks' mixed hashes, which no order changes."""
        mixed = _mix(self._merge().hashes[cblock])
        total = np.concatenate((np.zeros(1, np.uint64), np.cumsum(mixed, dtype=np.uint64)))
        return total[block_ptr[1:]] - total[block_ptr[:-1]]

    def _known_pairs(self, xs: np.ndarray, ys: np.ndarray, keys: np.ndarray) -> dict[tuple[int, int], float]:
        """The similarities of the pairs (xs[k], ys[k]) (positions among the compared pages, whose content keys
        are `keys`) that `known_similarities` holds, by (smaller position, larger): a page whose content set has
        not changed is not compared again."""
        table, values = self.known_similarities
        xs, ys = np.minimum(xs, ys), np.maximum(xs, ys)
        if len(table) == 0 or len(xs) == 0:
            return {}
        at, found = _lookup(table, _pair_keys(keys[xs], keys[ys]))
        return dict(zip(zip(xs[found].tolist(), ys[found].tolist()), values[at[found]].tolist()))

    def _keep_pairs(self, exact: dict[tuple[int, int], float], keys: np.ndarray) -> None:
        """`similarities`: the pairs compared or looked up in this `finish`, by the keys of their content sets."""
        if not exact:
            self.similarities = (np.empty(0, np.uint64), np.empty(0))
            return
        xs = np.fromiter((x for x, _ in exact), np.int64, len(exact))
        ys = np.fromiter((y for _, y in exact), np.int64, len(exact))
        pair = _pair_keys(keys[xs], keys[ys])
        order = np.argsort(pair, kind="stable")
        pair, values = pair[order], np.fromiter(exact.values(), np.float64, len(exact))[order]
        first = np.concatenate(([True], pair[1:] != pair[:-1]))
        self.similarities = (pair[first], values[first])

    def _near_clusters(self, pairs, stats: list[PageStats]) -> list[Cluster]:
        root = _joined([(x, y) for x, y, _ in pairs])
        groups: dict[int, list[tuple[int, int, float]]] = {}
        for x, y, j in pairs:
            groups.setdefault(root(x), []).append((x, y, j))
        clusters = []
        for edges in groups.values():
            members = sorted({m for x, y, _ in edges for m in (x, y)})
            sims = [j for _, _, j in edges]
            pages = [stats[m].page for m in members]
            clusters.append(Cluster("near", pages, round(min(sims), 4), round(max(sims), 4)))
        return clusters


class _Tables:
    """The index as flat arrays for `finish`: block shingle sets, and each page's block occurrences. Block,
    shingle and page numbers are 32-bit (widened before they are combined into one key)."""

    def __init__(self, index: DuplicateIndex):
        table = index._merge()
        self.blocks = nb = len(table.hashes)
        self.blen = table.lengths
        self.bwords = table.words
        self.flat = table.shingles                                     # ordered shingles per block
        combo = np.repeat(np.arange(nb, dtype=np.uint64), self.blen)                # (block, shingle), built
        combo <<= np.uint64(32)                                                       # in place: the largest
        combo |= self.flat                                                            # array of the check
        combo.sort(kind="stable")   # block by block: timsort finds the runs (4x faster than quicksort here)
        if len(combo) > 1:
            combo = combo[np.concatenate(([True], combo[1:] != combo[:-1]))]
        set_block = (combo >> np.uint64(32)).astype(np.int32)                       # distinct shingles per block
        set_sh = (combo & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del combo
        self.bsize = np.bincount(set_block, minlength=nb).astype(np.int64)
        self.set_ptr = np.concatenate(([0], np.cumsum(self.bsize)))
        # every distinct shingle gets a number; a shingle found in several blocks ("lip fillers near" in many
        # headings) is counted once per page
        order = np.argsort(set_sh, kind="stable").astype(np.int32)
        ordered = set_sh[order]
        del set_sh   # each entry's shingle is values[set_gid]
        first = np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else np.empty(0, bool)
        self.group_start = np.flatnonzero(first)
        self.set_gid = np.empty(len(ordered), np.int32)
        self.set_gid[order] = np.cumsum(first) - 1
        self.sorted_block = set_block[order]                 # set entries in shingle order
        del order
        size = np.diff(np.append(self.group_start, len(ordered)))
        self.shared = (size > 1)[self.set_gid]
        self.single = np.bincount(set_block[~self.shared], minlength=nb).astype(np.float64)
        del set_block   # the set entries are grouped by block (set_ptr): tables that big are made when needed
        self.values = ordered[first]                         # the distinct shingles, by number
        del ordered, first
        self.flat_gid = (np.searchsorted(self.values, self.flat).astype(np.int32) if len(self.values)
                         else np.empty(0, np.int32))
        n = len(index._blocks)
        lengths = np.fromiter(map(len, index._blocks), dtype=np.int64, count=n)
        self.occ_page = np.repeat(np.arange(n, dtype=np.int32), lengths)           # every block on every page
        occ = _rows_of(table.hashes, np.concatenate(index._blocks)) if n else np.empty(0, np.int64)
        if (occ < 0).any():
            raise RuntimeError("duplicate check: a page's block was never stored (a worker's batch went missing)")
        self.occ_block = occ.astype(np.int32)
        pairs = distinct(self.occ_page.astype(np.int64) * max(nb, 1) + self.occ_block)   # distinct per page
        self.dpage = (pairs // max(nb, 1)).astype(np.int32)
        self.dblock = (pairs % max(nb, 1)).astype(np.int32)

    def keep_for_pairs(self) -> None:
        """Let go of what only boilerplate and unique text needed, before the pages are compared in pairs (the
        largest tables of a 100,000-page check: keeping them would raise its peak by a sixth)."""
        for name in ("sorted_block", "group_start", "flat_gid", "occ_page", "occ_block", "dpage", "dblock"):
            delattr(self, name)
        self.shared_gid = self.set_gid[self.shared]          # each block's shared shingles, for `shared_sets`
        self.shared_ptr = np.concatenate(([0], np.cumsum(_segment_sums(self.shared, self.set_ptr))))
        del self.shared

    SHARED_CHUNK = 500_000     # (page, shingle) entries expanded at once

    def shared_counts(self, cpage: np.ndarray, cblock: np.ndarray, n: int,
                      only: np.ndarray | None = None) -> np.ndarray:
        """Per page, how many distinct shingles its content blocks hold that other blocks hold too (`only`: of
        those, the shingles numbered True in it). Worked out in chunks of pages, to bound memory."""
        pick = self.shared if only is None else self.shared & only[self.set_gid]   # the entries that count
        keep = self.set_gid[pick]
        ptr = np.concatenate(([0], np.cumsum(_segment_sums(pick, self.set_ptr))))
        del pick
        count = ptr[cblock + 1] - ptr[cblock]
        cum = np.cumsum(count)
        out = np.zeros(n, np.float64)
        start = 0
        while start < len(cblock):
            end = int(np.searchsorted(cum, (cum[start - 1] if start else 0) + self.SHARED_CHUNK, side="right"))
            if end < len(cblock):   # end on a page boundary: a page's shingles are made distinct in one chunk
                end = int(np.searchsorted(cpage, cpage[end], side="left"))
                if end <= start:
                    end = int(np.searchsorted(cpage, cpage[start], side="right"))
            pairs = _owned_values(cpage[start:end], cblock[start:end], ptr, keep)
            out += np.bincount(pairs >> 32, minlength=n)
            start = end
        return out

    def shared_sets(self, pages: list[int], cblock: np.ndarray, block_ptr: np.ndarray) -> dict[int, np.ndarray]:
        """For a few pages at once: the distinct shared shingle numbers of each one's content blocks, sorted
        (`cblock[block_ptr[p]:block_ptr[p + 1]]` are page p's)."""
        at = np.asarray(pages, np.int64)
        owner, entries = _ranges(block_ptr[at], block_ptr[at + 1] - block_ptr[at])
        keys = _owned_values(owner, cblock[entries], self.shared_ptr, self.shared_gid)
        bounds = np.searchsorted(keys >> 32, np.arange(len(pages) + 1)).tolist()
        keys &= 0xFFFFFFFF
        return {page: keys[bounds[k]:bounds[k + 1]] for k, page in enumerate(pages)}

    def unique_by_block(self, cpage, cblock, active, page_area, areas: int):
        """Which shingles (by number) are on the pages of one area only; per block, how many of those it holds
        that no other block holds, and how many of its words they cover. Only content blocks of active pages
        count."""
        nb = self.blocks
        pick = active[cpage]
        pairs = cblock[pick].astype(np.int64)    # (block, area) of every active page's content blocks, in place
        pairs *= areas
        pairs += page_area[cpage[pick]]
        del pick
        pairs = distinct(pairs)
        pb = pairs // areas
        nareas = np.bincount(pb, minlength=nb)
        label = np.full(nb, -2, np.int32)     # per block: the one area of the pages holding it, -1 for several
        label[pb] = pairs % areas
        label[nareas > 1] = -1
        del pairs, pb, nareas
        if len(self.sorted_block) == 0:
            return np.zeros(nb, np.int64), np.zeros(0, bool), np.zeros(nb, np.int64)
        lab = label[self.sorted_block]
        present = lab != -2
        lo = np.minimum.reduceat(np.where(present, lab, np.iinfo(np.int32).max), self.group_start)
        hi = np.maximum.reduceat(np.where(present, lab, -3), self.group_start)
        del lab, present
        own = (lo == hi) & (lo >= 0)                           # per shingle number
        del lo, hi
        counted = own[self.set_gid]
        counted &= ~self.shared
        counted &= np.repeat(label != -2, self.bsize)
        unique_count = _segment_sums(counted, self.set_ptr)
        del counted
        # words covered by those shingles, block by block (a block of w words has shingles at 0 .. w-4)
        hit = np.flatnonzero(own[self.flat_gid] & np.repeat(label >= 0, self.blen))
        word_start = np.concatenate(([0], np.cumsum(self.bwords)))
        first_shingle = np.concatenate(([0], np.cumsum(self.blen)))
        block = np.searchsorted(first_shingle, hit, side="right") - 1
        position = word_start[block] + (hit - first_shingle[block])
        del hit, block
        total = int(word_start[-1])
        covered_word = np.zeros(total + SHINGLE, bool)
        for k in range(SHINGLE):
            covered_word[position + k] = True
        covered_word = covered_word[:total]
        covered = np.add.reduceat(covered_word, word_start[:-1]) if total else np.zeros(nb, np.int64)
        covered[self.bwords == 0] = 0
        return unique_count, own, covered.astype(np.int64)

    MINHASH_CHUNK = 500_000     # shingles (or blocks x bins) folded into page signatures at once

    def page_minhash(self, rows: np.ndarray, blocks: np.ndarray, n: int) -> np.ndarray:
        """MinHash of each page's content, the union of its content blocks' shingles: the bin-wise minimum of
        its blocks' values. `rows`/`blocks`: (row, block) pairs, sorted by row. A block found on several pages
        has its MinHash worked out once; the shingles of a page's own blocks go straight into its bins."""
        sig = np.full(n * BINS, _EMPTY, dtype=np.uint32)
        uses = np.bincount(blocks, minlength=self.blocks)
        several = uses[blocks] > 1
        own_rows, own_blocks = rows[~several], blocks[~several]
        count = self.bsize[own_blocks]
        cum = np.cumsum(count)
        start = 0
        while start < len(own_blocks):
            end = max(int(np.searchsorted(cum, (cum[start - 1] if start else 0) + self.MINHASH_CHUNK,
                                          side="right")), start + 1)
            c = count[start:end]
            page = np.repeat(own_rows[start:end].astype(np.int64), c)
            first = np.repeat(self.set_ptr[own_blocks[start:end]] - (np.cumsum(c) - c), c)
            values = self.values[self.set_gid[first + np.arange(len(page))]]
            bins = page * BINS + (values >> np.uint32(25)).astype(np.int64)
            np.minimum.at(sig, bins, values & np.uint32(0x1FFFFFF))
            start = end
        sig = sig.reshape(n, BINS)
        used = distinct(blocks[several])
        if len(used):
            local = np.searchsorted(used, blocks[several])   # each use's block, numbered among `used`
            # Blocks found on exactly the same pages (a treatment's paragraphs, an area's notes) are folded into
            # one signature first: a page then takes one minimum per such group, not one per block.
            group, groups = _groups_of(local, rows[several], len(used))
            pair = distinct((group[local] << 32) | rows[several].astype(np.int64))   # (group, page), once each
            del local
            use_group, use_row = pair >> 32, pair & 0xFFFFFFFF
            del pair
            by_group = np.argsort(group, kind="stable")            # the used blocks, group after group
            group_start = np.searchsorted(group[by_group], np.arange(groups + 1))
            step = max(1, self.MINHASH_CHUNK // BINS)
            g = 0
            while g < groups:   # whole groups of at most `step` blocks at once (a group is at most a page's blocks)
                end = max(g + 1, int(np.searchsorted(group_start, group_start[g] + step, side="right")) - 1)
                members = used[by_group[group_start[g]:group_start[end]]]
                block_sig = _raw_minhash([self.values[self.set_gid[self.set_ptr[b]:self.set_ptr[b + 1]]]
                                          for b in members.tolist()])
                group_sig = np.minimum.reduceat(block_sig, group_start[g:end] - group_start[g], axis=0)
                del block_sig
                lo, hi = np.searchsorted(use_group, (g, end))
                by_row = np.argsort(use_row[lo:hi], kind="stable") + lo   # these groups' uses, page by page
                for at in range(0, len(by_row), step):
                    part = by_row[at:at + step]
                    page = use_row[part]
                    starts = np.flatnonzero(np.concatenate(([True], page[1:] != page[:-1])))
                    # each page's minimum over its groups in this part, then over what it had
                    least = np.minimum.reduceat(group_sig[use_group[part] - g], starts, axis=0)
                    page = page[starts]
                    sig[page] = np.minimum(sig[page], least)
                g = end
        return sig


# -- numeric helpers -----------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _pairs_of(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(size, k=1)


PAIR_CHUNK = 20_000   # candidate pairs whose signatures are compared at once (2 x 10 MB)
PAIRS_AT_ONCE = 1000  # pairs compared exactly with their pages' shingle sets worked out at once


def _groups_of(owner: np.ndarray, member: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """Number `count` owners by the set of members each has ((owner[k], member[k]) pairs, each pair once):
    owners with the same set share a number. A set is known by a 64-bit key, the sum of its members' mixed
    numbers and of its size's (the same trust as the blocks' own 64-bit hashes). Returns (number of each owner,
    how many numbers)."""
    key = np.zeros(count, np.uint64)
    np.add.at(key, owner, _mix(member.astype(np.uint64) + np.uint64(1)))
    key += _mix(np.bincount(owner, minlength=count).astype(np.uint64) | np.uint64(1 << 63))
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    new = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    group = np.empty(count, np.int64)
    group[order] = np.cumsum(new) - 1
    return group, int(new.sum())


def _agreement(sig: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each pair (a[k], b[k]), the share of MinHash values the two pages have in common."""
    out = np.empty(len(a), np.float64)
    for at in range(0, len(a), PAIR_CHUNK):
        out[at:at + PAIR_CHUNK] = (sig[a[at:at + PAIR_CHUNK]] == sig[b[at:at + PAIR_CHUNK]]).mean(axis=1)
    return out


def _pair_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One 64-bit key for each pair of content-set keys, whichever comes first."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = _mix(lo)
    key *= _P1
    key += hi
    return _mix(key)


def _return_freed_memory() -> None:
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


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranges [starts[k], starts[k] + lengths[k]) one after another, as (k, position) for each entry."""
    lengths = np.asarray(lengths, np.int64)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    offset = np.cumsum(lengths) - lengths
    return owner, np.repeat(np.asarray(starts, np.int64) - offset, lengths) + np.arange(int(lengths.sum()),
                                                                                         dtype=np.int64)


def _owned_values(owner: np.ndarray, blocks: np.ndarray, ptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """`owner[k] << 32 | v` for every value v of block `blocks[k]` (`values[ptr[b]:ptr[b + 1]]` are block b's),
    each once, sorted: the distinct values of each owner's blocks."""
    which, at = _ranges(ptr[blocks], ptr[blocks + 1] - ptr[blocks])
    return distinct((owner[which].astype(np.int64) << 32) | values[at].astype(np.int64))


def _take(batch: BlockBatch, rows: np.ndarray) -> BlockBatch:
    """The blocks at `rows` of a packed batch, in that order."""
    offsets = np.cumsum(batch.lengths) - batch.lengths
    _, at = _ranges(offsets[rows], batch.lengths[rows])
    return BlockBatch(batch.hashes[rows], batch.words[rows], batch.lengths[rows], batch.shingles[at])


def _lookup(table: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value, where it is or would be in the sorted `table`, and whether it is there."""
    if len(table) == 0:
        return np.zeros(len(values), np.int64), np.zeros(len(values), bool)
    at = table.searchsorted(values)
    np.minimum(at, len(table) - 1, out=at)
    return at, table[at] == values


def _rows_of(table: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """The position of each hash in the sorted `table`, or -1 where it is not there."""
    at, found = _lookup(table, hashes)
    return np.where(found, at, -1)


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


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both of two sorted arrays of distinct values (twice as fast as np.intersect1d here)."""
    return b[_lookup(a, b)[1]]


def _segment_sums(flags: np.ndarray, ptr: np.ndarray) -> np.ndarray:
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
    return _densify(_raw_minhash(sets))


def _raw_minhash(sets: list[np.ndarray]) -> np.ndarray:
    """The minimum per bin of each set (empty bins hold _EMPTY). The union of sets has the bin-wise minimum of
    theirs, which is how a page's MinHash is made from its blocks'."""
    n = len(sets)
    lengths = np.fromiter((len(x) for x in sets), dtype=np.int64, count=n)
    allv = np.concatenate(sets) if n else np.empty(0, np.uint32)
    owner = np.repeat(np.arange(n, dtype=np.int64), lengths)
    sig = np.full(n * BINS, _EMPTY, dtype=np.uint32)
    np.minimum.at(sig, owner * BINS + (allv >> np.uint32(25)).astype(np.int64), allv & np.uint32(0x1FFFFFF))
    return sig.reshape(n, BINS)


DENSIFY_CHUNK = 8192   # signatures filled at once (the probe lookups make several arrays of this x BINS)


def _densify(sig: np.ndarray) -> np.ndarray:
    """Fill each empty bin from the bins on its probe sequence (optimal densification)."""
    empty = sig == _EMPTY
    all_rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    del empty
    for at in range(0, len(all_rows), DENSIFY_CHUNK):
        rows = all_rows[at:at + DENSIFY_CHUNK]
        part = sig[rows]
        part_empty = part == _EMPTY
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
    n = len(sig)
    found: list[np.ndarray] = []
    weights = (np.random.default_rng(7).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1))
    for band in range(BANDS):
        block = sig[:, band * ROWS:(band + 1) * ROWS].astype(np.uint64)
        key = _mix((block * weights).sum(axis=1, dtype=np.uint64) + np.uint64(band))
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
