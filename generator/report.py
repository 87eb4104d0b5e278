"""Reports of findings for people (terminal, HTML) and machines (JSON), shared by `check`, `build` and `audit`.

Build a `Report` from a run's results, then `text_report`, `json_report` or `html_report` it. The JSON schema
is documented in docs/checks.md; it never contains times or absolute paths, so the same site
gives the same bytes.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from generator import __version__
from generator.checks import SEVERITIES, Finding
from generator.errors import UNPRINTABLE_BUT_NEWLINE
from generator.errors import printable as p

SCHEMA = "clinic-pages/check-report"
SCHEMA_VERSION = 1
TERMINAL_PER_RULE = 10      # problems shown per rule in the terminal before "... and N more"
TERMINAL_PAGES = 3          # pages named for a problem found on several, before "and N more"

# What hurts first: 1 keeps pages out of search results or sends people nowhere (canonicals, robots.txt and
# noindex, the sitemap, broken links and redirects, blocked scripts); 2 is the content (titles, headings,
# duplicates, claims, leaks, images, structured data); 3 is cosmetic (lengths, heading levels, link texts).
PRIORITY_NAMES = {1: "indexing", 2: "content", 3: "cosmetics"}
_INDEXING = ("seo.canonical-", "seo.sitemap-", "seo.robots-", "seo.refresh-", "seo.broken-link", "seo.broken-fragment",
             "seo.mixed-content", "consistency.canonical", "consistency.robots", "consistency.sitemap",
             "consistency.missing-page")
_COSMETIC = ("seo.title-too-long", "seo.title-multiple", "seo.description-too-short", "seo.description-too-long",
             "seo.heading-skip", "seo.link-text")


def priority(rule: str) -> int:
    """1 indexing, 2 content, 3 cosmetics (see PRIORITY_NAMES)."""
    if rule.startswith(_INDEXING) and rule != "seo.canonical-missing":
        return 1
    return 3 if rule in _COSMETIC else 2


@dataclass
class Group:
    """One problem, however many pages have it: a broken link in the navigation is one group on 489 pages."""

    rule: str
    severity: str
    message: str
    evidence: str
    hint: str
    source: str
    pages: list[str]            # URL paths, sorted

    @property
    def priority(self) -> int:
        return priority(self.rule)


def group_findings(findings: Iterable[Finding]) -> list[Group]:
    """The findings as problems: one group for each rule, severity and message, with every page that has it (the
    evidence of the first page, "e.g." when the others' differ); most urgent first (priority, severity, rule,
    then the most pages)."""
    groups: dict[tuple[str, str, str], Group] = {}
    for f in _sorted(findings):
        key = (f.rule, f.severity, f.message)
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(f.rule, f.severity, f.message, f.evidence, f.hint, f.source, [])
        elif f.evidence != group.evidence and not group.evidence.startswith("e.g. "):
            group.evidence = f"e.g. {group.evidence}" if group.evidence else ""
        if not group.pages or group.pages[-1] != f.page:
            group.pages.append(f.page)
    return sorted(groups.values(), key=lambda g: (g.priority, _severity_rank(g.severity), g.rule, -len(g.pages),
                                                  g.message, g.evidence))


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else 9


@dataclass
class Report:
    command: str                                  # check | build | audit
    site: str                                     # the folder, as the user named it
    pages: int
    findings: list[Finding]
    waived: list[tuple[Finding, Any]] = field(default_factory=list)   # (finding, waiver with .reason, .origin)
    demoted: dict[str, str] = field(default_factory=dict)
    duplicates: Any = None                        # checks.duplicates.DuplicateResult, when run
    near_threshold: float | None = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    urls: dict[str, str] = field(default_factory=dict)   # URL path -> public address (audit), shown instead
    held: dict[str, Any] = field(default_factory=dict)   # URL path -> checks.gate.Hold: what the gate flagged

    @classmethod
    def from_result(cls, command: str, site: str, result) -> Report:
        """From a checks.engine.CheckResult (or an audit.AuditResult)."""
        duplicates = getattr(result, "duplicates", None)
        return cls(command, site, result.pages, list(result.findings), list(getattr(result, "waived", [])),
                   dict(getattr(result, "demoted", {})), duplicates, getattr(duplicates, "near_threshold", None),
                   notes=list(getattr(result, "notes", [])), seconds=getattr(result, "seconds", 0.0),
                   urls=dict(getattr(result, "urls", {})), held=dict(getattr(result, "held", {})))

    def url(self, page: str) -> str:
        """How a page is shown: its public address when known, else its URL path ("(site)" for the site)."""
        return self.urls.get(page, page) if page else "(site)"

    def groups(self) -> list[Group]:
        return group_findings(self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    def summary(self) -> str:
        parts = [f"{self.pages} page(s) checked: {self.count('error')} error(s), {self.count('warning')} warning(s)"]
        if self.demoted:
            parts.append(f"{len(self.demoted)} held back")
        skipped = sum(not h.built for h in self.held.values())
        if skipped:
            parts.append(f"{skipped} not built")
        risky = [h for h in self.held.values() if h.built and not h.canonical]
        if risky:
            parts.append(f"{len(risky)} published without text of their own")
        if self.waived:
            parts.append(f"{len(self.waived)} waived")
        return ", ".join(parts)

    def held_groups(self) -> list[tuple[str, list[Any]]]:
        """The pages the gate flagged, grouped by what they lack (largest group first)."""
        from generator.checks.gate import LACKS
        groups: dict[str, list[Any]] = defaultdict(list)
        for url in sorted(self.held):
            groups[self.held[url].lacks].append(self.held[url])
        return sorted(((LACKS.get(k, k), v) for k, v in groups.items()), key=lambda kv: (-len(kv[1]), kv[0]))


def _sorted(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
                                           f.rule, f.page, f.message))


# -- terminal ------------------------------------------------------------------------------------------------

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "bold": "\033[1m", "dim": "\033[2m"}
_RESET = "\033[0m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def text_report(report: Report, colour: bool = False, limit: int | None = TERMINAL_PER_RULE) -> str:
    """Problems by priority, then by rule: each once with the pages that have it ("on 489 pages"), its snippet
    and its fix; clusters; waivers; one summary line. Every text that came from a page or the data is shown with
    its control characters escaped (`p`): an audited page cannot clear the terminal or start a line of its own."""
    def paint(text: str, what: str) -> str:
        return f"{_COLOURS[what]}{text}{_RESET}" if colour else text

    lines: list[str] = []
    by_rule: dict[str, list[Group]] = defaultdict(list)
    for g in report.groups():
        by_rule[g.rule].append(g)
    section = None
    for rule, groups in by_rule.items():
        if groups[0].priority != section:
            section = groups[0].priority
            rules = [r for r, gs in by_rule.items() if gs[0].priority == section]
            problems = sum(len(by_rule[r]) for r in rules)
            lines.append(paint(f"== {section}. {PRIORITY_NAMES[section].capitalize()}: "
                               f"{_plural(problems, 'problem')} under {_plural(len(rules), 'rule')}", "bold"))
            lines.append("")
        severity = groups[0].severity
        count = sum(len(g.pages) for g in groups)
        head = f"({_plural(count, severity)}" + (f", {_plural(len(groups), 'problem')})" if len(groups) != count
                                                 else ")")
        lines.append(paint(p(rule), "bold") + f" {p(head)}")
        hints = {g.hint for g in groups}
        shown = groups if limit is None else groups[:limit]
        for g in shown:
            where = p(report.url(g.pages[0])) if len(g.pages) == 1 else f"on {len(g.pages)} pages"
            lines.append(f"  {paint(p(g.severity), g.severity) if g.severity in _COLOURS else p(g.severity)} {where}: "
                         f"{p(g.message)}")
            if g.evidence and g.evidence not in g.message:
                lines.append(paint(f"      {p(g.evidence)}", "dim"))
            if len(g.pages) > 1:
                named = g.pages if limit is None else g.pages[:TERMINAL_PAGES]
                more = len(g.pages) - len(named)
                lines.append("      pages: " + ", ".join(p(report.url(page)) for page in named)
                             + (f" and {more} more" if more else ""))
            if len(hints) > 1 and g.hint:
                lines.append(f"      fix: {p(g.hint)}")
        if len(groups) > len(shown):
            lines.append(f"  ... and {len(groups) - len(shown)} more (all of them with -v, or --format json)")
        if len(hints) == 1 and groups[0].hint:
            lines.append(f"  fix: {p(groups[0].hint)}")
        if groups[0].source:
            lines.append(paint(f"  source: {p(groups[0].source)}", "dim"))
        lines.append("")
    if report.held:
        lines.append(paint("Held back by the doorway gate, by what they lack", "bold"))
        for lacks, holds in report.held_groups():
            lines.append(f"  {len(holds)} page(s) need {lacks}:")
            listed = holds if limit is None else holds[:3]
            lines += [f"     {p(h.page)}" for h in listed]
            if len(holds) > len(listed):
                lines.append(f"     ... and {len(holds) - len(listed)} more")
        lines.append("")
    dup = report.duplicates
    if dup is not None and dup.clusters:
        lines.append(paint("Duplicate clusters", "bold"))
        for n, c in enumerate(dup.clusters, 1):
            alike = "identical" if c.kind == "exact" else f"{c.min_similarity:.0%}–{c.max_similarity:.0%} alike"
            lines.append(f"  {n}. {len(c.pages)} pages, {alike}" + (f": {p(c.why)}" if c.why else ""))
            pages = c.pages if limit is None else c.pages[:limit]
            lines += [f"     {p(page)}" for page in pages]
            if len(c.pages) > len(pages):
                lines.append(f"     ... and {len(c.pages) - len(pages)} more")
        lines.append("")
    if report.waived:
        lines.append(paint("Waived", "bold"))
        for f, w in sorted(report.waived, key=lambda fw: (fw[0].page, fw[0].rule)):
            lines.append(f"  {p(f.page)}: {p(f.rule)}: {p(f.message)}")
            lines.append(f"      reason: {p(w.reason)} ({p(w.origin)})")
        lines.append("")
    lines += [f"note: {p(n)}" for n in report.notes]
    colour_summary = "error" if report.count("error") else "warning" if report.count("warning") else "info"
    lines.append(paint(report.summary(), colour_summary))
    return "\n".join(lines) + "\n"


# -- JSON ----------------------------------------------------------------------------------------------------

def _finding(f: Finding) -> dict[str, str]:
    return {k: v for k, v in asdict(f).items()}


def json_report(report: Report) -> str:
    """The stable machine-readable report (schema: docs/checks.md)."""
    dup = report.duplicates
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "version": SCHEMA_VERSION,
        "tool": f"clinic-pages {__version__}",
        "command": report.command,
        "site": report.site,
        "summary": {"pages": report.pages, "errors": report.count("error"), "warnings": report.count("warning"),
                    "info": report.count("info"), "demoted": len(report.demoted), "waived": len(report.waived)},
        "findings": [_finding(f) for f in _sorted(report.findings)],
        "groups": [{"rule": g.rule, "severity": g.severity, "priority": g.priority, "message": g.message,
                    "evidence": g.evidence, "hint": g.hint, "source": g.source, "count": len(g.pages),
                    "pages": g.pages, "urls": [report.url(page) for page in g.pages]} for g in report.groups()],
        "waived": [{**_finding(f), "reason": w.reason, "waiver": w.origin}
                   for f, w in sorted(report.waived, key=lambda fw: (fw[0].page, fw[0].rule, fw[0].message))],
        "demoted": [{"page": p, "canonical": hub} for p, hub in sorted(report.demoted.items())],
        "held_back": [{"page": h.page, "rule": h.rule, "lacks": h.lacks, "reason": h.reason, "advice": h.advice,
                       "canonical": h.canonical or None, "own_words": h.own_words, "need_words": h.need_words,
                       "built": h.built} for _, h in sorted(report.held.items())],
        "duplicates": None,
        "notes": list(report.notes),
    }
    if dup is not None:
        data["duplicates"] = {
            "near_threshold": report.near_threshold,
            "boilerplate_blocks": dup.boilerplate_blocks,
            "clusters": [{"kind": c.kind, "pages": c.pages, "min_similarity": c.min_similarity,
                          "max_similarity": c.max_similarity, "why": c.why} for c in dup.clusters],
            "pages": [{"page": s.page, "words": s.words, "content_words": s.content_words,
                       "unique_share": s.unique_share, "unique_words": s.unique_words,
                       "boilerplate_share": s.boilerplate_share, "twin": s.twin,
                       "twin_similarity": s.twin_similarity, "thin": s.thin, "held": s.held,
                       "cluster": s.cluster} for s in sorted(dup.pages, key=lambda s: s.page)],
        }
    # JSON escapes C0 controls itself; C1 controls and bidirectional characters are escaped too (\\u009b), so
    # the report is safe to print.
    text = json.dumps(data, indent=1, ensure_ascii=False)
    return UNPRINTABLE_BUT_NEWLINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n"


# -- HTML ----------------------------------------------------------------------------------------------------

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ddd}
.summary{display:flex;gap:1rem;flex-wrap:wrap}.summary div{padding:.5rem 1rem;border-radius:6px;background:#f3f3f3}
.error{color:#b00020}.warning{color:#8a5a00}.info{color:#055}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eee;
vertical-align:top}th{cursor:pointer;background:#fafafa;position:sticky;top:0}td.num{text-align:right}
details{margin:.4rem 0}summary{cursor:pointer}.evidence{color:#555;font-size:.9em}.hint{font-size:.9em}
code{background:#f3f3f3;padding:0 .2rem}
.filters{display:flex;gap:1rem;flex-wrap:wrap;align-items:end;margin:1rem 0}.filters label{display:flex;
flex-direction:column;font-size:.9em}.filters input{min-width:18rem}
tr.group td{border-top:1px solid #ddd}tr.detail td{border-bottom:2px solid #ddd}[hidden]{display:none!important}
"""
_FILTER_SCRIPT = """
(function () {
  var rule = document.getElementById('f-rule'), severity = document.getElementById('f-severity'),
      page = document.getElementById('f-page'), count = document.getElementById('f-count');
  function apply() {
    var r = rule.value, s = severity.value, p = page.value.trim().toLowerCase(), shown = 0;
    document.querySelectorAll('[data-rule]').forEach(function (el) {
      var ok = (!r || el.dataset.rule.split(' ').indexOf(r) >= 0) &&
               (!s || el.dataset.severity.split(' ').indexOf(s) >= 0) &&
               (!p || el.dataset.pages.toLowerCase().indexOf(p) >= 0);
      el.hidden = !ok;
      if (ok && el.classList.contains('group')) shown++;
    });
    count.textContent = shown + ' shown';
  }
  [rule, severity, page].forEach(function (el) { el.addEventListener('input', apply); });
  apply();
})();
"""
_SORT_SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var table = th.closest('table'), body = table.tBodies[0], rows = Array.from(body.rows);
    var asc = th.dataset.asc !== '1'; th.dataset.asc = asc ? '1' : '0';
    rows.sort(function (a, b) {
      var x = a.cells[col].dataset.v || a.cells[col].textContent;
      var y = b.cells[col].dataset.v || b.cells[col].textContent;
      var nx = parseFloat(x), ny = parseFloat(y);
      var r = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return asc ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
"""


def html_report(report: Report) -> str:
    """A report a marketer can open: summary, findings by page, duplicate clusters, unique share per page. Control
    characters from pages are shown escaped (\\x1b), as in the terminal."""
    def e(text: str) -> str:
        return html.escape(p(text))
    out = [f"<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
           f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
           f"<title>clinic-pages {e(report.command)} report: {e(report.site)}</title>\n<style>{_STYLE}</style>\n"
           f"</head>\n<body>\n<h1>clinic-pages {e(report.command)} report: <code>{e(report.site)}</code></h1>\n"]
    out.append("<div class=\"summary\">")
    out.append(f"<div>{report.pages} pages</div><div class=\"error\">{report.count('error')} errors</div>"
               f"<div class=\"warning\">{report.count('warning')} warnings</div>"
               f"<div>{len(report.demoted)} held back</div><div>{len(report.waived)} waived</div></div>\n")
    out.append(f"<p>{e(report.summary())}</p>\n")
    for note in report.notes:
        out.append(f"<p class=\"info\">{e(note)}</p>\n")
    out += _html_problems(report)
    if report.held:
        out.append("<h2 id=\"held-back\">Held-back pages, by what they lack</h2>\n<p>A page held back is kept for "
                   "visitors and ads, but search engines are asked not to index it (noindex), its canonical points "
                   "to the page that holds its content, and it is left out of the sitemap and of the lists that "
                   "link local pages. Each one says what would earn it a place.</p>\n")
        for lacks, holds in report.held_groups():
            out.append(f"<details open><summary>{len(holds)} page(s) need {e(lacks)}</summary>\n"
                       "<table class=\"sortable\"><thead><tr><th>Page</th><th>Why</th><th>What would earn it a "
                       "place</th><th>Own words</th><th>Needs about</th><th>Now</th></tr></thead><tbody>\n")
            for h in holds:
                now = (f"canonical to <code>{e(h.canonical)}</code>" if h.canonical else
                       "not built" if not h.built else "<span class=\"warning\">published</span>")
                out.append(f"<tr><td><code>{e(h.page)}</code></td><td>{e(h.reason)}</td><td>{e(h.advice)}</td>"
                           f"<td class=\"num\">{h.own_words}</td><td class=\"num\">{h.need_words}</td>"
                           f"<td>{now}</td></tr>\n")
            out.append("</tbody></table></details>\n")

    out.append("<h2>Findings by page</h2>\n")
    by_page: dict[str, list[Finding]] = defaultdict(list)
    for f in _sorted(report.findings):
        by_page[f.page].append(f)
    if not by_page:
        out.append("<p>No findings.</p>\n")
    for page in sorted(by_page, key=lambda p: (min(SEVERITIES.index(f.severity) for f in by_page[p]), p)):
        items = by_page[page]
        out.append(f"<details data-rule=\"{e(' '.join(sorted({f.rule for f in items})))}\" "
                   f"data-severity=\"{e(' '.join(sorted({f.severity for f in items})))}\" "
                   f"data-pages=\"{e(report.url(page))}\"><summary><code>{e(report.url(page))}</code>: "
                   f"{len(items)} finding(s)</summary>\n<ul>\n")
        for f in items:
            out.append(f"<li><span class=\"{e(f.severity)}\">{e(f.severity)}</span> <code>{e(f.rule)}</code> "
                       f"{e(f.message)}")
            if f.evidence:
                out.append(f"<div class=\"evidence\">{e(f.evidence)}</div>")
            if f.hint:
                out.append(f"<div class=\"hint\">Fix: {e(f.hint)}</div>")
            if f.source:
                out.append(f"<div class=\"hint\">Source: <a href=\"{e(f.source)}\">{e(f.source)}</a></div>")
            out.append("</li>\n")
        out.append("</ul></details>\n")

    dup = report.duplicates
    if dup is not None:
        out.append("<h2>Duplicate clusters</h2>\n")
        if not dup.clusters:
            threshold = f" (threshold {report.near_threshold:.0%})" if report.near_threshold else ""
            out.append(f"<p>No exact or near-duplicate pages{threshold}.</p>\n")
        for n, c in enumerate(dup.clusters, 1):
            alike = "identical text" if c.kind == "exact" else f"{c.min_similarity:.0%}–{c.max_similarity:.0%} alike"
            out.append(f"<details><summary>Cluster {n}: {len(c.pages)} pages, {alike}"
                       f"{': ' + e(c.why) if c.why else ''}</summary><ul>")
            out += [f"<li><code>{e(page)}</code></li>" for page in c.pages]
            out.append("</ul></details>\n")
        out.append("<h2>Own text per page</h2>\n<p>Click a heading to sort. Own words: the words of the page's main "
                   "text found on no other indexable page (place names, numbers and directions set aside); own "
                   "share: of its words outside boilerplate. Twin: the most similar page found.</p>\n")
        out.append("<table class=\"sortable\"><thead><tr><th>Page</th><th>Words</th><th>Own share</th>"
                   "<th>Own words</th><th>Boilerplate</th><th>Closest twin</th><th>Similarity</th><th>Thin</th>"
                   "</tr></thead><tbody>\n")
        for s in sorted(dup.pages, key=lambda s: (s.unique_share, s.page)):
            out.append(f"<tr><td><code>{e(s.page)}</code></td><td class=\"num\">{s.words}</td>"
                       f"<td class=\"num\" data-v=\"{s.unique_share}\">{s.unique_share:.0%}</td>"
                       f"<td class=\"num\">{s.unique_words}</td>"
                       f"<td class=\"num\" data-v=\"{s.boilerplate_share}\">{s.boilerplate_share:.0%}</td>"
                       f"<td>{e(s.twin or '')}</td>"
                       f"<td class=\"num\" data-v=\"{s.twin_similarity}\">"
                       f"{f'{s.twin_similarity:.0%}' if s.twin else ''}</td>"
                       f"<td>{'thin' if s.thin else ''}</td></tr>\n")
        out.append("</tbody></table>\n")
    if report.waived:
        out.append("<h2>Waived</h2>\n<ul>\n")
        for f, w in sorted(report.waived, key=lambda fw: (fw[0].page, fw[0].rule)):
            out.append(f"<li><code>{e(f.page)}</code> <code>{e(f.rule)}</code>: {e(f.message)}<br>"
                       f"Reason: {e(w.reason)} <span class=\"evidence\">({e(w.origin)})</span></li>\n")
        out.append("</ul>\n")
    others = {page: h for page, h in report.demoted.items() if page not in report.held}
    if others:
        out.append("<h2>Other pages held back</h2>\n<p>Copies of other pages: each carries noindex and a canonical to "
                   "the page kept, and is left out of the sitemap.</p>\n<table class=\"sortable\"><thead><tr>"
                   "<th>Page</th><th>Canonical</th></tr></thead><tbody>\n")
        out += [f"<tr><td><code>{e(page)}</code></td><td><code>{e(h)}</code></td></tr>\n"
                for page, h in sorted(others.items())]
        out.append("</tbody></table>\n")
    out.append(f"<script>{_SORT_SCRIPT}{_FILTER_SCRIPT}</script>\n</body>\n</html>\n")
    return "".join(out)


def _html_problems(report: Report) -> list[str]:
    """The summary the report opens on: every problem once, most urgent first, with how many pages have it, and
    filters by rule, severity and page."""
    def e(text: str) -> str:   # control characters from pages escaped, as in the terminal
        return html.escape(p(text))
    groups = report.groups()
    out = ["<h2 id=\"problems\">Problems, most urgent first</h2>\n"]
    if not groups:
        return out + ["<p>No problems found.</p>\n"]
    rules = sorted({g.rule for g in groups})
    severities = [s for s in SEVERITIES if any(g.severity == s for g in groups)]
    out.append("<div class=\"filters\"><label>Rule<select id=\"f-rule\"><option value=\"\">every rule</option>"
               + "".join(f"<option>{e(r)}</option>" for r in rules) + "</select></label>"
               "<label>Severity<select id=\"f-severity\"><option value=\"\">every severity</option>"
               + "".join(f"<option>{e(s)}</option>" for s in severities) + "</select></label>"
               "<label>Page<input id=\"f-page\" type=\"search\" placeholder=\"part of an address\"></label>"
               f"<span id=\"f-count\">{len(groups)} shown</span></div>\n")
    out.append("<table class=\"problems\"><thead><tr><th>Priority</th><th>Rule</th><th>Severity</th>"
               "<th>Problem</th><th>Pages</th></tr></thead><tbody>\n")
    for g in groups:
        urls = [report.url(page) for page in g.pages]
        attrs = (f"data-rule=\"{e(g.rule)}\" data-severity=\"{e(g.severity)}\" "
                 f"data-pages=\"{e(' '.join(urls))}\"")
        where = e(urls[0]) if len(urls) == 1 else f"on {len(urls)} pages"
        out.append(f"<tr class=\"group\" {attrs}><td>{g.priority}. {PRIORITY_NAMES[g.priority]}</td>"
                   f"<td><code>{e(g.rule)}</code></td><td class=\"{e(g.severity)}\">{e(g.severity)}</td>"
                   f"<td>{e(g.message)}</td><td class=\"num\">{len(urls)}</td></tr>\n")
        detail = [f"<div class=\"evidence\">{e(g.evidence)}</div>" if g.evidence else "",
                  f"<div class=\"hint\">Fix: {e(g.hint)}</div>" if g.hint else "",
                  f"<div class=\"hint\">Source: <a href=\"{e(g.source)}\">{e(g.source)}</a></div>" if g.source
                  else ""]
        pages = "".join(f"<li><code>{e(u)}</code></li>" for u in urls)
        out.append(f"<tr class=\"detail\" {attrs}><td></td><td colspan=\"4\">{''.join(detail)}"
                   f"<details><summary>{where}</summary><ul>{pages}</ul></details></td></tr>\n")
    out.append("</tbody></table>\n")
    return out


FORMATS = {"text": text_report, "json": json_report, "html": html_report}
