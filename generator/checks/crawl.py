"""What a search engine crawls and indexes of a folder of static HTML, by the host's rules: robots.txt, redirect
files (`_redirects` of Netlify and Cloudflare Pages, Apache's `.htaccess`), meta refreshes, canonicals that name
another page, `noindex`, and the not-found page that hosts serve with status 404.

`audit` judges only indexed pages for duplicates, thin content, orphans and missing sitemap entries, and follows
redirects before calling a link broken. robots.txt is read as Google reads it (the `Googlebot` group, else `*`;
longest match wins; `*` and `$` wildcards), by protego.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.checks.page import HtmlPage

if TYPE_CHECKING:
    from protego import Protego  # imported when a robots.txt is read: most runs never need it

# The files hosts serve, with status 404, for a path that has no page: never indexed, never linked on purpose.
NOT_FOUND_FILES = frozenset({"404.html", "404.htm", "404/index.html"})
ROBOTS_AGENT = "Googlebot"     # the crawler whose rules decide: its own group in robots.txt, else `*`


@dataclass(frozen=True)
class Rule:
    """One redirect or rewrite of a host's configuration."""

    source: str          # where it is written: "_redirects:3"
    pattern: re.Pattern  # matched against the URL path ("/old/page/")
    target: str          # the address it sends to; `\1`-style groups and :splat filled in by `apply`
    status: int          # 301, 302... ; 200 serves the target's content at the path (a rewrite); 404 not found

    def apply(self, path: str) -> str | None:
        m = self.pattern.fullmatch(path)
        if m is None:
            return None
        target = self.target
        if ":splat" in target:
            target = target.replace(":splat", m.groupdict().get("splat") or "")
        for name, value in m.groupdict().items():
            if name != "splat" and value is not None:
                target = target.replace(f":{name}", value)
        if "$" in target:       # RewriteRule and RedirectMatch back-references
            target = re.sub(r"\$(\d)", lambda g: (m.group(int(g.group(1))) or "")
                            if int(g.group(1)) <= self.pattern.groups else "", target)
        return target


def _netlify_pattern(source: str) -> re.Pattern:
    """A `_redirects` path: `*` at the end is the splat, `:name` a placeholder for one segment."""
    out = []
    for part in re.split(r"(\*|:[A-Za-z_]\w*)", source):
        if part == "*":
            out.append("(?P<splat>.*)")
        elif part.startswith(":") and len(part) > 1:
            out.append(f"(?P<{part[1:]}>[^/]+)")
        else:
            out.append(re.escape(part))
    body = "".join(out)
    if source.endswith("/") and len(source) > 1:
        body = body[:-1]    # re.escape leaves "/" alone: the rule matches with and without the slash
    return re.compile(body + ("/?" if not source.endswith("*") else ""))


def read_redirects_file(text: str, name: str = "_redirects") -> list[Rule]:
    """The rules of a Netlify / Cloudflare Pages `_redirects` file: `from to [status][!]` a line."""
    rules = []
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split() if not line.lstrip().startswith("#") else []
        if len(words) < 2 or not words[0].startswith("/"):
            continue
        status = 301
        if len(words) > 2:
            digits = words[2].rstrip("!")
            status = int(digits) if digits.isdigit() else 301
        rules.append(Rule(f"{name}:{n}", _netlify_pattern(words[0]), words[1], status))
    return rules


_HTACCESS_STATUS = {"permanent": 301, "temp": 302, "seeother": 303, "gone": 410}


