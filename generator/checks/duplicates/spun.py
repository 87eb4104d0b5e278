"""Text written for a page that is not its own although no other page has it word for word: filler and spin.

Sentence by sentence, in the text written for local pages alone (checks/facts.py `own_text`):

  * Filler: a sentence whose words are all values the generator knows (places, treatments, numbers: the mask of
    text.py), function words or the stock words of advertising: "Looking for lip fillers in Esher? Our Esher
    clients love our friendly, experienced team." It names the place and the treatment and tells a patient
    nothing. No other page has its words, so word counts alone would call it the page's own.
  * Spin: a sentence whose content words (the inserted values, function words and plural endings set aside,
    stock words taken to one word per meaning, word order ignored) are those of a sentence written for another
    page, or all of them but one ("Our Esher clients adore our friendly team" and "Our welcoming team is loved by
    Cobham patients"). Text spun for page after page is the scaled content of Google's spam policies. A spun
    sentence counts for none of the pages that have it, except the most general of them when it is alone of its
    rank (an area's notes spun onto its landing pages stay the area page's own, as text copied word for word
    does once the landing pages are held back: own.py).

Such sentences are taken out of a page's written text before its own words are counted (DuplicateIndex.written_for),
so the page stands on the rest of it, or is held back as thin with the reason (`Discounted`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import NamedTuple

import numpy as np

from generator.checks.duplicates.arrays import distinct, ranges
from generator.checks.duplicates.text import BREAK, MASK, WORD, Masker, folded, hash_word, mix, shingle_hashes
from generator.checks.duplicates.text import words as text_words

MIN_WORDS_TO_MATCH = 3      # content words a sentence needs before it is matched with another page's (shorter
                            # sentences, "Parking is free", are said alike honestly)
MIN_WORDS_TO_SWAP = 5       # and before it is matched with one word swapped ("The village lies close to junction
                            # 10" and "The town lies beside junction 13" are two facts, not one spun)

# Words that carry grammar, not information.
FUNCTION_WORDS = frozenset("""
a an the this that these those it its it's itself they them their theirs there here we us our ours you your yours
i me my he him his she her hers who whom whose which what when where why how whether if so as at by for from in into
of off on onto out over to up upon with within without about after before around near nearer nearest next than
then too very also just only really truly quite more most much many any some every each all both either neither
no not nor and or but yet be is are was were been being am do does did done doing have has had having will would
shall should can could may might must let lets let's get gets got make makes made go goes going come comes came
look looks say says said one ones way ways own always ever often again further else such same other others
""".split())

# The stock words of advertising, grouped by meaning; the first of each group stands for the group. A sentence
# made of these (and of values and function words) is filler; spin swaps words within a group.
STOCK_GROUPS = (
    "client patient customer resident local people person visitor folk everyone anyone someone family neighbour",
    "love adore enjoy like appreciate value rave trust recommend choose prefer pick select loved adored enjoyed "
    "liked appreciated valued trusted recommended chosen chose preferred picked selected",
    "great excellent fantastic superb amazing wonderful outstanding brilliant exceptional fabulous perfect ideal "
    "incredible remarkable terrific marvellous",
    "best finest top leading premier premium number first favourite go-to ultimate",
    "friendly welcoming warm caring approachable kind lovely nice pleasant",
    "beautiful stunning gorgeous pretty charming picturesque delightful idyllic attractive glowing radiant",
    "clinic practice salon centre center studio place venue spot destination home",
    "team practitioner staff expert specialist professional injector",
    "experienced skilled qualified knowledgeable talented trained expertly professionally",
    "treatment procedure service therapy option solution",
    "result outcome transformation difference",
    "natural subtle natural-looking refreshed confident rejuvenated fresh youthful",
    "book reserve schedule arrange secure",
    "call phone ring contact touch message email",
    "today now soon",
    "looking searching seeking hunting wanting want need needing wish consider considering interested",
    "near nearby close local locally around neighbouring surrounding",
    "village town area community neighbourhood suburb region district",
    "live living reside based",
    "welcome welcomed greet greeting greeted",
    "quality high-quality safe effective proven",
    "offer provide deliver give bring",
    "proud delighted pleased happy thrilled",
    "environment setting atmosphere surroundings",
    "relaxing calming comfortable relaxed",
    "feel feeling leave leaving",
    "help assist support",
    "further absolutely yes certainly definitely course",
    "suit suits tailored bespoke personalised individual",
    "again back return",
    "tell told",
    "aim aims",
    "enhance improve boost",
)
SYNONYMS = {word: group.split()[0] for group in STOCK_GROUPS for word in group.split()}
STOCK = frozenset(SYNONYMS.values())


def _base(word: str) -> str:
    """A word with its possessive and plural endings taken off, then taken to its stock group's word."""
    word = word.removesuffix("'s")
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return SYNONYMS.get(word, word)


