"""Data files kept as spreadsheets (generator/sheets): the layout, reading CSV files and workbooks into the same
located Document as YAML, the messages that name the sheet and cell, and values kept exactly."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml

from generator.build import build
from generator.data import load_document
from generator.errors import DataError
from generator.model import LOCATIONS_SCHEMA, TREATMENTS_SCHEMA
from generator.schema import ListOf, Number, Text
from generator.sheets import data_files, layout_of, load_data
from generator.sheets.layout import NotTabular, column_letter, read_cell, write_cell
from generator.sheets.write import csv_bytes, csv_name, to_tables, workbook_bytes
from generator.state import input_digest, input_files
from generator.validate import load_project
from tests.projects import REPO, sample_subset, tree_bytes

SCHEMAS = {"treatments": TREATMENTS_SCHEMA, "locations": LOCATIONS_SCHEMA}


def write_form(folder: Path, stem: str, form: str, data: dict) -> None:
    """Write `data` (the plain values of stem.yaml) as stem.csv (+ sheets) or stem.xlsx into `folder`."""
    layout = layout_of(SCHEMAS[stem], stem)
    tables = to_tables(data, layout)
    if form == "xlsx":
        (folder / f"{stem}.xlsx").write_bytes(workbook_bytes(tables, layout))
    else:
        for sheet in layout:
            (folder / csv_name(stem, sheet)).write_bytes(csv_bytes(tables[sheet.name]))
    (folder / f"{stem}.yaml").unlink(missing_ok=True)


def problems_of(root: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_project(root)
    return [str(p) for p in caught.value.problems]


def test_the_layout_is_made_from_the_schema() -> None:
    treatments = layout_of(TREATMENTS_SCHEMA, "treatments")
    assert [(s.name, s.part, s.keys) for s in treatments] == [
        ("Treatments", "", ()), ("Description", "description", ("treatment",)), ("FAQs", "faqs", ("treatment",)),
        ("Waivers", "waivers", ("treatment",))]
    assert treatments[0].headers == ["slug", "name", "summary", "what_to_expect", "aftercare", "downtime", "risks",
                                     "minimum_age", "price_from", "disclaimers", "related", "name_plural",
                                     "name_article", "name_in_text"]
    assert treatments[2].headers == ["treatment", "question", "answer"]
    locations = layout_of(LOCATIONS_SCHEMA, "locations")
    assert [s.name for s in locations][0] == "Locations" and locations[-1].name == "About"
    assert [c.header for c in locations[-1].columns] == ["attribution"]


def test_a_list_of_lists_or_a_keyless_nesting_is_refused() -> None:
    from generator.schema import Field, Obj

    with pytest.raises(NotTabular, match="no slug or id"):
        layout_of(Obj({"items": Field(ListOf(Obj({"name": Field(Text()), "parts": Field(ListOf(Obj({
            "x": Field(Text()), "more": Field(ListOf(Obj({"y": Field(Text())})))})))})))}), "things")
    with pytest.raises(NotTabular, match="no list of records"):
        layout_of(Obj({"name": Field(Text())}), "site")


@pytest.mark.parametrize(("cell", "rule", "value"), [
    ("51.3", Number(), 51.3), ("18", Number(), 18), (18.0, Number(), 18), ("fifty", Number(), "fifty"),
    (" ", Text(), None), (2024.0, Text(), "2024"), ("adults-only, consultation,", ListOf(Text()),
                                                     ["adults-only", "consultation"]),
    ('!placeholder "Phone to come"', Text(), "Phone to come"), ("TRUE", None, True), ("No", None, False),
])
def test_cells_read_as_the_yaml_would_have_them(cell, rule, value) -> None:
    from generator.data import Placeholder
    from generator.schema import Boolean

    got = read_cell(cell, rule or Boolean())
    assert got == value and type(got) is type(value) or (isinstance(got, Placeholder) and got == value)


def test_a_value_a_cell_cannot_hold_is_refused() -> None:
    with pytest.raises(NotTabular, match="comma"):
        write_cell(["one, two"], "related")
    with pytest.raises(NotTabular, match="placeholder"):
        write_cell("!placeholder as plain text", "notes")
    assert column_letter(1) == "A" and column_letter(27) == "AA" and column_letter(703) == "AAA"


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_the_sample_kept_as_spreadsheets_builds_the_same_site(tmp_path: Path, form: str) -> None:
    yaml_project = sample_subset(tmp_path / "yaml", treatments=4, locations=6)
    sheet_project = sample_subset(tmp_path / form, treatments=4, locations=6)
    for stem in SCHEMAS:
        data = load_document(sheet_project / f"{stem}.yaml")[0].data
        write_form(sheet_project, stem, form, data)
    build(yaml_project, yaml_project / "output")
    build(sheet_project, sheet_project / "output")
    assert tree_bytes(sheet_project / "output") == tree_bytes(yaml_project / "output")


@pytest.fixture
def sheet_project(tmp_path: Path):
    """sheet_project(form) -> the mini fixture with treatments and locations kept in `form`."""
    def make(form: str) -> Path:
        root = sample_subset(tmp_path / form, treatments=2, locations=4)
        for stem in SCHEMAS:
            write_form(root, stem, form, load_document(root / f"{stem}.yaml")[0].data)
        return root
    return make


def _set_cell(root: Path, stem: str, sheet: str, cell: str, value) -> None:
    book = openpyxl.load_workbook(root / f"{stem}.xlsx")
    book[sheet][cell] = value
    book.save(root / f"{stem}.xlsx")


def test_a_bad_value_in_a_workbook_names_the_sheet_and_cell(sheet_project) -> None:
    root = sheet_project("xlsx")
    _set_cell(root, "locations", "Locations", "D3", "west")
    _set_cell(root, "treatments", "FAQs", "B2", "")
    assert problems_of(root) == [
        "locations.xlsx, sheet Locations, cell D3: lon: expected a number between -180 and 180, found text 'west'"
        "\n    hint: write the number alone, in digits (no units or words)",
        "treatments.xlsx, sheet FAQs, row 2: `question` is missing\n"
        "    hint: fill in the `question` column (the question)"]
    _set_cell(root, "locations", "Locations", "D3", -0.4)
    _set_cell(root, "treatments", "FAQs", "B2", "A question?")
    _set_cell(root, "treatments", "Treatments", "J2", "adults-only, consultatoin")
    assert problems_of(root) == [   # the checks across records and files point at cells too
        "treatments.xlsx, sheet Treatments, cell J2: disclaimers: unknown disclaimer `consultatoin`"
        "\n    hint: did you mean `consultation`?"]


def test_a_bad_value_in_a_csv_file_names_the_file_and_cell(sheet_project) -> None:
    root = sheet_project("csv")
    text = (root / "locations.csv").read_text("utf-8-sig").splitlines()
    fields = text[2].split(",")
    fields[2] = "91"
    text[2] = ",".join(fields)
    (root / "locations.csv").write_text("\n".join(text) + "\n", "utf-8")
    (root / "locations.about.csv").write_text("field,value\n", "utf-8")
    assert problems_of(root) == [
        "locations.csv: `attribution` is missing\n    hint: add a row `attribution` to locations.about.csv, with "
        "its value in the next cell",
        "locations.csv, cell C3: lat: expected a number between -90 and 90, found 91\n    hint: latitude is degrees "
        "north of the equator (about 51.3 in Surrey); check that lat and lon are not swapped"]


def test_headings_are_matched_forgivingly_and_wrong_ones_are_named(sheet_project) -> None:
    root = sheet_project("csv")
    path = root / "locations.csv"
    lines = path.read_text("utf-8-sig").split("\r\n")
    lines[0] = lines[0].replace("nearest_station", "Nearest Station")
    path.write_text("\r\n".join(lines), "utf-8")
    load_project(root)   # "Nearest Station" is nearest_station
    path.write_text("\r\n".join([lines[0].replace("lat,", "Latitude,")] + lines[1:]), "utf-8")
    assert problems_of(root) == [
        "locations.csv, row 1: there is no column `lat`\n"
        "    hint: add a column headed `lat` (latitude in degrees north)",
        "locations.csv, cell C1: unknown column `Latitude`\n    hint: did you mean `lat`?"]


def test_rows_of_a_sheet_below_name_a_record_that_exists(sheet_project) -> None:
    root = sheet_project("xlsx")
    _set_cell(root, "treatments", "FAQs", "A3", "jaw-filers")
    assert problems_of(root) == [
        "treatments.xlsx, sheet FAQs, cell A3: treatment: there is no treatment `jaw-filers` in Treatments"
        "\n    hint: did you mean `jaw-fillers`?"]


def test_an_unknown_sheet_and_two_forms_of_one_file_are_errors(sheet_project) -> None:
    root = sheet_project("xlsx")
    book = openpyxl.load_workbook(root / "locations.xlsx")
    book["About"].title = "Abuot"
    book.save(root / "locations.xlsx")
    assert problems_of(root) == ["locations.xlsx, sheet Abuot: unknown sheet `Abuot`\n    hint: did you mean "
                                 "`About`?"]
    (root / "treatments.yaml").write_text("treatments: []\n", "utf-8")
    assert "treatments.yaml and treatments.xlsx are both here; clinic-pages reads one form of each data file" in \
        problems_of(root)[-1]


def test_a_csv_file_that_is_not_utf8_says_how_to_save_it(sheet_project) -> None:
    root = sheet_project("csv")
    (root / "locations.csv").write_bytes("name,lat,lon\nCaf\xe9,51.3,-0.4\n".encode("cp1252"))
    assert problems_of(root) == [
        "locations.csv, row 2: the file is not UTF-8 (byte 0xe9)\n    hint: save it as \"CSV UTF-8 (Comma "
        "delimited)\" (Excel) or with the character set Unicode (UTF-8) (LibreOffice)"]


def test_semicolons_blank_rows_and_a_workbook_of_ones_own_making_load(tmp_path: Path) -> None:
    root = sample_subset(tmp_path / "p", treatments=2, locations=3)
    (root / "locations.yaml").unlink()
    (root / "locations.csv").write_text("Name;Lat;Lon;Publish\n\nEsher;51.36969;-0.36693;TRUE\n;;;\n"
                                        "Cobham;51,1;-0.4113;false\n", "utf-8")
    (root / "locations.about.csv").write_text("field;value\nattribution;GeoNames (CC BY 4.0)\n", "utf-8")
    assert problems_of(root) == [
        "locations.csv, cell B5: lat: expected a number between -90 and 90, found text '51,1'\n    hint: write the "
        "number alone, in digits (no units or words)"]
    (root / "locations.csv").write_text("Name;Lat;Lon;Publish\n\nEsher;51.36969;-0.36693;TRUE\n;;;\n"
                                        "Cobham;51.1;-0.4113;false\n", "utf-8")
    project = load_project(root)
    assert [(loc.slug, loc.lat, loc.publish, loc.line) for loc in project.locations] == [
        ("esher", 51.36969, True, 3), ("cobham", 51.1, False, 5)]


def test_spreadsheet_files_are_inputs_of_the_build(sheet_project) -> None:
    root = sheet_project("csv")
    names = {p.name for p in input_files(root)}
    assert {"treatments.csv", "treatments.faqs.csv", "locations.csv", "locations.about.csv"} <= names
    assert "treatments.yaml" not in names
    before = input_digest(root)
    with (root / "treatments.faqs.csv").open("a", encoding="utf-8") as out:
        out.write("jaw-fillers,A new question?,An answer.\r\n")
    assert input_digest(root) != before
    assert [p.name for p in data_files(root, "site")] == ["site.yaml"]


def test_the_whole_sample_round_trips_through_both_forms(tmp_path: Path) -> None:
    for stem, schema in SCHEMAS.items():
        original = load_document(REPO / f"{stem}.yaml")[0].data
        for form in ("csv", "xlsx"):
            folder = tmp_path / f"{stem}-{form}"
            folder.mkdir()
            write_form(folder, stem, form, original)
            doc, problems = load_data(folder, stem, schema)
            assert problems == [] and doc.data == original


def test_a_workbook_has_help_on_its_headings_and_keeps_formula_like_text(tmp_path: Path) -> None:
    data = yaml.safe_load((REPO / "locations.yaml").read_text("utf-8"))
    data["locations"][0]["notes"] = "=HYPERLINK(\"x\") is text here"
    write_form(tmp_path, "locations", "xlsx", data)
    sheet = openpyxl.load_workbook(tmp_path / "locations.xlsx")["Locations"]
    assert (sheet["C1"].value, sheet["C1"].comment.text) == ("lat", "latitude in degrees north")   # the field's help
    doc, problems = load_data(tmp_path, "locations", LOCATIONS_SCHEMA)
    assert problems == [] and doc.data["locations"][0]["notes"].startswith("=HYPERLINK")


@pytest.mark.slow
def test_a_workbook_and_csv_files_saved_by_libreoffice_still_load(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.fail("LibreOffice is not installed; run tests/setup-system.sh")
    import subprocess

    original = {stem: load_document(REPO / f"{stem}.yaml")[0].data for stem in SCHEMAS}
    made, saved = tmp_path / "made", tmp_path / "saved"
    made.mkdir()
    saved.mkdir()
    for stem, data in original.items():
        write_form(made, stem, "xlsx", data)
    csv_made = tmp_path / "csv-made"
    csv_made.mkdir()
    write_form(csv_made, "locations", "csv", original["locations"])
    profile = f"-env:UserInstallation=file://{tmp_path / 'profile'}"
    run = [soffice, profile, "--headless", "--convert-to", "xlsx", "--outdir", str(saved),
           *(str(made / f"{stem}.xlsx") for stem in SCHEMAS)]
    subprocess.run(run, check=True, capture_output=True, timeout=180)
    run = [soffice, profile, "--headless", "--infilter=CSV:44,34,76,1", "--convert-to",
           "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(saved), str(csv_made / "locations.csv")]
    subprocess.run(run, check=True, capture_output=True, timeout=180)
    for stem, schema in SCHEMAS.items():
        doc, problems = load_data(saved if stem == "treatments" else _only(saved, stem, "xlsx"), stem, schema)
        assert problems == [] and doc.data == original[stem]
    csv_saved = _only(saved, "locations", "csv")
    shutil.copyfile(csv_made / "locations.about.csv", csv_saved / "locations.about.csv")
    doc, problems = load_data(csv_saved, "locations", LOCATIONS_SCHEMA)
    assert problems == [] and doc.data == original["locations"]


def _only(folder: Path, stem: str, form: str) -> Path:
    """A folder holding only folder/stem.form (LibreOffice wrote both forms of locations into one folder)."""
    alone = folder / f"only-{form}"
    alone.mkdir(exist_ok=True)
    shutil.copyfile(folder / f"{stem}.{form}", alone / f"{stem}.{form}")
    return alone


def test_a_small_workbook_claiming_a_huge_sheet_is_refused_before_it_is_read(sheet_project) -> None:
    """A cell far down and to the right makes a workbook of a few kilobytes a grid of billions of cells for the
    reader (a cell at 3000x3000: 5 kB, 400 MB and 6 s; at XFD1048576 the process is killed): refused, at once."""
    import os

    from tests.projects import run_cli

    root = sheet_project("xlsx")
    for cell, says in (("XFD1048576", "reaches row 1,048,576 and column 16,384"), ("C3000", None)):
        book = openpyxl.load_workbook(root / "locations.xlsx")
        book["Locations"][cell] = "x"
        book.save(root / "locations.xlsx")
        assert os.path.getsize(root / "locations.xlsx") < 20_000
        done = run_cli("build", "--project", str(root), timeout=300)   # another process: a crash would show
        assert done.returncode == 2, done.stderr
        if says:
            assert done.stderr.startswith(f"locations.xlsx: a sheet of the workbook {says}: more than the 2,000,000 "
                                          "cells clinic-pages reads\n    hint: delete the rows and columns after "
                                          "your data (a cell far down or to the right makes the sheet that big), "
                                          "then save\n")
            book = openpyxl.load_workbook(root / "locations.xlsx")
            book["Locations"][cell] = None
            book.save(root / "locations.xlsx")
        else:   # 3,000 rows of 3 columns: read, and the empty rows are no place
            assert "a sheet of the workbook reaches" not in done.stderr
