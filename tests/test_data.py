"""Loading YAML: every value keeps its line and column; bad files give one clear problem each."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.data import Placeholder, format_path, load_document, parse_document


def problems_of(text: str, name: str = "x.yaml") -> list[str]:
    doc, problems = parse_document(text, name)
    return [str(p) for p in problems]


def test_values_keep_their_line_and_column_and_fields_point_at_their_key() -> None:
    doc, problems = parse_document("name: Esher\nlocations:\n  - name: Cobham\n    lat: 51.3\n", "l.yaml")
    assert problems == []
    assert doc.data == {"name": "Esher", "locations": [{"name": "Cobham", "lat": 51.3}]}
    assert doc.where(("name",)) == (1, 1)
    assert doc.where(("locations",)) == (2, 1)          # the key, not the list that starts on line 3
    assert doc.where(("locations", 0)) == (3, 5)        # a list item: the item itself
    assert doc.where(("locations", 0, "lat")) == (4, 5)
    assert doc.where(("locations", 0, "missing")) == (3, 5)   # nearest parent
    assert doc.where(("nowhere", 3)) == (1, 1)               # the document itself


def test_format_path_writes_fields_and_indexes() -> None:
    assert format_path(("treatments", 3, "faqs", 0, "answer")) == "treatments[3].faqs[0].answer"
    assert format_path(()) == ""
    assert format_path((2,)) == "[2]"


@pytest.mark.parametrize(("text", "expected"), [
    ("name: a\n  bad: [1, 2\nfoo: 3\n",
     ("x.yaml:2:3: `bad` is indented further than `name` on line 1, so YAML reads it as part of the text of `name`\n"
     "    hint: line `bad:` up with `name:` (the same number of spaces before each), or, if it is text, put the "
     "whole text in quotes")),
    ("name:\n\t- a\n",
     ("x.yaml:2:1: a tab character in the indentation: YAML indents with spaces only\n"
     "    hint: replace the tab with spaces (most editors can be set to indent with spaces)")),
    ("name: a: b\n",
     ("x.yaml:1:8: the text of `name` contains ': ', which YAML reads as the start of another field\n"
     "    hint: put the whole text in quotes: name: \"a: b\"")),
    ('name: "abc\n',
     ('x.yaml:1:7: the text that starts with " here is never closed\n'
     '    hint: end the text with a second " on the same line')),
], ids=["bad-indent", "tab", "unquoted-colon", "unclosed-quote"])
def test_malformed_yaml_names_line_and_column(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


@pytest.mark.parametrize("text", ["", "   \n\n", "# only\n\n   # comments\n", "\ufeff"])
def test_an_empty_file_is_one_problem(text: str) -> None:
    doc, problems = parse_document(text, "site.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        ("site.yaml:1:1: the file is empty\n"
        "    hint: restore the file from version control, or see docs/data.md for its fields")]


def test_duplicate_keys_are_reported_where_the_second_one_stands() -> None:
    text = "name: a\nlat: 1\nname: b\nlocations:\n  - name: x\n    lat: 1\n    lat: 2\n"
    doc, problems = parse_document(text, "x.yaml")
    assert [str(p) for p in problems] == [
        "x.yaml:3:1: name: `name` is given twice (first at line 1)\n    hint: remove one of the two",
        "x.yaml:7:5: locations[0].lat: `lat` is given twice (first at line 6)\n    hint: remove one of the two",
    ]
    assert doc.data["name"] == "a"   # the first one is kept, so the other problems can still be found


@pytest.mark.parametrize(("text", "column"), [("1: a\n", 1), ("? [a]\n: 1\n", 3), ("null: 2\n", 1)])
def test_keys_must_be_plain_names(text: str, column: int) -> None:
    assert problems_of(text) == [(f"x.yaml:1:{column}: expected a plain name as key\n"
                                 "    hint: keys are words such as `name:`")]


def test_placeholder_tag_marks_unknown_facts() -> None:
    doc, problems = parse_document('phone: !placeholder "To be confirmed"\nname: Real\n', "site.yaml")
    assert problems == []
    assert isinstance(doc.data["phone"], Placeholder) and doc.data["phone"] == "To be confirmed"
    assert not isinstance(doc.data["name"], Placeholder)


def test_unknown_local_tags_keep_their_text_and_standard_tags_still_work() -> None:
    doc, problems = parse_document("a: !foo bar\nb: !!str 12\nc: 12\nd: yes\ne: '09:00'\n", "x.yaml")
    assert problems == []
    assert doc.data == {"a": "bar", "b": "12", "c": 12, "d": True, "e": "09:00"}


def test_byte_order_mark_is_ignored() -> None:
    doc, problems = parse_document("\ufeffname: a\n", "x.yaml")
    assert problems == [] and doc.data == {"name": "a"} and doc.where(("name",)) == (1, 1)


def test_non_utf8_file_names_the_line_column_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "locations.yaml"
    path.write_bytes("attribution: x\nlocations:\n  - name: Caf\xe9\n".encode("latin-1"))
    doc, problems = load_document(path)
    assert doc is None
    assert [str(p) for p in problems] == [
        "locations.yaml:3:14: the file is not UTF-8 (byte 0xe9)\n    hint: save the file as UTF-8 in your editor"]


def test_a_missing_file_says_how_to_fix_it(tmp_path: Path) -> None:
    doc, problems = load_document(tmp_path / "treatments.yaml", "treatments.yaml")
    assert doc is None
    assert [str(p) for p in problems] == [
        "treatments.yaml: file not found\n    hint: create treatments.yaml; see docs/data.md for its fields"]


def test_utf8_text_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("name: Crème Brûlée — “café”\n", "utf-8")
    doc, problems = load_document(path)
    assert problems == [] and doc.data["name"] == "Crème Brûlée — “café”"


_scalars = st.one_of(st.integers(), st.booleans(), st.text(alphabet=st.characters(codec="utf-8",
                                                                                exclude_categories=("Cs", "Cc"))))
_keys = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=3),
                       max_leaves=10)


@given(st.dictionaries(_keys, _values, min_size=1, max_size=4))
def test_any_data_dumped_by_yaml_loads_back_equal_with_a_mark_for_every_value(data: dict) -> None:
    import yaml

    doc, problems = parse_document(yaml.safe_dump(data, allow_unicode=True), "x.yaml")
    assert problems == []
    assert doc.data == data

    def paths(value, path=()):
        yield path
        if isinstance(value, dict):
            for k, v in value.items():
                yield from paths(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from paths(v, path + (i,))

    for path in paths(data):
        assert path in doc.marks or path in doc.keys
        line, column = doc.where(path)
        assert line >= 1 and column >= 1
