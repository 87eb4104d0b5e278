"""A small declarative schema for the YAML files: each rule says what it expected and what it found."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar, dataclass_transform

from generator.data import Document, Path_, Placeholder
from generator.errors import Problem
from generator.text import did_you_mean


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


# Characters no text in the data may hold: controls (C0 but tab and line feed, DEL, C1), the line and paragraph
# separators, and the bidirectional controls (an override reverses the rest of a title). One-line text (names,
# headings, titles: what becomes a <title> or an <h1>) may not hold invisible characters either (Unicode's format
# characters: zero-width space, soft hyphen, word joiner, byte-order mark...), except the zero-width joiner and
# non-joiner that some scripts and emoji need.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_JOINERS = frozenset("\u200c\u200d")


def hidden_character(text: str, single_line: bool) -> tuple[int, str] | None:
    """(position, character) of the first character `text` may not hold, or None."""
    if text.isprintable():   # (every character above is a control, a separator or a format character, which
        return None          # this tells apart at C speed: 10,000 notes in 89 M instructions, the search 217 M)
    found = _CONTROL.search(text)
    if found:
        return found.start(), found.group()
    if single_line:
        for i, ch in enumerate(text):
            if unicodedata.category(ch) == "Cf" and ch not in _JOINERS:
                return i, ch
    return None


def character_name(ch: str) -> str:
    """U+202E RIGHT-TO-LEFT OVERRIDE"""
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'CONTROL CHARACTER')}"


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
    kind: str = ""  # how the docs name this kind of text ("slug", "language tag"); "text" when empty
    # A placeholder's label is shown as words and never used as the value (no link or file is made of it): it
    # must be clean text, but need not have the value's form ("Phone number to be confirmed").
    label_is_text: bool = False

    def check(self, value, path):
        """A placeholder's label is checked as the value it stands for: it is published in its place (only as
        words, not in the value's form, where `label_is_text`)."""
        if isinstance(value, Placeholder) and not self.placeholder_ok:
            yield path, "expected real text, found a !placeholder", "replace it with the real value"
            return
        if not isinstance(value, str):
            yield path, f"expected text, found {describe(value)}", "put the text in quotes"
            return
        hidden = hidden_character(value, self.single_line)
        if hidden:
            at, ch = hidden
            yield path, (f"the text holds an invisible character, {character_name(ch)}, at character {at + 1}"
                         f"{' (after ' + repr(value[max(0, at - 20):at]) + ')' if at else ''}"), (
                "delete it: retype the text around that point, or copy the text from a plain-text source")
            return
        stripped = value.strip()
        if len(stripped) < self.min_len:
            yield path, "expected text, found an empty value", "write the text or remove the field if optional"
        elif self.max_len and len(stripped) > self.max_len:
            yield path, f"expected at most {self.max_len} characters, found {len(stripped)}", "shorten it"
        elif self.single_line and "\n" in stripped:
            yield path, "expected one line, found several", "join the lines"
        elif self.label_is_text and isinstance(value, Placeholder):
            return
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
        if not math.isfinite(value):
            yield path, f"expected a finite number{self._range()}, found {value}", "write the number in digits"
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
            hint = did_you_mean(str(value), self.options) or f"use one of: {', '.join(self.options)}"
            yield path, f"expected one of {', '.join(self.options)}, found {describe(value)}", hint


@dataclass(init=False)
class ListOf(Rule):
    item: Rule
    min_items: int = 0
    unique: bool = False

    def __init__(self, item: Rule | type, min_items: int = 0, unique: bool = False) -> None:
        self.item, self.min_items, self.unique = as_rule(item), min_items, unique

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

    key: Rule
    value: Rule
    min_items: int = 0

    def __init__(self, key: Rule, value: Rule | type, min_items: int = 0) -> None:
        self.key, self.value, self.min_items = key, as_rule(value), min_items

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


NO_DEFAULT: Any = type("NoDefault", (), {"__repr__": lambda self: "NO_DEFAULT"})()


