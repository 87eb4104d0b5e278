"""YAML syntax errors in plain words: which line is really at fault, what is wrong with it, and how to write it.

The YAML parser speaks of tokens and contexts ("mapping values are not allowed in this context", "could not find
expected ':'"), and for a missing colon it points at the line after the mistake. The common mistakes of people
editing the data files by hand each leave a recognisable trace in the parser's error and in the line itself:

  * a field with no colon (`name Jaw Fillers`), or no space after it (`name:Jaw Fillers`);
  * a line indented more, or less, than the fields it belongs with;
  * a tab character where YAML allows only spaces;
  * text holding ': ' (`summary: Results: in two weeks`), or starting with a quote, `*`, `&`, `@`, `%` or a
    backtick, which needs quotes around the whole text;
  * a quote or bracket opened and never closed.

`explain(text, exc)` turns the parser's error into (line, column, message, hint); a mistake it does not recognise
keeps the parser's own words, with the general hint.
"""

from __future__ import annotations

import re

import yaml

GENERAL_HINT = "check indentation (spaces, not tabs) and quote text that contains ': ' or starts with a symbol"

_KEY = re.compile(r"^(\s*)(?:-\s+)?([A-Za-z_][\w-]*)\s*:(?:\s|$)")     # `  - name: ...` -> indent, key
_WORD_KEY = re.compile(r"^[A-Za-z_][\w-]*$")
_TEXT_STARTERS = {"*": "an asterisk", "&": "an ampersand", "@": "an @", "%": "a percent sign", "`": "a backtick",
                  "!": "an exclamation mark", "|": "a vertical bar", ">": "a greater-than sign"}

Explanation = tuple[int | None, int | None, str, str]
YAML_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")


def explain(text: str, exc: yaml.MarkedYAMLError) -> Explanation:
    """(line, column, message, hint) for a syntax error of `text`, lines and columns counted from 1."""
    lines = YAML_LINE_BREAK.split(text)   # as the parser counts lines: NEL and the Unicode separators end one too
    problem = exc.problem or ""
    context = exc.context or ""
    at = _mark(exc.problem_mark) or _mark(exc.context_mark)
    start = _mark(exc.context_mark)

    def line_of(mark: tuple[int, int] | None) -> str:
        return lines[mark[0] - 1] if mark and 0 < mark[0] <= len(lines) else ""

    for mark in (at, start):   # a tab is the mistake wherever the parser tripped over it
        tab = _tab_in_indent(line_of(mark))
        if mark and tab is not None:
            return (mark[0], tab + 1, "a tab character in the indentation: YAML indents with spaces only",
                    "replace the tab with spaces (most editors can be set to indent with spaces)")
    if ("tab" in problem or "'\\t'" in problem) and at:
        line = line_of(at)
        return (at[0], line.find("\t") + 1 or at[1], "a tab character: YAML allows only spaces here",
                "replace the tab with spaces")
    if problem == "could not find expected ':'" and start:
        return _missing_colon(lines, start)
    if problem.startswith("mapping values are not allowed") and at:
        return _colon_in_text(lines, at)
    if "quoted scalar" in context and start:
        quote = line_of(start)[start[1] - 1:start[1]] or '"'
        return (start[0], start[1], f"the text that starts with {quote} here is never closed",
                f"end the text with a second {quote} on the same line")
    if "flow" in context and (mark := start or at):
        where = _opening_bracket(lines, mark)
        opened = lines[where[0] - 1][where[1] - 1]
        closing = "]" if opened == "[" else "}"
        return (where[0], where[1], f"the `{opened}` here is never closed with `{closing}`",
                (f"close it with `{closing}` (as in `related: [a, b]`), or put the whole text in quotes if the "
                f"`{opened}` is part of it"))
    if "alias" in context or "anchor" in context or "block scalar" in context:
        token = start or at     # where the alias, anchor or block began
    else:
        token = (at or start) if "cannot start any token" in problem else None
    if token:
        char = line_of(token)[token[1] - 1:token[1]]
        if char in _TEXT_STARTERS:
            return (token[0], token[1], f"text cannot start with {_TEXT_STARTERS[char]} unless it is in quotes",
                    f"put the whole text in quotes: {_quoted_line(line_of(token))}")
    if problem in ("did not find expected key", "did not find expected '-' indicator") and at:
        quoted = _quote_then_more(line_of(at), at[1])
        if quoted:
            return (at[0], at[1], ("the text starts with a quote, so it ends at the closing quote, but more text "
                    "follows it"), f"put the whole text in single quotes: {quoted}")
        return _misaligned(lines, at, start)
    message = f"the YAML parser cannot read this ({problem or context})"
    return (at[0], at[1], message, GENERAL_HINT) if at else (None, None, message, GENERAL_HINT)


