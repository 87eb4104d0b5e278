"""sitemap.xml (split into an index past 50,000 URLs or 50 MB) and robots.txt."""

from __future__ import annotations

import re
from collections.abc import Sequence

SITEMAP_FILE = "sitemap.xml"   # at the site's root, where search engines look first (and robots.txt names it)
ROBOTS_FILE = "robots.txt"     # at the site's root, by RFC 9309
MAX_URLS = 50_000           # sitemaps.org protocol
MAX_BYTES = 52_428_800      # 50 MiB uncompressed
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_HEAD = f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NS}">\n'
_TAIL = "</urlset>\n"
_XML_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}


def part_file(n: int) -> str:
    """The file of the sitemap index's `n`th part (from 1)."""
    return f"sitemap-{n}.xml"


_PART_FILE = re.compile(r"sitemap-\d+\.xml")   # part_file's names


def is_index_file(rel: str) -> bool:
    """sitemap.xml, its parts and robots.txt: the files that name the site's pages (deploy sends them last)."""
    return rel in (SITEMAP_FILE, ROBOTS_FILE) or bool(_PART_FILE.fullmatch(rel))


def escape(text: str) -> str:
    """Text for an XML element (xml.sax.saxutils would do, but importing it loads urllib.request and http)."""
    return text.translate(_XML_ESCAPES)


def _url(loc: str, lastmod: str | None) -> str:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{mod}</url>\n"


def sitemap_files(entries: Sequence[tuple[str, str | None]], base_url: str,
                  max_urls: int = MAX_URLS, max_bytes: int = MAX_BYTES) -> dict[str, bytes]:
    """{file name: bytes}: one sitemap.xml, or a sitemap.xml index with parts sitemap-1.xml, sitemap-2.xml, ..."""
    parts: list[tuple[list[str], str | None]] = []
    lines: list[str] = []
    size, newest = len(_HEAD) + len(_TAIL), None
    for loc, lastmod in sorted(entries):
        line = _url(loc, lastmod)
        if lines and (len(lines) >= max_urls or size + len(line.encode()) > max_bytes):
            parts.append((lines, newest))
            lines, size, newest = [], len(_HEAD) + len(_TAIL), None
        lines.append(line)
        size += len(line.encode())
        if lastmod and (newest is None or lastmod > newest):
            newest = lastmod
    parts.append((lines, newest))
    if len(parts) == 1:
        return {SITEMAP_FILE: (_HEAD + "".join(lines) + _TAIL).encode()}
    files = {part_file(i): (_HEAD + "".join(part) + _TAIL).encode() for i, (part, _) in enumerate(parts, 1)}
    index = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NS}">\n']
    for i, (_, newest) in enumerate(parts, 1):
        mod = f"<lastmod>{newest}</lastmod>" if newest else ""
        index.append(f"<sitemap><loc>{escape(base_url)}/{part_file(i)}</loc>{mod}</sitemap>\n")
    index.append("</sitemapindex>\n")
    files[SITEMAP_FILE] = "".join(index).encode()
    return files


def robots_txt(base_url: str) -> bytes:
    return f"User-agent: *\nAllow: /\n\nSitemap: {base_url}/{SITEMAP_FILE}\n".encode()