# A token: a word as text.py reads it, or a sentence break (space after . ! or ?, or a line break), or the mark that
# ends a text when the texts are read in one pass (a character no text has, else they are read one by one). (Words
# first: most tokens are words. No two kinds of token start with the same character, so the order finds the same.)
_END_OF_TEXT = "\x00"
_TOKEN_IN_TEXT = re.compile(rf"{WORD.pattern}|(?<=[.!?])\s+|\n+")
_TOKEN = re.compile(rf"{_TOKEN_IN_TEXT.pattern}|{_END_OF_TEXT}")
_TOKEN_IN_RUN = re.compile(rf"{WORD.pattern}|{_END_OF_TEXT}")   # the tokens of a run of text without white space
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_ENDS_SENTENCE = ".!?"
_BREAK, _OTHER, _CONTENT, _STOCK = 0, 1, 2, 3      # kinds of token


def _new_run(*columns: np.ndarray) -> np.ndarray:
    """Where a new run of equal rows begins, in rows sorted by `columns`."""
    if len(columns[0]) == 0:
        return np.zeros(0, bool)
    new = np.zeros(len(columns[0]), bool)
    new[0] = True
    for c in columns:
        new[1:] |= c[1:] != c[:-1]
    return new


class _Tokens(dict):
    """token -> its row in the tables of distinct tokens: kind, and for content words the hashes of their base
    forms (a hyphenated word has one per part: "two-minute" is "two minute"); and what the duplicate index reads of
    it (index.py's written shingles): the (masked) hashes of its words as text.py reads them, or a block break for a
    line break and the end of a text."""

    def __init__(self, masker: Masker | None):
        super().__init__()
        self.masker = masker
        self.kind: list[int] = []
        self.parts: list[list[int]] = []      # per row: (hash, stock) of each content part, hash << 1 | stock
        self.exact: list[int] = []            # per row: the word's hash, one mark for every masked word
        self.read: list[list[int]] = []       # per row: the word hashes the duplicate index reads, masked

    def __missing__(self, token: str) -> int:
        row = self[token] = len(self.kind)
        if not token.strip() or token[0] in " \t\r\n" + _END_OF_TEXT:
            self.kind.append(_BREAK)
            self.parts.append([])
            self.exact.append(0)
            # the index reads a text line by line (only "\n" ends a line there), each text ended by a break
            self.read.append([int(BREAK)] if "\n" in token or token == _END_OF_TEXT else [])
            return row
        word = folded(token)   # typographic apostrophes as the straight one, as every reader of words
        parts = []
        masked = self.masker is not None and self.masker.masks(word)
        self.exact.append(int(MASK) if masked else hash_word(word))
        self.read.append([int(MASK) if self.masker is not None and self.masker.masks(w) else hash_word(w)
                          for w in text_words(token)])   # (one word, unless lower case splits it: text.words' own)
        if not masked:
            for part in word.split("-"):
                if part and part not in FUNCTION_WORDS and not any(c.isdigit() for c in part):
                    base = _base(part)
                    if base not in FUNCTION_WORDS:
                        parts.append((hash_word(base) & ~1) | (base in STOCK))
        self.kind.append(_CONTENT if parts else _OTHER)
        self.parts.append(parts)
        return row


