"""Incremental builds: only what changed is rendered and written, and the result equals a clean build."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import workers
from generator.build import build
from generator.errors import ChecksFailed
from generator.output import JOURNAL, MANIFEST
from generator.state import STATE_FILE
from tests.projects import REPO, edit_yaml, kill_build, sample_subset, set_radius, stamps, wait_until
from tests.projects import tree_bytes as tree

EPOCH = "1767225600"  # 2026-01-01


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def test_a_build_with_no_change_renders_and_writes_nothing(tmp_path):
    project = sample_subset(tmp_path / "p")
    first = build(project)
    assert first.rendered == first.pages > 300
    before = stamps(project / "output")
    again = build(project)
    assert again.up_to_date and again.rendered == 0
    assert again.summary().startswith(f"Up to date: {first.pages} pages, nothing changed")
    assert stamps(project / "output") == before


def test_editing_one_treatment_renders_only_the_pages_that_use_it(built_copy):
    project, first = built_copy()
    before = stamps(project / "output")
    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"] + " Edited for the test."))
    slug = yaml.safe_load((project / "treatments.yaml").read_text())["treatments"][0]["slug"]
    report = build(project)
    shows_summary = {p.file for p in report.plan.pages if p.treatment == slug}
    links_to_it = {p.file for p in report.plan.pages
                   if p.kind == "treatment" and slug in report.project.treatment(p.treatment).related}
    lists_all = {p.file for p in report.plan.pages if p.kind == "home"}   # reads every treatment, shows no summary
    changed = {f for f, t in stamps(project / "output").items() if before.get(f) != t}
    # Pages that use the record are rendered again; only those whose bytes changed are written.
    assert report.rendered == len(shows_summary | links_to_it | lists_all) < first.pages / 5
    assert changed - {MANIFEST, "sitemap.xml"} == shows_summary
    assert "Edited for the test." in (project / "output" / slug / "index.html").read_text()


def test_removing_a_placeholder_tag_renders_every_page_that_shows_the_value(tmp_path):
    """The tag is part of a page's inputs: a phone number marked !placeholder is left out of the structured data,
    and the same number without the tag goes in, on every page that names the clinic."""
    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    site = project / "site.yaml"
    site.write_text(site.read_text().replace('phone: !placeholder "Phone number to be confirmed"',
                                             'phone: !placeholder "020 8979 0000"'))
    first = build(project)
    assert '"telephone"' not in (project / "output" / "index.html").read_text()
    site.write_text(site.read_text().replace('phone: !placeholder "020 8979 0000"', 'phone: "020 8979 0000"'))
    report = build(project)
    assert report.rendered == first.pages
    pages = [p for p in (project / "output").rglob("*.html") if p.name != "404.html"]
    assert pages and all('"telephone":"020 8979 0000"' in p.read_text() for p in pages)
    assert not any("020 8979 0000" in p for p in report.placeholders)
    fresh = tree(project / "output")
    build(project, clean=True)
    assert tree(project / "output") == fresh


def test_every_build_lists_the_placeholders_even_when_up_to_date(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    first = build(project)
    again = build(project)
    assert again.up_to_date and again.placeholders == first.placeholders
    assert again.placeholders[0].startswith("site.yaml:6: base_url: ")


def test_a_place_with_no_pages_is_reported_with_the_reason(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    edit_yaml(project / "locations.yaml", lambda d: d["locations"].append(
        {"name": "Hersham", "slug": "hersham", "lat": 51.36806, "lon": 0.4006}))   # the sign of lon lost
    report = build(project)
    [hersham] = [u for u in report.unserved if u.place == "Hersham"]
    assert hersham.suspect
    assert re.fullmatch(r"locations\.yaml:\d+: Hersham gets no pages: it is 54 km from the nearest premises \(.+\), "
                        r"beyond the 15 km radius \(service_radius_km in site\.yaml\); is the longitude's sign right\? "
                        r"With lat 51\.3681, lon -0\.4006 it would be 3\.8 km away", hersham.reason)
    assert not (project / "output" / "areas" / "hersham").exists()


def test_deleting_an_area_removes_its_pages_and_sitemap_entries(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=3, locations=6)
    build(project)
    assert (project / "output/areas/esher/index.html").exists()
    edit_yaml(project / "locations.yaml",
              lambda d: d.update(locations=[loc for loc in d["locations"] if loc["slug"] != "esher"]))
    report = build(project)
    assert not (project / "output/areas/esher").exists()
    assert not any("/esher/" in f for f in report.result.written)
    assert all("esher" not in f for f in tree(project / "output"))
    assert "/esher/" not in (project / "output/sitemap.xml").read_text()
    assert len([f for f in report.result.removed if "esher" in f]) == 4  # area hub + 3 landing pages


@pytest.mark.parametrize("damage, message", [
    (lambda p: p.write_text("{not json"), "unreadable"),
    (lambda p: p.write_text(json.dumps({"version": 999, "pages": {}})), "another version"),
    (lambda p: p.unlink(), None),
])
def test_a_missing_corrupt_or_foreign_state_falls_back_to_a_clean_build(tmp_path, damage, message):
    project = sample_subset(tmp_path / "p", treatments=2, locations=4)
    build(project)
    expected = tree(project / "output")
    damage(project / STATE_FILE)
    (project / "templates" / "landing.html").write_text(
        (project / "templates" / "landing.html").read_text())  # touch nothing real
    report = build(project)
    assert report.rendered == report.pages
    assert (message is None and not report.notices) or any(message in n for n in report.notices)
    assert tree(project / "output") == expected


def test_a_new_version_of_clinic_pages_renders_every_page_again(tmp_path, monkeypatch):
    """An upgrade that changes how pages are drawn (here: titles cut at 40 characters, not 60) reaches every
    page, not only those whose records changed: the result is that of a clean build with the new code."""
    from generator import digests, render
    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    build(project)
    before = tree(project / "output")
    monkeypatch.setattr(render, "TITLE_MAX", 40)
    monkeypatch.setattr(digests, "_CODE_DIGEST", "the digest of another version")
    upgraded = build(project)
    assert upgraded.rendered == upgraded.pages
    clean = sample_subset(tmp_path / "clean", treatments=3, locations=5)
    build(clean)
    assert tree(project / "output") == tree(clean / "output") != before


HOUSE_RULE = ("rules:\n  - id: house-word\n    severity: error\n    message: a word the clinic avoids\n"
              "    hint: say it another way\n    source: https://example.org/house-style\n    terms: [{word}]\n")


def with_house_rules(project: Path, word: str) -> Path:
    """The project with its own rule file (named in site.yaml's checks.rules) that forbids `word`."""
    (project / "rules").mkdir(exist_ok=True)
    (project / "rules" / "house.yaml").write_text(HOUSE_RULE.format(word=word))
    site = project / "site.yaml"
    site.write_text(site.read_text().replace("\nchecks:\n", "\nchecks:\n  rules: [rules/house.yaml]\n", 1))
    return project / "rules" / "house.yaml"


def test_an_edited_rule_file_is_a_change_the_next_build_checks_again(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=2, locations=4)
    rules = with_house_rules(project, "zzyzzq")
    first = build(project)
    assert first.checks.ok and not build(project).checks   # nothing changed: up to date
    rules.write_text(HOUSE_RULE.format(word="clinic"))   # a word on every page
    with pytest.raises(ChecksFailed) as failed:
        build(project)
    assert {f.rule for f in failed.value.result.findings} >= {"claims.house-word"}


def test_a_generated_file_deleted_by_hand_is_put_back_by_the_next_build(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=2, locations=4)
    build(project)
    expected = tree(project / "output")
    (project / "output" / "sitemap.xml").unlink()
    page = next(f for f in expected if f.endswith("/index.html") and f.count("/") == 2)   # a landing page
    (project / "output" / page).unlink()
    report = build(project)
    assert not report.up_to_date and report.rendered == 1
    assert sorted(report.result.written) == sorted([page, "sitemap.xml"])
    assert tree(project / "output") == expected


def test_a_clean_build_puts_back_a_generated_file_edited_by_hand(tmp_path):
    project = sample_subset(tmp_path / "p", treatments=2, locations=4)
    build(project)
    expected = tree(project / "output")
    (project / "output" / "index.html").write_text("edited by hand")
    report = build(project, clean=True)
    assert report.result.written == ["index.html"]
    assert tree(project / "output") == expected


def test_lastmod_changes_exactly_for_the_pages_whose_content_changed(tmp_path, monkeypatch):
    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    build(project)
    first = json.loads((project / STATE_FILE).read_text())["pages"]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400 * 40))  # 2026-02-10
    note = ("A new local note, long enough to earn the area's page a place: written for the test, it says how people "
            "from the place get to the clinic, where they can park, and which buses stop near the door.")
    edit_yaml(project / "locations.yaml", lambda d: d["locations"][0].update(notes=note))
    changed_slug = yaml.safe_load((project / "locations.yaml").read_text())["locations"][0]["slug"]
    build(project)
    second = json.loads((project / STATE_FILE).read_text())["pages"]
    moved = {f for f in second if second[f]["lastmod"] != first[f]["lastmod"]}
    content_changed = {f for f in second if second[f]["sha"] != first[f]["sha"]}
    assert moved == content_changed
    assert moved and all(second[f]["lastmod"] == "2026-02-10" for f in moved)
    assert any(changed_slug in f for f in moved)
    sitemap = (project / "output" / "sitemap.xml").read_text()
    listed = [f for f in moved if f"/{f.removesuffix('index.html')}</loc>" in sitemap]   # demoted pages are not
    assert listed and sitemap.count("<lastmod>2026-02-10</lastmod>") == len(listed)