def _mark(mark) -> tuple[int, int] | None:
    return (mark.line + 1, mark.column + 1) if mark is not None else None


def _tab_in_indent(line: str) -> int | None:
    """The position of a tab among the line's leading blanks (or its `- ` markers), if there is one."""
    lead = line[:len(line) - len(line.lstrip(" \t-"))]
    return lead.find("\t") if "\t" in lead else None


def _previous(lines: list[str], number: int) -> tuple[int, str] | None:
    """The nearest line above line `number` that holds something (not blank, not only a comment)."""
    for n in range(number - 1, 0, -1):
        stripped = lines[n - 1].strip()
        if stripped and not stripped.startswith("#"):
            return n, lines[n - 1]
    return None


def _missing_colon(lines: list[str], start: tuple[int, int]) -> Explanation:
    """The parser read a line as the start of a field and found no colon after it: the mistake is that line
    (the parser reports the line after it)."""
    number, column = start
    line = lines[number - 1]
    words = line[column - 1:].split("#")[0].strip()
    name, _, rest = words.partition(" ")
    fixed = _short(f"{name}: {rest.strip()}" if rest.strip() else f"{name}:")
    hint = f"write `{fixed}`"
    above = _previous(lines, number)
    key = _KEY.match(above[1]) if above else None
    value = above[1].split(":", 1)[1].strip() if above and key else ""
    known = any(other is not None and other.group(2) == name for other in map(_KEY.match, lines))
    if (above and key and not known and value and value[0] not in "[{|>\"'"
            and len(line) - len(line.lstrip()) <= len(key.group(1))):
        # not a field name the file uses elsewhere, under a line of text: it may be that text's next line
        hint = (f"if `{name}` is a field, write `{fixed}`; if this line goes on from the text of `{key.group(2)}` "
                f"on line {above[0]}, indent it further than `{key.group(2)}`")
    return number, column, f"no colon after `{_short(name, 30)}`: a field is written `name: value`", hint


