"""The doorway gate on whole projects: which pages are indexable, what a held-back page looks like and what would
earn it a place, the policies, incremental builds, and `audit` of the built site agreeing with `check`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from generator.audit import audit
from generator.build import build
from generator.checks import check_built_site
from generator.errors import ChecksFailed, DataError
from generator.plan import plan_site
from generator.validate import load_project
from tests.projects import FIXTURES, cli, copy_project, edit, edit_yaml, tree_bytes

LANDING = ["/lip-fillers/", "/chemical-peel/"]
PLACES = ["northfield", "eastbrook", "southwick", "westmere", "upper-dene"]
# Invented text for one page (the fixture's places are invented too).
NOTE = ("Clients from Northfield often ask whether they can have lip fillers in the week before a wedding. We "
        "suggest booking at least a fortnight ahead, because the lips can swell and bruise for a few days, and a "
        "review two weeks later leaves time for a small top-up if it is wanted.")


# Four different invented notes, one for each of four pairs.
NOTES = [NOTE,
         "Parents from {p} sometimes book together with a grown-up daughter; each has a separate consultation and "
         "we never treat anyone under eighteen, whoever comes along with them, so bring photo identification.",
         "Most people from {p} who ask about fillers are curious about swelling after a long drive home. It usually "
         "settles within two or three days, and an ice pack wrapped in a cloth on the journey helps a little.",
         "Several clients from {p} first came to us after a friend's recommendation and wanted something very subtle. "
         "We start with a small amount, review it at two weeks, and only add more if they would like it."]


@pytest.fixture
def gate_project(tmp_path: Path) -> Path:
    return copy_project(FIXTURES / "gate", tmp_path / "gate")


def sitemap(project: Path) -> set[str]:
    text = (project / "output" / "sitemap.xml").read_text()
    return {re.sub(r"^https?://[^/]+", "", u) for u in re.findall(r"<loc>(.*?)</loc>", text)}


def html(project: Path, url: str) -> str:
    return (project / "output" / url.strip("/") / "index.html").read_text()


def add_pair(project: Path, place: str = "northfield", treatment: str = "lip-fillers", note: str = NOTE) -> None:
    def change(data):
        for loc in data["locations"]:
            if loc["name"].lower().replace(" ", "-") == place:
                loc.setdefault("landing_pages", {})[treatment] = {"note": note}
    edit_yaml(project / "locations.yaml", change)


def remove_pairs(project: Path) -> None:
    def change(data):
        for loc in data["locations"]:
            loc.pop("landing_pages", None)
    edit_yaml(project / "locations.yaml", change)


def assert_as_clean_build(project: Path, tmp_path: Path, state: bool = True) -> None:
    """The project's output (and build state) are byte for byte those of a clean build of a copy of it."""
    clean = copy_project(project, tmp_path / "clean")
    build(clean)
    assert tree_bytes(project / "output") == tree_bytes(clean / "output")
    if state:
        assert (project / ".clinic-pages-state.json").read_bytes() == (clean / ".clinic-pages-state.json").read_bytes()


def landing_pages() -> list[str]:
    return [f"{t}{p}/" for t in LANDING for p in PLACES]


def test_pages_that_differ_only_by_the_place_are_held_back_whole(gate_project: Path):
    report = build(gate_project)
    result = report.checks
    assert set(result.demoted) == set(landing_pages()) | {f"/areas/{p}/" for p in PLACES}
    assert sitemap(gate_project) == {"/", "/areas/", "/lip-fillers/", "/chemical-peel/"}
    page = html(gate_project, "/lip-fillers/northfield/")
    assert '<meta name="robots" content="noindex">' in page
    assert '<link rel="canonical" href="https://www.gate-test.example/lip-fillers/">' in page
    hold = result.held["/lip-fillers/northfield/"]
    assert (hold.rule, hold.lacks, hold.canonical) == ("duplicates.doorway", "pair", "/lip-fillers/")
    assert hold.advice.startswith("Add about 30 words about lip fillers for people in Northfield (for example, a "
                                  "question people from Northfield ask about lip fillers, with your answer) under "
                                  "`landing_pages: lip-fillers:` in Northfield's entry in locations.yaml.")
    area = result.held["/areas/northfield/"]
    assert (area.rule, area.lacks, area.canonical) == ("duplicates.doorway", "area", "/areas/")
    # no page links to a held-back one: the lists show its name without a link
    hub = html(gate_project, "/lip-fillers/")
    assert "<li>Lip Fillers near Northfield</li>" in hub and 'href="/lip-fillers/northfield/"' not in hub
    areas = html(gate_project, "/areas/")
    assert not re.search(r'href="/areas/[a-z-]+/"', areas)


