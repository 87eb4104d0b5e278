"""Run every check family over a stream of pages, then apply the site's policies and waivers."""

from __future__ import annotations

import html
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from generator.checks import SEVERITIES, Finding, HtmlPage
from generator.checks.claims import ClaimRule, ClaimsChecker, load_rules
from generator.checks.content import RULES as CONTENT_RULES
from generator.checks.content import check_consistency, check_disclaimers, check_indexing, check_leaks, fold
from generator.checks.duplicates import (
    BlockBatch,
    DuplicateIndex,
    DuplicateResult,
    Prepared,
    describe_differences,
    differences,
)
from generator.checks.facts import PageWaiver, SiteFacts
from generator.errors import ChecksFailed, ClinicPagesError, DataError, Problem  # noqa: F401 (ChecksFailed: re-exported)
from generator.model import CheckSettings, PageKind
from generator.output import read_no_link
from generator.paths import first_link, is_plain_relative, link_problem, relative_problem, shown
from generator.text import did_you_mean
from generator.workers import can_fork, forked_pool

DUPLICATE_RULES: dict[str, tuple[str, str]] = {
    "duplicates.exact": ("fail", "give each page text of its own, or stop generating the copies"),
    "duplicates.near": ("fail", "give each page local facts of its own (notes, station, parking in "
                                "locations.yaml), or stop generating pages for areas you cannot say more about"),
    "duplicates.thin": ("demote", "add facts of its own to the page (locations.yaml notes for its area), or let it "
                                  "be demoted: noindex, canonical to its hub, out of the sitemap"),
}
POLICY_SEVERITY = {"fail": "error", "warn": "warning", "demote": "warning"}


@dataclass
class CheckResult:
    """What a run found. Iterating over it gives the findings (after policies and waivers)."""

    findings: list[Finding]
    waived: list[tuple[Finding, PageWaiver]] = field(default_factory=list)
    demoted: dict[str, str] = field(default_factory=dict)     # URL path -> the hub its canonical points to
    duplicates: DuplicateResult | None = None
    pages: int = 0
    seconds: float = 0.0
    redo: list[str] = field(default_factory=list)   # pages whose HTML is not yet in the demotion state above

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def summary(self) -> str:
        parts = [f"{self.pages} pages checked: {self.errors} error(s), {self.count('warning')} warning(s)"]
        if self.demoted:
            parts.append(f"{len(self.demoted)} page(s) demoted")
        if self.waived:
            parts.append(f"{len(self.waived)} finding(s) waived")
        return ", ".join(parts) + f" ({self.seconds:.2f} s)"


