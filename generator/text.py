"""Text facts and helpers that every phase shares, so that each is written once: the one "did you mean", and the
lengths of a title and a meta description that search results show (render aims for them, the SEO check holds
every page to them; sources in checks/seo.py)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

TITLE_MAX = 60
DESCRIPTION_MIN, DESCRIPTION_MAX = 70, 160


def closest(word: str, options: Iterable[str]) -> str | None:
    """The one of `options` that `word` is most likely a typo of, or None."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """"did you mean `x`?" for the closest of `options`, or "" when none is close (a hint's first choice)."""
    close = closest(word, options)
    return f"did you mean `{close}`?" if close else ""
