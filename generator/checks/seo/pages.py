"""The SEO rules on pages and the site's own files: titles, descriptions, headings, canonicals, the sitemap,
robots.txt, links, images, mixed content and meta refreshes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from generator.checks.addresses import ABSOLUTE, Resolver
from generator.checks.crawl import NOT_FOUND_FILES
from generator.checks.finding import Finding
from generator.checks.html import page_path
from generator.checks.page import HtmlPage
from generator.checks.seo.rules import finding
from generator.checks.site import Site, robots_sitemaps
from generator.text import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX, squash

# Link texts that say nothing about the target; compared after lower-casing and trimming punctuation.
VAGUE_LINK_TEXT = frozenset({
    "click here", "click", "here", "click this", "read more", "more", "learn more", "find out more", "more info",
    "more information", "information", "info", "details", "more details", "see more", "this", "this page",
    "this link", "link", "go", "go here", "start", "continue", "right here", "tap here", "press here",
})




def canonical_elsewhere(page: HtmlPage, resolver: Resolver) -> bool:
    """True when the page's canonical names another page: of this site (relative canonicals resolved as Google
    does), or of another site (when this site's address is known)."""
    canonical = (page.canonical or "").strip()
    if not canonical or (resolver.base and canonical == resolver.base + page.url_path):
        return False        # the common case: the page's own address
    path, file, _ = resolver.resolve(canonical, page.url_path)
    if path is None:
        parts = urlsplit(canonical)
        return resolver.host is not None and parts.scheme in ("http", "https") and bool(parts.netloc)
    return file is not None and file != page.file


def not_indexed(site: Site, resolver: Resolver) -> dict[str, str]:
    """{file: why a search engine leaves the page out of its index} for every page it leaves out."""
    out = {}
    for page in site.pages:
        why = site.crawl.not_indexed(page, canonical_elsewhere(page, resolver))
        if why is not None:
            out[page.file] = why
    return out


def _duplicates(pages: Iterable[HtmlPage], value, rule: str, what: str) -> Iterator[Finding]:
    groups: dict[str, list[HtmlPage]] = defaultdict(list)
    for page in pages:
        text = value(page)
        if text:
            groups[squash(text).casefold()].append(page)
    for group in groups.values():
        if len(group) < 2:
            continue
        paths = sorted(p.url_path for p in group)
        shown = ", ".join(paths[:4]) + (f" and {len(paths) - 4} more" if len(paths) > 4 else "")
        for page in group:    # the same words on each page of the group: the report shows it once
            yield finding(rule, page.url_path, f"{len(paths)} pages have the same {what}: {shown}",
                          squash(value(page)))


def check_titles(site: Site) -> Iterator[Finding]:
    for page in site.shown():
        if page.titles == 0:
            yield finding("seo.title-missing", page.url_path, "the page has no <title>")
            continue
        title = squash(page.title or "")
        if not title:
            yield finding("seo.title-empty", page.url_path, "the <title> is empty")
        if page.titles > 1:
            yield finding("seo.title-multiple", page.url_path, f"the page has {page.titles} <title> elements")
        if len(title) > TITLE_MAX and page.file not in site.not_indexed:
            yield finding("seo.title-too-long", page.url_path,
                          f"the title is {len(title)} characters, over {TITLE_MAX}", title)
    yield from _duplicates(site.indexed(), lambda p: p.title, "seo.title-duplicate", "title")


def check_descriptions(site: Site) -> Iterator[Finding]:
    for page in site.indexed():
        text = squash(page.description or "")
        if not text:
            state = "is empty" if page.descriptions else "is missing"
            yield finding("seo.description-missing", page.url_path, f"the meta description {state}")
        elif len(text) < DESCRIPTION_MIN:
            yield finding("seo.description-too-short", page.url_path,
                          f"the meta description is {len(text)} characters, under {DESCRIPTION_MIN}", text)
        elif len(text) > DESCRIPTION_MAX:
            yield finding("seo.description-too-long", page.url_path,
                          f"the meta description is {len(text)} characters, over {DESCRIPTION_MAX}", text)
    yield from _duplicates(site.indexed(), lambda p: p.description, "seo.description-duplicate",
                           "meta description")


def check_headings(site: Site) -> Iterator[Finding]:
    for page in site.indexed():
        if not page.h1:
            yield finding("seo.h1-missing", page.url_path, "the page has no <h1>")
        elif len(page.h1) > 1:
            yield finding("seo.h1-multiple", page.url_path, f"the page has {len(page.h1)} <h1> headings",
                          " | ".join(squash(h) for h in page.h1))
        previous = None
        for level, text in page.headings:
            if previous is not None and level > previous + 1:
                yield finding("seo.heading-skip", page.url_path,
                              f"<h{level}> follows <h{previous}>, skipping a level", squash(text))
                break    # one finding per page: the first skip usually explains the rest
            previous = level


def check_basics(site: Site) -> Iterator[Finding]:
    for page in site.shown():
        if not (page.lang or "").strip():
            yield finding("seo.lang-missing", page.url_path, "the <html> element has no lang attribute")
        if not page.viewport:
            yield finding("seo.viewport-missing", page.url_path, 'the page has no <meta name="viewport">')


def _listed_files(site: Site, resolver: Resolver) -> dict[str, str]:
    """{file: the URL the sitemap lists it under} (the first, if it is listed twice)."""
    listed: dict[str, str] = {}
    for sitemap in site.sitemaps:
        if sitemap.kind == "urlset":
            for loc in sitemap.locs:
                file = resolver.resolve(loc)[1]
                if file is not None:
                    listed.setdefault(file, loc)
    return listed


def check_canonicals(site: Site, resolver: Resolver) -> Iterator[Finding]:
    by_file = {p.file: p for p in site.pages}
    listed = _listed_files(site, resolver)
    for page in site.shown():
        canonical = (page.canonical or "").strip()
        if page.file in NOT_FOUND_FILES:
            continue        # served with status 404 wherever it is asked for: its canonical means nothing
        if not canonical:
            if page.file not in site.not_indexed:
                yield finding("seo.canonical-missing", page.url_path, 'the page has no <link rel="canonical">')
            continue
        if not ABSOLUTE.match(canonical):
            yield finding("seo.canonical-relative", page.url_path, "the canonical URL is not absolute", canonical)
            continue
        path, file, _ = resolver.resolve(canonical)
        if path is None:
            if page.url_path != "/" and _other_home(canonical, resolver):
                yield finding("seo.canonical-other-site", page.url_path,
                              "the canonical URL is another site's home page", canonical)
            continue    # another site, or the site's address is unknown: nothing on disk to compare with
        if file is None:
            yield finding("seo.canonical-broken", page.url_path, "the canonical URL points to no page", canonical)
            continue
        target = by_file.get(file)
        if target is not None and target.noindex and not page.noindex:
            yield finding("seo.canonical-noindex", page.url_path,
                          f"the canonical URL points to {target.url_path}, which is noindex", canonical)
        loc = listed.get(page.file)
        if loc is None or page.noindex:
            continue
        if file != page.file:
            yield finding("seo.canonical-sitemap-mismatch", page.url_path,
                          f"the sitemap lists this page, but its canonical points to {path}", canonical)
        elif loc != canonical:
            yield finding("seo.canonical-sitemap-mismatch", page.url_path,
                          f"the sitemap lists this page as {loc}, but its canonical URL is another", canonical)


def _other_home(url: str, resolver: Resolver) -> bool:
    """True for the home page of another host (`https://other.example/`); False for this site's own pages."""
    parts = urlsplit(url)
    return (parts.scheme in ("http", "https") and bool(parts.netloc) and parts.path in ("", "/")
            and not parts.query and (resolver.host is None or parts.netloc.lower() != resolver.host))


def check_sitemap(site: Site, resolver: Resolver) -> Iterator[Finding]:
    if not site.sitemaps:
        yield finding("seo.sitemap-missing", "/sitemap.xml", "the site has no sitemap")
        return
    named = {resolver.resolve(u)[1] for u in robots_sitemaps(site.robots or "")}
    named |= {resolver.resolve(loc)[1] for s in site.sitemaps if s.kind == "sitemapindex" for loc in s.locs}
    for sitemap in site.sitemaps:
        for error in sitemap.errors:
            yield finding("seo.sitemap-invalid", page_path(sitemap.file), f"{sitemap.file}: {error}")
        folder = sitemap.file.rpartition("/")[0]
        if folder and sitemap.file not in named:
            outside = [loc for loc in sitemap.locs if not (resolver.resolve(loc)[0] or "").startswith(f"/{folder}/")]
            yield finding("seo.sitemap-location", page_path(sitemap.file),
                          f"the only sitemap is /{sitemap.file}: search engines look for /sitemap.xml, and "
                          "robots.txt does not name it"
                          + (f"; {len(outside)} of its URLs lie outside /{folder}/, which a sitemap there may not "
                             "list" if outside else ""), outside[0] if outside else "")
    by_file = {p.file: p for p in site.pages}
    listed_files: set[str] = set()
    for sitemap in site.sitemaps:
        if sitemap.kind == "sitemapindex":
            for loc in sitemap.locs:
                path, file, _ = resolver.resolve(loc)
                if path is None or file is None:
                    yield finding("seo.sitemap-dead-entry", page_path(sitemap.file),
                                  "the sitemap index lists a sitemap that is not on this site", loc)
        if sitemap.kind != "urlset":
            continue
        for loc in sitemap.locs:
            path, file, _ = resolver.resolve(loc)
            if path is None:
                yield finding("seo.sitemap-dead-entry", page_path(sitemap.file),
                              "the sitemap lists a URL that is not on this site", loc)
            elif file is None:
                yield finding("seo.sitemap-dead-entry", page_path(sitemap.file),
                              f"the sitemap lists {path}, which has no page", loc)
            else:
                listed_files.add(file)
                page = by_file.get(file)
                if page is not None and page.noindex:
                    yield finding("seo.sitemap-noindex", page.url_path,
                                  "the page is noindex but the sitemap lists it", loc)
                elif site.crawl.disallowed(path):
                    yield finding("seo.sitemap-blocked", path if page is None else page.url_path,
                                  "robots.txt disallows the page but the sitemap lists it", loc)
                elif page is not None and page.file in site.not_indexed and "redirects" in site.not_indexed[
                        page.file]:
                    yield finding("seo.sitemap-redirect", page.url_path,
                                  f"the sitemap lists a page that only redirects: {site.not_indexed[page.file]}", loc)
    for page in site.indexed():
        if page.file not in listed_files:
            yield finding("seo.sitemap-missing-page", page.url_path, "the page is indexable but not in the sitemap",
                          resolver.url(page.url_path))


def check_robots(site: Site, resolver: Resolver) -> Iterator[Finding]:
    if site.robots is None:
        yield finding("seo.robots-missing", "/robots.txt", "the site has no robots.txt")
        return
    named = robots_sitemaps(site.robots)
    if not named:
        yield finding("seo.robots-no-sitemap", "/robots.txt", "robots.txt does not name the sitemap")
    for url in named:
        path, file, _ = resolver.resolve(url)
        if path is not None and file is None:
            yield finding("seo.robots-no-sitemap", "/robots.txt",
                          f"robots.txt names the sitemap {path}, which does not exist", url)


_LONGEST_VAGUE = max(len(t) for t in VAGUE_LINK_TEXT) + 10     # room for spaces and punctuation


def _link_text(text: str) -> str:
    if len(text) > _LONGEST_VAGUE:
        return ""           # a long text says something; most links are skipped here cheaply
    return squash(text).strip(" .,:;!?…»›→>-–—()[]\"'").casefold()


def follow(site: Site, resolver: Resolver, path: str) -> tuple[str | None, str]:
    """The file a path leads to once the host's redirect and rewrite rules are followed (a few hops at most),
    and how it got there ("" when no rule applied); file None when it leads to no page of this site."""
    how = ""
    for _ in range(5):
        hit = site.crawl.redirect(path)
        if hit is None or hit[1] in (404, 410):
            return (None, how) if hit else (resolver.file_for(path), how)
        target, status, source = hit
        how = f"{source} {'rewrites' if status == 200 else 'redirects'} it to {target}"
        next_path, file, _ = resolver.resolve(target, path)
        if next_path is None:
            return "", how          # to another site: not ours to check
        if file is not None:
            return file, how
        path = next_path
    return None, how


def check_links(site: Site, resolver: Resolver) -> Iterator[Finding]:
    by_file = {p.file: p for p in site.pages}
    linked: set[str] = set()
    redirects = bool(site.crawl.rules)
    for page in site.shown():
        for href, text in page.links:
            if _link_text(text) in VAGUE_LINK_TEXT:
                yield finding("seo.link-text", page.url_path, f"the link text says nothing about {href}",
                              squash(text))
            path, file, fragment = resolver.resolve(href, page.url_path)
            if path is None:
                continue
            if file is None and redirects:
                file, how = follow(site, resolver, path)
                if file == "":
                    continue
                if file is None and how:
                    yield finding("seo.broken-link", page.url_path, f"the link points to {path}: {how}, which "
                                  "does not exist", href)
                    continue
            if file is None:
                yield finding("seo.broken-link", page.url_path, f"the link points to {path}, which does not exist",
                              href)
                continue
            if file != page.file:
                linked.add(file)
            target = by_file.get(file)
            if fragment and target is not None and fragment not in target.ids and fragment != "top":
                yield finding("seo.broken-fragment", page.url_path,
                              f"the link points to #{fragment}, but {target.url_path} has no element with that id",
                              href)
    for page in site.indexed():
        if page.url_path != "/" and page.file not in linked:
            yield finding("seo.orphan-page", page.url_path, "no other page links to this page")


def check_images(site: Site, resolver: Resolver) -> Iterator[Finding]:
    for page in site.shown():
        for src, alt in page.images:
            if alt is None:
                yield finding("seo.image-alt", page.url_path, "the image has no alt attribute", src)
            if not src.strip():
                yield finding("seo.broken-image", page.url_path, "the image has no src", "")
                continue
            path, file, _ = resolver.resolve(src, page.url_path)
            if path is not None and file is None:
                yield finding("seo.broken-image", page.url_path, f"the image {path} does not exist", src)


def check_mixed_content(site: Site) -> Iterator[Finding]:
    """Scripts, stylesheets and frames over http: on a page served over https (browsers block them)."""
    https_site = (site.base_url or "").startswith("https:")
    for page in site.shown():
        if page.insecure and (https_site or (page.canonical or "").startswith("https:")):
            for url in dict.fromkeys(page.insecure):
                yield finding("seo.mixed-content", page.url_path, f"loads {url} over http: on an https page", url)


def check_refreshes(site: Site, resolver: Resolver) -> Iterator[Finding]:
    """A meta refresh sends visitors and crawlers on: its target must exist."""
    for page in site.pages:
        if not page.refresh:
            continue
        path, file, _ = resolver.resolve(page.refresh, page.url_path)
        if path is not None and file is None:
            file, _ = follow(site, resolver, path)
            if file is None:
                yield finding("seo.refresh-broken", page.url_path,
                              f"the meta refresh sends visitors to {path}, which does not exist", page.refresh)
