"""Claims and advertising rules: concepts in a YAML rule file, matched sentence by sentence against a page.

A rule (see `generator/rules/uk.yaml`, the default UK rule set, and docs/checks.md) is a concept: `phrases` in
a small pattern language over words (inflections, alternatives, named sets of words, gaps, numbers), with the
words that must be `near`, and `unless` phrases for other senses of its words ("money-back guarantee",
"semi-permanent make-up"). Matching is per sentence, on the visible text, the title, the meta description, image
alt text and the strings of the JSON-LD. A match is excused when a negation reaches it ("no treatment is
risk-free", see `sentences.py`), when it is asked rather than said ("Is it permanent? No, ..."), or when it lies in
a disclaimer of the clinic's own library; a rule with `negatable: false` (a medicine's name) is reported even then.

Phrase syntax, word by word:
    guarantee        the word in any inflection (guarantees, guaranteed, guaranteeing)
    =permanent       this form only
    risk-free        the words in turn, with a hyphen, a space or nothing between ("risk free", "riskfree")
    a|b|c            one of them;  (a b|c d e)  one of these runs of words;  @name  any entry of the set `name`
    ?word            optional;  ...  up to 4 words of the same clause between;  ...2  up to 2
    #num  #num<18  #num>=2  #time   a number (digits or words), compared; a time of day (5pm, 17:00, midnight)
    £ % * + &        the sign itself
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from generator.checks.finding import Finding
from generator.checks.page import HtmlPage
from generator.checks.sentences import (
    ASKING,
    NEGATIONS,
    NUMBER_WORDS,
    Sentence,
    Word,
    answer_of,
    negated_after,
    negation_scopes,
    sentence_of,
    sentences_of,
    split_compound,
    split_sentences,
    words_of,
)
from generator.data import Document, format_path, parse_document
from generator.errors import DataError, Problem
from generator.schema import Boolean, Choice, Field, ListOf, MapOf, Number, Obj, Text, custom, validate
from generator.text import CURRENCY_SIGNS, QUOTES, WORD, did_you_mean, squash

DEFAULT_RULES = "uk.yaml"


# -- words and their forms --------------------------------------------------------------------------------------

def word_forms(word: str) -> list[str]:
    """A word and its regular inflections: "guarantee" -> guarantees, guaranteed, guaranteeing; "slim" ->
    slims, slimmed, slimming; "cure" -> cures, cured, curing; "remedy" -> remedies, remedied. Forms that are not
    English cost nothing: only forms found on a page are ever looked up. Irregular forms are listed in the rules."""
    if not word.isalpha() or len(word) < 3:
        return [word]
    return _inflections(word) + [word + "'s"]   # and the possessive: "school's out", "Botox's"


def _inflections(word: str) -> list[str]:
    if word.endswith("e"):
        stem = word[:-1]
        return [word, word + "s", stem + "ed", stem + "ing", word + "d", stem + "er", stem + "ers", stem + "est",
                word + "r", word + "st", word + "ly"]
    if word.endswith("y") and word[-2] not in "aeiou":
        stem = word[:-1]
        return [word, stem + "ies", stem + "ied", word + "ing", stem + "ier", stem + "iest", stem + "ily"]
    forms = [word, word + "s", word + "es", word + "ed", word + "ing", word + "er", word + "ers", word + "est",
             word + "ly"]
    if len(word) <= 5 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms += [word + word[-1] + s for s in ("ed", "ing", "er", "ers", "est")]   # slim -> slimming
    return forms


def normalise(text: str) -> str:
    """Lower-case, (R) and (TM) as spaces, straight quotes: the form rules match (same length as the text)."""
    return _clean(text.lower())


# footnote marks (dagger, double dagger, superscript numbers) become the asterisk that rules and footnotes look for
_NORMALISE = (("®", " "), ("™", " "), ("†", "*"), ("‡", "*"), ("\u00b9", "*"), ("\u00b2", "*"), ("\u00b3", "*"),
              ("\u2074", "*"), *QUOTES, ("\u2013", "-"), ("\u2014", "-"), ("\u00a0", " "))


def _clean(text: str) -> str:
    """`normalise` with the case kept (names are told by their capitals)."""
    if not text.isascii():   # str.replace per character is many times faster than str.translate
        for old, new in _NORMALISE:
            if old in text:
                text = text.replace(old, new)
    if "^" in text:   # a caret is a footnote mark too: "No bruising^ ^Bruising happens in ..."
        text = text.replace("^", "*")
    return text


# -- phrases ----------------------------------------------------------------------------------------------------

Atom = frozenset | tuple          # a set of word forms, or ("num", op, value) / ("time",)
Alternative = tuple               # a sequence of atoms: one alternative of an element


@dataclass(frozen=True)
class Element:
    alternatives: tuple[Alternative, ...] = ()
    optional: bool = False
    gap: int = 0                  # > 0: a gap of up to this many words (and no alternatives)
    # worked out from `alternatives` for matching (see __post_init__)
    single: frozenset[str] = field(init=False, repr=False, compare=False)
    longer: dict[str, tuple[Alternative, ...]] = field(init=False, repr=False, compare=False)
    other: tuple[Alternative, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # for matching: the one-word alternatives as one set of forms; longer ones by their first word's forms;
        # the rest (numbers, times) as they are
        single: set[str] = set()
        longer: dict[str, list[tuple]] = {}
        other = []
        for alt in self.alternatives:
            head = alt[0]
            if isinstance(head, frozenset):
                if len(alt) == 1:
                    single |= head
                else:
                    for form in head:
                        longer.setdefault(form, []).append(alt[1:])
            else:
                other.append(alt)
        object.__setattr__(self, "single", frozenset(single))
        object.__setattr__(self, "longer", {k: tuple(v) for k, v in longer.items()})
        object.__setattr__(self, "other", tuple(other))


@dataclass(frozen=True)
class Phrase:
    text: str                                     # as written in the rule file
    elements: tuple[Element, ...]
    near: tuple[Phrase, ...] = ()                 # one of these must be in the same sentence
    within: int | None = None                     # ... at most this many words away, in the same clause
    not_near: tuple[Phrase, ...] = ()             # no match counts in a sentence that holds one of these
    near_all: tuple[Phrase, ...] = ()             # each of these must be in the same sentence too
    asked: bool = False                           # counts only in a question answered "no": "Any side effects? None."
    not_after: tuple[Phrase, ...] = ()            # no match counts after a sentence that holds one of these ...
    after_within: int = 6                         # ... among this many sentences before it (see Claim.context)
    footnote: tuple[Phrase, ...] = ()             # one of these in the sentence, or in a footnote of the page
    near_before: tuple[Phrase, ...] = ()          # one of these in one of the `after_within` sentences before it


_SYMBOLS = frozenset("£$€%*+&")
_PARTS = re.compile(r"(?:\([^()]*\)|[^\s(])+")          # a phrase's parts: words, alternatives, groups
_ITEMS = re.compile(r"(\([^()]*\)|[^|()]*)\|")           # the alternatives of one part, each followed by |
_NUM = re.compile(r"^#num(?:(<=|>=|<|>|=)(\d+)|(\d+)-(\d+))?$")
_HYPHENS = re.compile(r"[-\u2010\u2011\u2013]")
_WORDISH = re.compile(WORD + rf"|[{CURRENCY_SIGNS}%*+&]")


class PhraseError(ValueError):
    pass


def compile_phrase(text: str, sets: dict[str, list[str]], _depth: int = 0) -> Phrase:
    """A phrase of the rule language (see the module's docstring) as elements to match."""
    if text.count("(") != text.count(")") or re.search(r"\([^)]*\(", text):
        raise PhraseError("an empty alternative, or a group not closed: write a|b or (a b|c d), groups not nested")
    elements: list[Element] = []
    for part in _PARTS.findall(text):
        if part.startswith("..."):
            n = part[3:]
            if n and not n.isdigit():
                raise PhraseError(f"`{part}`: a gap is `...` or `...` with a number of words, such as `...2`")
            if not elements or elements[-1].gap:
                raise PhraseError("a phrase cannot start with a gap or have two gaps together")
            if n and int(n) == 0:
                continue   # `...0`: no word between, the words next to each other (a gap of 0 would need a word)
            elements.append(Element(gap=int(n) if n else 4))
            continue
        optional = part.startswith("?") and len(part) > 1
        if optional:
            part = part[1:]
        if not elements and optional:
            raise PhraseError("a phrase cannot start with an optional word")
        alternatives: list[Alternative] = []
        for alt in _ITEMS.findall(part + "|") if part.count("(") == part.count(")") else [None]:
            if alt is None or alt in ("", "()") or (alt.startswith("(") and not alt.endswith(")")):
                raise PhraseError(f"`{part}`: an empty alternative, or a group not closed: write a|b or (a b|c d)")
            if alt.startswith("("):   # (a b|c d): runs of several words
                for inner_text in alt[1:-1].split("|"):
                    if not inner_text.strip():
                        raise PhraseError(f"`{part}`: an empty alternative in a group")
                    inner = compile_phrase(inner_text, sets, _depth + 1).elements
                    if any(e.gap or e.optional for e in inner):
                        raise PhraseError(f"`{part}`: a group holds words only, without gaps or optional words")
                    alternatives += _sequences(inner)
            else:
                alternatives += _alternatives(alt, sets, _depth)
        elements.append(Element(tuple(dict.fromkeys(alternatives)), optional))
    if not elements:
        raise PhraseError("the phrase is empty")
    if elements[-1].gap:
        raise PhraseError("a phrase cannot end with a gap")
    return Phrase(text, tuple(elements))


def _alternatives(alt: str, sets: dict[str, list[str]], depth: int) -> list[Alternative]:
    if alt.startswith("@"):
        name = alt[1:]
        if name not in sets:
            close = did_you_mean(name, sets, lambda s: f"@{s}")
            raise PhraseError(f"`@{name}`: no set of that name" + (f" ({close})" if close else ""))
        if depth > 3:
            raise PhraseError(f"`@{name}`: sets refer to each other in a circle")
        out: list[Alternative] = []
        for entry in sets[name]:
            for element in compile_phrase(entry, sets, depth + 1).elements:
                if element.gap or element.optional:
                    raise PhraseError(f"`@{name}`: an entry of a set is words, without gaps or optional words")
            out += _sequences(compile_phrase(entry, sets, depth + 1).elements)
        return out
    if alt.startswith("#"):
        if alt == "#time":
            return [(("time",),)]
        m = _NUM.match(alt)
        if not m:
            raise PhraseError(f"`{alt}`: a number is `#num`, `#num` compared (`#num<18`, `#num>=2`) or a range "
                              "(`#num12-17`)")
        if m.group(3):
            return [(("num", "-", (int(m.group(3)), int(m.group(4)))),)]
        return [(("num", m.group(1), int(m.group(2)) if m.group(2) else None),)]
    exact = alt.startswith("=")
    if exact:
        alt = alt[1:]
    words = _WORDISH.findall(normalise(_HYPHENS.sub(" ", alt)))
    if not words:
        raise PhraseError(f"`{alt}`: no word in it")
    sequence = tuple(frozenset([w]) if exact or w in _SYMBOLS or w[0].isdigit() else frozenset(word_forms(w))
                     for w in words)
    out = [sequence]
    if len(words) > 1 and not exact and "-" in alt:   # "risk-free" is also written "riskfree"
        out.append((frozenset({"".join(words)}),))
    return out


def _sequences(elements: tuple[Element, ...]) -> list[Alternative]:
    """Every sequence of atoms a gap-free phrase stands for (the product of its elements' alternatives)."""
    out: list[tuple] = [()]
    for element in elements:
        out = [seq + alt for seq in out for alt in element.alternatives]
    return out


def _atom_matches(atom, word: Word) -> bool:
    if isinstance(atom, frozenset):
        return word.form in atom
    if atom[0] == "num":
        return word.number is not None and _compare(atom, word.number)
    # a time of day
    return (word.number is not None and (":" in word.form or word.form.endswith(("am", "pm", "m.")))) or \
        word.form in ("midnight", "midday", "noon")


def _compare(atom: tuple, number: float) -> bool:
    """Whether a number meets a number atom (("num", op, value))."""
    op, value = atom[1], atom[2]
    if op is None:
        return True
    if op == "-":
        return value[0] <= number <= value[1]
    if op == "<":
        return number < value
    if op == ">":
        return number > value
    if op == "<=":
        return number <= value
    if op == ">=":
        return number >= value
    return number == value


_GAP_STOPS = frozenset({"if", "when", "whether", "unless", "but", "because", "although", "though", "while",
                        "whilst", "before", "after", "until", "so", "however", "who", "which", "where"})


def match_at(elements: tuple[Element, ...], words: tuple[Word, ...], i: int, names: bool, k: int = 0) -> int | None:
    """The index of the last word of a match of `elements[k:]` starting at word i, or None. Words next to each
    other must be in the same clause; a gap stays in one clause and does not cross "if", "but", "because", ..."""
    if k == len(elements):
        return i - 1
    element = elements[k]
    if element.gap:
        clause = words[i - 1].clause
        for skip in range(0, element.gap + 1):
            j = i + skip
            if j >= len(words):   # the sentence ends: a match when what is left is optional ("inside out ...0 ?skin")
                return match_at(elements, words, j, names, k + 1)
            if words[j].clause != clause:
                return None
            if skip and (words[j - 1].form in _GAP_STOPS or words[j - 1].form in NEGATIONS):
                return None
            end = match_at(elements, words, j, names, k + 1)
            if end is not None:
                return end
        return None
    if i < len(words) and (k == 0 or words[i].clause == words[i - 1].clause) and (names or not words[i].name):
        word = words[i]
        ends = []   # where the next element may start, longest match first
        for rest in element.longer.get(word.form, ()):
            j = i + 1
            for atom in rest:
                if j >= len(words) or words[j].clause != words[j - 1].clause or (words[j].name and not names) \
                        or not _atom_matches(atom, words[j]):
                    break
                j += 1
            else:
                ends.append(j)
        for alt in element.other:
            j = i
            for atom in alt:
                if j >= len(words) or (j > i and words[j].clause != words[j - 1].clause) or \
                        (words[j].name and not names) or not _atom_matches(atom, words[j]):
                    break
                j += 1
            else:
                ends.append(j)
        if word.form in element.single:
            ends.append(i + 1)
        for j in sorted(set(ends), reverse=True):
            end = match_at(elements, words, j, names, k + 1)
            if end is not None:
                return end
    if element.optional:
        return match_at(elements, words, i, names, k + 1)
    return None


def _first_keys(phrase: Phrase) -> set[str]:
    """What the first word of a match can be: word forms, or "#num" / "#time" for any number or time."""
    keys: set[str] = set()
    for alt in phrase.elements[0].alternatives:
        atom = alt[0]
        if isinstance(atom, frozenset):
            keys |= atom
        else:
            keys.add("#num" if atom[0] == "num" else "#time")
    return keys


_PRICE = rf"(?:from\s+)?[{CURRENCY_SIGNS}]\s?\d[\d,.]*"   # "£120", "from £1,200.50"
_PRICE_ONLY = re.compile(rf"\s*{_PRICE}(?:\s*(?:each|pp|per \w+|a session))?\s*\**\s*$", re.I)


# a row of a price list as `_rows` joins it: a label of a few words, then a price at the end of the line
_PRICED_ROW = re.compile(rf"^[^.!?]{{1,60}}\s{_PRICE}\s*\**\s*$", re.I)


def _marked(claim: Claim) -> bool:
    """True when the claim's sentence carries a footnote mark after its first word and is no footnote itself
    ("No side effects**", "Guaranteed glow after your first session*")."""
    text = normalise(claim.evidence).strip()
    return "*" in text[1:] and not text.startswith("*")


def _rows(lines: list[str]) -> list[str]:
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


def _affirmed(phrase: Phrase, words: tuple[Word, ...], names: bool) -> bool:
    """True when the phrase is in the sentence and some match of it is not reached by a negation before it: a
    word of another sense counts only when it is said ("permanent ... without surgery" is no surgeon's change)."""
    found = find_phrase(phrase, words, names)
    if not found:
        return False
    scopes = negation_scopes(words)
    return any(not any(t < a and first <= a <= last for t, first, last in scopes) and not _without(words, a)
               for a, _ in found)


def _without(words: tuple[Word, ...], a: int) -> bool:
    """True when the word at `a` follows "without" or "no" directly or with an article ("without the surgeon"):
    "without the" is no negation of a claim ("all the glow without the downtime" claims), but of another sense."""
    before = [w.form for w in words[max(0, a - 2):a]]
    return bool(before) and (before[-1] in ("without", "no") or
                             len(before) == 2 and before[0] == "without" and before[1] in ("the", "a", "any", "your"))


_TIME_WORDS = frozenset({"midnight", "midday", "noon"})   # times of day without a number
_KEYS: dict[int, tuple[Phrase, set[str]]] = {}   # a phrase's first-word forms, worked out once


def find_phrase(phrase: Phrase, words: tuple[Word, ...], names: bool) -> list[tuple[int, int]]:
    """(first, last) word of every match of a phrase in a sentence (used for `near` and `unless`)."""
    cached = _KEYS.get(id(phrase))
    if cached is None or cached[0] is not phrase:
        cached = _KEYS[id(phrase)] = (phrase, _first_keys(phrase))
    keys = cached[1]
    out = []
    for i, w in enumerate(words):
        if w.form in keys or (w.number is not None and ("#num" in keys or "#time" in keys)) or \
                ("#time" in keys and w.form in ("midnight", "midday", "noon")):
            end = match_at(phrase.elements, words, i, names)
            if end is not None:
                out.append((i, end))
    return out


# -- rules ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClaimRule:
    id: str                      # without the "claims." prefix
    severity: str
    message: str
    hint: str
    source: str
    phrases: tuple[Phrase, ...] = ()
    patterns: re.Pattern[str] | None = None     # regular expressions over the lower-cased sentence
    unless: tuple[Phrase, ...] = ()
    negatable: bool = True
    names: bool = False          # its words may be names (brands): a capitalised word in a name still counts
    first_person: bool = False   # a first-person sentence (a review) that makes another rule's claim is one too
    questions: str = "excuse"    # "excuse": a question is a claim only when answered yes; "count": unless answered no
    refusals: tuple[Phrase, ...] = ()   # in the sentence, or in the two that answer a question, these say no
    offers: tuple[Phrase, ...] = ()     # a statement that holds none of these is excused by a refusal next to it
    takes_back: tuple[Phrase, ...] = ()   # another rule's claim marked for small print that says one of these
    file: str = ""
    line: int | None = None

    @property
    def rule(self) -> str:
        return f"claims.{self.id}"


def _regex_rule(value, path):
    if not isinstance(value, str):
        yield path, "expected a regular expression in quotes", "write it in single quotes"
        return
    try:
        re.compile(value)
    except re.error as exc:
        yield path, f"not a valid regular expression: {exc}", "check the brackets and escape special characters"


def _phrase_item(value, path):
    if isinstance(value, str):
        if not value.strip():
            yield path, "expected a phrase, found an empty value", "write the words, or remove the line"
        return
    if not isinstance(value, dict):
        yield path, "expected a phrase in quotes, or a mapping with `phrase:`", ""
        return
    yield from _PHRASE_SCHEMA.check(value, path)


_LINE = Text(single_line=True)
_PHRASE_SCHEMA = Obj({
    "phrase": Field(_LINE, doc="the words, in the phrase language"),
    "near": Field(ListOf(_LINE), required=False, doc="phrases one of which must be in the same sentence"),
    "within": Field(Number(minimum=1, maximum=30, integer=True), required=False),
    "not_near": Field(ListOf(_LINE), required=False, doc="phrases that, in the same sentence, cancel it"),
    "near_all": Field(ListOf(_LINE), required=False, doc="phrases that must all be in the same sentence too"),
    "not_after": Field(ListOf(_LINE), required=False,
                       doc="phrases that, in the nearest sentence before it that names one, cancel it"),
    "after_within": Field(Number(minimum=1, maximum=20, integer=True), required=False,
                          doc="how many sentences before it `not_after` looks at (default 6)"),
    "footnote": Field(ListOf(_LINE), required=False,
                      doc="phrases one of which must be in the sentence or in a footnote of the page (* or †)"),
    "near_before": Field(ListOf(_LINE), required=False,
                         doc="phrases one of which must be in one of the `after_within` sentences before it "
                             "(what its pronoun stands for: 'Exosomes ... We inject them')"),
})
_RULES_SCHEMA = Obj({
    "sets": Field(MapOf(Text(pattern=re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"), single_line=True,
                             pattern_hint="a set name of lower-case letters, digits and hyphens"),
                        ListOf(_LINE, min_items=1)), required=False),
    "rules": Field(ListOf(Obj({
        "id": Field(Text(pattern=re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"), single_line=True,
                         pattern_hint="an id of lower-case letters, digits and hyphens")),
        "severity": Field(Choice(options=("error", "warning"))),
        "message": Field(Text(single_line=True)),
        "hint": Field(Text()),
        "source": Field(Text(single_line=True)),
        "phrases": Field(ListOf(custom(_phrase_item)), required=False),
        "unless": Field(ListOf(_LINE), required=False),
        "terms": Field(ListOf(_LINE), required=False),
        "patterns": Field(ListOf(custom(_regex_rule)), required=False),
        "triggers": Field(ListOf(_LINE), required=False,
                          doc="accepted for older rule files; patterns now run on each sentence"),
        "context_terms": Field(ListOf(_LINE), required=False),
        "context": Field(ListOf(_LINE), required=False),
        "within": Field(Number(minimum=1, maximum=20, integer=True), required=False),
        "negatable": Field(Boolean(), required=False),
        "names": Field(Boolean(), required=False),
        "asked": Field(ListOf(_LINE), required=False,
                       doc="phrases that, asked in a question answered no or none, make the answer the claim"),
        "refusals": Field(ListOf(_LINE), required=False,
                          doc="phrases that, in one of the two sentences after a question, answer it no"),
        "offers": Field(ListOf(_LINE), required=False,
                        doc="phrases of an offer: a statement without one is excused by a `refusals` phrase in "
                            "the sentence before it or in the two after it"),
        "questions": Field(Choice(options=("excuse", "count")), required=False,
                           doc="excuse: a question is a claim only when answered yes; count: unless answered no"),
        "first_person": Field(Boolean(), required=False,
                              doc="a first-person sentence that makes another rule's claim is one of this rule"),
        "takes_back": Field(ListOf(_LINE), required=False,
                            doc="phrases of small print that takes a claim back: another rule's claim marked with "
                                "a footnote mark, on a page whose footnote holds one, is one of this rule"),
    }), min_items=1)),
})


@lru_cache(maxsize=1)
def _default_text() -> str:
    return resources.files("generator").joinpath(f"rules/{DEFAULT_RULES}").read_text("utf-8")


def load_rules(paths: list[Path] | None = None) -> list[ClaimRule]:
    """The default rule set, or the rule files given (raising DataError with file and line for bad rules).
    A project's rule file may use the sets of the default file (`@condition`) and its own."""
    default_name = f"generator/rules/{DEFAULT_RULES}"
    sources: list[tuple[str, str]] = []
    if paths is None:
        sources.append((default_name, _default_text()))
    else:
        for path in paths:
            try:
                sources.append((str(path), Path(path).read_text("utf-8")))
            except OSError as exc:
                raise DataError([Problem(str(path), None, None, "", f"cannot read the rule file: {exc.strerror}",
                                         "check the path in site.yaml checks.rules")]) from None
    return list(_compiled(tuple(sources)))


@lru_cache(maxsize=8)
def _compiled(sources: tuple[tuple[str, str], ...]) -> tuple[ClaimRule, ...]:
    """The rules of these (file name, text) pairs, made once for the same texts: the preview checks again at every
    save, and making the rules (their phrases and patterns) costs more than checking the pages a save changes.
    The rules are frozen, so runs can share them; bad rules raise DataError each time (a raise is not kept)."""
    base_sets = _default_sets()
    rules: list[ClaimRule] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, text in sources:
        doc, found = parse_document(text, name)
        if doc is not None and not found:
            found = validate(doc, _RULES_SCHEMA)
        problems += found
        if doc is None or found:
            continue
        sets = {**base_sets, **(doc.data.get("sets") or {})}
        for i, raw in enumerate(doc.data["rules"]):
            line = doc.where(("rules", i))[0]
            if raw["id"] in seen:
                problems.append(Problem(name, line, None, f"rules[{i}].id",
                                        f"rule `{raw['id']}` is defined twice (first in {seen[raw['id']]})",
                                        "give each rule its own id"))
                continue
            seen[raw["id"]] = f"{name}:{line}"
            rule = _make_rule(raw, doc, i, sets, problems)
            if rule is not None:
                rules.append(rule)
    if problems:
        raise DataError(problems)
    return tuple(rules)


@lru_cache(maxsize=1)
def _default_sets() -> dict[str, list[str]]:
    doc, found = parse_document(_default_text(), DEFAULT_RULES)
    return dict(doc.data.get("sets") or {}) if doc is not None and not found else {}


def _make_rule(raw: dict, doc: Document, i: int, sets: dict[str, list[str]],
               problems: list[Problem]) -> ClaimRule | None:
    def phrase(text: str, where: tuple) -> Phrase | None:
        try:
            return compile_phrase(text, sets)
        except PhraseError as exc:
            line = doc.where(("rules", i) + where)[0]
            problems.append(Problem(doc.file, line, None, format_path(("rules", i) + where),
                                    f"phrase `{text}`: {exc}", "see docs/checks.md for the phrase language"))
            return None

    phrases: list[Phrase] = []
    for j, item in enumerate(raw.get("phrases") or []):
        spec: dict[str, Any] = {"phrase": item} if isinstance(item, str) else item
        p = phrase(spec["phrase"], ("phrases", j))
        if p is None:
            continue
        near = tuple(x for k, n in enumerate(spec.get("near") or []) if (x := phrase(n, ("phrases", j, "near", k))))
        not_near = tuple(x for k, n in enumerate(spec.get("not_near") or [])
                         if (x := phrase(n, ("phrases", j, "not_near", k))))
        near_all = tuple(x for k, n in enumerate(spec.get("near_all") or [])
                         if (x := phrase(n, ("phrases", j, "near_all", k))))
        not_after = tuple(x for k, n in enumerate(spec.get("not_after") or [])
                          if (x := phrase(n, ("phrases", j, "not_after", k))))
        footnote = tuple(x for k, n in enumerate(spec.get("footnote") or [])
                         if (x := phrase(n, ("phrases", j, "footnote", k))))
        near_before = tuple(x for k, n in enumerate(spec.get("near_before") or [])
                            if (x := phrase(n, ("phrases", j, "near_before", k))))
        phrases.append(Phrase(p.text, p.elements, near, spec.get("within"), not_near, near_all,
                              not_after=not_after, after_within=spec.get("after_within", 6), footnote=footnote,
                              near_before=near_before))
    for j, term in enumerate(raw.get("terms") or []):   # older rule files: words and phrases, inflected
        if term.strip() and (p := phrase(term.replace("|", " "), ("terms", j))):
            phrases.append(p)
    context = tuple(x for k, c in enumerate(raw.get("context") or []) if c.strip()
                    and (x := phrase(c.replace("|", " "), ("context", k))))
    for j, term in enumerate(raw.get("context_terms") or []):
        if term.strip() and (p := phrase(term.replace("|", " "), ("context_terms", j))):
            phrases.append(Phrase(p.text, p.elements, context, raw.get("within", 4)))
    for j, text in enumerate(raw.get("asked") or []):
        if (p := phrase(text, ("asked", j))):
            phrases.append(Phrase(p.text, p.elements, asked=True))
    unless = tuple(x for k, u in enumerate(raw.get("unless") or []) if (x := phrase(u, ("unless", k))))
    refusals = tuple(x for k, u in enumerate(raw.get("refusals") or []) if (x := phrase(u, ("refusals", k))))
    offers = tuple(x for k, u in enumerate(raw.get("offers") or []) if (x := phrase(u, ("offers", k))))
    takes_back = tuple(x for k, u in enumerate(raw.get("takes_back") or []) if (x := phrase(u, ("takes_back", k))))
    patterns = [p for p in raw.get("patterns") or []]
    if not phrases and not patterns and not raw.get("first_person"):
        if not any(p.file == doc.file and p.field.startswith(f"rules[{i}]") for p in problems):
            problems.append(Problem(doc.file, doc.where(("rules", i))[0], None, f"rules[{i}]",
                                    "the rule has no `phrases`, `terms`, `context_terms` or `patterns`",
                                    "add at least one phrase"))
        return None
    return ClaimRule(
        id=raw["id"], severity=raw["severity"], message=raw["message"], hint=squash(raw["hint"]),
        source=raw["source"], phrases=tuple(phrases),
        patterns=re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None, unless=unless,
        negatable=raw.get("negatable", True), names=raw.get("names", False),
        first_person=raw.get("first_person", False), questions=raw.get("questions", "excuse"), refusals=refusals,
        offers=offers, takes_back=takes_back,
        file=doc.file, line=doc.where(("rules", i))[0])


# -- the text of a page -----------------------------------------------------------------------------------------

def page_texts(page: HtmlPage, worth: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """(where, text) pairs that a claim can hide in. `worth(text)` says whether a JSON-LD string holds anything
    a rule could find: when none does, the strings are not looked for in the visible text."""
    texts = [("page text", page.visible_text)]
    if page.title:
        texts.append(("title", page.title))
    if page.description:
        texts.append(("meta description", page.description))
    alts = [alt for _, alt in page.images if alt]
    if alts:
        texts.append(("image alt text", "\n".join(alts)))
    strings: list[str] = []
    for raw in page.jsonld:
        data = parse_json(raw)
        if data is not None:
            _strings(data, strings)
    visible = page.visible_text
    if worth is not None and not worth("\n".join(strings)):   # one call: what counts is worked out line by line
        strings = []
    else:
        strings = _not_shown(strings, visible)
    if strings:
        texts.append(("JSON-LD", "\n".join(strings)))
    return texts


def _not_shown(strings: list[str], visible: str) -> list[str]:
    """The JSON-LD strings that are not on the page already (most names and FAQ answers are), but with the answer
    of a question that is kept, and an empty line where strings were left out, so that a question is never
    followed by another question's answer ("Is it permanent?" then "Yes, some swelling is normal.")."""
    out: list[str] = []
    asked = False
    for t in strings:
        if t in visible and not asked:
            if out and out[-1]:
                out.append("")
            continue
        out.append(t)
        asked = t.rstrip().endswith("?")
    while out and not out[-1]:
        out.pop()
    return out


@lru_cache(maxsize=256)
def parse_json(raw: str):
    """The JSON-LD of a script, or None when it is not valid JSON (parsed once for all the checks)."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _strings(value, out: list[str]) -> None:
    """The strings in a JSON value, in order, but for links and the values of keys that name no text."""
    if isinstance(value, str):
        if not value.startswith(_LINKS):
            out.append(value)
        return
    if not isinstance(value, (dict, list)):
        return
    # depth first with a stack of iterators (no call per container); a dict's iterator gives (key, value) pairs
    stack = [(iter(value.items()), True) if isinstance(value, dict) else (iter(value), False)]
    while stack:
        items, pairs = stack[-1]
        for v in items:
            if pairs:
                k, v = v
                if k in _NOT_TEXT_KEYS:
                    continue
            if isinstance(v, str):
                if not v.startswith(_LINKS):
                    out.append(v)
            elif isinstance(v, dict):
                stack.append((iter(v.items()), True))
                break
            elif isinstance(v, list):
                stack.append((iter(v), False))
                break
        else:
            stack.pop()


_LINKS = ("http://", "https://", "/")
_NOT_TEXT_KEYS = frozenset({"@type", "@context", "@id", "url", "sameAs", "image", "logo", "item"})


def snippet(text: str, start: int, end: int, width: int = 60) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    left = text.rfind(" ", 0, left) + 1 if left else 0
    cut = text.find(" ", right)
    right = cut if cut != -1 else len(text)
    out = squash(text[left:right])
    return ("…" if left else "") + out + ("…" if right < len(text) else "")


# -- the checker ------------------------------------------------------------------------------------------------

# ClaimsChecker.for_rules: (ids of the rules, exempt texts) -> (the rules, a checker made of them), oldest first
_CHECKERS: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[tuple[ClaimRule, ...], ClaimsChecker]] = {}
_CHECKERS_MAX = 8

@dataclass(frozen=True, slots=True)
class Claim:
    """One claim in one sentence: its rule, the words found, the phrase that matched and why it was not excused."""
    rule: ClaimRule
    words: str          # the words found, lower-case ("no swelling")
    pattern: str        # the phrase or regular expression that matched
    note: str           # why a negation did not excuse it ("" when there was none)
    evidence: str       # the sentence, as written
    asked: bool = False  # a question about a harm: a claim only when the answer is "no" or "none"
    context: Phrase | None = None   # its phrase, when it has `not_after`: the sentences before it can excuse it
    footnote: Phrase | None = None  # its phrase, when only a footnote of the page can make it count
    other_sense: tuple[Phrase, ...] = ()   # its phrase's `not_near`: in the answer "yes" to it, another sense


@dataclass(frozen=True, slots=True)
class SentenceResult:
    claims: tuple[Claim, ...]      # claims that no negation excused
    question: bool                 # asked, not said: its claims count only when the next sentence answers "yes"
    answer: int                    # -1 "No ...", 1 "Yes ...", 0 neither


# words before a harm that make it the circumstance of a question, not what is asked about
_FREE_OF = frozenset({"free", "no", "zero", "without", "nil"})   # "risk-free", "no risk": the harm denied
_CIRCUMSTANCE = frozenset({"after", "following", "since", "before", "about", "treat", "treating", "manage",
                           "managing", "handle", "handling", "prevent", "reduce", "minimise", "minimize"})
_NEUTRAL = (SentenceResult((), False, 0),)   # a line that holds no claim and answers nothing
_YES = (SentenceResult((), False, 1),)       # a sentence that holds no claim and starts "Yes"
_NO = (SentenceResult((), False, -1),)
_BY_ANSWER = {0: _NEUTRAL, 1: _YES, -1: _NO}
_WORD = re.compile(WORD)
_DIGITS = re.compile(r"\d+")
_TAG = re.compile(r"#([^\W_]\w*)")
# the commonest English words, and the commonest of an honest clinic's pages (the sample's treatments and areas):
# a phrase's signature avoids them
_COMMON = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been it its it's this that these
old olds can one ones know
those you your we our they their he she his her i me my no not do does did can will would should may might must
have has had so up out about into over than then there here what which who when where why how all any some more
most very just also only one two get got make made well per best world skin fillers filler line look
consultation face treatment nearest people chin risks through lines small microneedling between adults neck many
days area jaw after first weeks swelling change lip use usually around because peel minutes day cheek time nose
placed like cheeks fine redness shape lips often west avoid long used boosters acid product expect few results
vary mouth hyaluronic gel such numbing common bruising infection before last hours along feel less molesey cream
applied tenderness age effect clinic aged temporary lasts rather takes ask looks volume appointment go downtime
minimum amount while changes runs sessions exosome east treatments practitioner under take us allergic rare
suggest talk cold tear trough chemical peels much areas suit medical cannula result exercise away too later see
three close little beside main sun every add lower down months depends different other each history decide
needle saunas lumps uneven rarely week surface options course skincare prescriber injections gradually needed
bone side review points notice moves blood vascular occlusion sore injectables keep part uncommon possible own
thin session fold water check dermal suits cannot back reaction vessel explain think leave products them person
eyes itself need visible light evidence body profile including tell better photographs injection alcohol within
contact pale next effects damage sight find soft bring softer sits whether help until always hollow soften still
sometimes looking suitable eye improve acids darker amounts become loose discuss consent prefer visit heavy pain
firm want risk varies discussed doing rest choose sores gently hot heat beneath folds needles concern raised
longer without puffiness tiny bumps plan smile health followed commonly spread hands four six cosmetic
afterwards flaking lighter lies esher jawline towards both tighten whole several injecting hour touching mild
straight vision needs aim once upper available designed move
""".split())


# one-word forms; the forms that start a look at runs of words; those runs, by those forms
Need = tuple[frozenset[str], frozenset[str], dict[str, tuple[tuple[frozenset[str], ...], ...]]]


def _needs(phrase: Phrase) -> tuple[tuple[Need, ...], tuple[tuple, ...]]:
    """What a sentence must hold for `phrase` to match in it (enough to rule most sentences out): for each
    required element of words, a form of one of its words, or all the words of one of its runs of words ("#num"
    stands for any number); for each element of numbers only, the numbers it takes; a form of any `near`
    phrase, and of each `near_all` phrase."""
    needs: list[Need] = []
    numbers: list[tuple] = []
    for element in phrase.elements:
        if element.gap or element.optional:
            continue
        if element.other and not element.single and not element.longer:
            numbers.append(tuple(alt[0] for alt in element.other if alt[0][0] == "num"))
            continue
        runs: dict[str, list[tuple[frozenset[str], ...]]] = {}   # by the forms of each run's rarest word
        for alt in element.alternatives:
            if len(alt) > 1 and isinstance(alt[0], frozenset):
                atoms = tuple(a for a in alt if isinstance(a, frozenset))
                rarest = min(atoms, key=lambda a: (not a.isdisjoint(_COMMON), -max(map(len, a))))
                for form in rarest:
                    runs.setdefault(form, []).append(atoms)
        needs.append((element.single | ({"#num"} if element.other else set()), frozenset(runs),
                      {k: tuple(v) for k, v in runs.items()}))
    if phrase.near:
        needs.append((frozenset(f for p in phrase.near for f in _signature(p)), frozenset(), {}))
    for p in phrase.near_all:
        needs.append((frozenset(_signature(p)), frozenset(), {}))
    return tuple(needs), tuple(n for n in numbers if n)


_NUMBER_RARITY = (False, 99, 1)   # numbers are common: a word that is not is a better signature


def _rarity(forms: set[str]) -> tuple[bool, int, int]:
    """Sorts sets of forms rarest first: not only common words, then the fewest common words, the fewest forms.
    (A word's forms include made-up ones, "fors", "fored": a set is only common words when its words, taken
    without their endings, all are.)"""
    common = forms & _COMMON
    only_common = all(any(f.startswith(c) for c in common) for f in forms) if common else False
    return only_common, len(common), len(forms)


def _rarest(element: Element) -> set[str]:
    """The rarest word of each alternative of an element ("#num" for one of a number or a time alone)."""
    forms: set[str] = set()
    for alt in element.alternatives:
        atoms = [a for a in alt if isinstance(a, frozenset)]
        forms |= min(atoms, key=lambda a: (not a.isdisjoint(_COMMON), -max(map(len, a)))) if atoms else {"#num"}
    return forms


def _signature(phrase: Phrase) -> set[str]:
    """Forms of which a sentence must hold one for `phrase` to match: of a required element (or a `near_all`
    phrase), the rarest word of each of its alternatives; of these, the one with the fewest common words, then
    the fewest forms ({"#num"}: a number)."""
    best = None
    for element in phrase.elements:
        if element.gap or element.optional:
            continue
        if element.other and not element.single and not element.longer:
            # a number or a time only: a sentence needs a digit or a number word (an element that also takes
            # words, "@day", is looked up by those words and "#num" below)
            # a few numbers (ages 12 to 17) are rare; any number at all is not
            few = all(atom[0] == "num" and (atom[1] == "-" or atom[1] in ("<", "<=", "=") and atom[2] <= 31)
                      for alt in element.other for atom in alt)
            rarity = (False, 0, 1) if few else _NUMBER_RARITY
            if best is None or rarity < best[0]:
                best = (rarity, {"#num"})
            continue
        forms = _rarest(element)
        key = _rarity(forms)
        if best is None or key < best[0]:
            best = (key, forms)
    for other in phrase.near_all:
        forms = _signature(other)
        key = _rarity(forms) if forms != {"#num"} else _NUMBER_RARITY
        if best is None or key < best[0]:
            best = (key, forms)
    return best[1] if best is not None else {"#num"}


class ClaimsChecker:
    """Matches a rule set against pages; `exempt` are texts (the disclaimer library) in which nothing counts.

    A sentence never spans lines (a line is a block of the page: a paragraph, a heading, a list item), so what a
    line holds is worked out once per distinct line and remembered: most lines (treatment paragraphs, notes on an
    area, the footer) repeat on thousands of pages. Only a question at a line's end looks at the next line (its
    answer), and that is decided on the page from what the two lines hold.
    """

    MEMO_LINES = 50_000    # remembered lines (each a few hundred bytes): the memo starts again past this

    def __init__(self, rules: list[ClaimRule], exempt: Sequence[str] = ()):
        self.rules = rules
        self.exempt = [squash(normalise(t)) for t in exempt if t.strip()]
        # The phrases a sentence is matched against, looked up by their signature (the forms of which a sentence
        # must hold one, see `_signature`): a sentence tries only the phrases whose rarest word it holds, each at
        # the words that can start it, rather than every phrase that could start at each of its words.
        self.by_signature: dict[str, list[tuple[int, ClaimRule, Phrase, frozenset[str]]]] = {}
        vocabulary: set[str] = set()
        order = 0
        for rule in rules:
            for phrase in rule.phrases:
                entry = (order, rule, phrase, frozenset(_first_keys(phrase)))
                order += 1
                for form in _signature(phrase):
                    self.by_signature.setdefault(form, []).append(entry)
                for element in phrase.elements:
                    for alt in element.alternatives:
                        for atom in alt:
                            if isinstance(atom, frozenset):
                                vocabulary |= atom
        self.signature_forms = frozenset(self.by_signature)
        self.with_patterns = [r for r in rules if r.patterns is not None]
        self._first_person = [r for r in rules if r.first_person]
        self._takers = [r for r in rules if r.takes_back]
        # What a line must hold for a phrase to match in it: a form of each of its required elements (the number
        # of a number element), and of its `near` and `near_all` phrases. Phrases are looked up by the forms of
        # one required element (their signature), so a line is matched only when some phrase could match in it.
        self.filtered = not self.with_patterns
        self.candidates: dict[str, list[tuple[tuple[Need, ...], tuple[tuple, ...]]]] = {}
        for rule in rules:
            for phrase in rule.phrases:
                needs, numbers = _needs(phrase)
                if phrase.asked:   # only in a question
                    needs = needs + ((frozenset({"?"}), frozenset(), {}),)
                for form in _signature(phrase):
                    self.candidates.setdefault(form, []).append((needs, numbers))
        self.candidate_forms = frozenset(self.candidates)
        self._numbered = "#num" in self.candidate_forms or any(
            needs_numbers or any("#num" in single for single, _, _ in needs)
            for found in self.candidates.values() for needs, needs_numbers in found)
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 2 and w.isalpha())
        # every word form a need looks for: a line is reduced to these (and its numbers) before it is decided
        # (the words of the phrases and of their `near` and `near_all` phrases: a superset of what needs hold)
        relevant: set[str] = set(self.candidate_forms) | vocabulary
        for rule in rules:
            for phrase in rule.phrases:
                for other in phrase.near + phrase.near_all:
                    for element in other.elements:
                        for alt in element.alternatives:
                            relevant.update(*(a for a in alt if isinstance(a, frozenset)))
        self._relevant = frozenset(relevant | set(NUMBER_WORDS))
        self._signs = "".join(c for c in "£$€%*&+" if c in relevant)
        self._number_atoms = tuple(sorted({atom for found in self.candidates.values() for _, numbers in found
                                           for atoms in numbers for atom in atoms}, key=repr))
        self._atom_at = {atom: k for k, atom in enumerate(self._number_atoms)}
        signs = "".join(c for c in "£$€%*&+" if c in self.candidate_forms)
        self._signs_in = re.compile(f"[{re.escape(signs)}]").search if signs else (lambda _: None)
        # the numbers that phrases whose signature is a number take (ages 12 to 17): a line must hold one
        atoms = [atom for rule in rules for phrase in rule.phrases if _signature(phrase) == {"#num"}
                 for element in phrase.elements if element.other for alt in element.other for atom in alt
                 if atom[0] == "num"]
        self._signature_numbers = None
        self._signature_number_words: frozenset[str] = frozenset()
        if atoms:
            if any(a[1] is None or a[1] in (">", ">=") for a in atoms):
                self._signature_numbers = _DIGITS
                self._signature_number_words = frozenset(NUMBER_WORDS)
            else:
                taken = sorted({n for a in atoms for n in range(0, 100) if _compare(a, n)})
                self._signature_numbers = re.compile(r"(?<![\d.])(?:" + "|".join(map(str, taken)) + r")(?![\d.,:])")
                self._signature_number_words = frozenset(w for w, n in NUMBER_WORDS.items() if n in taken)
        self._forget()

    def _forget(self) -> None:
        """Start with nothing remembered of the lines seen."""
        self._decided: dict[tuple, bool] = {}
        self._number_classes: dict[str, tuple[bool, ...]] = {}
        self._lines: dict[str, tuple[SentenceResult, ...]] = {}

    @classmethod
    def for_rules(cls, rules: Sequence[ClaimRule], exempt: Sequence[str] = ()) -> ClaimsChecker:
        """`ClaimsChecker(rules, exempt)`, with what is worked out from the rules (indexes, signatures, vocabulary)
        made once per process for the same rule objects and exempt texts: the rules of the same rule file texts
        are the same frozen objects (`load_rules`), and every build and audit makes a checker. Each checker given
        out remembers only the lines it has seen itself, as a new one does."""
        key = (tuple(map(id, rules)), tuple(exempt))
        made = _CHECKERS.pop(key, None)
        if made is None:
            made = (tuple(rules), cls(list(rules), exempt))   # the rules are kept, so that their ids stay theirs
            if len(_CHECKERS) >= _CHECKERS_MAX:
                del _CHECKERS[next(iter(_CHECKERS))]     # the least recently asked for
        _CHECKERS[key] = made
        checker = copy.copy(made[1])
        checker._forget()
        return checker

    # -- one line ---------------------------------------------------------------------------------------------
    def line_results(self, line: str) -> tuple[SentenceResult, ...]:
        memo = self._lines
        known = memo.get(line)
        if known is None:
            if len(memo) >= self.MEMO_LINES:
                memo.clear()
            known = memo[line] = self._line(line)
        return known

    def _line(self, line: str) -> tuple[SentenceResult, ...]:
        if self.filtered:
            answer = self._could_match(line)
            if answer is not None:   # most lines: no phrase can match anywhere in them
                return _BY_ANSWER[answer]
        clean = _clean(line)
        spans = _lead_ins_joined(clean, split_sentences(clean))
        out = []
        interesting = False
        for start, end in spans:
            text = clean[start:end]
            if self.filtered and len(spans) > 1:
                answer = self._could_match(text)
                if answer is not None:
                    interesting = interesting or answer != 0
                    out.append(_BY_ANSWER[answer][0])
                    continue
            s = sentence_of(text, self.vocabulary, start)
            if s is None:
                continue
            claims = tuple(self._claims(s)) if not self._exempt(s.text) else ()
            interesting = interesting or bool(claims) or s.answer != 0
            out.append(SentenceResult(claims, s.question, s.answer))
        return tuple(out) if interesting else _NEUTRAL

    def _could_match(self, text: str) -> int | None:
        """None when some phrase of the rules may match in the text; else (no phrase can: most lines, found with
        cheap set look-ups only) how the text answers a question before it: -1 no, 1 yes, 0 neither.

        Whether a phrase may match depends only on which of the rules' words the text holds, and on how its
        numbers compare with the rules' numbers: that is remembered, so that lines which differ in other words
        (a place's name, a distance) are decided once."""
        low = normalise(text)
        words = _WORD.findall(low)
        answer = answer_of(*words[:3]) if words else 0
        if self.candidate_forms.isdisjoint(words) and "#" not in low and not self._signs_in(low) and not (
                self._signature_numbers and (self._signature_numbers.search(low)
                                             or not self._signature_number_words.isdisjoint(words))):
            return answer      # most lines: no phrase's signature word (the rarest word it needs)
        present = set(self._relevant.intersection(words))
        for c in self._signs:
            if c in low:
                present.add(c)
        if "?" in low:
            present.add("?")
        numbers: frozenset = frozenset()
        if self._numbered and (_DIGITS.search(low) or not present.isdisjoint(NUMBER_WORDS)):
            classes = self._number_classes
            numbers = frozenset([classes.get(n) or self._number_class(n) for n in _DIGITS.findall(low)]
                                + [self._number_class(str(NUMBER_WORDS[w])) for w in present & NUMBER_WORDS.keys()])
            present.add("#num")
        if "#" in low:   # hashtags: the rule words they are made of (not remembered: they are rare)
            for tag in _TAG.findall(low):
                present.update(self._relevant.intersection(split_compound(tag, self.vocabulary, loose=True)))
            return None if self._may_match(frozenset(present), numbers) else answer
        key = (frozenset(present), numbers)
        may = self._decided.get(key)
        if may is None:
            if len(self._decided) >= self.MEMO_LINES:
                self._decided.clear()
            may = self._decided[key] = self._may_match(*key)
        return None if may else answer

    def _number_class(self, digits: str) -> tuple[bool, ...]:
        """How a number compares with each number atom of the rules (remembered per string of digits)."""
        known = self._number_classes.get(digits)
        if known is None:
            n = float(digits)
            known = self._number_classes[digits] = tuple(_compare(atom, n) for atom in self._number_atoms)
        return known

    def _may_match(self, present: frozenset[str], numbers: frozenset[tuple[bool, ...]]) -> bool:
        """Whether some phrase may match in a text that holds these rule words and numbers (each number as how
        it compares with each number atom of the rules)."""
        candidates = self.candidates
        for form in present & self.candidate_forms:
            for needs, needs_numbers in candidates[form]:
                for single, run_keys, runs in needs:   # plain loops: generators cost more than the look-ups
                    if present.isdisjoint(single):
                        found = False
                        for key in present & run_keys if run_keys else ():
                            for run in runs[key]:
                                for atom in run:
                                    if present.isdisjoint(atom):
                                        break
                                else:
                                    found = True   # every word of this run is there
                                    break
                            if found:
                                break
                        if not found:
                            break       # neither a word nor a run of this element is there
                else:
                    if not needs_numbers or all(any(n[self._atom_at[atom]] for atom in atoms for n in numbers)
                                                for atoms in needs_numbers):
                        return True
        return False

    def _claims(self, s: Sentence) -> list[Claim]:
        claims = self._said(s)
        if self._first_person and claims and not s.question and _first_person(s.words, s.text):
            others = sorted({c.rule.id for c in claims})
            for rule in self._first_person:
                if any(c.rule is rule for c in claims) or others == [rule.id]:
                    continue
                claims.append(Claim(rule, " ".join(o for o in others if o != rule.id), "the first person",
                                    "a first-person sentence (a review) that makes these claims", s.text.strip()))
        return claims

    def _tries(self, words: tuple[Word, ...]) -> list[tuple[int, ClaimRule, Phrase]]:
        """(word, rule, phrase) for each place a phrase may start in the sentence, in the order of the words, then
        of the rules' phrases: only the phrases whose signature the sentence holds (a number stands for "#num"),
        each at the words its first element can be."""
        forms = {w.form for w in words}
        timed = any(w.number is not None or w.form in _TIME_WORDS for w in words)
        if timed:
            forms.add("#num")
        by_signature = self.by_signature
        phrases: dict[int, tuple[int, ClaimRule, Phrase, frozenset[str]]] = {}
        for form in forms & self.signature_forms:
            for entry in by_signature[form]:
                phrases[entry[0]] = entry
        tries = []
        for order, rule, phrase, keys in phrases.values():
            numeric = "#num" in keys or "#time" in keys
            for i, w in enumerate(words):
                if w.form in keys or (timed and (numeric and w.number is not None or
                                                 "#time" in keys and w.form in _TIME_WORDS)):
                    tries.append((i, order, rule, phrase))
        tries.sort(key=lambda t: (t[0], t[1]))
        return [(i, rule, phrase) for i, _, rule, phrase in tries]

    def _said(self, s: Sentence) -> list[Claim]:
        words = s.words
        hits: list[tuple[ClaimRule, int, int, str, Phrase | None, Phrase | None, tuple[Phrase, ...]]] = []
        asked: list[Claim] = []
        for i, rule, phrase in self._tries(words):
            end = match_at(phrase.elements, words, i, rule.names)
            if end is None:
                continue
            if phrase.near and not self._near(phrase, words, i, end, rule.names,
                                              negation_scopes(words) if rule.negatable else ()):
                continue
            if phrase.not_near and any(_affirmed(p, words, rule.names) for p in phrase.not_near):
                continue
            if phrase.near_all and not all(any(b < i or a > end for a, b in find_phrase(p, words, rule.names))
                                           for p in phrase.near_all):
                continue
            if phrase.asked:
                if i and words[i - 1].form in _CIRCUMSTANCE or i > 1 and words[i - 2].form in _CIRCUMSTANCE:
                    continue   # the harm is the question's circumstance: "Is it safe after a complication?"
                if end + 1 < len(words) and words[end + 1].form in _FREE_OF or i and words[i - 1].form in _FREE_OF:
                    continue   # it asks whether the harm is absent ("Is it risk-free?"): a "no" admits it
                if s.question or s.text.rstrip(" \"')\u201d\u2019").endswith("?"):   # also "Swelling? Bruising?"
                    asked.append(Claim(rule, " ".join(w.form for w in words[i:end + 1]), phrase.text,
                                       "", s.text.strip(), asked=True))
                continue
            # a footnote phrase in the sentence itself: it counts; else only a footnote of the page can say
            footnote = phrase if phrase.footnote and not any(
                b < i or a > end for p in phrase.footnote for a, b in find_phrase(p, words, rule.names)) else None
            hits.append((rule, i, end, phrase.text, phrase if phrase.not_after or phrase.near_before else None,
                         footnote,
                         phrase.not_near if s.question else ()))
        if self.with_patterns:
            text = normalise(s.text)
            for rule in self.with_patterns:
                for m in rule.patterns.finditer(text) if rule.patterns is not None else ():
                    if m.end() > m.start():
                        first = len(words_of(text[:m.start()], self.vocabulary))
                        last = min(len(words) - 1,
                                   first + max(0, len(words_of(m.group(), self.vocabulary)) - 1))
                        if first < len(words):
                            hits.append((rule, first, last, m.group(), None, None, ()))
        out: list[Claim] = asked
        if not hits:
            return out
        hits.sort(key=lambda h: (h[0].id, h[1], -h[2]))
        scopes = None
        quoted = _quoted(s.text)
        done: dict[str, int] = {}   # rule id -> last word of its last claim: "completely safe" is not also "safe"
        for rule, i, end, pattern, context, footnote, not_near in hits:
            if done.get(rule.id, -1) >= i:
                continue
            if rule.unless and _overlaps(rule.unless, words, i, end, True):
                continue   # (another sense may be read in a name: "lip filler at 15 Market Street" is an address)
            if rule.refusals and any(b < i or a > end for p in rule.refusals
                                     for a, b in find_phrase(p, words, rule.names)):
                continue   # refused in the same sentence: "Teenager? Please come back when you're 18."
            note = ""
            if scopes is None:
                scopes = negation_scopes(words)
            before = [(t, a, b) for t, a, b in scopes if t < i]
            if rule.negatable:
                if any(a <= i <= b and not (i <= t <= end) for t, a, b in before):
                    continue
                post = negated_after(words, end)
                if post is not None:
                    continue
                if before:
                    t = before[-1][0]
                    note = f"the negation \"{words[t].form}\" before it does not reach it"
            elif before or any(i <= t <= end for t, _, _ in scopes):
                note = "a negation does not excuse it"
            found_words = " ".join(w.form for w in words[i:end + 1])
            if rule.negatable and quoted and any(found_words in q for q in quoted):
                continue   # the words are quoted to be talked about: "'No downtime' is a phrase we never use"
            if context is None and footnote is None:   # one that the page around it may excuse hides nothing
                done[rule.id] = end
            out.append(Claim(rule, found_words, pattern, note, s.text.strip(), context=context, footnote=footnote,
                             other_sense=not_near))
        return out

    def _near(self, phrase: Phrase, words: tuple[Word, ...], i: int, end: int, names: bool,
              scopes: Sequence[tuple[int, int, int]] = ()) -> bool:
        """True when a `near` phrase is in the sentence (within `within` words), and no negation reaches it: in
        "CE marked, which is not a sign that it works", "works" does not make the mark a claim of efficacy."""
        for near in phrase.near:
            for a, b in find_phrase(near, words, names):
                if b >= i and a <= end:
                    continue   # a word of the match itself
                if any(first <= a <= last and not (i <= t <= end) for t, first, last in scopes):
                    continue
                if phrase.within is None:
                    return True
                distance = a - end if a > end else i - b
                if distance <= phrase.within and words[a].clause == words[i].clause:
                    return True
        return False

    def _exempt(self, sentence: str) -> bool:
        """True when the sentence is (part of) a disclaimer of the clinic's library."""
        if not self.exempt:
            return False
        text = squash(normalise(sentence))
        return len(text) > 20 and any(text in t for t in self.exempt)

    # -- a page -----------------------------------------------------------------------------------------------
    def check(self, page: HtmlPage) -> Iterator[Finding]:
        found: dict[tuple[str, str], list] = {}
        for where, raw in page_texts(page, None if self.with_patterns else self._worth):
            self._check_text(raw, where, found, page.visible_text)
        for (_, term), (claim, where, count) in sorted(found.items(), key=lambda kv: kv[0]):
            rule = claim.rule
            times = f" (found {count} times)" if count > 1 else ""
            why = f"; matched `{claim.pattern}`" + (f"; {claim.note}" if claim.note else "")
            yield Finding(rule.rule, rule.severity, page.url_path,
                          f"{rule.message}: \"{term}\" in the {where}{times}{why}",
                          _evidence(claim.evidence, term), rule.hint, rule.source)

    def _check_text(self, text: str, where: str, found: dict[tuple[str, str], list], page_text: str = "") -> None:
        """Add the claims of a text to `found` ((rule id, words) -> [claim, where, count]). The footnotes of the
        page's text count for a claim in its title or description too."""
        memo, line_of = self._lines, []
        results: list[SentenceResult] = []
        lines = _rows(text.split("\n"))
        for n, line in enumerate(lines):
            known = memo.get(line)
            known = known if known is not None else self.line_results(line)
            results += known
            line_of += [n] * len(known)
        footnotes = None
        for k, result in enumerate(results):
            if not result.claims:
                continue
            answered_yes = result.question and k + 1 < len(results) and results[k + 1].answer > 0
            answered_no = result.question and k + 1 < len(results) and results[k + 1].answer < 0
            for claim in result.claims:
                if result.question and claim.rule.refusals and not answered_no and \
                        self._refused(claim, lines, line_of[k]):
                    continue   # "Can my teenage daughter come? She can wait in reception; we only treat adults."
                if not result.question and claim.rule.offers and claim.rule.refusals and \
                        self._refused_around(claim, lines, line_of[k]):
                    continue   # "Sixth-formers often ask us about filler. We don't treat anyone under 18."
                if claim.context is not None and claim.context.not_after and \
                        self._excused_before(claim, lines, line_of[k]):
                    continue   # "Two areas: £520" under a heading "Cheek and chin filler"
                if claim.context is not None and claim.context.not_near and \
                        self._heading_explained(claim, lines, line_of[k]):
                    continue   # a heading "Our guarantee" over "If you are unhappy, we refund it in full."
                if claim.context is not None and claim.context.near_before and \
                        not self._named_before(claim, lines, line_of[k]):
                    continue   # "We inject them" counts only after a sentence that names exosomes
                if claim.footnote is not None:
                    if footnotes is None:
                        footnotes = self._footnotes(lines if text == page_text or not page_text
                                                    else lines + page_text.split("\n"))
                    if not any(find_phrase(p, words, claim.rule.names) for words in footnotes
                               for p in claim.footnote.footnote):
                        continue   # "Free consultation*" whose footnote only clarifies, or has none
                    claim = Claim(claim.rule, claim.words, claim.pattern, "its footnote says otherwise",
                                  claim.evidence)
                if claim.asked:   # (asked in a question, or in a fragment such as "Swelling? Bruising?")
                    if not (k + 1 < len(results) and results[k + 1].answer < 0):
                        continue
                    claim = Claim(claim.rule, claim.words, claim.pattern, "a question about it answered no",
                                  claim.evidence)
                elif result.question and claim.rule.negatable and not answered_yes and (
                        claim.rule.questions == "excuse" or answered_no):
                    continue   # asked, not claimed: "Is it permanent? No, ..."
                elif (claim.rule.negatable and k + 1 < len(results) and results[k + 1].answer < 0
                      and (claim.evidence.rstrip(" \"')\u201d\u2019").endswith("?")
                           or claim.evidence.split(None, 1)[0].lower() in ASKING)):
                    continue   # asked or said as a question, then denied: "Filler lasts forever? That's a myth.",
                    #            a heading "Does filler last forever" then "No."
                if answered_yes and claim.other_sense and self._answer_holds(claim, lines, line_of[k]):
                    continue   # "Do you treat jaw pain? Yes, with a bite splint made by our dentists."
                if answered_yes and claim.rule.negatable:
                    claim = Claim(claim.rule, claim.words, claim.pattern,
                                  "a question answered yes", claim.evidence)
                key = (claim.rule.id, claim.words)
                if key in found:
                    found[key][2] += 1
                else:
                    found[key] = [claim, where, 1]
                if self._takers and claim.rule not in self._takers and _marked(claim):
                    if footnotes is None:
                        footnotes = self._footnotes(lines if text == page_text or not page_text
                                                    else lines + page_text.split("\n"))
                    for taker in self._takers:
                        said = next((" ".join(w.form for w in words) for words in footnotes
                                     if any(find_phrase(p, words, taker.names) for p in taker.takes_back)), None)
                        if said is not None and (taker.id, claim.words) not in found:
                            found[(taker.id, claim.words)] = [
                                Claim(taker, claim.words, f"a `{claim.rule.id}` claim marked for small print",
                                      f"its footnote takes it back: \"{said[:80]}\"", claim.evidence), where, 1]

    def _sentences_before(self, claim: Claim, lines: list[str], n: int) -> Iterator[Sentence]:
        """The sentences before the claim's own (on line n, then the lines above), nearest first, at most its
        phrase's `after_within` of them. A priced row of a list above it is yielded but not counted: the rows of
        a price list are items under its heading, not sentences between the heading and the claim."""
        phrase = claim.context
        left = phrase.after_within if phrase is not None else 0
        for m in range(n, -1, -1):
            before = sentences_of(_clean(lines[m]), self.vocabulary)
            if m == n:   # the sentences of its own line before it
                at = next((j for j, s in enumerate(before) if s.text.strip() == claim.evidence), len(before))
                before = before[:at]
            row = m < n and len(before) == 1 and _PRICED_ROW.search(lines[m]) is not None
            for s in reversed(before):
                if left == 0:
                    return
                left -= 0 if row else 1
                yield s

    def _excused_before(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when, looking back from the claim's sentence (line n) through at most `after_within` sentences,
        the nearest one that holds a `not_after` phrase of its phrase comes before any sentence that makes an
        unconditional claim of the same rule."""
        phrase, rule = claim.context, claim.rule
        if phrase is None:
            return False
        for s in self._sentences_before(claim, lines, n):
            if any(find_phrase(p, s.words, rule.names) for p in phrase.not_after):
                return True
            if any(c.rule is rule and c.context is None for c in self._said(s)):
                return False
        return False

    def _heading_explained(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when the claim is a heading of a few words alone on its line ("Our guarantee") and the first
        sentence under it holds a phrase of another sense of its words (its phrase's `not_near`, said): the
        paragraph says what the heading means."""
        phrase, rule = claim.context, claim.rule
        if phrase is None or lines[n].strip() != claim.evidence or len(claim.evidence.split()) > 3 or \
                claim.evidence.rstrip().endswith((".", "!", "?")):
            return False
        for line in lines[n + 1:n + 3]:
            under = sentences_of(_clean(line), self.vocabulary)
            if under:
                return any(_affirmed(p, under[0].words, rule.names) for p in phrase.not_near)
        return False

    def _named_before(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when one of the `after_within` sentences before the claim's own (line n) holds a `near_before`
        phrase of its phrase: what the claim's pronoun stands for."""
        phrase, rule = claim.context, claim.rule
        if phrase is None:   # a claim made by no phrase of a rule names nothing before it
            return False
        return any(find_phrase(p, s.words, rule.names) for s in self._sentences_before(claim, lines, n)
                   for p in phrase.near_before)

    def _answer_holds(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when the sentence that answers a question's claim (the next, on line n or n + 1) holds one of the
        phrases that mean another sense of the claim (its phrase's `not_near`)."""
        answer = self._after(claim, lines, n)[:1]
        return any(find_phrase(p, s.words, claim.rule.names) for s in answer for p in claim.other_sense)

    def _after(self, claim: Claim, lines: list[str], n: int) -> list[Sentence]:
        """The sentences after a claim's own, on its line n and the next line."""
        after: list[Sentence] = []
        for m in (n, n + 1):
            if m < len(lines):
                found = sentences_of(_clean(lines[m]), self.vocabulary)
                if m == n:
                    at = next((j for j, s in enumerate(found) if s.text.strip() == claim.evidence), len(found))
                    found = found[at + 1:]
                after += found
        return after

    def _refused(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when one of the two sentences after the question of a claim (on line n, or the next line: a
        heading, then its paragraph) holds a `refusals` phrase of its rule."""
        after = self._after(claim, lines, n)
        return any(find_phrase(p, s.words, claim.rule.names) for s in after[:2] for p in claim.rule.refusals)

    def _refused_around(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when a statement that offers nothing (none of its rule's `offers` phrases) has a `refusals` phrase
        of its rule in the sentence before it or in one of the two after it: it says who is turned away."""
        rule = claim.rule
        own = sentences_of(_clean(lines[n]), self.vocabulary)
        at = next((j for j, s in enumerate(own) if s.text.strip() == claim.evidence), None)
        if at is None or any(find_phrase(p, own[at].words, rule.names) for p in rule.offers):
            return False
        before = own[at - 1:at] if at else (sentences_of(_clean(lines[n - 1]), self.vocabulary)[-1:] if n else [])
        around = before + self._after(claim, lines, n)[:2]
        return any(find_phrase(p, s.words, rule.names) for s in around for p in rule.refusals)

    def _footnotes(self, lines: list[str]) -> list[tuple]:
        """The words of each footnote of a text: a sentence that starts with an asterisk or a dagger."""
        out = []
        for line in lines:
            if "*" in line or "\u2020" in line or "\u2021" in line:
                for s in sentences_of(_clean(line), self.vocabulary):
                    if s.text.lstrip().startswith("*"):
                        out.append(s.words)
        return out

    def _worth(self, text: str) -> bool:
        """True when a line of `text` holds a claim (what each line holds is remembered)."""
        memo = self._lines
        for line in text.split("\n"):
            known = memo.get(line)
            if known is None:
                known = self.line_results(line)
            if known is not _NEUTRAL and any(r.claims for r in known):
                return True
        return False


def _lead_ins_joined(line: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
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
        lead = _WORD.findall(first.lower())
        nxt = _WORD.findall(line[start:end].lower())
        mark = first.rstrip(" \"')\u201d\u2019")[-1:]
        if (mark == "?" and 0 < len(lead) <= 6 or mark == "!" and 0 < len(lead) <= 3) and lead[0] not in ASKING \
                and nxt and answer_of(*nxt[:3]) == 0:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def _evidence(sentence: str, term: str, width: int = 200) -> str:
    if len(sentence) <= width:
        return sentence
    at = normalise(sentence).find(term.split()[0]) if term else 0
    return snippet(sentence, max(at, 0), max(at, 0) + len(term), width // 2)


_FIRST_PERSON = frozenset({"i", "my", "me", "i'm", "i've", "i'd", "myself", "i'll"})
_CLINIC_VOICE = frozenset({"we", "our", "us", "we're", "we've", "we'll", "ours"})


_PRACTITIONER = frozenset({"clients", "patients", "technique", "practice", "clinic", "inject", "injector", "seen",
                           "treat", "offer", "team", "training", "trained", "use", "recommend", "advise", "explain",
                           "prescribe", "teach", "injecting", "injected", "treated", "treating", "job", "promise",
                           "guarantee", "specialise", "specialize", "provide", "perform", "administer", "diary",
                           "chair", "slots", "books", "offering", "running", "taking", "qualified", "always",
                           "own", "injectorlife", "tell", "told", "say", "nurse", "doctor",
                           "fully", "booked", "available", "open", "client's", "patient's", "clients'",
                           "patients'", "client", "patient"})
_ASKS_FOR_ME = frozenset({"dm", "message", "call", "text", "email", "contact"})   # "DM me": the practitioner


# what a client says of their own treatment (a review), not what a practitioner says of their work: "my skin",
# "my lips", "I look", "I felt", "I'm thrilled", "it made me", or the sentence quoted
_CLIENT_OWN = frozenset({"skin", "lips", "lip", "face", "forehead", "lines", "wrinkles", "acne", "rosacea", "eczema",
                         "psoriasis", "confidence", "jaw", "jawline", "cheeks", "brows", "hair", "results", "result",
                         "filler", "botox", "peel", "peels", "complexion", "pores", "scars", "life", "friends",
                         "husband", "wife", "partner", "family", "eyes", "neck", "chin", "nose", "smile", "spots",
                         "breakouts", "exosome", "appointment", "treatment", "treatments", "sessions", "session",
                         "self", "face's", "crow's", "frown", "under-eyes", "body", "legs", "underarms"})
_CLIENT_I = frozenset({"look", "looked", "looks", "feel", "felt", "had", "got", "was", "went", "didn't", "did",
                       "can", "can't", "finally", "barely", "love", "loved", "couldn't", "am", "noticed", "walked",
                       "came", "left", "wish", "honestly", "genuinely", "literally", "absolutely", "never", "just",
                       "cannot", "could", "would", "recommend", "highly", "hardly", "really", "booked",
                       "tried", "needed", "haven't", "hadn't", "wasn't", "swear", "cried", "saw", "don't"})
_CLIENT_ME = frozenset({"made", "gave", "left", "let", "makes", "gives", "given", "helped", "hurt", "changed",
                        "leaving", "making", "giving", "for", "to"})
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


def _first_person(words: tuple[Word, ...], text: str = "") -> bool:
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
_META = frozenset({"phrase", "phrases", "word", "words", "term", "terms", "label", "labels", "claim", "claims",
                   "means", "mean", "see", "use", "used", "say", "says", "promise", "promises", "websites", "ads",
                   "adverts", "marketing", "read", "slogan", "slogans", "buzzword", "buzzwords", "exist", "exists",
                   "myth", "nonsense", "language", "wording", "banners", "belong", "like", "call", "called"})


def _quoted(text: str) -> list[str]:
    """The quoted words of a sentence that talks about words ("'No downtime' is a phrase we don't use"), each as
    lower-case words joined by spaces; none when the sentence does not talk about words."""
    low = normalise(text)
    spans = [a or b for a, b in _QUOTED.findall(low)]
    if not spans:
        return []
    words = _WORD.findall(low)
    if _META.isdisjoint(words) and not _names_a_term(text, low, words, spans):
        return []
    return [" ".join(_WORD.findall(span)) for span in spans if len(span.split()) <= 6]


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
            and 2 * sum(len(_WORD.findall(span)) for span in spans) >= len(words))


def _overlaps(phrases: tuple[Phrase, ...], words: tuple[Word, ...], i: int, end: int, names: bool) -> bool:
    return any(a <= end and b >= i for p in phrases for a, b in find_phrase(p, words, names))
