"""Addresses on a site: hrefs and URLs turned into the site's own paths and files."""

from __future__ import annotations

import re
from urllib.parse import unquote, urljoin, urlsplit

from generator.checks.site import Site

IGNORED_SCHEMES = ("mailto:", "tel:", "sms:", "javascript:", "data:", "ftp:", "callto:", "whatsapp:")
ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\s]")
PLAIN_PATH = re.compile(r"/[^?#%\\\s]*(?:#\S*)?")    # a root-relative path with nothing to normalise


class Resolver:
    """Turns hrefs and URLs into files of this site. Results are cached: most links repeat across pages."""

    def __init__(self, site: Site):
        self.base = site.base_url.rstrip("/") if site.base_url else None
        parts = urlsplit(self.base) if self.base else None
        self.host = parts.netloc.lower() if parts else None
        self.prefix = parts.path.rstrip("/") if parts else ""     # a site published below the host's root
        self.files = site.files
        self._cache: dict[tuple[str, str], tuple[str | None, str | None, str]] = {}

    def url(self, url_path: str) -> str:
        return (self.base or "") + url_path

    def resolve(self, href: str, from_path: str = "/") -> tuple[str | None, str | None, str]:
        """(path, file, fragment) of an internal address; path None when the address is not on this site,
        file None when no file serves that path. Paths are relative to the site's root."""
        if href.startswith("#"):     # this page: no need to parse the address
            return from_path, self.file_for(from_path), unquote(href[1:])
        key = (href, from_path if not href.startswith(("/", "http:", "https:")) else "")
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(href.strip(), from_path)
        return hit

    def _local(self, path: str) -> tuple[str, str | None, str]:
        path, _, fragment = path.partition("#")
        return path, self.file_for(path), unquote(fragment)

    def _resolve(self, href: str, from_path: str) -> tuple[str | None, str | None, str]:
        if href[:12].lower().startswith(IGNORED_SCHEMES):
            return None, None, ""
        # Fast paths for the two common forms: the site's own absolute URLs, and plain root-relative paths.
        if self.base and href.startswith(self.base + "/"):
            rest = href[len(self.base):]
            if PLAIN_PATH.fullmatch(rest) and "/." not in rest:
                return self._local(rest)
        elif not self.prefix and href.startswith("/") and not href.startswith("//") and "/." not in href \
                and PLAIN_PATH.fullmatch(href):
            return self._local(href)
        parts = urlsplit(urljoin("http://site.invalid" + self.prefix + from_path, href))
        if parts.scheme not in ("http", "https"):
            return None, None, ""
        if parts.netloc != "site.invalid" and (self.host is None or parts.netloc.lower() != self.host):
            return None, None, ""
        path = unquote(parts.path) or "/"
        if self.prefix:
            if path != self.prefix and not path.startswith(self.prefix + "/"):
                return None, None, ""
            path = path[len(self.prefix):] or "/"
        return path, self.file_for(path), unquote(parts.fragment)

    def file_for(self, path: str) -> str | None:
        rel = path.lstrip("/")
        if rel == "" or rel.endswith("/"):
            return rel + "index.html" if rel + "index.html" in self.files else None
        for candidate in (rel, rel + "/index.html", rel + ".html"):
            if candidate in self.files:
                return candidate
        return None
