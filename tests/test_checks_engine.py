"""The check engine end to end: disclaimers, leaks, consistency, policies, waivers, demotion, build and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from generator import workers
from generator.build import build
from generator.checks import HtmlPage, check_built_site, check_pages, parse_html
from generator.checks.content import check_disclaimers, check_leaks, fold
from generator.checks.engine import ChecksFailed
from generator.checks.facts import PageFacts
from generator.errors import DataError
from tests.projects import cli, edit, run_cli, tree_bytes

DISCLAIMER = "Results vary from person to person."
FACTS = PageFacts("/x/", "x/index.html", "landing", "https://e.example/x/", True, "/t/", treatment="Lip Fillers",
                  area="Esher", disclaimers=(("results-vary", DISCLAIMER),))


def page_with(body: str) -> HtmlPage:
    return parse_html("x/index.html", f"<!DOCTYPE html><html><body><main>{body}</main></body></html>")


def missing(body: str) -> bool:
    page = page_with(body)
    return bool(list(check_disclaimers(page, FACTS, fold(page.visible_text))))


# -- disclaimers ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    f"<p>{DISCLAIMER}</p>",
    "<p>Results   vary from\n person to <b>person</b>.</p>",
    "<ul><li data-x='1'>RESULTS VARY FROM PERSON TO PERSON.</li></ul>",
])
def test_a_visible_disclaimer_counts(body):
    assert not missing(body)


@pytest.mark.parametrize("body", [
    f"<p hidden>{DISCLAIMER}</p>",
    f"<div aria-hidden='true'><p>{DISCLAIMER}</p></div>",
    f"<p style='color: red; display: none'>{DISCLAIMER}</p>",
    f"<p style='visibility:hidden'>{DISCLAIMER}</p>",
    f"<template><p>{DISCLAIMER}</p></template>",
    f"<noscript><p>{DISCLAIMER}</p></noscript>",
    f"<!-- {DISCLAIMER} -->",
    f"<script>var d = '{DISCLAIMER}';</script>",
    f"<img src='a.png' alt='{DISCLAIMER}'>",
    f"<p title='{DISCLAIMER}'>Read the small print.</p>",
    "<p>Results vary from one person to the next.</p>",      # edited: counts as missing
])
def test_a_hidden_or_edited_disclaimer_is_missing(body):
    assert missing(body)


# -- leaks ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "rule"), [
    ("<p>Lip fillers near {{ area.name }}</p>", "leaks.template"),
    ("<p>Phone: None</p>", "leaks.missing-value"),
    ("<p>From £nan</p>", "leaks.missing-value"),
    ("<p>Distance: undefined km</p>", "leaks.missing-value"),
    ("<h2>Nearby</h2><ul></ul><p>x</p>", "leaks.empty-list"),
    ("<h2>Questions</h2><h2>Aftercare</h2><p>Rest.</p>", "leaks.empty-heading"),
    ("<p>Visit us from a Esher address.</p>", "leaks.article"),
])
def test_template_leaks(body, rule):
    assert [f.rule for f in check_leaks(page_with(body), FACTS)] == [rule]


@pytest.mark.parametrize("body", [
    "<p>None of our treatments is suitable for everyone.</p>",
    "<h2>Questions</h2><h3>How long?</h3><p>Months.</p>",
    "<p>An Esher resident.</p>",
])
def test_what_is_not_a_leak(body):
    assert list(check_leaks(page_with(body), FACTS)) == []


# -- the built site -----------------------------------------------------------------------------------------

@pytest.fixture
def built_mini(mini_project: Path) -> Path:
    build(mini_project)
    return mini_project


def set_checks(project: Path, section: str) -> None:
    """Replace the mini fixture's `checks:` section (which only warns on its deliberately alike pages)."""
    site = (project / "site.yaml").read_text()
    start = site.index("\nchecks:\n")
    (project / "site.yaml").write_text(site[:start] + "\nchecks:\n  policies:\n    duplicates: warn\n" + section)


CLAIM_AT = "summary: A hyaluronic acid gel"


def test_the_sample_site_passes_its_own_checks(built_sample: Path):
    result = check_built_site(built_sample.parent)
    assert result.errors == 0, [f for f in result.findings if f.severity == "error"][:5]
    assert result.duplicates.clusters == []


