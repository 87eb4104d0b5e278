"""The documentation (README.md and docs/) documents every data field of the three YAML files and every command
(like sqlite-utils' test_docs), and points to nothing outside the project."""

from __future__ import annotations

import re

import pytest

from generator import datadoc
from generator.cli import make_parser
from generator.model import SCHEMAS
from generator.schema import walk
from tests.projects import REPO

README = (REPO / "README.md").read_text("utf-8")
DOC_FILES = {"README.md": README,
             **{f"docs/{p.name}": p.read_text("utf-8") for p in sorted((REPO / "docs").glob("*.md"))}}
DOCS = "\n\n".join(DOC_FILES.values())


FIELDS = [(file, path) for file, schema in SCHEMAS.items() for path, _ in walk(schema)]


def section(title: str) -> str:
    """The documentation's text under a `### title` (or `## title`) heading, up to the next heading of that level."""
    match = re.search(rf"^(#+) {re.escape(title)}\n(.*?)(?=^\1 |\Z)", DOCS, re.MULTILINE | re.DOTALL)
    assert match, f"the documentation has no section {title!r}"
    return match.group(2)


def test_field_paths_cover_nested_fields() -> None:
    paths = dict.fromkeys(path for _, path in FIELDS)
    assert "premises[].address.street" in paths
    assert "treatments[].faqs[].answer" in paths
    assert "locations[].nearest_station" in paths


def test_field_tables_are_made_from_the_declarations() -> None:
    """docs/data.md's tables are what generator/model.py declares: `python -m generator.datadoc` rewrites them."""
    text = DOC_FILES["docs/data.md"]
    assert datadoc.with_tables(text) == text, "docs/data.md is out of date: run `python -m generator.datadoc`"


def test_a_new_declaration_changes_the_table(monkeypatch) -> None:
    from generator.model import Location
    from generator.schema import Text, declare

    fields = dict(Location.schema.fields, parking_note=declare(Text(), required=False, help="where to park",
                                                                example="Station car park"))
    monkeypatch.setattr(Location.schema, "fields", fields)
    assert "| `locations[].parking_note` | text | no | where to park | `Station car park` |" in datadoc.table(
        "locations.yaml").splitlines()
    assert datadoc.with_tables(DOC_FILES["docs/data.md"]) != DOC_FILES["docs/data.md"]


@pytest.mark.parametrize(("file", "path"), FIELDS, ids=[f"{f}:{p}" for f, p in FIELDS])
def test_every_data_field_is_documented(file: str, path: str) -> None:
    text = section(file)
    assert re.search(rf"^\| `{re.escape(path)}` \|", text, re.MULTILINE), (
        f"docs: the {file} section has no table row for `{path}`")


def _commands() -> list[str]:
    parser = make_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented_with_an_example(command: str) -> None:
    assert re.search(rf"^#+ `clinic-pages {command}`", DOCS, re.MULTILINE), f"the docs have no heading for {command}"
    examples = [block for text in DOC_FILES.values()
                for block in re.findall(r"^```(?:sh|console|bash)?\n(.*?)^```", text, re.DOTALL | re.MULTILINE)]
    assert any(re.search(rf"^(\$ )?clinic-pages( -\S+)* {command}\b", block, re.MULTILINE) for block in examples), (
        f"the docs have no example of `clinic-pages {command}`")


def test_quick_start_is_exactly_two_commands() -> None:
    block = re.search(r"```(?:sh|console|bash)?\n(.*?)```", section("Quick start"), re.DOTALL).group(1)
    commands = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands == ["make build", "make test"]


def test_readme_credits_geonames_and_docs_explain_the_state_file() -> None:
    assert "GeoNames" in README and "CC BY 4.0" in README
    assert ".clinic-pages-state.json" in DOCS and ".clinic-pages-manifest.json" in DOCS
    assert "!placeholder" in DOCS
    assert "--update-golden" in DOCS


