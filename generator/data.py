"""Load the project's YAML files, keeping the line and column of every value."""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import math
import os
import re
import threading
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.digests import code_digest
from generator.errors import Problem
from generator.paths import read_no_link
from generator.syntax import explain
from generator.text import did_you_mean

log = logging.getLogger(__name__)

try:  # libyaml is several times faster; fall back to the pure-Python loader.
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    # The stubs give the two loaders no common base class, though they have the same interface (_Loader's base).
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc,assignment]  # one interface, two unrelated classes

PLACEHOLDER_TAG = "!placeholder"
SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE = "site.yaml", "treatments.yaml", "locations.yaml"
DATA_FILES = (SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE)   # a project's data files, in the order they are read
TEMPLATES_DIR = "templates"    # the project's Jinja2 templates, and templates/assets/ copied as they are
OUTPUT_DIR = "output"          # where the site is built, in the project folder, when no other folder is given
PARSED_FILE = ".clinic-pages-parsed.json"   # the data files as last parsed (`ParseCache`): git-ignored, safe to delete


def output_folder(project_dir: Path | str, output: Path | str | None = None) -> Path:
    """The folder the site is built in: `output` when given, else output/ in the project folder."""
    return Path(output) if output else Path(project_dir) / OUTPUT_DIR

Path_ = tuple[str | int, ...]


class Placeholder(str):
    """A value the clinic has not supplied yet, written `!placeholder "label"` in YAML."""

    is_placeholder = True

    def __repr__(self) -> str:   # pages' input digests are made of reprs: the tag is part of a page's inputs
        return f"Placeholder({str.__repr__(self)})"


@dataclass
class Document:
    """One YAML file: its plain data, and where each value stood in the file."""

    file: str
    data: Any
    marks: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)  # where each mapping key was written
    aliases: bool = field(default=False, compare=False)   # an alias (*name) stands for a value written elsewhere
    splice: Splice | None = field(default=None, compare=False, repr=False)   # made from the last one (`reparse`)

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        """Line and column (1-based) of the field at `path` (its key; a list item itself), or of its nearest parent.

        A field's key, not its value, because a block mapping or list value starts on the line after its key.
        """
        while True:
            if path in self.keys:
                return self.keys[path]
            if path in self.marks:
                return self.marks[path]
            if not path:
                return None, None
            path = path[:-1]

    def problem(self, path: Path_, message: str, hint: str = "") -> Problem:
        """A problem with the value at `path`, located where it was written."""
        line, col = self.where(path)
        return Problem(self.file, line, col, format_path(path), message, hint)


def placeholders(doc: Document) -> list[str]:
    """Every value of the document still marked !placeholder, in file order: `site.yaml:31: premises[1].phone:
    Phone number to be confirmed`."""
    found = []

    def walk(value: Any, path: Path_) -> None:
        if isinstance(value, Placeholder):
            found.append((doc.where(path)[0] or 0, f"{format_path(path)}: {value}"))
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, path + (key,))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, path + (i,))

    walk(doc.data, ())
    return [f"{doc.file}:{line}: {text}" for line, text in sorted(found)]


