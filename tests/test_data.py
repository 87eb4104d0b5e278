"""Loading YAML: every value keeps its line and column; bad files give one clear problem each."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from hypothesis import example, given, settings
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


@pytest.mark.parametrize("text", ["", "   \n\n", "# only\n\n   # comments\n", "\ufeff", "\ufeff\ufeff", "---\n",
                                  "%YAML 1.1\n---\n...\n"])
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


def test_standard_tags_still_work() -> None:
    doc, problems = parse_document("b: !!str 12\nc: 12\nd: yes\ne: '09:00'\nf: !!float 1\ng: 2024-02-29\n", "x.yaml")
    assert problems == []
    assert doc.data == {"b": "12", "c": 12, "d": True, "e": "09:00", "f": 1.0, "g": datetime.date(2024, 2, 29)}


PLAIN = "the data files hold text, numbers, true/false, lists and `key: value` lines only"


@pytest.mark.parametrize(("text", "expected"), [
    ("a: !!python/object:os.system {x: 1}\n",
     f"x.yaml:1:4: a: the tag '!!python/object:os.system' is not allowed in the data files\n"
     f"    hint: remove the tag: {PLAIN}"),
    ("a: !!python/name:os.system\n",
     f"x.yaml:1:4: a: the tag '!!python/name:os.system' is not allowed in the data files\n"
     f"    hint: remove the tag: {PLAIN}"),
    ("a:\n  - !!binary aGVsbG8=\n",
     f"x.yaml:2:5: a[0]: the tag '!!binary' is not allowed in the data files\n    hint: remove the tag: {PLAIN}"),
    ("a: !!set {x, y}\n",
     f"x.yaml:1:4: a: the tag '!!set' is not allowed in the data files\n    hint: remove the tag: {PLAIN}"),
    ("a: !!omap [b: 1]\n",
     f"x.yaml:1:4: a: the tag '!!omap' is not allowed in the data files\n    hint: remove the tag: {PLAIN}"),
    ("a: !foo bar\n",
     f"x.yaml:1:4: a: the tag '!foo' is not allowed in the data files\n    hint: remove the tag: {PLAIN}"),
    ('phone: !placeholdr "to be confirmed"\n',
     "x.yaml:1:8: phone: the tag '!placeholdr' is not allowed in the data files\n"
     "    hint: did you mean `!placeholder`?"),
    ("a: !placeholder {b: 1}\n",
     "x.yaml:1:4: a: a !placeholder stands for one value, not a list or mapping\n"
     '    hint: write `!placeholder "what is missing"` in place of the value'),
    ("!!python/object:os.system b: 1\n",
     f"x.yaml:1:1: the tag '!!python/object:os.system' is not allowed in the data files\n"
     f"    hint: remove the tag: {PLAIN}"),
], ids=["python-object", "python-name", "binary", "set", "omap", "local", "placeholder-typo", "placeholder-map",
        "tagged-key"])
def test_tags_other_than_placeholder_and_the_plain_kinds_are_refused(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


QUOTE_HINT = "    hint: put the value in quotes if it is text (and write it without a !!tag)"


@pytest.mark.parametrize(("text", "expected"), [
    ("a: !!int abc\n", "x.yaml:1:4: a: 'abc' is not a valid whole number"),
    ("a: !!int 1.5\n", "x.yaml:1:4: a: '1.5' is not a valid whole number"),
    ("a: !!int\n", "x.yaml:1:4: a: '' is not a valid whole number"),
    ("a: !!float abc\n", "x.yaml:1:4: a: 'abc' is not a valid number"),
    ("a: !!bool maybe\n", "x.yaml:1:4: a: 'maybe' is not a valid true or false"),
    ("a: !!timestamp x\n", "x.yaml:1:4: a: 'x' is not a valid date"),
    ("a: !!null x\n", None),
    ("opened: 2023-02-30\n", "x.yaml:1:9: opened: '2023-02-30' is not a valid date"),
    ("b:\n  - 2023-13-01 10:00:00\n", "x.yaml:2:5: b[0]: '2023-13-01 10:00:00' is not a valid date"),
    ("a: !!int " + "9" * 5000 + "\n", "x.yaml:1:4: a: '999999999999999999999999999...' is not a valid whole number"),
], ids=["int", "int-float", "int-empty", "float", "bool", "timestamp", "null", "impossible-date", "impossible-datetime",
        "huge-int"])
def test_a_value_that_is_not_what_its_tag_or_form_says_is_one_problem(text: str, expected: str | None) -> None:
    problems = problems_of(text)
    if expected is None:   # !!null takes any text as null: nothing to refuse
        assert problems == []
    else:
        assert problems == [f"{expected}\n{QUOTE_HINT}"]


@pytest.mark.parametrize("value", [".nan", ".NaN", ".inf", "-.inf", "+.INF", "1.0e+999", "!!float nan", "!!float -inf"])
def test_numbers_must_be_finite(value: str) -> None:
    shown = value.removeprefix("!!float ")
    assert problems_of(f"lat: 1\nprice_from: {value}\n") == [
        f"x.yaml:2:13: price_from: expected a finite number, found {shown!r}\n"
        "    hint: write the number in digits, such as 51.36; quote the text if it is not a number"]


def test_merge_keys_are_refused_where_they_stand() -> None:
    text = "base: &base {lat: 51.3, lon: -0.4}\nlocations:\n  - name: Esher\n    <<: *base\n"
    assert problems_of(text) == ["x.yaml:4:5: locations[0]: merge keys (`<<: *name`) are not supported\n"
                                 "    hint: write the fields out in full"]


@pytest.mark.parametrize(("text", "where"), [
    ("a: &x [1, *x]\n", "x.yaml:1:1: a[1]"),
    ("a: &x\n  b: *x\n", "x.yaml:2:3: a.b"),
    ("a: &x [[[*x]]]\n", "x.yaml:1:9: a[0][0][0]"),
], ids=["list", "mapping", "nested"])
def test_an_alias_inside_its_own_anchor_is_one_problem(text: str, where: str) -> None:
    assert problems_of(text) == [f"{where}: an alias (*name) here stands for the value that contains it, which "
                                 "never ends\n    hint: point the alias at another value, or write the value out"]


DEPTH = "the data is nested more than 50 levels deep\n    hint: the data files nest a few levels only: check for " \
        "brackets [ { that are never closed"


@pytest.mark.parametrize(("text", "where"), [
    ("a: " + "[" * 900 + "]" * 900 + "\n", "x.yaml:1:53: a"),
    ("a: " + "{b: " * 900 + "1" + "}" * 900 + "\n", "x.yaml:1:200: a"),
    ("".join("  " * i + "k:\n" for i in range(900)) + "  " * 900 + "k: 1\n", "x.yaml:51:101: k"),
    ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", "x.yaml:1:1003"),
    ("- " * 900 + "x\n", "x.yaml:1:101: [0]"),
], ids=["flow-list", "flow-mapping", "block-mapping", "100000-deep", "block-list"])
def test_deep_nesting_is_one_problem(text: str, where: str) -> None:
    assert problems_of(text) == [f"{where}: {DEPTH}"]


def test_an_alias_bomb_is_refused_quickly_with_little_memory() -> None:
    import time
    import tracemalloc

    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]   # 9**10 values
    tracemalloc.start()
    started = time.perf_counter()
    try:
        problems = problems_of("\n".join(lines) + "\n")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problems == ["x.yaml:5:1: a4: aliases (*name) repeat parts of this file too often: it would grow to "
                        "more than 10,150 values\n    hint: write the repeated parts out, or use fewer aliases"]
    assert peak < 50_000_000 and time.perf_counter() - started < 60   # 0.1 s and 2 MB here; never a hang


def test_aliases_that_repeat_a_part_a_few_times_still_work() -> None:
    faq = "faq: &faq\n  - question: Does it hurt?\n    answer: A little.\n"
    text = faq + "treatments:\n" + "".join(f"  - name: T{i}\n    faqs: *faq\n" for i in range(200))
    doc, problems = parse_document(text, "x.yaml")
    assert problems == []
    assert doc.data["treatments"][199]["faqs"] == [{"question": "Does it hurt?", "answer": "A little."}]
    assert doc.where(("treatments", 199, "faqs", 0, "answer")) == (3, 5)   # where the anchor wrote it


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


@settings(deadline=None)   # a loaded machine must not fail it: the property is the point, not the time
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


# Pieces of YAML, good and hostile, that hypothesis strings together into arbitrary documents.
_PIECES = ["a", "name", "lat", "'q'", '"\\x1b[2J"', "1", "-1.5", ".nan", ".inf", "2023-02-30", "yes", "~", "null",
           ":", ": ", "- ", "[", "]", "{", "}", ",", "? ", "&x ", "&y ", "*x", "*y", "<<: ", "!!python/object ",
           "!!int ", "!!binary ", "!placeholder ", "!foo ", "|\n", ">-\n", "#", "\n", "\n  ", "\n    ", "\t",
           "%YAML 1.1\n", "--- ", "...\n", "\ufeff", "\u202e", "\x85", "\\", "é"]


@settings(deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join) | st.text(max_size=200))
@example("a\x85a:")          # the parser ends a line at NEL (found by hypothesis: an IndexError explaining it)
@example("a\u2028b: c: d")
def test_any_text_gives_a_document_or_problems_never_an_exception(text: str) -> None:
    doc, problems = parse_document(text, "x.yaml")
    assert doc is not None or problems
    for problem in problems:
        assert problem.file == "x.yaml" and problem.message


@settings(deadline=None, max_examples=30)
@given(st.integers(min_value=1, max_value=12), st.integers(min_value=2, max_value=12))
def test_time_and_memory_stay_in_proportion_to_the_file_however_aliases_nest(levels: int, width: int) -> None:
    import time
    import tracemalloc

    lines = ["a0: &a0 [lol]"] + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]"
                                 for i in range(1, levels + 1)]
    text = "\n".join(lines) + "\n"
    tracemalloc.start()
    started = time.perf_counter()
    try:
        doc, problems = parse_document(text, "x.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc is not None or problems
    assert doc is None or len(doc.marks) <= 10_000 + 10 * len(text)   # values built: the work done, in proportion
    assert peak < 40_000_000                                           # ~10,000 values at most, whatever the nesting
    assert time.perf_counter() - started < 60                          # never a hang (a loaded machine is slow)
