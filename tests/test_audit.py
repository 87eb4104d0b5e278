"""`audit` on the built sample site: clean output has no findings, and each problem planted in a copy is found."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator import audit as audit_module
from generator import workers
from generator.audit import AuditError, _parse_files, audit, read_site
from generator.checks import HtmlPage
from generator.checks.html import parse_html
from generator.checks.seo import RULES, check_seo
from generator.checks.site import read_sitemap
from generator.plan import plan_site
from generator.validate import load_project

# --- helpers -----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kinds(built_sample_published: Path) -> dict[str, str]:
    """One page file of each kind (home, areas, area, treatment, landing, not-found): the first by URL that
    the build left indexable, else the first (the build may demote thin landing pages to noindex)."""
    plan = plan_site(load_project(built_sample_published.parent))
    pages = sorted(plan.pages, key=lambda p: (_noindex(built_sample_published / p.file), p.url_path))
    chosen: dict[str, str] = {}
    for page in pages:
        chosen.setdefault(page.kind, page.file)
    return chosen


def _noindex(path: Path) -> bool:
    return re.search(r'<meta name="robots" content="[^"]*noindex', path.read_text("utf-8")) is not None


@pytest.fixture(scope="module")
def clean(built_sample_published: Path):
    return audit(built_sample_published)


@pytest.fixture
def site(tmp_path: Path, built_sample_published: Path) -> Path:
    """A copy of the built sample output, with a page of every kind published (hard links: `plant` replaces a file
    instead of writing into it)."""
    dest = tmp_path / "site"
    shutil.copytree(built_sample_published, dest, copy_function=os.link)
    return dest


def read(site: Path, file: str) -> str:
    return (site / file).read_text("utf-8")


def write(site: Path, file: str, text: str) -> None:
    path = site / file
    if path.exists():
        path.unlink()          # break the hard link to the session's built site
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def plant(site: Path, file: str, old: str, new: str, count: int = 1) -> None:
    """Replace `old` (a regular expression) in one file, failing loudly when it is not there."""
    text = read(site, file)
    changed, n = re.subn(old, new, text, count=count)
    assert n, f"{old!r} not found in {file}"
    write(site, file, changed)


def edit_jsonld(site: Path, file: str, change) -> None:
    """Parse the page's JSON-LD, let `change(graph)` edit it, and write it back."""
    text = read(site, file)
    match = re.search(r'(<script type="application/ld\+json">)(.*?)(</script>)', text, re.S)
    data = json.loads(match.group(2))
    change(data["@graph"])
    write(site, file, text[:match.start(2)] + json.dumps(data, indent=1) + text[match.end(2):])


def node(graph: list[dict], kind: str) -> dict:
    return next(n for n in graph if n["@type"] == kind)


# (file, bytes) -> the page parse_html made of them: each test plants a problem in one or two of the 379 pages
# of a copy of the same site, and the SEO rules read the whole folder again (reading it in workers, and that the
# pages read are the same there, is tested on its own below).
_PARSED: dict[tuple[str, bytes], HtmlPage] = {}


def _parse_once(file: str, data: bytes) -> HtmlPage:
    page = _PARSED.get((file, data))
    if page is None:
        page = _PARSED[(file, data)] = parse_html(file, data)
    return copy.copy(page)    # a copy: the reader may set its fields (audit empties main_text)


