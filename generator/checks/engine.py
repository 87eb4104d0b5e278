"""Run every check family over a stream of pages, then weigh what they found by the site's policies and waivers
(checks/policies.py)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from generator.checks.claims import ClaimRule, ClaimsChecker
from generator.checks.content import RULES as CONTENT_RULES
from generator.checks.content import check_consistency, check_disclaimers, check_indexing, check_leaks, fold
from generator.checks.duplicates import (
    BlockBatch,
    DuplicateIndex,
    DuplicateResult,
    Masker,
    describe_differences,
    differences,
)
from generator.checks.duplicates.spun import Discounted, discount_and_shingle, written_key
from generator.checks.facts import PageFacts, PageWaiver, SiteFacts
from generator.checks.finding import SEVERITIES, Finding
from generator.checks.gate import DOORWAY_RISK_HINT, Hold, doorway_hold, thin_hold
from generator.checks.page import HtmlPage
from generator.checks.policies import DUPLICATE_RULES, HOLDING_POLICIES, POLICY_SEVERITY, Policies
from generator.checks.results import CheckResult, PageResult
from generator.checks.rulesets import rules_for
from generator.errors import ChecksFailed, ClinicPagesError  # noqa: F401 (ChecksFailed: re-exported)
from generator.model import KIND_NAMES, CheckSettings, PageKind
from generator.workers import can_fork, collecting, in_workers, spans

DOORWAY_RISK = DOORWAY_RISK_HINT
# Pages that list others and head the site's hierarchy: judged, never held back.
NAVIGATION_KINDS = (PageKind.HOME, PageKind.AREAS, PageKind.NOT_FOUND)


class CheckRun:
    """One pass of the checks. `add` each page (per-page checks run at once, little is kept), then `finish`.

    settings: thresholds, policies and waivers (site.yaml `checks:`); defaults when None.
    facts:    what the generator knows of each page (None for a folder it did not make: the disclaimer,
              consistency and demotion checks are skipped).
    rules:    the claims rule set; the default UK rules when None.
    reload:   gives a page back by URL path, to say why two pages are alike; without it, main texts are kept.
    indexing: check canonicals, robots and the sitemap against the pages held back (off during a build, which
              renders the pages as the verdicts say).
    """

    def __init__(self, settings: CheckSettings | None = None, facts: SiteFacts | None = None,
                 rules: list[ClaimRule] | None = None, reload: Callable[[str], HtmlPage | None] | None = None,
                 project_dir: Path | None = None, indexing: bool = True, settle: bool = True):
        self.started = time.perf_counter()
        self.check_indexing = indexing   # False while building: the build sets canonicals and the sitemap itself
        self.settings = settings or CheckSettings()
        self.facts = facts
        if rules is None:
            rules = rules_for(self.settings, project_dir)
        self.claims = ClaimsChecker.for_rules(rules, facts.disclaimer_texts if facts else [])
        self.site_policies = Policies(self.settings, facts, rules)   # the site's policies and waivers, validated
        self.waivers = self.site_policies.waivers
        self.duplicate_settings = self.settings.duplicates
        # a site clinic-pages made is compared with the values it inserted masked (checks/duplicates/text.py)
        self.masker = Masker(facts.inserted) if facts is not None else None
        self.index = DuplicateIndex(self.duplicate_settings, self.masker)
        # local pages with nothing written for them alone, held back before any text is compared
        self.doorways = {url for url, f in facts.pages.items() if f.kind in (PageKind.LANDING, PageKind.AREA)
                         and f.indexable
                         and not f.own} if facts is not None else set()
        self.held_before = {url for url in self.doorways if self.may_leave("duplicates.doorway", url)}
        # only what was written for a page can be its own, less its filler and spun sentences (duplicates/spun.py):
        # settled now, or by the caller once it has read the check cache, which may hold them (`settle_written`)
        self.written_pages = tuple((url, f.rank, f.own_text) for url, f in sorted(facts.pages.items())
                                   if f.own_text is not None and url not in self.held_before) \
            if facts is not None else ()
        self.written_key = written_key(self.written_pages, self.masker)
        self.written: dict[str, tuple[str, ...]] = {}
        self.discounted: dict[str, Discounted] = {}
        self.written_settled = False
        if settle:
            self.settle_written()
        for url, f in (facts.pages.items() if facts is not None else ()):
            if f.own == ("offer",):   # its offer earns it a place, not its text (plan.credit_offers)
                self.index.judged_apart(url)
        self.reload = reload
        self.texts: dict[str, str] = {}
        self.indexing: dict[str, tuple[str | None, str]] = {}
        self.raw: list[Finding] = []
        self.seen: set[str] = set()
        self.words: dict[str, int] = {}     # words in each page's main text (what held-back pages need)

    def settle_written(self, known: tuple[dict[str, tuple[str, ...]], dict[str, Discounted]] | None = None) -> None:
        """Settle the texts written for pages, less their filler and spun sentences, and tell the index: `known`, what
        `discount` gave for these very texts (the check cache keeps it under `written_key`), or worked out now. Once:
        a second call changes nothing."""
        if self.written_settled:
            return
        self.written_settled = True
        if known is None:   # one reading of the texts: the index takes what it would read of them again from it
            reading = discount_and_shingle(self.written_pages, self.masker)
            known = reading.kept, reading.found
            self.index.know_written(reading.shingles, reading.words)
        self.written, self.discounted = known
        for url, texts in self.written.items():
            self.index.written_for(url, list(texts))

    # -- configuration ----------------------------------------------------------------------------------------
    def policy(self, rule: str) -> str:
        return self.site_policies.policy(rule)

    def may_leave(self, rule: str, url: str) -> bool:
        """Whether a page that `rule` finds is held back: its policy holds pages back, no waiver excuses it, and
        it is a page that can be (not the home page or the list of areas)."""
        facts = self.facts.pages.get(url) if self.facts else None
        if rule == "duplicates.thin" and url in self.doorways:
            return False   # published although it has nothing of its own (warn, a waiver): its own rule said so
        return (facts is not None and _can_hold(facts) and self.policy(rule) in HOLDING_POLICIES
                and (url, rule) not in self.waivers)

    # -- the pages --------------------------------------------------------------------------------------------
    def add(self, page: HtmlPage) -> None:
        """Check one page; keep only what the site-wide checks need."""
        self.absorb(self.inspect(page))

    def inspect(self, page: HtmlPage) -> PageResult:
        """The per-page checks: they need no other page, so worker processes can run them in parallel."""
        url, site = page.url_path, self.facts
        facts = site.pages.get(url) if site else None
        findings = list(self.claims.check(page))
        findings += check_leaks(page, facts)
        indexing = None
        if site is not None and facts is not None:
            visible = fold(page.visible_text)
            findings += check_disclaimers(page, facts, visible)
            findings += check_consistency(page, facts, site, visible)
            indexing = (page.canonical, page.robots)
        indexable = facts.indexable and url not in self.held_before if facts is not None else \
            "noindex" not in page.robots
        prepared = self.index.prepare(page.main_text) if indexable else None
        text = page.main_text if indexable and self.reload is None else None
        words = prepared.words if prepared is not None else len(page.main_text.split())
        return PageResult(url, findings, indexing, prepared, text, words)

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
        self.words[url] = result.words

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
        chunks = [files[start:end] for start, end in spans(len(files), jobs)]
        done = 0
        if can_fork(jobs, len(files)):
            _RUN = self
            self.index.mark_sent()
            try:
                for chunk, (results, blocks) in in_workers(_inspect_in_worker, chunks, jobs):
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
        self.settle_written()   # (a caller that meant to settle them from a cache and could not)
        facts = self.facts
        ranks = {u: f.rank for u, f in facts.pages.items()} if facts else None
        dup = self.index.finish(self._explain, ranks, self.may_leave if facts else None)
        holds = self._holds(dup)
        self.raw += self._duplicate_findings(dup, holds)
        findings, waived, demoted = self._apply_policies(self.raw, holds)
        if facts is not None:
            for url, page_facts in sorted(facts.pages.items()):
                if url not in self.seen:
                    findings.append(Finding("consistency.missing-page", "error", url, "the page is not in the "
                                            "output folder", page_facts.file, CONTENT_RULES[
                                                "consistency.missing-page"][1]))
                    continue
                if self.check_indexing:
                    canonical, robots = self.indexing[url]
                    findings += check_indexing(url, canonical, robots, page_facts, facts, demoted.get(url))
        findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.rule, f.page, f.message))
        result = CheckResult(findings, waived, demoted, dup, len(self.seen), time.perf_counter() - self.started,
                             holds)
        self._let_go()
        return result

    def _let_go(self) -> None:
        """Drop what only `finish` reads (every page's findings before policies, canonicals, word counts, main
        texts): a run is finished once, and the preview keeps the finished run until the next save (for its
        duplicate index and the check cache), where at 100,000 pages these would be some 100 MB held for nothing."""
        self.raw, self.indexing, self.words, self.texts = [], {}, {}, {}
        self.seen = set()

    def _holds(self, dup: DuplicateResult) -> dict[str, Hold]:
        """What the gate says of each page it flags: the local pages with nothing of their own (judged before any
        text), and the pages found thin (not those in a cluster of duplicates: their rule says it)."""
        holds: dict[str, Hold] = {}
        if self.facts is not None:
            every = {**self.facts.pages, **self.facts.skipped}
            for url in sorted(self.doorways | set(self.facts.skipped)):
                peers = tuple(every[u].area or u for u in every[url].offer_peers if u in every)
                hold = doorway_hold(every[url], self.words.get(url, 0), self.duplicate_settings, peers)
                holds[url] = hold if url in self.facts.pages else _replace(hold, built=False)
        pages = self.facts.pages if self.facts else {}
        for st in dup.pages:
            if st.thin and st.duplicate_of is None and st.cluster is None and st.page not in holds:
                facts = pages.get(st.page)
                if facts is not None and not _can_hold(facts):
                    continue   # the home page, the list of areas: a finding, never held back
                holds[st.page] = thin_hold(facts, st, self.duplicate_settings, self.discounted.get(st.page))
        return holds

    def _apply_policies(self, raw: list[Finding], holds: dict[str, Hold]):
        """Each finding's severity from its rule's policy, the waived ones set apart, and the pages held back with
        where their canonicals point (a held-back landing page's to its treatment's guide, unless that is held
        back too; an area page's to the list of areas; a copy's to the page kept)."""
        facts = self.facts.pages if self.facts else {}
        held: dict[str, Finding] = {}
        for f in raw:
            if f.page in facts and (f.page, f.rule) not in self.waivers and self.may_leave(f.rule, f.page):
                held.setdefault(f.page, f)
        demoted: dict[str, str] = {}
        for url, f in held.items():
            keeper = f.evidence[len("kept: "):] if f.evidence.startswith("kept: ") else ""
            hub = facts[url].hub
            demoted[url] = keeper or (hub if hub not in held else "/")
        findings: list[Finding] = []
        waived: list[tuple[Finding, PageWaiver]] = []
        for f in raw:
            policy = self.policy(f.rule)
            waiver = self.waivers.get((f.page, f.rule))
            gated = f.rule in ("duplicates.doorway", "duplicates.thin")
            if f.page in self.facts.skipped if self.facts else False:
                f = _replace(f, message=f.message + "; not built (policy skip)")
            elif policy in HOLDING_POLICIES and f.rule in DUPLICATE_RULES:
                if f.page not in facts:    # a folder nobody holds back (audit): the page is indexed as it is
                    policy = "fail"
                    f = _replace(f, message=f.message + " (would be demoted)")
                elif not _can_hold(facts[f.page]):   # published as it is: a warning, as docs/checks.md says
                    policy = "warn"
                    f = _replace(f, message=f.message + f"; the {_held_name(facts[f.page])} "
                                                        "cannot be held back: give it text of its own")
                elif f.page in demoted and held.get(f.page) is f:
                    f = _replace(f, message=f.message + f"; held back: noindex, canonical to {demoted[f.page]}, "
                                                        "not in the sitemap")
            elif gated and policy == "warn":
                f = _replace(f, message=f.message + f"; {DOORWAY_RISK}")
            if f.page in holds and f.rule == holds[f.page].rule:
                hold = holds[f.page]
                holds[f.page] = _replace(hold, canonical=demoted.get(f.page, ""))
            f = _replace(f, severity=POLICY_SEVERITY[policy] if f.severity != "info" else "info")
            if waiver is not None:
                if gated:
                    f = _replace(f, message=f.message + f"; {DOORWAY_RISK}")
                waived.append((f, waiver))
                continue
            findings.append(f)
        return findings, waived, demoted

    # -- duplicates -------------------------------------------------------------------------------------------
    def _duplicate_findings(self, dup: DuplicateResult, holds: dict[str, Hold]) -> Iterator[Finding]:
        for url, hold in holds.items():
            if hold.rule == "duplicates.doorway":
                yield Finding("duplicates.doorway", "error", url, hold.reason, "", hold.advice)
        for cluster in dup.clusters:
            keeper = cluster.keeper or min(cluster.pages, key=self._keep_order)
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
        pages = self.facts.pages if self.facts else {}
        for st in dup.pages:
            if (pages[st.page].kind == PageKind.HOME if st.page in pages else st.page == "/"):
                continue   # the home page repeats what it links to, by design (as `audit` skips it)
            if st.thin and st.duplicate_of is None and st.cluster is None and st.page not in self.doorways:
                hold = holds.get(st.page) or thin_hold(pages.get(st.page), st, self.duplicate_settings,
                                                       self.discounted.get(st.page))
                yield Finding("duplicates.thin", "error", st.page, f"thin: {hold.reason}",
                              f"closest twin: {st.twin} ({st.twin_similarity:.0%})" if st.twin else "", hold.advice)

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


def _held_name(facts: PageFacts) -> str:
    """What a page that cannot be held back is called: a page that lists others by its kind, a hub "page"."""
    return KIND_NAMES[PageKind(facts.kind)] if facts.kind in NAVIGATION_KINDS else "page"


def _can_hold(facts: PageFacts) -> bool:
    """Whether the gate may hold a page back: not the home page, the list of areas or the 404 page."""
    return facts.kind not in NAVIGATION_KINDS and facts.hub != facts.url_path




_RUN: CheckRun | None = None


def _inspect_in_worker(files: list[tuple[str, str]]) -> tuple[list[PageResult], BlockBatch]:
    """In a worker process: the pages' results, and the blocks of their main text it had not sent yet."""
    assert _RUN is not None
    collecting()
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


_Record = TypeVar("_Record", Finding, Hold)


def _replace(f: _Record, **changes: Any) -> _Record:
    from dataclasses import replace
    return replace(f, **changes)


def check_pages(pages: Iterable[HtmlPage], settings: CheckSettings | None = None, facts: SiteFacts | None = None,
                rules: list[ClaimRule] | None = None, reload: Callable[[str], HtmlPage | None] | None = None,
                project_dir: Path | None = None) -> CheckResult:
    """Check every page (see CheckRun for the arguments)."""
    run = CheckRun(settings, facts, rules, reload, project_dir)
    for page in pages:
        run.add(page)
    return run.finish()
