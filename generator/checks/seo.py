"""On-page and site-wide search rules: titles, descriptions, headings, canonicals, sitemap, robots.txt, links,
images and structured data.

The rules read `HtmlPage`s and a `Site` (the other files of the folder: robots.txt, the sitemaps, the list of
files); they never touch the disk themselves, so `audit` (any folder) and `check` (the built site) share them.
Thresholds follow the SEO tools and Google's documentation: Screaming Frog flags titles over 60 characters and
descriptions under 70 or over 155-160; Google needs `name` and `address` for a LocalBusiness.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from generator.checks import Finding, HtmlPage
from generator.checks.addresses import ABSOLUTE, PLAIN_PATH, Resolver
from generator.checks.crawl import NOT_FOUND_FILES
from generator.checks.html import page_path
from generator.checks.site import Site, robots_sitemaps
from generator.text import APOSTROPHES, DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX, squash

# rule id -> (default severity, how to fix it)
RULES: dict[str, tuple[str, str]] = {
    "seo.title-missing": ("error", "add a <title> in <head> naming the treatment and the place"),
    "seo.title-empty": ("error", "write the page's title inside <title>...</title>"),
    "seo.title-multiple": ("warning", "keep one <title> in <head>; search engines pick one at random"),
    "seo.title-duplicate": ("error", "give every indexable page its own title"),
    "seo.title-too-long": ("warning", f"keep titles to {TITLE_MAX} characters; longer ones are cut off"),
    "seo.description-missing": ("error", 'add <meta name="description" content="..."> summarising the page'),
    "seo.description-duplicate": ("error", "give every indexable page its own meta description"),
    "seo.description-too-short": ("warning", f"write {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters"),
    "seo.description-too-long": ("warning", f"write {DESCRIPTION_MIN} to {DESCRIPTION_MAX} characters; "
                                            "longer ones are cut off"),
    "seo.h1-missing": ("error", "give the page one <h1> saying what it is about"),
    "seo.h1-multiple": ("error", "keep one <h1>; make the others <h2>"),
    "seo.heading-skip": ("warning", "do not skip heading levels: an <h2> comes before any <h3>"),
    "seo.lang-missing": ("error", 'set the language on the root element: <html lang="en-GB">'),
    "seo.viewport-missing": ("error",
                             'add <meta name="viewport" content="width=device-width, initial-scale=1">'),
    "seo.canonical-missing": ("error", 'add <link rel="canonical" href="https://..."> with the page\'s own URL'),
    "seo.canonical-relative": ("error", "write the canonical as an absolute URL, with https:// and the domain"),
    "seo.canonical-broken": ("error", "point the canonical at a page that exists (usually the page itself)"),
    "seo.canonical-noindex": ("error", "point the canonical at an indexable page, or remove the noindex"),
    "seo.canonical-sitemap-mismatch": ("error", "list each page in the sitemap under its canonical URL only"),
    "seo.sitemap-missing": ("error", "publish /sitemap.xml listing every indexable page"),
    "seo.sitemap-invalid": ("error", "make the sitemap valid against the sitemaps.org schema"),
    "seo.sitemap-noindex": ("error", "remove noindex pages from the sitemap, or remove the noindex"),
    "seo.sitemap-missing-page": ("error", "list every indexable page in the sitemap"),
    "seo.sitemap-dead-entry": ("error", "remove sitemap entries that have no page on this site"),
    "seo.robots-missing": ("error", "publish /robots.txt with a `Sitemap:` line giving the sitemap's full URL"),
    "seo.robots-no-sitemap": ("error", "add `Sitemap: https://.../sitemap.xml` to robots.txt"),
    "seo.broken-link": ("error", "fix the address, or remove the link"),
    "seo.broken-fragment": ("error", "link to an id that exists on the target page"),
    "seo.broken-image": ("error", "fix the image address, or add the missing file"),
    "seo.orphan-page": ("warning", "link to the page from a hub or related page so people and crawlers find it"),
    "seo.link-text": ("warning", "say where the link goes (\"Lip fillers near Esher\"), not \"click here\""),
    "seo.image-alt": ("error", 'describe the image in alt="..." (alt="" for a purely decorative image)'),
    "seo.jsonld-invalid": ("error", "fix the JSON syntax in the <script type=\"application/ld+json\">"),
    "seo.jsonld-business-incomplete": ("error", "give the business a name and a PostalAddress"),
    "seo.breadcrumbs-mismatch": ("error", "make the BreadcrumbList match the breadcrumbs shown on the page"),
    "seo.faq-not-visible": ("error", "show every FAQPage question on the page, or remove it from the JSON-LD"),
    "seo.faq-other-place": ("error", "answer the questions people ask about this page's own place: a FAQ copied from "
                                     "another page names the wrong town"),
    "seo.canonical-other-site": ("error", "point the canonical at this page's own address: a canonical to another "
                                          "site's home page asks search engines to drop this page"),
    "seo.mixed-content": ("error", "load scripts, stylesheets and frames over https:// (or from a relative address): "
                                   "browsers block http: ones on an https page"),
    "seo.refresh-broken": ("error", "point the meta refresh at a page that exists, or remove it"),
    "seo.sitemap-blocked": ("error", "take the page out of the sitemap, or allow it in robots.txt"),
    "seo.sitemap-redirect": ("warning", "list the address the page redirects to, not the old one"),
    "seo.sitemap-location": ("error", "publish the sitemap at the site's root, or name it in robots.txt with a "
                                      "`Sitemap:` line"),
}

# schema.org types that are (or stand in for) a LocalBusiness and so need a name and an address.
BUSINESS_TYPES = frozenset({
    "LocalBusiness", "MedicalBusiness", "MedicalClinic", "HealthAndBeautyBusiness", "BeautySalon", "DaySpa",
    "Dentist", "Physician", "Optician", "Pharmacy", "HealthClub", "MedicalOrganization",
})

# Link texts that say nothing about the target; compared after lower-casing and trimming punctuation.
VAGUE_LINK_TEXT = frozenset({
    "click here", "click", "here", "click this", "read more", "more", "learn more", "find out more", "more info",
    "more information", "information", "info", "details", "more details", "see more", "this", "this page",
    "this link", "link", "go", "go here", "start", "continue", "right here", "tap here", "press here",
})



# --- the rules ---------------------------------------------------------------------------------------------

def check_seo(site: Site) -> Iterator[Finding]:
    """Every SEO rule over the site, with severities from `site.severities` or the defaults."""
    resolver = Resolver(site)
    site.not_indexed = not_indexed(site, resolver)
    rules = (check_titles(site), check_descriptions(site), check_headings(site), check_basics(site),
             check_canonicals(site, resolver), check_sitemap(site, resolver), check_robots(site, resolver),
             check_links(site, resolver), check_images(site, resolver), check_structured_data(site, resolver),
             check_mixed_content(site), check_refreshes(site, resolver))
    for findings in rules:
        for f in findings:
            severity = site.severities.get(f.rule, f.severity)
            yield f if severity == f.severity else replace(f, severity=severity)


def finding(rule: str, page: str, message: str, evidence: str = "") -> Finding:
    severity, hint = RULES[rule]
    return Finding(rule, severity, page, message, evidence, hint)


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


# --- structured data ---------------------------------------------------------------------------------------

# Types that hold no business, breadcrumb list or FAQ page inside them: not walked into (a clinic's areaServed
# can list hundreds of places), or read directly by their own rule (BreadcrumbList items, FAQPage questions).
_LEAVES = frozenset({"Place", "City", "AdministrativeArea", "Country", "GeoCoordinates", "GeoCircle", "PostalAddress",
                     "OpeningHoursSpecification", "ContactPoint", "ImageObject", "PropertyValue", "ListItem",
                     "Question", "Answer", "BreadcrumbList", "FAQPage", "MedicalProcedure", "Offer"})


_CHECKED = frozenset({"BreadcrumbList", "FAQPage"})


def _nodes(value) -> Iterator[dict]:
    """Every typed JSON-LD object in a parsed document, nested ones and `@graph` members included."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            kind = item.get("@type")
            if kind is not None:
                yield item
                if isinstance(kind, str) and kind in _LEAVES:
                    continue
            stack.extend(v for v in item.values() if isinstance(v, (dict, list)))
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))