def format_path(path: Path_) -> str:
    """('treatments', 3, 'slug') -> 'treatments[3].slug'."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Loader(_BaseLoader):
    pass


class KeptDocuments:
    """The last document read of each data file of one project, for whoever loads that project again and again
    (the preview's build `memory.Memory`, between saves): a file whose bytes are the same is not read again, and
    one that changed only inside some records of a top-level list is read again only in those (`reparse`). Its
    owner keeps one per project, so that a project never meets what was read of another."""

    def __init__(self) -> None:
        # file name -> (digest of its bytes, its text, what reading it gave)
        self.by_name: dict[str, tuple[bytes, str | None, tuple[Document | None, list[Problem]]]] = {}


def load_document(path: Path, display_name: str | None = None, kept: KeptDocuments | None = None,
                  cache: ParseCache | None = None) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file. Returns the document, or None and the problems that stopped it. With `kept`, the
    result is kept there, and given again while the file's bytes are the same (documents are never changed once
    made, but for dropping their `splice`); when they differ only inside some records of a top-level list, only
    those are read again (`reparse`). With `cache`, a file whose bytes it holds is not parsed but read back from it,
    and one parsed without problems is kept there (`ParseCache`)."""
    name = display_name or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(name, None, None, "", "file not found",
                              f"create {name}; see docs/data.md for its fields")]
    except OSError as exc:
        return None, [Problem(name, None, None, "", f"cannot read the file: {exc.strerror}")]
    key = hashlib.blake2b(raw, digest_size=16).digest()
    known = kept.by_name.get(name) if kept is not None else None
    if known is not None and known[0] == key:
        return known[2]
    text = _decoded(raw, name)
    if isinstance(text, Problem):
        result: tuple[Document | None, list[Problem]] = (None, [text])
    else:   # a save that changed a few records of a long list reads only those again (the preview, at each save)
        spliced = reparse(known[1], known[2][0], text, name) if known is not None and not known[2][1] else None
        cached = cache.document(name, raw) if cache is not None and spliced is None else None
        if spliced is not None or cached is not None:
            result = (spliced or cached, [])
        else:
            result = parse_document(text, name)
            if cache is not None and result[0] is not None and not result[1]:
                cache.keep(name, raw, result[0])
    if known is not None and known[2][0] is not None:
        known[2][0].splice = None   # one step back is all a reader needs: no chain of every earlier version
    if kept is not None:
        kept.by_name[name] = (key, text if isinstance(text, str) else None, result)
    return result


def _decoded(raw: bytes, name: str) -> str | Problem:
    """The text of a data file, or the problem that it is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return Problem(name, line, column, "", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                       "save the file as UTF-8 in your editor")


def parse_document(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text into a Document with marks; report syntax errors with line and column."""
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [_empty(name)]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem or exc.context):   # libyaml's own limit (1,000 levels)
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
            message, hint = f"the data is nested more than {MAX_DEPTH} levels deep", _DEPTH_HINT
        else:
            line, col, message, hint = explain(text, exc)
        return None, [Problem(name, line, col, "", message, hint)]
    except RecursionError:   # the pure-Python composer, without libyaml's own limit
        return None, [Problem(name, None, None, "", f"the data is nested more than {MAX_DEPTH} levels deep",
                              _DEPTH_HINT)]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, None, "", f"the YAML parser cannot read this file ({exc})")]
    finally:
        loader.dispose()
    if node is None:   # only a directive, or a stray byte-order mark
        return None, [_empty(name)]
    doc = Document(name, None)
    problems: list[Problem] = []
    builder = _Builder(doc, problems)
    try:
        doc.data = builder.build(node, (), 0)
    except _TooLarge as exc:
        return None, [exc.problem]
    finally:
        _CONSTRUCTOR.constructed_objects.clear()
    doc.aliases = builder.aliased
    if doc.data is None and not problems:   # `---` or `~` alone
        return None, [_empty(name)]
    return doc, problems


@dataclass(frozen=True)
class Splice:
    """How `reparse` made a Document from the one before: the items [start, start + removed) of the list at the
    top-level key `key` replaced by `added` items read again, and what follows them moved by `shift` lines."""

    base: Document
    key: str
    start: int
    removed: int
    added: int
    shift: int


# YAML's line breaks other than \n: with any of them, libyaml's line numbers are not the \n-separated lines
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_ITEM_DASH = re.compile(r"( *)-( +)")   # what stands before a block list item's value on its first line


