"""The index as flat arrays: where each page's blocks are, and each distinct block's set of shingles.

Block, shingle and page numbers are 32-bit (widened before they are combined into one key). A site of treatments x
areas repeats each treatment's paragraphs on every area's page, so everything here is worked out once per
distinct block, and a page is the list of its blocks.
"""

from __future__ import annotations

import numpy as np

from generator.checks.duplicates.arrays import (
    distinct,
    groups_of,
    lookup,
    owned_values,
    ranges,
    rows_of,
    segment_sums,
)
from generator.checks.duplicates.minhash import BINS, EMPTY_BIN, raw_minhash
from generator.checks.duplicates.text import SHINGLE


class Occurrences:
    """Every block on every page (`occ_page`, `occ_block`, in page order, repeats kept), and each page's distinct
    blocks (`dpage`, `dblock`, sorted by page then block)."""

    def __init__(self, block_hashes: np.ndarray, pages: list[np.ndarray]):
        nb = len(block_hashes)
        n = len(pages)
        lengths = np.fromiter(map(len, pages), dtype=np.int64, count=n)
        self.occ_page = np.repeat(np.arange(n, dtype=np.int32), lengths)
        occ = rows_of(block_hashes, np.concatenate(pages)) if n else np.empty(0, np.int64)
        if (occ < 0).any():
            raise RuntimeError("duplicate check: a page's block was never stored (a worker's batch went missing)")
        self.occ_block = occ.astype(np.int32)
        pairs = distinct(self.occ_page.astype(np.int64) * max(nb, 1) + self.occ_block)
        self.dpage = (pairs // max(nb, 1)).astype(np.int32)
        self.dblock = (pairs % max(nb, 1)).astype(np.int32)


class ShingleSets:
    """Each distinct block's distinct shingles, numbered: the shingles of block b are
    `values[set_gid[set_ptr[b]:set_ptr[b + 1]]]`.

    With `own`, also what `own_words` needs (the blocks that hold each shingle, and each shingle of each block in
    the block's word order); with `near`, what comparing pages in pairs needs (which shingles are in one block only,
    `single`, and each block's shingles shared with other blocks, `shared_gid`).
    """

    def __init__(self, shingles: np.ndarray, lengths: np.ndarray, block_words: np.ndarray, own: bool = False,
                 near: bool = False):
        self.blocks = nb = len(lengths)
        self.blen = lengths
        self.bwords = block_words
        self.own, self.near = own, near
        combo = np.repeat(np.arange(nb, dtype=np.uint64), lengths)               # (block, shingle), built in
        combo <<= np.uint64(32)                                                    # place: the largest array of
        combo |= shingles                                                          # the check
        # block by block: timsort finds the runs (4x faster than quicksort here)
        flat_order = flat_entry = None
        if own:   # where each shingle (in word order) lands, to number them without a search (5x faster)
            flat_order = np.argsort(combo, kind="stable")
            combo = combo[flat_order]
        else:
            combo.sort(kind="stable")
        if len(combo) > 1:
            new_entry = np.concatenate(([True], combo[1:] != combo[:-1]))
            if own:
                flat_entry = np.cumsum(new_entry) - 1          # each sorted shingle's distinct (block, shingle)
            combo = combo[new_entry]
            del new_entry
        elif own:
            flat_entry = np.zeros(len(combo), np.int64)
        set_block = (combo >> np.uint64(32)).astype(np.int32)                     # distinct shingles per block
        set_sh = (combo & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del combo
        self.bsize = np.bincount(set_block, minlength=nb).astype(np.int64)
        self.set_ptr = np.concatenate(([0], np.cumsum(self.bsize)))
        # every distinct shingle gets a number: a shingle found in several blocks ("lip fillers near" in many
        # headings) is one shingle of a page that holds several of them
        order = np.argsort(set_sh, kind="stable").astype(np.int32)
        ordered = set_sh[order]
        del set_sh
        first = np.concatenate(([True], ordered[1:] != ordered[:-1])) if len(ordered) else np.empty(0, bool)
        group_start = np.flatnonzero(first)
        self.set_gid = np.empty(len(ordered), np.int32)
        self.set_gid[order] = np.cumsum(first) - 1
        if own:
            self.group_start = group_start
            self.sorted_block = set_block[order]                   # set entries in shingle order
        del order
        self.values = ordered[first]                               # the distinct shingles, by number
        del ordered, first
        if own:                                                    # each block's shingles in order, numbered
            self.flat_gid = np.empty(len(shingles), np.int32)
            self.flat_gid[flat_order] = self.set_gid[flat_entry]
            del flat_order, flat_entry
        if near:
            self._pairs_part(set_block, np.diff(np.append(group_start, len(self.set_gid))))
        del set_block

    def _pairs_part(self, set_block: np.ndarray, size: np.ndarray) -> None:
        """What comparing pages in pairs needs, from each set entry's block and each shingle's number of blocks."""
        shared = (size > 1)[self.set_gid]
        self.single = np.bincount(set_block[~shared], minlength=self.blocks).astype(np.int64)
        self.shared_gid = self.set_gid[shared]                 # each block's shared shingles, by block
        self.shared_ptr = np.concatenate(([0], np.cumsum(segment_sums(shared, self.set_ptr))))

    def grown(self, at: np.ndarray, shingles: np.ndarray, lengths: np.ndarray, block_words: np.ndarray
              ) -> ShingleSets:
        """The sets of a table of blocks that holds every block of this one (the block that was row b here is row
        `at[b]` there, `at` rising) and others: the same arrays `ShingleSets(shingles, lengths, block_words)`
        makes, worked out from these with the new blocks' shingles alone sorted (the warm preview adds a few
        blocks to a table of hundreds of thousands at each save). `shingles`, `lengths`, `block_words`: the larger
        table's."""
        nb = len(lengths)
        out = ShingleSets.__new__(ShingleSets)
        out.blocks, out.blen, out.bwords, out.own, out.near = nb, lengths, block_words, self.own, self.near
        added = np.ones(nb, bool)
        added[at] = False
        rows = np.flatnonzero(added)                                # the new blocks, in table order
        first_shingle = np.concatenate(([0], np.cumsum(lengths)))
        a_owner, a_at = ranges(first_shingle[rows], lengths[rows])
        a_flat = shingles[a_at]
        combo = distinct((a_owner.astype(np.uint64) << np.uint64(32)) | a_flat.astype(np.uint64))
        a_block = (combo >> np.uint64(32)).astype(np.int64)        # the new blocks' distinct shingles, by block
        a_sh = (combo & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        del combo
        fresh = distinct(a_sh)
        fresh = fresh[~lookup(self.values, fresh)[1]]
        out.values = np.insert(self.values, np.searchsorted(self.values, fresh), fresh)
        renumber = np.searchsorted(out.values, self.values).astype(np.int32)   # rising: orders are kept
        a_gid = np.searchsorted(out.values, a_sh).astype(np.int32)
        a_size = np.bincount(a_block, minlength=len(rows)).astype(np.int64)
        out.bsize = np.zeros(nb, np.int64)
        out.bsize[at], out.bsize[rows] = self.bsize, a_size
        out.set_ptr = np.concatenate(([0], np.cumsum(out.bsize)))
        out.set_gid = np.empty(int(out.set_ptr[-1]), np.int32)
        out.set_gid[ranges(out.set_ptr[at], self.bsize)[1]] = renumber[self.set_gid]
        out.set_gid[ranges(out.set_ptr[rows], a_size)[1]] = a_gid
        count = np.bincount(out.set_gid, minlength=len(out.values))
        if self.own:
            # set entries in shingle order, then block order: the old ones are in that order already
            old_gid = np.repeat(np.arange(len(self.group_start), dtype=np.int64),
                                np.diff(np.append(self.group_start, len(self.sorted_block))))
            old_keys = (renumber[old_gid].astype(np.int64) << 32) | at[self.sorted_block].astype(np.int64)
            new_keys = np.sort((a_gid.astype(np.int64) << 32) | rows[a_block].astype(np.int64))
            keys = np.sort(np.concatenate((old_keys, new_keys)), kind="stable")   # two sorted runs: a merge
            del old_gid, old_keys, new_keys
            out.sorted_block = (keys & 0xFFFFFFFF).astype(np.int32)
            del keys
            out.group_start = np.concatenate(([0], np.cumsum(count)[:-1])) if len(count) else np.empty(0, np.int64)
            out.flat_gid = np.empty(int(first_shingle[-1]), np.int32)
            out.flat_gid[ranges(first_shingle[at], self.blen)[1]] = renumber[self.flat_gid]
            out.flat_gid[a_at] = np.searchsorted(out.values, a_flat).astype(np.int32)
        if self.near:
            out._pairs_part(np.repeat(np.arange(nb, dtype=np.int32), out.bsize), count)
        return out

    # -- own text ---------------------------------------------------------------------------------------------
    def own_words(self, dpage: np.ndarray, dblock: np.ndarray, active: np.ndarray,
                  allowed: np.ndarray | None = None, restricted: np.ndarray | None = None) -> np.ndarray:
        """Per block, the words covered by its shingles that no other active page holds, in any block (0 for a
        block that is on no active page, or on several). `dpage`/`dblock`: each page's distinct blocks. For a page
        that `restricted` marks, only its shingles listed in `allowed` (sorted keys `page << 32 | shingle`: the
        text written for it alone) count."""
        nb = self.blocks
        pick = active[dpage]
        holder_block, holder = dblock[pick], dpage[pick]
        label = np.full(nb, -2, np.int32)        # per block: the one active page holding it, -1 for several
        label[holder_block] = holder
        label[np.bincount(holder_block, minlength=nb) > 1] = -1
        del pick, holder_block, holder
        if len(self.sorted_block) == 0:
            return np.zeros(nb, np.int64)
        lab = label[self.sorted_block]
        present = lab != -2
        lo = np.minimum.reduceat(np.where(present, lab, np.iinfo(np.int32).max), self.group_start)
        hi = np.maximum.reduceat(np.where(present, lab, -3), self.group_start)
        del lab, present
        own = (lo == hi) & (lo >= 0)             # per shingle number: held by one active page only
        del lo, hi
        # the words those shingles cover, block by block (a block of w words has its shingles at 0 .. w-4)
        hit = np.flatnonzero(own[self.flat_gid] & np.repeat(label >= 0, self.blen))
        if restricted is not None and allowed is not None and restricted.any():
            page = np.repeat(label, self.blen)[hit].astype(np.int64)
            limited = restricted[page]
            key = (page[limited] << 32) | self.values[self.flat_gid[hit[limited]]].astype(np.int64)
            keep = np.ones(len(hit), bool)
            keep[limited] = lookup(allowed, key)[1]
            hit = hit[keep]
            del page, limited, key, keep
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
        return covered.astype(np.int64)

    def own_words_of(self, flat: np.ndarray, occ: Occurrences, active: np.ndarray, pages: np.ndarray) -> np.ndarray:
        """Per page (an array of the index's length, 0 but for `pages`), the words of each of `pages` covered by
        its shingles that no other active page holds: `own_words` counted for a few pages, on any sets (it needs
        only each block's distinct shingles, not `own`). `flat`: every block's shingles in word order, those
        these sets were made of. The work is over the blocks of `pages` and the blocks that share a shingle with
        them, so it costs little when they are few."""
        n, nb = len(active), self.blocks
        pick = active[occ.dpage]
        holder_block, holder = occ.dblock[pick], occ.dpage[pick]
        label = np.full(nb, -2, np.int32)        # per block: the one active page holding it, -1 for several
        label[holder_block] = holder
        label[np.bincount(holder_block, minlength=nb) > 1] = -1
        del pick, holder_block, holder
        wanted = np.zeros(n, bool)
        wanted[pages] = True
        mine = np.flatnonzero((label >= 0) & wanted[np.maximum(label, 0)] & (self.blen > 0))
        own_page = np.zeros(n, np.int64)
        if len(mine) == 0:
            return own_page
        _, at = ranges(self.set_ptr[mine], self.bsize[mine])
        marked = np.zeros(len(self.values), bool)
        marked[self.set_gid[at]] = True
        entries = np.flatnonzero(marked[self.set_gid])      # every block's entries for those shingles
        holders = label[np.searchsorted(self.set_ptr, entries, side="right") - 1]
        gid = self.set_gid[entries]
        present = holders != -2
        gid, holders = gid[present], holders[present]
        lo = np.full(len(self.values), np.iinfo(np.int32).max, np.int32)
        hi = np.full(len(self.values), -3, np.int32)
        np.minimum.at(lo, gid, holders)
        np.maximum.at(hi, gid, holders)
        own = (lo == hi) & (lo >= 0)             # per shingle number: held by one active page only
        first_shingle = np.concatenate(([0], np.cumsum(self.blen)))
        owner, at = ranges(first_shingle[mine], self.blen[mine])
        hit = own[np.searchsorted(self.values, flat[at])]
        word_start = np.concatenate(([0], np.cumsum(self.bwords[mine])))
        position = (word_start[owner] + (at - first_shingle[mine][owner]))[hit]
        total = int(word_start[-1])
        covered_word = np.zeros(total + SHINGLE, bool)
        for k in range(SHINGLE):
            covered_word[position + k] = True
        covered = np.zeros(nb, np.int64)
        covered[mine] = np.add.reduceat(covered_word[:total], word_start[:-1])
        return np.bincount(occ.occ_page, weights=covered[occ.occ_block], minlength=n).astype(np.int64)

    # -- pairs ------------------------------------------------------------------------------------------------
    def shared_sets(self, pages: list[int], cblock: np.ndarray, block_ptr: np.ndarray) -> dict[int, np.ndarray]:
        """For a few pages at once: the distinct shared shingle numbers of each one's content blocks, sorted
        (`cblock[block_ptr[p]:block_ptr[p + 1]]` are page p's)."""
        at = np.asarray(pages, np.int64)
        owner, entries = ranges(block_ptr[at], block_ptr[at + 1] - block_ptr[at])
        keys = owned_values(owner, cblock[entries], self.shared_ptr, self.shared_gid)
        bounds = np.searchsorted(keys >> 32, np.arange(len(pages) + 1)).tolist()
        keys &= 0xFFFFFFFF
        return {page: keys[bounds[k]:bounds[k + 1]] for k, page in enumerate(pages)}

    MINHASH_CHUNK = 500_000     # shingles (or blocks x bins) folded into page signatures at once

    def page_minhash(self, rows: np.ndarray, blocks: np.ndarray, n: int) -> np.ndarray:
        """MinHash of each page's content, the union of its content blocks' shingles: the bin-wise minimum of
        its blocks' values. `rows`/`blocks`: (row, block) pairs, sorted by row. A block found on several pages
        has its MinHash worked out once; the shingles of a page's own blocks go straight into its bins."""
        sig: np.ndarray = np.full(n * BINS, EMPTY_BIN, dtype=np.uint32)
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
            group, groups = groups_of(local, rows[several], len(used))
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
                block_sig = raw_minhash([self.values[self.set_gid[self.set_ptr[b]:self.set_ptr[b + 1]]]
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