@dataclass
class Field:
    """One field of a mapping, declared once: how it is checked, whether it must be there, its default, and what
    the documentation (and, later, forms and spreadsheets) say about it.

    rule:         how the value is checked (a Rule, or a @record class for a nested mapping)
    required:     the build stops when the field is absent; an optional field takes `default`
    doc:          said in the hint when a required field is missing ("add `url:` (where the site goes ...)")
    help:         what the field means, for a person: the docs' table, a form's help text
    example:      a value as written in YAML, for the docs
    default:      the record's value when the field is absent (a @record class: its own defaults); None for an
                  optional field without one. A required field may have one too: its value when the mapping
                  that holds it is absent (`deploy.targets` when there is no `deploy:`)
    derive:       works the value out of the rest of the mapping when it is absent (a slug from the name)
    convert:      YAML value -> record value, when the rule's own conversion is not right
    default_doc:  how the docs say the default, when it is not a plain value ("all", "made from the name")
    type_doc:     the docs' Type column, when the rule's own description is not enough
    """

    rule: Any
    required: bool = True
    doc: str = ""
    help: str = ""
    example: str = ""
    default: Any = NO_DEFAULT
    derive: Callable[[dict], Any] | None = None
    convert: Callable[[Any], Any] | None = None
    default_doc: str = ""
    type_doc: str = ""

    def __post_init__(self) -> None:
        self.rule = as_rule(self.rule)


@dataclass
class Obj(Rule):
    fields: dict[str, Field] = field(default_factory=dict)
    open_keys: bool = False  # sections owned by later phases (e.g. `checks`) may add their own keys
    record: type | None = None  # the frozen record built from a valid mapping (a plain dict when None)

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
                    hint = did_you_mean(key, self.fields) or f"known fields: {', '.join(self.fields)}"
                    yield path + (key,), f"unknown field `{key}`", hint



def validate(doc: Document, rule: Rule, at: Path_ = ()) -> list[Problem]:
    """All problems in the document (or in its part at path `at`), each with file, line, column and field path."""
    value = doc.data
    for key in at:
        value = value.get(key) if isinstance(value, dict) else None
    return [doc.problem(path, message, hint) for path, message, hint in rule.check(value, at)]


@dataclass
class Custom(Rule):
    """A one-off rule from a function."""

    fn: Callable[[Any, Path_], Iterator[tuple[Path_, str, str]]]

    def check(self, value, path):
        return self.fn(value, path)


def custom(fn: Callable[[Any, Path_], Iterator[tuple[Path_, str, str]]]) -> Rule:
    """A one-off rule from a function."""
    return Custom(fn)


# -- records: each field declared once, as a Field; the record class, its validation, its defaults, its
#    construction from the YAML and its documentation all come from that one declaration ---------------------

def declare(rule: Any, *, required: bool | None = None, **spec: Any) -> Any:
    """A field of a @record: `name: str = declare(Text(), help="...", example="...")`. A field is required unless
    it is given a `default` or `derive`, or `required=False` (then it is None when absent)."""
    if required is None:
        required = "default" not in spec and "derive" not in spec
    return Field(rule, required=required, **spec)


_Record = TypeVar("_Record", bound=type)


# The type checker reads a @record class as the frozen, keyword-only dataclass it becomes, and `declare` as its
# field(): a field has a default in the constructor only where the declaration says `default=` (an optional field
# without one says `default=None`); a derived field must be given when a record is made in code.
@dataclass_transform(frozen_default=True, kw_only_default=True, field_specifiers=(declare, dataclasses.field))
def record(cls: _Record) -> _Record:
    """Make a class whose fields are `declare`d into a frozen dataclass (keyword arguments only) with the schema
    of its YAML mapping as `cls.schema` (an Obj; `schema_of(cls)` to the type checker). Other annotated attributes
    are plain fields that the YAML does not hold: `line` (where the mapping starts in its file) is filled in by
    `construct`."""
    fields: dict[str, Field] = {}
    for name in cls.__dict__.get("__annotations__", {}):
        spec = cls.__dict__.get(name)
        if isinstance(spec, Field):
            fields[name] = spec
            setattr(cls, name, _dataclass_default(spec))
    made: Any = dataclasses.dataclass(frozen=True, kw_only=True)(cls)   # the same class object, now a dataclass
    made.schema = Obj(fields, record=made)
    return cls


def is_record(value: Any) -> bool:
    return isinstance(value, type) and isinstance(value.__dict__.get("schema"), Obj)


def schema_of(cls: type) -> Obj:
    """The schema of a @record class's mapping."""
    schema = cls.__dict__.get("schema")
    if not isinstance(schema, Obj):
        raise TypeError(f"{cls.__name__} is not a @record class")
    return schema


