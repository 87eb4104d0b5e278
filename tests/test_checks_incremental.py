"""The checks of a build run on the pages it renders; unchanged pages keep their results in the check cache."""

from __future__ import annotations

import numpy as np
import pytest

from generator import workers
from generator.build import build
from generator.checks.incremental import CACHE_FILE, BuildChecks
from generator.errors import ChecksFailed
from tests.projects import edit_yaml, sample_subset

pytestmark = pytest.mark.slow   # each test builds the whole sample once or twice (a first build is copied)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


@pytest.fixture
def inspected(monkeypatch):
    """The files whose HTML the checks parsed (rendered, or read back from disk): in this process, which does
    all the work (worker processes would see the spy, but their lists would not come back)."""
    monkeypatch.setattr(workers, "PARALLEL_MIN_PAGES", 10**9)
    seen: list[str] = []
    real = BuildChecks.inspect

    def spy(self, file, html):
        seen.append(file)
        return real(self, file, html)

    real_files = BuildChecks.finish

    def spy_finish(self, page_file, jobs=None):
        seen.extend(f"read:{url}" for url in self.unread)
        return real_files(self, page_file, jobs)

    monkeypatch.setattr(BuildChecks, "inspect", spy)
    monkeypatch.setattr(BuildChecks, "finish", spy_finish)
    return seen


def summary(report):
    checks = report.checks
    return (sorted((f.rule, f.page, f.message) for f in checks.findings), checks.demoted,
            [(s.page, s.unique_share, s.unique_words, s.twin, s.twin_similarity) for s in checks.duplicates.pages])


def test_an_edit_checks_only_the_pages_it_renders_and_finds_what_a_clean_build_finds(tmp_path, inspected):
    project = sample_subset(tmp_path / "p")
    first = build(project)
    assert (project / CACHE_FILE).is_file()
    assert len(set(inspected)) == first.pages    # each once, and again those drawn again once the checks decided
    inspected.clear()
    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"] + " Edited for the test."))
    report = build(project)
    assert 0 < report.rendered < first.pages / 5
    assert len(inspected) == report.rendered    # nothing read back from disk, nothing else parsed
    (project / CACHE_FILE).unlink()
    (project / "output" / "index.html").write_text("stale")   # forces this page to be rendered again
    clean = build(project, clean=True)
    assert summary(report) == summary(clean)


def test_an_edit_takes_the_signatures_and_written_shingles_of_unchanged_pages_from_the_cache(built_copy, inspected,
                                                                                              monkeypatch):
    """The check cache keeps the MinHash signature of each content set compared and the shingles of the text
    written for each page: a build after an edit works out the signatures of the pages whose content changed, and
    no written text's shingles (none changed), and finds what a clean build finds."""
    from generator.checks.duplicates import DuplicateIndex
    from generator.checks.duplicates.tables import ShingleSets
    project, _ = built_copy()
    hashed, written = [], []
    page_minhash, shingles_of_written = ShingleSets.page_minhash, DuplicateIndex._shingles_of_written

    def spy_minhash(self, rows, blocks, n):
        hashed.append(n)
        return page_minhash(self, rows, blocks, n)

    def spy_written(self):
        written.append((len(set(self._written.values()) - self._written_shingles.keys()), len(self._written)))
        return shingles_of_written(self)

    monkeypatch.setattr(ShingleSets, "page_minhash", spy_minhash)
    monkeypatch.setattr(DuplicateIndex, "_shingles_of_written", spy_written)
    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"] + " Edited for the test."))
    report = build(project)
    compared = [s for s in report.checks.duplicates.pages if not s.held and s.duplicate_of is None]
    assert written and all(todo == 0 < pages for todo, pages in written)
    assert hashed and 0 < sum(hashed) < len(compared) / 2
    hashed.clear()
    (project / CACHE_FILE).unlink()
    clean = build(project, clean=True)
    assert sum(hashed) >= len(compared)
    assert summary(report) == summary(clean)


def test_a_claim_in_an_edit_is_caught_while_the_other_pages_come_from_the_cache(built_copy, inspected):
    project, _ = built_copy()
    inspected.clear()
    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"] + " It is 100% safe."))
    with pytest.raises(ChecksFailed) as failed:
        build(project)
    pages = {f.page for f in failed.value.result.findings if f.rule.startswith("claims.")}
    assert pages and len(inspected) < 100
    inspected.clear()
    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"].replace(" It is 100% safe.",
                                                                                               "")))
    assert build(project).checks.ok
    assert len(inspected) < 100   # the failed build's results of the unchanged pages were kept


@pytest.mark.parametrize("damage", [b"", b"not a cache", None])
def test_a_missing_or_damaged_cache_means_every_page_is_checked_again(built_copy, inspected, damage):
    project, first = built_copy()   # the first build, done once for these tests
    expected = summary(first)
    if damage is None:
        (project / CACHE_FILE).unlink()
    else:
        (project / CACHE_FILE).write_bytes(damage)
    (project / "site.yaml").write_text((project / "site.yaml").read_text() + "\n")   # not a no-op build
    inspected.clear()
    again = build(project)
    assert again.rendered == 0
    assert len(set(inspected)) == first.pages and all(f.startswith("read:") for f in inspected)
    assert summary(again) == expected


