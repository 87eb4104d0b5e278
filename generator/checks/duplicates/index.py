"""The duplicate index: pages collected one at a time as lists of blocks, then judged together in `finish`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from generator.checks.duplicates.arrays import distinct, lookup, ranges, return_freed_memory, rows_of
from generator.checks.duplicates.minhash import BINS
from generator.checks.duplicates.near import near_clusters, near_pairs
from generator.checks.duplicates.own import Written, is_thin, settle
from generator.checks.duplicates.results import Cluster, DuplicateResult, DuplicateSettings, PageStats
from generator.checks.duplicates.tables import Occurrences, ShingleSets
from generator.checks.duplicates.text import Masker, WordHashes, shingle_hashes
from generator.checks.duplicates.text import words as text_words

LARGE_INDEX = 20_000            # pages from which freed tables go back to the system at once
LINE_MEMO = 50_000    # distinct lines remembered (line -> block) before the memo starts again: most
                      # lines of a large site are on one page only, and a hot line is soon back


def _texts_key(texts: tuple[str, ...]) -> int:
    """A 64-bit key of the texts written for a page (the check cache keeps their shingles under it)."""
    h = hashlib.blake2b(digest_size=8)
    for text in texts:   # each text with its length: no two lists of texts run together alike
        data = text.encode()
        h.update(len(data).to_bytes(8, "little") + data)
    return int.from_bytes(h.digest(), "little")


class Prepared(NamedTuple):
    """One page's main text as the comparison keeps it: the blocks it is made of, in order. A block (a
    paragraph, heading or list item: one line of the main text) is stored once in the index however many pages
    repeat it; a worker process sends the blocks it stored to the main one in batches (`take_new`)."""

    key: bytes                  # digest of its blocks in order, for exact duplicates
    words: int
    blocks: np.ndarray          # uint64 block hashes, in page order (repeats kept)


class Analysis(NamedTuple):
    """What a `finish` worked out that the next one in this process can start from (`DuplicateIndex.keep`): its table
    of blocks, the shingle sets of those blocks (own text: masked; pairs: as written), and the MinHash signature of
    each content set it compared, by the set's key (near.py)."""

    table: BlockBatch
    own: ShingleSets
    near: ShingleSets
    signatures: tuple[np.ndarray, np.ndarray]   # sorted content-set keys, and a (keys, BINS) uint32 array


class BlockBatch(NamedTuple):
    """Blocks with their shingles, packed: how they travel between processes and into the check cache."""

    hashes: np.ndarray          # uint64
    words: np.ndarray           # int64, words in each block
    lengths: np.ndarray         # int64, shingles of each block
    shingles: np.ndarray        # uint32, every block's shingle hashes, one after another
    masked: np.ndarray | None   # uint32, the same shingles with the masked words masked; None: no mask


def _empty_batch(masked: bool) -> BlockBatch:
    return BlockBatch(np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.uint32),
                      np.empty(0, np.uint32) if masked else None)


def _take(batch: BlockBatch, rows: np.ndarray) -> BlockBatch:
    """The blocks at `rows` of a packed batch, in that order."""
    offsets = np.cumsum(batch.lengths) - batch.lengths
    _, at = ranges(offsets[rows], batch.lengths[rows])
    return BlockBatch(batch.hashes[rows], batch.words[rows], batch.lengths[rows], batch.shingles[at],
                      batch.masked[at] if batch.masked is not None else None)


