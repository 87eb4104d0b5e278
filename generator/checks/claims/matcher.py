"""The claims of each sentence of a line: the rule set's phrases indexed by their signatures, matched in each
sentence, and excused there by what the sentence itself says (a negation, another sense of the words, a question,
a refusal, words quoted to be talked about); what each distinct line holds is remembered.

A match is excused when a negation reaches it ("no treatment is risk-free", see checks/sentences.py), or when it
lies in a disclaimer of the clinic's own library; a rule with `negatable: false` (a medicine's name) is reported
even then. What the sentences around it say is weighed on the page (checker.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from generator.checks.claims.lines import lead_ins_joined
from generator.checks.claims.phrases import (
    ASCII_WORD_PATTERN,
    TIME_WORDS,
    WORD_PATTERN,
    Phrase,
    affirmed,
    clean_text,
    compare,
    find_phrase,
    match_at,
    normalise,
    overlaps,
)
from generator.checks.claims.rules import ClaimRule, index_of
from generator.checks.claims.signatures import DIGITS
from generator.checks.claims.voice import first_person, quoted_terms
from generator.checks.sentences import (
    NUMBER_WORDS,
    Sentence,
    Word,
    answer_of,
    language_words,
    negated_after,
    negation_scopes,
    sentence_of,
    split_compound,
    split_sentences,
    words_of,
)
from generator.text import squash

# -- a sentence's claims ---------------------------------------------------------------------------------------

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


# words next to a harm that ask whether it is absent ("risk-free", "no risk"); words before it that make it the
# circumstance of a question, not what is asked about ("after a complication")
_FREE_OF = language_words("free-of")
_CIRCUMSTANCE = language_words("circumstances")
NEUTRAL = (SentenceResult((), False, 0),)   # a line that holds no claim and answers nothing
_YES = (SentenceResult((), False, 1),)       # a sentence that holds no claim and starts "Yes"
_NO = (SentenceResult((), False, -1),)
_BY_ANSWER = {0: NEUTRAL, 1: _YES, -1: _NO}
_TAG = re.compile(r"#([^\W_]\w*)")


class ClaimMatcher:
    """Matches a rule set against the lines of a text; `exempt` are texts (the disclaimer library) in which nothing
    counts.

    A sentence never spans lines (a line is a block of the page: a paragraph, a heading, a list item), so what a
    line holds is worked out once per distinct line and remembered: most lines (treatment paragraphs, notes on an
    area, the footer) repeat on thousands of pages. Only a question at a line's end looks at the next line (its
    answer), and that is decided on the page from what the two lines hold.
    """

    MEMO_LINES = 50_000    # remembered lines (each a few hundred bytes): the memo starts again past this

    def __init__(self, rules: list[ClaimRule], exempt: Sequence[str] = ()):
        self.rules = rules
        self.exempt = [squash(normalise(t)) for t in exempt if t.strip()]
        index = index_of(rules)   # the rule set's own index when the rules are one whole set (see rules.py)
        self.by_signature, self.signature_forms = index.by_signature, index.signature_forms
        self.candidates, self.candidate_forms = index.candidates, index.candidate_forms
        self.vocabulary, self._relevant, self._numbered = index.vocabulary, index.relevant, index.numbered
        self._signs, self._signs_in = index.signs, index.signs_in
        self._number_atoms, self._atom_at = index.number_atoms, index.atom_at
        self._signature_numbers, self._signature_number_words = index.signature_numbers, index.signature_number_words
        self.with_patterns = [r for r in rules if r.patterns is not None]
        self._first_person = [r for r in rules if r.first_person]
        self._takers = [r for r in rules if r.takes_back]
        self.filtered = not self.with_patterns
        self._forget()

    def _forget(self) -> None:
        """Start with nothing remembered of the lines seen."""
        self._decided: dict[tuple, bool] = {}
        self._number_classes: dict[str, tuple[bool, ...]] = {}
        self._lines: dict[str, tuple[SentenceResult, ...]] = {}

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
        clean = clean_text(line)
        spans = lead_ins_joined(clean, split_sentences(clean))
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
        return tuple(out) if interesting else NEUTRAL

    def _could_match(self, text: str) -> int | None:
        """None when some phrase of the rules may match in the text; else (no phrase can: most lines, found with
        cheap set look-ups only) how the text answers a question before it: -1 no, 1 yes, 0 neither.

        Whether a phrase may match depends only on which of the rules' words the text holds, and on how its
        numbers compare with the rules' numbers: that is remembered, so that lines which differ in other words
        (a place's name, a distance) are decided once."""
        low = normalise(text)
        words = (ASCII_WORD_PATTERN if low.isascii() else WORD_PATTERN).findall(low)
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
        if self._numbered and (DIGITS.search(low) or not present.isdisjoint(NUMBER_WORDS)):
            classes = self._number_classes
            numbers = frozenset([classes.get(n) or self._number_class(n) for n in DIGITS.findall(low)]
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
            known = self._number_classes[digits] = tuple(compare(atom, n) for atom in self._number_atoms)
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
        if self._first_person and claims and not s.question and first_person(s.words, s.text):
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
        timed = any(w.number is not None or w.form in TIME_WORDS for w in words)
        if timed:
            forms.add("#num")
        by_signature = self.by_signature
        phrases: dict[int, tuple[int, int, Phrase, frozenset[str]]] = {}
        for form in forms & self.signature_forms:
            for entry in by_signature[form]:
                phrases[entry[0]] = entry
        tries = []
        for order, rule_no, phrase, keys in phrases.values():
            rule = self.rules[rule_no]
            numeric = "#num" in keys or "#time" in keys
            for i, w in enumerate(words):
                if w.form in keys or (timed and (numeric and w.number is not None or
                                                 "#time" in keys and w.form in TIME_WORDS)):
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
            if phrase.not_near and any(affirmed(p, words, rule.names) for p in phrase.not_near):
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
        quoted = quoted_terms(s.text)
        done: dict[str, int] = {}   # rule id -> last word of its last claim: "completely safe" is not also "safe"
        for rule, i, end, pattern, context, footnote, not_near in hits:
            if done.get(rule.id, -1) >= i:
                continue
            if rule.unless and overlaps(rule.unless, words, i, end, True):
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


    def _worth(self, text: str) -> bool:
        """True when a line of `text` holds a claim (what each line holds is remembered)."""
        memo = self._lines
        for line in text.split("\n"):
            known = memo.get(line)
            if known is None:
                known = self.line_results(line)
            if known is not NEUTRAL and any(r.claims for r in known):
                return True
        return False

