"""Parse one HTML page into an `HtmlPage`: what a visitor sees, what the head says, what a crawler follows.

Uses lexbor (through selectolax), an HTML5 parser in C: about 0.1 ms for a 10 KB page, so `check` and `audit`
can read 100,000 pages in seconds. Visible text follows the rules of the required-disclaimers check: nothing
inside scripts, styles, comments, `<template>`, `<noscript>` or attributes counts, nor anything under an element
that is `hidden`, `aria-hidden="true"`, or styled inline with `display:none` or `visibility:hidden`.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from generator.checks import HtmlPage

BLOCK = "\x07"   # marks the start and end of a block element before parsing, so "<li>a</li><li>b</li>" stays two words;
                 # not whitespace to str.split, which then collapses the spaces around it in one C call
_BLOCK_TAGS = ("p|h[1-6]|li|dt|dd|div|section|article|header|footer|nav|aside|main|td|th|tr|caption|"
               "figcaption|blockquote|pre|address|summary|details|ul|ol|dl|table|form|label|button|option|legend")
# Marked in the UTF-8 bytes, before parsing (lexbor reads bytes as UTF-8, as `check` would decode them): tag names
# are ASCII, and a bytes pattern is case-insensitive in ASCII only, as HTML is.
_BLOCK_END = re.compile(rf"(<(?:/?(?:{_BLOCK_TAGS})(?=[\s/>])|[bh]r\b))".encode(), re.I)   # a block's start and end
# the same without re.I (faster even with the check) gives the same split when no tag name has a capital
_BLOCK_END_LOWER = re.compile(rf"(<(?:/?(?:{_BLOCK_TAGS})(?=[\s/>])|[bh]r\b))".encode())
_MIXED_CASE = re.compile(b"</?+[a-z]*+[A-Z]")
_BLOCK_BYTE = BLOCK.encode()
_HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)\s*(?:!important\s*)?(?:;|$)",
                           re.I)


def page_path(file: str) -> str:
    """The URL path a static server gives a file: `index.html` -> `/`, `a/index.html` -> `/a/`."""
    if file == "index.html":
        return "/"
    if file.endswith("/index.html"):
        return "/" + file[: -len("index.html")]
    return "/" + file


def squash(text: str) -> str:
    """Collapse runs of whitespace into single spaces, dropping block marks."""
    return " ".join(text.replace(BLOCK, " ").split())


def _blocks(node: LexborNode | None) -> str:
    """The text of a node, one line per block element, whitespace collapsed."""
    if node is None:
        return ""
    return "\n".join(_lines(node.text(deep=True, separator="", strip=False)))


def _lines(text: str) -> list[str]:
    """The lines of a node's raw text: each piece between block marks with its whitespace collapsed, empty ones
    dropped. Pieces are independent, so for P + M + Q where P ends with a mark (or is empty) and M ends with a mark
    (or Q starts with one, or is empty), _lines(P + M + Q) == _lines(P) + _lines(M) + _lines(Q)."""
    return [line for line in map(" ".join, map(str.split, text.split(BLOCK))) if line]


_HEAD_SELECTOR = "title, meta[name], link[rel][href], script[type]"
_BODY_SELECTOR = ("a, img, [id], [style], [hidden], [aria-hidden], script, style, template, noscript, svg, main, "
                  "nav[aria-label], ul, ol")
_NOT_SHOWN_TAGS = frozenset({"script", "style", "template", "noscript"})
_HEADINGS = "h1, h2, h3, h4, h5, h6"


def _mark_blocks(html: bytes) -> bytes:
    """Put BLOCK before each block tag and <br>/<hr> (split and join: 4x faster than a template sub)."""
    parts = (_BLOCK_END if _MIXED_CASE.search(html) else _BLOCK_END_LOWER).split(html)
    parts[1::2] = [_BLOCK_BYTE + tag for tag in parts[1::2]]
    return b"".join(parts)


def _text(node: LexborNode) -> str:
    return squash(node.text(deep=True, separator="", strip=False))


_CONTENT_SELECTOR = ("img, [style], [hidden], [aria-hidden], script, style, template, noscript, svg, main, ul, "
                     "ol")


def parse_html(file: str, html: str | bytes, links: bool = True) -> HtmlPage:
    """Read one page, as text or as UTF-8 bytes (invalid sequences read as U+FFFD). `file` is its path relative
    to the site root ("jaw-fillers/esher/index.html"). `links=False` leaves out what only the SEO rules of
    `audit` read (links, ids, breadcrumbs): the content checks of `build` and `check` do not need them."""
    if isinstance(html, str):
        html = html.encode("utf-8", errors="replace")
    tree = LexborHTMLParser(_mark_blocks(html))   # bytes: a third faster than lexbor's own encoding of a str
    page = HtmlPage(file=file, url_path=page_path(file))
    root = tree.css_first("html")
    if root is not None:
        page.lang = squash(root.attributes.get("lang") or "") or None
    _read_head(tree, page)
    body = tree.body
    if body is None:
        return page
    # One walk over the body finds what a crawler follows and what a visitor never sees. Links, images and
    # ids are read before hidden parts go: a hidden link is still a link.
    seen: set[int] = set()   # css() gives a node once for each selector it matches
    hidden: list[LexborNode] = []
    main = None
    for node in body.css(_BODY_SELECTOR if links else _CONTENT_SELECTOR):
        if node.mem_id in seen:
            continue
        seen.add(node.mem_id)
        tag, attrs = node.tag, node.attributes   # a plain dict: much faster to query than node.attrs
        if tag == "a":
            href = attrs.get("href")
            if href is not None:
                page.links.append((href, " ".join(node.text(deep=True, separator="", strip=False)
                                                  .replace(BLOCK, " ").split())))   # _text, inline
        elif tag == "img":
            alt = attrs.get("alt")
            page.images.append((attrs.get("src") or "", squash(alt) if alt is not None else None))
        elif tag == "main" and main is None:
            main = node
        elif tag in ("ul", "ol"):
            if not _has_li_child(node) and node.css_first("li") is None:
                page.empty_lists.append(attrs.get("aria-label") or attrs.get("id") or attrs.get("class") or "")
        elif tag == "nav" and (attrs.get("aria-label") or "").strip().lower() == "breadcrumb":
            page.breadcrumbs = [(_text(a), a.attributes.get("href") or "") for a in node.css("a")]
        if links and node.id:
            page.ids.add(node.id)
        style = attrs.get("style")
        if (tag in _NOT_SHOWN_TAGS or "hidden" in attrs
                or (attrs.get("aria-hidden") or "").strip().lower() == "true"
                or (style and _HIDDEN_STYLE.search(style))):
            hidden.append(node)
        elif tag == "svg":
            hidden.extend(node.css("title, desc"))   # tooltips and descriptions, not text on the page
    for node in hidden:
        node.remove()   # detach only: a hidden node may sit inside another one already removed
    for h in body.css(_HEADINGS):
        text = " ".join(h.text(deep=True, separator="", strip=False).replace(BLOCK, " ").split())   # _text
        tag = h.tag
        page.headings.append((int(tag[1]), text))
        if tag == "h1":
            page.h1.append(text)
    raw = body.text(deep=True, separator="", strip=False)
    lines = _lines(raw)
    page.visible_text = "\n".join(lines)
    if main is None or not _attached(main):
        page.main_text = page.visible_text
    else:
        page.main_text = "\n".join(_main_lines(raw, lines, main.text(deep=True, separator="", strip=False)))
    return page


def _main_lines(body: str, lines: list[str], main: str) -> list[str]:
    """The lines of <main>, taken from the body's `lines` when main's raw text sits in the body's raw text between
    block marks (as it does: <main> is a block), else worked out on their own."""
    start = body.find(main)
    end = start + len(main)
    if start < 0 or (start and body[start - 1] != BLOCK) or \
            (end < len(body) and not main.endswith(BLOCK) and body[end] != BLOCK):
        return _lines(main)
    return lines[len(_lines(body[:start])):len(lines) - len(_lines(body[end:]))]


def _has_li_child(node: LexborNode) -> bool:
    """True when a child of the node is an <li> (then so is a descendant: a quicker test than a selector)."""
    child = node.first_child
    while child is not None:
        if child.tag == "li":
            return True
        child = child.next
    return False


def _read_head(tree: LexborHTMLParser, page: HtmlPage) -> None:
    """Title, meta description, robots, viewport, canonical and JSON-LD, wherever they sit in the document."""
    descriptions: list[str] = []
    robots: list[str] = []
    for node in tree.css(_HEAD_SELECTOR):
        tag, attrs = node.tag, node.attributes
        if tag == "title":
            if _inside(node, "svg"):
                continue
            page.titles += 1
            if page.title is None:
                page.title = _text(node)
        elif tag == "meta":
            name = (attrs.get("name") or "").strip().lower()
            if name == "description":
                descriptions.append(squash(attrs.get("content") or ""))
            elif name == "robots":
                robots.append(squash(attrs.get("content") or "").lower())
            elif name == "viewport":
                page.viewport = True
        elif tag == "link":
            if page.canonical is None and "canonical" in (attrs.get("rel") or "").lower().split():
                page.canonical = (attrs.get("href") or "").strip()
        elif tag == "script" and (attrs.get("type") or "").strip().lower() == "application/ld+json":
            page.jsonld.append(node.text(deep=True, separator="", strip=False).replace(BLOCK, ""))
    page.descriptions = len(descriptions)
    page.description = descriptions[0] if descriptions else None
    page.robots = ",".join(robots)


def _attached(node: LexborNode) -> bool:
    """False when the node, or an ancestor, was removed as hidden."""
    while node.parent is not None:
        node = node.parent
    return node.is_document_node


def _inside(node: LexborNode, tag: str) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.tag == tag:
            return True
        parent = parent.parent
    return False