def test_text_written_for_one_pair_publishes_that_page_only_and_removing_it_holds_it_back_again(
        gate_project: Path, tmp_path: Path):
    build(gate_project)
    add_pair(gate_project)
    added = build(gate_project)
    url = "/lip-fillers/northfield/"
    assert url not in added.checks.demoted
    assert set(added.checks.demoted) == (set(landing_pages()) - {url}) | {f"/areas/{p}/" for p in PLACES}
    assert sitemap(gate_project) == {"/", "/areas/", "/lip-fillers/", "/chemical-peel/", url}
    page = html(gate_project, url)
    assert "noindex" not in page and f'<link rel="canonical" href="https://www.gate-test.example{url}">' in page
    assert "Lip Fillers for people in Northfield" in page and "a fortnight ahead" in page
    stats = added.checks.duplicates.stats[url]
    assert stats.unique_words >= 50 and not stats.thin
    assert f'<a href="{url}">Lip Fillers near Northfield</a>' in html(gate_project, "/lip-fillers/")
    neighbours = [u for u in landing_pages() if u.startswith("/lip-fillers/") and u != url
                  and "Northfield" in html(gate_project, u)]
    assert neighbours and all(f'<a href="{url}">' in html(gate_project, u) for u in neighbours)
    assert added.rendered < 20    # the page, its hub, and the pages that list it

    remove_pairs(gate_project)
    removed = build(gate_project)
    assert url in removed.checks.demoted and url not in sitemap(gate_project)
    assert_as_clean_build(gate_project, tmp_path)


def test_an_incremental_build_with_pair_text_equals_a_clean_one(gate_project: Path, tmp_path: Path):
    build(gate_project)
    add_pair(gate_project)
    add_pair(gate_project, "eastbrook", "chemical-peel", "Eastbrook " + NOTE.replace("lip fillers", "a peel"))
    build(gate_project)
    assert_as_clean_build(gate_project, tmp_path)


def test_the_same_note_on_two_pages_is_neither_pages_own(gate_project: Path):
    add_pair(gate_project, "northfield")
    add_pair(gate_project, "eastbrook", note=NOTE.replace("Northfield", "Eastbrook"))   # the place name swapped
    result = build(gate_project).checks
    for url in ("/lip-fillers/northfield/", "/lip-fillers/eastbrook/"):
        assert url in result.demoted
        hold = result.held[url]
        assert (hold.rule, hold.lacks, hold.own_words) == ("duplicates.thin", "copy", 0)
        assert hold.advice.startswith("Its text for this treatment here is also on another page")


# Invented: text about the treatment in general, as written afresh for page after page (scaled content).
GENERAL = ("When it comes to lip fillers, everyone's goals are different. Some people want a little more "
           "hydration, others a more defined border. Gels come in a range of densities, so the treatment can be "
           "planned around your own proportions rather than a fashion.")


def test_text_for_a_pair_that_names_no_place_is_not_written_for_the_place(gate_project: Path, tmp_path: Path):
    add_pair(gate_project, note=GENERAL)
    result = build(gate_project).checks
    url = "/lip-fillers/northfield/"
    hold = result.held[url]
    assert (hold.rule, hold.lacks, hold.canonical) == ("duplicates.doorway", "pair", "/lip-fillers/")
    assert hold.reason.startswith("the text written for it under `landing_pages` names no place (not Northfield,")
    assert url not in sitemap(gate_project)

    # the same text, said for the place (a station or another place would do too), is judged on its words
    add_pair(gate_project, note="For clients from Northfield: " + GENERAL)
    again = build(gate_project)
    assert url not in again.checks.demoted and url in sitemap(gate_project)
    assert_as_clean_build(gate_project, tmp_path, state=False)