def reparse(old_text: str | None, old: Document | None, text: str, name: str) -> Document | None:
    """The Document of `text`, made from `old` (the Document of `old_text`, read without problems) by reading
    again only the items of a top-level block list (the records of treatments.yaml or locations.yaml) that hold
    the lines that changed, with their own line numbers. None whenever that is not sure to give what
    `parse_document(text)` gives (then the caller reads the whole text): a change outside one list's items, text
    around them that could be read otherwise, aliases, any problem in the items read, another kind of line break.
    """
    if old_text is None or old is None or old.aliases or not isinstance(old.data, dict) \
            or any(b in text or b in old_text for b in _OTHER_BREAKS):
        return None
    old_lines, new_lines = old_text.split("\n"), text.split("\n")
    n_old, n_new = len(old_lines), len(new_lines)
    first = _same_run(old_lines, new_lines, min(n_old, n_new))   # the first line (0-based) that differs
    if first == n_old == n_new:
        return None
    old_lines.reverse()
    new_lines.reverse()
    same_end = _same_run(old_lines, new_lines, min(n_old, n_new) - first)   # lines equal at the end, after it
    old_lines.reverse()
    new_lines.reverse()
    changed_from, changed_to = first + 1, max(first + 1, n_old - same_end)   # 1-based lines of the old text
    found = _list_around(old, old_lines, changed_from, changed_to)
    if found is None:
        return None
    key, a, b, end_b, indent = found
    shift = n_new - n_old
    lo, hi = old.marks[(key, a)][0] - 1, end_b + shift          # the new text's lines of the items read again
    chunk = new_lines[lo:hi]
    if not chunk or not _plain_block_items(chunk, indent):
        return None
    items = _read_items("\n".join(chunk) + ("\n" if hi < n_new else ""), name, key, a, lo + 1, indent, chunk)
    if items is None:
        return None
    fresh, marks, keys = items
    old_list = old.data[key]
    data = dict(old.data)
    data[key] = old_list[:a] + fresh + old_list[b + 1:]
    moved = len(fresh) - (b + 1 - a)
    gone = list(_paths_in(old_list[a:b + 1], (key,), a))   # of the items read again, as the old text had them
    doc = Document(name, data, _moved(old.marks, marks, gone, key, a, b, moved, end_b, shift),
                   _moved(old.keys, keys, gone, key, a, b, moved, end_b, shift),
                   splice=Splice(old, key, a, b + 1 - a, len(fresh), shift))
    return doc


def _same_run(old: list[str], new: list[str], limit: int) -> int:
    """How many lines at the start of `old` and `new` are the same (at most `limit`): a binary search of list
    comparisons, which run in C."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if old[lo:mid] == new[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _list_around(old: Document, lines: list[str], first: int, last: int) -> tuple[str, int, int, int, int] | None:
    """The top-level block list whose items hold the old text's lines first..last (1-based): (its key, the first
    and last of those items, the last line of the last one, the column of the items' dashes, 0-based)."""
    tops = sorted((old.keys[(key,)][0], key) for key in old.data)
    for n, (_, key) in enumerate(tops):
        items = old.data.get(key)
        if not isinstance(items, list) or not items or (key, 0) not in old.marks:
            continue
        starts = [old.marks[(key, i)][0] for i in range(len(items))]
        end = tops[n + 1][0] - 1 if n + 1 < len(tops) else len(lines)   # the list's last line
        if not starts[0] <= first <= last <= end:
            continue
        a = bisect_right(starts, first) - 1   # the items whose lines hold the first and the last
        b = bisect_right(starts, last) - 1
        end_b = starts[b + 1] - 1 if b + 1 < len(starts) else end
        dashes = {_dash_column(lines[starts[i] - 1], old.marks[(key, i)][1]) for i in {a, b + 1} if i < len(starts)}
        indent = dashes.pop() if len(dashes) == 1 else None
        return (key, a, b, end_b, indent) if indent is not None else None
    return None


def _dash_column(line: str, value_column: int) -> int | None:
    """The column (0-based) of the `-` of a block list item whose value starts at `value_column` (1-based) of
    `line`; None when only spaces and a dash do not stand before it."""
    found = _ITEM_DASH.fullmatch(line[:value_column - 1])
    return len(found.group(1)) if found else None


def _plain_block_items(chunk: list[str], indent: int) -> bool:
    """Whether every line of `chunk` belongs to the items of a block list whose dashes stand at `indent`: each
    line blank, a comment, indented further, or an item's first line (the first line is one)."""
    for n, line in enumerate(chunk):
        rest = line.lstrip(" ")
        at = len(line) - len(rest)
        dash = at == indent and (rest == "-" or rest.startswith("- "))
        if n == 0 and not dash:
            return False
        if rest and not rest.startswith("#") and at <= indent and not dash:
            return False
    return True