def _colon_in_text(lines: list[str], at: tuple[int, int]) -> Explanation:
    """A colon the parser cannot take as a field's: text holding ': ', or a field indented under another."""
    number, column = at
    line = lines[number - 1]
    before = line[:column - 1]
    key = _KEY.match(line)
    if key and line.find(":") < column - 1:   # `summary: Results: in two weeks`
        return (number, column, (f"the text of `{key.group(2)}` contains ': ', which YAML reads as the start of "
                "another field"), f"put the whole text in quotes: {_quoted_line(line)}")
    name = before.strip().lstrip("-").strip()
    above = _previous(lines, number)
    if above and ":" not in above[1] and key and key.end() >= column:
        # `- slug lip-fillers` then `name: ...`: the line above has lost its colon, and this one's is the first
        # the parser finds
        text = above[1].lstrip()
        return _missing_colon(lines, (above[0], len(above[1]) - len(text) + (2 if text.startswith("- ") else 0) + 1))
    if _WORD_KEY.match(name) and above:
        head = _KEY.match(above[1])
        # the line above ends with a value, so nothing may be nested under it: this field is indented too far
        if head and above[1].split(":", 1)[1].strip():
            return (number, len(before) - len(before.lstrip()) + 1,
                    (f"`{name}` is indented further than `{head.group(2)}` on line {above[0]}, so YAML reads it as "
                    f"part of the text of `{head.group(2)}`"),
                    (f"line `{name}:` up with `{head.group(2)}:` (the same number of spaces before each), or, if it "
                    "is text, put the whole text in quotes"))
    # a line that goes on from a text started above: find where that text began
    for n in range(number - 1, 0, -1):
        head = _KEY.match(lines[n - 1])
        if head and len(head.group(1)) < len(line) - len(line.lstrip()):
            start = lines[n - 1]
            nospace = re.match(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:(\S)", start)
            if nospace:
                return (n, start.find(":") + 2, f"`{head.group(2)}:` needs a space after the colon",
                        f"write `{head.group(2)}: {start.split(':', 1)[1].strip()}`")
            return (number, column, (f"the text of `{head.group(2)}` (from line {n}) contains ': ', which YAML reads "
                    "as the start of another field"), ("put the whole text in quotes, from its first word on line "
                    f"{n} to its last"))
        if head:
            break
    if above and (nospace := re.match(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*):(\S)", above[1])):
        return (above[0], above[1].find(":") + 2, f"`{nospace.group(1)}:` needs a space after the colon",
                f"write `{nospace.group(1)}: {above[1].split(':', 1)[1].strip()}`")
    return (number, column, ("a colon here that YAML cannot place: a field indented under text, or text holding "
            "': '"), "line the field up with the ones above it, or put the text in quotes")


def _misaligned(lines: list[str], at: tuple[int, int], start: tuple[int, int] | None) -> Explanation:
    """A line whose indentation matches none of the fields or list items above it: name the nearest one."""
    number = at[0]
    line = lines[number - 1] if number <= len(lines) else ""
    if not line.strip():
        above = _previous(lines, number)
        if above is None:
            return number, at[1], "this line is not lined up with the lines above it", GENERAL_HINT
        number, line = above
    for n in range(start[0] if start else number, number + 1):   # `-x`: a dash with no space is text, not an item
        dash = re.match(r"^(\s*)-[^\s-]", lines[n - 1])
        if dash:
            word = _short(lines[n - 1].strip().split(":")[0])
            return (n, len(dash.group(1)) + 1, (f"`{word}` has no space after the dash, so YAML does not read it as a "
                    "list item"), f"write `- {word[1:]}`")
    indent = len(line) - len(line.lstrip())
    item = line.lstrip().startswith("- ")
    what = _short(line.strip().split(":")[0])
    columns: dict[int, int] = {}   # indentation a line like this one could have -> the nearest line that has it
    for n in range(number - 1, (start[0] - 1 if start else 0), -1):
        other = lines[n - 1]
        if not other.strip() or other.lstrip().startswith("#"):
            continue
        other_indent = len(other) - len(other.lstrip())
        if other.strip().split(":")[0] == line.strip().split(":")[0] and other_indent != indent:
            columns = {other_indent: n}   # the same field (or item) on an earlier line: line up with it
            break
        if other.lstrip().startswith("- "):
            fields_at = other_indent + 2 + len(other.lstrip()[2:]) - len(other.lstrip()[2:].lstrip())
            columns.setdefault(other_indent if item else fields_at, n)
        elif not item:
            columns.setdefault(other_indent, n)
    columns.pop(indent, None)
    if not columns:
        return number, indent + 1, "this line is not lined up with the lines above it", GENERAL_HINT
    col = min(columns, key=lambda c: (abs(c - indent), -columns[c]))
    return (number, indent + 1, (f"`{what}` has {_spaces(indent)} before it, so it does not line up with line "
            f"{columns[col]} ({_spaces(col)})"),
            f"indent it by exactly {_spaces(col)}, like line {columns[col]}" if col else
            f"start it at the beginning of the line, like line {columns[col]}")


def _spaces(count: int) -> str:
    return f"{count} space{'s' if count != 1 else ''}"


def _opening_bracket(lines: list[str], mark: tuple[int, int]) -> tuple[int, int]:
    """The `[` or `{` that is still open at `mark` (the parser reports where it gave up, not where it began)."""
    depth = 0
    for n in range(mark[0], 0, -1):
        line = lines[n - 1] if n <= len(lines) else ""
        end = mark[1] - 1 if n == mark[0] else len(line)
        for i in range(min(end, len(line)) - 1, -1, -1):
            if line[i] in "]}":
                depth += 1
            elif line[i] in "[{":
                if depth == 0:
                    return n, i + 1
                depth -= 1
    return mark


def _quote_then_more(line: str, column: int) -> str:
    """`key: "Best" results` -> the line with the whole text in single quotes, else ''."""
    key = _KEY.match(line)
    if not key:
        return ""
    value = line[key.end():].strip()
    if value[:1] in "\"'" and column - 1 > line.find(value):
        return _quoted_line(line, "'")
    return ""


def _quoted_line(line: str, quote: str = '"') -> str:
    """The line with its value in quotes, as the user should write it."""
    key = _KEY.match(line)
    if not key:
        return _short(f"{quote}{line.strip()}{quote}")
    head, value = line[:key.end()].strip(), line[key.end():].strip()
    inner = value.replace("'", "''") if quote == "'" else value.replace("\\", "\\\\").replace('"', '\\"')
    return _short(f"{head} {quote}{inner}{quote}", 90)


def _short(text: str, limit: int = 60) -> str:
    """The text, or its first words and '...' when it is longer than `limit`."""
    if len(text) <= limit:
        return text
    cut = text[:limit - 4]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " ..."