def _dataclass_default(spec: Field) -> Any:
    default = spec.default
    if default is NO_DEFAULT:
        # A derived field is always given by `construct`, so a record made in code must give it too.
        return dataclasses.field() if spec.required or spec.derive else dataclasses.field(default=None)
    if is_record(default):
        return dataclasses.field(default_factory=default)
    if isinstance(default, (dict, list, set)):
        return dataclasses.field(default_factory=lambda: type(default)(default))
    return dataclasses.field(default=default)


def as_rule(value: Rule | type) -> Rule:
    """A rule, given a rule or a @record class (its mapping's rule)."""
    return schema_of(value) if isinstance(value, type) else value


def construct(rule: Rule, value: Any, doc: Document, path: Path_ = ()) -> Any:
    """The record (or plain value) for a YAML value that `rule` found valid: text normalised, numbers as
    int or float, lists as tuples, absent fields given their defaults."""
    if isinstance(rule, Obj):
        out: dict[str, Any] = {}
        for name, spec in rule.fields.items():
            raw = value.get(name)
            if raw is not None:
                if spec.convert:
                    out[name] = spec.convert(raw)
                elif isinstance(spec.rule, Text):   # (most fields: made here, without a path of their own)
                    out[name] = normalise_text(raw)
                else:
                    out[name] = construct(spec.rule, raw, doc, path + (name,))
            elif spec.derive is not None:
                out[name] = spec.derive(value)
        if rule.record is None:
            return out
        has_line, located = _record_shape(rule.record)
        if has_line:
            out["line"] = doc.where(path)[0]
        if located is not None:
            out.update(located(value, lambda sub: doc.where(path + sub)[0]))
        return rule.record(**out)
    if isinstance(rule, ListOf):
        return tuple(construct(rule.item, item, doc, path + (i,)) for i, item in enumerate(value))
    if isinstance(rule, MapOf):
        return {k: construct(rule.value, value[k], doc, path + (k,)) for k in sorted(value)}
    if isinstance(rule, Text):
        return normalise_text(value)
    if isinstance(rule, Number):
        return int(value) if rule.integer else float(value)
    return value


@functools.cache
def _record_shape(record: type) -> tuple[bool, Callable[..., dict[str, Any]] | None]:
    """Whether a record has a `line` field (the line its mapping starts on), and its `located` (fields that say
    where other fields were written), worked out once per record class rather than for each of 10,000 records."""
    return "line" in {f.name for f in dataclasses.fields(record)}, getattr(record, "located", None)


def _spliced_list(rule: Rule, doc: Document) -> ListOf | None:
    """The rule of the list that `doc.splice` read again in part, when its items are checked and made each on its
    own (no `unique`, no conversion of the whole list): then a splice's work is that of the items read again."""
    splice = doc.splice
    if splice is None or not isinstance(rule, Obj) or splice.key not in rule.fields:
        return None
    spec = rule.fields[splice.key]
    if not isinstance(spec.rule, ListOf) or spec.rule.unique or spec.convert is not None:
        return None
    return spec.rule if len(doc.data[splice.key]) >= spec.rule.min_items else None


def validate_splice(doc: Document, rule: Rule) -> list[Problem] | None:
    """`validate(doc, rule)` for a document that `data.reparse` made from a valid one (`doc.splice.base`): the
    problems of the items read again, as the same rule finds them in the whole document. None when the items
    cannot be checked alone (then validate the whole)."""
    items = _spliced_list(rule, doc)
    if items is None or doc.splice is None:
        return None
    key, start = doc.splice.key, doc.splice.start
    return [doc.problem(path, message, hint) for i in range(start, start + doc.splice.added)
            for path, message, hint in items.item.check(doc.data[key][i], (key, i))]


def construct_splice(rule: Rule, doc: Document, base: Any) -> Any:
    """`construct(rule, doc.data, doc)` for a document that `data.reparse` made from a valid one, given `base`, the
    record made from `doc.splice.base`: the items read again made, the others taken from `base` (those after them
    with their `line` moved, when they hold no other positions). None when that cannot be done."""
    items, splice = _spliced_list(rule, doc), doc.splice
    if items is None or splice is None or not isinstance(rule, Obj) or rule.record is None \
            or type(base) is not rule.record:
        return None
    key, start, end = splice.key, splice.start, splice.start + splice.added
    old = getattr(base, key)
    made = tuple(construct(items.item, doc.data[key][i], doc, (key, i)) for i in range(start, end))
    after = old[start + splice.removed:]
    if splice.shift and after:
        if _holds_positions(items.item, top=True):
            after = tuple(construct(items.item, doc.data[key][i], doc, (key, i))
                          for i in range(end, len(doc.data[key])))
        elif isinstance(items.item, Obj) and items.item.record is not None \
                and "line" in {f.name for f in dataclasses.fields(items.item.record)}:
            after = tuple(dataclasses.replace(r, line=r.line + splice.shift if r.line is not None else None)
                          for r in after)
    record: Any = base
    return dataclasses.replace(record, **{key: old[:start] + made + after})