def _read_items(text: str, name: str, key: str, start: int, first_line: int, indent: int, chunk: list[str]
                ) -> tuple[list[Any], dict[Path_, tuple[int, int]], dict[Path_, tuple[int, int]]] | None:
    """The items of the block list `text` (lines of a file from `first_line` on), as the items start.. of the list
    at `key` of the whole file: their values, marks and keys; None unless read without any problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return None
    finally:
        loader.dispose()
    if not isinstance(node, yaml.SequenceNode) or node.flow_style or node.tag != _CORE + "seq" or not node.value:
        return None
    part = Document(name, None)
    problems: list[Problem] = []
    builder = _Builder(part, problems, first_line)
    values = []
    try:
        for i, item in enumerate(node.value):
            line, column = item.start_mark.line, item.start_mark.column + 1
            if (i == 0 and line != 0) or _dash_column(chunk[line], column) != indent:
                return None
            values.append(builder.build(item, (key, start + i), 2))
    except _TooLarge:
        return None
    finally:
        _CONSTRUCTOR.constructed_objects.clear()
    if problems or builder.aliased:
        return None
    return values, part.marks, part.keys


def _paths_in(items: list[Any], prefix: Path_, first: int) -> Iterator[Path_]:
    """Every path within `items` (the items first.. of the list at `prefix`), the items' own included: where a
    document read without problems has a mark (and, for a mapping's entries, a key)."""
    stack: list[tuple[Path_, Any]] = [(prefix + (first + i,), item) for i, item in enumerate(items)]
    while stack:
        path, value = stack.pop()
        yield path
        if isinstance(value, dict):
            stack += [(path + (k,), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(path + (i,), v) for i, v in enumerate(value)]


def _moved(table: dict[Path_, tuple[int, int]], fresh: dict[Path_, tuple[int, int]], gone: list[Path_], key: str,
           a: int, b: int, moved: int, end_b: int, shift: int) -> dict[Path_, tuple[int, int]]:
    """`table` (marks or keys) with the entries of items a..b of the list at `key` (their paths: `gone`) replaced
    by `fresh`, the later items' numbered `moved` further on, and what stood after line `end_b` moved by `shift`
    lines."""
    if not moved and not shift:
        out = dict(table)
        for path in gone:
            out.pop(path, None)
        out.update(fresh)
        return out
    out = {}
    placed = False
    for path, (line, col) in table.items():
        if len(path) > 1 and path[0] == key:
            i = path[1]
            if i < a:   # type: ignore[operator]
                out[path] = (line, col)
                continue
            if not placed:
                out.update(fresh)
                placed = True
            if i > b:   # type: ignore[operator]
                out[(key, i + moved) + path[2:]] = (line + shift, col)   # type: ignore[operator]
            continue
        out[path] = (line + shift, col) if line > end_b else (line, col)
    if not placed:
        out.update(fresh)
    return out


def _empty(name: str) -> Problem:
    return Problem(name, 1, 1, "", "the file is empty",
                   "restore the file from version control, or see docs/data.md for its fields")


# Data files nest a few levels (premises[0].opening_hours[1].days[2]); far deeper is a mistake or an attack.
MAX_DEPTH = 50
_DEPTH_HINT = "the data files nest a few levels only: check for brackets [ { that are never closed"
# Aliases (`*name`) may repeat a part of the file, but not blow it up: at most this many values beyond ten for
# each one written in the file (a few lines of "billion laughs" would otherwise fill the memory).
ALIAS_ALLOWANCE = 10_000
ALIAS_FACTOR = 10
# The tags a data file may use: YAML's plain kinds (written or implied) and `!placeholder`.
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp"))
_TEXT_TAG = _CORE + "str"
_PLAIN_HINT = "the data files hold text, numbers, true/false, lists and `key: value` lines only"


class _TooLarge(Exception):
    def __init__(self, problem: Problem):
        self.problem = problem


class _Builder:
    """Turns the composed nodes into plain values with marks, refusing what a data file never needs: unknown
    tags, merge keys, values that are not finite, aliases that expand without bound or contain themselves."""

    def __init__(self, doc: Document, problems: list[Problem], first_line: int = 1):
        self.doc, self.problems = doc, problems
        self.first = first_line           # the line of the file that the text parsed begins on
        self.seen: set[int] = set()       # nodes built at least once
        self.open: set[int] = set()       # nodes being built (an alias to one of them is a loop)
        self.values = 0
        self.aliased = False              # a node was built twice: an alias stood for it

    def problem(self, node: yaml.Node, path: Path_, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.doc.file, node.start_mark.line + self.first, node.start_mark.column + 1,
                                     format_path(path), message, hint))

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        if id(node) in self.open:   # said where the alias stands: its key, or the list that holds it
            line, col = self.doc.where(path)
            self.problems.append(Problem(self.doc.file, line, col, format_path(path), "an alias (*name) here "
                                         "stands for the value that contains it, which never ends",
                                         "point the alias at another value, or write the value out"))
            return None
        self.doc.marks[path] = (node.start_mark.line + self.first, node.start_mark.column + 1)
        self._count(node, path)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if depth >= MAX_DEPTH:
            raise _TooLarge(Problem(self.doc.file, node.start_mark.line + self.first, node.start_mark.column + 1,
                                    format_path(path[:1]), f"the data is nested more than {MAX_DEPTH} levels deep",
                                    _DEPTH_HINT))
        kind = "map" if isinstance(node, yaml.MappingNode) else "seq"
        if node.tag != _CORE + kind:
            self._bad_tag(node, path)
            return None
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self.mapping(node, path, depth)
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        finally:
            self.open.discard(id(node))

    def _count(self, node: yaml.Node, path: Path_) -> None:
        self.values += 1
        self.aliased = self.aliased or id(node) in self.seen
        self.seen.add(id(node))
        limit = ALIAS_ALLOWANCE + ALIAS_FACTOR * len(self.seen)
        if self.values > limit:
            line, col = self.doc.where(path[:1])
            raise _TooLarge(Problem(self.doc.file, line, col, format_path(path[:1]),
                                    "aliases (*name) repeat parts of this file too often: it would grow to more "
                                    f"than {limit:,} values",
                                    "write the repeated parts out, or use fewer aliases"))

    def mapping(self, node: yaml.MappingNode, path: Path_, depth: int) -> dict[str, Any]:
        doc, out = self.doc, {}
        for key_node, value_node in node.value:
            line, col = key_node.start_mark.line + self.first, key_node.start_mark.column + 1
            if key_node.tag == _CORE + "merge":
                self.problem(key_node, path, "merge keys (`<<: *name`) are not supported",
                             "write the fields out in full")
                continue
            known = len(self.problems)
            key = self.scalar(key_node, path) if isinstance(key_node, yaml.ScalarNode) else None
            if len(self.problems) > known:
                continue    # the key's own problem says it all
            if not isinstance(key, str):
                self.problem(key_node, path, "expected a plain name as key", "keys are words such as `name:`")
                continue
            if key in out:
                first = doc.keys[path + (key,)][0]
                self.problem(key_node, path + (key,), f"`{key}` is given twice (first at line {first})",
                             "remove one of the two")
                continue
            doc.keys[path + (key,)] = (line, col)
            out[key] = self.build(value_node, path + (key,), depth + 1)
        return out

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        if node.tag == _TEXT_TAG:   # most values: what the constructor makes of text, without its bookkeeping
            return node.value
        if node.tag == PLACEHOLDER_TAG:
            return Placeholder(node.value)
        if node.tag not in _SCALAR_TAGS:
            self._bad_tag(node, path)
            return None
        try:
            value = _CONSTRUCTOR.construct_object(node, deep=True)
        except Exception:
            kind = node.tag.removeprefix(_CORE)
            self.problem(node, path, f"{_excerpt(node.value)} is not a valid {_KINDS.get(kind, kind)}",
                         "put the value in quotes if it is text (and write it without a !!tag)")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self.problem(node, path, f"expected a finite number, found {_excerpt(node.value)}",
                         "write the number in digits, such as 51.36; quote the text if it is not a number")
            return None
        return value

    def _bad_tag(self, node: yaml.Node, path: Path_) -> None:
        tag = node.tag.replace(_CORE, "!!")
        if tag == PLACEHOLDER_TAG:
            message, hint = "a !placeholder stands for one value, not a list or mapping", \
                "write `!placeholder \"what is missing\"` in place of the value"
        else:
            message = f"the tag {_excerpt(tag, 40)} is not allowed in the data files"
            hint = did_you_mean(tag, [PLACEHOLDER_TAG]) or f"remove the tag: {_PLAIN_HINT}"
        self.problem(node, path, message, hint)


_KINDS = {"int": "whole number", "float": "number", "bool": "true or false", "null": "empty value",
          "timestamp": "date", "str": "text"}


def _excerpt(text: str, limit: int = 30) -> str:
    """A value as shown in a message: quoted, control characters escaped, long text cut."""
    shown = text if len(text) <= limit else text[:limit - 3] + "..."
    return repr(shown)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


# -- the parse cache -----------------------------------------------------------------------------------------------

_PARSED_FORMAT = 1


class ParseCache:
    """The YAML data files of one project as they were last parsed, kept in PARSED_FILE in the project folder: a
    command that finds a file's bytes unchanged reads its Document back from there (its values, and the line and
    column of each, for the messages) instead of parsing the YAML again (locations.yaml with text written for 10,000
    pages: about 0.5 s to parse, 0.04 s to read back).

    The file is JSON only, never pickle (a file in a project folder must never run code): a first line with the
    format, the digest of clinic-pages' code and the YAML library, then one line per data file, under the SHA-256
    of its bytes. It is never trusted: a line of another format, code or file, or of any other shape, is passed over
    and the file parsed. It is written whole to a temporary file and renamed into place, after a parse without
    problems only; a folder that cannot be written (read-only) only means parsing again next time."""

    def __init__(self, folder: Path | str):
        self.path = Path(folder) / PARSED_FILE
        self._lines: list[bytes] | None = None          # the file's lines for data files, as read
        self._wanted: dict[str, bytes] = {}             # each data file asked for -> the line that holds it now
        self._new: dict[str, tuple[str, Document]] = {}  # each file parsed meanwhile -> (its digest, its Document)

    def document(self, name: str, raw: bytes) -> Document | None:
        """The Document of the data file `name` whose bytes are `raw`, as kept; None when not kept, or not usable."""
        sha = hashlib.sha256(raw).hexdigest()
        prefix = _line_prefix(name, sha)
        line = next((line for line in self._read() if line.startswith(prefix)), None)
        if line is None:
            return None
        try:
            doc = _document_from(name, sha, json.loads(line))
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, StopIteration):
            doc = None
        if doc is not None:
            self._wanted[name] = line
        return doc

    def keep(self, name: str, raw: bytes, doc: Document) -> None:
        """Keep `doc`, just parsed without problems from the bytes `raw` of the data file `name` (written by `save`)."""
        self._new[name] = (hashlib.sha256(raw).hexdigest(), doc)

    def save(self) -> None:
        """Write the file again if a data file was parsed: the lines of the files asked for, each as it is now."""
        if not self._new:
            return
        lines = dict(self._wanted)
        for name, (sha, doc) in self._new.items():
            line = _line_of(name, sha, doc)
            if line is None:
                lines.pop(name, None)
            else:
                lines[name] = line
        self._new = {}
        # two writers (processes, or the preview's threads) never share a temporary file
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(b"\n".join([_head(), *(lines[name] for name in sorted(lines))]) + b"\n")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.debug("could not write %s (%s)", PARSED_FILE, exc)
        finally:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        self._lines, self._wanted = list(lines.values()), lines

    def _read(self) -> list[bytes]:
        if self._lines is None:
            try:
                first, _, rest = read_no_link(self.path).partition(b"\n")   # (a link is not followed)
            except OSError:
                first, rest = b"", b""
            self._lines = rest.split(b"\n") if first == _head() else []
        return self._lines


