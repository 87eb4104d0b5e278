"""Keep the parsing of a hostile page in proportion to its size.

lexbor builds the tree as the HTML standard says, and some of its steps look through every open element, or
reopen every formatting element left open: a page of 100,000 nested `<div>`s, or of `<div><b id=N></div>`
repeated, takes minutes (the work grows with the square or the cube of the number of tags). Browsers bound the
depth of the tree (Chromium keeps 512 levels); so does this module, before lexbor sees the page:

- a page of few tags (`FEW_TAGS`) cannot take long whatever it holds, and is parsed as it is;
- nor can a page whose tags, counted roughly (a start tag opens an element, an end tag closes one only when it
  names the element opened last), never nest deeper than `ROUGH_DEPTH`: the parser keeps at most about twice that
  open (tables add a body and a row). Ordinary pages stop here, for the price of one pass of a regular expression;
- a page nested deeper by that count is scanned once, tag by tag, with the open elements tracked as the standard
  closes them, erring
  towards more open elements, never fewer (an end tag the standard may ignore closes nothing here, and in svg or
  math the rules of HTML that close elements by themselves do not apply);
  the scan follows the parser's list of formatting elements (`b`, `i`, `font` ...) too, since the parser reopens
  those closed by another element's end tag before later text, at most three alike;
- only when that scan finds more than `MAX_DEPTH` elements open at once is the page flattened: an element deeper
  than `MAX_DEPTH` is kept but closed at once (its link and id stay; what it held follows it), and the formatting
  elements other than `a` are read as `span`s (nothing is reopened then). The text, the links, the ids and the
  other elements stay.

tests/test_checks_html.py compares the scan with lexbor's own tree on random tag soup.
"""

from __future__ import annotations

import re

import numpy as np

FEW_TAGS = 1000
ROUGH_DEPTH = 256
MAX_DEPTH = 512


def _names(text: str) -> frozenset[bytes]:
    return frozenset(text.encode().split())


_VOID = _names("area base br col embed hr img input link meta source track wbr param keygen basefont bgsound frame "
               "image")
_RAW_TEXT = _names("script style xmp iframe noembed noframes textarea title")
_FORMATTING = _names("b big code em font i nobr s small strike strong tt u")   # and `a`, which cannot pile up
# The standard's "special" elements: an end tag of another name stops at them, and so does <li>'s search.
_SPECIAL = _names(
    "address applet area article aside base basefont bgsound blockquote body br button caption center col colgroup "
    "dd details dir div dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 h3 h4 h5 h6 head "
    "header hgroup hr html iframe img input keygen li link listing main marquee menu meta nav noembed noframes "
    "noscript object ol p param plaintext pre script search section select source style summary table tbody td "
    "template textarea tfoot th thead title tr track ul wbr xmp mi mo mn ms mtext annotation-xml foreignobject desc")
# The boundaries of "in scope" (a superset of every kind of scope: stopping early only keeps more open).
_SCOPE = _names("applet caption html table td th marquee object template mi mo mn ms mtext annotation-xml "
                "foreignobject desc title")
_CLOSES_P = _names("address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
                   "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul li dd dt "
                   "listing plaintext search summary")
_HEADINGS = _names("h1 h2 h3 h4 h5 h6")
_TABLE_PARTS = _names("thead tbody tfoot")
_FOREIGN_ROOTS = _names("svg math")
_MARKERS = _names("td th caption applet marquee object template")   # formatting before them is not reopened in them
_NO_REOPEN = _names("address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
                    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul li dd dt "
                    "listing plaintext search summary caption col colgroup tbody td tfoot th thead tr frameset "
                    "template script style title base basefont bgsound link meta noframes")
_TABLE_ONLY = _names("caption col colgroup tbody td tfoot th thead tr")   # ignored outside a table
_IGNORED = _names("frame head body html frameset")                        # ignored in the body
_INTEGRATION = {b"svg": _names("foreignobject desc title"), b"math": _names("mi mo mn ms mtext")}
# In svg or math, these leave it: the parser goes back to HTML (and closes the foreign elements, which the scan
# keeps open, to count more rather than fewer).
_BREAKOUT = _names("b big blockquote body br center code dd div dl dt em embed h1 h2 h3 h4 h5 h6 head hr i img li "
                   "listing menu meta nobr ol p pre ruby s small span strong strike sub sup table tt u ul var font")

_WS = rb"[\t\n\f\r ]"
# One tag as the HTML tokenizer reads it: a quoted attribute value may hold `>`; a quote anywhere else is a letter.
_TAG = re.compile(rb"<(/?)([A-Za-z][^\t\n\f\r />]*)((?:" + _WS + rb"|/|[^\t\n\f\r />][^\t\n\f\r /=>]*+(?:" + _WS +
                  rb"*=" + _WS + rb"*(?:\"[^\"]*\"|'[^']*'|[^\t\n\f\r >]*))?)*+)>")