def test_parallel_rendering_gives_the_same_bytes_as_one_process(tmp_path, monkeypatch):
    one = sample_subset(tmp_path / "one")
    many = sample_subset(tmp_path / "many")
    first = build(one, jobs=1)
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    second = build(many, jobs=2)   # checked in the render workers, their blocks sent back in batches
    assert tree(one / "output") == tree(many / "output")
    assert second.checks.findings == first.checks.findings and second.checks.demoted == first.checks.demoted
    assert [(s.page, s.unique_share, s.unique_words, s.twin) for s in second.checks.duplicates.pages] == \
        [(s.page, s.unique_share, s.unique_words, s.twin) for s in first.checks.duplicates.pages]


# -- the property: any sequence of edits, built incrementally, equals a clean build ----------------------------

def _edit_text(project: Path, i: int) -> None:
    edit_yaml(project / "treatments.yaml", lambda d: d["treatments"][i % len(d["treatments"])].update(
        summary=f"Changed text number {i}. " + d["treatments"][i % len(d["treatments"])]["summary"]))


def _add_treatment(project: Path, i: int) -> None:
    def change(d):
        new = dict(d["treatments"][0], slug=f"added-{i}", name=f"Added Treatment {i}", related=[])
        if all(t["slug"] != new["slug"] for t in d["treatments"]):
            d["treatments"].append(new)
    edit_yaml(project / "treatments.yaml", change)