def read_htaccess(text: str, name: str = ".htaccess") -> list[Rule]:
    """The redirects of an Apache `.htaccess` at the site root: Redirect, RedirectPermanent, RedirectTemp,
    RedirectMatch, and RewriteRule (a redirect with the R flag, else a rewrite that serves the target)."""
    rules = []
    for n, line in enumerate(text.splitlines(), 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        directive = words[0].lower()
        args = words[1:]
        try:
            if directive in ("redirect", "redirectmatch"):
                status = 302
                if args and (args[0].lower() in _HTACCESS_STATUS or args[0].isdigit()):
                    first = args.pop(0).lower()
                    status = int(first) if first.isdigit() else _HTACCESS_STATUS[first]
                if len(args) < 2 and status != 410:
                    continue
                target = args[1] if len(args) > 1 else ""
                if directive == "redirect":     # a prefix: /old redirects /old/x to target/x
                    pattern = re.compile(re.escape(args[0].rstrip("/")) + r"(?P<splat>(?:/.*)?)")
                    target = target.rstrip("/") + ":splat" if target else ""
                else:
                    pattern = re.compile(r".*?" + args[0].lstrip("^") if not args[0].startswith("^") else args[0])
                rules.append(Rule(f"{name}:{n}", pattern, target, status))
            elif directive in ("redirectpermanent", "redirecttemp"):
                if len(args) >= 2:
                    pattern = re.compile(re.escape(args[0].rstrip("/")) + r"(?P<splat>(?:/.*)?)")
                    rules.append(Rule(f"{name}:{n}", pattern, args[1].rstrip("/") + ":splat",
                                      301 if directive == "redirectpermanent" else 302))
            elif directive == "rewriterule" and len(args) >= 2:
                flags = args[2].strip("[]").lower().split(",") if len(args) > 2 else []
                status = 200
                for flag in flags:
                    if flag == "r" or flag.startswith("r="):
                        code = flag.partition("=")[2]
                        status = int(code) if code.isdigit() else 302
                    elif flag in ("g", "gone"):
                        status = 410
                if args[1] == "-" and status == 200:
                    continue
                source = args[0]
                # In .htaccess the pattern meets the path without its leading slash.
                body = source[1:] if source.startswith("^") else ".*?" + source
                body = body[:-1] if body.endswith("$") else body + ".*"
                pattern = re.compile("/" + body)
                rules.append(Rule(f"{name}:{n}", pattern, args[1], status))
        except re.error:
            continue
    return rules


@dataclass
class Crawl:
    """The host's rules for one site: robots.txt, redirect rules, and how to tell a page is not indexed."""

    robots: Protego | None = None                   # None without robots.txt
    rules: list[Rule] = field(default_factory=list)
    prefix: str = ""                                # the site's path below its host ("/docs" or "")
    _fetchable: dict[str, bool] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, robots: str | None, files: dict[str, str], prefix: str = "") -> Crawl:
        """From robots.txt's text and the redirect files found at the root ({name: text})."""
        parser = None
        if robots is not None:
            from protego import Protego
            try:
                parser = Protego.parse(robots)
            except Exception:       # protego's own errors on malformed files: read it as having no rules
                parser = None
        rules: list[Rule] = []
        if "_redirects" in files:
            rules += read_redirects_file(files["_redirects"])
        if ".htaccess" in files:
            rules += read_htaccess(files[".htaccess"])
        return cls(parser, rules, prefix)

    def disallowed(self, path: str) -> bool:
        """True when robots.txt keeps the search engine's crawler from this URL path."""
        if self.robots is None:
            return False
        hit = self._fetchable.get(path)
        if hit is None:
            hit = self._fetchable[path] = bool(self.robots.can_fetch(self.prefix + path, ROBOTS_AGENT))
        return not hit

    def redirect(self, path: str) -> tuple[str, int, str] | None:
        """(target, status, where the rule is written) of the first rule for this URL path, or None."""
        if not self.rules:
            return None
        for rule in self.rules:
            target = rule.apply(path)
            if target is not None:
                return target, rule.status, rule.source
        return None

    def not_indexed(self, page: HtmlPage, canonical_elsewhere: bool = False) -> str | None:
        """Why a search engine does not index this page (None when it does): noindex, a redirect, robots.txt,
        a canonical naming another page, or the host's not-found page."""
        if page.noindex:
            return "it is noindex"
        if page.refresh:
            return f"it redirects to {page.refresh} (meta refresh)"
        if page.file in NOT_FOUND_FILES:
            return "it is the not-found page (served with status 404)"
        hit = self.redirect(page.url_path)
        if hit is not None and hit[1] != 200:
            return f"{hit[2]} redirects it to {hit[0]}"
        if self.disallowed(page.url_path):
            return "robots.txt disallows it"
        if canonical_elsewhere:
            return "its canonical names another page"
        return None




__all__ = ["Crawl", "NOT_FOUND_FILES", "Rule", "read_htaccess", "read_redirects_file"]