def test_the_sample_publishes_only_pages_with_text_of_their_own(built_sample: Path):
    """The sample has no text written for any treatment in any area: every landing page is held back, with what
    would earn it a place; an area page stays only on notes of its own; the hubs and the home page stay."""
    result = check_built_site(built_sample.parent)
    landing = [u for u, f in _facts(built_sample).items() if f.kind == "landing"]
    assert len(landing) == 336 and all(result.demoted[u] == f"/{u.split('/')[1]}/" for u in landing)
    assert all(result.held[u].rule == "duplicates.doorway" and result.held[u].lacks == "pair" for u in landing)
    assert result.held["/jaw-fillers/east-horsley/"].advice.startswith(
        "Add about 30 words about jaw fillers for people in East Horsley (for example, a question people from "
        "East Horsley ask about jaw fillers, with your answer) under `landing_pages: jaw-fillers:`")
    stats = result.duplicates.stats
    published = [u for u in stats if u not in result.demoted]
    assert {"/", "/areas/", "/jaw-fillers/"} <= set(published)
    for url in published:   # each has text of its own, page by page, against every other page published
        assert stats[url].unique_words >= 30 and stats[url].unique_share >= 0.05 and not stats[url].thin, url
    for url, target in result.demoted.items():
        if url.startswith("/areas/"):   # too short, or (Byfleet's and West Byfleet's) each other's with names swapped
            assert target == "/areas/" and result.held[url].lacks == (
                "say" if url in ("/areas/byfleet/", "/areas/west-byfleet/") else "area"), url
    assert "1 sentence is another page's reworded (\"Byfleet & New Haw station is on the South Western Main Line " \
        "between West…\", as on /areas/west-byfleet/): it does not count" in result.held["/areas/byfleet/"].reason
    sitemap = (built_sample / "sitemap.xml").read_text()
    assert sitemap.count("<loc>") == len(published) and "/jaw-fillers/esher/" not in sitemap


def _facts(output: Path):
    from generator.checks.facts import site_facts
    from generator.plan import plan_site
    from generator.validate import load_project
    project = load_project(output.parent)
    return site_facts(project, plan_site(project)).pages


def test_consistency_with_the_records(built_mini: Path):
    out = built_mini / "output"
    edit(out / "lip-fillers/esher/index.html", "020 0000 0000", "020 9999 9999", count=10)
    page = out / "areas/esher/index.html"
    page.write_text(page.read_text().replace("<h1>", "<h1>Welcome</h1><h1>", 1))
    sitemap = out / "sitemap.xml"
    sitemap.write_text(re.sub(r"<url><loc>[^<]*/areas/cobham/</loc>.*?</url>\n", "", sitemap.read_text()))
    (out / "lip-fillers/cobham/index.html").unlink()
    found = {(f.rule, f.page) for f in check_built_site(built_mini).findings if f.severity == "error"}
    assert ("consistency.phone", "/lip-fillers/esher/") in found
    assert ("consistency.h1", "/areas/esher/") in found
    assert ("consistency.sitemap", "/areas/cobham/") in found
    assert ("consistency.missing-page", "/lip-fillers/cobham/") in found


def test_check_reads_the_sitemap_as_audit_does(built_mini: Path):
    """`check` and `audit` read a sitemap with one XML parser (checks.site.read_sitemap): an entry in a comment is
    not an entry, and one in CDATA is (a regular expression for `<loc>` once saw the first and misread the second)."""
    from generator.audit import audit
    from generator.checks.site import read_sitemap

    sitemap = built_mini / "output" / "sitemap.xml"
    text = re.sub(r"(<url><loc>[^<]*/areas/cobham/</loc>.*?</url>)", r"<!-- \1 -->", sitemap.read_text())
    text = re.sub(r"<loc>([^<]*/areas/esher/)</loc>", r"<loc><![CDATA[\1]]></loc>", text)
    sitemap.write_text(text)
    locs = read_sitemap("sitemap.xml", sitemap.read_bytes()).locs
    assert not any(loc.endswith("/areas/cobham/") for loc in locs)
    assert any(loc.endswith("/areas/esher/") for loc in locs)
    found = {(f.rule, f.page) for f in check_built_site(built_mini).findings if f.rule == "consistency.sitemap"}
    assert found == {("consistency.sitemap", "/areas/cobham/")}
    audited = audit(built_mini / "output", base_url="https://www.mini-clinic.example")
    assert ("seo.sitemap-missing-page", "/areas/cobham/") in {(f.rule, f.page) for f in audited.findings}


