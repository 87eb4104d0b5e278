"""What the site-wide rules read besides the pages themselves: the site's files, its robots.txt and its sitemaps
(read and validated against the sitemaps.org schema here, for `audit` and `check` alike)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from generator.checks.crawl import Crawl
from generator.checks.page import HtmlPage


@dataclass(frozen=True)
class Sitemap:
    """One sitemap file as read: its root element kind, its `<loc>`s, and what is wrong with it."""

    file: str                       # path relative to the site root ("sitemap.xml")
    kind: str | None                # "urlset", "sitemapindex", or None when unreadable
    locs: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()    # not well-formed, or not valid against the XSD


@dataclass
class Site:
    """Everything the site-wide rules read besides the pages themselves."""

    pages: list[HtmlPage]
    files: frozenset[str]                   # every file under the root, relative, with / separators
    base_url: str | None = None             # "https://example.com" (no trailing slash), None when unknown
    robots: str | None = None               # robots.txt text, None when there is none
    sitemaps: list[Sitemap] = field(default_factory=list)
    severities: dict[str, str] = field(default_factory=dict)   # overrides of RULES' default severities
    crawl: Crawl = field(default_factory=Crawl)            # robots.txt's rules and the host's redirects
    not_indexed: dict[str, str] = field(default_factory=dict)  # file -> why search engines leave it out (set by
                                                               # check_seo: noindex, redirect, robots.txt...)

    def indexed(self) -> list[HtmlPage]:
        """The pages a search engine indexes: the ones judged for duplicates, orphans and sitemap entries."""
        return [p for p in self.pages if p.file not in self.not_indexed]

    def shown(self) -> list[HtmlPage]:
        """The pages a visitor reads: all but those that only redirect elsewhere."""
        return [p for p in self.pages if not p.refresh and not self._redirected(p)]

    def _redirected(self, page: HtmlPage) -> bool:
        why = self.not_indexed.get(page.file)
        return why is not None and "redirects" in why


# --- sitemap files -----------------------------------------------------------------------------------------

@cache
def _schema(kind: str):
    from lxml import etree

    with resources.files("generator").joinpath(f"schemas/{kind}.xsd").open("rb") as f:
        return etree.XMLSchema(etree.parse(f))


SITEMAP_MAX_BYTES = 52_428_800     # the protocol's limit for a sitemap, uncompressed


def read_sitemap(file: str, data: bytes) -> Sitemap:
    """Parse one sitemap (a `urlset` or a `sitemapindex`, gzipped or not) and validate it against the sitemaps.org
    XSD."""
    from lxml import etree

    if data[:2] == b"\x1f\x8b":
        import gzip
        import zlib
        try:
            data = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, SITEMAP_MAX_BYTES + 1)
        except (zlib.error, gzip.BadGzipFile) as exc:
            return Sitemap(file, None, (), (f"not a readable gzip file: {exc}",))
    try:
        root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        return Sitemap(file, None, (), (f"not well-formed XML: {exc}",))
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        return Sitemap(file, None, (), (f"root element is <{kind}>, expected <urlset> or <sitemapindex>",))
    child = "url" if kind == "urlset" else "sitemap"
    locs = tuple((loc.text or "").strip() for loc in root.iterfind(f"{{*}}{child}/{{*}}loc"))
    schema = _schema("sitemap" if kind == "urlset" else "siteindex")
    errors: tuple[str, ...] = ()
    if not schema.validate(root):
        errors = tuple(f"line {e.line}: {e.message}" for e in schema.error_log)
    return Sitemap(file, kind, locs, errors)


def robots_sitemaps(robots: str) -> list[str]:
    """The URLs of the `Sitemap:` lines of a robots.txt (the field name is case-insensitive)."""
    found = []
    for line in robots.splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip().lower() == "sitemap" and value.split("#")[0].strip():
            found.append(value.split("#")[0].strip())
    return found
