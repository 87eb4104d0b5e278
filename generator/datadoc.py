"""The field tables of docs/data.md, made from the declarations in generator/model.py: one row per field.

    python -m generator.datadoc           rewrite the tables in docs/data.md
    python -m generator.datadoc --check   exit 1 when docs/data.md differs from the declarations

tests/test_docs.py fails when the tables are out of date, so a new field is documented by its declaration.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from generator.model import SCHEMAS
from generator.schema import Field, ListOf, MapOf, Obj, Rule, default_text, type_text

DATA_MD = Path(__file__).resolve().parent.parent / "docs" / "data.md"
BEGIN = "<!-- fields of {file}: made by `python -m generator.datadoc` from generator/model.py; edit them there -->"
END = "<!-- end of the fields of {file} -->"
HEADER = "| Field | Type | Required | Meaning | Example |\n| --- | --- | --- | --- | --- |"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rows(rule: Rule, prefix: str = "", within: str = "") -> list[str]:
    """`within`: the optional mapping these fields are directly in ("deploy"), whose absence excuses them."""
    rows: list[str] = []
    if isinstance(rule, ListOf):
        return _rows(rule.item, prefix + "[]")
    if isinstance(rule, MapOf):
        return _rows(rule.value, prefix + ".<name>")
    if not isinstance(rule, Obj):
        return rows
    for name, spec in rule.fields.items():
        path = f"{prefix}.{name}" if prefix else name
        rows.append(_row(path, spec, within))
        rows += _rows(spec.rule, path, path if not spec.required else "")
    return rows


def _row(path: str, spec: Field, within: str) -> str:
    if spec.required:
        required = f"yes (in `{within}`)" if within else "yes"
    else:
        default = default_text(spec)
        required = f"no ({default})" if default else "no"
    cells = [f"`{path}`", _cell(type_text(spec)), required, _cell(spec.help),
             _cell(f"`{spec.example}`") if spec.example else ""]
    return ("| " + " | ".join(cells) + " |").replace("|  |", "| |")


def table(file: str) -> str:
    """The Markdown table of every field of one data file."""
    return "\n".join([HEADER, *_rows(SCHEMAS[file])])


def with_tables(text: str) -> str:
    """docs/data.md's text with each marked table block made again from the declarations."""
    for file in SCHEMAS:
        begin, end = BEGIN.format(file=file), END.format(file=file)
        found = re.search(re.escape(begin) + r"\n.*?" + re.escape(end), text, re.S)
        if not found:
            raise ValueError(f"docs/data.md has no block `{begin}` ... `{end}` for the table of {file}")
        block = f"{begin}\n\n{table(file)}\n\n{end}"    # blank lines: Markdown
        text = text[:found.start()] + block + text[found.end():]
    return text


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = DATA_MD.read_text("utf-8")
    fresh = with_tables(text)
    if "--check" in argv:
        if fresh != text:
            print("docs/data.md: the field tables differ from generator/model.py; run `python -m generator.datadoc`",
                  file=sys.stderr)
            return 1
        return 0
    if fresh != text:
        DATA_MD.write_text(fresh, "utf-8")
        print("docs/data.md: field tables rewritten")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
