"""YAML syntax errors in plain words, on the line that is really at fault, with the way to write it."""

from __future__ import annotations

import re

import pytest

from generator.data import parse_document
from generator.errors import Problem, excerpt
from tests.projects import REPO


def problem_of(text: str) -> Problem:
    doc, problems = parse_document(text, "x.yaml")
    assert doc is None and len(problems) == 1
    return problems[0]


# Each case: the text, then (line, column, message, hint) as the user reads them.
CASES = {
    "missing colon": (
        "treatments:\n  - slug: a\n    name Jaw Fillers\n    summary: hi\n",
        3, 5, "no colon after `name`: a field is written `name: value`", "write `name: Jaw Fillers`"),
    "missing colon on the last line": (
        "name: x\nphone: 1\nbase_url https://x\n",
        3, 1, "no colon after `base_url`: a field is written `name: value`",
        ("if `base_url` is a field, write `base_url: https://x`; if this line goes on from the text of `phone` on "
        "line 2, indent it further than `phone`")),
    "missing colon before a nested block": (
        "premises:\n  - id: x\n    address\n      street: 1\n",
        3, 5, "no colon after `address`: a field is written `name: value`", "write `address:`"),
    "missing colon on a list item": (
        "treatments:\n  - slug lip-fillers\n    name: Lip Fillers\n",
        2, 5, "no colon after `slug`: a field is written `name: value`", "write `slug: lip-fillers`"),
    "no space after the colon": (
        "name:Jaw\nx: 1\n",
        1, 6, "`name:` needs a space after the colon", "write `name: Jaw`"),
    "indented too far": (
        "name: a\n  summary: b\n",
        2, 3, "`summary` is indented further than `name` on line 1, so YAML reads it as part of the text of `name`",
        ("line `summary:` up with `name:` (the same number of spaces before each), or, if it is text, put the whole "
        "text in quotes")),
    "indented too little in a record": (
        "treatments:\n  - slug: a\n   name: b\n",
        3, 4, "`name` has 3 spaces before it, so it does not line up with line 2 (4 spaces)",
        "indent it by exactly 4 spaces, like line 2"),
    "a list item out of line": (
        "treatments:\n  - slug: a\n    name: b\n   - slug: c\n",
        4, 4, "`- slug` has 3 spaces before it, so it does not line up with line 2 (2 spaces)",
        "indent it by exactly 2 spaces, like line 2"),
    "a dash with no space": (
        "a:\n  -x: 1\n  - y\n",
        2, 3, "`-x` has no space after the dash, so YAML does not read it as a list item", "write `- x`"),
    "a tab": (
        "a:\n  b: 1\n\tc: 2\n",
        3, 1, "a tab character in the indentation: YAML indents with spaces only",
        "replace the tab with spaces (most editors can be set to indent with spaces)"),
    "a tab after spaces": (
        "treatments:\n  - slug: a\n  \t  name: b\n",
        3, 3, "a tab character in the indentation: YAML indents with spaces only",
        "replace the tab with spaces (most editors can be set to indent with spaces)"),
    "a colon inside text": (
        "faqs:\n  - question: Does it hurt?\n    answer: Short answer: a little.\n",
        3, 25, "the text of `answer` contains ': ', which YAML reads as the start of another field",
        'put the whole text in quotes: answer: "Short answer: a little."'),
    "a colon inside text on its second line": (
        "summary: Results are seen\n  in 2 weeks: usually\n",
        2, 13, "the text of `summary` (from line 1) contains ': ', which YAML reads as the start of another field",
        "put the whole text in quotes, from its first word on line 1 to its last"),
    "text that starts with a quote": (
        'summary: "Best" results here\n',
        1, 17, "the text starts with a quote, so it ends at the closing quote, but more text follows it",
        "put the whole text in single quotes: summary: '\"Best\" results here'"),
    "a quote never closed": (
        "name: 'abc\nx: 1\n",
        1, 7, "the text that starts with ' here is never closed", "end the text with a second ' on the same line"),
    "a bracket never closed": (
        "name: x\nrelated: [a, b\nphone: 1\n",
        2, 10, "the `[` here is never closed with `]`",
        "close it with `]` (as in `related: [a, b]`), or put the whole text in quotes if the `[` is part of it"),
    "text that starts with an asterisk": (
        "summary: *new* results\n",
        1, 10, "text cannot start with an asterisk unless it is in quotes",
        'put the whole text in quotes: summary: "*new* results"'),
    "text that starts with an @": (
        "name: @home\n",
        1, 7, "text cannot start with an @ unless it is in quotes", 'put the whole text in quotes: name: "@home"'),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_common_mistake_is_told_in_plain_words_on_its_own_line(case: str) -> None:
    text, line, column, message, hint = CASES[case]
    problem = problem_of(text)
    assert (problem.line, problem.column, problem.message, problem.hint) == (line, column, message, hint)
    assert not re.search(r"mapping values|expected '|simple key|token|indicator", problem.message + problem.hint)


def test_a_missing_colon_on_the_last_line_of_the_sample_is_reported_there_not_after_it() -> None:
    """The parser points one line late (past the end of the file, for the last line)."""
    lines = (REPO / "treatments.yaml").read_text("utf-8").rstrip("\n").split("\n")
    last = len(lines)
    assert re.match(r"^\s+[a-z_]+: ", lines[-1])
    key = lines[-1].strip().split(":")[0]
    lines[-1] = lines[-1].replace(":", "", 1)
    problem = parse_document("\n".join(lines) + "\n", "treatments.yaml")[1][0]
    assert (problem.line, problem.message) == (last, f"no colon after `{key}`: a field is written `name: value`")
    assert problem.hint.startswith(f"write `{key}: ")


@pytest.mark.parametrize(("damage", "message"), [
    (lambda line: line.replace(":", "", 1), "no colon after"),
    (lambda line: "\t" + line.lstrip(), "a tab character"),
    (lambda line: "  " + line, "is indented further than"),
    (lambda line: line[1:], "so it does not line up with line"),
    (lambda line: line.rstrip() + ": more", "contains ': '"),
], ids=["colon", "tab", "indent-more", "indent-less", "colon-in-text"])
def test_mistakes_anywhere_in_the_sample_name_the_damaged_line(damage, message: str) -> None:
    lines = (REPO / "locations.yaml").read_text("utf-8").split("\n")
    plain = [i for i, line in enumerate(lines) if re.match(r"^    [a-z_]+: \S", line)
             and not line.split(": ", 1)[1].startswith(("[", ">", "|", '"', "'"))]
    fields = [i for i in plain if i - 1 in plain]   # after another one-line field: not inside a block of text
    assert len(fields) > 20
    for i in fields[::3]:   # a spread of them across the file
        damaged = lines[:i] + [damage(lines[i])] + lines[i + 1:]
        problem = parse_document("\n".join(damaged), "locations.yaml")[1][0]
        assert problem.line == i + 1 and message in problem.message, (i + 1, lines[i], str(problem))


def test_the_excerpt_shows_the_line_with_a_caret_under_the_spot() -> None:
    assert excerpt("    name Jaw Fillers", 12, 5) == ["  12 |     name Jaw Fillers", "     |     ^"]
    assert excerpt("\tb: 1", 3, 1) == ["  3 |     b: 1", "    | ^"]          # a tab is shown as spaces
    long = "".join(chr(65 + i % 26) for i in range(300))
    shown = excerpt(long, 1, 200)                                        # a long line: the part around the spot
    assert shown[0].startswith("  1 | ...") and shown[0].endswith("...") and len(shown[0]) < 120
    assert shown[0][shown[1].index("^")] == long[199]


def test_show_puts_the_excerpt_between_the_problem_and_the_hint() -> None:
    problem = Problem("x.yaml", 2, 3, "", "message", "hint text")
    assert problem.show("  bad line") == "x.yaml:2:3: message\n  2 |   bad line\n    |   ^\n    hint: hint text"
    assert str(problem) == "x.yaml:2:3: message\n    hint: hint text"


def test_the_line_shown_under_a_problem_never_shows_a_password_written_in_a_url():
    """A target URL with a password is refused, and the line shown with the caret masks it, whatever it holds."""
    from generator.errors import excerpt

    for line in ('      url: "sftp://clinic:S3cr/et@host/www"', "url: ftps://u:S3cr#e?t@x@host/x  # live",
                 "url: ftp://:S3cret@host"):
        shown = "\n".join(excerpt(line, 7, 12))
        assert "S3cr" not in shown and ":***@host" in shown
    assert excerpt("url: https://www.clinic.example/a@b", 1, None) == ["  1 | url: https://www.clinic.example/a@b"]
