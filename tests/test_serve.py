"""The preview server, tested over real HTTP on 127.0.0.1 (the live reload in a browser: tests/browser)."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import urllib.error
import urllib.request

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import serve as serve_module
from generator.build import build
from generator.serve import PreviewServer
from tests.projects import edit, sample_subset, tree_bytes
from tests.test_incremental import EDITS


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def status(preview: PreviewServer) -> dict:
    return json.loads(fetch(preview.url + "__clinic-pages/status")[1])


def wait_for(predicate, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_serves_pages_with_the_live_script_but_leaves_output_files_clean(preview):
    code, html = fetch(preview.url + "jaw-fillers/")
    assert code == 200 and "<h1>Jaw Fillers</h1>" in html
    assert '<script src="/__clinic-pages/live.js"></script></body>' in html
    assert "live.js" not in (preview.preview.output / "jaw-fillers" / "index.html").read_text()
    code, missing = fetch(preview.url + "no-such-page/")
    assert code == 404 and "Page not found" in missing
    assert fetch(preview.url + "assets/style.css")[0] == 200


def test_an_edit_rebuilds_and_the_new_text_is_served(preview):
    before = status(preview)["builds"]
    edit(preview.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
               "<h1>{{ treatment.name }}</h1><p>Edited while previewing.</p>")
    rebuilt(preview, before)
    code, html = fetch(preview.url + "jaw-fillers/")
    assert code == 200 and "Edited while previewing." in html


def test_a_data_error_is_reported_while_the_last_good_pages_stay_served(preview):
    good = fetch(preview.url + "jaw-fillers/")[1]
    before = status(preview)["builds"]
    edit(preview.preview.project / "treatments.yaml", "name: Jaw Fillers", "name: [Jaw Fillers")
    current = rebuilt(preview, before)
    assert current["error"].startswith("treatments.yaml:")
    assert current["heading"] == "1 problem in the data; nothing was written"
    [problem] = current["problems"]
    text = (preview.preview.project / "treatments.yaml").read_text().split("\n")
    line = next(n for n, text in enumerate(text, 1) if "name: [Jaw Fillers" in text)
    column = text[line - 1].index("[") + 1
    assert problem["title"] == f"treatments.yaml:{line}:{column}"
    assert problem["message"] == "the `[` here is never closed with `]`"
    assert problem["excerpt"] == [f"  {line} | {text[line - 1]}", f"  {' ' * len(str(line))} | {' ' * (column - 1)}^"]
    assert "close it with `]`" in problem["hint"]
    assert fetch(preview.url + "jaw-fillers/") == (200, good)
    edit(preview.preview.project / "treatments.yaml", "name: [Jaw Fillers", "name: Jaw Fillers")
    wait_for(lambda: status(preview)["error"] is None)


def test_a_template_error_names_the_template_and_line(preview):
    before = status(preview)["builds"]
    edit(preview.preview.project / "templates" / "landing.html", "{% endblock %}", "{% if %}{% endblock %}")
    current = rebuilt(preview, before)
    assert current["error"].startswith("templates/landing.html:")


def test_an_edited_rule_file_rebuilds_and_its_findings_are_shown(preview):
    project = preview.preview.project
    (project / "rules").mkdir()
    rule = ("rules:\n  - id: house-word\n    severity: error\n    message: a word the clinic avoids\n"
            "    hint: say it another way\n    source: https://example.org/house-style\n    terms: [{word}]\n")
    (project / "rules" / "house.yaml").write_text(rule.format(word="zzyzzq"))
    before = status(preview)["builds"]
    edit(project / "site.yaml", "\nchecks:\n", "\nchecks:\n  rules: [rules/house.yaml]\n")
    rebuilt(preview, before)
    before = status(preview)["builds"]
    (project / "rules" / "house.yaml").write_text(rule.format(word="clinic"))   # a rule file, not site.yaml
    current = rebuilt(preview, before)
    assert re.fullmatch(r"The checks found \d+ errors: they stop the build", current["heading"])
    found = {p["page"]: p for p in current["problems"]}
    assert "/jaw-fillers/" in found and "/" in found   # each page that says the word, by its URL
    assert found["/jaw-fillers/"] == {"title": "claims.house-word", "page": "/jaw-fillers/",
                                      "message": found["/jaw-fillers/"]["message"], "evidence":
                                      found["/jaw-fillers/"]["evidence"], "hint": "say it another way"}
    assert "a word the clinic avoids" in found["/jaw-fillers/"]["message"]
    assert "clinic" in found["/jaw-fillers/"]["evidence"].lower()
    assert "claims.house-word" in current["error"] and "the build stopped" in current["error"]


def rebuilt(preview: PreviewServer, before: int) -> dict:
    """The status once the preview has finished a rebuild after `before` (the number of rebuilds seen before a
    save): the pages rendered ahead of it (to show them at once) are then written, or the overlay says why not."""
    return wait_for(lambda: (s := status(preview))["builds"] > before and not s["building"] and s)


def test_a_failure_of_any_kind_is_shown_and_the_next_save_rebuilds(preview, monkeypatch):
    """Not only the tool's own errors: a fault in clinic-pages itself must not stop the preview either."""
    real = serve_module.build
    calls = []

    def faulty(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise ZeroDivisionError("a fault inside the build")
        return real(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", faulty)
    project = preview.preview.project
    before = status(preview)["builds"]
    edit(project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
         "<h1>{{ treatment.name }}</h1><p>First save.</p>")
    current = rebuilt(preview, before)
    assert current["heading"] == "clinic-pages failed unexpectedly"
    assert current["problems"][0]["message"] == "ZeroDivisionError: a fault inside the build"
    assert "First save." not in fetch(preview.url + "jaw-fillers/")[1]   # the last good pages are still served
    edit(project / "templates" / "treatment.html", "<p>First save.</p>", "<p>Second save.</p>")
    current = rebuilt(preview, current["builds"])
    assert current["error"] is None
    assert "Second save." in fetch(preview.url + "jaw-fillers/")[1]


def test_files_that_are_not_inputs_do_not_rebuild(preview):
    project = preview.preview.project
    before = status(preview)["builds"]
    (project / "notes.txt").write_text("not an input")
    (project / "output" / "extra.txt").write_text("written by hand")
    (project / ".clinic-pages-checks.npz.tmp").write_text("a file the tool itself writes beside the data")
    for n in (1, 2):   # two saves of an input: two rebuilds, and none for the other files
        edit(project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
             f"<h1>{{{{ treatment.name }}}}</h1><p>Input {n}.</p>")
        current = rebuilt(preview, before + n - 1)
        assert f"Input {n}." in fetch(preview.url + "jaw-fillers/")[1]
    assert current["builds"] == before + 2


def test_the_status_names_the_pages_that_changed(preview):
    before = status(preview)["builds"]
    edit(preview.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
         "<h1>{{ treatment.name }}</h1><p>Only the treatment pages.</p>")
    current = rebuilt(preview, before)
    assert "/jaw-fillers/" in current["changed"] and all(p.count("/") == 2 for p in current["changed"])


def test_a_rule_file_named_after_the_start_is_watched(preview):
    project = preview.preview.project
    rules = project / "house-rules"
    rules.mkdir()
    rule = ("rules:\n  - id: house-word\n    severity: error\n    message: a word the clinic avoids\n"
            "    hint: say it another way\n    source: https://example.org/house-style\n    terms: [{word}]\n")
    (rules / "house.yaml").write_text(rule.format(word="zzyzzq"))
    before = status(preview)["builds"]
    edit(project / "site.yaml", "\nchecks:\n", "\nchecks:\n  rules: [house-rules/house.yaml]\n")
    current = rebuilt(preview, before)
    assert current["error"] is None
    (rules / "house.yaml").write_text(rule.format(word="clinic"))   # in a folder the preview did not watch before
    current = rebuilt(preview, current["builds"])
    assert current["heading"].startswith("The checks found")


def test_the_page_being_looked_at_is_shown_before_the_rebuild_and_then_written(preview, monkeypatch):
    """A save renders the page being looked at first and serves it from memory; the rebuild (every page, the
    checks, the writes) follows, and its output is the same page."""
    real, go = serve_module.build, threading.Event()

    def held(*args, **kwargs):   # a slow rebuild: it waits until the test has seen the page shown ahead
        assert go.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(serve_module, "build", held)
    project, page = preview.preview.project, "jaw-fillers/"
    assert "Shown at once." not in fetch(preview.url + page)[1]   # the page being looked at
    before = status(preview)["builds"]
    edit(project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
         "<h1>{{ treatment.name }}</h1><p>Shown at once.</p>")
    ahead = wait_for(lambda: (s := status(preview))["building"] and "/jaw-fillers/" in (s["changed"] or []) and s)
    served = fetch(preview.url + page)[1]
    assert "Shown at once." in served
    assert "Shown at once." not in (preview.preview.output / page / "index.html").read_text()   # not written yet
    go.set()
    done = rebuilt(preview, before)
    assert done["error"] is None and done["version"] > ahead["version"]
    assert "/jaw-fillers/" not in done["changed"]   # written as it was shown: no second reload
    assert fetch(preview.url + page)[1] == served
    assert "Shown at once." in (preview.preview.output / page / "index.html").read_text()


def test_a_page_shown_ahead_that_the_checks_refuse_is_taken_back(preview):
    project, page = preview.preview.project, "jaw-fillers/"
    good = fetch(preview.url + page)[1]
    before = status(preview)["builds"]
    edit(project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
         "<h1>{{ treatment.name }}</h1><p>Results are guaranteed.</p>")
    done = rebuilt(preview, before)
    assert done["error"] is not None and "claims.guarantee" in done["error"]
    assert fetch(preview.url + page)[1] == good   # the last good page again, as output/ holds it


# -- the property: after any sequence of saves, the preview's output is a clean build's ------------------------

@pytest.mark.slow
# 6 sequences of 1-5 saves (about 18 saves of the 14 kinds of edit of test_incremental, whose property covers
# the sequences themselves): each starts a preview and waits for every rebuild.
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(EDITS), st.integers(0, 9)), min_size=1, max_size=5))
def test_after_any_sequence_of_saves_the_preview_equals_a_clean_build(tmp_path_factory, edits):
    root = tmp_path_factory.mktemp("warm")
    project = sample_subset(root / "p", treatments=3, locations=5)
    site = project / "site.yaml"   # copies of a treatment are reported, not refused (as in test_incremental)
    site.write_text(site.read_text().replace("duplicates.exact: fail", "duplicates.exact: warn")
                    .replace("duplicates.near: fail", "duplicates.near: warn"))
    server = PreviewServer(project, port=0).start()
    try:
        for edit_, n in edits:
            before = status(server)["builds"]
            fetch(server.url)   # a page being looked at: rendered ahead of each rebuild, which then starts from
            edit_(project, n)   # the project and plan loaded for it
            current = rebuilt(server, before)
            if current["error"] is not None:   # an edit of two files (a treatment renamed, and the text written
                try:                           # for it in places) may be seen half made: the next save rebuilds
                    current = wait_for(lambda seen=current["builds"]: (s := status(server))["builds"] > seen
                                       and not s["building"] and s, 10)
                except AssertionError:
                    pass
            assert current["error"] is None, current["error"]
    finally:
        server.stop()
    fresh = root / "fresh"
    shutil.copytree(project, fresh, ignore=shutil.ignore_patterns("output", ".clinic-pages-*"))
    build(fresh, clean=True)
    assert tree_bytes(project / "output") == tree_bytes(fresh / "output")
    assert (project / ".clinic-pages-state.json").read_bytes() == (fresh / ".clinic-pages-state.json").read_bytes()



