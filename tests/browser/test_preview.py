"""`clinic-pages serve` in headless Chromium: the open page reloads after an edit, and errors show as an overlay."""

from __future__ import annotations

import pytest

from tests.projects import edit, edit_yaml
from tests.test_serve import rebuilt, status, wait_for

pytestmark = pytest.mark.browser

# How long a page may take to hear of a rebuild, in ms: generous, because CI runs this beside other tests on two
# cores and a template edit re-renders and re-checks every page that uses it. Speed is measured in bench/, not here.
WAIT = 60_000


def listening(preview) -> None:
    """Wait until the open page has its event stream open (so it hears of the next rebuild)."""
    wait_for(lambda: status(preview)["listeners"] >= 1)


def test_the_open_page_reloads_after_an_edit_and_shows_errors(preview, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(preview.url + "jaw-fillers/")
        listening(preview)
        edit(preview.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
             "<h1>{{ treatment.name }}</h1><p id='fresh'>Reloaded by itself.</p>")
        page.wait_for_selector("#fresh", timeout=WAIT)
        edit(preview.preview.project / "treatments.yaml", "name: Jaw Fillers", "name: [Jaw Fillers")
        overlay = page.wait_for_selector("#clinic-pages-error", timeout=WAIT)
        assert "treatments.yaml:" in overlay.inner_text()
        assert page.locator("h1").inner_text() == "Jaw Fillers"  # the last good page is still there
        edit(preview.preview.project / "treatments.yaml", "name: [Jaw Fillers", "name: Jaw Fillers")
        page.wait_for_selector("#clinic-pages-error", state="detached", timeout=WAIT)
    finally:
        context.close()


def test_a_check_failure_shows_the_rule_the_page_as_a_link_the_words_and_the_fix(preview, browser):
    project = preview.preview.project
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(preview.url + "jaw-fillers/")
        listening(preview)
        edit_yaml(project / "treatments.yaml", lambda data: next(
            t for t in data["treatments"] if t["slug"] == "jaw-fillers").update(summary="Results are guaranteed."))
        overlay = page.wait_for_selector("#clinic-pages-error", timeout=WAIT)
        assert "The checks found" in overlay.inner_text()
        problem = page.locator(".clinic-pages-problem", has_text="claims.guarantee").first
        assert "Fix: " in problem.inner_text()
        link = problem.locator("a").first
        href = link.get_attribute("href")
        assert href.startswith("/") and href.endswith("/") and link.inner_text() == href
        link.click()   # the page the finding is about (its last good version), with the overlay again
        page.wait_for_url(preview.url.rstrip("/") + href)
        page.wait_for_selector("#clinic-pages-error", timeout=WAIT)
    finally:
        context.close()



def test_only_an_open_page_that_changed_reloads(preview, browser):
    context = browser.new_context()
    try:
        changed, unchanged = context.new_page(), context.new_page()
        changed.goto(preview.url + "jaw-fillers/")
        unchanged.goto(preview.url + "areas/")
        for page in (changed, unchanged):
            page.evaluate("window.clinicPagesTestMark = 'still here'")
        wait_for(lambda: status(preview)["listeners"] >= 2)
        before = status(preview)["builds"]
        edit(preview.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
             "<h1>{{ treatment.name }}</h1><p id='fresh'>Only treatment pages.</p>")
        changed.wait_for_selector("#fresh", timeout=WAIT)
        assert changed.evaluate("window.clinicPagesTestMark") is None   # reloaded
        after = rebuilt(preview, before)["version"]
        unchanged.wait_for_selector(f"html[data-clinic-pages-build='{after}']", timeout=WAIT)   # it heard
        assert unchanged.evaluate("window.clinicPagesTestMark") == "still here"   # and did not reload
    finally:
        context.close()
