"""`clinic-pages convert` (generator/edit/convert.py): YAML, CSV and XLSX hold the same values, the old form is
kept in backup/, and what cannot be converted is refused before anything is written."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.data import load_document, parse_document
from generator.edit.convert import count_comments, same_values, target_files
from generator.model import LOCATIONS_SCHEMA, TREATMENTS_SCHEMA
from generator.sheets import load_data
from generator.slugs import SLUG_RE
from generator.validate import load_project
from tests.projects import cli, run_cli, sample_subset

SCHEMAS = {"treatments": TREATMENTS_SCHEMA, "locations": LOCATIONS_SCHEMA}

_chars = st.characters(blacklist_categories=("Cs", "Cc"), max_codepoint=0x2FFF) | st.sampled_from(
    list("\n\t\"'#:,=-!&*%@`|>[]{} £é"))
line = st.text(_chars.filter(lambda c: c not in "\n\t"), min_size=1, max_size=30).filter(str.strip)
text = st.text(_chars, min_size=1, max_size=200).filter(str.strip)
slug = st.from_regex(SLUG_RE, fullmatch=True).filter(lambda s: len(s) < 30)
slugs = st.lists(slug, unique=True, max_size=4)
number = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False) | st.integers(0, 10 ** 6)


faqs = st.lists(st.fixed_dictionaries({"question": line, "answer": text}), min_size=1, max_size=3)
# text written for one treatment in one place: a note, questions, or both (locations.yaml `landing_pages`)
pairs = st.dictionaries(slug, st.fixed_dictionaries({}, optional={"note": text, "faqs": faqs}).filter(bool),
                        min_size=1, max_size=3)


@st.composite
def locations(draw) -> dict:
    places = []
    for i, name in enumerate(draw(st.lists(line, min_size=1, max_size=5))):
        place = {"name": name, "lat": draw(st.floats(-90, 90)), "lon": draw(st.floats(-180, 180))}
        for key, strategy in (("slug", slug), ("county", line), ("nearest_station", line), ("notes", text),
                              ("publish", st.booleans()), ("faqs", faqs), ("landing_pages", pairs)):
            if draw(st.booleans()):
                place[key] = draw(strategy)
        if "faqs" in place or "landing_pages" in place:   # their rows in other sheets name the place by its slug
            place["slug"] = f"p{i}-{draw(slug)}"
        places.append(place)
    return {"attribution": draw(line), "locations": places}


@st.composite
def treatments(draw) -> dict:
    records = []
    for i, name in enumerate(draw(st.lists(line, min_size=1, max_size=3))):
        record = {"slug": f"t{i}-{draw(slug)}", "name": name, "summary": draw(text),
                  "description": draw(st.lists(st.fixed_dictionaries({"heading": line, "text": text}), min_size=1,
                                               max_size=3)),
                  **{k: draw(text) for k in ("what_to_expect", "aftercare", "downtime", "risks")},
                  "minimum_age": draw(st.integers(18, 120))}
        for key, strategy in (("price_from", number.filter(lambda n: n >= 0)),
                              ("faqs", st.lists(st.fixed_dictionaries({"question": line, "answer": text}),
                                                max_size=3)),
                              ("disclaimers", slugs), ("related", slugs),
                              ("waivers", st.lists(st.fixed_dictionaries({"rule": line, "reason": text}),
                                                   max_size=2))):
            if draw(st.booleans()):
                record[key] = draw(strategy)
        records.append(record)
    return {"treatments": records}


def _round_trip(tmp_path: Path, stem: str, data: dict) -> None:
    doc, problems = parse_document(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), f"{stem}.yaml")
    assert problems == []
    values = doc.data
    source = "yaml"
    for i, form in enumerate(("csv", "xlsx", "yaml", "csv")):
        folder = tmp_path / f"{i}-{form}"
        folder.mkdir()
        for rel, content in target_files(stem, form, values, SCHEMAS[stem], f"{stem}.{source}").items():
            (folder / rel).write_bytes(content)
        back, problems = load_data(folder, stem, SCHEMAS[stem])
        assert problems == [], (form, problems)
        assert same_values(back.data, doc.data), form
        values, source = back.data, form


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=locations())
def test_any_locations_round_trip_through_every_form(tmp_path_factory, data: dict) -> None:
    _round_trip(tmp_path_factory.mktemp("loc"), "locations", data)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(data=treatments())
def test_any_treatments_round_trip_through_every_form(tmp_path_factory, data: dict) -> None:
    _round_trip(tmp_path_factory.mktemp("tr"), "treatments", data)


def test_convert_switches_forms_keeps_a_backup_and_builds_the_same(tmp_path: Path) -> None:
    root = sample_subset(tmp_path / "p", treatments=3, locations=4)
    before = load_project(root)
    original = (root / "treatments.yaml").read_bytes()
    result = run_cli("convert", "treatments.yaml", "--to", "xlsx", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("treatments: wrote treatments.xlsx; the yaml form is kept in backup/treatments.yaml\n")
    assert not (root / "treatments.yaml").exists() and (root / "backup" / "treatments.yaml").read_bytes() == original
    result = run_cli("convert", "treatments", "--to", "csv", "--project", str(root))
    assert result.stdout == ("treatments: wrote treatments.csv, treatments.description.csv, treatments.faqs.csv, "
                             "treatments.waivers.csv; the xlsx form is kept in backup/treatments.xlsx\n")
    assert unplaced(load_project(root).treatments) == unplaced(before.treatments)
    assert run_cli("convert", "treatments", "--to", "csv", cwd=root).stdout == \
        "treatments is already kept as csv; nothing to do\n"
    run_cli("convert", "treatments", "--to", "yaml", cwd=root)
    assert unplaced(load_project(root).treatments) == unplaced(before.treatments)


def unplaced(records: tuple) -> list:
    """The records without where they were written (a line of YAML, a row of a sheet)."""
    return [dataclasses.replace(r, line=None) for r in records]


def test_convert_says_which_comments_a_spreadsheet_cannot_hold(sample_project: Path) -> None:
    text = (sample_project / "locations.yaml").read_text("utf-8")
    assert count_comments(text) == sum(1 for line in text.splitlines() if line.strip().startswith("#")) == 5
    result = cli("convert", "locations", "--to", "csv", cwd=sample_project)
    assert result.returncode == 0
    assert result.stdout.endswith(f"note: {count_comments(text)} comment(s) of locations.yaml have no place in a "
                                  "spreadsheet and were left out (they are in backup/locations.yaml)\n")


def test_convert_refuses_invalid_data_site_yaml_and_unknown_forms(tmp_path: Path) -> None:
    root = sample_subset(tmp_path / "p", treatments=2, locations=3)
    text = (root / "locations.yaml").read_text("utf-8")
    (root / "locations.yaml").write_text(text.replace("lat: 51.", "lat: 91.", 1), "utf-8")
    result = cli("convert", "locations", "--to", "xlsx", cwd=root)
    assert result.returncode == 2 and "locations[0].lat: expected a number between -90 and 90" in result.stderr
    assert not (root / "locations.xlsx").exists() and not (root / "backup").exists()
    result = cli("convert", "site.yaml", "--to", "xlsx", cwd=root)
    assert result.returncode == 2 and result.stderr.startswith("error: site.yaml stays YAML")
    result = cli("convert", "locations", "--to", "ods", cwd=root)
    assert result.returncode == 2 and "invalid choice: 'ods'" in result.stderr


def test_a_list_item_with_a_comma_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = sample_subset(tmp_path / "p", treatments=2, locations=3)
    doc, _ = load_document(root / "treatments.yaml")
    assert doc is not None
    from generator.sheets import NotTabular

    data = copy.deepcopy(doc.data)   # the loader's document is shared: never changed
    data["treatments"][0]["waivers"] = [{"rule": "claims.hype", "reason": "a reason, with a comma"}]
    target_files("treatments", "xlsx", data, TREATMENTS_SCHEMA)   # a comma in a cell of its own is fine
    data["treatments"][0]["related"] = ["lip-fillers, jaw"]
    with pytest.raises(NotTabular, match="comma-separated"):
        target_files("treatments", "csv", data, TREATMENTS_SCHEMA)


def test_project_files_are_written_only_inside_the_project_and_never_through_a_link(tmp_path):
    """The editing side uses the one helper of generator/paths.py: plain relative paths, no symbolic link."""
    import pytest

    from generator.edit.files import project_path
    from generator.errors import ClinicPagesError

    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "backup").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "p" / "treatments.yaml").symlink_to(tmp_path / "elsewhere" / "t.yaml")
    for rel, says in (("../x.yaml", "refusing to write '../x.yaml': not a plain path inside the project"),
                      ("/etc/passwd", "refusing to write '/etc/passwd': not a plain path inside the project"),
                      ("a\x1b.yaml", "refusing to write 'a\\x1b.yaml': not a plain path inside the project"),
                      ("backup/locations.yaml", "refusing to write backup/locations.yaml: backup is a symbolic link"),
                      ("treatments.yaml", "refusing to write treatments.yaml: treatments.yaml is a symbolic link")):
        with pytest.raises(ClinicPagesError) as caught:
            project_path(tmp_path / "p", rel)
        assert str(caught.value) == says
    assert project_path(tmp_path / "p", "locations.yaml") == tmp_path / "p" / "locations.yaml"