@dataclass
class Discounted:
    """What was taken out of a page's written text, and why (for the reasons of a held-back page)."""

    filler: list[str] = field(default_factory=list)                # sentences that say nothing but names and praise
    spun: list[tuple[str, str]] = field(default_factory=list)      # (sentence, another page that has it reworded)

    def __bool__(self) -> bool:
        return bool(self.filler or self.spun)


class Reading(NamedTuple):
    """What one reading of the texts written for pages gives: each page's texts less their filler and spun
    sentences (`kept`), what was taken out (`found`), and for the texts kept as they were written, what the
    duplicate index would read of them again (DuplicateIndex.know_written): their distinct (masked) shingles and their
    words, as text.py counts them, by the page's texts."""

    kept: dict[str, tuple[str, ...]]
    found: dict[str, Discounted]
    shingles: dict[tuple[str, ...], np.ndarray]
    words: dict[tuple[str, ...], int]


# The last call's pages and result: the preview checks again at every save, and most saves (a treatment's text, the
# site's settings) change no text written for a local page (0.6 s at 10,000 pages with a note each).
_LAST: list[tuple[tuple, Reading]] = []


def written_key(pages: Iterable[tuple[str, int, tuple[str, ...]]], masker: Masker | None) -> str:
    """A digest of what `discount` reads: the pages, with their ranks and written texts, and the words masked (the
    word lists and settings above are code: the check cache is kept for one code only)."""
    h = hashlib.blake2b(digest_size=16)
    h.update((masker.digest if masker is not None else "-").encode() + b"\0")
    h.update(repr(tuple(pages)).encode())   # (the repr of strings and numbers in tuples: no two lists alike)
    return h.hexdigest()


def discount(pages: Iterable[tuple[str, int, tuple[str, ...]]], masker: Masker | None
             ) -> tuple[dict[str, tuple[str, ...]], dict[str, Discounted]]:
    """For each page (url, rank, the texts written for it), its texts with the filler and spun sentences taken out
    (a text that lost some keeps the rest, one sentence a line, so that no 4 words join across a gap), and what
    was taken out, for the pages that lost any (a sentence that another page has word for word, names aside, is
    taken out but not listed: the page's own text is measured without it anyway).

    Worked out for every page at once, over arrays: a sentence is a key (the sum of its content words' hashes,
    which no order changes) and, from MIN_WORDS_TO_SWAP words, one key per word left out."""
    reading = discount_and_shingle(pages, masker)
    return reading.kept, reading.found


def discount_and_shingle(pages: Iterable[tuple[str, int, tuple[str, ...]]], masker: Masker | None) -> Reading:
    """`discount`, and from the same reading of the texts, what the duplicate index reads of those kept as written
    (their shingles and words, `Reading`): each text is read once."""
    pages = list(pages)
    key = (masker.digest if masker is not None else None, tuple(pages))
    if _LAST and _LAST[0][0] == key:
        known = _LAST[0][1]
    else:
        known = _discount(pages, masker)
        _LAST[:] = [(key, known)]
    return Reading(dict(known.kept), dict(known.found), dict(known.shingles), dict(known.words))