class CheckRun:
    """One pass of the checks. `add` each page (per-page checks run at once, little is kept), then `finish`.

    settings: thresholds, policies and waivers (site.yaml `checks:`); defaults when None.
    facts:    what the generator knows of each page (None for a folder it did not make: the disclaimer,
              consistency and demotion checks are skipped).
    rules:    the claims rule set; the default UK rules when None.
    reload:   gives a page back by URL path, to say why two pages are alike; without it, main texts are kept.
    indexing: check canonicals, robots and the sitemap against the demotions (off during a build, which then
              re-renders the pages listed in `CheckResult.redo`).
    """

    def __init__(self, settings: CheckSettings | None = None, facts: SiteFacts | None = None,
                 rules: list[ClaimRule] | None = None, reload: Callable[[str], HtmlPage | None] | None = None,
                 project_dir: Path | None = None, indexing: bool = True):
        self.started = time.perf_counter()
        self.check_indexing = indexing   # False while building: the build sets canonicals and the sitemap itself
        self.settings = settings or CheckSettings()
        self.facts = facts
        if rules is None:
            rules = rules_for(self.settings, project_dir)
        self.claims = ClaimsChecker(rules, facts.disclaimer_texts if facts else [])
        self.rule_ids = set(CONTENT_RULES) | set(DUPLICATE_RULES) | {r.rule for r in rules} | _seo_rules()
        self.default_policy = {**{k: "fail" if v[0] == "error" else "warn" for k, v in CONTENT_RULES.items()},
                               **{k: v[0] for k, v in DUPLICATE_RULES.items()},
                               **{r.rule: "fail" if r.severity == "error" else "warn" for r in rules}}
        self.policies = self._validated_policies()
        self.waivers = self._validated_waivers()
        self.index = DuplicateIndex(self.settings.duplicates)
        self.reload = reload
        self.texts: dict[str, str] = {}
        self.indexing: dict[str, tuple[str | None, str]] = {}
        self.raw: list[Finding] = []
        self.seen: set[str] = set()

    # -- configuration ----------------------------------------------------------------------------------------
    def policy(self, rule: str) -> str:
        family = rule.split(".")[0]
        return self.policies.get(rule) or self.policies.get(family) or self.default_policy.get(rule) or "fail"

    def _validated_policies(self) -> dict[str, str]:
        problems = []
        lines = self.settings.policy_lines
        for key, value in self.settings.policies.items():
            if "." in key and key not in self.rule_ids and not key.startswith("seo."):
                problems.append(Problem("site.yaml", lines.get(key), None, f"checks.policies.{key}",
                                        f"unknown rule `{key}`", did_you_mean(key, self.rule_ids) or
                                        "see docs/checks.md for the rule ids"))
            elif value == "demote" and not key.startswith("duplicates"):
                problems.append(Problem("site.yaml", lines.get(key), None, f"checks.policies.{key}",
                                        "only duplicate and thin content can be demoted: a noindex page is still "
                                        "published", "use fail or warn"))
        if problems:
            raise DataError(problems)
        return dict(self.settings.policies)

    def _validated_waivers(self) -> dict[tuple[str, str], PageWaiver]:
        waivers: dict[tuple[str, str], PageWaiver] = {}
        problems = []
        pages = self.facts.pages.values() if self.facts else []
        listed = [(p.url_path, w) for p in pages for w in p.waivers]
        if self.facts is None:
            listed = [(w.page, PageWaiver(w.rule, w.reason, f"site.yaml:{w.line}: checks.waivers"))
                      for w in self.settings.waivers]
        elif self.settings.waivers:
            for w in self.settings.waivers:
                if w.page not in self.facts.pages:
                    problems.append(Problem("site.yaml", w.line, None, "checks.waivers.page",
                                            f"no page `{w.page}` in this site",
                                            did_you_mean(w.page, self.facts.pages) or "give the page's URL path"))
        for page, w in listed:
            if w.rule not in self.rule_ids and not w.rule.startswith("seo."):
                file, _, rest = w.origin.partition(":")
                line = rest.split(":")[0]
                problems.append(Problem(file, int(line) if line.isdigit() else None, None, "waivers.rule",
                                        f"unknown rule `{w.rule}`", did_you_mean(w.rule, self.rule_ids) or
                                        "a waiver names one rule id, such as claims.hype"))
            elif not w.reason.strip():
                problems.append(Problem(w.origin.split(":")[0], None, None, "waivers.reason",
                                        "a waiver needs a written reason", "say why the rule does not apply"))
            else:
                waivers[(page, w.rule)] = w
        if problems:
            raise DataError(problems)
        return waivers

    # -- the pages --------------------------------------------------------------------------------------------
    def add(self, page: HtmlPage) -> None:
        """Check one page; keep only what the site-wide checks need."""
        self.absorb(self.inspect(page))

    def inspect(self, page: HtmlPage) -> PageResult:
        """The per-page checks: they need no other page, so worker processes can run them in parallel."""
        url = page.url_path
        facts = self.facts.pages.get(url) if self.facts else None
        findings = list(self.claims.check(page))
        findings += check_leaks(page, facts)
        indexing = None
        if facts is not None:
            visible = fold(page.visible_text)
            findings += check_disclaimers(page, facts, visible)
            findings += check_consistency(page, facts, self.facts, visible)
            indexing = (page.canonical, page.robots)
        indexable = facts.indexable if facts is not None else "noindex" not in page.robots
        prepared = self.index.prepare(page.main_text) if indexable else None
        text = page.main_text if indexable and self.reload is None else None
        return PageResult(url, findings, indexing, prepared, text)

    def absorb(self, result: PageResult) -> None:
        url = result.url
        self.seen.add(url)
        self.raw += result.findings
        if result.indexing is not None:
            self.indexing[url] = result.indexing
        if result.prepared is not None:
            self.index.add_prepared(url, result.prepared)
        if result.text is not None:
            self.texts[url] = result.text

    def add_files(self, files: list[tuple[str, str]], jobs: int | None = None) -> None:
        """Read, parse and check pages from disk, `(path relative to the site root, file path)` each, in order;
        a large site is shared among worker processes (one per core)."""
        for result in self.inspect_files(files, jobs):
            self.absorb(result)

    def inspect_files(self, files: list[tuple[str, str]], jobs: int | None = None,
                      progress: Callable[[int, int], None] | None = None) -> Iterator[PageResult]:
        """The per-page results of pages on disk, in order (a file that cannot be read gives none);
        `progress(done, total)` is told as they come."""
        global _RUN
        jobs = jobs or os.cpu_count() or 1
        size = max(20, min(250, len(files) // (jobs * 8)))
        chunks = [files[i:i + size] for i in range(0, len(files), size)]
        done = 0
        if can_fork(jobs, len(files), PARALLEL_MIN_PAGES):
            _RUN = self
            self.index.mark_sent()
            try:
                with forked_pool(jobs) as pool:
                    for chunk, (results, blocks) in zip(chunks, pool.imap(_inspect_in_worker, chunks)):
                        self.index.receive(blocks)
                        yield from results
                        done += len(chunk)
                        if progress:
                            progress(done, len(files))
            finally:
                _RUN = None
            return
        for chunk in chunks:
            yield from _inspect_chunk(chunk, self)
            done += len(chunk)
            if progress:
                progress(done, len(files))

    def finish(self) -> CheckResult:
        facts = self.facts
        demote_thin = facts is not None and self.policy("duplicates.thin") == "demote"
        ranks = {u: f.rank for u, f in facts.pages.items()} if facts else None
        areas = {u: f.location for u, f in facts.pages.items() if f.location} if facts else None
        dup = self.index.finish(self._explain, ranks, demote_thin, areas)
        self.raw += self._duplicate_findings(dup)
        findings, waived, demoted = self._apply_policies(self.raw)
        redo = []
        if facts is not None:
            for url, page_facts in sorted(facts.pages.items()):
                if url not in self.seen:
                    findings.append(Finding("consistency.missing-page", "error", url, "the page is not in the "
                                            "output folder", page_facts.file, CONTENT_RULES[
                                                "consistency.missing-page"][1]))
                    continue
                canonical, robots = self.indexing[url]
                looks_demoted = page_facts.indexable and "noindex" in robots and canonical != page_facts.canonical
                if looks_demoted != (url in demoted):
                    redo.append(url)
                if self.check_indexing:
                    findings += check_indexing(url, canonical, robots, page_facts, facts, demoted.get(url))
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.page, f.message))
        return CheckResult(findings, waived, demoted, dup, len(self.seen), time.perf_counter() - self.started, redo)

    def _apply_policies(self, raw: list[Finding]):
        findings: list[Finding] = []
        waived: list[tuple[Finding, PageWaiver]] = []
        demoted: dict[str, str] = {}
        for f in raw:
            policy = self.policy(f.rule)
            waiver = self.waivers.get((f.page, f.rule))
            hub = None
            if policy == "demote":
                page_facts = self.facts.pages.get(f.page) if self.facts else None
                if page_facts is None:    # a folder nobody demotes (audit): the page is indexed as it is
                    policy = "fail"
                    f = _replace(f, message=f.message + " (would be demoted)")
                elif page_facts.hub == f.page or page_facts.kind in (PageKind.HOME, PageKind.AREAS):
                    policy = "fail"
                    f = _replace(f, message=f.message + "; a hub page cannot be demoted")
                else:
                    hub = page_facts.hub
                    f = _replace(f, message=f.message + f"; demoted: noindex, canonical to {hub}, not in the "
                                                        "sitemap")
            f = _replace(f, severity=POLICY_SEVERITY[policy] if f.severity != "info" else "info")
            if waiver is not None:
                waived.append((f, waiver))
                continue
            if hub is not None:
                demoted[f.page] = hub
            findings.append(f)
        return findings, waived, demoted

    # -- duplicates -------------------------------------------------------------------------------------------
    def _duplicate_findings(self, dup: DuplicateResult) -> Iterator[Finding]:
        for cluster in dup.clusters:
            keeper = min(cluster.pages, key=self._keep_order)
            rule = f"duplicates.{cluster.kind}"
            hint = DUPLICATE_RULES[rule][1]
            others = len(cluster.pages) - 1
            why = f": {cluster.why}" if cluster.why else ""
            for page in cluster.pages:
                if page == keeper:
                    continue
                if cluster.kind == "exact":
                    message = f"the same main text as {keeper}" + (f" and {others - 1} other page(s)"
                                                                  if others > 1 else "")
                else:
                    sim = dup.stats[page].twin_similarity
                    message = (f"{sim:.0%} alike to {dup.stats[page].twin}, in a cluster of {len(cluster.pages)} "
                               f"pages {cluster.min_similarity:.0%}–{cluster.max_similarity:.0%} alike{why}")
                yield Finding(rule, "error", page, message, f"kept: {keeper}", hint)
        facts = self.facts.pages if self.facts else {}
        for st in dup.pages:
            if (facts[st.page].kind in NAVIGATION_KINDS if st.page in facts else st.page == "/"):
                continue   # the home page and the list of areas repeat what they link to, by design
            if st.thin and st.duplicate_of is None and st.cluster is None:
                yield Finding("duplicates.thin", "error", st.page,
                              f"thin: {st.unique_words} words ({st.unique_share:.0%}) of its own, out of {st.words}",
                              f"closest twin: {st.twin} ({st.twin_similarity:.0%})" if st.twin else "",
                              DUPLICATE_RULES["duplicates.thin"][1])

    def _keep_order(self, url: str):
        f = self.facts.pages.get(url) if self.facts else None
        return (-(f.rank if f else -url.count("/")), len(url), url)

    def _explain(self, a: str, b: str) -> str:
        text_a, text_b = self._text(a), self._text(b)
        if text_a is None or text_b is None:
            return ""
        fa = self.facts.pages.get(a) if self.facts else None
        fb = self.facts.pages.get(b) if self.facts else None
        names_a = tuple(n for n in (fa.area, fa.county) if n) if fa else ()
        names_b = tuple(n for n in (fb.area, fb.county) if n) if fb else ()
        why = describe_differences(differences(text_a, text_b), names_a, names_b)
        if fa and fb and fa.treatment and fa.treatment == fb.treatment:
            why = f"same treatment ({fa.treatment}); {why}"
        return why

    def _text(self, url: str) -> str | None:
        if self.reload is None:
            return self.texts.get(url)
        page = self.reload(url)
        return page.main_text if page else None


