"""The preview server, tested over real HTTP on 127.0.0.1 and, for the live reload, in headless Chromium."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.serve import PreviewServer
from tests.helpers import copy_project


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status(server: PreviewServer) -> dict:
    return json.loads(fetch(server.url + "__clinic-pages/status")[1])


def wait_for(predicate, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture()
def server(tmp_path):
    project = copy_project(tmp_path / "p", treatments=3, locations=5)
    srv = PreviewServer(project, port=0).start()
    yield srv
    srv.stop()


def test_serves_pages_with_the_live_script_but_leaves_output_files_clean(server):
    code, html = fetch(server.url + "jaw-fillers/")
    assert code == 200 and "<h1>Jaw Fillers</h1>" in html
    assert '<script src="/__clinic-pages/live.js"></script></body>' in html
    assert "live.js" not in (server.preview.output / "jaw-fillers" / "index.html").read_text()
    code, missing = fetch(server.url + "no-such-page/")
    assert code == 404 and "Page not found" in missing
    assert fetch(server.url + "assets/style.css")[0] == 200


def test_an_edit_rebuilds_and_the_new_text_is_served(server):
    before = status(server)["version"]
    replace_in(server.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
               "<h1>{{ treatment.name }}</h1><p>Edited while previewing.</p>")
    wait_for(lambda: status(server)["version"] > before)
    code, html = fetch(server.url + "jaw-fillers/")
    assert code == 200 and "Edited while previewing." in html


def test_a_data_error_is_reported_while_the_last_good_pages_stay_served(server):
    good = fetch(server.url + "jaw-fillers/")[1]
    before = status(server)["version"]
    replace_in(server.preview.project / "treatments.yaml", "name: Jaw Fillers", "name: [Jaw Fillers")
    current = wait_for(lambda: (s := status(server))["version"] > before and s)
    assert current["error"].startswith("treatments.yaml:")
    assert "not valid YAML" in current["error"]
    assert fetch(server.url + "jaw-fillers/") == (200, good)
    replace_in(server.preview.project / "treatments.yaml", "name: [Jaw Fillers", "name: Jaw Fillers")
    wait_for(lambda: status(server)["error"] is None)


def test_a_template_error_names_the_template_and_line(server):
    before = status(server)["version"]
    replace_in(server.preview.project / "templates" / "landing.html", "{% endblock %}", "{% if %}{% endblock %}")
    current = wait_for(lambda: (s := status(server))["version"] > before and s)
    assert current["error"].startswith("templates/landing.html:")


def test_the_open_page_reloads_after_an_edit_and_shows_errors_in_chromium(server):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is installed by `make test`")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.goto(server.url + "jaw-fillers/")
            page.wait_for_function("window.EventSource !== undefined")
            time.sleep(0.5)  # the page has opened its event stream
            replace_in(server.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
                       "<h1>{{ treatment.name }}</h1><p id='fresh'>Reloaded by itself.</p>")
            page.wait_for_selector("#fresh", timeout=15000)
            replace_in(server.preview.project / "treatments.yaml", "name: Jaw Fillers", "name: [Jaw Fillers")
            overlay = page.wait_for_selector("#clinic-pages-error", timeout=15000)
            assert "treatments.yaml:" in overlay.inner_text()
            assert page.locator("h1").inner_text() == "Jaw Fillers"  # the last good page is still there
            replace_in(server.preview.project / "treatments.yaml", "name: [Jaw Fillers", "name: Jaw Fillers")
            page.wait_for_selector("#clinic-pages-error", state="detached", timeout=15000)
        finally:
            browser.close()