def test_hostile_data_is_shown_and_the_watcher_keeps_watching(preview):
    """`lat: .nan` and a YAML merge key once killed the watcher: now they are data errors like any other."""
    project = preview.preview.project
    for old, new, says in (("lat: 51.39985", "lat: .nan", "expected a finite number"),
                           ("    lat: 51.39985 ", "    <<: {lat: 51.39985}\n   ", "merge keys")):
        before = status(preview)["version"]
        edit(project / "site.yaml", old, new)
        current = wait_for(lambda before=before: (s := status(preview))["version"] > before and s)
        assert current["error"].startswith("site.yaml:") and says in current["error"]
        before = current["version"]
        edit(project / "site.yaml", new, old)
        wait_for(lambda before=before: (s := status(preview))["version"] > before and s["error"] is None)


def test_a_page_replaced_by_a_link_is_not_served(preview, tmp_path):
    secret = tmp_path / "secret.html"
    secret.write_text("<p>not for the web</p>")
    page = preview.preview.output / "jaw-fillers" / "index.html"
    page.unlink()
    page.symlink_to(secret)
    code, body = fetch(preview.url + "jaw-fillers/")
    assert code == 404 and "not for the web" not in body


def test_after_a_rebuild_the_last_builds_memory_is_frozen_and_older_cycles_are_freed(preview):
    """The preview keeps the last build's memory out of the garbage collector's walks between saves (`settle_heap`),
    and frees what the builds before left in reference cycles: nothing stays frozen longer than one save."""
    import gc
    import weakref

    class Cycle:
        pass

    before = status(preview)["builds"]
    garbage = Cycle()
    garbage.self = garbage
    gc.freeze()   # as a rebuild leaves it
    gone = weakref.ref(garbage)
    del garbage
    edit(preview.preview.project / "templates" / "treatment.html", "<h1>{{ treatment.name }}</h1>",
         "<h1>{{ treatment.name }}</h1><p>Edited while previewing.</p>")
    rebuilt(preview, before)
    wait_for(lambda: gone() is None)
    wait_for(lambda: gc.get_freeze_count() > 0)


def test_settling_the_heap_gives_the_c_librarys_free_memory_back(monkeypatch):
    """After each rebuild the preview hands what the C library freed back to the system (`trim_heap`: glibc's
    malloc_trim), so that a rebuild's passing peak does not stay resident until the next."""
    import gc
    import platform

    from generator import serve

    calls: list[bool] = []
    monkeypatch.setattr(serve, "trim_heap", lambda: calls.append(gc.get_freeze_count() == 0) or True)
    serve.settle_heap()
    gc.unfreeze()
    assert calls == [True]   # after the collection, before the freeze
    monkeypatch.undo()
    assert serve.trim_heap() is (platform.system() == "Linux" and platform.libc_ver()[0] == "glibc")