def seo_findings(site: Path, base_url: str | None = None) -> list:
    """The SEO rules alone over the folder (the content checks are tested with the engine): read by `read_site`
    in this process, parsing only the pages whose bytes no earlier test of this file parsed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(audit_module, "parse_html", _parse_once)
        return list(check_seo(read_site(site, base_url, jobs=1)))


def found(site: Path, rule: str, base_url: str | None = None) -> list:
    return [f for f in seo_findings(site, base_url) if f.rule == rule]


def url_of(file: str) -> str:
    return "/" if file == "index.html" else "/" + file.removesuffix("index.html")


# --- the clean site ----------------------------------------------------------------------------------------

def test_clean_sample_output_audits_with_no_errors(clean, kinds):
    assert clean.pages >= len(kinds) == 6
    assert clean.base_url == "https://itsmeandyou.example"
    assert clean.clinic    # a folder clinic-pages built: the clinic rules apply
    # Audit judges page by page, as a search engine does, and an indexable thin page would be an error: the
    # doorway gate held back every page without text of its own, so audit finds none, and no error at all.
    assert [f for f in clean.findings if f.severity == "error"] == []
    assert [f for f in clean.findings if f.rule.startswith(("seo.", "duplicates."))] == []
    assert re.fullmatch(rf"Audited {clean.pages} pages in \d+\.\d\d s: 0 errors, \d+ warnings, \d+ notes",
                        clean.summary())


def test_every_rule_has_a_severity_and_a_hint():
    for rule, (severity, hint) in RULES.items():
        assert rule.startswith("seo.") and severity in ("error", "warning", "info") and hint


def test_every_rule_is_planted_in_a_test_of_this_file_or_labelled():
    source = Path(__file__).read_text("utf-8")
    labelled = (Path(__file__).parent / "audit_labelled" / "labels.yaml").read_text("utf-8")
    untested = [rule for rule in RULES if f'found(site, "{rule}")' not in source and f'"{rule}", "/' not in source
                and f"rule: {rule}, page:" not in labelled]
    assert untested == []


def test_a_missing_folder_or_a_folder_without_html_is_an_audit_error(tmp_path):
    with pytest.raises(AuditError, match="no such folder"):
        audit(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(AuditError, match="no .html files found"):
        audit(tmp_path)
    with pytest.raises(AuditError, match="not a folder"):
        audit(tmp_path / "notes.txt")


def test_a_bad_base_url_is_an_audit_error(built_sample):
    with pytest.raises(AuditError, match="not an absolute http"):
        audit(built_sample, "itsmeandyou.example")


# --- titles and descriptions -------------------------------------------------------------------------------

def test_missing_title(site, kinds):
    plant(site, kinds["landing"], r"<title>.*?</title>", "")
    [f] = found(site, "seo.title-missing")
    assert (f.page, f.severity) == (url_of(kinds["landing"]), "error")


def test_empty_title(site, kinds):
    plant(site, kinds["treatment"], r"<title>.*?</title>", "<title>  </title>")
    assert [f.page for f in found(site, "seo.title-empty")] == [url_of(kinds["treatment"])]


def test_several_titles(site, kinds):
    plant(site, kinds["area"], r"</title>", "</title>\n<title>Another title</title>")
    assert [f.page for f in found(site, "seo.title-multiple")] == [url_of(kinds["area"])]


def test_duplicate_titles_name_each_other(site, kinds):
    plant(site, kinds["treatment"], r"<title>.*?</title>", "<title>Fillers in Surrey</title>")
    plant(site, kinds["area"], r"<title>.*?</title>", "<title>Fillers  in Surrey</title>")
    findings = found(site, "seo.title-duplicate")
    assert sorted(f.page for f in findings) == sorted([url_of(kinds["treatment"]), url_of(kinds["area"])])
    by_page = {f.page: f for f in findings}
    assert url_of(kinds["area"]) in by_page[url_of(kinds["treatment"])].message


def test_duplicate_titles_on_noindex_pages_are_not_reported(site, kinds):
    title = re.search(r"<title>(.*?)</title>", read(site, kinds["home"])).group(1)
    plant(site, kinds["not-found"], r"<title>.*?</title>", f"<title>{title}</title>")
    assert found(site, "seo.title-duplicate") == []


def test_title_over_60_characters(site, kinds):
    long = "Jaw fillers near Esher and every other town in north Surrey, by appointment"
    plant(site, kinds["landing"], r"<title>.*?</title>", f"<title>{long}</title>")
    [f] = found(site, "seo.title-too-long")
    assert (f.page, f.evidence, f.severity) == (url_of(kinds["landing"]), long, "warning")
    assert f"{len(long)} characters" in f.message


def test_missing_and_empty_description(site, kinds):
    plant(site, kinds["landing"], r'<meta name="description"[^>]*>', "")
    plant(site, kinds["area"], r'<meta name="description" content="[^"]*"', '<meta name="description" content=""')
    findings = {f.page: f.message for f in found(site, "seo.description-missing")}
    assert findings == {url_of(kinds["landing"]): "the meta description is missing",
                        url_of(kinds["area"]): "the meta description is empty"}


def test_duplicate_descriptions(site, kinds):
    text = "Dermal fillers and skin treatments for adults in Surrey, each after a face-to-face consultation."
    for kind in ("area", "treatment"):
        plant(site, kinds[kind], r'<meta name="description" content="[^"]*"',
              f'<meta name="description" content="{text}"')
    assert sorted(f.page for f in found(site, "seo.description-duplicate")) == sorted(
        [url_of(kinds["area"]), url_of(kinds["treatment"])])


def test_description_too_short_and_too_long(site, kinds):
    plant(site, kinds["landing"], r'<meta name="description" content="[^"]*"',
          '<meta name="description" content="Jaw fillers near Esher."')
    plant(site, kinds["area"], r'<meta name="description" content="[^"]*"',
          '<meta name="description" content="' + "Treatments for people near you, explained. " * 5 + '"')
    [short] = found(site, "seo.description-too-short")
    [long] = found(site, "seo.description-too-long")
    assert (short.page, long.page) == (url_of(kinds["landing"]), url_of(kinds["area"]))
    assert "23 characters, under 70" in short.message and "over 160" in long.message


# --- headings, lang, viewport ------------------------------------------------------------------------------

def test_no_h1(site, kinds):
    plant(site, kinds["landing"], r"<h1>(.*?)</h1>", r"<p>\1</p>")
    assert [f.page for f in found(site, "seo.h1-missing")] == [url_of(kinds["landing"])]


def test_several_h1(site, kinds):
    plant(site, kinds["treatment"], r"<h2>", "<h1>", count=1)
    [f] = found(site, "seo.h1-multiple")
    assert f.page == url_of(kinds["treatment"]) and "2 <h1>" in f.message


def test_skipped_heading_level(site, kinds):
    plant(site, kinds["area"], r"<h2 ([^>]*)>(.*?)</h2>", r"<h4 \1>\2</h4>", count=1)
    [f] = found(site, "seo.heading-skip")
    assert f.page == url_of(kinds["area"]) and f.message == "<h4> follows <h1>, skipping a level"


def test_missing_lang_and_viewport(site, kinds):
    plant(site, kinds["home"], r'<html lang="[^"]*">', "<html>")
    plant(site, kinds["areas"], r'<meta name="viewport"[^>]*>', "")
    assert [f.page for f in found(site, "seo.lang-missing")] == ["/"]
    assert [f.page for f in found(site, "seo.viewport-missing")] == [url_of(kinds["areas"])]


# --- canonicals --------------------------------------------------------------------------------------------

def test_missing_canonical(site, kinds):
    plant(site, kinds["area"], r'<link rel="canonical"[^>]*>', "")
    assert [f.page for f in found(site, "seo.canonical-missing")] == [url_of(kinds["area"])]


def test_relative_canonical(site, kinds):
    plant(site, kinds["area"], r'<link rel="canonical" href="[^"]*">',
          f'<link rel="canonical" href="{url_of(kinds["area"])}">')
    [f] = found(site, "seo.canonical-relative")
    assert (f.page, f.evidence) == (url_of(kinds["area"]), url_of(kinds["area"]))


def test_canonical_to_a_page_that_does_not_exist(site, kinds):
    plant(site, kinds["area"], r'<link rel="canonical" href="[^"]*">',
          '<link rel="canonical" href="https://itsmeandyou.example/jaw-fillers/atlantis/">')
    [f] = found(site, "seo.canonical-broken")
    assert f.page == url_of(kinds["area"]) and f.evidence.endswith("/jaw-fillers/atlantis/")


def test_canonical_to_a_noindex_page(site, kinds):
    plant(site, kinds["treatment"], r'<link rel="canonical" href="[^"]*">',
          '<link rel="canonical" href="https://itsmeandyou.example/404.html">')
    [f] = found(site, "seo.canonical-noindex")
    assert f.page == url_of(kinds["treatment"]) and "/404.html" in f.message


def test_canonical_that_disagrees_with_the_sitemap(site, kinds):
    plant(site, kinds["area"], r'<link rel="canonical" href="[^"]*">',
          f'<link rel="canonical" href="https://itsmeandyou.example{url_of(kinds["treatment"])}">')
    [f] = found(site, "seo.canonical-sitemap-mismatch")
    assert f.page == url_of(kinds["area"]) and url_of(kinds["treatment"]) in f.message


def test_canonical_that_differs_from_the_sitemap_entry_for_the_same_page(site, kinds):
    url = "https://itsmeandyou.example" + url_of(kinds["area"])
    plant(site, kinds["area"], r'<link rel="canonical" href="[^"]*">',
          f'<link rel="canonical" href="{url.rstrip("/")}">')
    [f] = found(site, "seo.canonical-sitemap-mismatch")
    assert f.page == url_of(kinds["area"]) and f.evidence == url.rstrip("/")
    assert f.message == f"the sitemap lists this page as {url}, but its canonical URL is another"


def test_the_base_url_given_decides_what_is_internal(built_sample):
    """With another domain, the canonicals and sitemap entries are not this site's: each is reported."""
    result = audit(built_sample, "https://www.another-clinic.example/")
    assert result.base_url == "https://www.another-clinic.example"
    dead = [f for f in result.findings if f.rule == "seo.sitemap-dead-entry"]
    assert len(dead) == len(read_sitemap("sitemap.xml", (built_sample / "sitemap.xml").read_bytes()).locs)


