"""The parse cache (`data.ParseCache`, `.clinic-pages-parsed.json`): a data file whose bytes are unchanged is read
back from it, the same Document a parse gives (values, kinds, and where each stood); anything else in it is
ignored and the file parsed; it is JSON and nothing else; a folder that cannot be written only loses it."""

from __future__ import annotations

import datetime
import json
import pickle
from pathlib import Path

import pytest

from generator import data
from generator.data import PARSED_FILE, Document, ParseCache, Placeholder, load_document, parse_document
from generator.errors import DataError
from generator.validate import load_project
from tests.projects import edit

DATA_FILES = ("site.yaml", "treatments.yaml", "locations.yaml")


def parsed(project: Path, name: str) -> Document:
    doc, problems = parse_document((project / name).read_text("utf-8"), name)
    assert doc is not None and not problems
    return doc


def same(a: Document, b: Document) -> None:
    """The same Document, to the kind of each value and the order of its positions."""
    assert a == b
    assert list(a.marks.items()) == list(b.marks.items()) and list(a.keys.items()) == list(b.keys.items())
    assert repr(a.data) == repr(b.data)   # (a Placeholder's repr is its own: the kinds are the same too)
    assert a.aliases == b.aliases


def no_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(text: str, name: str):
        raise AssertionError(f"{name} was parsed")
    monkeypatch.setattr(data, "parse_document", refuse)


