"""Audit any folder of static HTML: read every page and the site's robots.txt and sitemaps, then run the SEO
rules and the content checks over what is actually there."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.checks import CheckRun, Finding, HtmlPage
from generator.checks.duplicates import BlockBatch
from generator.checks.engine import PageResult
from generator.checks.html import parse_html
from generator.checks.seo import RULES, Site, Sitemap, check_seo, read_sitemap, robots_sitemaps
from generator.errors import ClinicPagesError
from generator.model import CheckSettings
from generator.workers import can_fork, forked_pool

Progress = Callable[[int, int], None]   # (pages done, pages in all)

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
PARALLEL_MIN_PAGES = 400     # below this, starting workers costs more than it saves
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


class AuditError(ClinicPagesError):
    """The folder cannot be audited (missing, not a folder, no HTML in it, a bad --base-url)."""


@dataclass
class AuditResult:
    """What `audit` found: the SEO findings and the content checks' findings, sorted, and the engine's extras
    (duplicate clusters, waived findings) for the reports."""

    root: Path
    base_url: str | None
    pages: int
    findings: list[Finding]
    seconds: float
    notes: list[str] = field(default_factory=list)
    waived: list = field(default_factory=list)
    demoted: dict[str, str] = field(default_factory=dict)
    duplicates: object = None

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def summary(self) -> str:
        return (f"Audited {self.pages} pages in {self.seconds:.2f} s: {self.count('error')} errors, "
                f"{self.count('warning')} warnings, {self.count('info')} notes")


def list_files(root: Path) -> list[str]:
    """Every file under `root` as a relative path with / separators, sorted; hidden files and folders skipped."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        prefix = "" if rel == "." else rel + "/"
        found.extend(prefix + name for name in files if not name.startswith("."))
    return sorted(found)


def utf8_html(data: bytes) -> bytes:
    """A page's bytes as UTF-8, as `parse_html` reads them: a byte-order mark dropped, and a page that is not
    valid UTF-8 read as Windows-1252 (what browsers fall back to for old pages)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.isascii():
        return data
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace").encode("utf-8")


def normalise_base_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise AuditError(f"--base-url {url!r} is not an absolute http(s) URL; "
                         "hint: give the live address, e.g. --base-url https://www.example.co.uk")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def guess_base_url(robots: str | None, sitemaps: list[Sitemap], pages: list[HtmlPage]) -> str | None:
    """The site's own address, when --base-url is not given: from robots.txt's Sitemap line, else the first
    sitemap entry, else the home page's canonical."""
    candidates = robots_sitemaps(robots) if robots else []
    candidates += [loc for s in sitemaps for loc in s.locs[:1]]
    candidates += [p.canonical for p in pages if p.url_path == "/" and p.canonical]
    for url in candidates:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return None


def _sitemap_file(url: str, base_url: str | None, files: set[str]) -> str | None:
    parts = urlsplit(url)
    if parts.netloc and base_url and parts.netloc.lower() != urlsplit(base_url).netloc.lower():
        return None
    if parts.netloc and not base_url:
        return None
    rel = parts.path.lstrip("/")
    base_path = urlsplit(base_url).path.strip("/") if base_url else ""
    if base_path and rel.startswith(base_path + "/"):
        rel = rel[len(base_path) + 1:]
    return rel if rel in files else None


def read_sitemaps(root: Path, files: set[str], robots: str | None, base_url: str | None) -> list[Sitemap]:
    """The sitemaps robots.txt names (or /sitemap.xml), and the parts of any sitemap index, each read once."""
    queue = [f for f in (_sitemap_file(u, base_url, files) for u in robots_sitemaps(robots or "")) if f]
    if not queue and "sitemap.xml" in files:
        queue = ["sitemap.xml"]
    seen: set[str] = set()
    sitemaps = []
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        seen.add(name)
        sitemap = read_sitemap(name, (root / name).read_bytes())
        sitemaps.append(sitemap)
        if sitemap.kind == "sitemapindex":
            queue += [f for f in (_sitemap_file(u, base_url, files) for u in sitemap.locs) if f]
    return sitemaps


# The content checks' run, shared with forked workers: each worker parses its pages and runs the per-page
# checks on them (`CheckRun.inspect`); this process gathers the results in page order (`CheckRun.absorb`).
_RUN: CheckRun | None = None


def _parse_files(job: tuple[str, list[str]]
                 ) -> tuple[list[tuple[HtmlPage, PageResult | None]], BlockBatch | None]:
    """Parse and check pages; with the blocks of main text the checks stored (for the main process)."""
    root, files = job
    out = []
    for file in files:
        try:
            data = (Path(root) / file).read_bytes()
        except OSError as exc:
            raise AuditError(f"{Path(root) / file}: cannot be read ({exc.strerror or exc}); "
                             "hint: fix its permissions or the link, or move it out of the folder") from None
        page = parse_html(file, utf8_html(data))
        result = None
        if _RUN is not None:
            result = _RUN.inspect(page)
            page.main_text = ""     # the run keeps what it needs of it; the SEO rules do not read it
        out.append((page, result))
    return out, _RUN.index.take_new() if _RUN is not None else None


