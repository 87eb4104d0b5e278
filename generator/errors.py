"""Typed errors that carry where the problem is and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


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

    def __str__(self) -> str:
        where = self.file
        if self.place:
            where += f", {self.place}"
        elif self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.field + ': ' if self.field else ''}{self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class ClinicPagesError(Exception):
    """Base class for every error the tool reports to a user."""


class DataError(ClinicPagesError):
    """One or more problems in the project's data; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0, p.field))
        super().__init__("\n".join(str(p) for p in self.problems))


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
        warnings = f" and {result.count('warning')} warning(s) (--strict)" if strict and result.count("warning") \
            else ""
        super().__init__(f"{result.errors} check error(s){warnings}; output/ was left as it was")
