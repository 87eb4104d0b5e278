"""Data files kept as spreadsheets: `treatments.yaml` may instead be `treatments.xlsx` (a workbook) or
`treatments.csv` with `treatments.faqs.csv` and the other sheets beside it. Exactly one form of each file.

`load_data` reads whichever form a project has into a located Document (see read.py), so the schema, the cross
checks and every message are the same for all three; `data_files` names the files a build reads.
"""

from __future__ import annotations

from pathlib import Path

from generator.data import Document, KeptDocuments, ParseCache, load_document
from generator.errors import Problem
from generator.schema import Obj
from generator.sheets.layout import NotTabular, Sheet, layout_of, normal_header
from generator.sheets.read import SheetDocument, Table, build_document, read_csv, read_workbook
from generator.sheets.write import csv_name
from generator.text import did_you_mean

FORMS = ("yaml", "csv", "xlsx")
TABULAR = ("treatments", "locations")   # the files that may be spreadsheets; site.yaml stays YAML
_OTHER_SPREADSHEETS = (".ods", ".xls", ".xlsm", ".numbers")

__all__ = ["FORMS", "TABULAR", "NotTabular", "Sheet", "SheetDocument", "data_files", "form_of", "layout_of",
           "load_data", "present_forms"]


def _companions(root: Path, stem: str) -> list[Path]:
    """The other sheets of a CSV data file: `treatments.faqs.csv`, ..."""
    try:
        return sorted(p for p in root.glob(f"{stem}.*.csv") if p.is_file())
    except OSError:
        return []


def present_forms(root: Path, stem: str) -> dict[str, list[Path]]:
    """The forms of a data file found in the project folder, each with its files."""
    found: dict[str, list[Path]] = {}
    if (root / f"{stem}.yaml").is_file():
        found["yaml"] = [root / f"{stem}.yaml"]
    if stem in TABULAR:
        if (root / f"{stem}.xlsx").is_file():
            found["xlsx"] = [root / f"{stem}.xlsx"]
        main = root / f"{stem}.csv"
        companions = _companions(root, stem)
        if main.is_file() or companions:
            found["csv"] = ([main] if main.is_file() else []) + companions
    return found


def form_of(root: Path, stem: str) -> str | None:
    """The one form the data file is kept in (None when there is none, or more than one)."""
    forms = present_forms(root, stem)
    return next(iter(forms)) if len(forms) == 1 else None


def data_files(root: Path, stem: str) -> list[Path]:
    """The files a build reads for one data file: those of every form present (so that a second form appearing is
    noticed), or the YAML file's path when there is none."""
    forms = present_forms(Path(root), stem)
    return [p for files in forms.values() for p in files] or [Path(root) / f"{stem}.yaml"]


def load_data(root: Path, stem: str, schema: Obj, kept: KeptDocuments | None = None,
              cache: ParseCache | None = None) -> tuple[Document | None, list[Problem]]:
    """Read `stem` in whichever form the project keeps it. A spreadsheet's Document has the same data as the YAML
    would, with cells for positions. `kept`: a YAML file's last document; `cache`: the YAML files as last parsed
    (`data.load_document`)."""
    root = Path(root)
    forms = present_forms(root, stem)
    if len(forms) > 1:
        names = [files[0].name for files in forms.values()]
        return None, [Problem(names[0], None, None, "", f"{' and '.join(names)} are both here; clinic-pages reads "
                              "one form of each data file",
                              "keep the one you edit and move the other out of the project folder "
                              f"(`clinic-pages convert {stem} --to FORM` switches forms and keeps a backup)")]
    if not forms:
        other = next((root / f"{stem}{ext}" for ext in _OTHER_SPREADSHEETS if (root / f"{stem}{ext}").is_file()),
                     None)
        if other is not None:
            return None, [Problem(other.name, None, None, "", f"clinic-pages reads {stem}.yaml, {stem}.xlsx or "
                                  f"{stem}.csv, not {other.suffix} files",
                                  f"save it as an Excel workbook: {stem}.xlsx")]
        return load_document(root / f"{stem}.yaml", f"{stem}.yaml", kept, cache)
    form, files = next(iter(forms.items()))
    if form == "yaml":
        return load_document(files[0], files[0].name, kept, cache)
    layout = layout_of(schema, f"{stem}.{form}")
    if form == "xlsx":
        return _load_workbook(files[0], layout)
    return _load_csv(root, stem, files, layout)


def _load_workbook(path: Path, layout: list[Sheet]) -> tuple[Document | None, list[Problem]]:
    tables, problems = read_workbook(path, path.name)
    if tables is None:
        return None, problems
    by_name = {normal_header(s.name): s for s in layout}
    chosen: dict[str, Table | None] = {}
    for name, table in tables.items():
        sheet = by_name.get(normal_header(name))
        if sheet is None:
            if not any(any(c not in (None, "") for c in row) for row in table.rows):
                continue   # an empty sheet of the spreadsheet's own (Sheet1) does no harm
            names = [s.name for s in layout]
            hint = did_you_mean(name, names) or f"the sheets are: {', '.join(names)}"
            problems.append(Problem(path.name, None, None, "", f"unknown sheet `{name}`", hint, f"sheet {name}"))
        else:
            chosen[sheet.name] = table
    if layout[0].name not in chosen and not problems:
        problems.append(Problem(path.name, None, None, "", f"the workbook has no sheet {layout[0].name}",
                                f"name the sheet of {layout[0].fields[-1]} `{layout[0].name}`"))
    if problems:
        return None, problems
    return build_document(path.name, layout, chosen)


def _load_csv(root: Path, stem: str, files: list[Path], layout: list[Sheet]) -> tuple[Document | None, list[Problem]]:
    by_file = {csv_name(stem, s): s for s in layout}
    problems: list[Problem] = []
    chosen: dict[str, Table | None] = {}
    for path in files:
        sheet = by_file.get(path.name)
        if sheet is None:
            hint = did_you_mean(path.name, list(by_file)) or f"the files are: {', '.join(by_file)}"
            problems.append(Problem(path.name, None, None, "", f"{path.name} is not one of the sheets of {stem}",
                                    hint))
            continue
        table, found = read_csv(path, path.name)
        problems += found
        if table is not None:
            chosen[sheet.name] = table
    main = csv_name(stem, layout[0])
    if layout[0].name not in chosen and not problems:
        problems.append(Problem(main, None, None, "", "file not found",
                                f"{', '.join(p.name for p in files)} need {main} beside them"))
    if problems:
        return None, problems
    return build_document(main, layout, chosen)
