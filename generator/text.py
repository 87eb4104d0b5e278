"""Text facts and helpers that every phase shares, so that each is written once: the one "did you mean", the
lengths of a title and a meta description that search results show (render aims for them, the SEO check holds
every page to them; sources in checks/seo/), and how the checks read words: which quotes are folded to the
straight ones, what joins the parts of a word, and how runs of spaces are squashed."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

TITLE_MAX = 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 70, 160

# Typographic quotes and the straight ones people type are the same to every check, and to the plan's search for
# place names and to slugs: folded to the straight ones (`fold_quotes`) before words are read.
QUOTES = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'))
CURRENCY_SIGNS = "£$€"   # the signs a price is written with (claims read a price, content a value)
# the marks read as an apostrophe: the straight one and those QUOTES folds to it ("it's", "o’clock", "it‘s")
APOSTROPHES = "'" + "".join(old for old, new in QUOTES if new == "'")
WORD_PART = r"[^\W_]+"   # a run of letters or digits: what every reader of words takes as a word or a part of one
# the same in ASCII text (most lines): its letters and digits in a set that the expression engine looks up in a table,
# where for WORD_PART it asks each character's Unicode category (a fifth quicker); `str.isascii` says when it applies
ASCII_WORD_PART = "[a-zA-Z0-9]+"
# The claims check's word: its parts joined by an apostrophe ("it's" is one word), split at a hyphen, as that check
# matches a rule's phrase word by word whether a page joins its words with a hyphen or a space ("risk-free", "risk
# free"; claims/phrases.py reads dashes as hyphens). It differs from the duplicate check's (checks/duplicates/text.py),
# whose words a hyphen joins, and from the plan's name words (plan.py), split at apostrophes too: each says why.
WORD = rf"{WORD_PART}(?:[{APOSTROPHES}]{WORD_PART})*"


# Words of field names as a person writes them, in the editing form's labels and the spreadsheets' sheet titles.
NAME_WORDS = {"faqs": "FAQs", "faq": "FAQ", "url": "URL", "km": "km", "id": "ID", "h1": "h1"}


def fold_quotes(text: str) -> str:
    """The text with typographic quotes as the straight ones (the same length)."""
    if not text.isascii():   # str.replace per mark is many times faster than str.translate
        for old, new in QUOTES:
            if old in text:
                text = text.replace(old, new)
    return text


def squash(text: str) -> str:
    """The text with every run of white space, line breaks too, as one space, and none at either end."""
    return " ".join(text.split())


def closest(word: str, options: Iterable[str]) -> str | None:
    """The one of `options` that `word` is most likely a typo of, or else the longest one of at least three
    characters that `word` starts with (`latitude` for `lat`); None when there is neither."""
    options = list(options)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return close[0]
    starts = [option for option in options if len(option) >= 3 and word.startswith(option)]
    return max(starts, key=len) if starts else None


def did_you_mean(word: str, options: Iterable[str], written: Callable[[str], str] = str) -> str:
    """"did you mean `x`?" for the closest of `options`, or "" when none is close (a hint's first choice).
    `written(x)` is how the suggestion is shown, when not as the option itself (`@x`, a whole rule id)."""
    close = closest(word, options)
    return f"did you mean `{written(close)}`?" if close else ""