def test_a_question_that_names_no_place_does_not_count_beside_a_note_that_does(gate_project: Path):
    def change(data):
        for loc in data["locations"]:
            if loc["name"] == "Northfield":
                loc["landing_pages"] = {"lip-fillers": {
                    "note": "Clients from Northfield can park in the road outside the clinic.",
                    "faqs": [{"question": "How long do lip fillers last?", "answer": GENERAL}]}}
    edit_yaml(gate_project / "locations.yaml", change)
    hold = build(gate_project).checks.held["/lip-fillers/northfield/"]
    assert hold.rule == "duplicates.thin" and 0 < hold.own_words < 30   # the note's words only


def test_a_short_note_is_not_enough_and_says_how_much_more(gate_project: Path):
    add_pair(gate_project, note="Clients from Northfield can park in the road outside the clinic.")
    result = build(gate_project).checks
    hold = result.held["/lip-fillers/northfield/"]
    assert hold.rule == "duplicates.thin" and 0 < hold.own_words < 30
    assert hold.advice.startswith("Add about 20 more words about lip fillers for people in Northfield")


def test_area_notes_of_its_own_publish_the_area_page(gate_project: Path):
    notes = ("Buses from Northfield stop at the end of Example Road, two minutes' walk from the clinic, every "
             "twenty minutes on weekdays. Drivers can use the pay-and-display car park behind the library, which "
             "is free after six in the evening and on Sundays.")
    edit_yaml(gate_project / "locations.yaml", lambda d: d["locations"][0].update(notes=notes))
    result = build(gate_project).checks
    assert "/areas/northfield/" not in result.demoted
    assert "/areas/eastbrook/" in result.demoted
    assert "/areas/northfield/" in sitemap(gate_project)
    # the notes are the area page's alone: its landing pages link to it instead of repeating them
    assert result.duplicates.stats["/areas/northfield/"].unique_words >= 30
    assert "/lip-fillers/northfield/" in result.demoted
    assert "pay-and-display" not in html(gate_project, "/lip-fillers/northfield/")
    add_pair(gate_project)
    both = build(gate_project).checks
    assert "/areas/northfield/" not in both.demoted and "/lip-fillers/northfield/" not in both.demoted
    assert '<a href="/areas/northfield/">' in html(gate_project, "/lip-fillers/northfield/")


@pytest.mark.parametrize("policy", ["skip", "warn", "fail"])
def test_the_doorway_policies(gate_project: Path, policy: str):
    edit(gate_project / "site.yaml", "titles:", f"checks:\n  policies:\n    duplicates.doorway: {policy}\n\ntitles:")
    if policy == "fail":
        with pytest.raises(ChecksFailed) as stopped:
            build(gate_project)
        errors = {f.page for f in stopped.value.result.findings if f.severity == "error"}
        assert errors == set(landing_pages()) | {f"/areas/{p}/" for p in PLACES}
        assert not (gate_project / "output").exists()
        return
    report = build(gate_project)
    if policy == "skip":
        assert not (gate_project / "output" / "lip-fillers" / "northfield").exists()
        assert not (gate_project / "output" / "areas" / "northfield").exists()
        assert report.pages == 5 and report.checks.demoted == {}
        assert all(not h.built for h in report.checks.held.values()) and len(report.checks.held) == 15
        assert "<li>Lip Fillers near Northfield</li>" in html(gate_project, "/lip-fillers/")
    else:   # published, indexable, and the risk said every time
        assert report.checks.demoted == {} and len(report.at_risk) == 15
        assert "/lip-fillers/northfield/" in sitemap(gate_project)
        findings = [f for f in report.checks.findings if f.rule == "duplicates.doorway"]
        assert len(findings) == 15 and all("doorway page" in f.message for f in findings)
        assert build(gate_project).at_risk == report.at_risk   # up to date: still said


def test_a_waiver_publishes_one_page_and_lists_the_risk(gate_project: Path):
    edit(gate_project / "site.yaml", "titles:", "checks:\n  waivers:\n    - page: /lip-fillers/northfield/\n"
         "      rule: duplicates.doorway\n      reason: The ads for Northfield land here.\n\ntitles:")
    report = build(gate_project)
    assert "/lip-fillers/northfield/" not in report.checks.demoted
    assert report.at_risk == ["/lip-fillers/northfield/"]
    [(finding, waiver)] = report.checks.waived
    assert "doorway page" in finding.message and waiver.reason == "The ads for Northfield land here."


