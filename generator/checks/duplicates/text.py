"""Words, masks and shingles: how a page's text is cut up and hashed before pages are compared.

* Words: runs of letters and digits, lower-cased; a hyphenated or apostrophised word ("face-to-face",
  "walton-on-thames", "d'abernon") is one word, and so is a number written with a point or comma ("3.5", "1,000").
* Masks: a site clinic-pages built is compared with the values the generator inserted into its pages set aside.
  Every word of a name the project knows (its places, counties, stations, treatments, practitioners), every number
  and every compass word is replaced by one and the same mark, so "Esher is about 3.5 km south of our West
  Molesey clinic" and "Cobham is about 7.1 km south-west of our West Molesey clinic" are the same text. The mask
  is decided word by word, whatever the neighbouring words (a few short words that names contain, such as "on"
  and "and", are never masked): two passages that are word for word the same are still the same once masked, so
  text masked away can never make a page look more its own than it is.
* Shingles: each run of 4 consecutive words inside one block (paragraph, heading, list item), hashed to 32 bits
  (Broder 1997; the Stanford IR book, 19.6); collisions cost well under 0.1% of a similarity. A shingle never
  spans two blocks, so a heading does not glue itself to the next paragraph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

import numpy as np

from generator.geo import COMPASS_WORDS
from generator.text import APOSTROPHES, ASCII_WORD_PART, WORD_PART, fold_quotes

SHINGLE = 4                     # words per shingle

# a number, or a word whose parts are joined by apostrophes or by hyphens ("Walton-on-Thames" is one word here).
# Unlike the claims check's word (generator/text.py WORD), which a hyphen splits: here a name or a number of any
# shape ("Walton-on-Thames", "south-west", "3.5") is one word, and so one mark once masked, so that two pages that
# differ only in the values inserted into them have the same masked words, one for one.
WORD = re.compile(rf"\d+(?:[.,:]\d+)*|{WORD_PART}(?:[-{APOSTROPHES}]{WORD_PART})*")
ASCII_WORD = re.compile(rf"[0-9]+(?:[.,:][0-9]+)*|{ASCII_WORD_PART}(?:[-']{ASCII_WORD_PART})*")   # in ASCII text
BREAK = np.uint64(0)            # the word hash of a block break
MASK = np.uint64(0x5EED5EED5EED5EED)   # the word hash of every masked word
P1 = np.uint64(0x9E3779B97F4A7C15)     # the odd multiplier that folds word hashes (and pair keys) into one
_C1, _C2 = np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53)
_S33, _S32 = np.uint64(33), np.uint64(32)

# Short words found inside names ("Walton-on-Thames" is one word, but "Kingston upon Thames", "Byfleet & New
# Haw" and "Consultation for Lines and Wrinkles" are not): masked everywhere, they would blur every sentence.
NEVER_MASKED = frozenset({"a", "an", "and", "as", "at", "by", "de", "for", "from", "in", "into", "la", "le", "near",
                          "next", "of", "on", "or", "over", "the", "to", "under", "upon", "with"})


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, as the comparisons see them (® and ™ and punctuation dropped, typographic
    quotes as straight ones: "clinic’s" is "clinic's")."""
    text = folded(text)
    return (ASCII_WORD if text.isascii() else WORD).findall(text)


def folded(text: str) -> str:
    """The text as its words are read: lower case, typographic quotes as the straight ones."""
    return fold_quotes(text.lower())


class Masker:
    """Which words are values the generator inserted: the words of the names it knows, numbers, compass words."""

    def __init__(self, names: Iterable[str]):
        found = {w for name in names for w in words(str(name))}
        self.words = frozenset(w for w in found if w not in NEVER_MASKED and not _has_digit(w)) | COMPASS_WORDS
        self.digest = hashlib.blake2b("\n".join(sorted(self.words)).encode(), digest_size=12).hexdigest()

    def masks(self, word: str) -> bool:
        return word in self.words or _has_digit(word)

    def mask(self, text: str) -> list[str]:
        """The words of a text with the masked ones replaced by "§" (for tests and reports)."""
        return ["§" if self.masks(w) else w for w in words(text)]


def _has_digit(word: str) -> bool:
    return any(c.isdigit() for c in word)


def hash_word(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


class WordHashes(dict):
    """word -> stable 64-bit hash, computed once per distinct word (blake2b: the same in every run); `masked`
    gives the hash a word has once masked (MASK for a masked word, its own hash otherwise)."""

    def __init__(self, masker: Masker | None = None):
        super().__init__({"\n": int(BREAK)})
        self.masker = masker
        self.masked = _MaskedHashes(self)

    def __missing__(self, word: str) -> int:
        value = self[word] = hash_word(word)
        return value


class _MaskedHashes(dict):
    def __init__(self, plain: WordHashes):
        super().__init__({"\n": int(BREAK)})
        self.plain = plain

    def __missing__(self, word: str) -> int:
        masker = self.plain.masker
        value = self[word] = int(MASK) if masker is not None and masker.masks(word) else self.plain[word]
        return value


def mix(h: np.ndarray) -> np.ndarray:
    """Each 64-bit value with its bits mixed (the finaliser of MurmurHash3), in place."""
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
    h = ids[:n] * P1
    for i in range(1, SHINGLE - 1):
        h = (h + ids[i: n + i]) * P1
    h += ids[SHINGLE - 1:]
    breaks = np.flatnonzero(ids == BREAK)
    valid = np.ones(n, bool)
    for k in range(SHINGLE):   # a window starting at b - k contains the break at b
        starts = breaks - k
        valid[starts[(starts >= 0) & (starts < n)]] = False
    where = np.flatnonzero(valid)
    return (mix(h[where]) >> _S32).astype(np.uint32), where
