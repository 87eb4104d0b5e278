"""The pipeline: load → validate → plan → render → write → sitemap. `build()` only calls the phases in order.

Builds are incremental: a page is rendered only when the digest of its inputs (its records, the templates it
uses, the settings it reads) differs from the one in the build state, and a file is written only when its bytes
differ from what output/ holds. A build with no change at all stops after hashing the input files.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.clock import today
from generator.data import SITE_FILE, TEMPLATES_DIR, load_document, output_folder, placeholders
from generator.digests import code_digest, digest
from generator.drawing import render_pages
from generator.errors import ChecksFailed, DataError, OutputError, Problem, TemplateProblem, printable
from generator.images import write_variants
from generator.memory import Memory, forget_loaded
from generator.output import (
    MANIFEST,
    CommitResult,
    OutputTransaction,
    is_regular_file,
    manifest_bytes,
    read_manifest,
    staging_status,
)
from generator.paths import link_problem, read_no_link, relative_problem
from generator.sitemap import ROBOTS_FILE, robots_txt, sitemap_files
from generator.state import (
    STATE_FILE,
    State,
    clear_failure,
    input_digest,
    input_files,
    last_failure,
    load_state,
    record_failure,
    state_bytes,
)
from generator.workers import collector_paused

if TYPE_CHECKING:  # the checks (numpy) and Jinja2 load only when a build has work to do: a no-op stays fast

    from generator.checks.incremental import BuildChecks
    from generator.checks.results import CheckResult
    from generator.model import Project
    from generator.plan import Page, Plan, Unserved

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass
class BuildReport:
    output: Path
    pages: int
    rendered: int
    seconds: float
    result: CommitResult
    project: Project | None = None
    plan: Plan | None = None
    placeholders: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    checks: CheckResult | None = None
    unserved: list[Unserved] = field(default_factory=list)   # published places that get no page, and why
    held: int = 0                                        # pages held back by the checks
    at_risk: list[str] = field(default_factory=list)    # pages the checks flagged that are published all the same

    @property
    def up_to_date(self) -> bool:
        return self.project is None

    def summary(self) -> str:
        if self.up_to_date:
            return f"Up to date: {self.pages} pages, nothing changed ({self.seconds:.2f} s) -> {self.output}"
        r = self.result
        return (f"Built {self.pages} pages in {self.seconds:.2f} s: {self.rendered} rendered, {len(r.written)} files "
                f"written, {r.unchanged} unchanged, {len(r.removed)} removed -> {self.output}")


def show_placeholders(found: list[str], log: logging.Logger) -> None:
    """The values site.yaml still marks !placeholder, as every build and `check` list them."""
    if found:
        log.warning("site.yaml still has %d placeholder(s); `deploy` will refuse until they are replaced:\n  %s",
                    len(found), "\n  ".join(found))


def show_unserved(unserved, log: logging.Logger) -> None:
    """Places that get no page (`plan.unserved_places`): each one whose coordinates look mistaken, and a count of
    those simply beyond the service radius (each of them with -v)."""
    far = []
    for place in unserved:
        if place.suspect:
            log.warning("%s", place.reason)
        else:
            far.append(place)
            log.debug("%s", place.reason)
    if far:
        names = ", ".join(p.place for p in far[:5]) + (f" and {len(far) - 5} more" if len(far) > 5 else "")
        log.info("%d place(s) in locations.yaml get no pages, being beyond the service radius (service_radius_km in "
                 "site.yaml) of every premises: %s%s", len(far), names,
                 "" if log.isEnabledFor(logging.DEBUG) else " (-v says how far each one is)")


def copy_assets(templates: Path) -> list[tuple[str, bytes]]:
    """Static files under templates/assets/, as (output path, bytes), sorted. Links are not followed (the build
    refused them before it began); a name that cannot be published is refused with its path."""
    root = templates / "assets"
    if not root.is_dir() or root.is_symlink():
        return []
    files, problems = [], []
    for path in sorted(p for p in root.rglob("*") if not p.name.startswith(".") and is_regular_file(p)):
        rel = path.relative_to(root).as_posix()
        problem = relative_problem(f"assets/{rel}")
        if problem:
            problems.append(Problem(f"templates/assets/{rel}", None, None, "",
                                    f"the file's name cannot be published: {problem}", "rename the file"))
        else:
            files.append((f"assets/{rel}", read_no_link(path)))
    if problems:
        raise DataError(problems)
    return files


def refuse_sources_as_output(project_dir: Path, output: Path) -> None:
    """The site is never written over the project's own files: not into the project folder itself (or a folder
    that holds it), nor into templates/."""
    project, out = project_dir.resolve(), output.resolve()
    templates = project / TEMPLATES_DIR
    if out == project or out in project.parents or out == templates or templates in out.parents:
        raise OutputError(f"refusing to write the site into {output}: the project's own files are there; give the "
                          f"site a folder of its own, such as {output_folder(project_dir)} (the default)")


def output_is_as_left(output: Path, state: State) -> bool:
    """True when output/'s manifest is the one the state was committed with (nobody rebuilt it elsewhere)."""
    try:
        return bool(state.manifest) and digest((output / MANIFEST).read_bytes()) == state.manifest
    except OSError:
        return False


