"""Load the project's YAML files, keeping the line and column of every value."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem
from generator.syntax import explain

try:  # libyaml is several times faster; fall back to the pure-Python loader.
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _BaseLoader = yaml.SafeLoader

PLACEHOLDER_TAG = "!placeholder"
SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE = "site.yaml", "treatments.yaml", "locations.yaml"
DATA_FILES = (SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE)   # a project's data files, in the order they are read

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


_PARSED: dict[str, tuple[bytes, tuple[Document | None, list[Problem]]]] = {}   # name -> (digest of bytes, result)


def load_document(path: Path, display_name: str | None = None) -> tuple[Document | None, list[Problem]]:
    """Read one YAML file. Returns the document, or None and the problems that stopped it. The last result for
    each file name is kept, and given again while the file's bytes are the same (the preview loads the project at
    every save; documents are never changed once made)."""
    name = display_name or path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(name, None, None, "", "file not found",
                              f"create {name}; see docs/data.md for its fields")]
    except OSError as exc:
        return None, [Problem(name, None, None, "", f"cannot read the file: {exc.strerror}")]
    key = hashlib.blake2b(raw, digest_size=16).digest()
    known = _PARSED.get(name)
    if known is not None and known[0] == key:
        return known[1]
    result = _read_document(raw, name)
    _PARSED[name] = (key, result)
    return result


def _read_document(raw: bytes, name: str) -> tuple[Document | None, list[Problem]]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [Problem(name, line, column, "", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                              "save the file as UTF-8 in your editor")]
    return parse_document(text, name)


def parse_document(text: str, name: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML text into a Document with marks; report syntax errors with line and column."""
    text = text.removeprefix("\ufeff")
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Problem(name, 1, 1, "", "the file is empty",
                              "restore the file from version control, or see docs/data.md for its fields")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, col, message, hint = explain(text, exc)
        return None, [Problem(name, line, col, "", message, hint)]
    except yaml.YAMLError as exc:
        return None, [Problem(name, None, None, "", f"the YAML parser cannot read this file ({exc})")]
    finally:
        loader.dispose()
    doc = Document(name, None)
    problems: list[Problem] = []
    doc.data = _build(node, (), doc, problems)
    return doc, problems


def _build(node: yaml.Node, path: Path_, doc: Document, problems: list[Problem]) -> Any:
    doc.marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
                problems.append(Problem(doc.file, line, col, format_path(path),
                                        "expected a plain name as key", "keys are words such as `name:`"))
                continue
            line, col = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if key in out:
                first = doc.keys[path + (key,)][0]
                problems.append(Problem(doc.file, line, col, format_path(path + (key,)),
                                        f"`{key}` is given twice (first at line {first})", "remove one of the two"))
                continue
            doc.keys[path + (key,)] = (line, col)
            out[key] = _build(value_node, path + (key,), doc, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), doc, problems) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    if node.tag == PLACEHOLDER_TAG:
        return Placeholder(node.value)
    if node.tag.startswith("!") and not node.tag.startswith("!!"):
        return node.value  # unknown local tags: keep the text, validation decides
    return _CONSTRUCTOR.construct_object(node, deep=True)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()