def test_a_claim_in_the_data_stops_the_build_and_leaves_output_untouched(built_mini: Path):
    before = tree_bytes(built_mini / "output")
    edit(built_mini / "treatments.yaml", CLAIM_AT, "summary: A revolutionary hyaluronic acid gel")
    with pytest.raises(ChecksFailed) as exc:
        build(built_mini)
    assert [f.rule for f in exc.value.result.findings if f.severity == "error"][0] == "claims.hype"
    assert tree_bytes(built_mini / "output") == before


def test_policies_and_waivers_from_the_data(built_mini: Path):
    edit(built_mini / "treatments.yaml", CLAIM_AT, "summary: A revolutionary hyaluronic acid gel")
    set_checks(built_mini, "    claims.hype: warn\n")
    report = build(built_mini)
    hype = [f for f in report.checks.findings if f.rule == "claims.hype"]
    assert hype and {f.severity for f in hype} == {"warning"}
    # a waiver with a reason: the finding is listed as waived, not reported
    edit(built_mini / "treatments.yaml", "  - slug: lip-fillers\n",
         "  - slug: lip-fillers\n    waivers:\n      - rule: claims.hype\n        reason: The word is a quotation.\n")
    report = build(built_mini)
    assert not [f for f in report.checks.findings if f.rule == "claims.hype" and "/lip-fillers/" in f.page]
    assert {w.reason for _, w in report.checks.waived} == {"The word is a quotation."}
    assert all(w.origin.startswith("treatments.yaml:") for _, w in report.checks.waived)


def test_unknown_rules_in_policies_and_waivers_name_file_line_and_a_suggestion(built_mini: Path):
    set_checks(built_mini, "    claims.hyp: warn\n    claims.pom: demote\n"
               "  waivers:\n    - page: /lip-fillers/esher/\n      rule: claims.hpye\n      reason: x\n")
    with pytest.raises(DataError) as exc:
        check_built_site(built_mini)
    text = str(exc.value)
    assert re.search(r"site\.yaml:\d+: checks\.policies\.claims\.hyp: unknown rule `claims\.hyp`\n"
                     r"    hint: did you mean `claims\.hype`\?", text)
    assert "checks.policies.claims.pom: only duplicate and thin content can be demoted" in text
    site = (built_mini / "site.yaml").read_text().replace("    claims.hyp: warn\n", "").replace(
        "    claims.pom: demote\n", "")
    (built_mini / "site.yaml").write_text(site)
    with pytest.raises(DataError) as exc:
        check_built_site(built_mini)
    assert re.search(r"site\.yaml:\d+: waivers\.rule: unknown rule `claims\.hpye`\n    hint: did you mean "
                     r"`claims\.hype`\?", str(exc.value))


def test_an_unknown_checks_key_gets_did_you_mean(built_mini: Path):
    set_checks(built_mini, "  duplicate:\n    near_threshold: 0.9\n")
    result = cli("check", "--project", str(built_mini))
    assert result.returncode == 2
    assert re.search(r"checks\.duplicate: unknown field `duplicate`\n +\d+ \|   duplicate:\n +\|   \^\n"
                     r"    hint: did you mean `duplicates`\?", result.stderr)


# -- the command line -------------------------------------------------------------------------------------------

def test_check_exit_codes_and_summary(built_mini: Path, tmp_path: Path):
    ok = run_cli("check", "--project", str(built_mini))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"^\d+ page\(s\) checked: 0 error\(s\), \d+ warning\(s\)", ok.stdout.splitlines()[-1])
    edit(built_mini / "output" / "lip-fillers/index.html", "<main id=\"main\">",
         "<main id=\"main\"><p>Completely safe, with guaranteed results.</p>")
    bad = cli("check", "--project", str(built_mini))
    assert bad.returncode == 1
    assert "claims.risk (1 error)\n  error /lip-fillers/: claims or implies the treatment is free of risk: " \
           "\"completely safe\" in the page text; matched `(completely|totally|perfectly|100 %|entirely|" in bad.stdout
    assert "\n      Completely safe, with guaranteed results.\n" in bad.stdout   # the sentence is the evidence
    assert "  fix: say what the risks are instead" in bad.stdout
    none = cli("check", "--project", str(tmp_path))
    assert none.returncode == 2
    assert none.stderr == f"error: {tmp_path / 'output'}: no built site here; run `clinic-pages build` first\n"


def test_build_stops_with_the_report_and_exit_1(built_mini: Path):
    edit(built_mini / "treatments.yaml", CLAIM_AT, "summary: Results are guaranteed. A hyaluronic acid gel")
    result = run_cli("build", "--project", str(built_mini))
    assert result.returncode == 1
    assert "claims.guarantee" in result.stdout
    assert re.fullmatch(r"error: the build stopped: the checks found \d+ errors? \(claims\.guarantee on /[\w/-]*"
                        r"( and \d+ more)?\); output/ was left as it was\n", result.stderr)