_MARKUP = re.compile(rb"<(?:/?[A-Za-z]|!--|[!?/])")
_NAME = re.compile(rb"<(/?)([A-Za-z][^\t\n\f\r />]*)()")


def bound_nesting(html: bytes) -> tuple[bytes, bool]:
    """The page as lexbor may read it in time in proportion to its size, and whether it had to be flattened."""
    if tag_starts(html) <= FEW_TAGS or rough_depth(html) <= ROUGH_DEPTH or not _Scan(html, flatten=False).too_deep():
        return html, False
    return _Scan(html, flatten=True).flattened(), True


def tag_starts(html: bytes) -> int:
    """The number of `<` in the page, one for each tag and any in text: `html.count(b"<")`, compared a vector at a
    time (half the instructions of the count's byte-by-byte loop, on every page parsed)."""
    return int(np.count_nonzero(np.frombuffer(html, np.uint8) == ord("<")))


_ANY_TAG = re.compile(rb"<(/?)([a-z][^\t\n\f\r />]*)")


def rough_depth(html: bytes) -> int:
    """How deep the page's tags nest, counted roughly: every start tag but a void one opens an element (in svg
    `<path/>` too, and tags inside scripts: counting more is safe), and an end tag closes one only when it names
    the element opened last (misnested or stray end tags close nothing)."""
    stack: list[bytes] = []
    deepest = 0
    for slash, name in _ANY_TAG.findall(html.lower()):
        if slash:
            if stack and stack[-1] == name:
                stack.pop()
        elif name not in _VOID:
            stack.append(name)
            if len(stack) > deepest:
                deepest = len(stack)
    return deepest


