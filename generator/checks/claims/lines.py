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


def joined_rows(lines: list[str]) -> list[str]:
    """The lines of a text, a line that holds only a price joined to the line before it: a price list's row in
    two cells ("One area", "£149") is read as one ("One area £149"), as a reader reads it."""
    if not any(sign in line for line in lines for sign in CURRENCY_SIGNS):
        return lines
    out: list[str] = []
    for line in lines:
        if out and out[-1] and not out[-1].rstrip().endswith((".", "!", "?", ":")) and _PRICE_ONLY.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line)
    return out


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

