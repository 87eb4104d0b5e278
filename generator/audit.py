"""Audit any folder of static HTML: read every page and the site's robots.txt and sitemaps, then run the SEO
rules and the content checks over what is actually there."""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from generator.checks import CheckRun, Finding, HtmlPage
from generator.checks.addresses import Resolver
from generator.checks.crawl import Crawl
from generator.checks.duplicates import BlockBatch
from generator.checks.html import page_path, parse_html
from generator.checks.results import PageResult
from generator.checks.seo import RULES, check_seo, jsonld_types, not_indexed
from generator.checks.site import Site, Sitemap, read_sitemap, robots_sitemaps
from generator.errors import ClinicPagesError
from generator.model import CheckSettings
from generator.output import MANIFEST
from generator.sitemap import ROBOTS_FILE, SITEMAP_FILE
from generator.workers import can_fork, collector_paused, in_workers, spans

Progress = Callable[[int, int], None]   # (pages done, pages in all)

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm")
REDIRECT_FILES = ("_redirects", ".htaccess")     # read at the site's root: Netlify / Cloudflare Pages, Apache
# Files a search console asks a site owner to publish to prove the site is theirs: not pages anyone reads.
VERIFICATION_FILE = re.compile(r"^(?:google[0-9a-f]{16}|yandex_[0-9a-f]{16}|pinterest-[0-9a-f]{5,}|"
                               r"BingSiteAuth)\.html?$")
SITEMAP_NAME = re.compile(r"(?:^|/)sitemap[\w.-]*\.xml(?:\.gz)?$", re.I)
# schema.org types by which a site says it is a clinic (or a salon offering its treatments): the clinic claims
# rules apply to it. MedicalBusiness and its kinds, health and beauty businesses, medical organisations.
CLINIC_TYPES = frozenset({
    "MedicalClinic", "MedicalBusiness", "MedicalOrganization", "Physician", "Dentist", "Hospital", "Optician",
    "Pharmacy", "Dermatology", "PlasticSurgery", "CommunityHealth", "IndividualPhysician", "PhysiciansOffice",
    "HealthAndBeautyBusiness", "BeautySalon", "DaySpa", "MedicalSpa", "MedicalWebPage",
})
# Fix hints for a site clinic-pages did not make: its templates and data files are not there to fix.
OTHER_SITE_HINTS = {
    "seo.title-missing": "add a <title> in <head> saying what the page is about",
    "seo.link-text": "say where the link goes (\"Opening hours and prices\"), not \"click here\"",
    "leaks.template": "a template tag reached the page as text: check the template or page that made it",
    "leaks.missing-value": "a value was empty when the page was made: fill it in, or leave the sentence out",
    "leaks.empty-list": "a list has no items: fill it, or leave it out of the page",
    "leaks.empty-heading": "a heading has nothing under it: write the section, or remove the heading",
    "duplicates.exact": "give each page text of its own, point its canonical at the original, or mark it noindex",
    "duplicates.near": "give each page text of its own, point its canonical at the page it repeats, or mark it "
                       "noindex",
    "duplicates.thin": "add text of its own to the page, or mark it noindex and point its canonical at the page "
                       "that says more",
}
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
    clinic: bool = False                                    # the clinic claims rules were applied
    urls: dict[str, str] = field(default_factory=dict)      # URL path -> the page's public address
    not_indexed: dict[str, str] = field(default_factory=dict)   # URL path -> why search engines leave it out

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def ok(self) -> bool:
        return self.count("error") == 0

    def summary(self) -> str:
        return (f"Audited {self.pages} pages in {self.seconds:.2f} s: {self.count('error')} errors, "
                f"{self.count('warning')} warnings, {self.count('info')} notes")


