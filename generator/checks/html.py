"""Parse one HTML page into an `HtmlPage`: what a visitor sees, what the head says, what a crawler follows.

Uses lexbor (through selectolax), an HTML5 parser in C: about 0.1 ms for a 10 KB page, so `check` and `audit`
can read 100,000 pages in seconds. Visible text follows the rules of the required-disclaimers check: nothing
inside scripts, styles, comments, `<template>`, `<noscript>` or attributes counts, nor anything under an element
that is `hidden`, `aria-hidden="true"`, or styled inline with `display:none` or `visibility:hidden`.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from generator.checks.nesting import bound_nesting
from generator.checks.page import HtmlPage

BLOCK = "\x07"   # marks the start and end of a block element before parsing, so "<li>a</li><li>b</li>" stays two words;
                 # not whitespace to str.split, which then collapses the spaces around it in one C call
_BLOCK_TAGS = ("p|h[1-6]|li|dt|dd|div|section|article|header|footer|nav|aside|main|td|th|tr|caption|"
               "figcaption|blockquote|pre|address|summary|details|ul|ol|dl|table|form|label|button|option|legend")


def _by_first_letter(names: list[str]) -> str:
    """An alternation of tag names grouped by their first letter ("d(?:etails|iv|t|d|l)|..."): the regular
    expression engine tries one group at each "<", not every name (a quarter less time to split a page). It matches
    the same names: each is followed by the lookahead that ends a tag name, so no name can match where a longer one
    would, whatever their order."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[0], []).append(name[1:])
    return "|".join(f"{first}(?:{'|'.join(sorted((r for r in rests if r), key=len, reverse=True))})"
                    + ("?" if "" in rests else "") if rests != [""] else first for first, rests in groups.items())


_BLOCK_NAMES = _by_first_letter([f"h{n}" for n in range(1, 7)] + [t for t in _BLOCK_TAGS.split("|") if t != "h[1-6]"])
# Marked in the UTF-8 bytes, before parsing (lexbor reads bytes as UTF-8, as `check` would decode them): tag names
# are ASCII, and a bytes pattern is case-insensitive in ASCII only, as HTML is.
# The "<" of a block's start or end tag (the rest is looked ahead at): splitting at it gives the same one-byte "<" for
# every tag, and the marked "<" is one list repeated, where capturing each whole tag made an object of it and a
# marked copy (3,000 pages of the synthetic site, five alternated runs: 0.204 -> 0.185 s, medians).
_BLOCK_END = re.compile(rf"(<)(?=/?(?:{_BLOCK_NAMES})(?=[\s/>])|[bh]r\b)".encode(), re.I)
# the same without re.I (faster even with the check) gives the same split when no tag name has a capital
_BLOCK_END_LOWER = re.compile(rf"(<)(?=/?(?:{_BLOCK_NAMES})(?=[\s/>])|[bh]r\b)".encode())
_MIXED_CASE = re.compile(b"</?+[a-z]*+[A-Z]")
_BLOCK_BYTE = BLOCK.encode()
_MARKED_OPEN = _BLOCK_BYTE + b"<"
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
    out = []
    for piece in text.split(BLOCK):
        if not piece or piece.isspace():
            continue        # most pieces: the indentation between two block tags
        line = piece.strip()
        # Printable text has no whitespace but the plain space (str.isprintable: every other one is a control
        # or a separator); without two spaces in a row it is collapsed already, and splitting it into words,
        # a string object each, is most of the cost.
        out.append(line if "  " not in line and line.isprintable() else " ".join(line.split()))
    return out


