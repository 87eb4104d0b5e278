"""The plan: which pages exist, where they go, their local facts, and what each one depends on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.geo import bearing_deg, compass_point, distance_km
from generator.plan import NEIGHBOURS, plan_site, unserved_places
from generator.validate import Kept, load_project
from tests.projects import REPO, edit, sample_subset
from tests.test_incremental import EDITS, _add_area, _edit_area_notes, _edit_text


@pytest.fixture
def mini(mini_project: Path):
    project = load_project(mini_project)
    return project, plan_site(project)


def test_mini_pages(mini) -> None:
    project, plan = mini
    urls = [p.url_path for p in plan.pages]
    assert urls[:3] == ["/", "/areas/", "/404.html"]
    assert sorted(u for u in urls if u.count("/") == 2 and not u.startswith("/areas/")) == [
        "/chemical-peel/", "/lip-fillers/"]
    assert sorted(p.location for p in plan.pages if p.kind == "area") == [
        "cobham", "east-molesey", "esher", "guildford", "walton-on-thames", "weybridge"]
    landings = {(p.treatment, p.location) for p in plan.pages if p.kind == "landing"}
    # Windsor is 17 km away, Thames Ditton is not published; Guildford is served only by the Guildford room,
    # which offers only the chemical peel.
    assert landings == {(t, loc) for t in ("lip-fillers", "chemical-peel")
                        for loc in ("cobham", "east-molesey", "esher", "walton-on-thames", "weybridge")} | {
        ("chemical-peel", "guildford")}


def test_page_files_follow_their_urls(mini) -> None:
    _, plan = mini
    for page in plan.pages:
        if page.url_path.endswith("/"):
            assert page.file == page.url_path.lstrip("/") + "index.html"
        else:
            assert page.file == page.url_path.lstrip("/")
    assert len({p.file for p in plan.pages}) == len(plan.pages)
    assert len({p.url_path for p in plan.pages}) == len(plan.pages)


def test_only_the_404_page_is_not_indexable(mini) -> None:
    _, plan = mini
    assert [p.url_path for p in plan.pages if not p.indexable] == ["/404.html"]


def test_reach_is_from_the_nearest_premises_that_offers_the_treatment(mini) -> None:
    project, plan = mini
    peel = plan.page("/chemical-peel/guildford/")
    assert peel.reach.premises == "guildford" and peel.reach.km == pytest.approx(0, abs=1e-9)
    esher = plan.page("/lip-fillers/esher/")
    assert esher.reach.premises == "west-molesey"
    assert esher.reach.km == pytest.approx(3.5, abs=0.05)
    assert esher.reach.direction == "south"            # Esher lies south of West Molesey
    assert esher.reach.miles == pytest.approx(esher.reach.km / 1.609344)


def test_neighbours_are_the_nearest_other_served_areas(mini) -> None:
    project, plan = mini
    for page in (p for p in plan.pages if p.kind == "landing"):
        served = {r.location for r in plan.served[page.treatment]}
        near = [n.location for n in page.neighbours]
        assert page.location not in near
        assert set(near) <= served
        assert len(near) == min(NEIGHBOURS, len(served) - 1)
        kms = [n.km for n in page.neighbours]
        assert kms == sorted(kms)
        origin = project.location(page.location)
        farther = served - set(near) - {page.location}
        for other in farther:
            loc = project.location(other)
            assert distance_km(origin.lat, origin.lon, loc.lat, loc.lon) >= kms[-1]


def test_dependencies_name_the_records_each_page_reads(mini) -> None:
    _, plan = mini
    page = plan.page("/lip-fillers/esher/")
    assert {"site", "treatment:lip-fillers", "location:esher"} <= set(page.deps)
    assert {f"location:{n.location}" for n in page.neighbours} <= set(page.deps)
    assert "treatment:chemical-peel" not in page.deps
    hub = plan.page("/lip-fillers/")
    assert "treatment:chemical-peel" in hub.deps      # it links to its related treatment by name
    assert "location:esher" in plan.page("/areas/esher/").deps


def test_restricting_a_premises_changes_what_is_served(mini_project: Path) -> None:
    edit(mini_project / "site.yaml", "treatments: [chemical-peel]", "treatments: [chemical-peel, lip-fillers]")
    plan = plan_site(load_project(mini_project))
    assert plan.page("/lip-fillers/guildford/").reach.premises == "guildford"


def test_unpublished_places_get_no_pages_and_are_no_ones_neighbour(mini) -> None:
    _, plan = mini
    assert all(p.location != "thames-ditton" for p in plan.pages)
    assert all(n.location != "thames-ditton" for p in plan.pages for n in p.neighbours)


def test_every_published_place_without_pages_is_told_why(mini_project: Path) -> None:
    from tests.projects import edit_yaml

    edit_yaml(mini_project / "locations.yaml", lambda d: d["locations"].extend([
        {"name": "Swapped", "lat": -0.35, "lon": 51.38},          # lat and lon swapped
        {"name": "Far North", "lat": 57.48, "lon": -4.22},        # a real place, far beyond any premises
        {"name": "Unlisted", "lat": 51.38, "lon": -0.35, "publish": False}]))
    project = load_project(mini_project)
    unserved = {u.place: u for u in unserved_places(project, plan_site(project))}
    assert set(unserved) == {"Windsor", "Swapped", "Far North"}   # not the place held back on purpose
    assert unserved["Swapped"].suspect and unserved["Swapped"].reason.endswith(
        "; are lat and lon swapped? With lat 51.38, lon -0.35 it would be 3.0 km away")
    assert unserved["Far North"].suspect and "check its lat and lon" in unserved["Far North"].reason
    windsor = unserved["Windsor"]
    assert not windsor.suspect and windsor.reason.startswith(
        f"locations.yaml:{project.location('windsor').line}: Windsor gets no pages: it is ")
    assert windsor.reason.endswith("18 km from the nearest premises (Mini Clinic, West Molesey), beyond the 10 km "
                                   "radius (service_radius_km in site.yaml)")


def test_sample_serves_exactly_the_places_within_the_radius() -> None:
    project = load_project(REPO)
    plan = plan_site(project)
    radius = project.site.service_radius_km
    for t in project.treatments:
        offering = [p for p in project.site.premises if p.treatments is None or t.slug in p.treatments]
        expected = {loc.slug for loc in project.locations if loc.publish and any(
            distance_km(p.lat, p.lon, loc.lat, loc.lon) <= radius for p in offering)}
        landed = {p.location for p in plan.pages if p.kind == "landing" and p.treatment == t.slug}
        assert landed == expected, t.slug
        assert expected, f"{t.slug} serves no area"
    assert len({p.url_path for p in plan.pages}) == len(plan.pages)


def test_plan_is_deterministic() -> None:
    first = plan_site(load_project(REPO))
    second = plan_site(load_project(REPO))
    assert first.pages == second.pages


# -- geometry the plan relies on --------------------------------------------------------------------------------

def test_distance_km_known_values() -> None:
    assert distance_km(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343.5, abs=1.0)   # London - Paris
    assert distance_km(51.4, -0.38, 51.4, -0.38) == 0
    assert distance_km(0, 0, 0, 180) == pytest.approx(20015.1, abs=1)                      # half the equator


@pytest.mark.parametrize(("to", "point"), [
    ((52.0, 0.0), "north"), ((51.0, 0.0), "south"), ((51.5, 1.0), "east"), ((51.5, -1.0), "west"),
    ((52.0, 1.0), "north-east"), ((51.0, -1.0), "south-west"), ((52.0, -1.0), "north-west"),
    ((51.0, 1.0), "south-east"),
])
def test_compass_points_from_a_place(to: tuple[float, float], point: str) -> None:
    assert compass_point(bearing_deg(51.5, 0.0, *to)) == point


@pytest.mark.parametrize(("bearing", "point"), [(0, "north"), (22.4, "north"), (22.5, "north-east"),
                                                 (337.5, "north"), (359.9, "north"), (180, "south")])
def test_compass_point_boundaries(bearing: float, point: str) -> None:
    assert compass_point(bearing) == point


def test_no_phase_imports_a_later_one() -> None:
    """validate (model, validate) does not import deploy, plan does not import the build state: each reads only what the
    phases before it made (a fresh interpreter, so that no other test's imports count)."""
    import subprocess
    import sys

    from tests.projects import REPO

    code = ("import sys, generator.model, generator.validate, generator.plan; "
            "print(sorted(m for m in sys.modules if m.startswith(('generator.deploy', 'generator.state', "
            "'generator.build', 'generator.render', 'generator.checks'))))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


def test_the_places_a_project_knows_match_as_written_in_notes(mini) -> None:
    _, plan = mini
    found = plan.places
    assert found.named_in("The bus from WALTON ON THAMES stops outside")          # case, space for hyphen
    assert found.named_in("Park at Hampton Court station")                      # a place's station
    assert found.named_in("our West Molesey clinic")                            # the premises' town
    assert found.named_in("Thames Ditton")                                      # a place not published
    assert not found.named_in("Eshering") and not found.named_in("When it comes to lip fillers, goals differ.")


def test_a_place_is_named_in_the_possessive_too(mini) -> None:
    _, plan = mini
    assert plan.places.named_in("Esher's new car park") and plan.places.named_in("Walton-on-Thames’s bridge")


_NAME_PIECES = ["esher", "east", "molesey", "east molesey", "st", "mary", "walton", "on", "thames", "ash", "ashford",
                "kings", "king"]


@given(names=st.lists(st.lists(st.sampled_from(_NAME_PIECES), min_size=1, max_size=3), max_size=6),
       text=st.lists(st.tuples(st.sampled_from(_NAME_PIECES + ["Esher", "EAST", "King", "stmary", "é9", "İ"]),
                               st.sampled_from([" ", "-", "_", ", ", "'s ", "’s-", "", "'", "s"])), max_size=12))
@example(names=[["east", "molesey"]], text=[("East", "-"), ("molesey", "")])       # a hyphen between the words
@example(names=[["esher"]], text=[("ash", "_"), ("esher", "")])                    # `_` is between words
@example(names=[["king", "ash"]], text=[("King", "’s-"), ("ash", "s")])             # 's, and a longer word
@example(names=[["ash"], ["ashford"]], text=[("ash", ""), ("ford", "'")])
def test_a_place_is_found_in_text_as_a_search_of_its_words_would_find_it(names, text) -> None:
    """named_in searches with one expression; it finds a name exactly where the words of the text (`_name_words`)
    hold the words of the name one after another."""
    from generator.plan import Places, _name_words
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for name in (" ".join(words) for words in names):
        split = _name_words(name)
        by_first.setdefault(split[0], set()).add(tuple(split[1:]))
    places = Places({first: tuple(sorted(rests)) for first, rests in sorted(by_first.items())})
    written = "".join(word + mark for word, mark in text)
    words = _name_words(written)
    expected = any(tuple(words[i + 1:i + 1 + len(rest)]) == rest
                   for i, word in enumerate(words) for rest in places.by_first.get(word, ()))
    assert places.named_in(written) == expected


@given(st.text(alphabet="'’‘sS_ aé-", max_size=30))
@example("Esher’s and Cobham's_s ’'s")
def test_possessives_are_taken_out_as_one_expression_of_every_apostrophe_would(text) -> None:
    """The words searched for names lose each possessive 's, whichever apostrophe it is written with, as one search
    for any of them followed by s and a word's end takes them out."""
    import re

    from generator.plan import _words_text
    from generator.text import APOSTROPHES
    assert _words_text(text) == re.sub(rf"[{APOSTROPHES}]s\b", "", text.lower()).replace("_", " ")


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9)), min_size=1, max_size=6))
def test_a_plan_drawn_from_the_last_one_equals_a_fresh_plan(tmp_path_factory, edits) -> None:
    """The preview plans each save from the last plan (`plan_site(project, last)`): after any sequence of edits,
    the plan is the one drawn afresh, page for page."""
    project_dir = sample_subset(tmp_path_factory.mktemp("replan") / "p", treatments=3, locations=5)
    last = plan_site(load_project(project_dir))
    for edit_, n in edits:
        edit_(project_dir, n)
        project = load_project(project_dir)
        plan, fresh = plan_site(project, last), plan_site(project)
        assert plan == fresh, f"after {edit_.__name__}({n})"
        assert plan.pages == fresh.pages and plan.skipped == fresh.skipped
        last = plan


def test_a_save_of_a_places_text_redraws_only_its_pages(tmp_path) -> None:
    """An edit of a place's notes or of a treatment's text starts from the last plan (what is served where, and
    the pages of other places, are the last plan's own objects); a place moved is planned afresh. The loads keep
    what they made for the next one (`validate.Kept`), as the preview's do: the records of unchanged places are
    the last load's own objects."""
    project_dir = sample_subset(tmp_path / "p", treatments=3, locations=5)
    kept = Kept()
    last = plan_site(load_project(project_dir, kept))
    _edit_area_notes(project_dir, 3)   # takes the notes of the fourth place away: its page has no text of its own
    project = load_project(project_dir, kept)
    plan = plan_site(project, last)
    assert plan.served is last.served
    changed = [new for new, old in zip(plan.pages, last.pages, strict=True) if new is not old]
    assert [page.url_path for page in changed] == [f"/areas/{project.locations[3].slug}/"]
    _edit_text(project_dir, 2)
    assert plan_site(load_project(project_dir, kept), plan).pages is plan.pages
    _add_area(project_dir, 3)
    assert plan_site(load_project(project_dir, kept), plan).served is not plan.served
