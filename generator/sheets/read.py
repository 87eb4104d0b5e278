"""Read a data file kept as CSV files or an Excel workbook into the same located Document that data.py makes of
YAML, so that one schema validates both and every message is the same; a position is a cell, not a line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.data import Document, Path_, format_path
from generator.errors import Problem
from generator.schema import Text
from generator.sheets.layout import Column, Sheet, column_letter, is_empty, normal_header, read_cell, singular
from generator.slugs import slugify
from generator.text import did_you_mean

Spot = tuple[str, str, int | None, int | None, str]   # file, sheet label, row, column, column header


@dataclass
class Table:
    """The rows of one sheet as a file holds them."""

    file: str                    # "treatments.xlsx" or "treatments.faqs.csv"
    label: str                   # "sheet FAQs" in a workbook; "" for a CSV file (the file is the sheet)
    rows: list[list[Any]]        # every row, the heading row included, cells left to right

    def spot(self, row: int | None, col: int | None = None, header: str = "") -> Spot:
        return (self.file, self.label, row, col, header)


@dataclass
class SheetDocument(Document):
    """A Document whose values stand in cells: `where` gives (row, column) and problems name the sheet and cell."""

    spots: dict[Path_, Spot] = field(default_factory=dict)
    sheets: dict[Path_, Sheet] = field(default_factory=dict)   # the sheet each record (and the top: About) is in
    about: Sheet | None = None

    def spot(self, path: Path_) -> tuple[Spot, Path_]:
        """The spot of `path`, or of its nearest parent that has one, and the rest of the path below it."""
        at = path
        while at not in self.spots and at:
            at = at[:-1]
        return self.spots.get(at, (self.file, "", None, None, "")), path[len(at):]

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        (_, _, row, col, _), _ = self.spot(path)
        return row, col

    def problem(self, path: Path_, message: str, hint: str = "") -> Problem:
        (file, label, row, col, header), rest = self.spot(path)
        if col is not None:
            place = f"cell {column_letter(col)}{row}"
            name = header
        else:
            place = f"row {row}" if row is not None else ""
            name = format_path(tuple(p for p in rest if not isinstance(p, int))) if rest else ""
        if label:
            place = f"{label}, {place}" if place else label
        # The rules speak of YAML; in a sheet, lines are rows and a missing field is an empty cell or row.
        message = re.sub(r"\bat line (\d+)", r"in row \1", message)
        missing = re.match(r"^`(\w+)` is (missing|empty)$", message)
        if missing:
            hint = self._missing_hint(path, missing.group(1)) or hint
        hint = _HINTS.get(hint, hint)
        return Problem(file, row, col, name, message, hint, place)

    def _missing_hint(self, path: Path_, name: str) -> str:
        at = path
        while at not in self.sheets and at:
            at = at[:-1]
        sheet = self.sheets.get(at)
        if sheet is None:
            return ""
        rel = tuple(p for p in path[len(at):] if not isinstance(p, int)) + (name,)
        if sheet.kind == "about":
            column = next((c for c in sheet.columns if c.keys == rel), None)
            if column is not None:
                return f"add a row `{column.header}` to {_sheet_place(self, sheet)}, with its value in the next cell"
            sheet = _main(self)
        column = next((c for c in sheet.columns if c.keys == rel), None)
        if column is not None:
            doc = getattr(column.spec, "help", "") or column.spec.doc
            return f"fill in the `{column.header}` column" + (f" ({doc})" if doc else "")
        child = next((s for s in self.sheets.values() if s.parent is sheet and s.fields[len(sheet.fields):] == rel),
                     None) or next((s for s in _all_sheets(self) if s.fields == sheet.fields + rel), None)
        if child is not None:
            return f"add its rows to {_sheet_place(self, child)}"
        return ""


_HINTS = {
    "write digits without quotes": "write the number alone, in digits (no units or words)",
    "write each item on its own line after `- `": "write the items in one cell, separated by commas",
}


def _all_sheets(doc: SheetDocument) -> list[Sheet]:
    return getattr(doc, "layout", [])


def _main(doc: SheetDocument) -> Sheet:
    return _all_sheets(doc)[0]


def _sheet_place(doc: SheetDocument, sheet: Sheet) -> str:
    if doc.file.endswith(".xlsx"):
        return f"sheet {sheet.name}"
    stem = doc.file.rsplit(".", 1)[0]
    return f"{stem}.{sheet.part}.csv" if sheet.part else doc.file


# -- files ----------------------------------------------------------------------------------------------------

def read_csv(path: Path, name: str) -> tuple[Table | None, list[Problem]]:
    """The rows of a CSV file (UTF-8, with or without a byte order mark; commas, or semicolons or tabs as a
    spreadsheet in another language writes them)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, None, None, "", f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(name, row, None, "", f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x})",
                              "save it as \"CSV UTF-8 (Comma delimited)\" (Excel) or with the character set "
                              "Unicode (UTF-8) (LibreOffice)", f"row {row}")]
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if first else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        return None, [Problem(name, None, None, "", f"not a readable CSV file ({exc})",
                              "open it in a spreadsheet and save it again as CSV UTF-8")]
    return Table(name, "", rows), []