def _rename_treatment(project: Path, i: int) -> None:
    def change(d):
        t = d["treatments"][-1]
        old = t["slug"]
        if any(other["slug"] == f"renamed-{i}" for other in d["treatments"]):
            return   # that name is taken (an earlier rename): renaming again would make invalid data
        t["slug"], t["name"] = f"renamed-{i}", f"Renamed Treatment {i}"
        for other in d["treatments"]:
            other["related"] = [t["slug"] if r == old else r for r in other.get("related", [])]
        _rename_pairs(project, old, t["slug"])
    edit_yaml(project / "treatments.yaml", change)


def _rename_pairs(project: Path, old: str, new: str | None) -> None:
    """The text written for a treatment in each place follows the treatment's new slug (None: it is removed)."""
    def change(d):
        for loc in d["locations"]:
            pairs = loc.get("landing_pages") or {}
            if old in pairs:
                text = pairs.pop(old)
                if new is not None:
                    pairs[new] = text
            if "landing_pages" in loc and not pairs:
                del loc["landing_pages"]
    edit_yaml(project / "locations.yaml", change)


def _delete_treatment(project: Path, i: int) -> None:
    def change(d):
        if len(d["treatments"]) > 1:
            gone = d["treatments"].pop(i % len(d["treatments"]))["slug"]
            for other in d["treatments"]:
                other["related"] = [r for r in other.get("related", []) if r != gone]
            _rename_pairs(project, gone, None)
    edit_yaml(project / "treatments.yaml", change)


