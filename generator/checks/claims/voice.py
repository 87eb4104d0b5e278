"""Who speaks in a sentence, and whether it uses its words or talks about them: a client's review (the first
person, a quotation, a signature) makes claims of its own; words quoted to be talked about make none."""

from __future__ import annotations

import re

from generator.checks.claims.phrases import WORD_PATTERN, normalise
from generator.checks.sentences import Word, language_words

# the words of a review and of the clinic's voice (generator/rules/language.yaml)
_FIRST_PERSON = language_words("first-person")
_CLINIC_VOICE = language_words("clinic-voice")
_PRACTITIONER = language_words("practitioner")   # "my clients", "I inject": the practitioner
_ASKS_FOR_ME = language_words("asks-for-me")   # "DM me": the practitioner
# what a client says of their own treatment (a review), not what a practitioner says of their work: "my skin",
# "my lips", "I look", "I felt", "I'm thrilled", "it made me", or the sentence quoted
_CLIENT_OWN = language_words("client-own")
_CLIENT_I = language_words("client-i")
_CLIENT_ME = language_words("client-me")

_QUOTE_OPENERS = ('"', "'", "\u201c", "\u2018")


def _whole_quote(text: str) -> bool:
    """True when the sentence is a quotation (a review), not a sentence that starts with a quoted word ('"Permanent"
    results')."""
    t = text.strip()
    if not t.startswith(_QUOTE_OPENERS) or len(t.split()) < 4:
        return False
    close = max(t.rfind('"'), t.rfind("\u201d"), t.rfind("'") if t[0] in "'\u2018" else -1, t.rfind("\u2019"))
    return close > 0.6 * len(t) or close == 0   # or a quotation that goes on past the sentence: '"Wow! Love it"


# a review's signature at its end: '..." Jo', '... - Sarah, Walton', '... \u2013 Priya K.'
_NAME_SIGNED = r"[A-Z][a-z]+(?:\s[A-Z][a-z]*\.?)?"
_WHERE_SIGNED = r",\s*(?:[A-Z][a-z]+|\d+)(?:\s[A-Z][a-z]+)?"
_ATTRIBUTED = re.compile(rf"(?:[\"\u201d]\s*[-\u2013\u2014]?\s*{_NAME_SIGNED}(?:{_WHERE_SIGNED})?"
                         rf"|[.!?]\s*[-\u2013\u2014]\s*{_NAME_SIGNED}(?:{_WHERE_SIGNED})?"
                         rf"|\s[-\u2013\u2014]\s*{_NAME_SIGNED}{_WHERE_SIGNED})[.!]?\s*$")


# a review's own marks, with or without "I": "10/10 would recommend", "five stars", "5*"
_REVIEW_MARKS = re.compile(r"\b(?:would|highly|definitely|100 ?%) recommend|\b10 ?/ ?10\b|\b(?:5|five)[ -]?stars?\b"
                           r"|(?<![\w£])5 ?\*(?!\w)", re.I)


def first_person(words: tuple[Word, ...], text: str = "") -> bool:
    """True for a client's review: a sentence in the first person singular, not in the clinic's "we", not a
    practitioner speaking of their work ("my clients", "my diary", "DM me"), that speaks of the writer's own
    treatment ("my skin", "I look", "I felt", "it made me") or is quoted ('"Best thing I've done" - Jo')."""
    forms = [w.form for w in words]
    present = set(forms)
    if not present.isdisjoint(_CLINIC_VOICE):
        return False
    quoted = _whole_quote(text) or _ATTRIBUTED.search(text) is not None or _REVIEW_MARKS.search(text) is not None
    if present.isdisjoint(_FIRST_PERSON):
        return quoted   # '"Not a single bruise!" - Jo'
    if any(f in _FIRST_PERSON and i + 1 < len(forms) and forms[i + 1] in _PRACTITIONER
           or f == "me" and i and forms[i - 1] in _ASKS_FOR_ME
           for i, f in enumerate(forms)):
        return False
    if quoted:
        return True
    for i, f in enumerate(forms):
        after = forms[i + 1] if i + 1 < len(forms) else ""
        if (f == "my" and not _CLIENT_OWN.isdisjoint(forms[i + 1:i + 4]) or f == "i" and after in _CLIENT_I
                or f in ("i'm", "i've", "i'd")
                or f in ("me", "myself") and i and forms[i - 1] in _CLIENT_ME):
            return True
    return False


_QUOTED = re.compile(r"[\"\u201c\u2018]([^\"\u201c\u201d\u2018\u2019]{2,60})[\"\u201d\u2019]"
                     r"|(?<![\w'])'([^']{2,60})'(?![\w'])")
_META = language_words("quoted-about")


def quoted_terms(text: str) -> list[str]:
    """The quoted words of a sentence that talks about words ("'No downtime' is a phrase we don't use"), each as
    lower-case words joined by spaces; none when the sentence does not talk about words."""
    low = normalise(text)
    spans = [a or b for a, b in _QUOTED.findall(low)]
    if not spans:
        return []
    words = WORD_PATTERN.findall(low)
    if _META.isdisjoint(words) and not _names_a_term(text, low, words, spans):
        return []
    return [" ".join(WORD_PATTERN.findall(span)) for span in spans if len(span.split()) <= 6]


_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.):]|[a-z][.)]|[-\u2022\u00b7])\s*")


def _names_a_term(text: str, low: str, words: list[str], spans: list[str]) -> bool:
    """True for a short line that starts with a quoted term and is mostly that term, with no price or number: a
    heading that names the words it goes on to talk about ('"Clinically proven"', '"Permanent" results'), not a
    claim in scare quotes on an offer ('Our "miracle" facial', '"No downtime" peel £60'). In a numbered list of
    headings the term may also end the line ('3. Results that "last forever"'): a list of the claims it warns of."""
    unmarked = _LIST_MARK.sub("", low, count=1)   # "2) 'Results guaranteed'" in a numbered list of headings
    numbered = unmarked != low and low.lstrip()[:1].isdigit()
    low = unmarked
    words = [w for w in words if not w.isdigit()]
    quoted = low.lstrip()[:1] in "\"'" or (numbered and low.rstrip()[-1:] in "\"'")
    return (quoted and len(words) <= 5 and "!" not in low and _ATTRIBUTED.search(text) is None
            and _FIRST_PERSON.isdisjoint(words) and not any(c.isdigit() or c in "£$€%" for c in low)
            and 2 * sum(len(WORD_PATTERN.findall(span)) for span in spans) >= len(words))
