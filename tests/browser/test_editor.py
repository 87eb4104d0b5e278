"""The editing page in headless Chromium, as a marketer uses it: add a town, change a price, fix an error that the
form shows; each save changes the data file by exactly that, and the preview rebuilds."""

from __future__ import annotations

import difflib
import re
import time
from pathlib import Path

import pytest

from generator.serve import PreviewServer
from tests.projects import sample_subset

pytestmark = pytest.mark.browser


@pytest.fixture
def editing(tmp_path: Path, browser):
    server = PreviewServer(sample_subset(tmp_path / "p", treatments=3, locations=5), port=0).start()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(server.url + "__clinic-pages/edit/")
    page.wait_for_selector("#nav button[data-stem=treatments]")
    yield server, page
    context.close()
    server.stop()


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def save_and_wait(page, server: PreviewServer) -> None:
    """Press Save, and wait until the form says so and the preview has rebuilt (the page names the new build)."""
    version = server.preview.version
    page.wait_for_selector("#save:enabled", timeout=15000)
    page.click("#save")
    page.wait_for_selector("#summary .ok >> text=Saved", timeout=15000)
    deadline = time.monotonic() + 30
    while f"(build {version})" in page.inner_text("#preview-status") or server.preview.version == version:
        assert time.monotonic() < deadline, "the preview did not rebuild after the save"
        time.sleep(0.1)
    assert "Preview up to date" in page.inner_text("#preview-status")


def test_add_a_town(editing) -> None:
    server, page = editing
    before = (server.preview.project / "locations.yaml").read_text("utf-8")
    page.click("text=Add an area")
    page.fill('[data-input="locations[5].name"]', "Claygate")
    page.fill('[data-input="locations[5].lat"]', "51.36106")
    page.fill('[data-input="locations[5].lon"]', "-0.34197")
    save_and_wait(page, server)
    after = (server.preview.project / "locations.yaml").read_text("utf-8")
    item = re.search(r"^( *- )name: ", before, re.MULTILINE).group(1)
    assert changed_lines(before, after) == [f"+{item}name: Claygate", f"+{' ' * len(item)}lat: 51.36106",
                                            f"+{' ' * len(item)}lon: -0.34197"]
    assert (server.preview.output / "areas" / "claygate" / "index.html").is_file()


def test_change_a_price(editing) -> None:
    server, page = editing
    before = (server.preview.project / "treatments.yaml").read_text("utf-8")
    page.click("#nav button:text('Lip Fillers')")
    page.fill('[data-input="treatments[1].price_from"]', "250")
    save_and_wait(page, server)
    after = (server.preview.project / "treatments.yaml").read_text("utf-8")
    indent = re.search(r"^( *)name: Lip Fillers", before, re.MULTILINE).group(1)
    assert changed_lines(before, after) == [f"+{indent}price_from: 250"]
    assert "£250" in (server.preview.output / "lip-fillers" / "index.html").read_text("utf-8")


def test_fix_an_error_the_form_shows(editing) -> None:
    server, page = editing
    before = (server.preview.project / "locations.yaml").read_text("utf-8")
    page.click("#nav button[data-stem=locations][data-index='0']")
    page.fill('[data-input="locations[0].lat"]', "fifty")
    problem = page.wait_for_selector('[data-path="locations[0].lat"] .problem', timeout=15000)
    assert "expected a number between -90 and 90, found text 'fifty'" in problem.inner_text()
    assert page.is_disabled("#save")
    page.fill('[data-input="locations[0].lat"]', "51.37")
    page.wait_for_selector('[data-path="locations[0].lat"] .problem', state="detached", timeout=15000)
    save_and_wait(page, server)
    lines = changed_lines(before, (server.preview.project / "locations.yaml").read_text("utf-8"))
    assert len(lines) == 2 and re.match(r"- +lat: ", lines[0]) and re.match(r"\+ +lat: 51.37$", lines[1])


def test_claims_show_with_their_fix_as_one_types(editing) -> None:
    _, page = editing
    page.click("#nav button:text('Jaw Fillers')")
    page.fill('[data-input="treatments[0].summary"]', "Guaranteed results with no side effects at all.")
    claim = page.wait_for_selector('[data-path="treatments[0].summary"] .claim', timeout=15000)
    assert "claims.guarantee" in claim.inner_text() and "Fix:" in claim.inner_text()
