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