def test_skip_is_only_for_pages_held_back_before_rendering(gate_project: Path):
    edit(gate_project / "site.yaml", "titles:", "checks:\n  policies:\n    duplicates.thin: skip\n\ntitles:")
    with pytest.raises(DataError) as bad:
        build(gate_project)
    assert "only pages with nothing of their own (duplicates.doorway) can be left unbuilt" in str(bad.value)


def test_landing_pages_text_must_name_a_known_treatment(gate_project: Path):
    add_pair(gate_project, treatment="lip-filers")
    with pytest.raises(DataError) as bad:
        build(gate_project)
    assert "landing_pages.lip-filers: unknown treatment `lip-filers`" in str(bad.value)
    assert "did you mean `lip-fillers`?" in str(bad.value)


# -- check and audit agree -------------------------------------------------------------------------------------

def audit_findings(output: Path) -> list:
    """The thin and duplicate findings `audit` makes of a built site (which judges only the indexable pages)."""
    result = audit(output)
    return [f for f in result.findings if f.rule.startswith("duplicates.")]


def test_audit_finds_no_thin_or_duplicate_page_that_check_published_on_the_sample(built_sample: Path):
    result = check_built_site(built_sample.parent)
    assert audit_findings(built_sample) == []
    published = {u for u in result.duplicates.stats if u not in result.demoted}
    audited = audit(built_sample).duplicates
    assert {s.page for s in audited.pages} == published   # audit judges exactly the pages check published
    assert not any(s.thin for s in audited.pages)


def test_audit_agrees_with_check_on_the_sample_with_text_for_one_area_and_one_pair(built_sample_published: Path):
    result = check_built_site(built_sample_published.parent)
    published = {u for u in result.duplicates.stats if u not in result.demoted}
    assert {"/areas/esher/", "/jaw-fillers/esher/"} <= published
    assert audit_findings(built_sample_published) == []
    assert {s.page for s in audit(built_sample_published).duplicates.pages} == published


def test_a_thin_list_of_areas_is_judged_by_check_as_audit_judges_it(gate_project: Path):
    """The list of areas is an indexable page that patients use: `check` judges it as `audit` does (only the home
    page is skipped by both), and since it cannot be held back, publishes it with a warning."""
    areas = gate_project / "templates" / "areas.html"
    areas.write_text(re.sub(r'<p class="lead">.*?</p>', "", areas.read_text(), flags=re.S))
    report = build(gate_project)
    found = [f for f in report.checks.findings if f.page == "/areas/" and f.rule.startswith("duplicates.")]
    assert [(f.rule, f.severity) for f in found] == [("duplicates.thin", "warning")]
    assert "the list of areas cannot be held back: give it text of its own" in found[0].message
    assert "/areas/" in sitemap(gate_project) and "/areas/" not in report.checks.demoted
    assert [(f.rule, f.page) for f in audit_findings(gate_project / "output")] == [("duplicates.thin", "/areas/")]


@pytest.mark.parametrize("pairs", [0, 1, 4])
def test_audit_agrees_with_check_on_a_built_project(gate_project: Path, pairs: int):
    notes = ["Buses from {p} stop at the end of Example Road, two minutes' walk from the clinic.",
             "Drivers from {p} can use the car park behind the library, free after six in the evening."]
    for n, place in enumerate(PLACES[:pairs]):
        name = place.replace("-", " ").title()
        add_pair(gate_project, place, "lip-fillers", NOTES[n].format(p=name))
        edit_yaml(gate_project / "locations.yaml",
                  lambda d, i=n, name=name: d["locations"][i].update(notes=" ".join(x.format(p=name) for x in notes)))
    report = build(gate_project)
    assert audit_findings(gate_project / "output") == []
    published = sitemap(gate_project)
    assert {s.page for s in audit(gate_project / "output").duplicates.pages} == published
    assert {f"/lip-fillers/{p}/" for p in PLACES[:pairs]} | {"/", "/areas/", "/lip-fillers/", "/chemical-peel/"} \
        == published - {f"/areas/{p}/" for p in PLACES[:pairs]}
    assert published == {u for u in report.checks.duplicates.stats if u not in report.checks.demoted}


