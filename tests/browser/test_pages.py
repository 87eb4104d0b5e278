"""The built pages in headless Chromium, on a phone (390 px) and a desktop (1366 px): they fit the width (a
screenshot of each is left in the artefacts folder, harness.ARTIFACTS), their links lead somewhere, their JSON-LD
parses in the DOM and agrees with what is shown, axe-core finds no accessibility violation, "Book a consultation" works,
and every picture loads at a width from its srcset. Two sites: the sample, and tests/fixtures/complete (every
optional fact, with pictures)."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import urldefrag, urlsplit

import pytest
from harness import ARTIFACTS, NODE_MODULES, SETUP_HINT, missing_tools, serve

KINDS = ("home", "areas", "area", "treatment", "landing", "not-found")
WIDTHS = (390, 1366)                       # a phone (iPhone 12 to 15) and the commonest laptop screen
SITES = ("sample", "complete")
SCREENSHOTS = ARTIFACTS / "screenshots"

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
@pytest.mark.parametrize("site", SITES)
def test_page_fits_loads_everything_and_passes_axe(open_page, sites, axe_source, site, kind, width):
    """Every kind of page at both widths: HTTP 200, every request answered (the favicon too: nothing is asked of a
    site that does not have it), the stylesheet applied, no sideways scrolling, and axe-core's rules (WCAG 2.2 A
    and AA, and its best practices) find no violation of any impact. The screenshot is kept."""
    base, kinds = sites[site]
    failed: list[str] = []

    def record(resp):
        if resp.status >= 400 and not (resp.url.endswith("/404.html") and kind == "not-found"):
            failed.append(f"{resp.status} {resp.url}")

    page, _ = open_page("about:blank", width)
    page.on("response", record)
    page.on("requestfailed", lambda req: failed.append(f"failed {req.url}"))
    response = page.goto(base + kinds[kind], wait_until="load")
    assert response.status == (404 if kind == "not-found" and kinds[kind] != "/404.html" else 200)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")      # lazy pictures load too
    page.wait_for_function("[...document.images].every(img => img.complete)")
    assert failed == [], f"{kinds[kind]}: resources failed to load: {failed}"
    assert page.evaluate("getComputedStyle(document.body).margin") == "0px", "the stylesheet was not applied"
    layout = page.evaluate(_OVERFLOW)
    assert layout["scrollWidth"] <= layout["clientWidth"], (
        f"{kinds[kind]} at {width} px scrolls sideways: content is {layout['scrollWidth']} px wide; "
        f"too wide: {layout['wide']}")
    page.evaluate("window.scrollTo(10000, 0)")
    assert page.evaluate("window.scrollX") == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / f"{site}-{kind}-{width}.png"), full_page=True)
    page.add_script_tag(content=axe_source)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["testEngine"]["name"] == "axe-core"
    found = [{"rule": v["id"], "impact": v["impact"], "help": v["help"],
              "where": [n["target"] for n in v["nodes"][:5]]} for v in result["violations"]]
    assert found == [], f"{kinds[kind]} at {width} px:\n{json.dumps(found, indent=1)}"


def test_the_home_page_is_short_on_a_phone(open_page, sites):
    """Issue 18 found the home page 4,757 px tall on a phone (twelve summaries): a patient should reach the
    treatments, who treats them and how to book in a few screens."""
    base, kinds = sites["sample"]
    page, _ = open_page(base + "/", 390)
    assert page.evaluate("document.documentElement.scrollHeight") < 2600
    first_card = page.locator("#treatments .cards a").first.bounding_box()
    assert first_card["y"] < 844, "the first treatment is below the first screen"


def _internal_links(page, origin: str) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return [h for h in hrefs if urlsplit(h).netloc == urlsplit(origin).netloc]


@pytest.mark.parametrize("site", SITES)
def test_every_internal_link_on_each_kind_of_page_navigates(open_page, sites, site):
    """Each internal link found on one page of every kind opens with HTTP 200, and its #fragment exists."""
    site_url, kinds = sites[site]
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
    """Real clicks: from a landing page up its breadcrumbs to its treatment page, then to the areas list, and from
    there to a published area's page, or (none published: the sample's are all held back) home."""
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
    areas = page.locator("main ul.columns a")
    if areas.count():
        with page.expect_navigation():
            areas.first.click()
        assert urlsplit(page.url).path.startswith("/areas/") and page.url != site_url + "/areas/"
    else:
        with page.expect_navigation():
            page.locator("nav[aria-label='Breadcrumb'] a").first.click()
        assert urlsplit(page.url).path == "/"


# Parsed in the page by the browser's own JSON.parse, then compared with what the page shows.
_JSONLD = """() => {
  const scripts = [...document.querySelectorAll('script[type="application/ld+json"]')];
  const parsed = scripts.map(s => JSON.parse(s.textContent));
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


# -- booking and pictures -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_book_a_consultation_leads_to_the_ways_to_book(open_page, sites, kind):
    """The sample has no booking page: the first "Book a consultation" scrolls to the ways to book at the end of
    the page, which are in view afterwards."""
    base, kinds = sites["sample"]
    page, _ = open_page(base + kinds[kind], 390)
    page.get_by_role("link", name="Book a consultation").first.click()
    page.wait_for_function("location.hash === '#book'")
    # The stylesheet scrolls smoothly (unless the reader asks for less motion): wait for the heading to arrive.
    page.wait_for_function("(() => { const top = document.querySelector('#book h2').getBoundingClientRect().top;"
                           " return top >= 0 && top < innerHeight; })()", timeout=5000)
    assert page.locator("#book").inner_text().startswith("Book a consultation")


@pytest.mark.parametrize("kind", KINDS)
def test_book_a_consultation_opens_the_booking_page(open_page, sites, kind):
    """With a booking page in site.yaml, the button opens it (answered here by a stand-in: nothing leaves the
    machine); the phone and email links dial and write to the clinic."""
    base, kinds = sites["complete"]
    page, _ = open_page(base + kinds[kind], 390)
    page.route("https://booking.complete-clinic.example/**",
               lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Booking</title>"))
    with page.expect_navigation():
        page.get_by_role("link", name="Book a consultation").first.click()
    assert page.url == "https://booking.complete-clinic.example/book"
    page.goto(base + kinds[kind])
    hrefs = page.eval_on_selector_all("#book a", "links => links.map(a => a.getAttribute('href'))")
    assert any(re.fullmatch(r"tel:\+44\d{9,10}", h) for h in hrefs), hrefs
    assert "mailto:bookings@complete-clinic.example" in hrefs


_PICTURES = """() => [...document.images].map(img => ({src: img.getAttribute('src'), current: img.currentSrc,
  srcset: img.getAttribute('srcset'), width: img.getAttribute('width'), height: img.getAttribute('height'),
  alt: img.getAttribute('alt'), loaded: img.complete && img.naturalWidth > 0,
  ratio: img.naturalWidth / img.naturalHeight, shown: img.width / img.height}))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_every_picture_loads_a_width_from_its_srcset(open_page, sites, width):
    base, kinds = sites["complete"]
    for kind in ("home", "area", "treatment"):
        page, _ = open_page(base + kinds[kind], width)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function("[...document.images].every(img => img.complete)")
        pictures = page.evaluate(_PICTURES)
        assert pictures, kind
        for p in pictures:
            assert p["loaded"] and p["alt"] and p["width"] and p["height"], (kind, p)
            assert p["current"].split("/", 3)[-1] in [c.strip().split(" ")[0].lstrip("/")
                                                      for c in p["srcset"].split(",")], (kind, p)