def _head() -> bytes:
    """The first line of the parse cache: what its lines are valid for."""
    reader = "libyaml" if hasattr(yaml, "CSafeLoader") else "python"
    return json.dumps({"format": _PARSED_FORMAT, "code": code_digest(), "yaml": f"{yaml.__version__} {reader}"},
                      sort_keys=True).encode()


def _line_prefix(name: str, sha: str) -> bytes:
    return f'{{"file":{json.dumps(name)},"sha256":"{sha}",'.encode()


_KINDS_KEPT = (str, int, float, bool, type(None), dict, list)   # as JSON has them


def _line_of(name: str, sha: str, doc: Document) -> bytes | None:
    """The parse cache's line for `doc`: its values (with a note of those JSON has no kind for: placeholders,
    dates), and the line and column of each value and key in the order `_Builder` met them, which `_document_from`
    walks again. None when the document holds anything else."""
    positions: list[int] = []
    special: list[list[Any]] = []
    marks, keys = doc.marks, doc.keys

    def walk(value: Any, path: Path_) -> None:
        positions.extend(marks[path])
        kind = type(value)
        if kind is dict:
            for k, item in value.items():
                if type(k) is not str:   # (a !placeholder key: JSON keeps no kind for a key)
                    raise ValueError(k)
                positions.extend(keys[path + (k,)])
                walk(item, path + (k,))
        elif kind is list:
            for i, item in enumerate(value):
                walk(item, path + (i,))
        elif kind is Placeholder:
            special.append([list(path), "placeholder", str(value)])
        elif kind is datetime.date or kind is datetime.datetime:
            if repr(kind.fromisoformat(value.isoformat())) != repr(value):
                raise ValueError(value)
            special.append([list(path), kind.__name__, value.isoformat()])
        elif kind not in _KINDS_KEPT:
            raise ValueError(value)

    try:
        walk(doc.data, ())
        body = json.dumps({"aliases": doc.aliases, "special": special, "positions": positions, "data": doc.data},
                          ensure_ascii=False, separators=(",", ":"), default=lambda value: None)
        return _line_prefix(name, sha) + body[1:].encode("utf-8")
    except (KeyError, ValueError, RecursionError, UnicodeEncodeError):
        return None