def list_files(root: Path, links: list[str] | None = None) -> list[str]:
    """Every file under `root` as a relative path with / separators, sorted; hidden files and folders skipped.
    Symbolic links are not followed (nor read): with `links`, their paths are added to it."""
    found: list[str] = []
    stack = [(str(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:   # a folder that cannot be read is skipped, as os.walk would
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                if links is not None:
                    links.append(prefix + entry.name)
            elif entry.is_dir():
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                found.append(prefix + entry.name)
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
    """The sitemaps robots.txt names (or /sitemap.xml), and the parts of any sitemap index, each read once; when
    there are none of those, sitemaps in subfolders (shallowest first), which the rules then report."""
    queue = [f for f in (_sitemap_file(u, base_url, files) for u in robots_sitemaps(robots or "")) if f]
    if not queue and SITEMAP_FILE in files:
        queue = [SITEMAP_FILE]
    if not queue:
        queue = sorted((f for f in files if SITEMAP_NAME.search(f)), key=lambda f: (f.count("/"), f))[:1]
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
    parsed = parse_pages(root, files, jobs, run, progress)
    if run is not None:
        for _, result in parsed:
            if result is not None:     # always, with a run
                run.absorb(result)
    return [page for page, _ in parsed]


def parse_pages(root: Path, files: list[str], jobs: int | None = None, run: CheckRun | None = None,
                progress: Progress | None = None) -> list[tuple[HtmlPage, PageResult | None]]:
    """Parse every page (with its per-page check results when `run` is given; the caller absorbs them)."""
    global _RUN
    jobs = jobs or os.cpu_count() or 1
    _RUN = run
    try:
        with collector_paused():
            if not can_fork(jobs, len(files)):
                parsed, blocks = _parse_files((str(root), files))
                if run is not None:
                    run.index.receive(blocks)
                if progress:
                    progress(len(files), len(files))
            else:
                chunks = [(str(root), files[start:end]) for start, end in spans(len(files), jobs)]
                if run is not None:
                    run.index.mark_sent()
                parsed = []
                for _, (chunk, blocks) in in_workers(_parse_files, chunks, jobs):
                    if run is not None:
                        run.index.receive(blocks)
                    parsed += chunk
                    if progress:
                        progress(len(parsed), len(files))
    finally:
        _RUN = None
    return parsed


def read_site(root: Path, base_url: str | None = None, jobs: int | None = None,
              run: CheckRun | None = None, progress: Progress | None = None) -> Site:
    root = Path(root)
    if not root.exists():
        raise AuditError(f"{root}: no such folder; hint: give the folder that holds the site's index.html")
    if not root.is_dir():
        raise AuditError(f"{root}: not a folder; hint: give the folder that holds the site's index.html")
    links: list[str] = []
    files = list_files(root, links)
    if links:
        log.warning("%d symbolic link(s) in %s not followed (clinic-pages reads no links): %s", len(links), root,
                    ", ".join(sorted(links)[:5]))
    html_files = [f for f in files if f.lower().endswith(HTML_SUFFIXES) and not VERIFICATION_FILE.search(f)]
    if not html_files:
        raise AuditError(f"{root}: no .html files found; hint: audit the folder a static site was built into")
    parsed = parse_pages(root, html_files, jobs, run, progress)
    pages = [page for page, _ in parsed]
    fileset = set(files)
    robots = (root / ROBOTS_FILE).read_text("utf-8", errors="replace") if ROBOTS_FILE in fileset else None
    given = normalise_base_url(base_url) if base_url else None
    sitemaps = read_sitemaps(root, fileset, robots, given or guess_base_url(robots, [], []))
    site_url = given or guess_base_url(robots, sitemaps, pages)
    redirects = {name: (root / name).read_text("utf-8", errors="replace") for name in REDIRECT_FILES
                 if (root / name).is_file()}
    site = Site(pages=pages, files=frozenset(files), base_url=site_url, robots=robots, sitemaps=sitemaps,
                crawl=Crawl.read(robots, redirects, urlsplit(site_url).path.rstrip("/") if site_url else ""))
    site.not_indexed = not_indexed(site, Resolver(site))
    if run is not None:
        # Only the pages a search engine indexes are compared for duplicate and thin content, and only those with
        # words in their main text: two pages that show only a form or a document in a frame are not copies.
        for page, result in parsed:
            if result is None:     # never, with a run
                continue
            if page.file in site.not_indexed or (result.prepared is not None and not result.prepared.words):
                result.prepared = result.text = None
            run.absorb(result)
    return site


def seo_severities(settings: CheckSettings | None) -> dict[str, str]:
    """site.yaml `checks: policies:` for SEO rules (by id, or `seo` for the family): fail -> error, warn ->
    warning."""
    if settings is None:
        return {}
    policies = settings.policies
    family = policies.get("seo")
    severity = {"fail": "error", "warn": "warning"}
    chosen = {rule: policy for rule in RULES if (policy := policies.get(rule, family)) is not None}
    return {rule: severity[policy] for rule, policy in chosen.items() if policy in severity}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.rule, f.page, f.message))


@collector_paused()
def audit(root: Path, base_url: str | None = None, settings: CheckSettings | None = None,
          jobs: int | None = None, project_dir: Path | None = None, progress: Progress | None = None,
          clinic: bool | None = None) -> AuditResult:
    """Audit a folder of HTML: the SEO rules, then the engine's content checks (claims, duplicates, leaks).
    The clinic claims rules apply to a clinic's site: one clinic-pages built, or whose structured data says it
    is a clinic, or audited with a project's settings (`project_dir`, where `checks.rules` are); `clinic` True or
    False decides it instead. `progress(done, total)` counts the pages read."""
    started = time.perf_counter()
    file_of: dict[str, str] = {}

    def reload(url: str) -> HtmlPage | None:
        """A page read again, to say why two pages are alike (only for duplicate clusters): the workers need
        not send every page's main text back."""
        try:
            return parse_html(file_of[url], utf8_html((Path(root) / file_of[url]).read_bytes()))
        except (KeyError, OSError):
            return None

    made_here = (Path(root) / MANIFEST).is_file()      # a folder clinic-pages built
    run = CheckRun(settings, reload=reload, project_dir=project_dir)   # project_dir: where checks.rules are
    site = read_site(Path(root), base_url, jobs, run, progress)
    file_of.update((page.url_path, page.file) for page in site.pages)
    site.severities = seo_severities(settings)
    log.debug("read %d pages, %d files; base URL %s", len(site.pages), len(site.files), site.base_url)
    findings = list(check_seo(site))
    content = run.finish()
    is_clinic = clinic if clinic is not None else made_here or project_dir is not None or says_clinic(site.pages)
    found = findings + content.findings
    waived = list(content.waived)
    if not is_clinic:
        found = [f for f in found if not f.rule.startswith("claims.")]
        waived = [(f, w) for f, w in waived if not f.rule.startswith("claims.")]
    if not made_here:       # nobody will demote its pages: say what it has, with hints that fit it
        found = [replace(f, hint=OTHER_SITE_HINTS[f.rule], message=f.message.removesuffix(" (would be demoted)"))
                 if f.rule in OTHER_SITE_HINTS else f for f in found]
    notes = [] if site.base_url else ["the site's address is unknown (no --base-url, no sitemap, no canonical): "
                                      "absolute links and canonicals were not checked"]
    flat = [page.file for page in site.pages if page.flattened]
    if flat:   # generator/checks/nesting.py: what a browser shows of them, in time in proportion to their size
        notes.append(f"{len(flat)} page(s) nest their tags more than 512 deep, or misnest many of them, and were "
                     f"read flattened, as a browser shows them: {', '.join(flat[:5])}")
    resolver = Resolver(site)
    by_path = {p.url_path: p for p in site.pages}
    return AuditResult(Path(root), site.base_url, len(site.pages), sort_findings(found),
                       time.perf_counter() - started, notes, waived, dict(content.demoted), content.duplicates,
                       is_clinic, {path: public_url(page, resolver) for path, page in by_path.items()},
                       {page_path(file): why for file, why in site.not_indexed.items()})


def says_clinic(pages: list[HtmlPage]) -> bool:
    """True when the site's structured data says it is a clinic (a MedicalClinic, a Dentist...)."""
    return any(not CLINIC_TYPES.isdisjoint(jsonld_types(page)) for page in pages if page.jsonld)


def public_url(page: HtmlPage, resolver: Resolver) -> str:
    """The address people and search engines use for the page: its canonical when that names the page itself
    (the host's clean URL, /about for about.html), else the site's address and the file's path."""
    canonical = (page.canonical or "").strip()
    own = resolver.url(page.url_path)
    if canonical == own:
        return own
    if canonical and resolver.resolve(canonical, page.url_path)[1] == page.file:
        return canonical if "://" in canonical else resolver.url(canonical)
    return own


__all__ = ["AuditError", "AuditResult", "audit", "list_files", "read_pages", "read_site"]
