"""How the lines of a text are read before their sentences are: a price list's row in two cells joined into one, a
lead-in joined to the sentence it leads to, and a sentence marked for a footnote."""

from __future__ import annotations

import re

from generator.checks.claims.phrases import WORD_PATTERN, normalise
from generator.checks.sentences import ASKING, answer_of
from generator.text import CURRENCY_SIGNS

_PRICE = rf"(?:from\s+)?[{CURRENCY_SIGNS}]\s?\d[\d,.]*"   # "£120", "from £1,200.50"
_PRICE_ONLY = re.compile(rf"\s*{_PRICE}(?:\s*(?:each|pp|per \w+|a session))?\s*\**\s*$", re.I)


# a row of a price list as `joined_rows` joins it: a label of a few words, then a price at the end of the line
PRICED_ROW = re.compile(rf"^[^.!?]{{1,60}}\s{_PRICE}\s*\**\s*$", re.I)


def marked(evidence: str) -> bool:
    """True when a claim's sentence carries a footnote mark after its first word and is no footnote itself
    ("No side effects**", "Guaranteed glow after your first session*")."""
    text = normalise(evidence).strip()
    return "*" in text[1:] and not text.startswith("*")


def joined_rows(text: str) -> list[str]:
    """The lines of a text, a line that holds only a price joined to the line before it: a price list's row in
    two cells ("One area", "£149") is read as one ("One area £149"), as a reader reads it."""
    lines = text.split("\n")
    joined_to: dict[int, int] = {}   # a line joined to the line before it -> the line it is part of now
    for n in _lines_with_signs(text):   # only these can hold a price; in order, as a row may follow a row
        if n == 0:
            continue
        before = joined_to.get(n - 1, n - 1)
        previous = lines[before]
        if previous and not previous.rstrip().endswith((".", "!", "?", ":")) and _PRICE_ONLY.match(lines[n]):
            lines[before] = f"{previous} {lines[n].strip()}"
            joined_to[n] = before
    return [line for n, line in enumerate(lines) if n not in joined_to] if joined_to else lines


def _lines_with_signs(text: str) -> list[int]:
    """The numbers of the lines of a text that hold a currency sign, in order (found with `str.find`: a page's
    text is thousands of characters, and a few of them are signs)."""
    found = []
    for sign in CURRENCY_SIGNS:
        at = text.find(sign)
        while at != -1:
            found.append(at)
            at = text.find(sign, at + 1)
    numbers: list[int] = []
    n, counted = 0, 0
    for at in sorted(found):
        n, counted = n + text.count("\n", counted, at), at
        if not numbers or numbers[-1] != n:
            numbers.append(n)
    return numbers


def lead_ins_joined(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentences of a line, with a lead-in joined to the sentence after it, which says what it leads to: "Prom
    ready? Lip packages for the big night.", "Spots and breakouts? Our plan sorts them out.", "School's out! Treat
    yourself to a lip plump." A lead-in is a short question that does not ask (it does not start with "is", "can",
    "how", ...), or a cry of three words at most, that the next sentence does not answer yes or no ("Painless? No,
    but ..." stays two sentences)."""
    if len(spans) < 2 or ("?" not in line and "!" not in line):
        return spans
    out = [spans[0]]
    for start, end in spans[1:]:
        first = line[out[-1][0]:out[-1][1]]
        lead = WORD_PATTERN.findall(first.lower())
        nxt = WORD_PATTERN.findall(line[start:end].lower())
        mark = first.rstrip(" \"')\u201d\u2019")[-1:]
        if (mark == "?" and 0 < len(lead) <= 6 or mark == "!" and 0 < len(lead) <= 3) and lead[0] not in ASKING \
                and nxt and answer_of(*nxt[:3]) == 0:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out

