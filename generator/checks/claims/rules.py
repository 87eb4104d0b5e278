"""The claims rule files: their schema, and each rule read into a `ClaimRule` with its phrases compiled; the rules
read together are a `RuleSet`, which keeps what the checker works out from them (their index).

A rule (see `generator/rules/uk.yaml`, the default UK rule set, and docs/checks.md) is a concept: `phrases` in
the phrase language (phrases.py), with the words that must be `near`, and `unless` phrases for other senses of its
words ("money-back guarantee", "semi-permanent make-up").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from generator.checks.claims.phrases import Phrase, PhraseError, compile_phrase
from generator.checks.claims.signatures import RuleIndex
from generator.data import Document, format_path, parse_document
from generator.errors import DataError, Problem
from generator.schema import Boolean, Choice, Field, ListOf, MapOf, Number, Obj, Text, custom, validate
from generator.text import squash

DEFAULT_RULES = "uk.yaml"
_DEFAULT_NAME = f"generator/rules/{DEFAULT_RULES}"   # as problems in it name it


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
    rule_set: RuleSet | None = field(default=None, compare=False, repr=False)   # the set it was read in

    @property
    def rule(self) -> str:
        return f"claims.{self.id}"


@dataclass(frozen=True, eq=False)
class RuleSet:
    """The rules of some rule file texts, read together once (`load_rules`), and what is worked out from them for
    matching (their index): it belongs to them, and goes when they go."""
    rules: tuple[ClaimRule, ...]

    @cached_property
    def index(self) -> RuleIndex:
        return RuleIndex([rule.phrases for rule in self.rules])


def index_of(rules: Sequence[ClaimRule]) -> RuleIndex:
    """The index of rules to match: their rule set's when they are the whole of one (made once, and shared by every
    checker of the set), else one of their own."""
    owner = rules[0].rule_set if rules else None
    if owner is not None and len(owner.rules) == len(rules) and \
            all(a is b for a, b in zip(owner.rules, rules, strict=True)):
        return owner.index
    return RuleIndex([rule.phrases for rule in rules])


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


def load_rules(paths: list[Path] | None = None, *, with_default: bool = False) -> list[ClaimRule]:
    """The default rule set, or the rule files given (raising DataError with file and line for bad rules), after
    the default set's rules `with_default`: rules read together are one set, with one index (see `RuleSet`).
    A project's rule file may use the sets of the default file (`@condition`) and its own."""
    sources: list[tuple[str, str]] = []
    if paths is None or with_default:
        sources.append((_DEFAULT_NAME, _default_text()))
    for path in paths or []:
        try:
            sources.append((str(path), Path(path).read_text("utf-8")))
        except OSError as exc:
            raise DataError([Problem(str(path), None, None, "", f"cannot read the rule file: {exc.strerror}",
                                     "check the path in site.yaml checks.rules")]) from None
    return list(_compiled(tuple(sources)).rules)


@lru_cache(maxsize=8)
def _compiled(sources: tuple[tuple[str, str], ...]) -> RuleSet:
    """The rules of these (file name, text) pairs as one set, made once for the same texts: the preview checks again
    at every save, and making the rules (their phrases and patterns, and the set's index) costs more than checking
    the pages a save changes. The rules are frozen, so runs can share them; a set kept no longer here goes with what
    was worked out from it; bad rules raise DataError each time (a raise is not kept)."""
    base_sets = _default_sets()
    rules: list[ClaimRule] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for name, text in sources:
        doc, found = _default_document() if name == _DEFAULT_NAME and text == _default_text() else \
            parse_document(text, name)
        if doc is not None and not found:
            found = validate(doc, _RULES_SCHEMA)
        problems += found
        if doc is None or found:
            continue
        sets = {**base_sets, **(doc.data.get("sets") or {})}
        memo: dict = {}   # the sets' alternatives, worked out once for the file (compile_phrase)
        for i, raw in enumerate(doc.data["rules"]):
            line = doc.where(("rules", i))[0]
            if raw["id"] in seen:
                problems.append(Problem(name, line, None, f"rules[{i}].id",
                                        f"rule `{raw['id']}` is defined twice (first in {seen[raw['id']]})",
                                        "give each rule its own id"))
                continue
            seen[raw["id"]] = f"{name}:{line}"
            rule = _make_rule(raw, doc, i, sets, problems, memo)
            if rule is not None:
                rules.append(rule)
    if problems:
        raise DataError(problems)
    rule_set = RuleSet(tuple(rules))
    for rule in rules:
        object.__setattr__(rule, "rule_set", rule_set)   # (frozen: set once, as it is made)
    return rule_set


@lru_cache(maxsize=1)
def _default_document() -> tuple[Document | None, list[Problem]]:
    """The default rule file read (once: its sets are every rule file's, and it is one of the files of most sets)."""
    return parse_document(_default_text(), _DEFAULT_NAME)


@lru_cache(maxsize=1)
def _default_sets() -> dict[str, list[str]]:
    doc, found = _default_document()
    return dict(doc.data.get("sets") or {}) if doc is not None and not found else {}


def _make_rule(raw: dict, doc: Document, i: int, sets: dict[str, list[str]],
               problems: list[Problem], memo: dict) -> ClaimRule | None:
    def phrase(text: str, where: tuple) -> Phrase | None:
        try:
            return compile_phrase(text, sets, memo=memo)
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