def test_the_json_report_lists_held_back_pages_with_what_they_lack(gate_project: Path, tmp_path: Path):
    build(gate_project)
    out = tmp_path / "r.json"
    done = cli("check", "--project", str(gate_project), "--format", "json", "--report", str(out))
    assert done.returncode == 0, done.stderr
    held = {h["page"]: h for h in json.loads(out.read_text())["held_back"]}
    assert len(held) == 15 and held["/areas/westmere/"]["lacks"] == "area"
    assert held["/chemical-peel/westmere/"]["canonical"] == "/chemical-peel/"
    page = cli("check", "--project", str(gate_project), "--format", "html").stdout
    assert "10 page(s) need text written for the treatment in the area" in page
    assert "5 page(s) need text about the area" in page


def test_yaml_for_pair_text_round_trips(gate_project: Path):
    add_pair(gate_project)
    data = yaml.safe_load((gate_project / "locations.yaml").read_text())
    assert data["locations"][0]["landing_pages"]["lip-fillers"]["note"] == NOTE


# A second premises of the invented clinic, at Westmere, for lip fillers only: the premises nearest Westmere and
# Upper Dene for them (the main one stays nearest Northfield, Eastbrook and Southwick).
SATELLITE = """  - id: westmere
    name: Gate Test Clinic at Westmere
    address:
      street: 4 Mill Lane
      locality: Westmere
      region: Surrey
      postcode: KT2 2BB
      country: GB
    lat: 51.41
    lon: -0.46
    phone: "020 0000 0001"
    treatments: [lip-fillers]
"""
SATELLITE_PRACTITIONER = """  - name: Sam Example
    profession: Doctor
    register: GMC
    registration_number: "1234567"
    treatments: [lip-fillers]
    works_at:
      - premises: westmere
        days: [Tu, Sa]
"""


def add_satellite(project: Path, premises: str = SATELLITE, practitioner: str = SATELLITE_PRACTITIONER) -> None:
    edit(project / "site.yaml", "\npractitioners:\n", premises + "\npractitioners:\n")
    edit(project / "site.yaml", "\ndisclaimers:\n", practitioner + "\ndisclaimers:\n")


def test_another_premises_practitioner_and_days_publish_the_one_page_that_has_nothing_else(
        gate_project: Path, tmp_path: Path):
    add_satellite(gate_project)
    first = build(gate_project)
    plan = plan_site(load_project(gate_project))
    assert {p.url_path for p in plan.pages if p.reach and p.reach.premises == "westmere"} == {
        "/lip-fillers/westmere/", "/lip-fillers/upper-dene/"}
    # two pages show the Westmere offer and nothing else: neither has it as its own, as with a shared note
    assert {"/lip-fillers/westmere/", "/lip-fillers/upper-dene/"} <= set(first.checks.demoted)
    assert "Provides lip fillers at our Westmere clinic on Tuesdays and Saturdays." in html(
        gate_project, "/lip-fillers/westmere/")

    for place, note in (("upper-dene", NOTES[1]), ("northfield", NOTES[2]), ("eastbrook", NOTES[3])):
        add_pair(gate_project, place, note=note.format(p=place.replace("-", " ").title()))
    second = build(gate_project)
    url = "/lip-fillers/westmere/"
    assert url not in second.checks.demoted and url in sitemap(gate_project)
    assert "/lip-fillers/upper-dene/" not in second.checks.demoted   # on its own text
    assert "noindex" not in html(gate_project, url)
    # the one page of the main premises with nothing written for it offers what the guide offers: held back
    assert "/lip-fillers/southwick/" in second.checks.demoted
    assert second.checks.held["/lip-fillers/southwick/"].rule == "duplicates.doorway"
    # audit, word for word, finds no thin or duplicate page among those published (the offer page has the
    # other premises' name, place and distances of its own)
    audited = audit(gate_project / "output").duplicates
    assert [f for f in audit(gate_project / "output").findings if f.rule.startswith("duplicates.")] == []
    assert {s.page for s in audited.pages} == sitemap(gate_project)
    # check counts the offer page's own words as audit does, word for word on all its text
    assert second.checks.duplicates.stats[url].word_for_word
    assert second.checks.duplicates.stats[url].unique_words == audited.stats[url].unique_words > 0
    assert {f"/chemical-peel/{p}/" for p in PLACES} <= set(second.checks.demoted)   # one premises offers a peel

    remove_pairs(gate_project)
    third = build(gate_project)
    assert url in third.checks.demoted and url not in sitemap(gate_project)
    assert_as_clean_build(gate_project, tmp_path)


