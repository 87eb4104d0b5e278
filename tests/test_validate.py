"""Validation (generator/validate.py): the sample loads; every bad input is reported with file, line, column, field
and hint; any document gives a project or problems, never an exception."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.data import Placeholder
from generator.errors import DataError
from generator.validate import load_project
from tests.projects import REPO, edit

SLUG_EXPECTED = "expected a slug of lower-case letters, digits and single hyphens (such as `jaw-fillers`)"
LAT_HINT = ("latitude is degrees north of the equator (about 51.3 in Surrey); check that lat and lon are not "
            "swapped")
LON_HINT = "longitude is degrees east of Greenwich (about -0.4 in Surrey, west is negative)"


def errors(project: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_project(project)
    return str(caught.value).split("\n")


# -- the shipped sample -----------------------------------------------------------------------------------------

def test_sample_project_loads() -> None:
    project = load_project(REPO)
    assert len(project.treatments) >= 12
    assert len(project.locations) == 71      # every Surrey place in GeoNames' cities1000 (rg_cities1000.csv)
    assert project.site.language == "en-GB"
    assert project.site.premises and project.site.practitioners
    assert project.attribution.startswith("Place names and coordinates: GeoNames")
    slugs = [t.slug for t in project.treatments]
    for needed in ("jaw-fillers", "lip-fillers", "cheek-fillers", "chin-fillers", "tear-trough-fillers",
                   "skin-boosters", "chemical-peel", "microneedling"):
        assert needed in slugs
    assert len(set(slugs)) == len(slugs)
    assert len({loc.slug for loc in project.locations}) == len(project.locations)


def test_sample_treatment_text_avoids_forbidden_words() -> None:
    """compliance.md: no "safe", "no side effects", "guaranteed", "permanent", no prescription-only medicine names."""
    import re

    project = load_project(REPO)
    forbidden = re.compile(r"\b(safe|safely|guaranteed?|permanent|botox|botulinum|no side effects)\b", re.I)
    for t in project.treatments:
        texts = [t.name, t.summary, t.what_to_expect, t.aftercare, t.downtime, t.risks]
        texts += [s.heading + " " + s.text for s in t.description] + [f.question + " " + f.answer for f in t.faqs]
        for text in texts:
            assert not forbidden.search(text), f"{t.slug}: {forbidden.search(text).group(0)!r} in {text[:80]!r}"


def test_sample_placeholders_are_listed() -> None:
    placeholders = load_project(REPO).placeholders()
    assert any("base_url" in p for p in placeholders)
    assert all(p.startswith("site.yaml") for p in placeholders)


# -- the mini fixture -------------------------------------------------------------------------------------------

def test_mini_project_records(mini_project: Path) -> None:
    project = load_project(mini_project)
    assert [t.slug for t in project.treatments] == ["lip-fillers", "chemical-peel"]   # the second made from its name
    assert project.location("walton-on-thames").name == "Walton-on-Thames"
    assert project.location("windsor").county == "Berkshire"
    assert project.location("esher").county == "Surrey"                           # the default
    assert project.location("thames-ditton").publish is False
    lip = project.treatment("lip-fillers")
    assert lip.description[0].text == "Small injections of a soft gel into the lips.\n\nThe change is temporary."
    assert lip.price_from == 250 and project.treatment("chemical-peel").price_from is None
    assert lip.line == 2 and project.location("esher").line == 12
    guildford = project.site.premises[1]
    assert guildford.treatments == ("chemical-peel",) and project.site.premises[0].treatments is None
    assert isinstance(guildford.phone, Placeholder)
    assert project.site.base_url == "https://www.mini-clinic.example"
    assert project.placeholders() == [
        "site.yaml:14: premises[0].address.postcode: Postcode to be confirmed",
        "site.yaml:34: premises[1].phone: Phone number to be confirmed",
        "site.yaml:41: practitioners[0].registration_number: NMC PIN to be confirmed",
    ]


# Each case: (file, text to replace, replacement, the exact error lines).
BAD_INPUTS = {
    "lat-out-of-range": ("locations.yaml", "lat: 51.39872", "lat: 91.5", [
        "locations.yaml:5:5: locations[0].lat: expected a number between -90 and 90, found 91.5",
        f"    hint: {LAT_HINT}"]),
    "lon-out-of-range": ("locations.yaml", "lon: -0.34916", "lon: -181", [
        "locations.yaml:6:5: locations[0].lon: expected a number between -180 and 180, found -181",
        f"    hint: {LON_HINT}"]),
    "wrong-type-number": ("locations.yaml", "lat: 51.39872", "lat: fifty", [
        "locations.yaml:5:5: locations[0].lat: expected a number between -90 and 90, found text 'fifty'",
        "    hint: write digits without quotes"]),
    "wrong-type-quoted-integer": ("treatments.yaml", "minimum_age: 18\n    price_from", 'minimum_age: "18"\n'
                                  "    price_from", [
        "treatments.yaml:15:5: treatments[0].minimum_age: expected a whole number between 18 and 120, found "
        "text '18'",
        "    hint: write digits without quotes"]),
    "wrong-type-list": ("treatments.yaml", "related: [chemical-peel]", "related: chemical-peel", [
        "treatments.yaml:21:5: treatments[0].related: expected a list, found text 'chemical-peel'",
        "    hint: write each item on its own line after `- `"]),
    "wrong-type-text": ("locations.yaml", "name: Esher", "name: [Esher]", [
        "locations.yaml:12:5: locations[2].name: expected text, found a list",
        "    hint: put the text in quotes"]),
    "wrong-type-boolean": ("locations.yaml", "publish: false", "publish: nope", [
        "locations.yaml:21:5: locations[3].publish: expected true or false, found text 'nope'"]),
    "unknown-key": ("locations.yaml", "nearest_station: Esher", "nearest_staton: Esher", [
        "locations.yaml:16:5: locations[2].nearest_staton: unknown field `nearest_staton`",
        "    hint: did you mean `nearest_station`?"]),
    "unknown-key-longer-name": ("locations.yaml", "lat: 51.36969", "latitude: 51.36969", [
        "locations.yaml:12:5: locations[2]: `lat` is missing",
        "    hint: add `lat:`",
        "locations.yaml:14:5: locations[2].latitude: unknown field `latitude`",
        "    hint: did you mean `lat`?"]),
    "unknown-key-no-match": ("locations.yaml", "nearest_station: Esher", "postcode: KT10", [
        "locations.yaml:16:5: locations[2].postcode: unknown field `postcode`",
        "    hint: known fields: name, slug, lat, lon, county, nearest_station, notes, faqs, landing_pages, publish"]),
    "unknown-key-with-block-value": ("site.yaml", "    address:\n      street: 1 Example Road",
                                     "    adress:\n      street: 1 Example Road", [
        "site.yaml:8:5: premises[0]: `address` is missing",
        "    hint: add `address:`",
        "site.yaml:10:5: premises[0].adress: unknown field `adress`",
        "    hint: did you mean `address`?"]),
    "missing-field": ("treatments.yaml", "    risks: Bruising, swelling, lumps and, rarely, a blocked blood vessel "
                      "that needs urgent treatment.\n", "", [
        "treatments.yaml:2:5: treatments[0]: `risks` is missing",
        "    hint: add `risks:`"]),
    "missing-nested-field": ("site.yaml", "      country: GB\n    lat: 51.39985", "    lat: 51.39985", [
        "site.yaml:10:5: premises[0].address: `country` is missing",
        "    hint: add `country:`"]),
    "empty-required-field": ("locations.yaml", "lat: 51.36969", "lat:", [
        "locations.yaml:12:5: locations[2]: `lat` is empty",
        "    hint: add `lat:`"]),
    "missing-top-level-field": ("site.yaml", "service_radius_km: 10\n", "", [
        "site.yaml:2:1: `service_radius_km` is missing",
        "    hint: add `service_radius_km:` (how far from the premises pages are made)"]),
    "duplicate-slug": ("locations.yaml", "slug: esher", "slug: east-molesey", [
        "locations.yaml:13:5: locations[2].slug: duplicate location slug `east-molesey` (first used at line 3)",
        "    hint: give each one a different slug"]),
    "duplicate-derived-slug": ("locations.yaml", "  - name: Walton-on-Thames", "  - name: Walton on Thames\n"
                               "    slug: walton-on-thames\n    lat: 51.4\n    lon: -0.4\n"
                               "  - name: Walton-on-Thames", [
        "locations.yaml:13:5: locations[2].name: duplicate location slug `walton-on-thames` (first used at line 9)",
        "    hint: give each one a different slug"]),
    "duplicate-name": ("locations.yaml", "name: Esher", "name: east molesey", [
        "locations.yaml:12:5: locations[2].name: duplicate location name 'east molesey' (first used at line 3)",
        "    hint: give each one a different name"]),
    "duplicate-treatment": ("treatments.yaml", "  - name: Chemical Peel", "  - name: Lip Fillers", [
        "site.yaml:35:18: premises[1].treatments[0]: unknown treatment `chemical-peel`",
        "    hint: define it in treatments.yaml or remove the reference",
        "treatments.yaml:21:15: treatments[0].related[0]: unknown treatment `chemical-peel`",
        "    hint: define it in treatments.yaml or remove the reference",
        "treatments.yaml:23:5: treatments[1].name: duplicate treatment slug `lip-fillers` (first used at line 2)",
        "    hint: give each one a different slug",
        "treatments.yaml:23:5: treatments[1].name: duplicate treatment name 'Lip Fillers' (first used at line 2)",
        "    hint: give each one a different name"]),
    "duplicate-premises-id": ("site.yaml", "  - id: guildford", "  - id: west-molesey", [
        "site.yaml:24:5: premises[1].id: duplicate premises id `west-molesey`",
        "    hint: give each premises its own id"]),
    "unknown-disclaimer": ("treatments.yaml", "disclaimers: [results-vary]", "disclaimers: [results-vary, "
                           "result-vary]", [
        "treatments.yaml:20:33: treatments[0].disclaimers[1]: unknown disclaimer `result-vary`",
        "    hint: did you mean `results-vary`?"]),
    "unknown-required-disclaimer": ("site.yaml", "required_disclaimers: [adults-only, consultation]",
                                    "required_disclaimers: [adults-only, privacy]", [
        "site.yaml:47:37: required_disclaimers[1]: unknown disclaimer `privacy`",
        "    hint: define it in site.yaml or remove the reference"]),
    "unknown-related-treatment": ("treatments.yaml", "related: [chemical-peel]", "related: [chemical-peal]", [
        "treatments.yaml:21:15: treatments[0].related[0]: unknown treatment `chemical-peal`",
        "    hint: did you mean `chemical-peel`?"]),
    "related-to-itself": ("treatments.yaml", "related: [chemical-peel]", "related: [lip-fillers]", [
        "treatments.yaml:21:15: treatments[0].related[0]: a treatment cannot be related to itself",
        "    hint: remove it"]),
    "unknown-premises-treatment": ("site.yaml", "treatments: [chemical-peel]", "treatments: [chemical-peels]", [
        "site.yaml:35:18: premises[1].treatments[0]: unknown treatment `chemical-peels`",
        "    hint: did you mean `chemical-peel`?"]),
    "reserved-slug": ("treatments.yaml", "slug: lip-fillers", "slug: areas", [
        "treatments.yaml:2:5: treatments[0].slug: `areas` is used by the site itself",
        "    hint: choose another slug, e.g. `areas-treatment`"]),
    "slug-dot-dot": ("locations.yaml", "slug: esher", "slug: ..", [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text '..'",
        "    hint: use lower-case letters a-z, digits and hyphens only"]),
    "slug-path": ("locations.yaml", "slug: esher", "slug: ../esher", [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text '../esher'",
        "    hint: write it as `esher`"]),
    "slug-slash": ("locations.yaml", "slug: esher", "slug: es/her", [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text 'es/her'",
        "    hint: write it as `es-her`"]),
    "slug-space": ("locations.yaml", "slug: esher", "slug: es her", [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text 'es her'",
        "    hint: write it as `es-her`"]),
    "slug-unicode": ("locations.yaml", "slug: esher", "slug: éşher", [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text 'éşher'",
        "    hint: write it as `esher`"]),
    "slug-capitals": ("treatments.yaml", "slug: lip-fillers", "slug: Lip-Fillers", [
        f"treatments.yaml:2:5: treatments[0].slug: {SLUG_EXPECTED}, found text 'Lip-Fillers'",
        "    hint: write it as `lip-fillers`"]),
    "slug-trailing-newline": ("locations.yaml", "slug: esher", 'slug: "esher\\n"', [
        f"locations.yaml:13:5: locations[2].slug: {SLUG_EXPECTED}, found text 'esher\\n'",
        "    hint: write it as `esher`"]),
    "name-without-slug": ("locations.yaml", "  - name: Walton-on-Thames", "  - name: 東京", [
        "locations.yaml:9:5: locations[1].name: cannot make a slug from text '東京'",
        "    hint: add `slug:` with lower-case letters, digits and hyphens"]),
    "yaml-duplicate-key": ("site.yaml", "name: Mini Clinic\n", "name: Mini Clinic\nname: Maxi Clinic\n", [
        "site.yaml:3:1: name: `name` is given twice (first at line 2)",
        "    hint: remove one of the two"]),
    "malformed-yaml": ("treatments.yaml", "    aftercare: Avoid make-up", "   aftercare: Avoid make-up", [
        "treatments.yaml:12:4: `aftercare` has 3 spaces before it, so it does not line up with line 11 (4 spaces)",
        "    hint: indent it by exactly 4 spaces, like line 11"]),
    "unknown-day": ("site.yaml", "days: [Mo, Tu, We]", "days: [Mo, Tue, We]", [
        "site.yaml:20:20: premises[0].opening_hours[0].days[1]: expected one of Mo, Tu, We, Th, Fr, Sa, Su, "
        "found text 'Tue'",
        "    hint: did you mean `Tu`?"]),
    "closes-before-opens": ("site.yaml", 'closes: "17:30"', 'closes: "08:30"', [
        "site.yaml:22:9: premises[0].opening_hours[0].closes: expected a time after 09:00, found 08:30"]),
    "unknown-register": ("site.yaml", "register: NMC", "register: NMX", [
        "site.yaml:40:5: practitioners[0].register: expected one of GMC, NMC, GDC, GPhC, HCPC, JCCP, Save Face, "
        "found text 'NMX'",
        "    hint: did you mean `NMC`?"]),
    "base-url-with-path": ("site.yaml", "base_url: https://www.mini-clinic.example",
                           "base_url: https://www.mini-clinic.example/clinic", [
        "site.yaml:3:1: base_url: expected an absolute address with no path, such as "
        "\"https://www.clinic.co.uk\", found text 'https://www.mini-clinic.example/clinic'",
        "    hint: take out the path: the address is https:// and the host name only"]),
    "placeholder-where-a-real-value-is-needed": ("site.yaml", "locality: Guildford",
                                                  'locality: !placeholder "Town"', [
        "site.yaml:28:7: premises[1].address.locality: expected real text, found a !placeholder",
        "    hint: replace it with the real value"]),
    "unknown-pattern-name": ("site.yaml", 'area: "Aesthetic treatments near {area}, {county}"',
                             'area: "Aesthetic treatments near {town}, {county}"', [
        "site.yaml:52:3: titles.area: unknown name {town} in the pattern",
        "    hint: use only {area}, {clinic}, {county}, {locality}"]),
    # Hostile input (issue 16): each is refused where it stands, never a traceback.
    "yaml-merge-key": ("locations.yaml", "    lat: 51.38533\n    lon: -0.42066\n", "    <<: {lat: 51.38533, lon: "
                       "-0.42066}\n", [
        "locations.yaml:10:5: locations[1]: merge keys (`<<: *name`) are not supported",
        "    hint: write the fields out in full"]),
    "yaml-recursive-alias": ("locations.yaml", "  - name: Cobham", "  - &loop\n    name: Cobham\n    self: *loop", [
        "locations.yaml:24:5: locations[4].self: an alias (*name) here stands for the value that contains it, "
        "which never ends",
        "    hint: point the alias at another value, or write the value out"]),
    "yaml-python-tag": ("treatments.yaml", "minimum_age: 18\n    price_from", "minimum_age: !!python/object/apply:"
                        "os.system [echo]\n    price_from", [
        "treatments.yaml:15:18: treatments[0].minimum_age: the tag '!!python/object/apply:os.system' is not "
        "allowed in the data files",
        "    hint: remove the tag: the data files hold text, numbers, true/false, lists and `key: value` lines only"]),
    "yaml-int-tag-on-text": ("treatments.yaml", "minimum_age: 18\n    price_from", "minimum_age: !!int abc\n"
                             "    price_from", [
        "treatments.yaml:15:18: treatments[0].minimum_age: 'abc' is not a valid whole number",
        "    hint: put the value in quotes if it is text (and write it without a !!tag)"]),
    "yaml-impossible-date": ("locations.yaml", "name: Esher", "name: 2023-02-30", [
        "locations.yaml:12:11: locations[2].name: '2023-02-30' is not a valid date",
        "    hint: put the value in quotes if it is text (and write it without a !!tag)"]),
    "yaml-too-deep": ("locations.yaml", "name: Esher", "name: " + "[" * 900 + "]" * 900, [
        "locations.yaml:12:58: locations: the data is nested more than 50 levels deep",
        "    hint: the data files nest a few levels only: check for brackets [ { that are never closed"]),
    "lat-not-a-number": ("locations.yaml", "lat: 51.39872", "lat: .nan", [
        "locations.yaml:5:10: locations[0].lat: expected a finite number, found '.nan'",
        "    hint: write the number in digits, such as 51.36; quote the text if it is not a number"]),
    "price-infinite": ("treatments.yaml", "price_from: 250", "price_from: .inf", [
        "treatments.yaml:16:17: treatments[0].price_from: expected a finite number, found '.inf'",
        "    hint: write the number in digits, such as 51.36; quote the text if it is not a number"]),
    "name-too-long-for-a-slug": ("locations.yaml", "name: Walton-on-Thames", "name: " + "Walton " * 43, [
        "locations.yaml:9:5: locations[1].name: the name makes a slug of 300 characters, and a slug (a folder of "
        "the site) holds at most 100",
        "    hint: add a shorter `slug:`, or shorten the name"]),
    "slug-too-long": ("locations.yaml", "slug: esher", "slug: " + "e" * 101, [
        "locations.yaml:13:5: locations[2].slug: expected at most 100 characters, found 101",
        "    hint: shorten it"]),
    "right-to-left-override-in-a-name": ("treatments.yaml", "name: Lip Fillers", 'name: "Lip \u202eFillers"', [
        "treatments.yaml:3:5: treatments[0].name: the text holds an invisible character, U+202E RIGHT-TO-LEFT "
        "OVERRIDE, at character 5 (after 'Lip ')",
        "    hint: delete it: retype the text around that point, or copy the text from a plain-text source"]),
    "zero-width-space-in-a-name": ("locations.yaml", "name: Esher", 'name: "Es\u200bher"', [
        "locations.yaml:12:5: locations[2].name: the text holds an invisible character, U+200B ZERO WIDTH SPACE, "
        "at character 3 (after 'Es')",
        "    hint: delete it: retype the text around that point, or copy the text from a plain-text source"]),
    "escape-character-in-a-paragraph": ("treatments.yaml", "aftercare: Avoid make-up, alcohol and hard exercise "
                                        "for a day.", 'aftercare: "\\e[2JAvoid make-up."', [
        "treatments.yaml:12:5: treatments[0].aftercare: the text holds an invisible character, U+001B CONTROL "
        "CHARACTER, at character 1",
        "    hint: delete it: retype the text around that point, or copy the text from a plain-text source"]),
    "control-character-in-a-key": ("locations.yaml", "nearest_station: Esher", '"near\\e[2J": Esher', [
        "locations.yaml:16:5: locations[2].near\\x1b[2J: unknown field `near\\x1b[2J`",
        "    hint: known fields: name, slug, lat, lon, county, nearest_station, notes, faqs, landing_pages, publish"]),
    "base-url-with-user-info": ("site.yaml", "base_url: https://www.mini-clinic.example",
                                "base_url: https://www.mini-clinic.example@evil.example", [
        "site.yaml:3:1: base_url: expected an absolute address with no path, such as \"https://www.clinic.co.uk\", "
        "found text 'https://www.mini-clinic.example@evil....'",
        "    hint: take out the part up to the @: the address is https:// and the host name only"]),
    "base-url-with-quotes": ("site.yaml", "base_url: https://www.mini-clinic.example",
                             "base_url: 'https://www.mini-clinic.example\"><script>'", [
        "site.yaml:3:1: base_url: expected an absolute address with no path, such as \"https://www.clinic.co.uk\", "
        "found text 'https://www.mini-clinic.example\"><scr...'",
        "    hint: take out the quotes, angle brackets, backslashes and spaces"]),
    "placeholder-with-several-lines": ("site.yaml", "base_url: https://www.mini-clinic.example",
                                       'base_url: !placeholder "https://a.example\\nDisallow: /"', [
        "site.yaml:3:1: base_url: expected one line, found several",
        "    hint: join the lines"]),
    "placeholder-that-is-not-an-address": ("site.yaml", "base_url: https://www.mini-clinic.example",
                                           'base_url: !placeholder "TBC"', [
        "site.yaml:3:1: base_url: expected an absolute address with no path, such as \"https://www.clinic.co.uk\", "
        "found text 'TBC'",
        "    hint: write https:// and the host name only, such as https://www.clinic.co.uk"]),
    # A phone's placeholder is only shown as words ("Phone number to be confirmed"), never made a link: it needs
    # no phone number's form, but it is still one line of clean text.
    "phone-placeholder-with-several-lines": ("site.yaml", 'phone: !placeholder "Phone number to be confirmed"',
                                             'phone: !placeholder "To be confirmed\\nCall us"', [
        "site.yaml:34:5: premises[1].phone: expected one line, found several",
        "    hint: join the lines"]),
    "multi-line-where-one-line-is-needed": ("locations.yaml", "name: Esher", "name: |-\n      Esher\n      Surrey", [
        "locations.yaml:12:5: locations[2].name: expected one line, found several",
        "    hint: join the lines"]),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_reported_exactly(case: str, mini_project: Path) -> None:
    file, old, new, expected = BAD_INPUTS[case]
    edit(mini_project / file, old, new)
    assert errors(mini_project) == expected


def test_a_treatment_no_premises_offers_is_one_problem_on_the_treatment(mini_project: Path) -> None:
    """Every premises names its treatments and none names chemical-peel: its hub would have nowhere to send a
    patient (the pages once failed with an IndexError while rendering)."""
    edit(mini_project / "site.yaml", "    parking: Free parking behind the building.\n",
         "    parking: Free parking behind the building.\n    treatments: [lip-fillers]\n")
    edit(mini_project / "site.yaml", "treatments: [chemical-peel]", "treatments: [lip-fillers]")
    assert errors(mini_project) == [
        "treatments.yaml:23:5: treatments[1]: no premises offers `chemical-peel`",
        "    hint: add `chemical-peel` to the `treatments:` of a premises in site.yaml, or remove the treatment"]


def test_empty_file(mini_project: Path) -> None:
    (mini_project / "treatments.yaml").write_text("# nothing here yet\n")
    assert errors(mini_project) == [
        "treatments.yaml:1:1: the file is empty",
        "    hint: restore the file from version control, or see docs/data.md for its fields"]


def test_non_utf8_file(mini_project: Path) -> None:
    path = mini_project / "locations.yaml"
    path.write_bytes(path.read_bytes().replace(b"name: Esher", "name: Ésher".encode("cp1252")))
    assert errors(mini_project) == [
        "locations.yaml:12:11: the file is not UTF-8 (byte 0xc9)",
        "    hint: save the file as UTF-8 in your editor"]


def test_missing_file(mini_project: Path) -> None:
    (mini_project / "site.yaml").unlink()
    assert errors(mini_project) == ["site.yaml: file not found",
                                    "    hint: create site.yaml; see docs/data.md for its fields"]


def test_top_level_must_be_a_mapping(mini_project: Path) -> None:
    (mini_project / "locations.yaml").write_text("- name: Esher\n  lat: 51.3\n")
    assert errors(mini_project) == [
        "locations.yaml:1:1: expected a mapping (key: value lines), found a list"]


def test_all_problems_in_all_files_are_reported_at_once(mini_project: Path) -> None:
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 91.5")
    edit(mini_project / "locations.yaml", "nearest_station: Esher", "nearest_staton: Esher")
    edit(mini_project / "locations.yaml", "slug: esher", "slug: ../esher")
    edit(mini_project / "treatments.yaml", "minimum_age: 18\n    price_from", "minimum_age: 16\n    price_from")
    (mini_project / "site.yaml").write_bytes(b"name: \xff\n")
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    assert [f"{p.file}:{p.line}:{p.column}: {p.field}" for p in caught.value.problems] == [
        "locations.yaml:5:5: locations[0].lat",
        "locations.yaml:13:5: locations[2].slug",
        "locations.yaml:16:5: locations[2].nearest_staton",
        "site.yaml:1:7: ",
        "treatments.yaml:15:5: treatments[0].minimum_age",
    ]
    assert "expected a whole number between 18 and 120, found 16" in str(caught.value)


def test_cross_file_references_are_checked_only_once_every_file_is_valid(mini_project: Path) -> None:
    """A broken site.yaml must not cause a flood of 'unknown disclaimer' errors in treatments.yaml."""
    edit(mini_project / "site.yaml", "service_radius_km: 10", "service_radius_km: ten")
    edit(mini_project / "treatments.yaml", "disclaimers: [results-vary]", "disclaimers: [nothing-like-it]")
    assert errors(mini_project) == [
        "site.yaml:5:1: service_radius_km: expected a number between 1 and 200, found text 'ten'",
        "    hint: write digits without quotes"]


# -- any document: a project or problems, never an exception (issue 16) -----------------------------------------

import copy  # noqa: E402
import datetime  # noqa: E402
import shutil  # noqa: E402

import yaml  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from generator.data import load_document  # noqa: E402
from generator.errors import ClinicPagesError  # noqa: E402
from tests.projects import FIXTURES  # noqa: E402

_HOSTILE_TEXT = st.text(alphabet=st.sampled_from(list("aZ 1-./:@<>\"'\n\t\x1b\x07\x85\u200b\u202e\u2028é東{}")),
                        max_size=12)
_HOSTILE_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
              st.floats(allow_nan=True, allow_infinity=True), _HOSTILE_TEXT, st.dates(),
              _HOSTILE_TEXT.map(Placeholder), st.sampled_from(["", "..", "/etc/passwd", "x" * 300, "Ünïcödé"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_HOSTILE_TEXT, inner, max_size=3), max_leaves=6)


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Placeholder, lambda dumper, value: dumper.represent_scalar("!placeholder", str(value)))


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, path + (i,))


def _replace(data, path, value):
    if not path:
        return value
    target = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["site.yaml", "treatments.yaml", "locations.yaml"]), st.data())
def test_any_value_anywhere_gives_a_project_or_data_problems_never_an_exception(tmp_path_factory, file, data):
    """Each field of the mini project in turn replaced by anything YAML can say (numbers that are not finite, dates,
    text with controls and bidi characters, placeholders, lists and mappings of them): the loader and the
    validation answer with a project or with problems, each with a file and a message."""
    project = tmp_path_factory.mktemp("p")
    for name in ("site.yaml", "treatments.yaml", "locations.yaml"):
        shutil.copyfile(FIXTURES / "mini" / name, project / name)
    document = copy.deepcopy(load_document(project / file)[0].data)   # the loader's, shared: never changed
    path = data.draw(st.sampled_from(list(_paths(document))))
    changed = _replace(document, path, data.draw(_HOSTILE_VALUES))
    (project / file).write_text(yaml.dump(changed, Dumper=_Dumper, allow_unicode=True), "utf-8")
    try:
        load_project(project)
    except DataError as exc:
        assert exc.problems and all(p.file and p.message for p in exc.problems)
        assert "\x1b" not in str(exc) and "\u202e" not in str(exc)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(st.sampled_from(["site.yaml", "treatments.yaml", "locations.yaml"]), st.data())
def test_a_project_the_validation_accepts_builds_or_says_why(tmp_path_factory, file, data):
    """What passes validation, however odd, builds, or stops with one of the tool's own errors."""
    from generator.build import build

    project = tmp_path_factory.mktemp("p")
    for name in ("site.yaml", "treatments.yaml", "locations.yaml"):
        shutil.copyfile(FIXTURES / "mini" / name, project / name)
    shutil.copytree(REPO / "templates", project / "templates")
    document = copy.deepcopy(load_document(project / file)[0].data)   # the loader's, shared: never changed
    path = data.draw(st.sampled_from([p for p in _paths(document) if p and isinstance(p[-1], str)]))
    leaf = st.one_of(_HOSTILE_TEXT, st.floats(min_value=-1e6, max_value=1e6), st.integers(-10**6, 10**6))
    (project / file).write_text(yaml.dump(_replace(document, path, data.draw(leaf)), Dumper=_Dumper,
                                          allow_unicode=True), "utf-8")
    try:
        load_project(project)
    except DataError:
        return
    try:
        build(project)
    except ClinicPagesError as exc:
        assert str(exc)


def test_dates_and_other_kinds_are_refused_where_text_is_expected(mini_project):
    edit(mini_project / "locations.yaml", "name: Esher", "name: 2024-02-29")
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    assert str(caught.value) == ("locations.yaml:12:5: locations[2].name: expected text, found date "
                                 f"'{datetime.date(2024, 2, 29)}'\n    hint: put the text in quotes")


@given(st.text(alphabet=st.sampled_from(["a", " ", "\n", "\t", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\xad", "é",
                                         "\u200b", "\u200c", "\u200d", "\u2028", "\u202e", "\u2066", "\ufeff", "😀"]),
               max_size=12), st.booleans())
def test_a_hidden_character_is_found_where_a_search_of_every_character_finds_it(text, single_line) -> None:
    """The quick pass for printable text (most text) finds what the search of the forbidden characters and, on one
    line, of the invisible ones finds."""
    import unicodedata

    from generator.schema import _CONTROL, _JOINERS, hidden_character
    found = _CONTROL.search(text)
    expected = (found.start(), found.group()) if found else next(
        ((i, ch) for i, ch in enumerate(text) if single_line and unicodedata.category(ch) == "Cf"
         and ch not in _JOINERS), None)
    assert hidden_character(text, single_line) == expected