@pytest.mark.parametrize("name", sorted(DOC_FILES))
def test_docs_point_to_nothing_outside_the_project(name: str) -> None:
    """Users have the project only: no link or path may lead out of it (../shared/, /work/...)."""
    text = DOC_FILES[name]
    assert not re.search(r"\.\./|/work/", text), f"{name} points outside the project"
    base = REPO / name
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (base.parent / target).resolve().is_relative_to(REPO), f"{name}: {target} leaves the project"
        assert (base.parent / target).exists(), f"{name}: the link {target} leads nowhere"


# -- rule ids and flags: what the docs name exists, and what exists is named ------------------------------------

def _rule_ids() -> set[str]:
    from generator.checks.claims import load_rules
    from generator.checks.content import RULES as CONTENT_RULES
    from generator.checks.policies import DUPLICATE_RULES
    from generator.checks.seo import RULES as SEO_RULES

    return set(CONTENT_RULES) | set(DUPLICATE_RULES) | set(SEO_RULES) | {r.rule for r in load_rules()}


RULE_FAMILIES = ("duplicates", "claims", "disclaimers", "leaks", "consistency", "seo")


def documented_rule_ids() -> set[str]:
    """Every rule id the docs write in backticks; a table cell may shorten the ones after the first
    (`seo.title-missing`, `-empty` is seo.title-empty; `consistency.name`, `.address` is consistency.address)."""
    found: set[str] = set()
    family_re = "|".join(RULE_FAMILIES)
    for cell in re.findall(r"^\|([^|\n]*)\|", DOCS, re.MULTILINE) + [DOCS]:
        last = ""
        for token in re.findall(r"`([^`\s]+)`", cell):
            token = token.rstrip(":")
            if re.fullmatch(rf"({family_re})\.[a-z0-9-]+", token):
                last = token
                found.add(token)
            elif cell is not DOCS and last and re.fullmatch(r"-[a-z0-9-]+", token):
                found.add(last[:last.rfind("-")] + token)
            elif cell is not DOCS and last and re.fullmatch(r"\.[a-z0-9-]+", token):
                found.add(last.split(".")[0] + token)
    return found


def test_every_rule_id_in_the_docs_exists() -> None:
    unknown = sorted(documented_rule_ids() - _rule_ids())
    assert not unknown, f"the docs name rules that do not exist: {unknown}"


def test_every_rule_is_documented() -> None:
    claims_row = next(line for line in DOCS.splitlines() if line.startswith("| `claims.<id>`"))
    named = documented_rule_ids() | {f"claims.{i}" for i in re.findall(r"`([a-z0-9-]+)`", claims_row)}
    missing = sorted(_rule_ids() - named)
    assert not missing, f"rules without a word in the docs: {missing}"


def _subparsers():
    parser = make_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return parser, sub.choices


def _flags(parser) -> set[str]:
    return {s for a in parser._actions for s in a.option_strings if s.startswith("--")} - {"--help"}


@pytest.mark.parametrize("command", _commands())
def test_every_option_of_a_command_is_documented(command: str) -> None:
    """Each option is named (by any of its spellings, -j or --jobs) in the command's section, or in the opening of
    docs/commands.md, which says what every command takes (--project, --output, --strict, -v, -q, --debug)."""
    _, commands = _subparsers()
    opening = DOC_FILES["docs/commands.md"].split("\n## ", 1)[0]
    text = section(f"`clinic-pages {command}`") + opening

    def named(option: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None

    missing = sorted(a.option_strings[-1] for a in commands[command]._actions
                     if a.option_strings and "--help" not in a.option_strings
                     and not any(named(o) for o in a.option_strings))
    assert not missing, f"clinic-pages {command}: options not documented: {missing}"


def test_every_flag_in_an_example_exists() -> None:
    top, commands = _subparsers()
    for line in re.findall(r"^(?:\$ )?(clinic-pages .*)$", DOCS, re.MULTILINE):
        words = line.split("#")[0].split()
        command = next((w for w in words[1:] if w in commands), None)
        if command is None:
            continue
        known = _flags(top) | _flags(commands[command])
        for flag in (w.split("=")[0] for w in words if w.startswith("--")):
            assert flag in known, f"`{line.strip()}`: clinic-pages {command} has no {flag}"