def _rewrite(path, **changes):
    """The cache file with some of its arrays replaced (same format: a cache another version might leave)."""
    import io

    import numpy as np
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    arrays.update({name: change(arrays[name]) for name, change in changes.items()})
    out = io.BytesIO()
    np.savez(out, **arrays)
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("changes", [
    {"block_len": lambda a: a[:-1]},                              # counts that do not add up to the shingles
    {"block_shingles": lambda a: a[: len(a) // 2]},
    {"block_hash": lambda a: a[1:], "block_words": lambda a: a[1:], "block_len": lambda a: a[1:]},   # a block lost
    {"page_blocks": lambda a: a.astype("float64")},               # the wrong kind of numbers
    {"block_hash": lambda a: a[::-1]},                            # blocks out of order
    {"similar_keys": lambda a: np.append(a, np.uint64(1))},       # a similarity without its pair
    {"similar_keys": lambda a: np.append(a, np.uint64(2**64 - 1)),   # a similarity over 1
     "similar_values": lambda a: np.append(a, 1.5)},
])
def test_a_cache_whose_parts_disagree_means_every_page_is_checked_again(built_copy, inspected, changes):
    project, first = built_copy()   # the first build, done once for these tests
    expected = summary(first)
    _rewrite(project / CACHE_FILE, **changes)
    (project / "site.yaml").write_text((project / "site.yaml").read_text() + "\n")   # not a no-op build
    inspected.clear()
    again = build(project)
    assert len(set(inspected)) == first.pages and all(f.startswith("read:") for f in inspected)
    assert summary(again) == expected


def test_changed_check_settings_ignore_the_cache(built_copy, inspected):
    project, first = built_copy()   # the first build, done once for these tests
    text = (project / "site.yaml").read_text()
    assert "near_threshold: 0.90" in text
    (project / "site.yaml").write_text(text.replace("near_threshold: 0.90", "near_threshold: 0.95", 1))
    inspected.clear()
    build(project)
    assert len(set(inspected)) == first.pages


def _rewrite_meta(path, change):
    import io
    import json

    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(arrays["meta"].tobytes())
    change(meta["pages"])
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)
    path.write_bytes(out.getvalue())


@pytest.mark.parametrize("change", [
    lambda pages: pages.update({"../../../etc/passwd": next(iter(pages.values()))}),
    lambda pages: pages.update({"/abs/index.html": next(iter(pages.values()))}),
    lambda pages: next(iter(pages.values()))[2].append([1, 2, 3, 4, 5, 6, 7]),
    lambda pages: next(iter(pages.values()))[2].append(["claims.pom", "error"]),
], ids=["climbs-out", "absolute", "findings-not-text", "findings-short"])
def test_a_cache_with_entries_the_checks_did_not_write_is_ignored_whole(built_copy, inspected, change):
    project, first = built_copy()   # the first build, done once for these tests
    expected = summary(first)
    _rewrite_meta(project / CACHE_FILE, change)
    (project / "site.yaml").write_text((project / "site.yaml").read_text() + "\n")   # not a no-op build
    inspected.clear()
    again = build(project)
    assert len(set(inspected)) == first.pages and all(f.startswith("read:") for f in inspected)
    assert summary(again) == expected


def test_filler_and_spin_are_taken_from_the_cache_until_a_written_text_changes(built_copy, inspected, monkeypatch):
    """The check cache keeps what filler and spin took out of the texts written for pages, under a digest of those
    texts: a build that changed none of them (a treatment's summary) works none of it out and finds what a clean
    build finds; a changed area's notes work it out again, and again as a clean build does."""
    from generator.checks.duplicates import spun
    project, _ = built_copy()
    worked_out = []
    real = spun._discount

    def spy(pages, masker):
        worked_out.append(len(pages))
        return real(pages, masker)

    monkeypatch.setattr(spun, "_discount", spy)

    def cleared_build(**kwargs):
        spun._LAST.clear()   # the memory of this process: only the cache file may answer
        return build(project, **kwargs)

    def compared(report):
        return summary(report), sorted(report.checks.held.values(), key=lambda h: h.page)

    edit_yaml(project / "treatments.yaml",
              lambda d: d["treatments"][0].update(summary=d["treatments"][0]["summary"] + " Edited for the test."))
    cached = cleared_build()
    assert worked_out == []
    assert any(h.reason for h in cached.checks.held.values())
    (project / CACHE_FILE).unlink()
    clean = cleared_build(clean=True)
    assert worked_out and compared(cached) == compared(clean)
    worked_out.clear()
    edit_yaml(project / "locations.yaml",
              lambda d: d["locations"][0].update(notes=d["locations"][0]["notes"] + " The library opens on Saturdays."))
    edited = cleared_build()
    assert worked_out
    (project / CACHE_FILE).unlink()
    assert compared(edited) == compared(cleared_build(clean=True))


def test_the_cache_s_filler_and_spin_give_the_pages_what_a_fresh_reckoning_gives(tmp_path):
    """Read back from the cache file, what filler and spin took out is what `discount` gives for the same texts,
    to the character (the texts kept and the sentences listed for each page)."""
    from generator.checks.duplicates import spun
    from generator.checks.incremental import _read_written_entry, _written_entry
    from generator.plan import plan_site
    from generator.validate import load_project
    project = load_project(sample_subset(tmp_path / "p"))
    checks = BuildChecks(project, plan_site(project), tmp_path / "p", cache=False)
    spun._LAST.clear()
    fresh = spun._discount(list(checks.run.written_pages), checks.run.masker)
    assert fresh.found   # the sample has spun sentences (two stations, each described from the other)
    import json
    entry = json.loads(json.dumps(_written_entry(checks.run)))
    assert _read_written_entry(entry, checks.run) == (fresh.kept, fresh.found)
    assert _read_written_entry({**entry, "key": "another"}, checks.run) is None
    with pytest.raises(ValueError):
        _read_written_entry({**entry, "found": {"/nowhere/": [[], []]}}, checks.run)
