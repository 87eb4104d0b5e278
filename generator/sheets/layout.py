"""How a data file is laid out as a spreadsheet, worked out from its schema: one sheet per list of records (a row
per record, a column per field), and the cells' values as the YAML would have them.

treatments.yaml becomes the sheet Treatments (a row per treatment) with the sheets Description, FAQs and Waivers
beside it, whose rows name their treatment in a `treatment` column. locations.yaml becomes Locations and About
(the file's own fields, such as `attribution`, one a row). A nested mapping's fields are columns of their own
(`address.street`); a list of plain values (slugs, days) is one cell, its items separated by commas.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from generator.data import PLACEHOLDER_TAG, Placeholder
from generator.schema import Boolean, Field, ListOf, MapOf, Number, Obj, Rule
from generator.text import NAME_WORDS

SHEET_NAME_MAX = 31   # Excel's limit


class NotTabular(Exception):
    """The data (or its schema) has something a spreadsheet cannot hold; the message says what and where."""


@dataclass(frozen=True)
class Column:
    header: str                  # "lat", "address.street"
    keys: tuple[str, ...]        # where the value sits in its record: ("address", "street")
    rule: Rule                   # a plain value's rule, or a ListOf of plain values (one cell, comma-separated)
    spec: Field
    required: bool               # the field and every mapping around it are required


@dataclass
class Sheet:
    """One table: which list of the file it holds, its key columns and its own columns."""

    name: str                    # as a sheet of a workbook: "Treatments", "FAQs", "About"
    part: str                    # in a CSV file's name: "" for the main sheet, "faqs" (treatments.faqs.csv)
    fields: tuple[str, ...]      # field names from the file's top to this list: ("treatments", "faqs")
    kind: str                    # "records" (a list of mappings), "map" (a mapping by name) or "about"
    keys: tuple[str, ...] = ()   # key columns: which record of the sheets above a row belongs to, then a map's key
    columns: list[Column] = field(default_factory=list)
    identity: str | None = None  # records: the field that names a record for the sheets below ("slug", "id")
    parent: Sheet | None = None
    help: str = ""

    @property
    def headers(self) -> list[str]:
        return list(self.keys) + [c.header for c in self.columns]

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)


def is_plain(rule: Rule) -> bool:
    """A rule for one value that fits in one cell (text, a number, a choice, a custom check)."""
    return not isinstance(rule, (ListOf, MapOf, Obj))


def fits_one_cell(rule: Rule) -> bool:
    return is_plain(rule) or (isinstance(rule, ListOf) and is_plain(rule.item))


def sheet_title(words: tuple[str, ...]) -> str:
    text = " ".join(w.replace("_", " ") for w in words)
    text = " ".join(NAME_WORDS.get(w, w) for w in text.split())
    return text[:1].upper() + text[1:]


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and not name.endswith("ss") and len(name) > 3 else name


def _help(spec: Field) -> str:
    return getattr(spec, "help", "") or spec.doc


def layout_of(schema: Obj, stem: str) -> list[Sheet]:
    """The sheets of a data file, the main one first. Raises NotTabular for a schema a spreadsheet cannot hold."""
    tables = [(name, spec) for name, spec in schema.fields.items() if not fits_one_cell(spec.rule)
              and not isinstance(spec.rule, Obj)]
    records = [name for name, spec in tables if isinstance(spec.rule, ListOf)]
    if not records:
        raise NotTabular(f"{stem} has no list of records to make rows of")
    sheets: list[Sheet] = []
    for name, spec in sorted(tables, key=lambda t: t[0] != records[0]):   # the main sheet first
        _add_table(sheets, spec, (name,), (), None, main=name == records[0])
    about = Sheet("About", "about", (), "about", help=f"the fields of {stem} outside its lists, one a row")
    for name, spec in schema.fields.items():
        if fits_one_cell(spec.rule) or isinstance(spec.rule, Obj):
            about.columns += _columns(spec, (name,), spec.required, ())
    if about.columns:
        sheets.append(about)
    names = [s.name for s in sheets]
    for sheet in sheets:
        if len(sheet.name) > SHEET_NAME_MAX or names.count(sheet.name) > 1:
            raise NotTabular(f"no sheet name of at most {SHEET_NAME_MAX} characters for {'.'.join(sheet.fields)}")
    return sheets


def _add_table(sheets: list[Sheet], spec: Field, fields: tuple[str, ...], keys: tuple[str, ...],
               parent: Sheet | None, main: bool = False) -> None:
    rule, where = spec.rule, ".".join(fields)
    title = sheet_title(fields if main or parent is None else fields[1:])
    part = "" if main else ".".join(f.replace("_", "-") for f in (fields if parent is None else fields[1:]))
    if isinstance(rule, ListOf):
        item = rule.item
        if not isinstance(item, Obj):
            raise NotTabular(f"{where} is a list of lists, which a sheet cannot hold")
        sheet = Sheet(title, part, fields, "records", keys, parent=parent, help=_help(spec))
        identity = next((k for k in ("slug", "id") if k in item.fields), None)
        sheet.identity = identity
        _fill(sheet, item, fields, keys + (singular(fields[-1]),) if identity else None, sheets)
    elif isinstance(rule, MapOf):
        sheet = Sheet(title, part, fields, "map", keys + (singular(fields[-1]),), parent=parent, help=_help(spec))
        if isinstance(rule.value, Obj):
            _fill(sheet, rule.value, fields, sheet.keys, sheets)
        elif fits_one_cell(rule.value):
            sheet.columns.append(Column("value", (), rule.value, Field(rule.value, doc=_help(spec)), True))
            sheets.append(sheet)
        else:
            raise NotTabular(f"{where} maps names to lists, which a sheet cannot hold")
    else:  # pragma: no cover - layout_of passes only lists and maps here
        raise NotTabular(f"{where} cannot be a sheet")


def _fill(sheet: Sheet, obj: Obj, fields: tuple[str, ...], child_keys: tuple[str, ...] | None,
          sheets: list[Sheet]) -> None:
    sheets.append(sheet)
    below: list[tuple[str, Field]] = []
    for name, spec in obj.fields.items():
        if fits_one_cell(spec.rule) or isinstance(spec.rule, Obj):
            sheet.columns += _columns(spec, (name,), spec.required, sheet.keys)
        else:
            below.append((name, spec))
    for name, spec in below:
        if child_keys is None:
            raise NotTabular(f"{'.'.join(fields + (name,))}: the records of {'.'.join(fields)} have no slug or id "
                             "to name them by in another sheet")
        _add_table(sheets, spec, fields + (name,), child_keys, sheet)
    clash = set(sheet.keys) & {c.header for c in sheet.columns}
    if clash:
        raise NotTabular(f"{'.'.join(fields)}: the field {sorted(clash)[0]} has the name of a key column")


def _columns(spec: Field, keys: tuple[str, ...], required: bool, key_columns: tuple[str, ...]) -> list[Column]:
    if isinstance(spec.rule, Obj):
        out: list[Column] = []
        for name, inner in spec.rule.fields.items():
            if not (fits_one_cell(inner.rule) or isinstance(inner.rule, Obj)):
                raise NotTabular(f"{'.'.join(keys + (name,))} is a list inside a mapping inside a row")
            out += _columns(inner, keys + (name,), required and inner.required, key_columns)
        return out
    return [Column(".".join(keys), keys, spec.rule, spec, required)]


# -- cells --------------------------------------------------------------------------------------------------

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_TRUE, _FALSE = {"true", "yes"}, {"false", "no"}


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_cell(value: Any, rule: Rule) -> Any:
    """The YAML value of a cell in a column checked by `rule` (None when the cell is empty). A cell that does not
    fit the rule keeps its value, so that validation says what was expected and what was found."""
    if is_empty(value):
        return None
    if isinstance(rule, ListOf):
        if isinstance(value, str):
            items = [item.strip() for item in value.split(",")]
            return [read_cell(item, rule.item) for item in items if item]
        return [read_cell(value, rule.item)]
    if isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER_TAG):
        label = value.lstrip()[len(PLACEHOLDER_TAG):].strip()
        if len(label) >= 2 and label[0] == label[-1] and label[0] in "\"'":
            label = label[1:-1]
        return Placeholder(label)
    if isinstance(rule, Number):
        if isinstance(value, str):
            text = value.strip()
            if _INT.match(text):
                return int(text)
            return float(text) if _FLOAT.match(text) else value
        if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
            return int(value)
        return value
    if isinstance(rule, Boolean):
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, float):    # a workbook holds every number as a float
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M") if not value.second else value.isoformat()
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def write_cell(value: Any, where: str) -> Any:
    """A YAML value as a cell holds it: text, a number or true/false; a list as its items joined by commas."""
    if value is None:
        return None
    if isinstance(value, Placeholder):
        return f'{PLACEHOLDER_TAG} "{value}"'
    if isinstance(value, list):
        items = [write_cell(item, where) for item in value]
        for item in items:
            if isinstance(item, str) and ("," in item or not item.strip()):
                raise NotTabular(f"{where}: the item {item!r} cannot go in a cell of comma-separated items")
        return ", ".join(str(i).lower() if isinstance(i, bool) else str(i) for i in items)
    if isinstance(value, dict):
        raise NotTabular(f"{where}: a mapping where a sheet expects one value")
    if isinstance(value, str) and value.lstrip().startswith(PLACEHOLDER_TAG):
        raise NotTabular(f"{where}: the text {value[:40]!r} would read back as a placeholder")
    return value


def column_letter(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def normal_header(text: Any) -> str:
    """How a heading is matched to a field: case and spaces do not matter (`Nearest station` = nearest_station)."""
    return re.sub(r"\s+", "_", str(text).strip().lower()) if text is not None else ""