MAX_CELLS = 2_000_000          # 100,000 places of 20 columns: a sheet reaching further is refused, not read
MAX_SHEET_XML = 200_000_000    # bytes of one sheet once unzipped (the sample's 71 places: 20 kB)
_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|dimension)\b[^>]*?\sr(?:ef)?='
                       rb'"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')


def _too_big(path: Path, name: str) -> Problem | None:
    """A problem when a sheet of the workbook reaches further than MAX_CELLS, or unzips to more than
    MAX_SHEET_XML: calamine reads a sheet into a grid of every cell up to its furthest one, so a cell at XFD1048576
    makes a 5 kB file a grid of 17 billion cells (the process is killed); checked in the zipped XML, before."""
    import zipfile

    hint = ("delete the rows and columns after your data (a cell far down or to the right makes the sheet that "
            "big), then save")
    try:
        with zipfile.ZipFile(path) as book:
            for info in book.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                if info.file_size > MAX_SHEET_XML:
                    return Problem(name, None, None, "", f"a sheet of the workbook unzips to {info.file_size:,} "
                                   f"bytes, more than the {MAX_SHEET_XML:,} clinic-pages reads", hint)
                rows = columns = 0
                with book.open(info) as xml:
                    for ref in _CELL_REF.finditer(xml.read(MAX_SHEET_XML + 1)):
                        for letters, digits in ((ref[1], ref[2]), (ref[3], ref[4])):
                            if letters:
                                columns = max(columns, _column_number(letters))
                                rows = max(rows, int(digits))
                if rows * columns > MAX_CELLS:
                    return Problem(name, None, None, "", f"a sheet of the workbook reaches row {rows:,} and column "
                                   f"{columns:,}: more than the {MAX_CELLS:,} cells clinic-pages reads", hint)
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, EOFError):
        return None   # not a zip, or damaged: calamine says what is wrong with it
    return None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def read_workbook(path: Path, name: str) -> tuple[dict[str, Table] | None, list[Problem]]:
    """Every sheet of an .xlsx workbook, by name (the values that formulas last computed, as saved)."""
    from python_calamine import CalamineWorkbook  # here: only projects kept as workbooks need it

    too_big = _too_big(path, name)
    if too_big:
        return None, [too_big]
    try:
        book = CalamineWorkbook.from_path(str(path))
        tables = {}
        for sheet in book.sheet_names:
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
            tables[sheet] = Table(name, f"sheet {sheet}", [list(r) for r in rows])
    except OSError as exc:
        return None, [Problem(name, None, None, "", f"cannot read the file: {exc.strerror}")]
    except Exception as exc:
        return None, [Problem(name, None, None, "", f"not a readable Excel workbook ({exc})",
                              "open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx)")]
    return tables, []


# -- tables -> a Document -------------------------------------------------------------------------------------

@dataclass
class _Rows:
    """A sheet's heading matched to its columns, and its rows that hold something."""

    table: Table
    columns: dict[str, int]             # header -> column number (1-based)
    rows: list[tuple[int, list[Any]]]   # row number, cells