@dataclass
class PageResult:
    """What one page leaves behind once its own checks have run."""

    url: str
    findings: list[Finding]
    indexing: tuple[str | None, str] | None
    prepared: Prepared | None
    text: str | None


PARALLEL_MIN_PAGES = 100     # below this, forking workers costs more than it saves
_RUN: CheckRun | None = None


def _inspect_in_worker(files: list[tuple[str, str]]) -> tuple[list[PageResult], BlockBatch]:
    """In a worker process: the pages' results, and the blocks of their main text it had not sent yet."""
    assert _RUN is not None
    results = _inspect_chunk(files, _RUN)
    return results, _RUN.index.take_new()


def _inspect_chunk(files: list[tuple[str, str]], run: CheckRun) -> list[PageResult]:
    from generator.checks.html import parse_html
    out = []
    for rel, path in files:
        try:
            data = Path(path).read_bytes()
        except OSError:
            continue
        out.append(run.inspect(parse_html(rel, data, links=False)))
    return out


def _replace(f: Finding, **changes) -> Finding:
    from dataclasses import replace
    return replace(f, **changes)


def _seo_rules() -> set[str]:
    try:
        from generator.checks.seo import RULES
    except ImportError:
        return set()
    return set(RULES)


def rules_for(settings: CheckSettings, project_dir: Path | None = None) -> list[ClaimRule]:
    """The claims rules a project uses: the default UK set (unless turned off) and its own rule files."""
    rules = load_rules() if settings.default_rules else []
    if settings.rules:
        base = Path(project_dir) if project_dir else Path(".")
        extra = load_rules([base / r for r in rule_paths(settings.rules, base)])
        clash = {r.id for r in rules} & {r.id for r in extra}
        if clash:
            raise DataError([Problem("site.yaml", None, None, "checks.rules", f"rule ids defined twice: "
                                     f"{', '.join(sorted(clash))}", "rename the project's rules")])
        rules += extra
    return rules


