"""Typed errors that carry where the problem is and how to fix it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

# What must never reach a terminal raw from data, a file name, a server or an audited page: control characters
# (C0, DEL, C1: they clear the screen, move the cursor, start a new line that fakes a summary), the bidirectional
# controls (they reverse the rest of a line) and the line and paragraph separators.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
UNPRINTABLE_BUT_NEWLINE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, newlines: bool = False) -> str:
    """Text safe to print on one line of a terminal: control and bidirectional characters written as \\x1b or
    \\u202e escapes (with `newlines`, line breaks are kept: for a message that is ours and spans lines)."""
    return (UNPRINTABLE_BUT_NEWLINE if newlines else _UNPRINTABLE).sub(_escape, text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: where it is, what is wrong, how to fix it."""

    file: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str = ""
    place: str = ""   # a spot in a spreadsheet ("sheet Locations, cell C7"); line and column are then row and column

    @property
    def where(self) -> str:
        """`file:line:column`, as far as it is known."""
        where = printable(self.file)
        if self.place:
            where += f", {printable(self.place)}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def __str__(self) -> str:
        return self.show()

    def show(self, source: str | None = None) -> str:
        """The problem in a few lines; with `source` (the text of its line), that line with a caret under the
        spot, between the problem and the hint."""
        text = f"{self.where}: {printable(self.field) + ': ' if self.field else ''}{printable(self.message)}"
        if source is not None and self.line is not None:
            text += "".join(f"\n{line}" for line in excerpt(source, self.line, self.column))
        if self.hint:
            text += f"\n    hint: {printable(self.hint)}"
        return text


EXCERPT_WIDTH = 100   # characters of a long line shown around the spot
# `scheme://user:` and everything up to the line's last `@`: a password, whatever it holds (the target URL's check
# refuses it; the line it stands on is shown masked)
_URL_PASSWORD = re.compile(r"(\w+://[^\s:@/\"']*:).*@")


def excerpt(source: str, line: int, column: int | None) -> list[str]:
    """`  12 | the line` and, with a column, `     |     ^` under the spot (tabs shown as spaces; a long line
    cut to the part around the spot)."""
    text = _URL_PASSWORD.sub(r"\1***@", source.rstrip("\r\n"))   # never a password written in a URL
    at = len(printable(text[:column - 1].expandtabs(4))) if column else 0
    text = printable(text.expandtabs(4))   # the line as a terminal may show it: its controls escaped
    if len(text) > EXCERPT_WIDTH:
        start = max(0, min(at - EXCERPT_WIDTH // 2, len(text) - EXCERPT_WIDTH))
        head, tail = ("..." if start else ""), ("..." if start + EXCERPT_WIDTH < len(text) else "")
        text, at = head + text[start:start + EXCERPT_WIDTH] + tail, at - start + len(head)
    gutter = f"  {line} | "
    lines = [gutter + text]
    if column:
        lines.append(" " * (len(gutter) - 2) + "| " + " " * at + "^")
    return lines


def show_problems(problems: list[Problem], root: Path) -> str:
    """The problems as people read them (the command line, the preview): each with the line of the file it is
    on and a caret under the spot (not for a spreadsheet's cell). Files are read from the project folder `root`
    only."""
    root = Path(root).resolve()
    files: dict[str, list[str] | None] = {}
    out = []
    for problem in problems:
        if problem.place:   # a cell of a spreadsheet: there is no line of text to show
            out.append(problem.show())
            continue
        if problem.file not in files:
            files[problem.file] = _lines_of(root, problem.file)
        lines = files[problem.file]
        source = lines[problem.line - 1] if lines and problem.line and 0 < problem.line <= len(lines) else None
        out.append(problem.show(source))
    return "\n".join(out)


def _lines_of(root: Path, name: str) -> list[str] | None:
    path = (root / name).resolve()
    if path != root and root not in path.parents:
        return None
    try:
        return path.read_bytes().decode("utf-8", errors="replace").removeprefix("\ufeff").split("\n")
    except OSError:
        return None


class ClinicPagesError(Exception):
    """Base class for every error the tool reports to a user."""

    def summary(self) -> str:
        """The error in one line (for a note that the last build stopped)."""
        return str(self).split("\n", 1)[0]


class DataError(ClinicPagesError):
    """One or more problems in the project's data; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))

    def summary(self) -> str:
        first = self.problems[0] if self.problems else None
        if first is None:
            return "a problem in the data"
        more = f" (and {len(self.problems) - 1} more problem(s))" if len(self.problems) > 1 else ""
        field = printable(first.field) + ": " if first.field else ""
        return f"{first.where}: {field}{printable(first.message)}{more}"


class TemplateProblem(ClinicPagesError):
    """A template failed to compile or render; names the template file and line."""

    def __init__(self, template: str, line: int | None, message: str, page: str = ""):
        self.template, self.line, self.message, self.page = template, line, message, page
        where = f"{template}:{line}" if line else template
        text = f"{where}: {message}"
        if page:
            text += f"\n    while rendering {page}"
        super().__init__(text)

    def __reduce__(self):  # survive the trip back from a worker process
        return (TemplateProblem, (self.template, self.line, self.message, self.page))


class OutputError(ClinicPagesError):
    """The output folder cannot be written safely."""


class DeployError(ClinicPagesError):
    """A deploy could not start or finish; the message says what to do next."""


class ChecksFailed(ClinicPagesError):
    """The checks found errors, so the build stopped before writing anything (`result` holds the findings)."""

    def __init__(self, result, strict: bool = False):
        self.result = result
        self.strict = strict
        self.stopping = [f for f in result.findings if f.severity == "error" or strict and f.severity == "warning"]
        errors = sum(1 for f in self.stopping if f.severity == "error")
        warnings = len(self.stopping) - errors
        found = f"{errors} error{'s' if errors != 1 else ''}"
        if warnings:
            found += f" and {warnings} warning{'s' if warnings != 1 else ''} (--strict)"
        first = self.stopping[0] if self.stopping else None
        more = f" and {len(self.stopping) - 1} more" if len(self.stopping) > 1 else ""
        self.found = f"the checks found {found}" + (f" ({first.rule} on {first.page or 'the site'}{more})"
                                                    if first else "")
        super().__init__(f"{self.found}; output/ was left as it was")

    def summary(self) -> str:
        return self.found
