"""Slugs: the `[a-z0-9-]` names that become folders in the output."""

from __future__ import annotations

import re
import unicodedata

from generator.text import APOSTROPHES

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*\Z")  # \Z: `$` would accept a trailing newline

# Letters that Unicode decomposition does not reduce to ASCII.
_TRANSLITERATE = str.maketrans({
    "ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
    "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i", "&": " and ",
    **dict.fromkeys(APOSTROPHES, ""),   # "Esher’s" -> "eshers"
})


def slugify(name: str) -> str:
    """'Walton-on-Thames' -> 'walton-on-thames'; 'Crème Brûlée & Co' -> 'creme-brulee-and-co'."""
    text = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATE))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def is_slug(value: str) -> bool:
    return bool(SLUG_RE.fullmatch(value))
