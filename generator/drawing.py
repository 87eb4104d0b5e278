"""Drawing the pages: each one rendered, checked as it is rendered (with a checker) and staged when its bytes are
new, in this process or, for a large build, in forked workers that share the pages among them (`workers.py`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from generator.digests import digest
from generator.workers import can_fork, collecting, in_workers, spans

if TYPE_CHECKING:  # what is drawn is handed in: importing this module loads neither the checks nor Jinja2
    from generator.checks.duplicates import BlockBatch
    from generator.checks.incremental import BuildChecks
    from generator.checks.results import PageResult
    from generator.output import OutputTransaction
    from generator.plan import Page
    from generator.render import Renderer

_WORKER: tuple[list[Page], Renderer, OutputTransaction, BuildChecks | None, Callable[[Page], str]] | None = None


def _render_one(renderer: Renderer, tx: OutputTransaction, page: Page, checker: BuildChecks | None,
                inputs_of: Callable[[Page], str]) -> tuple[str, str, bool, PageResult | None]:
    """Render a page, check it (with a checker) and stage it if its bytes are new. Returns (digest of its
    inputs, digest of its bytes, staged, the page's check result)."""
    key = inputs_of(page)
    data = renderer.render(page).html.encode("utf-8")
    result = checker.inspect(page.file, data) if checker is not None else None
    sha = digest(data)
    if tx.is_current(page.file, sha):
        return key, sha, False, result
    tx.write_staged(page.file, data)
    return key, sha, True, result


def _render_chunk(span: tuple[int, int]) -> tuple[list[tuple[str, str, bool, PageResult | None]], BlockBatch | None]:
    """In a worker process: render, check and stage the pages pages[start:end] (the worker has the list from
    the fork: only two numbers are sent); with the blocks of main text the checks stored."""
    assert _WORKER is not None
    collecting()
    pages, renderer, tx, checker, inputs_of = _WORKER
    done = [_render_one(renderer, tx, page, checker, inputs_of) for page in pages[span[0]:span[1]]]
    return done, checker.run.index.take_new() if checker is not None else None


def render_pages(renderer: Renderer, pages: list[Page], tx: OutputTransaction,
                 progress: Callable[[int, int], None] | None, jobs: int | None, checker: BuildChecks | None,
                 inputs_of: Callable[[Page], str]) -> Iterator[tuple[Page, str, str, PageResult | None]]:
    """Render, check (with a checker) and stage `pages`, yielding (page, digest of its inputs, digest of its
    bytes, check result) in order. Large builds use every core."""
    global _WORKER
    jobs = jobs or os.cpu_count() or 1
    total = len(pages)
    if can_fork(jobs, total):
        renderer.compile_ahead({page.template for page in pages})   # once here, not in each worker
        _WORKER = (pages, renderer, tx, checker, inputs_of)
        if checker is not None:
            checker.run.index.mark_sent()
        try:
            for (start, end), (results, blocks) in in_workers(_render_chunk, spans(total, jobs), jobs):
                if checker is not None:
                    checker.run.index.receive(blocks)
                for page, (key, sha, staged, result) in zip(pages[start:end], results, strict=True):
                    tx.record(page.file, sha, staged)
                    yield page, key, sha, result
                if progress:
                    progress(end, total)
        finally:
            _WORKER = None
        return
    for n, page in enumerate(pages, 1):
        key, sha, staged, result = _render_one(renderer, tx, page, checker, inputs_of)
        tx.record(page.file, sha, staged)
        yield page, key, sha, result
        if progress and (n % 100 == 0 or n == total):
            progress(n, total)
