"""The records' declarations (generator/model.py): each field declared once, with its help, kind and default, and
the validation and the record following from it."""

from __future__ import annotations

from pathlib import Path

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
