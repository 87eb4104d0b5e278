"""A page's own text, page by page, and which pages have too little of it (thin pages).

Definitions (the same for `check` and `audit`; `check` also masks what the generator inserted, see text.py):
  * Boilerplate: blocks (paragraphs, headings, list items) found word for word on at least `boilerplate_share` of
    the distinct indexable pages (navigation, disclaimers), once there are MIN_PAGES_FOR_BOILERPLATE of them.
  * Content words: the words of a page's passages long enough to compare (a shingle or more) that are not
    boilerplate.
  * Own words: the words covered by a (masked) 4-word shingle that no other indexable page holds, anywhere on it.
    Text repeated on another page, or that differs from it only by inserted values, is not a page's own.
  * A page is thin when its own words are fewer than `min_unique_words`, or less than `min_unique_share` of its
    content words.

Which pages are "indexable" is the fixpoint of a deterministic rule, because a page held back is not indexable,
so the text it shared counts as the others' own from then on. Pages are judged rank by rank, the most specific
first (landing pages, then area pages, then treatment pages, then the rest); a thin page that may be held back
leaves the index before the next rank is judged, so an area page keeps the local notes that its landing pages
repeated. Within a rank, every page is judged against the same index, so the order of pages does not matter:
two pages that share their text are held back together (neither has it as its own). Once every rank is judged,
the pages left are judged again against each other, boilerplate included, until no more leave: what is left is a
set of pages each of which has text of its own against all the others, which is what `audit` finds on the built
site (the figures of every page left are those against the pages left).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

import numpy as np

from generator.checks.duplicates.results import DuplicateSettings
from generator.checks.duplicates.tables import Occurrences, ShingleSets

MIN_PAGES_FOR_BOILERPLATE = 10  # below this, "common to a large share of pages" means too little


@dataclass
class Counts:
    """Per page (all arrays of the index's length), against one set of active pages."""

    content: np.ndarray       # content words
    own: np.ndarray           # own words
    boiler_words: np.ndarray  # words in boilerplate blocks
    boiler: np.ndarray        # per block: boilerplate


@dataclass
class Written:
    """The text written for some pages alone (`restricted`): only its shingles (`allowed`, sorted keys
    `page << 32 | masked shingle`) count as their own; a page's template text never does."""

    allowed: np.ndarray
    restricted: np.ndarray


def count(sets: ShingleSets, occ: Occurrences, n: int, active: np.ndarray, settings: DuplicateSettings,
          written: Written | None = None) -> Counts:
    """Content, own and boilerplate words of every page, against the `active` pages."""
    nb = sets.blocks
    long = sets.blen > 0
    boiler = np.zeros(nb, bool)
    active_count = int(active.sum())
    if active_count >= MIN_PAGES_FOR_BOILERPLATE:
        pick = active[occ.dpage] & long[occ.dblock]
        need = max(2, int(ceil(settings.boilerplate_share * active_count)))
        boiler = np.bincount(occ.dblock[pick], minlength=nb) >= need
    words = sets.bwords.astype(np.float64)
    content = np.bincount(occ.occ_page, weights=(words * (long & ~boiler))[occ.occ_block], minlength=n)
    boiler_words = np.bincount(occ.occ_page, weights=(words * boiler)[occ.occ_block], minlength=n)
    covered = sets.own_words(occ.dpage, occ.dblock, active, written.allowed if written else None,
                             written.restricted if written else None)
    own = np.bincount(occ.occ_page, weights=covered[occ.occ_block], minlength=n)
    return Counts(content.astype(np.int64), own.astype(np.int64), boiler_words.astype(np.int64), boiler)


def is_thin(own: np.ndarray, content: np.ndarray, settings: DuplicateSettings) -> np.ndarray:
    share = np.divide(own, content, out=np.zeros(len(own)), where=content > 0)
    return (own < settings.min_unique_words) | (share < settings.min_unique_share)


@dataclass
class Judged:
    """The outcome for every page: its figures when it was last judged, whether it is thin, whether it left."""

    content: np.ndarray
    own: np.ndarray
    boiler_words: np.ndarray
    thin: np.ndarray
    held: np.ndarray
    active: np.ndarray         # the pages left in the index
    boiler: np.ndarray         # per block, against the pages left


def settle(sets: ShingleSets, occ: Occurrences, n: int, active: np.ndarray, judged: np.ndarray,
           ranks: np.ndarray, may_leave: np.ndarray, settings: DuplicateSettings,
           earlier: Judged | None = None, written: Written | None = None) -> Judged:
    """Judge the `judged` pages rank by rank (lowest first) against the `active` ones, letting those that are
    thin and `may_leave` leave, then again against the pages left until none leaves (see the module's doc).
    `earlier`: an earlier outcome whose held pages stay held (the set of pages only ever shrinks)."""
    active = active.copy()
    out = earlier or Judged(np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
                            np.zeros(n, bool), np.zeros(n, bool), active, np.zeros(sets.blocks, bool))
    counts: Counts | None = None

    def judge(pages: np.ndarray, counts: Counts) -> bool:
        """Record the figures of `pages` and judge them; True when some left."""
        out.content[pages], out.own[pages] = counts.content[pages], counts.own[pages]
        out.boiler_words[pages] = counts.boiler_words[pages]
        out.thin[pages] = is_thin(counts.own[pages], counts.content[pages], settings)
        leave = pages[out.thin[pages] & may_leave[pages]]
        active[leave] = False
        out.held[leave] = True
        return len(leave) > 0

    if earlier is None:
        for rank in np.unique(ranks[judged]).tolist():
            if counts is None:
                counts = count(sets, occ, n, active, settings, written)
            if judge(np.flatnonzero(judged & active & (ranks == rank)), counts):
                counts = None
    while counts is None:
        fresh = count(sets, occ, n, active, settings, written)
        counts = None if judge(np.flatnonzero(judged & active), fresh) else fresh
    others = np.flatnonzero(active & ~judged)   # in the index but judged by another rule: their figures only
    out.content[others], out.own[others] = counts.content[others], counts.own[others]
    out.boiler_words[others] = counts.boiler_words[others]
    out.active, out.boiler = active, counts.boiler
    return out