def problems_of(project: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_project(project)
    return [str(p) for p in caught.value.problems]


def test_a_load_keeps_each_file_parsed_and_the_next_reads_it_back(mini_project: Path, monkeypatch):
    first = load_project(mini_project)
    lines = (mini_project / PARSED_FILE).read_bytes().splitlines()
    assert [json.loads(line)["file"] for line in lines[1:]] == sorted(DATA_FILES)   # JSON, line by line
    for name in DATA_FILES:
        kept = ParseCache(mini_project).document(name, (mini_project / name).read_bytes())
        assert kept is not None
        same(kept, parsed(mini_project, name))
    stamp = (mini_project / PARSED_FILE).stat().st_mtime_ns
    no_parse(monkeypatch)
    assert load_project(mini_project) == first
    assert (mini_project / PARSED_FILE).stat().st_mtime_ns == stamp   # nothing new: not written again


def test_placeholders_dates_and_aliases_come_back_as_they_were_parsed(tmp_path: Path):
    text = ("when: 2024-05-01\nat: 2001-12-14t21:59:43.10-05:00\nutc: 2001-12-14 21:59:43 Z\nphone: !placeholder "
            "To be confirmed\nbase: &b {x: 1.5, y: -0.0, big: 123456789012345678901234567890, flag: true, none: ~}\n"
            "copy: *b\nlist: [a, \"b\\u2028c\\n\\u00e9\"]\n")
    (tmp_path / "x.yaml").write_text(text, "utf-8")
    cache = ParseCache(tmp_path)
    doc, problems = load_document(tmp_path / "x.yaml", cache=cache)
    assert doc is not None and not problems and doc.aliases
    cache.save()
    kept = ParseCache(tmp_path).document("x.yaml", (tmp_path / "x.yaml").read_bytes())
    assert kept is not None
    same(kept, doc)
    assert type(kept.data["phone"]) is Placeholder and type(kept.data["when"]) is datetime.date
    assert kept.data["at"].utcoffset() == datetime.timedelta(hours=-5)


def test_an_edited_file_is_parsed_again_and_kept_under_its_new_bytes(mini_project: Path):
    load_project(mini_project)
    edit(mini_project / "locations.yaml", "Hampton Court station is in East Molesey", "East Molesey has a station")
    project = load_project(mini_project)
    assert "East Molesey has a station" in next(p.notes for p in project.locations if p.slug == "east-molesey")
    raw = (mini_project / "locations.yaml").read_bytes()
    same(ParseCache(mini_project).document("locations.yaml", raw), parsed(mini_project, "locations.yaml"))
    before = raw.replace(b"East Molesey has a station", b"Hampton Court station is in East Molesey")
    assert ParseCache(mini_project).document("locations.yaml", before) is None   # one line per file: the last


@pytest.mark.parametrize("damage", [
    "garbage", "truncated", "pickle", "other code", "wrong shape", "wrong kinds", "positions short",
    "positions long", "bad placeholder path", "not a file"])
def test_a_damaged_or_foreign_cache_is_ignored(mini_project: Path, monkeypatch, damage: str):
    clean = load_project(mini_project)
    path = mini_project / PARSED_FILE
    head, *lines = path.read_bytes().split(b"\n")
    entries = {json.loads(line)["file"]: json.loads(line) for line in lines if line}
    site = entries["site.yaml"]
    if damage == "garbage":
        path.write_bytes(b"\x00\xff not JSON at all")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:len(path.read_bytes()) // 2])
    elif damage == "pickle":
        path.write_bytes(pickle.dumps({"site.yaml": site}))
    elif damage == "other code":
        path.write_bytes(path.read_bytes().replace(head, head.replace(b'"format": 1', b'"format": 0')))
    else:
        if damage == "wrong shape":
            site["extra"] = 1
        elif damage == "wrong kinds":
            site["positions"] = [str(n) for n in site["positions"]]
        elif damage == "positions short":
            site["positions"] = site["positions"][:-2]
        elif damage == "positions long":
            site["positions"] += [1, 1]
        elif damage == "bad placeholder path":
            site["special"][0][0] = ["nowhere", 3]
        elif damage == "not a file":
            path.unlink()
            path.mkdir()
        if path.is_file():   # the line as the cache writes it, its head (file and digest) first
            lines = [line for line in lines if not line.startswith(b'{"file":"site.yaml"')]
            path.write_bytes(b"\n".join([head, json.dumps(site, separators=(",", ":")).encode(), *lines]))
    assert load_project(mini_project) == clean
    if damage != "not a file":   # parsed again, and kept again as it should be
        raw = (mini_project / "site.yaml").read_bytes()
        same(ParseCache(mini_project).document("site.yaml", raw), parsed(mini_project, "site.yaml"))


def test_a_bad_value_is_reported_at_its_line_from_a_cached_parse(mini_project: Path, monkeypatch):
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: fifty")
    edit(mini_project / "treatments.yaml", "slug: ", "slug: Not A Slug ")
    (mini_project / PARSED_FILE).unlink(missing_ok=True)
    fresh = problems_of(mini_project)
    assert any("locations.yaml:5:" in p and "lat" in p for p in fresh)
    assert (mini_project / PARSED_FILE).is_file()   # the YAML was read without problems: kept
    no_parse(monkeypatch)
    assert problems_of(mini_project) == fresh


def test_a_duplicate_is_reported_with_its_first_line_from_a_cached_parse(mini_project: Path, monkeypatch):
    edit(mini_project / "locations.yaml", "slug: esher", "slug: east-molesey")
    fresh = problems_of(mini_project)
    assert any("first used at line" in p for p in fresh)
    no_parse(monkeypatch)
    assert problems_of(mini_project) == fresh


def test_a_file_that_does_not_parse_is_not_kept(mini_project: Path):
    load_project(mini_project)
    edit(mini_project / "locations.yaml", "  - name: Esher", "  - name: [Esher")
    problems_of(mini_project)
    raw = (mini_project / "locations.yaml").read_bytes()
    assert ParseCache(mini_project).document("locations.yaml", raw) is None


def test_a_folder_that_cannot_be_written_only_loses_the_cache(mini_project: Path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(data.os, "replace", refuse)
    clean = load_project(mini_project)
    assert load_project(mini_project) == clean
    assert sorted(p.name for p in mini_project.iterdir() if p.name.startswith(".")) == []   # no temporary file left


def test_a_cache_name_taken_by_a_folder_loads_as_before(mini_project: Path):
    """A place the cache cannot be read from nor written to, even by root (who may write into a read-only
    folder): the project loads as without it, and the folder is left as it was."""
    (mini_project / PARSED_FILE).mkdir()
    clean = load_project(mini_project)
    assert load_project(mini_project) == clean
    assert (mini_project / PARSED_FILE).is_dir() and list((mini_project / PARSED_FILE).iterdir()) == []
    assert sorted(p.name for p in mini_project.iterdir() if p.name.startswith(".")) == [PARSED_FILE]