def rule_paths(names: Iterable[str], project_dir: Path) -> list[str]:
    """site.yaml's `checks.rules`, refused unless each is a file inside the project reached through no symbolic
    link: a rule file outside it is never read (nor any of its lines shown)."""
    problems = []
    for i, name in enumerate(names):
        problem = relative_problem(name)
        if problem:
            problems.append(Problem("site.yaml", None, None, f"checks.rules[{i}]", f"{shown(name)} is not a file "
                                    f"inside the project: {problem}", "put the rule file in the project folder and "
                                    "name it relative to it, such as rules/clinic.yaml"))
        elif first_link(project_dir, name):
            problems.append(link_problem(first_link(project_dir, name)))
    if problems:
        raise DataError(problems)
    return list(names)


def check_pages(pages: Iterable[HtmlPage], settings: CheckSettings | None = None, facts: SiteFacts | None = None,
                rules: list[ClaimRule] | None = None, reload: Callable[[str], HtmlPage | None] | None = None,
                project_dir: Path | None = None) -> CheckResult:
    """Check every page (see CheckRun for the arguments)."""
    run = CheckRun(settings, facts, rules, reload, project_dir)
    for page in pages:
        run.add(page)
    return run.finish()


# -- the built site ------------------------------------------------------------------------------------------

