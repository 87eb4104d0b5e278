"""`clinic-pages convert`: keep treatments or locations as YAML, CSV files or an Excel workbook instead.

The file must be valid first. The new form is written, read back and compared with the old one value for value
before anything is replaced; the old form's files then move to backup/. What a spreadsheet cannot hold: YAML
comments (said, and left in the backup), and the difference between an empty list and none (the same to the
build).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.data import Placeholder
from generator.edit.files import retire_file, save_file
from generator.errors import ClinicPagesError, DataError
from generator.schema import ListOf, MapOf, Obj, validate
from generator.sheets import FORMS, TABULAR, NotTabular, layout_of, load_data, present_forms
from generator.sheets.write import csv_bytes, csv_name, to_tables, workbook_bytes


@dataclass
class Converted:
    stem: str
    source: str                               # the form it was in
    target: str
    written: list[str] = field(default_factory=list)
    backups: list[str] = field(default_factory=list)
    comments: int = 0                         # YAML comments left behind (in the backup)

    def summary(self) -> str:
        if self.source == self.target:
            return f"{self.stem} is already kept as {self.target}; nothing to do"
        text = f"{self.stem}: wrote {', '.join(self.written)}; the {self.source} form is kept in " \
               f"{', '.join(self.backups)}"
        if self.comments:
            text += (f"\nnote: {self.comments} comment(s) of {self.stem}.yaml have no place in a spreadsheet and "
                     f"were left out (they are in backup/{self.stem}.yaml)")
        return text


def schema_of(stem: str) -> Obj:
    from generator.model import LOCATIONS_SCHEMA, TREATMENTS_SCHEMA

    return {"treatments": TREATMENTS_SCHEMA, "locations": LOCATIONS_SCHEMA}[stem]


def in_schema_order(value: Any, rule: Any) -> Any:
    """The values with each mapping's keys in the order the schema declares them (as the docs list them)."""
    if isinstance(rule, Obj) and isinstance(value, dict):
        known = [k for k in rule.fields if k in value] + [k for k in value if k not in rule.fields]
        return {k: in_schema_order(value[k], rule.fields[k].rule if k in rule.fields else None) for k in known}
    if isinstance(rule, ListOf) and isinstance(value, list):
        return [in_schema_order(v, rule.item) for v in value]
    if isinstance(rule, MapOf) and isinstance(value, dict):
        return {k: in_schema_order(v, rule.value) for k, v in value.items()}
    return value


def target_files(stem: str, form: str, data: dict[str, Any], schema: Obj, source: str = "") -> dict[str, bytes]:
    """The files of `stem` in `form` holding `data`. Raises NotTabular for what a spreadsheet cannot hold."""
    if form == "yaml":
        from generator.edit.yamltext import new_yaml

        head = (f"{stem}.yaml" + (f", converted from {source} by `clinic-pages convert`" if source else "") +
                ". Every field is documented in docs/data.md.")
        return {f"{stem}.yaml": new_yaml(in_schema_order(data, schema), head).encode("utf-8")}
    layout = layout_of(schema, stem)
    tables = to_tables(data, layout)
    if form == "xlsx":
        return {f"{stem}.xlsx": workbook_bytes(tables, layout)}
    return {csv_name(stem, sheet): csv_bytes(tables[sheet.name]) for sheet in layout}


def same_values(a: Any, b: Any) -> bool:
    """Whether two data files hold the same values: an empty list, an empty mapping and an absent field are the
    same, and numbers agree to 14 significant digits (a workbook keeps 15 or 16, as Excel does); a placeholder is
    not the same as plain text."""
    if isinstance(a, dict) and isinstance(b, dict):
        a, b = _present(a), _present(b)
        return a.keys() == b.keys() and all(same_values(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-14)
    return type(a) is type(b) and a == b if isinstance(a, Placeholder) or isinstance(b, Placeholder) else a == b


def _present(mapping: dict) -> dict:
    return {k: v for k, v in mapping.items() if v is not None and v != [] and v != {}}


def count_comments(text: str) -> int:
    """How many comment lines a YAML text has (as ruamel.yaml attaches them to its values)."""
    from ruamel.yaml import YAML

    tree = YAML().load(text)
    seen: dict[int, Any] = {}

    def walk(node: Any) -> None:
        ca = getattr(node, "ca", None)
        if ca is not None:
            for item in [ca.comment, *ca.items.values(), getattr(ca, "end", None)]:
                for token in _tokens(item):
                    seen[id(token)] = token
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(tree)
    return sum(1 for token in seen.values() for line in token.value.split("\n") if line.strip().startswith("#"))


def _tokens(item: Any):
    if item is None:
        return
    if isinstance(item, list):
        for part in item:
            yield from _tokens(part)
    elif hasattr(item, "value") and isinstance(item.value, str) and "#" in item.value:
        yield item


def convert(root: Path, name: str, to: str) -> Converted:
    """Convert the data file `name` (treatments or locations, with or without an extension) to `to`."""
    root = Path(root)
    stem = name.rsplit("/", 1)[-1]
    for ext in (".yaml", ".yml", ".csv", ".xlsx"):
        stem = stem.removesuffix(ext)
    if stem not in TABULAR:
        if stem == "site":
            raise ClinicPagesError("site.yaml stays YAML (it is one record, not a list); edit it in the form of "
                                   "`clinic-pages serve`, or in a text editor")
        raise ClinicPagesError(f"unknown data file {name!r}: convert {' or '.join(TABULAR)}")
    if to not in FORMS:
        raise ClinicPagesError(f"unknown form {to!r}: use one of {', '.join(FORMS)}")
    schema = schema_of(stem)
    doc, problems = load_data(root, stem, schema)
    if doc is not None and not problems:
        problems = validate(doc, schema)
    if problems or doc is None:
        raise DataError(problems)
    forms = present_forms(root, stem)
    source, old_files = next(iter(forms.items()))
    result = Converted(stem, source, to)
    if source == to:
        return result
    try:
        files = target_files(stem, to, doc.data, schema, old_files[0].name)
    except NotTabular as exc:
        raise ClinicPagesError(f"{stem} cannot be kept as {to}: {exc}") from None
    with tempfile.TemporaryDirectory() as tmp:   # read the new form back before replacing anything
        for rel, data in files.items():
            (Path(tmp) / rel).write_bytes(data)
        back, problems = load_data(Path(tmp), stem, schema)
        if back is None or problems or not same_values(back.data, doc.data):
            raise ClinicPagesError(f"converting {stem} to {to} would change its values; nothing was written "
                                   "(this is a fault in clinic-pages: please report it with the file)")
    if source == "yaml":
        result.comments = count_comments(old_files[0].read_text("utf-8"))
    for rel, data in files.items():   # the new form first: the values are never absent from the project
        save_file(root, rel, data)
        result.written.append(rel)
    for path in old_files:
        result.backups.append(retire_file(root, path.name))
    return result