def test_json_and_html_reports(built_sample: Path, tmp_path: Path):
    project = built_sample.parent
    report = tmp_path / "r.json"
    done = cli("check", "--project", str(project), "--format", "json", "--report", str(report))
    assert done.returncode == 0 and done.stdout.endswith(f"; report written to {report}\n")
    data = json.loads(report.read_text())
    assert data["schema"] == "clinic-pages/check-report" and data["version"] == 1
    assert set(data) == {"schema", "version", "tool", "command", "site", "summary", "findings", "groups", "waived",
                         "demoted", "held_back", "duplicates", "notes"}
    assert set(data["summary"]) == {"pages", "errors", "warnings", "info", "demoted", "waived"}
    assert {d["page"] for d in data["demoted"]} == {f["page"] for f in data["findings"] if f["rule"] in
                                                    ("duplicates.thin", "duplicates.doorway")}
    assert {d["page"] for d in data["demoted"]} == {h["page"] for h in data["held_back"]}
    assert set(data["held_back"][0]) == {"page", "rule", "lacks", "reason", "advice", "canonical", "own_words",
                                         "need_words", "built"}
    row = data["duplicates"]["pages"][0]
    assert set(row) == {"page", "words", "content_words", "unique_share", "unique_words", "boilerplate_share",
                        "twin", "twin_similarity", "thin", "held", "cluster"}
    again = cli("check", "--project", str(project), "--format", "json")
    assert json.loads(again.stdout) == data                         # stable: no times, same order
    html = cli("check", "--project", str(project), "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "<table class=\"sortable\">" in html
    assert "Own text per page" in html and "Duplicate clusters" in html
    assert "Held-back pages, by what they lack" in html and "336 page(s) need text written for the treatment" in html


def test_near_duplicates_say_why_they_are_alike():
    body = ("{n} is about {km} km north of our clinic, measured in a straight line. "
            + " ".join(f"word{i}" for i in range(200)) + ".")
    pages = [parse_html(f"{n.lower()}/index.html", "<html><body><main><h1>Lip Fillers near " + n + "</h1><p>"
                        + body.format(n=n, km=km) + "</p></main></body></html>")
             for n, km in (("Esher", "3.5"), ("Cobham", "7.1"))]
    [cluster] = check_pages(pages).duplicates.clusters
    assert cluster.kind == "near" and cluster.min_similarity >= 0.9
    # without the records (an audit) the names are just words that differ
    assert cluster.why == "the distance and 1 other passage(s) differ: «Cobham Cobham» / «Esher Esher»"


def test_worker_processes_find_the_same(built_sample: Path, monkeypatch: pytest.MonkeyPatch):
    one = check_built_site(built_sample.parent, jobs=1, cache=False)
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    two = check_built_site(built_sample.parent, jobs=2, cache=False)   # blocks come back from the workers
    assert two.findings == one.findings and two.demoted == one.demoted
    assert [(s.page, s.unique_share, s.twin) for s in two.duplicates.pages] == \
        [(s.page, s.unique_share, s.twin) for s in one.duplicates.pages]


def test_a_treatment_hub_is_held_to_the_premises_that_offer_the_treatment(tmp_path: Path):
    """In a chain, a treatment offered only at the second premises has a hub that shows that premises' address and
    phone; `check` holds the hub to them, not to the first premises' (which once raised consistency.address and
    consistency.phone on a correct page), and still catches the hub when that premises' phone is missing."""
    from tests.projects import complete_project

    project = complete_project(tmp_path / "p")
    edit(project / "site.yaml", '    phone: "020 7946 0000"\n',
         '    phone: "020 7946 0000"\n    treatments: [lip-fillers, lines-and-wrinkles-consultation, microneedling]\n')
    build(project)
    findings = check_built_site(project).findings
    assert [(f.rule, f.page) for f in findings if f.rule.startswith("consistency.")] == []
    hub = project / "output" / "chemical-peel" / "index.html"
    html = hub.read_text("utf-8")
    assert "01483 960000" in html and "020 7946 0000" not in html
    hub.write_text(html.replace("01483 960000", "01483 000000"), "utf-8")
    found = {(f.rule, f.page) for f in check_built_site(project).findings}
    assert ("consistency.phone", "/chemical-peel/") in found