def _types(node: dict) -> set[str]:
    """The node's schema.org types, short names ("MedicalClinic" for "https://schema.org/MedicalClinic")."""
    kind = node.get("@type", ())
    if isinstance(kind, str) and "/" not in kind and ":" not in kind:
        return {kind}
    kinds = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
    return {k.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds if isinstance(k, str)}


def jsonld_types(page: HtmlPage) -> set[str]:
    """Every schema.org type named in the page's JSON-LD (short names)."""
    found: set[str] = set()
    for doc, _ in _jsonld_documents(page):
        for node in _nodes(doc):
            found |= _types(node)
    return found


def _text(value) -> str:
    return squash(value) if isinstance(value, str) else ""


def _top_level(doc) -> set[int]:
    """The ids of a JSON-LD document's own items: the document, the members of a list or of its @graph."""
    items = doc if isinstance(doc, list) else [doc]
    top = []
    for item in items:
        if isinstance(item, dict):
            top.append(item)
            graph = item.get("@graph")
            top += [g for g in graph if isinstance(g, dict)] if isinstance(graph, list) else []
    return {id(item) for item in top}


def _reference(node: dict) -> bool:
    """True for a node that only names an entity described elsewhere ({"@type": ..., "@id": ...})."""
    return "@id" in node and not set(node) - {"@type", "@id", "@context", "url", "sameAs"}