def _holds_positions(rule: Rule, top: bool = False) -> bool:
    """Whether records made by `rule` hold where their parts were written, other than the `line` of the record
    itself (`top`): a `located` record, or a record with a `line` inside it."""
    if isinstance(rule, Obj):
        record = rule.record
        if record is not None and (getattr(record, "located", None) is not None
                                   or not top and "line" in {f.name for f in dataclasses.fields(record)}):
            return True
        return any(_holds_positions(spec.rule) for spec in rule.fields.values())
    if isinstance(rule, ListOf):
        return _holds_positions(rule.item)
    if isinstance(rule, MapOf):
        return _holds_positions(rule.value)
    return False


def normalise_text(value: str) -> str:
    """A text field as records hold it: stripped, spaces collapsed, paragraph breaks kept as single blank lines.
    A placeholder is kept as written."""
    if isinstance(value, Placeholder):
        return value
    if "\n" not in value:   # one paragraph (most texts: 10,000 landing pages' notes are read at every load)
        return " ".join(value.split())
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def walk(rule: Rule, prefix: str = "") -> Iterator[tuple[str, Field]]:
    """Every declared field under `rule`, depth first in declaration order, with the path the docs use:
    `premises[].address.street`, `deploy.targets.<name>.url`."""
    if isinstance(rule, Obj):
        for name, spec in rule.fields.items():
            path = f"{prefix}.{name}" if prefix else name
            yield path, spec
            yield from walk(spec.rule, path)
    elif isinstance(rule, ListOf):
        yield from walk(rule.item, prefix + "[]")
    elif isinstance(rule, MapOf):
        yield from walk(rule.value, prefix + ".<name>")


def type_text(spec: Field) -> str:
    """What kind of value a field takes, in words for people (the docs' Type column; a form's label)."""
    return spec.type_doc or _rule_text(spec.rule)


def _rule_text(rule: Rule, plural: bool = False) -> str:
    if isinstance(rule, Text):
        kind = rule.kind or ("text (one line)" if rule.single_line else "text")
        if rule.placeholder_ok:
            kind = "text or placeholder"
        return kind + ("s" if plural and rule.kind else "")
    if isinstance(rule, Number):
        kind = ("whole number" if rule.integer else "number") + ("s" if plural else "")
        if rule.minimum is not None and rule.maximum is not None:
            return f"{kind}, {rule.minimum:g} to {rule.maximum:g}"
        return f"{kind}, {rule.minimum:g} or more" if rule.minimum is not None else kind
    if isinstance(rule, Boolean):
        return "`true` or `false`"
    if isinstance(rule, Choice):
        return "one of " + ", ".join(f"`{o}`" for o in rule.options)
    if isinstance(rule, ListOf):
        at_least = f", at least {'one' if rule.min_items == 1 else rule.min_items}" if rule.min_items else ""
        if isinstance(rule.item, Obj):
            return "list" + at_least
        if isinstance(rule.item, Choice):
            return "list of " + " ".join(f"`{o}`" for o in rule.item.options) + at_least
        return f"list of {_rule_text(rule.item, plural=True)}{at_least}"
    if isinstance(rule, MapOf):
        at_least = f", at least {'one' if rule.min_items == 1 else rule.min_items}" if rule.min_items else ""
        return "mapping" + at_least
    if isinstance(rule, Obj):
        return "mapping"
    return "value"


def default_text(spec: Field) -> str:
    """The default of an optional field as people read it: "`en-GB`", "`true`", "all", or "" when there is none
    to show (absent means none, or the defaults of the mapping's own fields)."""
    if spec.default_doc:
        return spec.default_doc
    value = spec.default
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float, str)) and value != "":
        return f"`{value:g}`" if isinstance(value, float) else f"`{value}`"
    return ""
