"""Where a claim can hide in a page: its visible text, title, meta description, image alt text and the strings
of its JSON-LD that the page does not show already."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

from generator.checks.page import HtmlPage
from generator.text import squash


def page_texts(page: HtmlPage, worth: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """(where, text) pairs that a claim can hide in. `worth(text)` says whether a JSON-LD string holds anything
    a rule could find: when none does, the strings are not looked for in the visible text."""
    texts = [("page text", page.visible_text)]
    if page.title:
        texts.append(("title", page.title))
    if page.description:
        texts.append(("meta description", page.description))
    alts = [alt for _, alt in page.images if alt]
    if alts:
        texts.append(("image alt text", "\n".join(alts)))
    strings: list[str] = []
    for raw in page.jsonld:
        data = parse_json(raw)
        if data is not None:
            _strings(data, strings)
    visible = page.visible_text
    if worth is not None and not worth("\n".join(strings)):   # one call: what counts is worked out line by line
        strings = []
    else:
        strings = _not_shown(strings, visible)
    if strings:
        texts.append(("JSON-LD", "\n".join(strings)))
    return texts


def _not_shown(strings: list[str], visible: str) -> list[str]:
    """The JSON-LD strings that are not on the page already (most names and FAQ answers are), but with the answer
    of a question that is kept, and an empty line where strings were left out, so that a question is never
    followed by another question's answer ("Is it permanent?" then "Yes, some swelling is normal.")."""
    out: list[str] = []
    asked = False
    for t in strings:
        if t in visible and not asked:
            if out and out[-1]:
                out.append("")
            continue
        out.append(t)
        asked = t.rstrip().endswith("?")
    while out and not out[-1]:
        out.pop()
    return out


@lru_cache(maxsize=256)
def parse_json(raw: str):
    """The JSON-LD of a script, or None when it is not valid JSON (parsed once for all the checks)."""
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _strings(value, out: list[str]) -> None:
    """The strings in a JSON value, in order, but for links and the values of keys that name no text."""
    if isinstance(value, str):
        if not value.startswith(_LINKS):
            out.append(value)
        return
    if not isinstance(value, (dict, list)):
        return
    # depth first with a stack of iterators (no call per container); a dict's iterator gives (key, value) pairs
    stack = [(iter(value.items()), True) if isinstance(value, dict) else (iter(value), False)]
    while stack:
        items, pairs = stack[-1]
        for v in items:
            if pairs:
                k, v = v
                if k in _NOT_TEXT_KEYS:
                    continue
            if isinstance(v, str):
                if not v.startswith(_LINKS):
                    out.append(v)
            elif isinstance(v, dict):
                stack.append((iter(v.items()), True))
                break
            elif isinstance(v, list):
                stack.append((iter(v), False))
                break
        else:
            stack.pop()


_LINKS = ("http://", "https://", "/")
_NOT_TEXT_KEYS = frozenset({"@type", "@context", "@id", "url", "sameAs", "image", "logo", "item"})


def snippet(text: str, start: int, end: int, width: int = 60) -> str:
    left = max(0, start - width)
    right = min(len(text), end + width)
    left = text.rfind(" ", 0, left) + 1 if left else 0
    cut = text.find(" ", right)
    right = cut if cut != -1 else len(text)
    out = squash(text[left:right])
    return ("…" if left else "") + out + ("…" if right < len(text) else "")