def _heading(sheet: Sheet, table: Table, problems: list[Problem]) -> _Rows | None:
    start = next((i for i, row in enumerate(table.rows) if not all(is_empty(c) for c in row)), None)
    if start is None:
        if sheet.parent is None and sheet.kind != "about":
            problems.append(Problem(table.file, None, None, "", "the sheet is empty",
                                    f"write the headings in the first row: {', '.join(sheet.headers)}",
                                    table.label))
        return _Rows(table, {}, [])
    known = ["field", "value"] if sheet.kind == "about" else sheet.headers
    columns: dict[str, int] = {}
    filled = {i for row in table.rows[start + 1:] for i, c in enumerate(row) if not is_empty(c)}
    bad = False
    for i, cell in enumerate(table.rows[start]):
        header = normal_header(cell)
        where = f"{table.label + ', ' if table.label else ''}cell {column_letter(i + 1)}{start + 1}"
        if not header:
            if i in filled:
                problems.append(Problem(table.file, start + 1, i + 1, "", "a column without a heading holds values",
                                        f"head it with one of: {', '.join(known)}; or delete the column", where))
                bad = True
            continue
        if header not in known:
            hint = did_you_mean(header, known) or f"the columns are: {', '.join(known)}"
            problems.append(Problem(table.file, start + 1, i + 1, "", f"unknown column `{cell}`", hint, where))
            bad = True
        elif header in columns:
            problems.append(Problem(table.file, start + 1, i + 1, "", f"the column `{header}` is there twice (first "
                                    f"in column {column_letter(columns[header])})", "delete one of the two", where))
            bad = True
        else:
            columns[header] = i + 1
    needed = ["field", "value"] if sheet.kind == "about" else list(sheet.keys) + [
        c.header for c in sheet.columns if c.required and not (sheet.kind == "map" and c.header == "value")]
    for header in needed:
        if header not in columns:
            column = sheet.column(header)
            doc = (getattr(column.spec, "help", "") or column.spec.doc) if column else ""
            problems.append(Problem(table.file, start + 1, None, "", f"there is no column `{header}`",
                                    f"add a column headed `{header}`" + (f" ({doc})" if doc else ""),
                                    f"{table.label + ', ' if table.label else ''}row {start + 1}"))
            bad = True
    if bad:
        return None
    rows = [(n + 1, row) for n, row in enumerate(table.rows) if n > start and not all(is_empty(c) for c in row)]
    return _Rows(table, columns, rows)


def _cell(row: list[Any], col: int) -> Any:
    return row[col - 1] if col - 1 < len(row) else None


def _key_text(value: Any) -> str:
    text = read_cell(value, Text())
    return text.strip() if isinstance(text, str) else ""


def build_document(file: str, layout: list[Sheet], tables: dict[str, Table | None]) -> tuple[
        SheetDocument | None, list[Problem]]:
    """The Document of a data file from its sheets' tables (by sheet name; None for a sheet not there)."""
    problems: list[Problem] = []
    doc = SheetDocument(file, {})
    doc.layout = layout   # type: ignore[attr-defined]
    main = layout[0]
    main_table = tables.get(main.name)
    doc.spots[()] = (main_table.file, main_table.label, None, None, "") if main_table else (file, "", None, None, "")
    read = {}
    for sheet in layout:
        table = tables.get(sheet.name)
        if table is not None:
            read[sheet.name] = _heading(sheet, table, problems)
    if problems:
        return None, problems
    data: dict[str, Any] = {}
    owners: dict[str, dict[tuple[str, ...], tuple[dict, Path_]]] = {}
    for sheet in layout:
        rows = read.get(sheet.name)
        if sheet.kind == "about":
            doc.about = sheet
            doc.sheets[()] = sheet
            if rows is not None:
                _read_about(doc, sheet, rows, data, problems)
            continue
        owners[sheet.name] = {}
        if rows is None:
            continue
        for number, row in rows.rows:
            keys = tuple(_key_text(_cell(row, rows.columns[k])) for k in sheet.keys)
            own_keys = keys[:-1] if sheet.kind == "map" else keys
            owner_path: Path_
            if sheet.parent is None:
                owner, owner_path = data, ()
            else:
                found = owners.get(sheet.parent.name, {}).get(own_keys)
                if found is None:
                    problems.append(_unknown_owner(sheet, rows, number, row, own_keys, owners))
                    continue
                owner, owner_path = found
            name = sheet.fields[-1]
            if sheet.kind == "records":
                container = owner.setdefault(name, [])
                path = owner_path + (name, len(container))
                record = _read_record(doc, sheet, rows, number, row, path)
                container.append(record)
                doc.sheets[path] = sheet
                if sheet.identity:
                    ident = record.get(sheet.identity)
                    if not isinstance(ident, str):
                        ident = slugify(record["name"]) if isinstance(record.get("name"), str) else None
                    if ident:
                        owners[sheet.name].setdefault(keys + (ident,), (record, path))
            else:
                key = keys[-1]
                col = rows.columns[sheet.keys[-1]]
                if not key:
                    problems.append(Problem(rows.table.file, number, col, sheet.keys[-1], "the cell is empty",
                                            f"write the {sheet.keys[-1]} this row is for", _place(rows, number, col)))
                    continue
                container = owner.setdefault(name, {})
                if key in container:
                    first = doc.spots[owner_path + (name, key)][2]
                    problems.append(Problem(rows.table.file, number, col, sheet.keys[-1],
                                            f"`{key}` is given twice (first in row {first})", "remove one of the two",
                                            _place(rows, number, col)))
                    continue
                path = owner_path + (name, key)
                doc.spots[path] = rows.table.spot(number, None)
                value_column = sheet.column("value")
                if value_column is not None and len(sheet.columns) == 1:
                    value_col = rows.columns.get("value")
                    container[key] = read_cell(_cell(row, value_col), value_column.rule) if value_col else None
                    if value_col:
                        doc.spots[path] = rows.table.spot(number, value_col, "value")
                else:
                    container[key] = _read_record(doc, sheet, rows, number, row, path)
                    doc.sheets[path] = sheet
                owners[sheet.name][keys] = (container[key], path)
    doc.data = data
    return doc, problems


