"""The check engine: one set of checks for the built site (`check`) and for any folder of HTML (`audit`).

Every check is a function that takes the pages (and a context) and yields `Finding`s. Families live in their
own modules: `duplicates`, `disclaimers`, `claims`, `leaks`, `consistency` (content and honesty) and `seo`
(on-page and site-wide search rules).
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

    @property
    def noindex(self) -> bool:
        return "noindex" in self.robots
