"""Fixtures for the browser tests: the built sample site served on 127.0.0.1, and headless Debian Chromium
driven by Playwright (never `playwright install`: the browser is the system's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, SETUP_HINT, missing_tools, page_per_kind, serve

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives Chromium: mark it `browser` (`-m "not browser"` leaves them out)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_url(built_sample: Path):
    """Base URL of the built sample site, served over HTTP on 127.0.0.1 for the whole session."""
    with serve(built_sample) as url:
        yield url


@pytest.fixture(scope="session")
def kinds(built_sample: Path) -> dict[str, str]:
    """{page kind: URL path}, one page of each kind."""
    chosen = page_per_kind(built_sample.parent, built_sample)
    assert set(chosen) == {"home", "areas", "area", "treatment", "landing", "not-found"}
    return chosen


@pytest.fixture(scope="session")
def sites(built_sample: Path, built_complete: Path, kinds):
    """{"sample" | "complete": (base URL, {page kind: URL path})}: the sample (no pictures, placeholders, no booking
    page) and tests/fixtures/complete (logo, photos, a booking page, prices, colours), both served on 127.0.0.1."""
    with serve(built_sample) as sample, serve(built_complete) as complete:
        yield {"sample": (sample, kinds), "complete": (complete, page_per_kind(built_complete.parent, built_complete))}


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module: Playwright's sync API runs an event loop while it is started, so it is
    stopped before other modules (the preview tests start their own)."""
    missing = missing_tools()
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; {SETUP_HINT}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    """open_page(url, width) -> (page, response): a fresh tab of the given width, closed after the test."""
    contexts = []

    def opener(url: str, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=True)
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url, wait_until="load")
        return page, response

    yield opener
    for context in contexts:
        context.close()
