"""Claims and advertising rules: a YAML rule file (like Vale's styles) matched against what a page says.

A rule lists `terms` (matched as whole words with their inflections) and `patterns` (regular expressions);
see `generator/rules/uk.yaml`, the default UK rule set, for the fields. Matching is on the visible text, the
title, the meta description, image alt text and the strings of the JSON-LD, lower-cased with (R) and (TM)
removed. A match is excused, unless its rule says `negatable: false`, when its clause negates it: a negation
("not", "no", "never", "cannot", ...) among the five words before it, or "is not", "cannot be", ... among the
four after it, within the same clause (clauses end at . , ; : ! ? and dashes). A match inside the text of a
disclaimer from the clinic's own library is excused too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from generator.checks import Finding, HtmlPage
from generator.data import Document, parse_document
from generator.errors import DataError, Problem
from generator.schema import Boolean, Choice, Field, ListOf, Number, Obj, Text, custom, validate

DEFAULT_RULES = "uk.yaml"


def _regex_rule(value, path):
    if not isinstance(value, str):
        yield path, "expected a regular expression in quotes", "write it in single quotes"
        return
    try:
        re.compile(value)
    except re.error as exc:
        yield path, f"not a valid regular expression: {exc}", "check the brackets and escape special characters"


_RULES_SCHEMA = Obj({
    "rules": Field(ListOf(Obj({
        "id": Field(Text(pattern=re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$"), single_line=True,
                         pattern_hint="an id of lower-case letters, digits and hyphens")),
        "severity": Field(Choice(options=("error", "warning"))),
        "message": Field(Text(single_line=True)),
        "hint": Field(Text()),
        "source": Field(Text(single_line=True)),
        "terms": Field(ListOf(Text(single_line=True)), required=False),
        "patterns": Field(ListOf(custom(_regex_rule)), required=False),
        "triggers": Field(ListOf(Text(single_line=True)), required=False,
                          doc="words one of which must be on the page before the patterns are tried"),
        "context_terms": Field(ListOf(Text(single_line=True)), required=False),
        "context": Field(ListOf(Text(single_line=True)), required=False),
        "within": Field(Number(minimum=1, maximum=20, integer=True), required=False),
        "negatable": Field(Boolean(), required=False),
    }), min_items=1)),
})


@dataclass(frozen=True)
class ClaimRule:
    id: str                      # without the "claims." prefix
    severity: str
    message: str
    hint: str
    source: str
    terms: tuple[tuple[frozenset[str], ...], ...]   # each term: the allowed forms of each of its words
    patterns: re.Pattern[str] | None
    triggers: frozenset[str] | None   # words that must be on the page for the patterns to be tried; None: always
    negatable: bool = True
    context_terms: tuple[tuple[frozenset[str], ...], ...] = ()   # count only with a context word nearby
    context: frozenset[str] = frozenset()
    within: int = 4
    file: str = ""
    line: int | None = None

    @property
    def rule(self) -> str:
        return f"claims.{self.id}"


# -- building the regular expressions -------------------------------------------------------------------------

def word_forms(word: str) -> list[str]:
    """A word and its common inflections: "guarantee" -> guarantee, guarantees, guaranteed, guaranteeing, ..."""
    if not word.isalpha() or len(word) < 3:
        return [word]
    if word.endswith("e"):
        stem = word[:-1]
        return [word, stem + "es", stem + "ed", stem + "ing", word + "ing", stem + "er", stem + "ers"]
    if word.endswith("y") and word[-2] not in "aeiou":
        stem = word[:-1]
        return [word, stem + "ies", stem + "ied", word + "ing"]
    return [word, word + "s", word + "es", word + "ed", word + "ing", word + "er", word + "ers"]


def term_words(term: str) -> tuple[frozenset[str], ...]:
    """A phrase as the forms each of its words may take ("risk-free" and "risk free" are the same term)."""
    return tuple(frozenset(word_forms(w)) for w in _WORD.findall(normalise(term)))


def normalise(text: str) -> str:
    """Lower-case, (R) and (TM) as spaces, straight quotes: the form rules match (same length as the text)."""
    text = text.lower()
    if not text.isascii():   # str.replace per character is many times faster than str.translate
        for old, new in _NORMALISE:
            if old in text:
                text = text.replace(old, new)
    return text


_NORMALISE = (("®", " "), ("™", " "), ("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'),
              ("\u2013", "-"), ("\u2014", "-"), ("\u00a0", " "))
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")


def load_rules(paths: list[Path] | None = None) -> list[ClaimRule]:
    """The default rule set, or the rule files given (raising DataError with file and line for bad rules)."""
    sources: list[tuple[str, str]] = []
    if paths is None:
        text = resources.files("generator").joinpath(f"rules/{DEFAULT_RULES}").read_text("utf-8")
        sources.append((f"generator/rules/{DEFAULT_RULES}", text))
    else:
        for path in paths:
            try:
                sources.append((str(path), Path(path).read_text("utf-8")))
            except OSError as exc:
                raise DataError([Problem(str(path), None, None, "", f"cannot read the rule file: {exc.strerror}",
                                         "check the path in site.yaml checks.rules")]) from None
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
        for i, raw in enumerate(doc.data["rules"]):
            line = doc.where(("rules", i))[0]
            if raw["id"] in seen:
                problems.append(Problem(name, line, None, f"rules[{i}].id",
                                        f"rule `{raw['id']}` is defined twice (first in {seen[raw['id']]})",
                                        "give each rule its own id"))
                continue
            seen[raw["id"]] = f"{name}:{line}"
            rule = _make_rule(raw, doc, i)
            if rule is None:
                problems.append(Problem(name, line, None, f"rules[{i}]", "the rule has no `terms`, `context_terms` "
                                        "or `patterns`", "add at least one term or pattern"))
            else:
                rules.append(rule)
    if problems:
        raise DataError(problems)
    return rules


def _make_rule(raw: dict, doc: Document, i: int) -> ClaimRule | None:
    terms = [t for t in raw.get("terms") or [] if t.strip()]
    patterns = list(raw.get("patterns") or [])
    context_terms = [t for t in raw.get("context_terms") or [] if t.strip()]
    if not terms and not patterns and not context_terms:
        return None
    triggers = None
    if raw.get("triggers"):   # words in any inflection; a symbol such as '*' stays as it is
        triggers = frozenset(f for t in raw["triggers"] for w in (_WORD.findall(normalise(t)) or [t.strip()])
                             for f in word_forms(w))
    return ClaimRule(
        id=raw["id"], severity=raw["severity"], message=raw["message"], hint=" ".join(raw["hint"].split()),
        source=raw["source"], terms=tuple(t for t in (term_words(t) for t in terms) if t),
        patterns=re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None, triggers=triggers,
        negatable=raw.get("negatable", True), file=doc.file, line=doc.where(("rules", i))[0],
        context_terms=tuple(t for t in (term_words(t) for t in context_terms) if t),
        context=frozenset(f for t in raw.get("context") or [] for w in _WORD.findall(normalise(t))
                          for f in word_forms(w)),
        within=raw.get("within", 4),
    )


# -- matching -------------------------------------------------------------------------------------------------

_CLAUSE_END = re.compile(r"[.,;:!?\n]|\s-\s|\s--\s")
_NEGATION_BEFORE = frozenset({"not", "no", "never", "cannot", "can't", "cant", "won't", "isn't", "aren't", "don't",
                              "doesn't", "didn't", "wasn't", "weren't", "nor", "none", "nothing", "neither",
                              "without", "shouldn't", "wouldn't", "couldn't", "hardly"})
_NOT_NEGATIONS = re.compile(r"\b(?:not only|not just|no doubt|no wonder|never been|nothing but|no more|"
                            r"never felt|never looked)\b")
_NEGATION_AFTER = re.compile(r"^\W*(?:\S+\s+){0,3}?(?:is|are|was|were|be|can|could|will|would|do|does)\s*"
                             r"(?:not|n't)\b|^\W*(?:\S+\s+){0,3}?(?:cannot|can't|won't|isn't|aren't)\b")


def _clause_numbers(text: str, tokens: list[re.Match]) -> list[int]:
    """For each word, the number of the clause it is in (clauses end at . , ; : ! ? and new lines)."""
    numbers, clause, previous = [], 0, 0
    for t in tokens:
        if _CLAUSE_END.search(text, previous, t.start()):
            clause += 1
        numbers.append(clause)
        previous = t.end()
    return numbers


def _joined(text: str, end: int, start: int) -> bool:
    """True when the gap between two words of a term is only spaces, a hyphen or a symbol such as %."""
    gap = text[end:start]
    return len(gap) <= 3 and not any(c in gap for c in ".,;:!?\n")


def _negated(text: str, start: int, end: int) -> bool:
    clause_start = 0
    for m in _CLAUSE_END.finditer(text, max(0, start - 200), start):
        clause_start = m.end()
    return _negated_from(text, clause_start, start, end)


def _negated_in_line(line: str, start: int, end: int) -> bool | None:
    """`_negated` for a match in one line of a text (`line` with its "\n"), or None when the answer depends on the
    lines before: no clause ends in the 200 characters before the match, and they do not reach the line's start."""
    clause_start = -1
    for m in _CLAUSE_END.finditer(line, max(0, start - 200), start):
        clause_start = m.end()
    if clause_start < 0:
        if start >= 200:
            return None
        clause_start = 0
    return _negated_from(line, clause_start, start, end)