def all_files_there(output: Path) -> bool:
    """True when every file output/'s manifest lists is still there (nobody deleted one by hand, or put a link in
    its place)."""
    base = f"{output}/"   # strings, not Paths: a third of the time for 10,000 files
    return all(is_regular_file(base + rel) for rel in read_manifest(output))


def output_age(project_dir: Path, output: Path) -> str | None:
    """A note for `check` when `output` is not what a build of the project as it is now would make: the last build
    stopped, or the data, templates or rules changed since the pages were built. None when it is current."""
    reason = last_failure(project_dir, output)
    if reason is not None:
        return (f"the last build stopped: {reason}. {output.name}/ still holds the pages of the build before it, "
                "and those are what was checked here: fix what stopped the build, and build again")
    state = load_state(project_dir, every_page=False)
    current = input_digest(project_dir)
    if state.problem or not output_is_as_left(output, state) or state.inputs in (current, current + "+no-checks"):
        return None
    return (f"the data, templates, rules or clinic-pages itself changed since {output.name}/ was built: these are "
            "the older pages, checked against the records as they are now; run `clinic-pages build` first")


def build(project_dir: Path, output_dir: Path | None = None, progress: Progress | None = None,
          clean: bool = False, jobs: int | None = None, checks: bool = True, strict: bool = False,
          memory: Memory | None = None) -> BuildReport:
    """Build the site. `clean` ignores the build state and renders every page (it still writes only changes).
    `checks=False` skips the checks (for timing the build alone): nothing is demoted then. `strict`: a check
    warning stops the build as an error does. `memory`: what the last build in this process left (`Memory`),
    used in place of the state, manifest and check cache files, and filled in for the next one (the check cache
    is then written by `memory.save()`, not by each build). A build that stops leaves a note of why for `check`
    (`state.record_failure`) until one succeeds."""
    project_dir = Path(project_dir)
    output = output_folder(project_dir, output_dir)
    try:
        with collector_paused():   # a build makes few reference cycles; the collector's walks cost about 1 s of CPU
            report = _build(project_dir, output, progress, clean, jobs, checks, strict, memory)   # at 10,000 pages
    except (ChecksFailed, DataError, TemplateProblem) as exc:   # the output/ left as it was is now out of date
        record_failure(project_dir, output, exc.summary())
        raise
    clear_failure(project_dir, output)
    return report