# --- sitemap and robots.txt --------------------------------------------------------------------------------

def test_no_sitemap(site):
    (site / "sitemap.xml").unlink()
    [f] = found(site, "seo.sitemap-missing")
    assert f.page == "/sitemap.xml" and f.severity == "error"


def test_sitemap_invalid_against_the_xsd(site):
    plant(site, "sitemap.xml", r"</lastmod></url>", "</lastmod><priority>high</priority></url>")
    findings = found(site, "seo.sitemap-invalid")
    assert findings and all(f.page == "/sitemap.xml" for f in findings)
    assert "priority" in findings[0].message and "line 3" in findings[0].message


def test_sitemap_not_well_formed(site):
    plant(site, "sitemap.xml", r"</urlset>", "")
    [f] = found(site, "seo.sitemap-invalid")
    assert "not well-formed XML" in f.message


def test_noindex_page_in_the_sitemap(site, kinds):
    plant(site, kinds["area"], r'<link rel="canonical"[^>]*>', '<meta name="robots" content="noindex,follow">')
    [f] = found(site, "seo.sitemap-noindex")
    assert f.page == url_of(kinds["area"])


def test_indexable_page_missing_from_the_sitemap(site, kinds):
    plant(site, "sitemap.xml", rf"<url><loc>[^<]*{re.escape(url_of(kinds['area']))}</loc>.*?</url>\n", "")
    [f] = found(site, "seo.sitemap-missing-page")
    assert f.page == url_of(kinds["area"])


