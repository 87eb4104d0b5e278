"""What a build hands on to the next one in the same process, and the pages the preview renders ahead of it."""

from __future__ import annotations

from pathlib import Path

from bench.preview import area_page, landing_page
from bench.synth import edit_treatment, synth_data, write_data, write_project
from generator.build import build
from generator.memory import Memory, render_ahead


def test_a_save_renders_ahead_the_pages_it_changes_as_the_rebuild_then_writes_them(tmp_path: Path) -> None:
    data = synth_data(2, 4, pair_notes=1.0)
    root = write_project(data, tmp_path / "p")
    memory = Memory()
    assert render_ahead(root, memory, ["/"]) == {}   # nothing before a first build
    build(root, memory=memory)
    changed, untouched = landing_page(data, 0, 0), area_page(data, 1)
    assert render_ahead(root, memory, [changed, untouched]) == {}   # nothing saved: nothing changed
    write_data(data, root, only=(edit_treatment(data, 0, 7),))
    shown = render_ahead(root, memory, [changed, untouched, "/no-such-page/"])
    assert list(shown) == [changed]   # the area's page does not show the treatment's summary
    file, html = shown[changed]
    assert b"Reviewed in round 7." in html
    build(root, memory=memory)
    assert (root / "output" / file).read_bytes() == html


def test_after_a_template_edit_the_memory_compiles_only_the_edited_template_again(tmp_path: Path,
                                                                                 monkeypatch) -> None:
    """The preview keeps one memory across saves: a new environment after an edit under templates/, which
    compiles the edited template again and takes the others' compiled code from the memory."""
    import jinja2

    generated: list[str | None] = []
    real = jinja2.Environment._generate
    monkeypatch.setattr(jinja2.Environment, "_generate",
                        lambda self, source, name, *args, **kw: generated.append(name) or real(
                            self, source, name, *args, **kw))
    templates = tmp_path / "templates"
    templates.mkdir()
    for name in ("a.html", "b.html"):
        (templates / name).write_text(f"<p>{name} {{{{ x }}}}</p>\n", "utf-8")
    memory = Memory()
    first = memory.environment(templates)
    assert memory.environment(templates) is first   # nothing changed: the same environment
    for name in ("a.html", "b.html"):
        first.get_template(name)
    (templates / "b.html").write_text("<p>b, edited {{ x }}</p>\n", "utf-8")
    second = memory.environment(templates)
    assert second is not first
    assert [second.get_template(name).render(x=1) for name in ("a.html", "b.html")] == [
        "<p>a.html 1</p>\n", "<p>b, edited 1</p>\n"]
    assert generated == ["a.html", "b.html", "b.html"]


def test_the_checks_kept_between_saves_hold_no_findings_facts_or_texts_of_their_run(tmp_path: Path) -> None:
    """The preview keeps the last build's checks for its duplicate index and results: what only the run's `finish`
    read (the findings before policies, the canonicals, the word counts, the main texts) is let go, while the
    next build still publishes what a clean build does."""
    data = synth_data(2, 4)
    root = write_project(data, tmp_path / "p")
    memory = Memory()
    first = build(root, memory=memory)
    assert first.checks is not None and first.checks.findings   # the doorway pages' findings are in the report
    run = memory.checks.run
    assert (run.raw, run.indexing, run.words, run.texts, run.seen) == ([], {}, {}, {}, set())
    # nor the facts of every page (the next build works out its own) or the build's page reader (its output/)
    assert memory.checks.facts.pages == {} and memory.checks.page_file is None
    write_data(data, root, only=(edit_treatment(data, 0, 7),))
    warm = build(root, memory=memory)
    clean = build(root, tmp_path / "clean", clean=True)
    assert warm.checks.findings == clean.checks.findings and warm.checks.held == clean.checks.held


def test_a_page_result_from_a_render_worker_shares_the_strings_this_process_holds(tmp_path: Path) -> None:
    """A result unpickled from a render worker has its own copy of every string: the checks kept between saves take
    the page's URL path from the plan and one object for each robots value, and the result has no __dict__."""
    from generator.checks.incremental import BuildChecks
    from generator.checks.results import PageResult
    from generator.plan import plan_site
    from generator.validate import load_project

    root = write_project(synth_data(2, 4), tmp_path / "p")
    project = load_project(root)
    plan = plan_site(project)
    checks = BuildChecks(project, plan, root, cache=False)
    pages = plan.pages[:2]
    for page in pages:   # strings made at run time, as unpickling makes them
        robots = "".join(["noindex, ", "follow"])
        checks.rendered(page, "sha", PageResult("".join(page.url_path), [], ("https://x/", robots), None, None))
    kept = [checks.results[page.url_path] for page in pages]
    assert all(result.url is page.url_path for result, page in zip(kept, pages, strict=True))
    assert kept[0].indexing[1] is kept[1].indexing[1] == "noindex, follow"
    assert not hasattr(kept[0], "__dict__")


def test_a_save_keeps_the_last_builds_record_of_each_page_it_did_not_touch(tmp_path: Path) -> None:
    """`Memory.pages` after a save holds the last build's record (the same object) of every page whose plan entry
    and digests are the same, and a new record of each page the save changed."""
    data = synth_data(2, 4)
    root = write_project(data, tmp_path / "p")
    memory = Memory()
    build(root, memory=memory)
    before = dict(memory.pages)
    write_data(data, root, only=(edit_treatment(data, 0, 7),))
    build(root, memory=memory)
    changed = {file for file, record in memory.pages.items() if record != before.get(file)}
    assert changed and len(changed) < len(before)   # the edited treatment's pages
    assert all(memory.pages[file] is before[file] for file in before.keys() - changed)
