"""The records' declarations (generator/model.py): each field declared once, with its help, kind and default, and
the validation and the record following from it."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.validate import load_project
from tests.projects import edit
from tests.test_validate import errors

# -- the declarations -------------------------------------------------------------------------------------------

def test_every_field_is_declared_with_help_and_its_kind() -> None:
    """Each field is declared once with what a person (the docs, a form, a spreadsheet) needs to know."""
    from generator.model import SCHEMAS
    from generator.schema import type_text, walk

    for file, schema in SCHEMAS.items():
        for path, spec in walk(schema):
            assert spec.help, f"{file}: {path} has no help text"
            assert type_text(spec) != "value", f"{file}: {path} has no kind the docs can name"


def test_records_take_their_defaults_from_the_declarations(mini_project: Path) -> None:
    from generator.model import CheckSettings, Location, Site

    assert Site.schema.fields["language"].default == "en-GB" and not Site.schema.fields["language"].required
    assert Location.schema.fields["county"].default == "Surrey"
    project = load_project(mini_project)
    assert project.site.language == "en-GB" and project.site.checks.default_rules is True
    assert project.site.checks.duplicates == CheckSettings().duplicates
    assert project.site.checks.policies == {"duplicates": "warn"}
    assert project.site.deploy.targets == {} and project.site.deploy.default is None


def test_a_new_declaration_is_validated_and_built(mini_project: Path, monkeypatch) -> None:
    """Adding a field is one declaration: validation, the default and the record follow from it."""
    import dataclasses

    from generator.model import Location
    from generator.schema import Text, declare, record

    @record
    class Place:
        name: str = declare(Text(single_line=True), help="the name")
        landmark: str = declare(Text(single_line=True), default="none", help="a landmark")

    assert [f.name for f in dataclasses.fields(Place)] == ["name", "landmark"]
    assert Place(name="Esher").landmark == "none"
    fields = dict(Location.schema.fields, landmark=declare(Text(single_line=True), required=False, help="x"))
    monkeypatch.setattr(Location.schema, "fields", fields)
    edit(mini_project / "locations.yaml", "nearest_station: Esher", "landmark: [a list]")
    assert errors(mini_project) == ["locations.yaml:16:5: locations[2].landmark: expected text, found a list",
                                    "    hint: put the text in quotes"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. \t\r\x0b\x0c\x1c\x85\xa0\u2028\u3000\n"))))
def test_a_text_field_keeps_its_paragraphs_with_their_spaces_collapsed(value):
    """Records hold text stripped, each run of spaces as one, paragraphs (a blank line between) as single blank
    lines; text of one paragraph alike, whether or not it has a line break."""
    from generator.schema import normalise_text
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip())]
    assert normalise_text(value) == "\n\n".join(p for p in paragraphs if p)
