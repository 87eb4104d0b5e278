"""Saving new values into an existing .xlsx workbook cell by cell, so that its formatting, column widths, notes and
row order stay as the person left them: only cells whose value changed are written, and rows are inserted or
deleted only where records were added or removed."""

from __future__ import annotations

import difflib
import io
import json
from pathlib import Path
from typing import Any

from generator.schema import Obj
from generator.sheets.layout import Sheet, is_empty, layout_of, normal_header, read_cell
from generator.sheets.write import to_tables


def update_workbook(path: Path, data: dict[str, Any], schema: Obj, stem: str) -> bytes:
    from openpyxl import load_workbook

    layout = layout_of(schema, stem)
    tables = to_tables(data, layout)
    book = load_workbook(path)
    titles = {normal_header(ws.title): ws for ws in book.worksheets}
    for sheet in layout:
        rows = tables[sheet.name]
        ws = titles.get(normal_header(sheet.name))
        if ws is None:
            if len(rows) == 1:
                continue
            ws = book.create_sheet(sheet.name)
            for row in rows:
                ws.append(row)
            continue
        _update_sheet(ws, sheet, rows)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rules(sheet: Sheet) -> dict[str, Any]:
    if sheet.kind == "about":
        return {"field": None, "value": None}
    rules: dict[str, Any] = {key: None for key in sheet.keys}
    rules.update({c.header: c.rule for c in sheet.columns})
    return rules


def _meaning(value: Any, rule: Any) -> Any:
    from generator.schema import Text

    value = read_cell(value, rule if rule is not None else Text())
    return value


def _key(values: list[Any]) -> str:
    return json.dumps(values, sort_keys=True, default=repr)


def _update_sheet(ws: Any, sheet: Sheet, rows: list[list[Any]]) -> None:
    headers, new_rows = rows[0], rows[1:]
    rules = _rules(sheet)
    grid = [list(r) for r in ws.iter_rows(values_only=True)]
    start = next((i for i, r in enumerate(grid) if not all(is_empty(c) for c in r)), None)
    if start is None:
        for row in rows:
            ws.append(row)
        return
    columns = {normal_header(c): i + 1 for i, c in enumerate(grid[start]) if not is_empty(c)}
    for header in headers:
        if header not in columns and any(row[headers.index(header)] is not None for row in new_rows):
            columns[header] = max(columns.values(), default=0) + 1
            ws.cell(row=start + 1, column=columns[header], value=header)
    old = [(n + 1, row) for n, row in enumerate(grid) if n > start and not all(is_empty(c) for c in row)]

    def old_values(row: list[Any]) -> list[Any]:
        return [_meaning(row[columns[h] - 1] if h in columns and columns[h] - 1 < len(row) else None, rules.get(h))
                for h in headers]

    a = [_key(old_values(row)) for _, row in old]
    b = [_key([_meaning(v, rules.get(h)) for h, v in zip(headers, row, strict=True)]) for row in new_rows]
    last = old[-1][0] if old else start + 1
    for tag, i1, i2, j1, j2 in reversed(difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()):
        if tag == "equal":
            continue
        common = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(common):
            number, row = old[i1 + k]
            before = old_values(row)
            for h, value, was in zip(headers, new_rows[j1 + k], before, strict=True):
                if _meaning(value, rules.get(h)) != was and h in columns:
                    _set(ws, number, columns[h], value)
        for k in reversed(range(i1 + common, i2)):
            ws.delete_rows(old[k][0])
        at = old[i1 + common][0] if i1 + common < len(old) else last + 1
        extra = new_rows[j1 + common:j2]
        if extra:
            if i1 + common < len(old):
                ws.insert_rows(at, len(extra))
            for offset, row in enumerate(extra):
                for h, value in zip(headers, row, strict=True):
                    if value is not None and h in columns:
                        _set(ws, at + offset, columns[h], value)


def _set(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"   # text that starts with = stays text