def _discount(pages: list[tuple[str, int, tuple[str, ...]]], masker: Masker | None) -> Reading:
    table = _Tokens(masker)
    every = [text for _, _, texts in pages for text in texts]
    text_pages = [p for p, (_, _, texts) in enumerate(pages) for _ in texts]
    closing = table[_END_OF_TEXT]                 # a break, that ends each text
    if not every:   # (no text: not even a closing mark)
        row = np.empty(0, np.int64)
    elif any(_END_OF_TEXT in text for text in every):   # (read one by one, each closed by the mark)
        closed = np.asarray([closing], np.int64)
        row = np.concatenate([part for text in every for part in (_token_rows(text, table, WORD), closed)])
    else:   # in one pass: 30 % less time at 10,000 texts
        row = _token_rows(_END_OF_TEXT.join(every) + _END_OF_TEXT, table, _TOKEN_IN_RUN)
    kept = {url: texts for url, _, texts in pages}
    text_ends = np.flatnonzero(row == closing) + 1   # where each text's tokens end (after the break closing it)
    shingles, counts = _as_the_index_reads(table, row, text_ends, text_pages, pages)
    if not every:
        return Reading(kept, {}, shingles, counts)
    kind = np.asarray(table.kind, np.int8)[row]
    brk = kind == _BREAK
    sid = np.cumsum(brk) - brk                     # each token's sentence (a break ends its sentence)
    n_sentences = int(sid[-1]) + 1
    # a sentence never spans two texts (a break ends each): its text is its break's
    text_of_sentence = np.searchsorted(text_ends, np.flatnonzero(brk), side="right")
    page = np.asarray(text_pages, np.int64)[text_of_sentence]
    words = np.bincount(sid[kind != _BREAK], minlength=n_sentences)
    # content parts: (sentence, hash with the stock bit)
    lengths = np.fromiter((len(x) for x in table.parts), np.int64, len(table.parts))
    flat_parts = np.fromiter((h for x in table.parts for h in x), np.uint64, int(lengths.sum()))
    # each part as its rank among the distinct ones (a few thousand), so that a (sentence, part) pair is one number
    known_parts, part_rank = np.unique(flat_parts, return_inverse=True)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    cont = np.flatnonzero(kind == _CONTENT)
    owner, at = ranges(offsets[row[cont]], lengths[row[cont]])
    n_known = max(len(known_parts), 1)
    pairs = distinct(sid[cont][owner] * n_known + part_rank.reshape(-1)[at])   # distinct (sentence, part), sorted
    p_sid, p_hash = pairs // n_known, known_parts[pairs % n_known]
    stock = (p_hash & np.uint64(1)).astype(bool)
    n_content = np.bincount(p_sid, minlength=n_sentences)
    n_plain = np.bincount(p_sid[~stock], minlength=n_sentences)
    filler = (words > 0) & (n_plain == 0)
    mixed = mix(p_hash.copy())
    full = np.zeros(n_sentences, np.uint64)
    if len(p_sid):   # (p_sid is sorted: each sentence's words are a run)
        starts = np.flatnonzero(_new_run(p_sid))
        full[p_sid[starts]] = np.add.reduceat(mixed, starts)
    # keys: the whole set (sentences of MIN_WORDS_TO_MATCH or more content words), and each set with one word out
    whole = np.flatnonzero(n_content >= MIN_WORDS_TO_MATCH)
    drop = n_content[p_sid] >= MIN_WORDS_TO_SWAP
    key = np.concatenate((full[whole], full[p_sid[drop]] - mixed[drop]))
    key_sid = np.concatenate((whole, p_sid[drop]))
    rank = np.asarray([r for _, r, _ in pages], np.int64)
    spun = np.zeros(n_sentences, bool)
    held = (np.empty(0, np.uint64), np.empty(0, np.int64))   # every key, sorted, and the page of each
    if len(key):
        key_page = page[key_sid]
        order = np.lexsort((key_page, key))
        k, kp = key[order], key_page[order]
        group = np.cumsum(_new_run(k)) - 1
        first_of_page = _new_run(k, kp)
        r = rank[kp]
        top = np.maximum.reduceat(r, np.flatnonzero(_new_run(group)))
        at_top = np.bincount(group[first_of_page & (r == top[group])], minlength=len(top))
        # another page holds the key at this page's rank or above
        other = (top[group] > r) | ((top[group] == r) & (at_top[group] >= 2))
        spun[key_sid[order][other]] = True
        held = k, kp
    spun &= ~filler & (words > 0)
    # sentences another page has word for word, names aside: taken out, but not listed (see above)
    copied = np.zeros(n_sentences, bool)
    if spun.any():
        word_at = np.flatnonzero(~brk)
        first_token = np.searchsorted(sid, np.arange(n_sentences))   # (sid rises along the tokens)
        position = (word_at - first_token[sid[word_at]]).astype(np.uint64)
        exact = np.asarray(table.exact, np.uint64)[row[word_at]] + position * np.uint64(0x9E3779B97F4A7C15)
        sentence_key = np.zeros(n_sentences, np.uint64)
        ws = sid[word_at]
        starts = np.flatnonzero(_new_run(ws))
        sentence_key[ws[starts]] = np.add.reduceat(mix(exact), starts)
        order = np.lexsort((page, sentence_key))
        k, kp = sentence_key[order], page[order]
        group = np.cumsum(_new_run(k)) - 1
        new_page = _new_run(k, kp)
        pages_with = np.bincount(group[new_page], minlength=int(group[-1]) + 1)
        copied[order] = pages_with[group] >= 2
    found: dict[str, Discounted] = {}
    affected = distinct(page[filler | spun]).tolist()
    if not affected:
        return Reading(kept, found, shingles, counts)
    sentence_keys: dict[int, list[int]] = {}
    of_spun = spun[key_sid]
    spun_keys = key[of_spun]
    for k, s in zip(spun_keys.tolist(), key_sid[of_spun].tolist(), strict=True):
        sentence_keys.setdefault(s, []).append(k)
    held_keys, held_pages = held   # the pages that hold each key of a spun sentence
    starts, ends = np.searchsorted(held_keys, spun_keys, "left"), np.searchsorted(held_keys, spun_keys, "right")
    holders = {k: set(held_pages[a:b].tolist()) for k, a, b in zip(spun_keys.tolist(), starts.tolist(), ends.tolist(),
                                                                 strict=True)}
    text_first = np.searchsorted(text_of_sentence, np.arange(len(text_ends) + 1))   # each text's first sentence
    text_number = np.concatenate(([0], np.cumsum([len(t) for _, _, t in pages])))
    for p in affected:
        url, _, texts = pages[p]
        out, new = Discounted(), []
        for t, text in enumerate(texts):
            number = int(text_number[p]) + t
            pieces = [x for x in _SENTENCE_END.split(text) if WORD.search(x)]
            ids = np.arange(text_first[number], text_first[number + 1])
            ids = ids[words[ids] > 0]
            keep = []
            for piece, s in zip(pieces, ids.tolist(), strict=True):
                if filler[s]:
                    out.filler.append(piece.strip())
                elif spun[s]:
                    others = {o for k in sentence_keys.get(s, ()) for o in holders[k]} - {p}
                    other = min(others, key=lambda o: (-int(rank[o]), pages[o][0])) if others else None
                    if other is not None and not copied[s]:
                        out.spun.append((piece.strip(), pages[other][0]))
                else:
                    keep.append(piece.strip())
            new.append(text if len(keep) == len(pieces) else "\n".join(keep))
        kept[url] = tuple(new)
        if out:
            found[url] = out
    # only texts kept as written: what the index reads of a text that lost sentences is worked out there
    now = set(kept.values())
    return Reading(kept, found, {t: v for t, v in shingles.items() if t in now},
                   {t: v for t, v in counts.items() if t in now})


