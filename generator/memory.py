"""What a build hands on to the next build in the same process (`Memory`), and the pages the preview draws
ahead of that build (`render_ahead`)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from generator.data import TEMPLATES_DIR
from generator.state import State, input_digest
from generator.workers import collector_paused

if TYPE_CHECKING:  # the checks (numpy) and Jinja2 load only when a build has work to do: a no-op stays fast
    from generator.checks.incremental import BuildChecks
    from generator.model import Project
    from generator.plan import Page, Plan
    from generator.render import TemplateEnvironment, TemplateMemo
    from generator.validate import Kept


@dataclass
class Memory:
    """What a build hands on to the next build in the same process, so that it reads none of it from disk: the
    build state and the output manifest as it committed them, and its check results (in place of the check cache
    file). `clinic-pages serve` keeps one between saves; a build that fails leaves it as the last good build
    left it. The output folder and the state file are still the truth: a manifest someone changed on disk is
    read again, and the state, the manifest and the check results are only used when they belong together."""

    state: State | None = None
    manifest: dict[str, str] | None = None        # output's manifest as committed (file -> digest of its bytes)
    checks: BuildChecks | None = None
    templates: tuple[str, TemplateEnvironment] | None = None   # (digest of templates/, its compiled environment)
    template_memo: TemplateMemo | None = None   # what every environment so far learnt of the template texts
    pages: dict[str, tuple[Page, str, str]] = field(default_factory=dict)   # file -> (page, template digest,
    fingerprints: dict[str, str] = field(default_factory=dict)                #         digest of its inputs)
    demoted: dict[str, str] = field(default_factory=dict)       # the pages the checks demoted (URL -> its hub)
    ahead: tuple[str, Project, Plan] | None = None              # what `render_ahead` loaded: (inputs digest, ...)
    plan: Plan | None = None                                    # the last plan, which the next one starts from
    loaded: Kept | None = None      # what the last load of the project kept of its data files (`kept`)

    def remember(self, state: State, manifest: dict[str, str], checks: BuildChecks | None,
                 pages: dict[str, tuple[Page, str, str]], fps: dict[str, str], demoted: dict[str, str],
                 plan: Plan) -> None:
        if checks is not None:
            checks.keep_for_next()
        self.state, self.manifest, self.checks, self.pages, self.fingerprints = state, manifest, checks, pages, fps
        self.demoted, self.ahead, self.plan = demoted, None, plan

    def page_records(self, records: Iterable[tuple[Page, str, str]]) -> dict[str, tuple[Page, str, str]]:
        """`pages` for the next build, from (page, template digest, digest of its inputs) of each page: the last
        build's record of a page where it is the same (the same page object, the same digests), so that the records
        of the pages a save did not touch are not held twice while it builds."""
        out = {}
        for record in records:
            page = record[0]
            last = self.pages.get(page.file)
            out[page.file] = last if last is not None and last[0] is page and last[1:] == record[1:] else record
        return out

    def changed_records(self, fps: dict[str, str]) -> set[str]:
        """The record keys (`plan.fingerprints`) whose digest differs from the last build's."""
        old = self.fingerprints
        return {k for k, v in fps.items() if old.get(k) != v} | (old.keys() - fps.keys())

    def page_digest(self, page: Page, template: str, wide: tuple[str, ...], changed: set[str]) -> str | None:
        """The digest of a page's inputs as the last build worked it out, when nothing it is made of has changed
        since: the same plan data, template and records (so the digest would come out the same). None when it
        must be worked out again."""
        known = self.pages.get(page.file)
        if known is None or known[1] != template or known[0] != page:
            return None
        if changed and (not changed.isdisjoint(page.deps) or not changed.isdisjoint(wide)
                        or "index:areas" in changed or "code" in changed):
            return None
        return known[2]

    def environment(self, templates: Path) -> TemplateEnvironment:
        """The Jinja2 environment of the last build, with the templates it compiled, while no file under
        templates/ has changed; a new one otherwise, which compiles again only the templates whose text changed."""
        from generator.render import TemplateMemo, make_environment

        h = hashlib.blake2b(digest_size=16)
        for path in sorted(templates.rglob("*")) if templates.is_dir() else []:
            if path.is_file():
                h.update(f"{path.relative_to(templates)}\0".encode() + path.read_bytes() + b"\0")
        key = h.hexdigest()
        if self.templates is None or self.templates[0] != key:
            self.template_memo = self.template_memo or TemplateMemo()
            self.templates = (key, make_environment(templates, self.template_memo))
        return self.templates[1]

    def kept(self) -> Kept:
        """What the loads of this project keep for the next one (`validate.Kept`): the preview's memory is of one
        project, so what another project's loads kept is never seen here."""
        from generator.validate import Kept

        if self.loaded is None:
            self.loaded = Kept()
        return self.loaded

    def save(self) -> None:
        """Write what only memory holds (the check cache), before the process ends."""
        if self.checks is not None:
            self.checks.save()


def forget_loaded(memory: Memory | None) -> None:
    """Drop what is kept of the data files read (the documents and their records in `memory`, the places found in
    their text by this process), so that the next load starts from the files alone: a clean build does, and so it
    stays the reference that the kept parts are measured against."""
    from generator import plan

    if memory is not None:
        memory.loaded = None
    plan.forget()


@collector_paused()
def render_ahead(project_dir: Path, memory: Memory, urls: list[str]) -> dict[str, tuple[str, bytes]]:
    """The pages at `urls` that a save changed, as the next build will most likely make them: rendered from the
    files as they are now, with the last build's demotions, before anything else is done, so that the preview can
    show the page being looked at at once; a page whose bytes come out as the last build wrote them is left out.
    Returns {URL path: (file, bytes)}; writes nothing. The build that follows may still demote a page
    differently, or refuse the change (its checks): that build's output is the truth. Nothing is rendered before
    a first build has filled `memory`."""
    from generator.digests import digest
    from generator.plan import plan_site
    from generator.render import Renderer
    from generator.validate import load_project

    if memory.checks is None or memory.manifest is None or not urls:
        return {}
    inputs = input_digest(project_dir)
    project = load_project(project_dir, memory.kept())
    plan = plan_site(project, memory.plan)
    memory.ahead = (inputs, project, plan)   # the build that follows starts from these
    templates = project_dir / TEMPLATES_DIR
    renderer = Renderer(project, plan, templates, memory.environment(templates))
    renderer.demoted = memory.demoted
    by_url = {page.url_path: page for page in plan.pages}
    out = {}
    for url in urls:   # rendering a page costs less than working out whether its inputs changed (fingerprints)
        page = by_url.get(url)
        if page is None:
            continue
        data = renderer.render(page).html.encode("utf-8")
        if memory.manifest.get(page.file) != digest(data):
            out[url] = (page.file, data)
    return out
