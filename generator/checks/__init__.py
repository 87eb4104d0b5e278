"""The check engine: one set of checks for the built site (`check`) and for any folder of HTML (`audit`).

Every check takes pages (and what is known about them) and yields `Finding`s. Families: `claims` (rule files
in YAML, `claims.py`, `generator/rules/uk.yaml`), `duplicates` (exact, near, thin, doorway: `duplicates/` and
`gate.py`),
`disclaimers`, `leaks` and `consistency` (`content.py`), and `seo` (on-page and site-wide search rules).

Entry points:
    parse_html(file, html) -> HtmlPage          one page, parsed once (checks/html.py; lexbor, ~0.1 ms a page)
    check_pages(pages, settings=None, facts=None, rules=None, reload=None) -> CheckResult
                                                 every check over an iterable of HtmlPages; iterating over the
                                                 result gives the findings after policies and waivers
    CheckRun(...).add(page) ... .finish()        the same, one page at a time (memory stays small: a page's
                                                 text is dropped once its per-page checks have run)
    check_built_site(project_dir, output_dir)    `clinic-pages check`: the built site against its records
    site_facts(project, plan) -> SiteFacts       what the generator knows of each page (checks/facts.py)
`settings` is site.yaml's `checks:` (a `model.CheckSettings`: thresholds, policies fail/warn/demote, waivers);
without `facts` (a folder clinic-pages did not make) the disclaimer, consistency and demotion checks are off.
Reports for people and machines are written by `generator/report.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem on one page: which rule, how bad, where, what, the evidence, and how to fix it."""

    rule: str            # family.name, e.g. "claims.pom", "duplicates.near", "seo.title-too-long"
    severity: str        # error | warning | info
    page: str            # the page's URL path ("/jaw-fillers/east-horsley/"), or "" for site-wide findings
    message: str
    evidence: str = ""   # the snippet, value or other page that shows the problem
    hint: str = ""       # how to fix it
    source: str = ""     # where the rule comes from (a ruling, guidance or specification), when it has one

    @classmethod
    def by_table(cls, rules: dict[str, tuple[str, str]], rule: str, page: str, message: str,
                 evidence: str = "") -> Finding:
        """A finding of a rule declared in a table of rule -> (severity, hint), as the content and seo checks
        declare theirs."""
        severity, hint = rules[rule]
        return cls(rule, severity, page, message, evidence, hint)


@dataclass
class HtmlPage:
    """What the checks read from one HTML page, parsed once.

    `visible_text` excludes scripts, styles, comments, <template>, <noscript>, attributes and anything hidden
    (the `hidden` attribute, aria-hidden="true", inline display:none / visibility:hidden).
    `main_text` is the visible text of <main> (or of the body when there is no <main>).
    """

    file: str                                   # path relative to the site root: "jaw-fillers/x/index.html"
    url_path: str                               # "/jaw-fillers/x/"
    lang: str | None = None
    title: str | None = None
    titles: int = 0                             # how many <title> elements
    description: str | None = None
    descriptions: int = 0
    canonical: str | None = None
    robots: str = ""                            # content of <meta name="robots">, lower-case
    viewport: bool = False
    h1: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)    # (level, text) in document order
    links: list[tuple[str, str]] = field(default_factory=list)       # (href, visible link text)
    images: list[tuple[str, str | None]] = field(default_factory=list)  # (src, alt or None when absent)
    ids: set[str] = field(default_factory=set)                       # every id= (fragment targets)
    jsonld: list[str] = field(default_factory=list)                  # raw text of each ld+json script
    visible_text: str = ""
    main_text: str = ""
    breadcrumbs: list[tuple[str, str]] = field(default_factory=list)  # (text, href) of nav[aria-label=Breadcrumb]
    empty_lists: list[str] = field(default_factory=list)   # a label (aria-label, id or class) of each <ul>/<ol>
                                                           # that has no <li> (lists a script fills left out)
    refresh: str | None = None          # the target of <meta http-equiv="refresh"> ("" when it reloads the page)
    insecure: list[str] = field(default_factory=list)      # http: addresses of scripts, stylesheets and frames
    code: list[str] = field(default_factory=list)          # the text of each code, keyboard, sample or maths
                                                           # element (examples, not leaks)
    link_headings: set[int] = field(default_factory=set)   # indexes in `headings` of those whose whole text is
                                                           # a link (a list of posts or tags), or that an image,
                                                           # a video or a frame follows (audit only)
    flattened: bool = False                     # nested too deep to read whole: read as its first 512 levels

    @property
    def noindex(self) -> bool:
        return "noindex" in self.robots


from generator.checks.engine import CheckRun, check_pages  # noqa: E402
from generator.checks.html import parse_html  # noqa: E402
from generator.checks.incremental import check_built_site  # noqa: E402
from generator.checks.results import CheckResult  # noqa: E402

__all__ = ["SEVERITIES", "Finding", "HtmlPage", "CheckResult", "CheckRun", "check_built_site", "check_pages",
           "parse_html"]