def _negated_from(text: str, clause_start: int, start: int, end: int) -> bool:
    before = text[clause_start:start]
    if _NOT_NEGATIONS.search(before):
        return False
    if any(w in _NEGATION_BEFORE for w in _WORD.findall(before)[-5:]):
        return True
    after_end = _CLAUSE_END.search(text, end, end + 200)
    after = text[end: after_end.start() if after_end else end + 200]
    return bool(_NEGATION_AFTER.search(after))


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
        strings = [t for t in strings if t not in visible]   # most (names, FAQ answers) are on the page already
    if strings:
        texts.append(("JSON-LD", "\n".join(strings)))
    return texts


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
    out = " ".join(text[left:right].split())
    return ("…" if left else "") + out + ("…" if right < len(text) else "")


class ClaimsChecker:
    """Matches a rule set against pages; `exempt` are texts (the disclaimer library) in which nothing counts.

    A claim never spans lines (a term's words are joined by spaces or hyphens, a clause ends at a new line, and an
    exempt text is one line), so what a line contributes is worked out once per distinct line and remembered: most
    lines (treatment paragraphs, notes on an area, the footer) repeat on thousands of pages. Patterns may span
    lines; they run on the whole text, and a text in which one matches is checked as a whole.
    """

    MEMO_LINES = 50_000    # remembered lines (each a few hundred bytes): the memo starts again past this

    def __init__(self, rules: list[ClaimRule], exempt: list[str] = ()):
        self.rules = rules
        self.exempt = [normalise(" ".join(t.split())) for t in exempt if t.strip()]
        # first word form -> the terms that can start there: one dictionary look-up per word of the page
        # one-word terms by word, longer ones by their first two words: a page's words and word pairs meet these
        # keys in two set intersections, and only the positions found are looked at
        self.index: dict[str, list[tuple[ClaimRule, tuple[frozenset[str], ...], bool]]] = {}
        self.pairs: dict[tuple[str, str], list[tuple[ClaimRule, tuple[frozenset[str], ...], bool]]] = {}
        for rule in rules:
            for terms, needs_context in ((rule.terms, False), (rule.context_terms, True)):
                for term in dict.fromkeys(terms):
                    for form in term[0]:
                        if len(term) == 1:
                            self.index.setdefault(form, []).append((rule, term, needs_context))
                        else:
                            for second in term[1]:
                                self.pairs.setdefault((form, second), []).append((rule, term, needs_context))
        self._pair_firsts = frozenset(a for a, _ in self.pairs)
        self.with_patterns = [r for r in rules if r.patterns is not None]
        triggers = frozenset(t for r in self.with_patterns if r.triggers for t in r.triggers)
        self._trigger_words = triggers
        self._trigger_symbols = tuple(t for t in triggers if not t[0].isalnum())
        self._patterns_always = any(r.triggers is None for r in self.with_patterns)
        # normalised line -> (its claims: (rule, start, end, key, negated: False, or None to decide on the page),
        #                     the pattern triggers in it)
        self._lines: dict[str, tuple[tuple[tuple[ClaimRule, int, int, tuple[str, str], bool | None], ...],
                                     frozenset[str]]] = {}

    def matches(self, text: str) -> Iterator[tuple[ClaimRule, int, int]]:
        """(rule, start, end) of every term and pattern found in a normalised text."""
        words = _WORD.findall(text)
        present = set(words)
        yield from self._term_matches(text, words, present)
        yield from self._pattern_matches(text, present)

    def _term_matches(self, text: str, words: list[str], present: set[str]) -> Iterator[tuple[ClaimRule, int, int]]:
        singles = self.index.keys() & present
        pairs = self.pairs.keys() & set(zip(words, words[1:])) if not present.isdisjoint(self._pair_firsts) else ()
        if singles or pairs:
            firsts = singles | {a for a, _ in pairs}
            tokens = list(_WORD.finditer(text))
            clauses: list[int] | None = None
            for i in [i for i, w in enumerate(words) if w in firsts]:
                found = list(self.index.get(words[i], ()))
                if i + 1 < len(words) and (words[i], words[i + 1]) in pairs:
                    found += self.pairs[(words[i], words[i + 1])]
                for rule, term, needs_context in found:
                    last = i + len(term) - 1
                    if last >= len(words) or not all(
                            words[i + k] in term[k] and _joined(text, tokens[i + k - 1].end(), tokens[i + k].start())
                            for k in range(1, len(term))):
                        continue
                    if needs_context:
                        if clauses is None:
                            clauses = _clause_numbers(text, tokens)
                        lo, hi = max(0, i - rule.within), min(len(words), last + rule.within + 1)
                        if not any(words[j] in rule.context and clauses[j] == clauses[i]
                                   for j in range(lo, hi) if j < i or j > last):
                            continue
                    yield rule, tokens[i].start(), tokens[last].end()

    def _pattern_matches(self, text: str, present: set[str]) -> Iterator[tuple[ClaimRule, int, int]]:
        for rule in self.with_patterns:
            if rule.triggers is not None and present.isdisjoint(rule.triggers) and \
                    not any(t in text for t in rule.triggers if not t[0].isalnum()):
                continue
            for m in rule.patterns.finditer(text):
                if m.end() > m.start():
                    yield rule, m.start(), m.end()

    def check(self, page: HtmlPage) -> Iterator[Finding]:
        found: dict[tuple[str, str], list] = {}
        for where, raw in page_texts(page, None if self._patterns_always else self._worth):
            text = normalise(raw)
            if not self._check_lines(text, raw, where, found):
                self._check_text(text, raw, where, found)
        for (_, term), (rule, where, count, evidence) in sorted(found.items(), key=lambda kv: kv[0]):
            times = f" (found {count} times)" if count > 1 else ""
            yield Finding(rule.rule, rule.severity, page.url_path, f"{rule.message}: \"{term}\" in the {where}{times}",
                          evidence, rule.hint, rule.source)

    def _check_text(self, text: str, raw: str, where: str, found: dict[tuple[str, str], list]) -> None:
        """Add the claims of a whole normalised text to `found` ((rule id, term) -> [rule, where, count, evidence])."""
        spans = self._exempt_spans(text)
        hits = sorted(self.matches(text), key=lambda h: (h[0].id, h[1], -h[2]))
        kept: list[tuple[ClaimRule, int, int]] = []
        for hit in hits:   # "completely safe" is one claim, not also "safe"
            if kept and kept[-1][0] is hit[0] and hit[1] < kept[-1][2]:
                continue
            kept.append(hit)
        for rule, start, end in kept:
            if any(a <= start and end <= b for a, b in spans):
                continue
            if rule.negatable and _negated(text, start, end):
                continue
            key = (rule.id, " ".join(text[start:end].split()))
            if key in found:
                found[key][2] += 1
            else:
                found[key] = [rule, where, 1, snippet(raw, start, end)]

    def _check_lines(self, text: str, raw: str, where: str, found: dict[tuple[str, str], list]) -> bool:
        """`_check_text` line by line, with what each distinct line holds remembered; False (and nothing added)
        when a pattern matches the text, which is then left to `_check_text`."""
        memo = self._lines
        lines = text.split("\n")
        found_in: list[tuple[int, tuple]] = []   # (line number, its claims)
        triggers: set[str] = set()
        for i, line in enumerate(lines):
            if line in memo:
                entry = memo[line]
            else:
                if len(memo) >= self.MEMO_LINES:
                    memo.clear()
                entry = memo[line] = self._line(line)
            if entry is not _NOTHING:
                if entry[0]:
                    found_in.append((i, entry[0]))
                if entry[1]:
                    triggers |= entry[1]
        for rule in self.with_patterns:   # the triggers in the text are those in its lines
            if rule.triggers is not None and triggers.isdisjoint(rule.triggers):
                continue
            for m in rule.patterns.finditer(text):
                if m.end() > m.start():
                    return False
        done, offset = 0, 0   # the offset of line number `done`
        for i, claims in found_in:
            offset += sum(map(len, lines[done:i])) + i - done
            done = i
            for rule, start, end, key, negated in claims:
                if negated is None and _negated(text, offset + start, offset + end):
                    continue
                if key in found:
                    found[key][2] += 1
                else:
                    found[key] = [rule, where, 1, snippet(raw, offset + start, offset + end)]
        return True

    def _worth(self, text: str) -> bool:
        """True when a line of `text` holds a claim or a pattern's trigger (what each line holds is remembered)."""
        memo = self._lines
        for line in normalise(text).split("\n"):
            entry = memo.get(line)
            if entry is None:
                if len(memo) >= self.MEMO_LINES:
                    memo.clear()
                entry = memo[line] = self._line(line)
            if entry is not _NOTHING:
                return True
        return False

    def _line(self, line: str):
        """The claims of one line (term matches only: no pattern matched its text) and the pattern triggers in it."""
        text = line + "\n"   # the new line ends the last clause, as in the text
        words = _WORD.findall(text)
        present = set(words)
        triggers = self._trigger_words & present
        if self._trigger_symbols:
            triggers |= {t for t in self._trigger_symbols if t in text}
        hits = sorted(self._term_matches(text, words, present), key=lambda h: (h[0].id, h[1], -h[2]))
        if not hits and not triggers:
            return _NOTHING
        kept: list[tuple[ClaimRule, int, int]] = []
        for hit in hits:   # "completely safe" is one claim, not also "safe"
            if kept and kept[-1][0] is hit[0] and hit[1] < kept[-1][2]:
                continue
            kept.append(hit)
        spans = self._exempt_spans(text) if kept else []
        claims = []
        for rule, start, end in kept:
            if any(a <= start and end <= b for a, b in spans):
                continue
            negated = rule.negatable and _negated_in_line(text, start, end)
            if negated:
                continue
            claims.append((rule, start, end, (rule.id, " ".join(text[start:end].split())), negated))
        if not claims and not triggers:
            return _NOTHING
        return tuple(claims), frozenset(triggers)

    def _exempt_spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for t in self.exempt:
            start = text.find(t)
            while start != -1:
                spans.append((start, start + len(t)))
                start = text.find(t, start + 1)
        return spans


_NOTHING: tuple[tuple, frozenset[str]] = ((), frozenset())   # a line without claims or triggers