def test_sitemap_entry_with_no_page(site):
    plant(site, "sitemap.xml", r"</urlset>",
          "<url><loc>https://itsmeandyou.example/lip-fillers/atlantis/</loc></url>\n</urlset>")
    [f] = found(site, "seo.sitemap-dead-entry")
    assert (f.page, f.evidence) == ("/sitemap.xml", "https://itsmeandyou.example/lip-fillers/atlantis/")


def test_a_sitemap_index_and_its_parts_are_read(site):
    """The split form (an index past 50,000 URLs) is followed: valid parts audit clean; a missing part is found."""
    from generator.sitemap import sitemap_files

    locs = read_sitemap("sitemap.xml", (site / "sitemap.xml").read_bytes()).locs
    files = sitemap_files([(loc, "2023-11-14") for loc in locs], "https://itsmeandyou.example", max_urls=10)
    assert len(files) > 2
    for name, data in files.items():
        write(site, name, data.decode())
    assert seo_findings(site) == []
    (site / "sitemap-2.xml").unlink()
    findings = seo_findings(site)
    assert {f.rule for f in findings} == {"seo.sitemap-dead-entry", "seo.sitemap-missing-page"}
    assert [f.evidence for f in findings if f.rule == "seo.sitemap-dead-entry"] == [
        "https://itsmeandyou.example/sitemap-2.xml"]


def test_no_robots_txt(site):
    (site / "robots.txt").unlink()
    [f] = found(site, "seo.robots-missing")
    assert f.page == "/robots.txt"


def test_robots_txt_without_a_sitemap_line(site):
    plant(site, "robots.txt", r"Sitemap: .*\n", "")
    [f] = found(site, "seo.robots-no-sitemap")
    assert f.page == "/robots.txt"
    assert found(site, "seo.sitemap-missing") == []     # /sitemap.xml is still found where it usually is


def test_robots_txt_naming_a_sitemap_that_does_not_exist(site):
    plant(site, "robots.txt", r"sitemap\.xml", "sitemap_index.xml")
    [f] = found(site, "seo.robots-no-sitemap")
    assert f.message == "robots.txt names the sitemap /sitemap_index.xml, which does not exist"
    assert f.evidence == "https://itsmeandyou.example/sitemap_index.xml"


