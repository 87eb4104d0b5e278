"""What the checks read of one HTML page (`HtmlPage`), as `html.parse_html` makes it."""

from __future__ import annotations

from dataclasses import dataclass, field


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