def test_an_offer_page_a_search_engine_finds_thin_is_held_back_and_audit_agrees(gate_project: Path, tmp_path: Path):
    """With only Northfield and Westmere left, the Westmere page is the one page of the Westmere premises' offer, but
    once Westmere's area page (with notes of its own) is published, fewer than 30 of its words are on no other
    indexable page, word for word: check holds it back, so audit of the built site finds no thin page."""
    add_satellite(gate_project)
    edit_yaml(gate_project / "locations.yaml", lambda d: d.update(
        locations=[loc for loc in d["locations"] if loc["name"] in ("Northfield", "Westmere")]))
    add_pair(gate_project, "northfield")
    edit_yaml(gate_project / "locations.yaml", lambda d: d["locations"][1].update(notes=(
        "Buses from Westmere stop at the end of Mill Lane, two minutes' walk from the clinic. Drivers from Westmere "
        "can use the car park behind the library, free after six in the evening.")))
    result = build(gate_project).checks
    url = "/lip-fillers/westmere/"
    assert result.held[url].rule == "duplicates.thin" and url in result.demoted
    assert "word for word" in result.held[url].reason
    assert result.duplicates.stats[url].unique_words < 30
    assert "/areas/westmere/" in sitemap(gate_project) and url not in sitemap(gate_project)
    assert audit_findings(gate_project / "output") == []
    assert {s.page for s in audit(gate_project / "output").duplicates.pages} == sitemap(gate_project)
    assert_as_clean_build(gate_project, tmp_path)


def test_pages_that_share_an_offer_are_told_which_field_earns_one_a_place(gate_project: Path):
    """Westmere and Upper Dene show the Westmere clinic's lip fillers and nothing else: each is told that the other
    shares its offer, which field to fill, for which pair, with an example; the HTML report groups them."""
    add_satellite(gate_project)
    result = build(gate_project).checks
    westmere, dene = result.held["/lip-fillers/westmere/"], result.held["/lip-fillers/upper-dene/"]
    assert (westmere.rule, westmere.lacks, dene.lacks) == ("duplicates.doorway", "offer", "offer")
    assert "but the page for Upper Dene shows that clinic's lip fillers with nothing written for it" in westmere.reason
    assert westmere.advice.startswith("Add about ") and "under `landing_pages: lip-fillers:` in Westmere's entry in " \
        "locations.yaml (for example, \"Clients from Westmere who come to Gate Test Clinic at Westmere for lip " \
        "fillers usually" in westmere.advice
    assert "or write such text for Westmere instead" in dene.advice
    assert result.held["/lip-fillers/southwick/"].lacks == "pair"   # the guide's offer: nothing to share
    page = cli("check", "--project", str(gate_project), "--format", "html").stdout
    assert "2 page(s) need text for the treatment in the area (they share one clinic&#x27;s offer with other " \
        "pages)</summary>" in page
    assert "Upper Dene" in page and "/lip-fillers/westmere/" in page


def test_a_premises_that_differs_only_by_its_phone_number_offers_nothing_new(gate_project: Path):
    same_place = (SATELLITE.replace("4 Mill Lane", "1 Example Road")
                  .replace("locality: Westmere", "locality: Middleton").replace("KT2 2BB", "KT1 1AA"))
    add_satellite(gate_project, same_place, "")
    add_pair(gate_project, "upper-dene", note=NOTE.replace("Northfield", "Upper Dene"))
    result = build(gate_project).checks
    assert "/lip-fillers/westmere/" in result.demoted
    assert result.held["/lip-fillers/westmere/"].rule == "duplicates.doorway"


def test_a_placeholder_is_no_difference(gate_project: Path):
    unknown = SATELLITE.replace("street: 4 Mill Lane", 'street: !placeholder "to be confirmed"').replace(
        "locality: Westmere", "locality: Middleton").replace("postcode: KT2 2BB", 'postcode: !placeholder "TBC"')
    add_satellite(gate_project, unknown.replace('"020 0000 0001"', '"020 0000 0000"'), "")
    add_pair(gate_project, "upper-dene", note=NOTE.replace("Northfield", "Upper Dene"))
    result = build(gate_project).checks
    assert "/lip-fillers/westmere/" in result.demoted
