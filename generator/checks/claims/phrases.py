"""The phrase language of the claims rules: a word's forms, a phrase compiled into elements, and where a phrase
matches in the words of a sentence.

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

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from generator.checks.sentences import NEGATIONS, Word, language_words, negation_scopes
from generator.text import ASCII_WORD_PART, CURRENCY_SIGNS, QUOTES, WORD, did_you_mean

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
    return clean_text(text.lower())


# footnote marks (dagger, double dagger, superscript numbers) become the asterisk that rules and footnotes look for
_NORMALISE = (("®", " "), ("™", " "), ("†", "*"), ("‡", "*"), ("\u00b9", "*"), ("\u00b2", "*"), ("\u00b3", "*"),
              ("\u2074", "*"), *QUOTES, ("\u2013", "-"), ("\u2014", "-"), ("\u00a0", " "))


def clean_text(text: str) -> str:
    """`normalise` with the case kept (names are told by their capitals)."""
    if not text.isascii():   # str.replace per character is many times faster than str.translate
        for old, new in _NORMALISE:
            if old in text:
                text = text.replace(old, new)
    if "^" in text:   # a caret is a footnote mark too: "No bruising^ ^Bruising happens in ..."
        text = text.replace("^", "*")
    return text


WORD_PATTERN = re.compile(WORD)   # a word as the rules read it (generator/text.py WORD)
ASCII_WORD_PATTERN = re.compile(rf"{ASCII_WORD_PART}(?:'{ASCII_WORD_PART})*")   # the same, in ASCII text


# -- phrases ----------------------------------------------------------------------------------------------------

Atom = frozenset | tuple          # a set of word forms, or ("num", op, value) / ("time",)
Alternative = tuple               # a sequence of atoms: one alternative of an element


@dataclass(frozen=True)
class Element:
    alternatives: tuple[Alternative, ...] = ()
    optional: bool = False
    gap: int = 0                  # > 0: a gap of up to this many words (and no alternatives)

    # worked out from `alternatives` for matching, when first matched (the elements of a set's entries, read only
    # for their alternatives, never are): the one-word alternatives as one set of forms; longer ones by their
    # first word's forms; the rest (numbers, times) as they are
    @cached_property
    def single(self) -> frozenset[str]:
        return frozenset().union(*(alt[0] for alt in self.alternatives
                                   if isinstance(alt[0], frozenset) and len(alt) == 1))

    @cached_property
    def longer(self) -> dict[str, tuple[Alternative, ...]]:
        longer: dict[str, list[tuple]] = {}
        for alt in self.alternatives:
            if isinstance(alt[0], frozenset) and len(alt) > 1:
                for form in alt[0]:
                    longer.setdefault(form, []).append(alt[1:])
        return {k: tuple(v) for k, v in longer.items()}

    @cached_property
    def other(self) -> tuple[Alternative, ...]:
        return tuple(alt for alt in self.alternatives if not isinstance(alt[0], frozenset))


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

    @cached_property
    def first_keys(self) -> frozenset[str]:
        """What the first word of a match can be: worked out once, when first needed (a set's entries, read only for
        their elements, never need it)."""
        return frozenset(_first_keys(self.elements))


_SYMBOLS = frozenset("£$€%*+&")
_PARTS = re.compile(r"(?:\([^()]*\)|[^\s(])+")          # a phrase's parts: words, alternatives, groups
_ITEMS = re.compile(r"(\([^()]*\)|[^|()]*)\|")           # the alternatives of one part, each followed by |
_NUM = re.compile(r"^#num(?:(<=|>=|<|>|=)(\d+)|(\d+)-(\d+))?$")
_HYPHENS = re.compile(r"[-\u2010\u2011\u2013]")
_WORDISH = re.compile(WORD + rf"|[{CURRENCY_SIGNS}%*+&]")


class PhraseError(ValueError):
    pass


def compile_phrase(text: str, sets: dict[str, list[str]], _depth: int = 0, *,
                   memo: dict[tuple, Any] | None = None) -> Phrase:
    """A phrase of the rule language (see the module's docstring) as elements to match. `memo` keeps what is
    worked out for phrases of the same `sets` (the alternatives of each set, `@name`, and the element of each part,
    at each depth): a rule file uses its sets and parts in many phrases, and a set's entries are phrases too."""
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
        if memo is not None and ("part", part, optional, _depth) in memo:
            elements.append(memo[("part", part, optional, _depth)])
            continue
        alternatives: list[Alternative] = []
        for alt in _ITEMS.findall(part + "|") if part.count("(") == part.count(")") else [None]:
            if alt is None or alt in ("", "()") or (alt.startswith("(") and not alt.endswith(")")):
                raise PhraseError(f"`{part}`: an empty alternative, or a group not closed: write a|b or (a b|c d)")
            if alt.startswith("("):   # (a b|c d): runs of several words
                for inner_text in alt[1:-1].split("|"):
                    if not inner_text.strip():
                        raise PhraseError(f"`{part}`: an empty alternative in a group")
                    inner = compile_phrase(inner_text, sets, _depth + 1, memo=memo).elements
                    if any(e.gap or e.optional for e in inner):
                        raise PhraseError(f"`{part}`: a group holds words only, without gaps or optional words")
                    alternatives += _sequences(inner)
            else:
                alternatives += _alternatives(alt, sets, _depth, memo)
        elements.append(Element(tuple(dict.fromkeys(alternatives)), optional))
        if memo is not None:
            memo[("part", part, optional, _depth)] = elements[-1]
    if not elements:
        raise PhraseError("the phrase is empty")
    if elements[-1].gap:
        raise PhraseError("a phrase cannot end with a gap")
    return Phrase(text, tuple(elements))


def _alternatives(alt: str, sets: dict[str, list[str]], depth: int,
                  memo: dict[tuple, Any] | None) -> list[Alternative]:
    if alt.startswith("@"):
        name = alt[1:]
        if name not in sets:
            close = did_you_mean(name, sets, lambda s: f"@{s}")
            raise PhraseError(f"`@{name}`: no set of that name" + (f" ({close})" if close else ""))
        if depth > 3:
            raise PhraseError(f"`@{name}`: sets refer to each other in a circle")
        if memo is not None and ("@", name, depth) in memo:
            return memo[("@", name, depth)]
        out: list[Alternative] = []
        for entry in sets[name]:
            elements = compile_phrase(entry, sets, depth + 1, memo=memo).elements
            if any(element.gap or element.optional for element in elements):
                raise PhraseError(f"`@{name}`: an entry of a set is words, without gaps or optional words")
            out += _sequences(elements)
        if memo is not None:
            memo[("@", name, depth)] = out
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
    sequence = tuple(frozenset([w]) if exact or w in _SYMBOLS or w[0].isdigit() else _forms(w) for w in words)
    out = [sequence]
    if len(words) > 1 and not exact and "-" in alt:   # "risk-free" is also written "riskfree"
        out.append((frozenset({"".join(words)}),))
    return out


@cache
def _forms(word: str) -> frozenset[str]:
    """`word_forms` as a set, made once per word (the rules name many words many times)."""
    return frozenset(word_forms(word))


def _sequences(elements: tuple[Element, ...]) -> list[Alternative]:
    """Every sequence of atoms a gap-free phrase stands for (the product of its elements' alternatives)."""
    out: list[tuple] = [()]
    for element in elements:
        out = [seq + alt for seq in out for alt in element.alternatives]
    return out


TIME_WORDS = language_words("times-of-day")   # times of day without a number: "#time"


def _atom_matches(atom, word: Word) -> bool:
    if isinstance(atom, frozenset):
        return word.form in atom
    if atom[0] == "num":
        return word.number is not None and compare(atom, word.number)
    # a time of day
    return (word.number is not None and (":" in word.form or word.form.endswith(("am", "pm", "m.")))) or \
        word.form in TIME_WORDS


def compare(atom: tuple, number: float) -> bool:
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


_GAP_STOPS = language_words("gap-ends")   # words a gap does not cross


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


def _first_keys(elements: tuple[Element, ...]) -> set[str]:
    """What the first word of a match can be: word forms, or "#num" / "#time" for any number or time."""
    keys: set[str] = set()
    for alt in elements[0].alternatives if elements else ():
        atom = alt[0]
        if isinstance(atom, frozenset):
            keys |= atom
        else:
            keys.add("#num" if atom[0] == "num" else "#time")
    return keys


def affirmed(phrase: Phrase, words: tuple[Word, ...], names: bool) -> bool:
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


def find_phrase(phrase: Phrase, words: tuple[Word, ...], names: bool) -> list[tuple[int, int]]:
    """(first, last) word of every match of a phrase in a sentence (used for `near` and `unless`)."""
    keys = phrase.first_keys
    out = []
    for i, w in enumerate(words):
        if w.form in keys or (w.number is not None and ("#num" in keys or "#time" in keys)) or \
                ("#time" in keys and w.form in TIME_WORDS):
            end = match_at(phrase.elements, words, i, names)
            if end is not None:
                out.append((i, end))
    return out


def overlaps(phrases: tuple[Phrase, ...], words: tuple[Word, ...], i: int, end: int, names: bool) -> bool:
    """True when a match of one of the phrases shares a word with the words i to end (another sense of them)."""
    return any(a <= end and b >= i for p in phrases for a, b in find_phrase(p, words, names))
