"""Why two pages are alike, in words: the runs of words that differ, and what kind of values they are."""

from __future__ import annotations

import difflib
import re

from generator.checks.duplicates.text import words
from generator.geo import COMPASS_WORDS

_NUMBER = re.compile(r"^\d+$")
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

    def strip(text: str) -> str:      # the words as the duplicate check reads them, a space between each
        return " ".join(words(text))

    def kind_of(a: str, b: str) -> str | None:
        ta, tb = words(a), words(b)
        if not ta and not tb:
            return "punctuation"
        if all(_NUMBER.match(re.sub(r"\D", "", t) or "x") or t in _UNITS for t in ta + tb):
            return "distance"
        if all(t in COMPASS_WORDS for t in ta + tb):
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