def _add_area(project: Path, i: int) -> None:
    def change(d):
        if all(loc["slug"] != f"new-place-{i}" for loc in d["locations"]):
            d["locations"].append({"name": f"New Place {i}", "slug": f"new-place-{i}",
                                   "lat": 51.39 + i / 1000, "lon": -0.36 - i / 1000})
    edit_yaml(project / "locations.yaml", change)


def _rename_area(project: Path, i: int) -> None:
    def change(d):
        if all(loc["slug"] != f"renamed-place-{i}" for loc in d["locations"]):   # not a name already taken
            d["locations"][-1].update(name=f"Renamed Place {i}", slug=f"renamed-place-{i}")
    edit_yaml(project / "locations.yaml", change)


def _delete_area(project: Path, i: int) -> None:
    edit_yaml(project / "locations.yaml",
              lambda d: len(d["locations"]) > 1 and d["locations"].pop(i % len(d["locations"])))


def _change_template(project: Path, i: int) -> None:
    path = project / "templates" / ("landing.html", "base.html", "_faqs.html", "area.html")[i % 4]
    text = path.read_text()
    path.write_text(text.replace("{% endblock %}", f"<p>Template edit {i}.</p>\n{{% endblock %}}", 1)
                    if "{% endblock %}" in text else text + f"<!-- edit {i} -->\n")


def _change_setting(project: Path, i: int) -> None:
    set_radius(project, [4, 6, 15][i % 3])


def _toggle_placeholder(project: Path, i: int) -> None:
    """Fill in the phone number, or mark it unknown again: the same text, with or without the tag."""
    path = project / "site.yaml"
    text = path.read_text()
    tagged, plain = 'phone: !placeholder "020 8979 0000"', 'phone: "020 8979 0000"'
    if tagged in text:
        text = text.replace(tagged, plain)
    elif plain in text:
        text = text.replace(plain, tagged)
    else:
        text = re.sub(r'phone: !placeholder "[^"]*"', plain if i % 2 else tagged, text, count=1)
    path.write_text(text)


def _change_price(project: Path, i: int) -> None:
    """A price shows on the treatment's pages, on its related hubs, on the home page and on every area page."""
    edit_yaml(project / "treatments.yaml", lambda d: d["treatments"][i % len(d["treatments"])].update(
        price_from=100 + i))


def _change_grammar(project: Path, i: int) -> None:
    """A name's grammar shows wherever a page puts the name in a sentence (the practitioners' "Provides ...")."""
    edit_yaml(project / "treatments.yaml", lambda d: d["treatments"][i % len(d["treatments"])].update(
        name_article="none", name_in_text=f"treatment number {i}"))