class _Scan:
    """One pass over a page's tags. Without `flatten`, `run()` says whether the page is too deep;
    with it, `run()` gives the flattened page."""

    def __init__(self, html: bytes, flatten: bool):
        self.html, self.flatten = html, flatten
        self.stack: list[bytes] = []
        self.where: dict[bytes, list[int]] = {}   # name -> its places in the stack, rising
        self.special: list[int] = []               # places of the special elements in the stack, rising
        self.scope: list[int] = []                 # places of the scope boundaries in the stack, rising
        self.contexts: list[tuple[int, bytes]] = []   # (place, b"svg", b"math" or b"html"): where each begins
        # The standard's list of active formatting elements: [kind (tag and attributes), place in the stack or -1
        # when closed but still to be reopened], or None for a marker (a cell, a caption, an object, a template).
        self.active: list[list | None] = []   # None: a marker (a cell, a template...) between formatting elements
        self.entry_at: dict[int, list] = {}        # place in the stack -> its entry in `active`
        self.deepest = 0
        self.dropped: dict[bytes, int] = {}        # start tags left out, by name: their end tags go too
        self.out: list[bytes] = []
        self.copied = 0                            # html[:copied] is in `out`

    # -- the stack of open elements ---------------------------------------------------------------------------

    @property
    def foreign(self) -> bytes:
        """b"svg" or b"math" in foreign content; b"" in HTML."""
        return self.contexts[-1][1] if self.contexts and self.contexts[-1][1] != b"html" else b""

    def formatting(self, name: bytes) -> bool:
        """Whether lexbor treats the element as a formatting element (flattening reads all but `a` as spans)."""
        return name == b"a" or (name in _FORMATTING and not self.flatten)

    def push(self, name: bytes, attrs: bytes = b"") -> None:
        place = len(self.stack)
        if self.formatting(name):
            kind = name + b" " + b" ".join(attrs.split())
            since = len(self.active) - 1 - self.active[::-1].index(None) if None in self.active else -1
            alike = [e for e in self.active[since + 1:] if e is not None and e[0] == kind]
            if len(alike) >= 3:   # the standard keeps at most three alike after the last marker
                self.forget(alike[0])
            entry = [kind, place]
            self.active.append(entry)
            self.entry_at[place] = entry
        self.where.setdefault(name, []).append(place)
        if name in _SPECIAL:
            self.special.append(place)
        if name in _SCOPE:
            self.scope.append(place)
        if name in _FOREIGN_ROOTS:
            self.contexts.append((place, name))
        elif self.foreign and name in _INTEGRATION[self.foreign]:
            self.contexts.append((place, b"html"))
        self.stack.append(name)
        if name in _MARKERS and not self.foreign:
            self.active.append(None)
        self.deepest = max(self.deepest, len(self.stack), len(self.active))

    def forget(self, entry: list) -> None:
        self.active.remove(entry)
        if entry[1] >= 0:
            del self.entry_at[entry[1]]

    def reconstruct(self) -> None:
        """Reopen the formatting elements closed by other elements' end tags, as the parser does before text and
        most start tags."""
        closed: list[list] = []   # the closed ones after the last open one or marker, last first
        for waiting in reversed(self.active):
            if waiting is None or waiting[1] >= 0:
                break
            closed.append(waiting)
        for entry in reversed(closed):
            if len(self.stack) >= MAX_DEPTH and self.flatten:
                break   # cannot happen: flattened, only `a` is reopened, and only one of it is ever waiting
            name = entry[0].split(b" ", 1)[0]
            place = len(self.stack)
            entry[1] = place
            self.entry_at[place] = entry
            self.where.setdefault(name, []).append(place)
            self.stack.append(name)
        self.deepest = max(self.deepest, len(self.stack))

    def pop_to(self, place: int) -> None:
        """Close the element at `place` and every one above it."""
        while len(self.stack) > place:
            name = self.stack.pop()
            self.where[name].pop()
            top = len(self.stack)
            if self.special and self.special[-1] == top:
                self.special.pop()
            if self.scope and self.scope[-1] == top:
                self.scope.pop()
            while self.contexts and self.contexts[-1][0] >= top:
                self.contexts.pop()
            entry = self.entry_at.pop(top, None)
            if entry is not None:
                entry[1] = -1   # closed, still in the list: reopened later unless its own end tag comes
            if name in _MARKERS and None in self.active:   # a cell or the like: its formatting elements go
                cut = len(self.active) - 1 - self.active[::-1].index(None)
                for gone in self.active[cut:]:
                    if gone is not None and gone[1] >= 0:
                        self.entry_at.pop(gone[1], None)
                del self.active[cut:]

    def last(self, name: bytes) -> int:
        places = self.where.get(name)
        return places[-1] if places else -1

    def open_in(self, names, boundary: int) -> int:
        """The place of the innermost open element of `names`, when it is above `boundary`; else -1."""
        target = max(map(self.last, names))
        return target if target > boundary else -1

    def boundary(self, extra=()) -> int:
        """The innermost scope boundary (or element of `extra`) open, or where svg or math content began."""
        return max([self.scope[-1] if self.scope else -1, self.contexts[-1][0] if self.contexts else -1,
                    *map(self.last, extra)])

    def table_boundary(self) -> int:
        """The innermost boundary of "table scope": a table or a template (or where svg or math began)."""
        return max(self.last(b"table"), self.last(b"template"), self.contexts[-1][0] if self.contexts else -1)

    def close(self, names, boundary: int) -> None:
        place = self.open_in(names, boundary)
        if place >= 0:
            self.pop_to(place)

    # -- the page -----------------------------------------------------------------------------------------------

    def cut(self, start: int, end: int, replacement: bytes = b"") -> None:
        if self.flatten:
            self.out.append(self.html[self.copied:start] + replacement)
            self.copied = end

    def too_deep(self) -> bool:
        """Whether the page nests deeper than MAX_DEPTH (the scan stops there)."""
        return self._scan()

    def flattened(self) -> bytes:
        """The page with its elements deeper than MAX_DEPTH closed at once."""
        self._scan()
        self.out.append(self.html[self.copied:])
        return b"".join(self.out)

    def _scan(self) -> bool:
        """Read the page tag by tag; True when it stopped early, nested too deep (only when not flattening)."""
        html, at, size = self.html, 0, len(self.html)
        while True:
            found = _MARKUP.search(html, at)
            if found is None:
                break
            start = found.start()
            if start > at and not self.foreign:
                self.reconstruct()   # text reopens the formatting elements closed by others' end tags
            if found.group() == b"<!--":
                end = html.find(b"-->", start + 4)
                at = size if end < 0 else end + 3
                continue
            if len(found.group()) == 2 and not found.group()[1:].isalpha():   # <!DOCTYPE, <?xml, `</ >`
                end = html.find(b">", start)
                at = size if end < 0 else end + 1
                continue
            # no `>`: counted as a tag all the same (`_NAME` matches wherever `_MARKUP` found `<` and a letter)
            tag = _TAG.match(html, start) or _NAME.match(html, start)
            if tag is None:
                raise AssertionError("unreachable: _MARKUP found `<` and a letter, which _NAME matches")
            closing, name, attrs, at = tag.group(1) == b"/", tag.group(2).lower(), tag.group(3), tag.end()
            if closing:
                self.end_tag(name, start, at)
                continue
            raw = name in _RAW_TEXT and not self.foreign   # in svg or math, <title> or <style> holds elements
            self.start_tag(name, attrs, start, at)
            if name == b"plaintext" and not self.foreign:
                break
            if raw:   # its text holds no tags: on to its end tag
                close = re.compile(rb"</" + re.escape(name) + rb"[\t\n\f\r />]", re.I).search(html, at)
                stop = size if close is None else close.start()
                at = stop
            if not self.flatten and self.deepest > MAX_DEPTH:
                return True
        return False

    def end_tag(self, name: bytes, start: int, end: int) -> None:
        stack = self.stack
        if self.dropped.get(name):
            self.dropped[name] -= 1
            self.cut(start, end)
            return
        if self.flatten and name in _FORMATTING:
            self.cut(start, end, b"</span>")
        if name != b"select" and not self.foreign and self.last(b"select") > self.boundary():
            return   # in a select, lexbor ignores other end tags (`</div>` closes neither the div nor the select)
        if not self.foreign and self.formatting(name):
            # The adoption agency: a formatting element on top closes; one already closed leaves the list; a
            # misnested one is settled without making the tree shallower, so here nothing closes.
            entry = next((e for e in reversed(self.active) if e is None or e[0].split(b" ", 1)[0] == name), None)
            if entry is not None and entry[1] < 0:
                self.forget(entry)
            elif stack and stack[-1] == name:
                top = self.entry_at.get(len(stack) - 1)
                if top is not None:
                    self.forget(top)
                self.pop_to(len(stack) - 1)
        elif self.foreign or name in (b"a", b"form") or name in _FORMATTING:
            # In svg or math, a form (whose end tag takes the form alone out of the open elements) and what is
            # read as a span: only the element on top is closed.
            if stack and stack[-1] == name:
                self.pop_to(len(stack) - 1)
        elif name == b"table":
            self.close((name,), max(self.last(b"template"), self.contexts[-1][0] if self.contexts else -1))
        elif name in _TABLE_PARTS or name in (b"tr", b"td", b"th", b"caption", b"colgroup"):
            self.close((name,), self.table_boundary())
        elif name in _SPECIAL:
            extra = (b"ol", b"ul") if name == b"li" else (b"button",) if name == b"p" else ()
            self.close(_HEADINGS if name in _HEADINGS else (name,), self.boundary(extra))
        else:   # any other end tag closes its element only when no special element is above it
            self.close((name,), max(self.special[-1] if self.special else -1,
                                    self.contexts[-1][0] if self.contexts else -1))

    def start_tag(self, name: bytes, attrs: bytes, start: int, end: int) -> None:
        stack = self.stack
        if self.foreign and name in _BREAKOUT:
            self.contexts.append((len(stack), b"html"))   # HTML again (the foreign elements are kept open)
        if self.foreign:
            if attrs.rstrip().endswith(b"/"):
                return                                 # <path/>: closed at once
        else:
            # What the parser ignores, the scan does not open (its end tag would close what the parser keeps).
            if name in _IGNORED or (name in _TABLE_ONLY and self.last(b"table") < 0):
                return
            if name == b"select" and self.open_in((name,), self.boundary()) >= 0:
                self.close((name,), self.boundary())   # a select in a select ends the first, and opens nothing
                return
            self.implied_ends(name)
            if name not in _NO_REOPEN:
                self.reconstruct()
            if name in _VOID or name in _RAW_TEXT:
                return                                 # void, or its text is skipped to its own end tag
        if len(stack) >= MAX_DEPTH and self.flatten:
            # Too deep: the element is kept, empty (its link, its id), and what it held follows it.
            self.dropped[name] = self.dropped.get(name, 0) + 1
            kept = b"span" if name in _FORMATTING else name
            self.cut(start, end, b"<" + kept + attrs + b"></" + kept + b">")
            return
        self.push(name, attrs)
        if self.flatten and name in _FORMATTING:
            self.cut(start, end, b"<span" + attrs + b">")

    def implied_ends(self, name: bytes) -> None:
        """The elements an HTML start tag closes by itself."""
        stack = self.stack
        if name in _CLOSES_P:
            self.close((b"p",), self.boundary((b"button",)))
        if name in (b"li", b"dd", b"dt"):
            family = (b"li",) if name == b"li" else (b"dd", b"dt")
            passable = (b"address", b"div", b"p", *family)
            stop = next((p for p in reversed(self.special) if stack[p] not in passable), -1)
            self.close(family, max(stop, self.contexts[-1][0] if self.contexts else -1))
        elif name in _HEADINGS or name in (b"option", b"optgroup", b"a", b"nobr"):
            # these close only the element on top of the stack (the standard's "current node")
            top = stack[-1] if stack else b""
            if top in _HEADINGS if name in _HEADINGS else top == b"option" or top == name != b"optgroup":
                self.pop_to(len(stack) - 1)
        elif name in (b"td", b"th"):
            self.close((b"td", b"th"), self.table_boundary())
        elif name == b"tr":
            self.close((b"tr",), self.table_boundary())
        elif name in _TABLE_PARTS:
            self.close(tuple(_TABLE_PARTS), self.table_boundary())
        elif name == b"button":
            self.close((name,), self.boundary())
