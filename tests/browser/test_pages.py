"""The built sample pages in headless Chromium: they fit phone and desktop widths, their links lead somewhere,
their JSON-LD parses in the DOM and agrees with what is shown, and axe-core finds no serious accessibility
problem."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import urldefrag, urlsplit

import pytest
from harness import NODE_MODULES, SETUP_HINT, missing_tools, serve

KINDS = ("home", "areas", "area", "treatment", "landing", "not-found")
WIDTHS = (375, 1280)

# The elements whose right edge is past the viewport, to say what overflows when a page is too wide.
_OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 0.5 && box.width > 0) {
      wide.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") +
                " (right edge " + Math.round(box.right) + " px)");
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_page_fits_the_width_without_horizontal_scrolling(open_page, site_url, kinds, kind, width):
    failed: list[str] = []

    def record(resp):
        if resp.status >= 400 and not resp.url.endswith("/favicon.ico"):
            failed.append(f"{resp.status} {resp.url}")

    page, _ = open_page("about:blank", width)
    page.on("response", record)
    response = page.goto(site_url + kinds[kind], wait_until="load")
    assert response.status == 200, f"{kinds[kind]}: HTTP {response.status}"
    assert failed == [], f"{kinds[kind]}: resources failed to load: {failed}"
    assert page.evaluate("getComputedStyle(document.body).margin") != "8px", "the stylesheet was not applied"
    layout = page.evaluate(_OVERFLOW)
    assert layout["scrollWidth"] <= layout["clientWidth"], (
        f"{kinds[kind]} at {width} px scrolls sideways: content is {layout['scrollWidth']} px wide; "
        f"too wide: {layout['wide']}")
    page.evaluate("window.scrollTo(10000, 0)")
    assert page.evaluate("window.scrollX") == 0


def _internal_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return [h for h in hrefs if urlsplit(h).netloc == urlsplit(origin).netloc]


def test_every_internal_link_on_each_kind_of_page_navigates(open_page, site_url, kinds):
    """Each internal link found on one page of every kind opens with HTTP 200, and its #fragment exists."""
    links: dict[str, set[str]] = {}
    page, _ = open_page("about:blank")
    for kind in KINDS:
        page.goto(site_url + kinds[kind])
        for href in _internal_links(page, site_url):
            links.setdefault(href, set()).add(kinds[kind])
    assert len(links) > 20
    broken = []
    for href in sorted(links):
        url, fragment = urldefrag(href)
        response = page.goto(href, wait_until="domcontentloaded")
        if response is None:       # a same-document jump to a fragment: no new response
            response_ok = True
        else:
            response_ok = response.status == 200
        if not response_ok:
            broken.append(f"{href} (HTTP {response.status}) linked from {sorted(links[href])}")
        elif fragment and page.evaluate("id => document.getElementById(id) === null", fragment):
            broken.append(f"{href}: no element with id {fragment!r}, linked from {sorted(links[href])}")
    assert broken == []


def test_clicking_links_moves_between_pages(open_page, site_url, kinds):
    """Real clicks: from a landing page up its breadcrumbs to its treatment page, then to the areas list."""
    page, _ = open_page(site_url + kinds["landing"])
    crumbs = page.locator("nav[aria-label='Breadcrumb'] a")
    treatment = crumbs.nth(crumbs.count() - 1)
    name = treatment.inner_text().strip()
    with page.expect_navigation():
        treatment.click()
    assert urlsplit(page.url).path == "/" + kinds["landing"].strip("/").split("/")[0] + "/"
    assert page.locator("h1").inner_text().strip() == name
    with page.expect_navigation():
        page.locator("header nav a[href='/areas/']").click()
    assert urlsplit(page.url).path == "/areas/"
    assert page.locator("h1").inner_text().strip() == "Areas we serve"
    with page.expect_navigation():
        page.locator("main ul a").first.click()
    assert urlsplit(page.url).path.startswith("/areas/") and page.url != site_url + "/areas/"


# Parsed in the page by the browser's own JSON.parse, then compared with what the page shows.
_JSONLD = """() => {
  const parsed = [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => JSON.parse(s.textContent));
  const crumbs = [...document.querySelectorAll("nav[aria-label='Breadcrumb'] li")].map(li => li.innerText.trim());
  return {parsed, crumbs, text: document.body.innerText};
}"""


@pytest.mark.parametrize("kind", KINDS)
def test_json_ld_in_the_dom_parses_and_matches_the_page(open_page, site_url, kinds, kind):
    page, _ = open_page(site_url + kinds[kind])
    data = page.evaluate(_JSONLD)
    assert len(data["parsed"]) >= 1
    graph = [node for doc in data["parsed"] for node in doc.get("@graph", [doc])]
    by_type = {node["@type"]: node for node in graph}
    clinic = by_type["MedicalClinic"]
    assert clinic["name"] and clinic["address"]["addressLocality"]
    assert ("MedicalWebPage" if kind != "not-found" else "WebPage") in by_type
    crumbs = by_type.get("BreadcrumbList")
    if kind == "home":
        assert crumbs is None and data["crumbs"] == []
    else:
        assert [item["name"] for item in crumbs["itemListElement"]] == data["crumbs"]
    visible = " ".join(data["text"].split())
    for question in (by_type.get("FAQPage") or {}).get("mainEntity", []):
        assert question["name"] in visible, f"FAQ question not shown: {question['name']}"


@pytest.fixture(scope="session")
def axe_source() -> str:
    missing = missing_tools("axe-core")
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; {SETUP_HINT}")
    return (NODE_MODULES / "axe-core" / "axe.min.js").read_text("utf-8")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_serious_or_critical_accessibility_violations(open_page, site_url, kinds, axe_source, kind,
                                                                    width):
    page, _ = open_page(site_url + kinds[kind], width)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core"
    serious = [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
                "where": [n["target"] for n in v["nodes"][:5]]}
               for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{kinds[kind]} at {width} px:\n{json.dumps(serious, indent=1)}"


def test_the_browser_checks_catch_planted_problems(browser, built_sample, kinds, axe_source, tmp_path):
    """The same probes on a copy of a landing page with a fixed-width table, a button with no name, pale
    text and JSON-LD that does not parse: each is caught, so a pass above means something."""
    site = tmp_path / "site"
    shutil.copytree(built_sample, site, copy_function=shutil.copyfile)
    page_file = site / kinds["landing"].strip("/") / "index.html"
    html = page_file.read_text("utf-8")
    html = html.replace("</h1>", '</h1><table style="width:900px"><tr><td>wide</td></tr></table>'
                        '<button><svg width="10" height="10"></svg></button>'
                        '<p style="color:#ddd;background:#fff">pale text</p>', 1)
    html = re.sub(r'"@graph":\s*\[', '"@graph": [,', html, count=1)
    page_file.write_text(html, "utf-8")
    context = browser.new_context(viewport={"width": 375, "height": 900})
    try:
        page = context.new_page()
        with serve(site) as url:
            page.goto(url + kinds["landing"])
            layout = page.evaluate(_OVERFLOW)
            assert layout["scrollWidth"] > layout["clientWidth"] and any("table" in w for w in layout["wide"])
            with pytest.raises(Exception, match="JSON"):
                page.evaluate(_JSONLD)
            page.add_script_tag(content=axe_source)
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        found = {v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")}
        assert {"button-name", "color-contrast"} <= found
    finally:
        context.close()