def _edit_area_notes(project: Path, i: int) -> None:
    """An area's own text (its page's; the landing pages near it link there): changed, or taken away."""
    def change(d):
        loc = d["locations"][i % len(d["locations"])]
        if i % 3 == 0:
            loc.pop("notes", None)
        else:
            loc["notes"] = (f"Notes edited in round {i}: the bus from {loc['name']} stops two minutes' walk from "
                            "the clinic, and the car park behind the parade is free after six in the evening.")
    edit_yaml(project / "locations.yaml", change)


def _edit_pair_note(project: Path, i: int) -> None:
    """Text written for one treatment in one place: naming the place (it counts as the landing page's own),
    naming none (it does not), or taken away."""
    treatments = yaml.safe_load((project / "treatments.yaml").read_text())["treatments"]
    slug = treatments[i % len(treatments)]["slug"]

    def change(d):
        loc = d["locations"][(i // 3) % len(d["locations"])]
        pairs = loc.setdefault("landing_pages", {})
        if i % 3 == 0:
            pairs.pop(slug, None)
        elif i % 3 == 1:
            pairs[slug] = {"note": f"People from {loc['name']} ask us in round {i} how long the first visit takes: "
                                   "about an hour, with time for questions before anything is done."}
        else:
            pairs[slug] = {"note": f"Round {i}: the first visit takes about an hour, with time for questions."}
        if not pairs:
            del loc["landing_pages"]
    edit_yaml(project / "locations.yaml", change)


EDITS = [_edit_text, _add_treatment, _rename_treatment, _delete_treatment, _add_area, _rename_area, _delete_area,
         _change_template, _change_setting, _toggle_placeholder, _change_price, _change_grammar, _edit_area_notes,
         _edit_pair_note]


@pytest.fixture(scope="module")
def first_build(tmp_path_factory) -> Path:
    """The property's starting point, as its first build left it: built once per process, copied per example."""
    project = sample_subset(tmp_path_factory.mktemp("prop-first") / "p", treatments=3, locations=5)
    # An added treatment starts as a copy of another: report duplicates rather than stop the build (thin pages
    # are still demoted, so demotion is part of what must come out the same).
    site = project / "site.yaml"
    site.write_text(site.read_text().replace("duplicates.exact: fail", "duplicates.exact: warn")
                    .replace("duplicates.near: fail", "duplicates.near: warn"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(project)
    return project


@pytest.mark.slow
# 8 sequences of 1-4 edits: about 20 edits of the 14 kinds in a run (each builds twice: incrementally, and clean
# for the comparison); hypothesis draws new ones at every run.
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9)), min_size=1, max_size=4))
def test_any_sequence_of_edits_built_incrementally_equals_a_clean_build(tmp_path_factory, first_build, edits):
    root = tmp_path_factory.mktemp("prop")
    project = Path(shutil.copytree(first_build, root / "p", symlinks=True))
    for edit, n in edits:
        edit(project, n)
        build(project)
        fresh = root / f"fresh-{n}"
        shutil.rmtree(fresh, ignore_errors=True)
        sample_subset(fresh)
        for name in ("site.yaml", "treatments.yaml", "locations.yaml"):
            shutil.copy(project / name, fresh / name)
        shutil.rmtree(fresh / "templates")
        shutil.copytree(project / "templates", fresh / "templates")
        build(fresh, clean=True)
        assert tree(project / "output") == tree(fresh / "output"), f"after {edit.__name__}({n})"


# -- killed builds --------------------------------------------------------------------------------------------

# A build that kills itself (SIGKILL: no cleanup of any kind) once it has moved three files into output/.
_DIES_MID_COMMIT = """
import os, signal, sys
from generator.cli import main
output = os.path.join(sys.argv[sys.argv.index("--project") + 1], "output") + os.sep
real, moved = os.replace, []
def dying(src, dst):
    if os.fspath(dst).startswith(output):
        moved.append(dst)
        if len(moved) == 3:
            os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)
os.replace = dying
raise SystemExit(main())
"""


