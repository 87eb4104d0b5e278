"""The pipeline: load → validate → plan → render → write → sitemap. `build()` only calls the phases in order."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.clock import today
from generator.model import Project, load_project
from generator.output import CommitResult, OutputTransaction, digest
from generator.plan import Plan, plan_site
from generator.render import Renderer
from generator.sitemap import robots_txt, sitemap_files
from generator.state import STATE_FILE, load_state

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    project: Project
    plan: Plan
    output: Path
    pages: int
    seconds: float
    result: CommitResult
    placeholders: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        r = self.result
        return (f"Built {self.pages} pages in {self.seconds:.2f} s: {len(r.written)} files written, {r.unchanged} "
                f"unchanged, {len(r.removed)} removed -> {self.output}")


def copy_assets(templates: Path) -> list[tuple[str, bytes]]:
    """Static files under templates/assets/, as (output path, bytes), sorted."""
    root = templates / "assets"
    if not root.is_dir():
        return []
    return [(f"assets/{p.relative_to(root).as_posix()}", p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def build(project_dir: Path, output_dir: Path | None = None, progress: Progress | None = None) -> BuildReport:
    started = time.perf_counter()
    project_dir = Path(project_dir)
    output = Path(output_dir) if output_dir else project_dir / "output"
    project = load_project(project_dir)
    plan = plan_site(project)
    renderer = Renderer(project, plan, project_dir / "templates")
    state = load_state(project_dir)
    notices = [state.problem] if state.problem else []
    date = today()
    history: dict[str, dict[str, str]] = {}
    entries: list[tuple[str, str]] = []
    with OutputTransaction(output) as tx:
        total = len(plan.pages)
        for n, page in enumerate(plan.pages, 1):
            data = renderer.render(page).html.encode("utf-8")
            sha = digest(data)
            tx.put(page.file, data, sha)
            lastmod = state.lastmod(page.file, sha, date)
            history[page.file] = {"sha": sha, "lastmod": lastmod}
            if page.indexable:
                entries.append((renderer.url(page.url_path), lastmod))
            if progress and (n % 50 == 0 or n == total):
                progress(n, total)
        for rel, data in copy_assets(project_dir / "templates"):
            tx.put(rel, data)
        for rel, data in sitemap_files(entries, project.site.base_url).items():
            tx.put(rel, data)
        tx.put("robots.txt", robots_txt(project.site.base_url))
        tx.put_external(project_dir / STATE_FILE, state.to_bytes(history))
        result = tx.commit()
    for rel in result.foreign:
        notices.append(f"{output.name}/{rel} was not made by clinic-pages; left in place")
    return BuildReport(project, plan, output, len(plan.pages), time.perf_counter() - started, result,
                       project.placeholders(), notices)
