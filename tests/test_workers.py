"""Forked worker pools: the work comes back in order, and the parent's objects are frozen out of the garbage
collector only while the pool runs (`serve` builds again and again in one process: a freeze that stayed would
keep every later build's garbage for good). Build, check and audit start workers from one threshold on
(workers.PARALLEL_MIN_PAGES), and only there: tested at the real threshold, so that a changed threshold or
comparison shows."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator import audit, build, workers
from generator.checks import CheckRun
from generator.workers import PARALLEL_MIN_PAGES, can_fork, forked_pool, in_workers, spans
from tests.projects import sample_subset, tree_bytes

pytestmark = pytest.mark.skipif(not can_fork(2, 1, 1), reason="no fork on this system")



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


def _pid_and_inherited(_: int) -> tuple[int, bool, bool]:
    """This worker's pid; whether it inherited the marker; whether its garbage collector would walk it."""
    marker = _MADE_AFTER_THE_POOL[0] if _MADE_AFTER_THE_POOL else None
    return os.getpid(), marker is not None, marker is not None and any(o is marker for o in gc.get_objects())


_MADE_AFTER_THE_POOL: list[list[int]] = []


def test_in_the_preview_a_worker_is_replaced_by_a_fresh_fork_after_its_parts_and_freezes_what_it_inherits() -> None:
    """Within `replaced_workers` (the preview's rebuilds), a worker lives for PARTS_PER_WORKER parts, then a new fork
    takes its place (what the old one copied of this process's memory goes with it); the new one starts with what
    this process made meanwhile out of its collector."""
    parts = 3 * workers.PARTS_PER_WORKER
    with workers.replaced_workers(), forked_pool(1) as pool:
        _MADE_AFTER_THE_POOL.append([1])   # made in this process after the first worker forked
        try:
            done = list(pool.imap(_pid_and_inherited, range(parts)))
        finally:
            _MADE_AFTER_THE_POOL.clear()
    pids = [pid for pid, _, _ in done]
    assert len(set(pids)) == 3 and all(pids.count(pid) == workers.PARTS_PER_WORKER for pid in set(pids))
    assert any(inherited for _, inherited, _ in done)
    assert not any(walked for _, _, walked in done)


def test_a_command_keeps_its_workers_for_the_whole_pool() -> None:
    """Outside the preview (a command that ends with its build or check), a worker does every part it is given:
    each fresh fork would copy this process's memory again and start its caches again."""
    parts = 3 * workers.PARTS_PER_WORKER
    with forked_pool(1) as pool:
        pids = [pid for _, pid in pool.imap(_square, range(parts))]
    assert len(set(pids)) == 1 and pids[0] != os.getpid()


def test_the_preview_rebuilds_with_replaced_workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The preview's rebuild (and only it) runs its build within `replaced_workers`."""
    from generator import serve
    seen = []

    def build(*args, **kwargs):
        seen.append(workers._parts_per_worker)
        raise RuntimeError("stop here")

    monkeypatch.setattr(serve, "build", build)
    preview = serve.Preview(tmp_path, tmp_path / "output")
    preview.rebuild()
    assert seen == [workers.PARTS_PER_WORKER] and workers._parts_per_worker is None


def test_can_fork_from_the_threshold_on() -> None:
    minimum = PARALLEL_MIN_PAGES
    assert minimum > 1
    assert can_fork(2, minimum) and can_fork(16, 100 * minimum)
    assert not can_fork(2, minimum - 1)
    assert not can_fork(1, 100 * minimum)      # one job: stay in this process


@pytest.mark.parametrize("total", [0, 1, 99, 100, 101, 1_000, 10_007, 100_000])
@pytest.mark.parametrize("jobs", [2, 3, 16])
def test_the_spans_cover_every_item_once_in_order(total: int, jobs: int) -> None:
    cut = spans(total, jobs)
    assert [i for start, end in cut for i in range(start, end)] == list(range(total))
    assert all(0 < end - start <= 250 for start, end in cut)


def test_in_workers_gives_each_part_with_its_result_in_order() -> None:
    parts = list(range(30))
    assert [(part, r) for part, (r, _) in in_workers(_square, parts, 2)] == [(n, n * n) for n in parts]


def test_no_command_has_a_dispatch_loop_or_threshold_of_its_own() -> None:
    """Build, check and audit share their pages through `in_workers`, from PARALLEL_MIN_PAGES on: none of them
    starts a pool or keeps a threshold itself (there were three loops, at 100, 100 and 400 pages)."""
    from generator.checks import engine

    for module in (build, engine, audit):
        source = Path(module.__file__).read_text("utf-8")
        assert "forked_pool" not in source and ".imap(" not in source and "PARALLEL_MIN_PAGES" not in source