class _Runs(dict):
    """A run of text without white space -> its number in `rows`, the list of the rows of each run's tokens (those
    `token` finds), and with `space`, of the sentence break after it when it ends a sentence and white space
    without a line break follows. Two tables may share one list (`rows`): their numbers never meet."""

    def __init__(self, table: _Tokens, token: re.Pattern[str], rows: list[tuple[int, ...]], space: int | None = None):
        super().__init__()
        self.table, self.token, self.rows, self.space = table, token, rows, space

    def __missing__(self, run: str) -> int:
        rows = tuple(map(self.table.__getitem__, self.token.findall(run)))
        if self.space is not None and run[-1] in _ENDS_SENTENCE:
            rows += (self.space,)
        number = self[run] = len(self.rows)
        self.rows.append(rows)
        return number


def _token_rows(text: str, table: _Tokens, token: re.Pattern[str]) -> np.ndarray:
    """The rows of the tokens `_TOKEN.findall(text)` finds (`_TOKEN_IN_TEXT`'s, with `token` WORD), in order, with
    each sentence break as the row of " " or of "\n" (white space that holds a line break: the breaks' rows differ
    in nothing else), read with str.split and a table of the runs between white space instead of the regular
    expression (30 % less time for the whole reading at 10,000 texts). The white space between two runs is one
    break after a run that ends with . ! or ?, else one break for each run of line breaks in it (a line of white
    space parts two such runs, an empty line does not). Each run is read as its number in the table of runs, whose
    rows are put in its place at the end, over arrays: an array of rows, which the reading needs, without a list of
    600,000 rows turned into one (the whole reading of 10,000 texts 5 % fewer instructions; this part alone is no
    cheaper)."""
    run_rows: list[tuple[int, ...]] = [(table[" "],), (table["\n"],)]
    space, newline = 0, 1   # (the runs numbered 0 and 1: a break's row alone)
    inner, last = _Runs(table, token, run_rows, table[" "]), _Runs(table, token, run_rows)
    runs_read: list[int] = []
    ends = False       # the last run read ends a sentence
    breaks = 0         # runs of line breaks since the last run read
    crossed = False    # a line break since then
    trailing = False   # white space after it on its line
    lines = text.split("\n")
    for n, line in enumerate(lines):
        if n:
            crossed = True
            breaks += n < 2 or lines[n - 1] != ""   # (a line break right after another continues its run)
        runs = line.split()
        if not runs:
            continue
        if ends:   # (the white space since the run that ended a sentence holds a line break)
            runs_read.append(newline)
        elif breaks:
            runs_read += [newline] * breaks
        runs_read.extend(map(inner.__getitem__, runs[:-1]))
        runs_read.append(last[runs[-1]])
        ends, breaks, crossed, trailing = runs[-1][-1] in _ENDS_SENTENCE, 0, False, line[-1].isspace()
    if ends and (crossed or trailing):
        runs_read.append(newline if crossed else space)
    elif not ends:
        runs_read += [newline] * breaks
    lengths = np.fromiter(map(len, run_rows), np.int64, len(run_rows))
    flat = np.fromiter(chain.from_iterable(run_rows), np.int64, int(lengths.sum()))
    offsets = np.cumsum(lengths) - lengths
    read = np.asarray(runs_read, np.int64)
    return flat[ranges(offsets[read], lengths[read])[1]]