def _build(project_dir: Path, output: Path, progress: Progress | None, clean: bool, jobs: int | None,
           checks: bool, strict: bool, memory: Memory | None) -> BuildReport:
    started = time.perf_counter()
    refuse_sources_as_output(project_dir, output)
    linked: list[str] = []
    files = input_files(project_dir, linked)
    if linked:   # no symbolic link in the project is followed: stop before anything is read
        raise DataError([link_problem(rel) for rel in linked])
    remembered = memory.state if memory is not None else None
    state = remembered if remembered is not None else load_state(project_dir)
    notices = [state.problem] if state.problem else []
    inputs = input_digest(project_dir, files) + ("" if checks else "+no-checks")   # an unchecked build is not the same
    trusted = not clean and not state.problem and output_is_as_left(output, state)
    warming = memory is not None and memory.checks is None and checks   # fill the memory, even with no change
    if trusted and state.inputs == inputs and not warming \
            and staging_status(output) is None and all_files_there(output):
        kept = memory.kept().documents if memory is not None else None
        site, _ = load_document(project_dir / SITE_FILE, SITE_FILE, kept)   # every build lists the placeholders
        return BuildReport(output, len(state.pages), 0, time.perf_counter() - started, CommitResult(),
                           placeholders=placeholders(site) if site is not None else [],
                           held=int(state.extra.get("held_back", 0)), at_risk=list(state.extra.get("at_risk", [])))

    from generator.plan import fingerprints, page_digest, plan_site, unserved_places
    from generator.render import Renderer
    from generator.validate import load_project

    if clean:
        forget_loaded(memory)
    ahead = memory.ahead if memory is not None and not clean else None
    if ahead is not None and ahead[0] == inputs.removesuffix("+no-checks"):   # loaded a moment ago by render_ahead
        project, plan = ahead[1], ahead[2]
    else:
        project = load_project(project_dir, memory.kept() if memory is not None else None)
        plan = plan_site(project, memory.plan if memory is not None and not clean else None)
    templates = project_dir / TEMPLATES_DIR
    renderer = Renderer(project, plan, templates, memory.environment(templates) if memory is not None else None)
    fps = fingerprints(project, plan, code_digest())
    digests: dict[str, str] = {}
    changed = memory.changed_records(fps) if memory is not None else set()

    def digest_of(page: Page) -> str:
        """The digest of the page's records, templates and code (computed by the worker that renders it, in a
        clean build; taken from memory when none of them changed)."""
        if page.file not in digests:
            template, wide = renderer.template_inputs(page.template)
            known = memory.page_digest(page, template, wide, changed) if memory is not None else None
            digests[page.file] = known or page_digest(page, fps, wide, template)
        return digests[page.file]

    checker: BuildChecks | None = None
    if checks:
        from generator.checks.gate import predicted_holds
        from generator.checks.incremental import BuildChecks
        checker = BuildChecks(project, plan, project_dir, previous=memory.checks if memory is not None else None,
                              warm=memory is not None)
        # the pages the checks will most likely hold back, so that most pages are drawn the first time as they
        # will be published: a page whose records did not change as the last build judged it, and a page its text
        # held back still held back (an edit seldom makes a copy unlike the pages it repeats; when it does, the
        # page and those that list it are drawn again): the checks decide
        previous = state.pages if trusted else {}
        held = state.extra.get("held", []) if trusted else []
        judged = {page.url_path for page in plan.pages if page.file in previous
                  and records_of(previous[page.file].get("inputs", "")) == digest_of(page)} | set(held)
        renderer.demoted = predicted_holds(project, plan, checker.run, {"held": held, "judged": judged})
    date = today()
    history: dict[str, dict[str, str]] = {}
    entries: list[tuple[str, str]] = []
    existed = output.exists()
    # output's manifest, unless someone changed it
    known = memory.manifest if memory is not None and remembered is not None and trusted else None
    with OutputTransaction(output, verify_content=clean, manifest=known,
                           externals=[project_dir / STATE_FILE]) as tx:
        keys: dict[str, str] = {}

        def inputs_of(page: Page) -> str:
            """The digest of the page's inputs: its records, templates and code, and the verdicts (published or
            held back) of the pages it shows."""
            if page.file not in keys:
                keys[page.file] = with_verdicts(digest_of(page), renderer.verdicts(page))
            return keys[page.file]

        for name in {page.template for page in plan.pages}:
            renderer.template_inputs(name)   # a template's syntax error stops the build here
        stale: list[Page] = []
        base = f"{tx.output}/"   # strings, not Paths (as `all_files_there`)
        for page in plan.pages:
            old = state.pages.get(page.file) if trusted else None
            if (old and old.get("inputs") == inputs_of(page) and tx.old.get(page.file) == old.get("sha")
                    and is_regular_file(base + page.file)):  # a person may have deleted it
                tx.keep(page.file, old["sha"])
                history[page.file] = old
                if checker is not None:
                    checker.kept(page, old["sha"])
            else:
                stale.append(page)
        for page, key, sha, result in render_pages(renderer, stale, tx, progress, jobs, checker, inputs_of):
            keys[page.file] = key
            history[page.file] = {"inputs": key, "sha": sha, "lastmod": state.lastmod(page.file, sha, date)}
            if checker is not None and result is not None:
                checker.rendered(page, sha, result)
        checked = checker.finish(_page_reader(tx), jobs) if checker is not None else None
        if checker is not None and checked is not None and (not checked.ok or strict and checked.count("warning")):
            if memory is None:
                checker.save()   # errors (with `strict`, warnings too) stop the build here, output/ untouched
            raise ChecksFailed(checked, strict)
        if checker is not None and checked is not None and checked.demoted != renderer.demoted:
            # the checks held back other pages than predicted: draw again every page that shows one of them (the
            # page itself, and the pages that list it); their text is the same, so the checks' verdicts stand
            before = {page.file: renderer.verdicts(page) for page in plan.pages}
            renderer.demoted = checked.demoted
            drawn = 0
            for page in plan.pages:
                shown = renderer.verdicts(page)
                if shown == before[page.file]:
                    continue
                drawn += 1
                if drawn % 500 == 0:   # a page rendered leaves some 55 objects in reference cycles, and the
                    gc.collect(0)      # collector is paused (100,000 pages drawn again: the heap grew by 0.6 GB)
                data = renderer.render(page).html.encode("utf-8")
                sha = tx.restage(page.file, data)
                checker.rendered(page, sha, checker.inspect(page.file, data))   # for the check cache
                keys[page.file] = with_verdicts(records_of(keys[page.file]), shown)
                history[page.file] = {"inputs": keys[page.file], "sha": sha,
                                      "lastmod": state.lastmod(page.file, sha, date)}
            log.debug("the checks held back other pages than predicted: %d page(s) drawn again", drawn)
        for page in plan.pages:
            if page.indexable and page.url_path not in renderer.demoted:
                entries.append((renderer.url(page.url_path), history[page.file]["lastmod"]))
        for rel, data in copy_assets(project_dir / TEMPLATES_DIR):
            tx.put(rel, data)
        for rel, data in write_variants(project_dir, renderer.image_uses(), renderer.favicon_source()):
            tx.put(rel, data)
        for rel, data in sitemap_files(entries, project.site.base_url).items():
            tx.put(rel, data)
        tx.put(ROBOTS_FILE, robots_txt(project.site.base_url))
        manifest = digest(manifest_bytes(tx.new))
        extra: dict[str, Any] = {}
        # what the next build predicts from, and what every build says, up to date or not
        if checker is not None and checked is not None:
            extra = {"held": sorted(set(checked.demoted) - checker.run.held_before),
                     "held_back": len(checked.demoted), "at_risk": checked.published_at_risk}
        tx.put_external(project_dir / STATE_FILE, state_bytes(history, inputs, manifest, extra))
        committed = tx.commit(scan_foreign=existed and not trusted)
    if memory is not None:
        memory.remember(State(history, inputs, manifest, extra), tx.new, checker,
                        memory.page_records((p, renderer.template_inputs(p.template)[0], records_of(keys[p.file]))
                                            for p in plan.pages), fps, renderer.demoted, plan)
    elif checker is not None:
        checker.save()
    for rel in committed.foreign:
        notices.append(f"{output.name}/{printable(rel)} was not made by clinic-pages; left in place")
    return BuildReport(output, len(plan.pages), len(stale), time.perf_counter() - started, committed, project, plan,
                       project.placeholders(), notices, checked, unserved_places(project, plan),
                       len(checked.demoted) if checked else 0, checked.published_at_risk if checked else [])


def with_verdicts(inputs: str, verdicts: str) -> str:
    """A page's inputs digest with the digest of the verdicts it shows (build state: `inputs`)."""
    return f"{inputs}:{verdicts}"


def records_of(inputs: str) -> str:
    """The part of a page's inputs digest (`with_verdicts`) that its records, templates and code make."""
    return inputs.split(":")[0]


def _page_reader(tx: OutputTransaction) -> Callable[[Page], Path]:
    """Where a page is as this build will publish it: staged just now, or unchanged in the output folder."""
    staged = set(tx.staged)

    def where(page: Page) -> Path:
        return tx.staged_path(page.file) if page.file in staged else tx.output / page.file
    return where
