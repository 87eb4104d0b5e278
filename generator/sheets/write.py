"""Write a data file's values as CSV files or an Excel workbook, laid out as layout.py says."""

from __future__ import annotations

import csv
import io
from typing import Any

from generator.sheets.layout import NotTabular, Sheet, write_cell
from generator.slugs import slugify

Rows = list[list[Any]]


def to_tables(data: dict[str, Any], layout: list[Sheet]) -> dict[str, Rows]:
    """Each sheet's rows, its headings first, from the plain values of a valid data file. Raises NotTabular for a
    value a cell cannot hold (an item with a comma in a comma-separated list)."""
    out: dict[str, Rows] = {}
    for sheet in layout:
        if sheet.kind == "about":
            out[sheet.name] = [["field", "value"]] + [
                [c.header, write_cell(value, c.header)] for c in sheet.columns
                if (value := _get(data, c.keys)) is not None]
        else:
            out[sheet.name] = [sheet.headers]
    for sheet in layout:
        if sheet.parent is None and sheet.kind != "about":
            _rows(sheet, layout, data.get(sheet.fields[-1]), (), out)
    return out


def _rows(sheet: Sheet, layout: list[Sheet], container: Any, keys: tuple[str, ...], out: dict[str, Rows]) -> None:
    if not container:
        return
    items = container.items() if sheet.kind == "map" else ((None, record) for record in container)
    children = [s for s in layout if s.parent is sheet]
    for key, value in items:
        own = keys + ((str(key),) if sheet.kind == "map" else ())
        where = ".".join(sheet.fields)
        if sheet.kind == "map" and not isinstance(value, dict):
            out[sheet.name].append(list(own) + [write_cell(value, where)])
            continue
        if not isinstance(value, dict):
            raise NotTabular(f"{where}: an item that is not a mapping")
        out[sheet.name].append(list(own) + [write_cell(_get(value, c.keys), f"{where}.{c.header}")
                                            for c in sheet.columns])
        if children and any(value.get(child.fields[-1]) for child in children):   # rows of its own to key
            if sheet.kind == "records":
                ident = value.get(sheet.identity) if sheet.identity else None
                ident = ident if isinstance(ident, str) else slugify(str(value.get("name") or ""))
                if not ident:
                    raise NotTabular(f"{where}: a record with neither {sheet.identity} nor name")
                own = own + (ident,)
            for child in children:
                _rows(child, layout, value.get(child.fields[-1]), own, out)


def _get(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    value: Any = record
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def csv_text(rows: Rows) -> str:
    """One sheet as CSV: commas, every line ending CRLF as spreadsheets write it; true/false for booleans."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else str(v).lower() if isinstance(v, bool) else v for v in row])
    return out.getvalue()


def csv_bytes(rows: Rows) -> bytes:
    # A byte order mark, so that Excel opens the file as UTF-8 (without it, "é" and "£" come out garbled).
    return ("\ufeff" + csv_text(rows)).encode("utf-8")


def csv_name(stem: str, sheet: Sheet) -> str:
    return f"{stem}.{sheet.part}.csv" if sheet.part else f"{stem}.csv"


def workbook_bytes(tables: dict[str, Rows], layout: list[Sheet]) -> bytes:
    """The sheets as a new .xlsx workbook: headings bold and frozen, with each field's help as a note on its
    heading; text is always stored as text (never as a formula)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook()
    for blank in book.worksheets:   # the sheet a new workbook starts with
        book.remove(blank)
    for sheet in layout:
        rows = tables[sheet.name]
        ws = book.create_sheet(sheet.name)
        notes = {c.header: (getattr(c.spec, "help", "") or c.spec.doc) for c in sheet.columns}
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = ws.cell(row=r, column=c)
                try:
                    cell.value = value
                except IllegalCharacterError:
                    raise NotTabular(f"{sheet.name}, row {r}: a control character that a workbook cannot hold") \
                        from None
                if isinstance(value, str):
                    cell.data_type = "s"    # "=..." stays text
                    if "\n" in value or len(value) > 60:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        for c, header in enumerate(rows[0], start=1):
            cell = ws.cell(row=1, column=c)
            cell.font = Font(bold=True)
            if notes.get(header):
                cell.comment = Comment(notes[header], "clinic-pages")
            longest = max((len(str(row[c - 1])) for row in rows if c - 1 < len(row) and row[c - 1] is not None),
                          default=8)
            ws.column_dimensions[cell.column_letter].width = min(max(longest + 2, 10), 60)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