def _start_build(project: Path, code: str = "from generator.cli import main; raise SystemExit(main())"):
    """`build` in a process of its own session, so that its forked workers can be killed with it."""
    return subprocess.Popen([sys.executable, "-c", code, "build", "--project", str(project)],
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, start_new_session=True)


def _kill_once_pages_are_staged(project: Path, staging: Path, pages: int = 50) -> None:
    """Start a build, and kill it and its workers once `pages` pages are staged (long before its commit)."""
    proc = _start_build(project)
    try:
        wait_until(lambda: proc.poll() is not None or sum(1 for _ in staging.rglob("*.html")) >= pages, 300,
                   f"{pages} pages staged")
        assert proc.poll() is None, "the build finished before it could be killed: make the project bigger"
    finally:
        kill_build(proc, project / "output")


@pytest.mark.slow
def test_a_killed_build_never_loses_the_last_good_output(tmp_path, built_copy):
    project, _ = built_copy()   # the sample, 379 pages: rendered by forked workers, killed with them
    output, staging = project / "output", project / ".output.staging"
    good = tree(output)
    for attempt, when in enumerate(("while rendering", "mid-commit")):
        path = project / "templates" / "landing.html"
        path.write_text(path.read_text().replace("</h1>", f"</h1><p>Version {attempt}.</p>", 1))
        if when == "while rendering":
            _kill_once_pages_are_staged(project, staging)
            assert not (staging / JOURNAL).exists(), "killed too late: the commit had begun"
            assert tree(output) == good        # killed before the commit: output/ is exactly the last good build
        else:
            proc = _start_build(project, _DIES_MID_COMMIT)
            _, err = proc.communicate(timeout=600)
            assert proc.returncode == -signal.SIGKILL, err.decode()
            assert (staging / JOURNAL).exists() and tree(output) != good   # some files new, the others old
        # Either way, the next build finishes the job and equals a clean build.
        build(project)
        assert not staging.exists()
        good = tree(output)
        fresh = tmp_path / f"fresh-{attempt}"
        sample_subset(fresh)
        shutil.copy(project / "site.yaml", fresh / "site.yaml")
        shutil.copy(path, fresh / "templates" / "landing.html")
        build(fresh, clean=True)
        assert good == tree(fresh / "output")


@pytest.mark.parametrize(("change", "says"), [
    (lambda pages, first: pages.update({"../../outside.html": pages[first]}),
     "it names the page '../../outside.html': it leads out of its folder (..)"),
    (lambda pages, first: pages.update({"/etc/passwd": pages[first]}),
     "it names the page '/etc/passwd': it is an absolute path"),
    (lambda pages, first: pages[first].update(lastmod="</lastmod></url><url><loc>https://evil.example/</loc>"),
     "the lastmod of 'FIRST' is '</lastmod></url><url><loc>https://evi...'"),
    (lambda pages, first: pages[first].update(sha=["not", "text"]), "the sha of 'FIRST' is"),
])
def test_a_state_file_naming_paths_outside_output_or_bad_dates_is_refused_and_the_build_is_clean(
        tmp_path, change, says):
    project = sample_subset(tmp_path / "p", treatments=2, locations=3)
    build(project)
    expected = tree(project / "output")
    data = json.loads((project / STATE_FILE).read_text())
    first = sorted(data["pages"])[0]
    change(data["pages"], first)
    (project / STATE_FILE).write_text(json.dumps(data))
    (project / "site.yaml").write_text((project / "site.yaml").read_text() + "\n")   # not a no-op build
    report = build(project)
    assert report.rendered == report.pages
    assert report.notices[0].startswith(f"{STATE_FILE} is damaged ({says.replace('FIRST', first)}")
    assert report.notices[0].endswith("; doing a clean build")
    assert tree(project / "output") == expected
    assert "evil.example" not in (project / "output" / "sitemap.xml").read_text()