def _place(rows: _Rows, number: int, col: int | None) -> str:
    cell = f"cell {column_letter(col)}{number}" if col else f"row {number}"
    return f"{rows.table.label}, {cell}" if rows.table.label else cell


def _unknown_owner(sheet: Sheet, rows: _Rows, number: int, row: list[Any], keys: tuple[str, ...],
                   owners: dict[str, dict[tuple[str, ...], tuple[dict, Path_]]]) -> Problem:
    parent = sheet.parent
    assert parent is not None
    header = parent.keys[-1] if parent.kind == "map" else singular(parent.fields[-1])
    col = rows.columns[sheet.keys[len(keys) - 1]] if keys else None
    if not keys[-1]:
        return Problem(rows.table.file, number, col, sheet.keys[len(keys) - 1], "the cell is empty",
                       f"write the {header} this row belongs to", _place(rows, number, col))
    known = [k[-1] for k in owners.get(parent.name, {}) if k[:-1] == keys[:-1]]
    return Problem(rows.table.file, number, col, sheet.keys[len(keys) - 1],
                   f"there is no {header.replace('_', ' ')} `{keys[-1]}` in {parent.name}",
                   did_you_mean(keys[-1], known) or f"add it to {parent.name} first, or correct this cell",
                   _place(rows, number, col))


def _read_record(doc: SheetDocument, sheet: Sheet, rows: _Rows, number: int, row: list[Any],
                 path: Path_) -> dict[str, Any]:
    doc.spots[path] = rows.table.spot(number, None)
    record: dict[str, Any] = {}
    for column in sheet.columns:
        col = rows.columns.get(column.header)
        if col is None:
            continue
        value = read_cell(_cell(row, col), column.rule)
        if value is None:
            continue
        _put(record, column, value)
        _mark(doc, path + column.keys, value, rows.table.spot(number, col, column.header))
    return record


def _read_about(doc: SheetDocument, sheet: Sheet, rows: _Rows, data: dict, problems: list[Problem]) -> None:
    names = [c.header for c in sheet.columns]
    seen: dict[str, int] = {}
    for number, row in rows.rows:
        col = rows.columns["field"]
        header = normal_header(_cell(row, col))
        column = sheet.column(header)
        if column is None:
            hint = did_you_mean(header, names) or f"the fields here are: {', '.join(names)}"
            problems.append(Problem(rows.table.file, number, col, "", f"unknown field `{_cell(row, col)}`", hint,
                                    _place(rows, number, col)))
            continue
        if header in seen:
            problems.append(Problem(rows.table.file, number, col, header, f"`{header}` is given twice (first in "
                                    f"row {seen[header]})", "remove one of the two", _place(rows, number, col)))
            continue
        seen[header] = number
        value_col = rows.columns["value"]
        value = read_cell(_cell(row, value_col), column.rule)
        if value is not None:
            _put(data, column, value)
            _mark(doc, column.keys, value, rows.table.spot(number, value_col, header))


def _put(record: dict[str, Any], column: Column, value: Any) -> None:
    inner = record
    for key in column.keys[:-1]:
        inner = inner.setdefault(key, {})
    inner[column.keys[-1]] = value


def _mark(doc: SheetDocument, path: Path_, value: Any, spot: Spot) -> None:
    doc.spots[path] = spot
    if isinstance(value, list):
        for i in range(len(value)):
            doc.spots[path + (i,)] = spot