_LOC = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.S)


def read_sitemap_urls(output: Path) -> set[str] | None:
    """Every page URL in output/sitemap.xml (following a sitemap index to its parts); None when absent."""
    try:
        text = read_no_link(output / "sitemap.xml").decode("utf-8", "replace")
    except OSError:
        return None
    if "<sitemapindex" not in text:
        return {html.unescape(u) for u in _LOC.findall(text)}
    urls: set[str] = set()
    for part in _LOC.findall(text):
        name = html.unescape(part).rsplit("/", 1)[-1]
        if not is_plain_relative(name):
            continue
        try:
            urls |= {html.unescape(u) for u in _LOC.findall(read_no_link(output / name).decode("utf-8", "replace"))}
        except OSError:
            continue
    return urls


def check_built_site(project_dir: Path, output_dir: Path | None = None, jobs: int | None = None,
                     cache: bool = True, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """`clinic-pages check`: every planned page as it is in the output folder, against the records. A page
    whose HTML and facts are those of the check cache keeps its stored results (`cache=False`: check all).
    `progress(done, total)` counts the pages read and checked."""
    from generator.checks.incremental import BuildChecks
    from generator.model import load_project
    from generator.output import digest
    from generator.plan import plan_site

    project_dir = Path(project_dir)
    output = Path(output_dir) if output_dir else project_dir / "output"
    if not output.is_dir():
        raise ClinicPagesError(f"{output}: no built site here; run `clinic-pages build` first")
    project = load_project(project_dir)
    plan = plan_site(project)
    real: set[str] = set()
    linked = [link for page in plan.pages if (link := first_link(output, page.file, real))]
    if linked:
        raise ClinicPagesError(f"{output / linked[0]} is a symbolic link; clinic-pages follows no links in the output "
                               "folder\n    hint: remove it and run `clinic-pages build`, which puts the page back")
    checks = BuildChecks(project, plan, project_dir, indexing=True, cache=cache)
    checks.facts.sitemap = read_sitemap_urls(output)
    for page in plan.pages:
        if cache:
            try:
                checks.kept(page, digest((output / page.file).read_bytes()))
            except OSError:
                continue   # reported as a missing page
        else:
            checks.unread[page.url_path] = ""
    result = checks.finish(lambda page: output / page.file, jobs, progress)
    if cache:
        checks.save()
    return result


NAVIGATION_KINDS = (PageKind.HOME, PageKind.AREAS, PageKind.NOT_FOUND)   # pages that list others: never judged thin