def _has_address(node: dict) -> bool:
    address = node.get("address")
    if isinstance(address, list):
        address = address[0] if address else None
    if isinstance(address, str):
        return bool(address.strip())
    if isinstance(address, dict):
        return any(_text(address.get(k)) for k in ("streetAddress", "addressLocality", "postalCode"))
    return False


def _jsonld_documents(page: HtmlPage) -> Iterator[tuple[object, str | None]]:
    """(parsed document, None) or (None, parse error) for each ld+json script."""
    for raw in page.jsonld:
        text = raw.strip()
        if text.startswith("<!--") and text.endswith("-->"):
            text = text[4:-3]
        try:
            yield json.loads(text), None
        except ValueError as exc:
            yield None, str(exc)


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


def check_structured_data(site: Site, resolver: Resolver) -> Iterator[Finding]:
    for page in site.shown():
        for doc, error in _jsonld_documents(page):
            if error is not None:
                yield finding("seo.jsonld-invalid", page.url_path, "a JSON-LD block does not parse", error)
                continue
            top = None
            for node in _nodes(doc):
                kind = node["@type"]
                if isinstance(kind, str) and kind in _LEAVES and kind not in _CHECKED:
                    continue        # most nodes: a place served, an address, a question
                types = _types(node)
                # A business as an item of its own; one named inside another item (a service's provider, an
                # article's publisher) or by @id only points to the business described in full elsewhere.
                if types & BUSINESS_TYPES and id(node) in (top := top or _top_level(doc)) and not _reference(node):
                    missing = [k for k, ok in (("name", bool(_text(node.get("name")))),
                                               ("address", _has_address(node))) if not ok]
                    if missing:
                        kind = sorted(types & BUSINESS_TYPES)[0]
                        yield finding("seo.jsonld-business-incomplete", page.url_path,
                                      f"the {kind} has no {' and no '.join(missing)}",
                                      _text(node.get("name")) or str(node.get("@id", "")))
                if "BreadcrumbList" in types:
                    yield from _check_breadcrumbs(page, node, resolver)
                if "FAQPage" in types:
                    yield from _check_faq(page, node, doc)


def _crumb_path(href: str | None, page: HtmlPage) -> str:
    """The path a breadcrumb points to, host ignored; the page itself when it has no link."""
    if not href:
        return page.url_path
    return _path_of(href, "" if href.startswith(("/", "http:", "https:")) else page.url_path)


@lru_cache(maxsize=65536)
def _path_of(href: str, from_path: str) -> str:
    if href.startswith(("http://", "https://")):
        slash = href.find("/", href.index("//") + 2)
        rest = href[slash:] if slash > 0 else "/"
        if PLAIN_PATH.fullmatch(rest) and "/." not in rest:
            return rest.partition("#")[0]
    return unquote(urlsplit(urljoin("http://site.invalid" + (from_path or "/"), href)).path) or "/"


def _jsonld_crumbs(node: dict, page: HtmlPage) -> list[tuple[str, str]]:
    items = node.get("itemListElement") or []
    if isinstance(items, dict):
        items = [items]
    items = [i for i in items if isinstance(i, dict)]
    items.sort(key=lambda i: i.get("position") if isinstance(i.get("position"), int) else 0)
    crumbs = []
    for item in items:
        target = item.get("item")
        name = _text(item.get("name"))
        if isinstance(target, dict):
            name = name or _text(target.get("name"))
            target = target.get("@id") or target.get("url")
        crumbs.append((name, _crumb_path(target if isinstance(target, str) else None, page)))
    return crumbs