def read_pages(root: Path, files: list[str], jobs: int | None = None,
               run: CheckRun | None = None, progress: Progress | None = None) -> list[HtmlPage]:
    """Parse every page, in worker processes when there are many; with a check run, each page's per-page
    content checks run beside its parsing and their results go to the run. `progress(done, total)` counts
    pages."""
    global _RUN
    jobs = jobs or os.cpu_count() or 1
    _RUN = run
    try:
        if not can_fork(jobs, len(files), PARALLEL_MIN_PAGES):
            parsed, blocks = _parse_files((str(root), files))
            if run is not None:
                run.index.receive(blocks)
            if progress:
                progress(len(files), len(files))
        else:
            size = max(50, min(500, len(files) // (jobs * 8)))
            chunks = [(str(root), files[i:i + size]) for i in range(0, len(files), size)]
            if run is not None:
                run.index.mark_sent()
            parsed = []
            with forked_pool(jobs) as pool:
                for chunk, blocks in pool.imap(_parse_files, chunks):
                    if run is not None:
                        run.index.receive(blocks)
                    parsed += chunk
                    if progress:
                        progress(len(parsed), len(files))
    finally:
        _RUN = None
    if run is not None:
        for _, result in parsed:
            run.absorb(result)
    return [page for page, _ in parsed]


def read_site(root: Path, base_url: str | None = None, jobs: int | None = None,
              run: CheckRun | None = None, progress: Progress | None = None) -> Site:
    root = Path(root)
    if not root.exists():
        raise AuditError(f"{root}: no such folder; hint: give the folder that holds the site's index.html")
    if not root.is_dir():
        raise AuditError(f"{root}: not a folder; hint: give the folder that holds the site's index.html")
    files = list_files(root)
    html_files = [f for f in files if f.lower().endswith(HTML_SUFFIXES)]
    if not html_files:
        raise AuditError(f"{root}: no .html files found; hint: audit the folder a static site was built into")
    pages = read_pages(root, html_files, jobs, run, progress)
    fileset = set(files)
    robots = (root / "robots.txt").read_text("utf-8", errors="replace") if "robots.txt" in fileset else None
    given = normalise_base_url(base_url) if base_url else None
    sitemaps = read_sitemaps(root, fileset, robots, given or guess_base_url(robots, [], []))
    return Site(pages=pages, files=frozenset(files), base_url=given or guess_base_url(robots, sitemaps, pages),
                robots=robots, sitemaps=sitemaps)


def seo_severities(settings: CheckSettings | None) -> dict[str, str]:
    """site.yaml `checks: policies:` for SEO rules (by id, or `seo` for the family): fail -> error, warn ->
    warning."""
    if settings is None:
        return {}
    policies = settings.policies
    family = policies.get("seo")
    severity = {"fail": "error", "warn": "warning"}
    return {rule: severity[policies.get(rule, family)] for rule in RULES
            if policies.get(rule, family) in severity}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule, f.page, f.message))


def audit(root: Path, base_url: str | None = None, settings: CheckSettings | None = None,
          jobs: int | None = None, project_dir: Path | None = None, progress: Progress | None = None
          ) -> AuditResult:
    """Audit a folder of HTML: the SEO rules, then the engine's content checks (claims, duplicates, leaks).
    `progress(done, total)` counts the pages read."""
    started = time.perf_counter()
    file_of: dict[str, str] = {}

    def reload(url: str) -> HtmlPage | None:
        """A page read again, to say why two pages are alike (only for duplicate clusters): the workers need
        not send every page's main text back."""
        try:
            return parse_html(file_of[url], utf8_html((Path(root) / file_of[url]).read_bytes()))
        except (KeyError, OSError):
            return None

    run = CheckRun(settings, reload=reload, project_dir=project_dir)   # project_dir: where checks.rules are
    site = read_site(Path(root), base_url, jobs, run, progress)
    file_of.update((page.url_path, page.file) for page in site.pages)
    site.severities = seo_severities(settings)
    log.debug("read %d pages, %d files; base URL %s", len(site.pages), len(site.files), site.base_url)
    findings = list(check_seo(site))
    content = run.finish()
    notes = [] if site.base_url else ["the site's address is unknown (no --base-url, no sitemap, no canonical): "
                                      "absolute links and canonicals were not checked"]
    return AuditResult(Path(root), site.base_url, len(site.pages), sort_findings(findings + content.findings),
                       time.perf_counter() - started, notes, list(content.waived), dict(content.demoted),
                       content.duplicates)


__all__ = ["AuditError", "AuditResult", "audit", "list_files", "read_pages", "read_site"]