def _count_pools(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Wrap the forked_pool that `in_workers` calls: the list gets the number of workers of each pool started."""
    started: list[int] = []
    real = workers.forked_pool

    @contextmanager
    def counted(jobs: int) -> Iterator:
        started.append(jobs)
        with real(jobs) as pool:
            yield pool

    monkeypatch.setattr(workers, "forked_pool", counted)
    return started


def _pages(folder: Path, count: int) -> list[str]:
    names = [f"page-{n:04d}.html" for n in range(count)]
    for n, name in enumerate(names):
        (folder / name).write_text(f"<!doctype html><html lang='en'><head><title>Page {n}</title></head>"
                                   f"<body><main><h1>Page {n}</h1><p>Text of page {n}.</p></main></body></html>")
    return names


def test_audit_reads_pages_in_workers_from_its_threshold_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _pages(tmp_path, PARALLEL_MIN_PAGES)
    pools = _count_pools(monkeypatch)
    fewer = audit.read_pages(tmp_path, files[:-1], jobs=2)
    assert pools == [] and [p.file for p in fewer] == files[:-1]
    assert [p.file for p in audit.read_pages(tmp_path, files, jobs=1)] == files
    assert pools == []
    enough = audit.read_pages(tmp_path, files, jobs=2)
    assert pools == [2]
    assert [(p.file, p.title) for p in enough] == [(f, f"Page {n}") for n, f in enumerate(files)]


def test_check_inspects_pages_in_workers_from_its_threshold_on(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    files = [(name, str(tmp_path / name)) for name in _pages(tmp_path, PARALLEL_MIN_PAGES)]
    pools = _count_pools(monkeypatch)
    fewer = list(CheckRun().inspect_files(files[:-1], jobs=2))
    assert pools == [] and len(fewer) == len(files) - 1
    enough = list(CheckRun().inspect_files(files, jobs=2))
    assert pools == [2]
    assert [r.url for r in enough] == [r.url for r in fewer] + [enough[-1].url]
    assert enough[-1].url != fewer[-1].url


def test_build_renders_in_workers_from_its_threshold_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pages whose files were deleted are rendered again: exactly the threshold's number of them, or one less."""
    minimum = PARALLEL_MIN_PAGES
    project = sample_subset(tmp_path / "p", locations=10)
    first = build.build(project, jobs=1, checks=False)
    assert first.pages > minimum, "the project is too small to test the threshold: give it more places"
    output = project / "output"
    built = tree_bytes(output)
    pages = [page.file for page in first.plan.pages]
    pools = _count_pools(monkeypatch)
    for count, expected in ((minimum - 1, []), (minimum, [2])):
        for file in pages[:count]:
            (output / file).unlink()
        report = build.build(project, jobs=2, checks=False)
        assert report.rendered == count and pools == expected
        assert tree_bytes(output) == built


def test_a_build_runs_with_the_collector_paused_and_its_workers_collect(tmp_path: Path, monkeypatch) -> None:
    """A build (and `check`) pauses Python's cyclic garbage collector in this process, whose walks over the project,
    the plan and the check results cost about 1 s of CPU at 10,000 pages and free nothing, and resumes it after,
    also when the build stops; the render workers it forks collect as they did before (`collecting`)."""
    import gc

    import generator.build as build_module
    import generator.checks.incremental as incremental
    import generator.drawing as drawing
    import generator.workers as workers_module
    from generator.errors import ChecksFailed, DataError
    from tests.projects import sample_subset

    project = sample_subset(tmp_path / "p", treatments=3, locations=5)
    seen: list[tuple[str, bool]] = []
    real_finish = incremental.BuildChecks.finish
    real_chunk = drawing._render_one

    def finish(self, *args, **kwargs):
        seen.append(("parent", gc.isenabled()))
        return real_finish(self, *args, **kwargs)

    log = tmp_path / "workers"   # the workers' lists do not come back: they say it in a file

    def render_one(*args, **kwargs):
        with open(log, "a") as fh:
            fh.write(f"{os.getpid()} {gc.isenabled()}\n")
        return real_chunk(*args, **kwargs)

    monkeypatch.setattr(incremental.BuildChecks, "finish", finish)
    monkeypatch.setattr(drawing, "_render_one", render_one)
    monkeypatch.setattr(workers_module, "PARALLEL_MIN_PAGES", 2)
    build_module.build(project, jobs=2)
    workers = [line.split() for line in log.read_text().splitlines()]
    assert seen == [("parent", False)] and workers and all(on == "True" for _, on in workers)
    assert {pid for pid, _ in workers} - {str(os.getpid())}   # rendered in other processes
    assert gc.isenabled()
    (project / "site.yaml").write_text("name: [unclosed\n", "utf-8")
    with pytest.raises((DataError, ChecksFailed)):
        build_module.build(project)
    assert gc.isenabled()


def test_check_loads_plans_and_reports_with_the_collector_paused(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    """`check`, as a build, reads the project with the collector paused (its walks over the records made free
    nothing), and leaves it as it found it."""
    from generator import cli, validate
    seen: list[bool] = []

    def load(root, kept=None):
        seen.append(gc.isenabled())
        raise validate.DataError([])

    monkeypatch.setattr(validate, "load_project", load)
    (tmp_path / "output").mkdir()
    assert gc.isenabled()
    cli.main(["check", "--project", str(tmp_path), "-q"])
    assert seen == [False] and gc.isenabled()