def _check_breadcrumbs(page: HtmlPage, node: dict, resolver: Resolver) -> Iterator[Finding]:
    data = _jsonld_crumbs(node, page)
    shown = [(squash(text), _crumb_path(href, page)) for text, href in page.breadcrumbs]

    def describe(crumbs: list[tuple[str, str]]) -> str:
        return " > ".join(f"{name} ({path})" for name, path in crumbs)

    if not shown:
        yield finding("seo.breadcrumbs-mismatch", page.url_path,
                      "the JSON-LD has a BreadcrumbList but the page shows no breadcrumbs", describe(data))
        return
    if len(data) == len(shown) + 1 and data[-1][1] == page.url_path:
        data = data[:-1]    # the page itself may close the trail in the JSON-LD without being shown as a crumb
    if len(data) != len(shown):
        yield finding("seo.breadcrumbs-mismatch", page.url_path,
                      f"the BreadcrumbList has {len(data)} items but the page shows {len(shown)}",
                      f"JSON-LD: {describe(data)}; page: {describe(shown)}")
        return
    for n, ((name, path), (text, href)) in enumerate(zip(data, shown, strict=True), 1):
        if name.casefold() != text.casefold() or path != href:
            yield finding("seo.breadcrumbs-mismatch", page.url_path,
                          f"BreadcrumbList item {n} differs from the breadcrumb shown on the page",
                          f"JSON-LD: {name} ({path}); page: {text} ({href})")
            return


# A place named after a preposition ("a plumber in Keynsham", "Do you cover Radstock?"): one to three capitalised
# words. Months, days and languages are not places.
_PLACE = re.compile(rf"\b(?:in|near|around|across|covering|cover|serve|serving|to|from)\s+((?:[A-Z][\w{APOSTROPHES}-]+)"
                    rf"(?:[ -](?:upon|on|le|de|under|in|the)?[ -]?[A-Z][\w{APOSTROPHES}-]+){{0,2}})")
_NOT_PLACES = frozenset("""January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday English Welsh French Spanish German Google The Our
    We You Your It This That Christmas Easter Yes No Please""".split())


@lru_cache(maxsize=65536)
def _places(text: str) -> frozenset[str]:
    """Places named after a preposition (generated FAQs repeat their questions page after page: cached)."""
    return frozenset(m.group(1) for m in _PLACE.finditer(text) if m.group(1).split()[0] not in _NOT_PLACES)


def _served_places(doc) -> set[str]:
    """The places a page's JSON-LD names as served or as an address (areaServed, address)."""
    places: set[str] = set()
    for node in _nodes(doc):
        for key in ("areaServed", "address"):
            value = node.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    places.add(squash(item))
                elif isinstance(item, dict):
                    places |= {_text(item.get(k)) for k in ("name", "addressLocality") if _text(item.get(k))}
    return places


def _check_faq(page: HtmlPage, node: dict, doc) -> Iterator[Finding]:
    """Every FAQPage question must be shown on the page, and name no place the page is not about (a FAQ copied
    from another town's page: judged only on pages that name their own place, in the title, h1 or description, or
    the JSON-LD's areaServed and addresses)."""
    visible = head = None
    entities = node.get("mainEntity") or []
    if isinstance(entities, dict):
        entities = [entities]
    for entity in entities:
        if not isinstance(entity, dict):
            continue
        question = _text(entity.get("name"))
        if not question:
            continue
        if question not in page.visible_text:       # the common case skips folding the whole text
            if visible is None:
                visible = squash(page.visible_text).casefold()
            if question.casefold() not in visible:
                yield finding("seo.faq-not-visible", page.url_path,
                              "a FAQPage question in the JSON-LD is not shown on the page", question)
        named = _places(question)
        if not named:
            continue
        if head is None:
            head = " ".join(filter(None, (page.title, page.description, *page.h1))).casefold()
        unknown = [p for p in named if p.casefold() not in head]
        if not unknown:
            continue        # the common case: the question names the place the title names
        ours = _places(" ".join(filter(None, (page.title, page.description, *page.h1)))) | _served_places(doc)
        if not ours:
            continue
        known = " ".join(ours).casefold()
        strange = sorted(p for p in unknown if p.casefold() not in known and not any(
            o.casefold() in p.casefold() for o in ours))
        if strange:
            yield finding("seo.faq-other-place", page.url_path,
                          f"a FAQ names {strange[0]}, but the page is about {', '.join(sorted(ours)[:3])}", question)
