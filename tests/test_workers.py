"""Forked worker pools: the work comes back in order, and the parent's objects are frozen out of the garbage
collector only while the pool runs (`serve` builds again and again in one process: a freeze that stayed would
keep every later build's garbage for good). Build, check and audit start workers from their own thresholds on,
and only there: tested at the real thresholds, so that a changed threshold or comparison shows."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

import pytest

from generator import audit, build
from generator.checks import CheckRun, engine
from generator.workers import can_fork, forked_pool
from tests.projects import sample_subset, tree_bytes

pytestmark = pytest.mark.skipif(not can_fork(2, 1, 1), reason="no fork on this system")

THRESHOLDS = {"build": build.PARALLEL_MIN_PAGES, "check": engine.PARALLEL_MIN_PAGES,
              "audit": audit.PARALLEL_MIN_PAGES}


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def test_a_forked_pool_does_the_work_in_other_processes_in_order() -> None:
    with forked_pool(2) as pool:
        results = list(pool.imap(_square, range(20)))
    assert [r for r, _ in results] == [n * n for n in range(20)]
    assert os.getpid() not in {pid for _, pid in results}


def test_the_parents_objects_are_frozen_only_while_the_pool_runs() -> None:
    kept = [[n] for n in range(100)]   # objects alive in this process while the pool runs
    assert gc.get_freeze_count() == 0
    with forked_pool(2) as pool:
        assert gc.get_freeze_count() > 0
        pool.map(_square, range(4))
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), forked_pool(2):
        raise RuntimeError("a build that fails in the middle")
    assert gc.get_freeze_count() == 0
    assert all(gc.is_tracked(k) for k in kept)   # collectable again


@pytest.mark.parametrize("command", THRESHOLDS)
def test_can_fork_from_the_commands_threshold_on(command: str) -> None:
    minimum = THRESHOLDS[command]
    assert minimum > 1
    assert can_fork(2, minimum, minimum) and can_fork(16, 100 * minimum, minimum)
    assert not can_fork(2, minimum - 1, minimum)
    assert not can_fork(1, 100 * minimum, minimum)      # one job: stay in this process


def _count_pools(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[int]:
    """Wrap the forked_pool that `module` calls: the list gets the number of workers of each pool started."""
    started: list[int] = []
    real = module.forked_pool

    @contextmanager
    def counted(jobs: int) -> Iterator:
        started.append(jobs)
        with real(jobs) as pool:
            yield pool

    monkeypatch.setattr(module, "forked_pool", counted)
    return started


def _pages(folder: Path, count: int) -> list[str]:
    names = [f"page-{n:04d}.html" for n in range(count)]
    for n, name in enumerate(names):
        (folder / name).write_text(f"<!doctype html><html lang='en'><head><title>Page {n}</title></head>"
                                   f"<body><main><h1>Page {n}</h1><p>Text of page {n}.</p></main></body></html>")
    return names


def test_audit_reads_pages_in_workers_from_its_threshold_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _pages(tmp_path, audit.PARALLEL_MIN_PAGES)
    pools = _count_pools(monkeypatch, audit)
    fewer = audit.read_pages(tmp_path, files[:-1], jobs=2)
    assert pools == [] and [p.file for p in fewer] == files[:-1]
    assert [p.file for p in audit.read_pages(tmp_path, files, jobs=1)] == files
    assert pools == []
    enough = audit.read_pages(tmp_path, files, jobs=2)
    assert pools == [2]
    assert [(p.file, p.title) for p in enough] == [(f, f"Page {n}") for n, f in enumerate(files)]


def test_check_inspects_pages_in_workers_from_its_threshold_on(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = [(name, str(tmp_path / name)) for name in _pages(tmp_path, engine.PARALLEL_MIN_PAGES)]
    pools = _count_pools(monkeypatch, engine)
    fewer = list(CheckRun().inspect_files(files[:-1], jobs=2))
    assert pools == [] and len(fewer) == len(files) - 1
    enough = list(CheckRun().inspect_files(files, jobs=2))
    assert pools == [2]
    assert [r.url for r in enough] == [r.url for r in fewer] + [enough[-1].url]
    assert enough[-1].url != fewer[-1].url


def test_build_renders_in_workers_from_its_threshold_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages whose files were deleted are rendered again: exactly the threshold's number of them, or one less."""
    minimum = build.PARALLEL_MIN_PAGES
    project = sample_subset(tmp_path / "p", locations=10)
    first = build.build(project, jobs=1, checks=False)
    assert first.pages > minimum, "the project is too small to test the threshold: give it more places"
    output = project / "output"
    built = tree_bytes(output)
    pages = [page.file for page in first.plan.pages]
    pools = _count_pools(monkeypatch, build)
    for count, expected in ((minimum - 1, []), (minimum, [2])):
        for file in pages[:count]:
            (output / file).unlink()
        report = build.build(project, jobs=2, checks=False)
        assert report.rendered == count and pools == expected
        assert tree_bytes(output) == built