# --- links and images --------------------------------------------------------------------------------------

def test_broken_internal_link(site, kinds):
    plant(site, kinds["landing"], r"</main>",
          '<p><a href="/lip-fillers/atlantis/">Lip fillers near Atlantis</a></p></main>')
    [f] = found(site, "seo.broken-link")
    assert (f.page, f.evidence) == (url_of(kinds["landing"]), "/lip-fillers/atlantis/")


def test_relative_and_absolute_internal_links_are_resolved(site, kinds):
    plant(site, kinds["landing"], r"</main>", '<p><a href="../">All about this treatment</a> '
          '<a href="https://itsmeandyou.example/areas/">Every area</a> '
          '<a href="https://itsmeandyou.example/areas/atlantis/">Atlantis</a> '
          '<a href="https://elsewhere.example/nope/">Another site</a> <a href="mailto:x@example.com">Email us</a>'
          '</p></main>')
    assert [f.evidence for f in found(site, "seo.broken-link")] == ["https://itsmeandyou.example/areas/atlantis/"]


def test_broken_fragment(site, kinds):
    plant(site, kinds["landing"], r"</main>", '<p><a href="/#opening-times">Opening times</a> '
          '<a href="#getting-here">Getting here</a> <a href="#nowhere">Nowhere</a></p></main>')
    findings = found(site, "seo.broken-fragment")
    assert sorted(f.evidence for f in findings) == ["#nowhere", "/#opening-times"]


def test_broken_image_and_image_without_alt(site, kinds):
    write(site, "assets/clinic.jpg", "not really a jpeg")
    plant(site, kinds["treatment"], r"</h1>", '</h1><img src="/assets/clinic.jpg" alt="The treatment room">'
          '<img src="/assets/room.jpg" alt="The waiting room"><img src="../assets/clinic.jpg">'
          '<img src="/assets/clinic.jpg" alt="">')
    [broken] = found(site, "seo.broken-image")
    [no_alt] = found(site, "seo.image-alt")
    assert broken.evidence == "/assets/room.jpg" and no_alt.evidence == "../assets/clinic.jpg"


def test_orphan_page(site, kinds):
    text = read(site, kinds["area"]).replace(url_of(kinds["area"]), "/hidden-offer/")
    text = re.sub(r"<title>.*?</title>", "<title>A page nobody links to</title>", text)
    write(site, "hidden-offer/index.html", text)
    [f] = found(site, "seo.orphan-page")
    assert (f.page, f.severity) == ("/hidden-offer/", "warning")


def test_non_descriptive_link_text(site, kinds):
    plant(site, kinds["landing"], r"</main>", '<p><a href="/areas/">Click here</a> or '
          '<a href="/">read more…</a> or <a href="/areas/">see all the areas we serve</a></p></main>')
    assert sorted(f.evidence for f in found(site, "seo.link-text")) == ["Click here", "read more…"]


# --- structured data ---------------------------------------------------------------------------------------

def test_json_ld_that_does_not_parse(site, kinds):
    plant(site, kinds["landing"], r'"@graph":\s*\[', '"@graph": [,')
    [f] = found(site, "seo.jsonld-invalid")
    assert f.page == url_of(kinds["landing"]) and "line" in f.evidence


def test_clinic_without_name_or_address(site, kinds):
    edit_jsonld(site, kinds["landing"], lambda g: node(g, "MedicalClinic").pop("address"))
    edit_jsonld(site, kinds["home"], lambda g: node(g, "MedicalClinic").update(name=""))
    findings = {f.page: f.message for f in found(site, "seo.jsonld-business-incomplete")}
    assert findings == {url_of(kinds["landing"]): "the MedicalClinic has no address",
                        "/": "the MedicalClinic has no name"}


def test_local_business_without_address(site, kinds):
    edit_jsonld(site, kinds["area"], lambda g: g.append({"@type": "LocalBusiness", "name": "Another branch"}))
    [f] = found(site, "seo.jsonld-business-incomplete")
    assert f.message == "the LocalBusiness has no address" and f.evidence == "Another branch"