class DuplicateIndex:
    """Collects pages one at a time as lists of blocks, then judges them all in `finish`.

    Each distinct block (its words and shingle hashes) is kept once: a site of treatments x areas repeats each
    treatment's paragraphs on every area's page, so the index grows with the distinct text, not the pages, and
    the site-wide work (boilerplate, own text, MinHash) runs over the distinct blocks.

    Blocks are kept packed, as `BlockBatch`es (from worker processes, the check cache, or this process's own
    new blocks), and a page as the array of its blocks' hashes: no Python object per block, so 100,000 pages
    (800,000 distinct blocks) fit in tens of megabytes. `finish` merges the batches into one table.

    `mask`: the values the generator inserted (text.py); own text is then judged on the masked shingles, while
    boilerplate, exact and near duplicates are judged on the text as it is (as a search engine reads it)."""

    def __init__(self, settings: DuplicateSettings | None = None, mask: Masker | None = None):
        self.settings = settings or DuplicateSettings()
        self.mask = mask
        self._hashes = WordHashes(mask)
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
        # exact similarities of pairs of content sets, by `pair_keys` (sorted) and value: those a cache held
        # before `finish`, and those `finish` worked out or used (for the cache to keep)
        self.known_similarities: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0))
        self.similarities: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.uint64), np.empty(0))
        # MinHash signatures of content sets, by the set's key (near.py): those a cache held before `finish`, and
        # those `finish` worked out or used
        self.known_signatures: tuple[np.ndarray, np.ndarray] | None = None
        self.signatures: tuple[np.ndarray, np.ndarray] | None = None
        self._written: dict[str, tuple[str, ...]] = {}     # page -> the text written for it alone
        self._apart: set[str] = set()                       # pages not judged thin (`judged_apart`)
        # that text's distinct (masked) shingles, by the text: worked out for every page at once when first needed,
        # and handed on to the next index in this process (`carry_from`), which works out only the texts that changed
        self._written_shingles: dict[tuple[str, ...], np.ndarray] = {}
        self._written_words: dict[tuple[str, ...], int] = {}   # and its words, when the reading that found filler
                                                               # and spin counted them (`know_written`)
        self.keep = False                              # keep `analysis` after `finish`, for the next index
        self.analysis: Analysis | None = None          # what the last `finish` (or a carried one) worked out
        self._carried: Analysis | None = None          # an earlier index's, that `finish` grows rather than redoes

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
                found = text_words(line)
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
        fresh = ~lookup(self._known, hashes)[1]
        hashes = hashes[fresh]
        entries = [entry for entry, f in zip(new.values(), fresh.tolist(), strict=True) if f]
        del new
        words = np.fromiter((w for w, _ in entries), dtype=np.int64, count=len(entries))
        lengths, parts, masked_parts = np.zeros(len(entries), np.int64), [], []
        for at in range(0, len(entries), self.MATERIALISE_CHUNK):
            part = entries[at:at + self.MATERIALISE_CHUNK]
            tokens = [text.split() for _, text in part]
            counts = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
            flat = [w for t in tokens for w in (*t, "\n")]
            ids = np.fromiter(map(self._hashes.__getitem__, flat), dtype=np.uint64, count=len(flat))
            if self.mask is not None:   # the same positions, with the masked words' hashes replaced
                masked_ids = np.fromiter(map(self._hashes.masked.__getitem__, flat), dtype=np.uint64,
                                         count=len(flat))
                masked_parts.append(shingle_hashes(masked_ids)[0])
            del tokens, flat
            shingles, starts = shingle_hashes(ids)
            line_start = np.concatenate(([0], np.cumsum(counts + 1)[:-1]))   # where each block's words begin
            line_of = np.searchsorted(line_start, starts, side="right") - 1
            lengths[at:at + len(part)] = np.bincount(line_of, minlength=len(part))
            parts.append(shingles)
        joined = np.concatenate(parts) if parts else np.empty(0, np.uint32)
        masked = None
        if self.mask is not None:
            masked = np.concatenate(masked_parts) if masked_parts else np.empty(0, np.uint32)
        return BlockBatch(hashes, words, lengths, joined, masked)

    def mark_sent(self) -> None:
        """Before worker processes fork: what the index holds now, they hold too (and need not send back)."""
        self._absorb_new()
        self._known = distinct(np.concatenate([b.hashes for b in self._batches])) if self._batches else \
            np.empty(0, np.uint64)

    def receive(self, batch: BlockBatch | None) -> None:
        """Keep the blocks of a batch (those the index holds already are dropped when the batches merge)."""
        if batch is not None and len(batch.hashes):
            if (batch.masked is None) != (self.mask is None):
                raise ValueError("a batch of blocks masked otherwise than this index")
            self._batches.append(batch)
            self._table = None

    def _absorb_new(self) -> None:
        if self._new:
            self.receive(self.take_new())

    def _merge(self) -> BlockBatch:
        """Every block once, sorted by hash."""
        self._absorb_new()
        if self._table is None:
            batches = self._batches or [_empty_batch(self.mask is not None)]
            masked = None if self.mask is None else np.concatenate([b.masked for b in batches])
            hashes, words, lengths, shingles = (np.concatenate(part) for part in zip(*(b[:4] for b in batches),
                                                                                     strict=True))
            every = BlockBatch(hashes, words, lengths, shingles, masked)
            order = np.argsort(every.hashes, kind="stable")
            ordered = every.hashes[order]
            first = np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else np.empty(0, bool)
            del ordered
            self._table = _take(every, order[first])   # the first copy of each block, in hash order
            self._batches = [self._table]
        return self._table

    def export(self, hashes: np.ndarray) -> BlockBatch:
        """The stored blocks among `hashes` (sorted, distinct)."""
        table = self._merge()
        rows = rows_of(table.hashes, hashes)
        return _take(table, rows[rows >= 0])

    def written_for(self, page: str, texts: list[str]) -> None:
        """Say which text was written for `page` alone (its provenance: the rest of it comes from records that have
        pages of their own, or from the template): only that text can be its own. Pages never named here are
        judged on all their text."""
        self._written[page] = tuple(str(text) for text in texts)

    def judged_apart(self, page: str) -> None:
        """Say that `page` has earned its place by something other than its text (a landing page's offer, see
        plan.credit_offers): it is not judged on the text written for it, with inserted values masked, but word for
        word on all its text, as `audit` judges any page (a page a search engine finds thin is thin, whatever it
        offers), once every other page is judged; its text counts against the other pages', and it is judged for
        near duplicates as any page."""
        self._apart.add(page)

    def know_written(self, shingles: dict[tuple[str, ...], np.ndarray], words: dict[tuple[str, ...], int]) -> None:
        """Take the distinct (masked) shingles and the words of texts written for pages from the reading that took
        their filler and spin out (spun.py `discount_and_shingle`, with this index's mask), so that they are not read
        again here."""
        for texts, values in shingles.items():
            self._written_shingles.setdefault(texts, values)
        self._written_words.update(words)

    def written_word_count(self, texts: tuple[str, ...]) -> int:
        """The words of texts written for a page, as the comparisons count them."""
        known = self._written_words.get(texts)
        return known if known is not None else sum(len(text_words(t)) for t in texts)

    def _shingles_of_written(self) -> dict[tuple[str, ...], np.ndarray]:
        """The distinct (masked) shingles of each text written for a page, those not known yet worked out together in
        one vectorised pass (one page at a time cost 10,000 small passes at 10,000 pages)."""
        known = self._written_shingles
        todo = list(dict.fromkeys(texts for texts in self._written.values() if texts not in known))
        if todo:
            hashes = self._hashes.masked if self.mask is not None else self._hashes
            flat: list[str] = []
            ends = np.empty(len(todo), np.int64)
            for k, texts in enumerate(todo):   # every line ends with a break: no shingle spans two texts
                for text in texts:
                    for line in text.split("\n"):
                        flat += text_words(line)
                        flat.append("\n")
                ends[k] = len(flat)
            ids = np.fromiter(map(hashes.__getitem__, flat), dtype=np.uint64, count=len(flat))
            shingles, starts = shingle_hashes(ids)
            owner = np.searchsorted(ends, starts, side="right")
            keys = distinct((owner.astype(np.int64) << 32) | shingles.astype(np.int64))
            bounds = np.searchsorted(keys >> 32, np.arange(len(todo) + 1)).tolist()
            values = (keys & 0xFFFFFFFF).astype(np.uint32)
            for k, texts in enumerate(todo):
                known[texts] = values[bounds[k]:bounds[k + 1]]
        return known

    def written_shingles(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The shingles of the texts written for this index's pages, for the check cache: (sorted 64-bit keys of
        the texts, where each one's shingles start in the values, the values)."""
        known = self._written_shingles
        keyed = sorted((_texts_key(texts), texts) for texts in {texts for texts in self._written.values()
                                                                 if texts in known})
        texts = [t for _, t in keyed]
        keys = np.fromiter((k for k, _ in keyed), np.uint64, len(keyed))
        keys, first = np.unique(keys, return_index=True)
        parts = [known[texts[k]] for k in first.tolist()]
        ptr = np.concatenate(([0], np.cumsum([len(x) for x in parts], dtype=np.int64)))
        return keys, ptr, np.concatenate(parts) if parts else np.empty(0, np.uint32)

    def take_written_shingles(self, keys: np.ndarray, ptr: np.ndarray, values: np.ndarray) -> None:
        """Take the shingles of the texts written for pages from the check cache (`written_shingles`), for the texts
        written for this index's pages (the others are worked out when needed)."""
        texts = list(set(self._written.values()) - self._written_shingles.keys())
        at, found = lookup(keys, np.fromiter(map(_texts_key, texts), np.uint64, len(texts)))
        for k in np.flatnonzero(found).tolist():
            row = int(at[k])
            self._written_shingles[texts[k]] = values[ptr[row]:ptr[row + 1]]

    def carry_from(self, earlier: DuplicateIndex) -> None:
        """Start from what an earlier index of this process worked out (the preview, at each save), when both mask
        the same words: the shingles of the texts written for pages (those still written for a page here) and,
        when it kept them (`keep`), its table of blocks, shingle sets and page signatures, which `finish` grows by
        the blocks that are new rather than work out again. Blocks no page uses any more stay in the table (they
        change no figure) until they are a quarter of it."""
        if (earlier.mask.digest if earlier.mask else None) != (self.mask.digest if self.mask else None):
            return
        now = set(self._written.values())
        for texts, shingles in earlier._written_shingles.items():   # (beside those `know_written` gave)
            if texts in now:
                self._written_shingles.setdefault(texts, shingles)
        if earlier.analysis is not None:
            self._carried = earlier.analysis
            self.receive(earlier.analysis.table)

    def _written_table(self) -> Written | None:
        if not self._written:
            return None
        shingles_of = self._shingles_of_written()
        restricted = np.zeros(len(self._pages), bool)
        keys = []
        for i, page in enumerate(self._pages):
            texts = self._written.get(page)
            if texts is not None:
                restricted[i] = True
                keys.append((np.int64(i) << 32) | shingles_of[texts].astype(np.int64))
        return Written(distinct(np.concatenate(keys)) if keys else np.empty(0, np.int64), restricted)

    def add_prepared(self, page: str, prepared: Prepared) -> None:
        index = len(self._pages)
        self._same_as.append(self._exact.setdefault(prepared.key, index))
        self._pages.append(page)
        self._words.append(prepared.words)
        self._blocks.append(prepared.blocks)

    def _grown(self, table: BlockBatch, occ: Occurrences
               ) -> tuple[BlockBatch, Occurrences, tuple[ShingleSets, ShingleSets] | None, tuple | None]:
        """The table, its occurrences, and the own-text and pair sets of the table grown from the carried analysis
        (`carry_from`) with its page signatures: None when there is none to grow (or it is not all in the table),
        or when blocks that no page uses have become a quarter of the table; then the table loses them and the
        sets are made afresh. The signatures are known by their content, whatever the table."""
        carried, self._carried = self._carried, None
        if carried is None:
            return table, occ, None, None
        used = np.zeros(len(table.hashes), bool)
        used[occ.occ_block] = True
        if 4 * int((~used).sum()) > len(used):
            self._table = table = _take(table, np.flatnonzero(used))
            self._batches = [table]
            return table, Occurrences(table.hashes, self._blocks), None, carried.signatures
        at = np.searchsorted(table.hashes, carried.table.hashes)
        if len(at) and (at[-1] >= len(table.hashes) or not np.array_equal(table.hashes[at], carried.table.hashes)):
            return table, occ, None, carried.signatures
        own = carried.own.grown(at, table.masked if table.masked is not None else table.shingles, table.lengths,
                                table.words)
        near = own if table.masked is None else carried.near.grown(at, table.shingles, table.lengths, table.words)
        return table, occ, (own, near), carried.signatures

    # -- the judgement ----------------------------------------------------------------------------------------
    def _judge_apart(self, sets: ShingleSets, plain: np.ndarray, occ: Occurrences, outcome, apart: np.ndarray,
                     may: np.ndarray, stats: list[PageStats]) -> bool:
        """Judge the pages judged apart (`judged_apart`) that are still indexable, against the pages left: their own
        words counted word for word, on all their text, as `audit` counts them (a different offer earns a page a
        place, but a page a search engine finds thin is thin). Those thin that may leave leave the index; True
        when some left."""
        pages = np.flatnonzero(apart & outcome.active)
        if len(pages) == 0:
            return False
        own = sets.own_words_of(plain, occ, outcome.active, pages)
        outcome.own[pages] = own[pages]
        outcome.thin[pages] = is_thin(own[pages], outcome.content[pages], self.settings)
        for i in pages.tolist():
            stats[i].word_for_word = True
        leave = pages[outcome.thin[pages] & may[pages]]
        if len(leave) == 0:
            return False
        outcome.active[leave] = False
        outcome.held[leave] = True
        return True

    def finish(self, explain: Callable[[str, str], str] | None = None, ranks: dict[str, int] | None = None,
               may_leave: Callable[[str, str], bool] | None = None) -> DuplicateResult:
        """Judge every page: exact duplicates, own text (thin pages), near duplicates.

        `ranks` ({page: rank}) orders the judging of thin pages, lowest first (by default the deepest URL first),
        and chooses the page kept of a group of duplicates (the highest rank, then the shortest URL).
        `may_leave(rule, page)` says whether a page found by a rule (`duplicates.exact`, `duplicates.thin`,
        `duplicates.near`) leaves the index, that is is held back, so that the text it shares counts as the other
        pages' own from then on (own.py); without it no page leaves (`audit` judges what is published).
        `explain(page_a, page_b)` says why two pages of a cluster are alike.
        """
        n = len(self._pages)
        if n >= LARGE_INDEX:
            return_freed_memory()
        s, pages = self.settings, self._pages
        leaves = may_leave or (lambda rule, page: False)
        rank_of = np.array([(ranks or {}).get(p, -p.count("/")) for p in pages], dtype=np.int64)
        position = {p: i for i, p in enumerate(pages)}

        def keep_order(i: int):
            return (-int(rank_of[i]), len(pages[i]), pages[i])

        table = self._merge()
        table, occ, grown, signatures = self._grown(table, Occurrences(table.hashes, self._blocks))
        stats = [PageStats(page=pages[i], words=self._words[i]) for i in range(n)]
        active, judged = np.ones(n, bool), np.array([p not in self._apart for p in pages], dtype=bool)
        clusters: list[Cluster] = []
        # exact duplicates: the same blocks in the same order. The copies are judged by their own rule, never thin:
        # held back, they leave the index; published, their text is on another indexable page, and so is the
        # kept page's, which is then judged by the same rule, not thin either
        groups: dict[int, list[int]] = {}
        for i, first in enumerate(self._same_as):
            groups.setdefault(first, []).append(i)
        for members in groups.values():
            if len(members) < 2:
                continue
            keeper = min(members, key=keep_order)
            for i in members:
                if i != keeper:
                    stats[i].duplicate_of, judged[i] = pages[keeper], False
                    stats[i].held = leaves("duplicates.exact", pages[i])
                    active[i] = not stats[i].held
                    judged[keeper] &= stats[i].held
                    stats[i].twin, stats[i].twin_similarity = pages[keeper], 1.0
            stats[keeper].twin, stats[keeper].twin_similarity = pages[min(set(members) - {keeper})], 1.0
            clusters.append(Cluster("exact", sorted(pages[i] for i in members), 1.0, 1.0, keeper=pages[keeper]))

        may = np.array([leaves("duplicates.thin", p) for p in pages], dtype=bool)
        plain, masked = table.shingles, table.masked
        if signatures is None:
            signatures = self.known_signatures

        def own_sets() -> ShingleSets:
            if grown is not None:
                return grown[0]
            return ShingleSets(masked if masked is not None else plain, table.lengths, table.words, own=True,
                               near=masked is None)
        written = self._written_table()
        sets = own_sets()
        outcome = settle(sets, occ, n, active, judged, rank_of, may, s, written=written)
        near_sets = sets if masked is None else (grown[1] if grown is not None else None)
        kept_own = sets if self.keep else None
        del sets
        compared = confirmed = 0
        apart = np.array([p in self._apart for p in pages], dtype=bool) if self._apart else None
        while True:
            if near_sets is None:
                near_sets = ShingleSets(plain, table.lengths, table.words, near=True)
            if apart is not None and self._judge_apart(near_sets, plain, occ, outcome, apart, may, stats):
                if kept_own is None and masked is not None:   # not both at once (memory, at 100,000 pages)
                    near_sets = None
                outcome = settle(kept_own or own_sets(), occ, n, outcome.active.copy(), judged, rank_of, may, s,
                                 outcome, written)
                continue
            keep = outcome.active[occ.dpage] & ~outcome.boiler[occ.dblock] & (table.lengths[occ.dblock] > 0)
            cpage, cblock = occ.dpage[keep], occ.dblock[keep]
            copy = np.array([st.duplicate_of is not None for st in stats], dtype=bool)   # compared as the kept page
            reps = np.flatnonzero(outcome.active & ~copy & (np.bincount(cpage, minlength=n) > 0)).tolist()
            found = near_pairs(near_sets, table.hashes, cpage, cblock, n, reps, s.near_threshold, stats,
                               self.known_similarities, signatures)
            compared, confirmed, self.similarities = found.compared, len(found.pairs), found.similarities
            signatures = self.signatures = found.signatures
            near = near_clusters(found.pairs, stats)
            leaving = []
            for cluster in near:
                members = [position[p] for p in cluster.pages]
                keeper = min(members, key=keep_order)
                cluster.keeper = pages[keeper]
                leaving += [i for i in members if i != keeper and leaves("duplicates.near", pages[i])]
            if not leaving:
                break
            for i in leaving:   # held back as near duplicates: judge the rest again without them
                stats[i].held = True
            active = outcome.active.copy()
            active[leaving] = False
            if kept_own is None and masked is not None:   # not both at once (memory, at 100,000 pages)
                near_sets = None
            sets = kept_own or own_sets()
            outcome = settle(sets, occ, n, active, judged, rank_of, may, s, outcome, written)
            del sets
        clusters += near
        if self.keep and kept_own is not None and near_sets is not None:
            self.analysis = Analysis(table, kept_own, near_sets, signatures if signatures is not None else
                                     (np.empty(0, np.uint64), np.empty((0, BINS), np.uint32)))
        self.known_signatures = None
        del near_sets

        for i, st in enumerate(stats):
            st.content_words, st.unique_words = int(outcome.content[i]), int(outcome.own[i])
            st.unique_share = round(float(outcome.own[i] / outcome.content[i]), 4) if outcome.content[i] else 0.0
            st.boilerplate_share = round(float(outcome.boiler_words[i] / st.words), 4) if st.words else 0.0
            st.thin = bool(outcome.thin[i])
            st.held = st.held or bool(outcome.held[i])
        for cluster in clusters:
            cluster.pages.sort()
        clusters.sort(key=lambda c: (c.kind != "exact", c.pages[0]))
        by_page = {st.page: st for st in stats}
        for number, cluster in enumerate(clusters):
            for page in cluster.pages:
                by_page[page].cluster = number
            if explain is not None and len(cluster.pages) > 1:
                cluster.why = explain(cluster.pages[0], cluster.pages[1])
        return DuplicateResult(stats, clusters, int(outcome.boiler.sum()), compared, confirmed, s.near_threshold)
