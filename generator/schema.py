"""A small declarative schema for the YAML files: each rule says what it expected and what it found."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.data import Document, Path_, Placeholder, format_path
from generator.errors import Problem


def describe(value: Any) -> str:
    """How a found value is shown in an error: its type and a short excerpt."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type(value).__name__ if not isinstance(value, str) else 'text'} {text!r}"


class Rule:
    """Base: `check` yields (path, message, hint) for each problem in `value`."""

    placeholder_ok = False

    def check(self, value: Any, path: Path_) -> Iterator[tuple[Path_, str, str]]:
        raise NotImplementedError


@dataclass
class Text(Rule):
    min_len: int = 1
    max_len: int | None = None
    pattern: re.Pattern[str] | None = None
    pattern_hint: str = ""
    placeholder_ok: bool = False
    single_line: bool = False
    suggest: Callable[[str], str] | None = None  # the hint for a value that does not match `pattern`

    def check(self, value, path):
        if isinstance(value, Placeholder):
            if not self.placeholder_ok:
                yield path, "expected real text, found a !placeholder", "replace it with the real value"
            return
        if not isinstance(value, str):
            yield path, f"expected text, found {describe(value)}", "put the text in quotes"
            return
        stripped = value.strip()
        if len(stripped) < self.min_len:
            yield path, "expected text, found an empty value", "write the text or remove the field if optional"
        elif self.max_len and len(stripped) > self.max_len:
            yield path, f"expected at most {self.max_len} characters, found {len(stripped)}", "shorten it"
        elif self.single_line and "\n" in stripped:
            yield path, "expected one line, found several", "join the lines"
        elif self.pattern and not self.pattern.fullmatch(value):  # fullmatch: `$` allows a final newline
            yield path, f"expected {self.pattern_hint}, found {describe(value)}", (
                self.suggest(value) if self.suggest else "")


@dataclass
class Number(Rule):
    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False
    placeholder_ok: bool = False
    hint: str = ""  # the hint for a number out of range

    def check(self, value, path):
        if isinstance(value, Placeholder) and self.placeholder_ok:
            return
        kind = "a whole number" if self.integer else "a number"
        ok_type = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, ok_type):
            yield path, f"expected {kind}{self._range()}, found {describe(value)}", "write digits without quotes"
            return
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            yield path, f"expected {kind}{self._range()}, found {value}", self.hint

    def _range(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f" between {self.minimum:g} and {self.maximum:g}"
        if self.minimum is not None:
            return f" of at least {self.minimum:g}"
        return ""


@dataclass
class Boolean(Rule):
    def check(self, value, path):
        if not isinstance(value, bool):
            yield path, f"expected true or false, found {describe(value)}", ""


@dataclass
class Choice(Rule):
    options: tuple[str, ...] = ()

    def check(self, value, path):
        if value not in self.options:
            hint = _did_you_mean(str(value), self.options) or f"use one of: {', '.join(self.options)}"
            yield path, f"expected one of {', '.join(self.options)}, found {describe(value)}", hint


@dataclass
class ListOf(Rule):
    item: Rule
    min_items: int = 0
    unique: bool = False

    def check(self, value, path):
        if not isinstance(value, list):
            yield path, f"expected a list, found {describe(value)}", "write each item on its own line after `- `"
            return
        if len(value) < self.min_items:
            yield path, f"expected at least {self.min_items} item(s), found {len(value)}", ""
        seen: set[Any] = set()
        for i, item in enumerate(value):
            if self.unique and isinstance(item, str):
                if item in seen:
                    yield path + (i,), f"`{item}` is listed twice", "remove the repeat"
                seen.add(item)
            yield from self.item.check(item, path + (i,))


@dataclass
class MapOf(Rule):
    """A mapping with free keys (such as disclaimer ids), each checked by `key` and `value`."""

    key: Text
    value: Rule
    min_items: int = 0

    def check(self, value, path):
        if not isinstance(value, dict):
            yield path, f"expected a mapping (id: value lines), found {describe(value)}", ""
            return
        if len(value) < self.min_items:
            yield path, f"expected at least {self.min_items} entries, found {len(value)}", ""
        for k, v in value.items():
            for p, msg, hint in self.key.check(k, path + (k,)):
                yield p, f"key {msg}", hint
            yield from self.value.check(v, path + (k,))


@dataclass
class Field:
    rule: Rule
    required: bool = True
    doc: str = ""


@dataclass
class Obj(Rule):
    fields: dict[str, Field] = field(default_factory=dict)
    open_keys: bool = False  # sections owned by later phases (e.g. `checks`) may add their own keys

    def check(self, value, path):
        if not isinstance(value, dict):
            yield path, f"expected a mapping (key: value lines), found {describe(value)}", ""
            return
        for name, spec in self.fields.items():
            if name not in value or value[name] is None:
                if spec.required:
                    what = f"`{name}` is missing" if name not in value else f"`{name}` is empty"
                    hint = f"add `{name}:`" + (f" ({spec.doc})" if spec.doc else "")
                    yield path, what, hint
                continue
            yield from spec.rule.check(value[name], path + (name,))
        if not self.open_keys:
            for key in value:
                if key not in self.fields:
                    hint = _did_you_mean(key, self.fields) or f"known fields: {', '.join(self.fields)}"
                    yield path + (key,), f"unknown field `{key}`", hint


def _did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else ""


def validate(doc: Document, rule: Rule) -> list[Problem]:
    """All problems in the document, each with file, line, column and field path."""
    problems = []
    for path, message, hint in rule.check(doc.data, ()):
        line, col = doc.where(path)
        problems.append(Problem(doc.file, line, col, format_path(path), message, hint))
    return problems


def custom(fn: Callable[[Any, Path_], Iterator[tuple[Path_, str, str]]]) -> Rule:
    """A one-off rule from a function."""
    rule = Rule()
    rule.check = fn  # type: ignore[method-assign]
    return rule