def test_breadcrumb_list_that_differs_from_the_visible_breadcrumbs(site, kinds):
    def rename(graph):
        node(graph, "BreadcrumbList")["itemListElement"][1]["name"] = "Lip Fillers"
    edit_jsonld(site, kinds["landing"], rename)
    [f] = found(site, "seo.breadcrumbs-mismatch")
    assert f.page == url_of(kinds["landing"]) and "item 2" in f.message and "Lip Fillers" in f.evidence


def test_breadcrumb_list_with_an_extra_item(site, kinds):
    def extend(graph):
        items = node(graph, "BreadcrumbList")["itemListElement"]
        items.insert(1, {"@type": "ListItem", "position": 2, "name": "Fillers",
                         "item": "https://itsmeandyou.example/fillers/"})
        for n, item in enumerate(items, 1):
            item["position"] = n
    edit_jsonld(site, kinds["landing"], extend)
    [f] = found(site, "seo.breadcrumbs-mismatch")
    assert f.page == url_of(kinds["landing"]) and "Fillers (/fillers/)" in f.evidence


def test_breadcrumb_list_on_a_page_without_breadcrumbs(site, kinds):
    plant(site, kinds["area"], r'(?s)<nav class="breadcrumbs".*?</nav>', "")
    [f] = found(site, "seo.breadcrumbs-mismatch")
    assert f.message == "the JSON-LD has a BreadcrumbList but the page shows no breadcrumbs"


def test_faq_question_not_visible(site, kinds):
    def ask(graph):
        node(graph, "FAQPage")["mainEntity"][0]["name"] = "Is there free parking at the clinic?"
    edit_jsonld(site, kinds["treatment"], ask)
    [f] = found(site, "seo.faq-not-visible")
    assert (f.page, f.evidence) == (url_of(kinds["treatment"]), "Is there free parking at the clinic?")


def test_faq_question_hidden_from_view_is_not_visible(site, kinds):
    question = json.loads(re.search(r'"Question","name":\s*("[^"]*\?")', read(site, kinds["treatment"])).group(1))
    plant(site, kinds["treatment"], rf"<h3>{re.escape(question)}</h3>", f'<h3 hidden>{question}</h3>')
    [f] = found(site, "seo.faq-not-visible")
    assert f.evidence == question


# --- any folder of HTML ------------------------------------------------------------------------------------

def test_a_hand_written_folder_is_audited(tmp_path):
    """Another generator's output: no sitemap, no robots.txt, no base URL, .htm files and a page in a folder."""
    (tmp_path / "about").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Home</title></head>'
        '<body><h1>Home</h1><a href="about/">About us</a> <a href="contact.htm">here</a>'
        '<a href="https://cdn.example/x">CDN</a></body></html>', "utf-8")
    (tmp_path / "about" / "index.html").write_text(
        '<html><head><title>About</title><meta name="viewport" content="width=device-width"></head>'
        '<body><h1>About</h1><h3>Team</h3><img src="../team.jpg"><a href="../">Home page</a></body></html>', "utf-8")
    (tmp_path / "contact.htm").write_bytes(
        '<html lang="en"><head><title>Café contact</title></head><body><h1>Contact</h1></body></html>'.encode("cp1252"))
    result = audit(tmp_path)
    assert result.base_url is None and result.pages == 3
    assert result.notes and "address is unknown" in result.notes[0]
    got = {(f.rule, f.page) for f in result.findings}
    assert {("seo.robots-missing", "/robots.txt"), ("seo.sitemap-missing", "/sitemap.xml"),
            ("seo.lang-missing", "/about/"), ("seo.viewport-missing", "/"), ("seo.heading-skip", "/about/"),
            ("seo.broken-image", "/about/"), ("seo.image-alt", "/about/"), ("seo.link-text", "/"),
            ("seo.canonical-missing", "/contact.htm"), ("seo.description-missing", "/")} <= got
    assert ("seo.orphan-page", "/contact.htm") not in got and ("seo.broken-link", "/") not in got
    titles = {p.url_path: p.title for p in read_site(tmp_path).pages}
    assert titles["/contact.htm"] == "Café contact"


def test_pages_are_read_as_utf8_or_as_windows_1252():
    from generator.audit import utf8_html
    page = '<title>Café “x”</title>'
    assert utf8_html(page.encode("utf-8")) == page.encode("utf-8")
    assert utf8_html(b"\xef\xbb\xbf" + page.encode("utf-8")) == page.encode("utf-8")   # a byte-order mark goes
    assert utf8_html(page.encode("cp1252")) == page.encode("utf-8")
    assert utf8_html(b"<p>plain</p>") == b"<p>plain</p>"