def _document_from(name: str, sha: str, entry: Any) -> Document | None:
    """The Document a parse cache's line holds; None, or an exception, when it is not what `_line_of` writes."""
    if not isinstance(entry, dict) or sorted(entry) != ["aliases", "data", "file", "positions", "sha256", "special"] \
            or entry["file"] != name or entry["sha256"] != sha or not isinstance(entry["aliases"], bool):
        return None
    data, positions, special = entry["data"], entry["positions"], entry["special"]
    if not isinstance(positions, list) or any(type(n) is not int or n < 1 for n in positions):
        return None
    for path, kind, text in special:
        *parents, last = path
        holder = data
        for part in parents:
            holder = holder[part]
        if type(holder) is not (list if type(last) is int else dict) or not isinstance(text, str) \
                or (type(holder) is dict and last not in holder):
            return None
        holder[last] = Placeholder(text) if kind == "placeholder" else \
            {"date": datetime.date, "datetime": datetime.datetime}[kind].fromisoformat(text)
    doc = Document(name, data, aliases=entry["aliases"])
    marks, keys = doc.marks, doc.keys
    take = iter(positions).__next__

    def walk(value: Any, path: Path_, depth: int) -> None:
        marks[path] = (take(), take())
        if depth > MAX_DEPTH:
            raise ValueError("nested too deep")
        kind = type(value)
        if kind is dict:
            for k, item in value.items():
                at = path + (k,)
                keys[at] = (take(), take())
                walk(item, at, depth + 1)
        elif kind is list:
            for i, item in enumerate(value):
                walk(item, path + (i,), depth + 1)

    walk(data, (), 0)
    if len(positions) != 2 * (len(marks) + len(keys)) or data is None:
        return None
    return doc