def _as_the_index_reads(table: _Tokens, row: np.ndarray, text_ends: np.ndarray, text_pages: list[int],
                        pages: list[tuple[str, int, tuple[str, ...]]]
                        ) -> tuple[dict[tuple[str, ...], np.ndarray], dict[tuple[str, ...], int]]:
    """Each page's texts as written -> their distinct (masked) shingles and their words, as the duplicate index reads
    them (index.py `_shingles_of_written`: every line of every text ended by a break), from the tokens read here."""
    lengths = np.fromiter(map(len, table.read), np.int64, len(table.read))
    flat = np.fromiter((h for x in table.read for h in x), np.uint64, int(lengths.sum()))
    offsets = np.cumsum(lengths) - lengths
    owner, at = ranges(offsets[row], lengths[row])
    ids = flat[at]
    # each token's page: its text's (text_ends: where each text's tokens end)
    page_of_token = np.asarray(text_pages, np.int64)[np.searchsorted(text_ends, np.arange(len(row)), side="right")] \
        if len(row) else np.empty(0, np.int64)
    word_count = np.where(np.asarray(table.kind, np.int8)[row] == _BREAK, 0, lengths[row])
    per_page = np.bincount(page_of_token, weights=word_count, minlength=len(pages)).astype(np.int64).tolist()
    found, starts = shingle_hashes(ids)
    keys = distinct((page_of_token[owner[starts]] << 32) | found.astype(np.int64))
    bounds = np.searchsorted(keys >> 32, np.arange(len(pages) + 1)).tolist()
    values = (keys & 0xFFFFFFFF).astype(np.uint32)
    shingles: dict[tuple[str, ...], np.ndarray] = {}
    counts: dict[tuple[str, ...], int] = {}
    for p, (_, _, texts) in enumerate(pages):
        if texts not in shingles:
            shingles[texts] = values[bounds[p]:bounds[p + 1]]
            counts[texts] = per_page[p]
    return shingles, counts