# --- the content checks, through the same engine as `check` ------------------------------------------------

def test_audit_runs_the_claims_and_duplicate_checks_of_the_engine(site, kinds):
    plant(site, kinds["treatment"], r"</h1>", "</h1><p>Book Botox today: guaranteed results, completely safe.</p>")
    copy = read(site, kinds["area"]).replace(f'href="https://itsmeandyou.example{url_of(kinds["area"])}"',
                                             'href="https://itsmeandyou.example/copy-of-a-page.html"')
    write(site, "copy-of-a-page.html", copy)      # a copy that says it is a page of its own
    result = audit(site)
    rules = {(f.rule, f.page) for f in result.findings if f.severity == "error"}
    assert ("claims.pom", url_of(kinds["treatment"])) in rules
    assert ("claims.guarantee", url_of(kinds["treatment"])) in rules
    assert {("duplicates.exact", "/copy-of-a-page.html"), ("duplicates.exact", url_of(kinds["area"]))} & rules
    assert ("seo.orphan-page", "/copy-of-a-page.html") in {(f.rule, f.page) for f in result.findings}


def test_pages_parsed_in_worker_processes_are_the_same_as_in_one(built_sample, monkeypatch):
    import generator.audit as audit_module

    files = [f for f in audit_module.list_files(built_sample) if f.endswith(".html")]
    one = audit_module.read_pages(built_sample, files, jobs=1)
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    two = audit_module.read_pages(built_sample, files, jobs=2)
    assert [p.file for p in two] == files and two == one


def test_an_audit_in_worker_processes_finds_what_one_process_finds(site, kinds, monkeypatch):
    import generator.audit as audit_module

    plant(site, kinds["treatment"], r"</h1>", "</h1><p>Book Botox today.</p>")
    plant(site, kinds["area"], r"<title>.*?</title>", "")
    one = audit_module.audit(site, jobs=1)
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10)
    two = audit_module.audit(site, jobs=2)
    assert {"claims.pom", "seo.title-missing"} <= {f.rule for f in one.findings}
    assert two.findings == one.findings and two.pages == one.pages


def _parse_telling_the_collector(job):
    """audit._parse_files, each page with whether the garbage collector ran in the process that read it."""
    import gc

    out, blocks = _parse_files(job)
    return [(page, gc.isenabled()) for page, _ in out], blocks


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_are_read_with_the_garbage_collector_paused_and_it_resumes_after(tmp_path, monkeypatch, jobs):
    """parse_pages pauses the cyclic collector while pages are read (in forked workers too: they start paused),
    and leaves it as it found it, also when reading fails."""
    import gc

    import generator.audit as audit_module
    import generator.workers as workers

    files = [f"p{n}.html" for n in range(4)]
    for name in files:
        (tmp_path / name).write_text(f"<title>{name}</title><p>words of {name}</p>", "utf-8")
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 2)
    monkeypatch.setattr(audit_module, "_parse_files", _parse_telling_the_collector)
    assert gc.isenabled()
    parsed = audit_module.parse_pages(tmp_path, files, jobs=jobs)
    assert [page.file for page, _ in parsed] == files
    assert [enabled for _, enabled in parsed] == [False] * 4 and gc.isenabled()
    gc.disable()
    try:
        audit_module.parse_pages(tmp_path, files, jobs=jobs)
        assert not gc.isenabled()      # paused before: still paused
    finally:
        gc.enable()
    (tmp_path / "p3.html").unlink()
    with pytest.raises(AuditError):
        audit_module.parse_pages(tmp_path, files, jobs=jobs)
    assert gc.isenabled()
    assert workers.can_fork(jobs, 4, 2) == (jobs == 2)


def test_an_audit_runs_with_the_garbage_collector_paused_and_resumes_it(tmp_path, monkeypatch):
    import gc

    import generator.audit as audit_module

    (tmp_path / "index.html").write_text("<title>Home</title><p>some words on the page</p>", "utf-8")
    seen = []
    real = audit_module.check_seo

    def spy(site):
        seen.append(gc.isenabled())
        return real(site)

    monkeypatch.setattr(audit_module, "check_seo", spy)
    audit(tmp_path)
    assert seen == [False] and gc.isenabled()
    with pytest.raises(AuditError):
        audit(tmp_path / "nowhere")
    assert gc.isenabled()
