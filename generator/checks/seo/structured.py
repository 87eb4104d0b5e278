"""The SEO rules on structured data (JSON-LD): that each block parses, a business's name and address, breadcrumbs
that match the page's own, and the places an FAQ page says it serves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import lru_cache
from urllib.parse import unquote, urljoin, urlsplit

from generator.checks.addresses import PLAIN_PATH, Resolver
from generator.checks.finding import Finding
from generator.checks.page import HtmlPage
from generator.checks.seo.rules import finding
from generator.checks.site import Site
from generator.text import APOSTROPHES, squash

# schema.org types that are (or stand in for) a LocalBusiness and so need a name and an address.
BUSINESS_TYPES = frozenset({
    "LocalBusiness", "MedicalBusiness", "MedicalClinic", "HealthAndBeautyBusiness", "BeautySalon", "DaySpa",
    "Dentist", "Physician", "Optician", "Pharmacy", "HealthClub", "MedicalOrganization",
})


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