# Every <meta> and <script>, not only those with the attributes read: a selector with fewer conditions is the
# quicker one, and _read_head passes over the others.
_HEAD_SELECTOR = "title, meta, link[rel][href], script"
# Code, keyboard input, program output and maths (code highlighters, Pygments, Rouge, Chroma, put theirs in <pre>;
# TeX that MathJax or KaTeX renders is found in the text): what is inside is an example, never a template leak.
_CODE_SELECTOR = "pre, code, kbd, samp, math"
# Such an element starts with its tag in the page's bytes (the parser makes none of them up): most pages have none,
# and a search of the bytes costs less than a selector over the tree. Tag names end at whitespace, / or >.
_CODE_TAG = re.compile(rb"<(?:pre|code|kbd|samp|math)[\s/>]")
_CODE_TAG_ANY_CASE = re.compile(_CODE_TAG.pattern, re.I)
_BODY_SELECTOR = ("a, img, iframe[src], [id], [style], [hidden], [aria-hidden], script, style, template, noscript, "
                  "svg, main, nav[aria-label], ul, ol")
_NOT_SHOWN_TAGS = frozenset({"script", "style", "template", "noscript"})
_HEADINGS = "h1, h2, h3, h4, h5, h6"


def mark_blocks(html: bytes, mixed_case: bool | None = None) -> bytes:
    """Put BLOCK before each block tag and <br>/<hr> (split and join: 4x faster than a template sub).
    `mixed_case`: whether a tag name in `html` has a capital letter, when the caller has looked already."""
    if mixed_case is None:
        mixed_case = _MIXED_CASE.search(html) is not None
    parts = (_BLOCK_END if mixed_case else _BLOCK_END_LOWER).split(html)
    parts[1::2] = [_MARKED_OPEN] * (len(parts) // 2)
    return b"".join(parts)


def _text(node: LexborNode) -> str:
    return squash(node.text(deep=True, separator="", strip=False))


_CONTENT_SELECTOR = "img, [style], [hidden], [aria-hidden], script, style, template, noscript, svg, main, ul, ol"
# What marks a list as one that a script fills in the browser (search results, a table of contents, suggestions).
_SCRIPTED = re.compile(r"search|result|suggest|autocomplete|complete|listbox|toc|js-|dropdown|filter|typeahead",
                       re.I)


def parse_html(file: str, html: str | bytes, links: bool = True) -> HtmlPage:
    """Read one page, as text or as UTF-8 bytes (invalid sequences read as U+FFFD). `file` is its path relative
    to the site root ("jaw-fillers/esher/index.html"). `links=False` leaves out what only the SEO rules of
    `audit` read (links, ids, breadcrumbs): the content checks of `build` and `check` do not need them."""
    if isinstance(html, str):
        html = html.encode("utf-8", errors="replace")
    html, flattened = bound_nesting(html)   # a hostile page's parse stays in proportion to its size
    mixed_case = _MIXED_CASE.search(html) is not None
    tree = LexborHTMLParser(mark_blocks(html, mixed_case))   # bytes: a third faster than lexbor's encoding of a str
    page = HtmlPage(file=file, url_path=page_path(file), flattened=flattened)
    root = tree.root        # the <html> element, which an HTML parser always makes
    if root is not None:
        page.lang = squash(root.attributes.get("lang") or "") or None
    _read_head(tree, page)
    body = tree.body
    if body is None:
        return page
    # One walk over the body finds what a crawler follows and what a visitor never sees. Links, images and
    # ids are read before hidden parts go: a hidden link is still a link.
    seen: set[int] = set()   # css() gives a node once for each selector it matches
    chrome: dict[int, bool] = {}   # element -> in a header, footer, nav or aside (see _in_chrome)
    hidden: list[LexborNode] = []
    main = None
    media = False       # an image, an svg or a frame in the body: a section may show one without words
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
            elif links and (name := attrs.get("name")):
                page.ids.add(name)     # <a name="x">: a fragment target, as browsers treat it
        elif tag == "img":
            media = True
            alt = (attrs.get("alt") or "") if "alt" in attrs else None     # <img alt src=...>: alt=""
            page.images.append((attrs.get("src") or "", squash(alt) if alt is not None else None))
        elif tag == "main" and main is None:
            main = node
        elif tag in ("ul", "ol"):
            if not _has_li_child(node) and node.css_first("li") is None and not _filled_by_script(node) \
                    and not (links and _in_chrome(node, chrome)):
                page.empty_lists.append(attrs.get("aria-label") or attrs.get("id") or attrs.get("class") or "")
        elif tag in ("script", "iframe"):
            media = media or tag == "iframe"
            src = attrs.get("src")
            if src and src[:5].lower() == "http:":
                page.insecure.append(src.strip())
        elif tag == "nav" and (attrs.get("aria-label") or "").strip().lower() == "breadcrumb":
            page.breadcrumbs = [(_text(a), a.attributes.get("href") or "") for a in node.css("a")]
        if links and node.id:
            page.ids.add(node.id)
        style, aria = attrs.get("style"), attrs.get("aria-hidden")
        if (tag in _NOT_SHOWN_TAGS or "hidden" in attrs
                or (aria and aria.strip().lower() == "true")
                or (style and _HIDDEN_STYLE.search(style))):
            hidden.append(node)
        elif tag == "svg":
            media = True
            hidden.extend(node.css("title, desc"))   # tooltips and descriptions, not text on the page
    for node in hidden:
        node.remove()   # detach only: a hidden node may sit inside another one already removed
    if (_CODE_TAG_ANY_CASE if mixed_case else _CODE_TAG).search(html):
        page.code = [text for text in map(_text, body.css(_CODE_SELECTOR)) if text]
    nodes = body.css(_HEADINGS)
    for h in nodes:
        text = " ".join(h.text(deep=True, separator="", strip=False).replace(BLOCK, " ").split())   # _text
        tag = h.tag or ""    # an element's tag: h1 to h6
        page.headings.append((int(tag[1]), text))
        if tag == "h1":
            page.h1.append(text)
    raw = body.text(deep=True, separator="", strip=False)
    if main is None or not _attached(main):
        page.visible_text = page.main_text = "\n".join(_lines(raw))
    else:
        lines, main_lines = _body_and_main_lines(raw, main.text(deep=True, separator="", strip=False))
        page.visible_text, page.main_text = "\n".join(lines), "\n".join(main_lines)
    if links:
        for k in _bare_headings(page):
            h = nodes[k]
            # A heading with no element in it holds no link (most headings: only words).
            a = h.css_first("a[href]") if next(h.iter(), None) is not None else None
            if (a is not None and _text(a) == page.headings[k][1]) or (media and _media_follows(h)):
                page.link_headings.add(k)
    return page


def _bare_headings(page: HtmlPage) -> list[int]:
    """Indexes of the headings that no words follow in the main text before the next heading (or the end): the
    only ones worth asking whether they are links or stand over an image."""
    lines = page.main_text.split("\n")
    found, cursor, at = [], 0, []
    for k, (_, text) in enumerate(page.headings):
        if not text:
            continue
        try:
            cursor = lines.index(text, cursor)
        except ValueError:
            continue
        at.append((k, cursor))
        cursor += 1
    for n, (k, pos) in enumerate(at):
        nxt = at[n + 1][1] if n + 1 < len(at) else len(lines)
        if nxt == pos + 1:
            found.append(k)
    return found


def _body_and_main_lines(body: str, main: str) -> tuple[list[str], list[str]]:
    """The lines of the body and of <main>, from their raw texts. When main's raw text sits in the body's between
    block marks (as it does: <main> is a block), the body's lines are those before it, main's, and those after it,
    and no text is split twice."""
    start = body.find(main)
    end = start + len(main)
    if start < 0 or (start and body[start - 1] != BLOCK) or \
            (end < len(body) and not main.endswith(BLOCK) and body[end] != BLOCK):
        return _lines(body), _lines(main)
    main_lines = _lines(main)
    return _lines(body[:start]) + main_lines + _lines(body[end:]), main_lines


def _filled_by_script(node: LexborNode | None) -> bool:
    """True for an empty list that a script fills: it, or one of the two elements around it, is named or marked
    for one (a class, id or role saying search, results, toc...; a data- attribute; aria-live)."""
    for _ in range(3):
        if node is None or node.tag in ("body", "main"):
            return False
        attrs = node.attributes
        if "aria-live" in attrs or any(k.startswith("data-") for k in attrs):
            return True
        if any(_SCRIPTED.search(attrs.get(k) or "") for k in ("class", "id", "role", "aria-label")):
            return True
        node = node.parent
    return False


_MEDIA_TAGS = frozenset({"img", "picture", "video", "audio", "iframe", "svg", "canvas", "object", "embed", "figure",
                         "table"})
_MEDIA = ", ".join(sorted(_MEDIA_TAGS))


def _media_follows(heading: LexborNode) -> bool:
    """True when the element after a heading is (or holds) an image, video, frame or table: a section shown
    without words is not an empty one."""
    node = heading.next
    while node is not None and node.tag in ("-text", "-comment", "a"):
        node = node.next      # text between, and the permalink anchors some generators put after a heading
    if node is None or node.tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        return False
    return node.tag in _MEDIA_TAGS or node.css_first(_MEDIA) is not None


_CHROME_TAGS = frozenset({"header", "footer", "nav", "aside"})
# The same parts marked with their ARIA roles instead (Bootstrap's navigation bar is a <div role="navigation">).
_CHROME_ROLES = frozenset({"banner", "contentinfo", "navigation", "complementary"})


def _in_chrome(node: LexborNode, known: dict[int, bool]) -> bool:
    """True for an element in a page's header, footer, navigation or sidebar, outside its main content (an empty
    list of social links a theme leaves in the footer is nothing a reader misses). `known` keeps the answer for
    each element walked through, so a page of many deep lists is walked once, not once per list."""
    walked = []
    parent = node.parent
    answer = False
    while parent is not None and parent.tag not in ("body", "main", "article"):
        if parent.mem_id in known:
            answer = known[parent.mem_id]
            break
        if parent.tag in _CHROME_TAGS or (parent.attributes.get("role") or "").strip().lower() in _CHROME_ROLES:
            answer = True
            break
        walked.append(parent.mem_id)
        parent = parent.parent
    known.update(dict.fromkeys(walked, answer))
    return answer


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
            elif (attrs.get("http-equiv") or "").strip().lower() == "refresh" and page.refresh is None:
                page.refresh = refresh_target(attrs.get("content") or "")
        elif tag == "link":
            rel = (attrs.get("rel") or "").lower().split()
            if page.canonical is None and "canonical" in rel:
                page.canonical = (attrs.get("href") or "").strip()
            elif "stylesheet" in rel and (href := attrs.get("href") or "")[:5].lower() == "http:":
                page.insecure.append(href.strip())
        elif tag == "script" and (src := attrs.get("src") or "")[:5].lower() == "http:" and node.parent is not None \
                and node.parent.tag == "head":
            page.insecure.append(src.strip())     # the body's scripts are read with the body
        if tag == "script" and (attrs.get("type") or "").strip().lower() == "application/ld+json":
            page.jsonld.append(node.text(deep=True, separator="", strip=False).replace(BLOCK, ""))
    page.descriptions = len(descriptions)
    page.description = descriptions[0] if descriptions else None
    page.robots = ",".join(robots)


_REFRESH = re.compile(r"^\s*\d*(?:\.\d*)?\s*(?:[;,]\s*(?:url\s*=\s*)?(.*))?$", re.I | re.S)


def refresh_target(content: str) -> str:
    """The address a meta refresh sends to ("5; url=/new/" -> "/new/"), "" when it only reloads the page."""
    m = _REFRESH.match(content)
    target = (m.group(1) or "") if m else ""
    return target.strip().strip("'\"").strip()


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
