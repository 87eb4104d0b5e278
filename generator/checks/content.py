"""Per-page content checks: required disclaimers, template leaks, and agreement with the records.

Each function takes one `HtmlPage` (and what the generator knows about it) and yields `Finding`s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from generator.checks.claims.pagetext import parse_json, snippet
from generator.checks.facts import PageFacts, SiteFacts
from generator.checks.finding import Finding
from generator.checks.page import HtmlPage
from generator.model import PageKind
from generator.text import CURRENCY_SIGNS, fold_quotes, squash

# rule id -> (default severity, how to fix it)
RULES: dict[str, tuple[str, str]] = {
    "disclaimers.missing": ("error", "show the disclaimer's text exactly as written in site.yaml `disclaimers`, in "
                                     "the visible page (not hidden, not in a comment or attribute); a reworded "
                                     "disclaimer counts as missing"),
    "leaks.template": ("error", "a template tag reached the page: check the template's {{ }} and {% %} pairs"),
    "leaks.missing-value": ("error", "a value was empty when the page was made: fill in the field in the data "
                                     "file, or guard it in the template with {% if %}"),
    "leaks.empty-list": ("error", "a list has no items: guard it in the template with {% if items %}"),
    "leaks.empty-heading": ("error", "a heading has nothing under it: remove it or guard it with {% if %}"),
    "leaks.article": ("error", "\"a\" comes before a name that starts with a vowel sound (or \"an\" before one "
                               "that does not): reword the template around the inserted name"),
    "consistency.name": ("error", "show the clinic's name as written in site.yaml `name`"),
    "consistency.address": ("error", "show the premises address from site.yaml `premises` on every page"),
    "consistency.phone": ("error", "show the phone number from site.yaml `premises[].phone`"),
    "consistency.jsonld": ("error", "the structured data must state the same name, address, phone and page as "
                                    "the records: rebuild, or fix the template that writes the JSON-LD"),
    "consistency.title": ("error", "the title must name the page's treatment and area: check site.yaml `titles`"),
    "consistency.h1": ("error", "give the page one <h1> naming its treatment and area"),
    "consistency.canonical": ("error", "the canonical must be the page's own address (a demoted page's: its hub)"),
    "consistency.robots": ("error", "only the 404 page and demoted pages carry noindex; rebuild"),
    "consistency.sitemap": ("error", "the sitemap must list every indexable page and nothing else; rebuild"),
    "consistency.missing-page": ("error", "the page is planned but not in the output folder: run `clinic-pages "
                                          "build`"),
}


def finding(rule: str, page: str, message: str, evidence: str = "") -> Finding:
    return Finding.by_table(RULES, rule, page, message, evidence)


def fold(text: str) -> str:
    """The form in which visible texts are compared: whitespace squashed, case and quote styles folded."""
    if "\n" in text:   # a page's text: line by line, each distinct line folded once (see _line_facts)
        last = _LAST_FOLDED
        if last[0] is text:   # the page's text, which the leak check has just read line by line
            return last[1]
        memo = _LINES
        return " ".join(filter(None, [(memo[line] if line in memo else _line_facts(line))[0]
                                      for line in text.split("\n")]))
    return _fold(text)


def _fold(text: str) -> str:
    return squash(fold_quotes(text)).casefold()


fold_record = lru_cache(maxsize=4096)(fold)   # the same disclaimer and address texts, page after page


# -- required disclaimers --------------------------------------------------------------------------------------

def check_disclaimers(page: HtmlPage, facts: PageFacts, visible: str) -> Iterator[Finding]:
    """Every disclaimer the page needs must be in its visible text, word for word (`visible` is folded)."""
    for ident, text in facts.disclaimers:
        if fold_record(text) not in visible:
            yield finding("disclaimers.missing", page.url_path, f"the required disclaimer `{ident}` is not visible",
                          text if len(text) <= 120 else text[:117] + "...")


# -- template leaks -----------------------------------------------------------------------------------------

_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|\{\{|\}\}|\{%|%\}")
_MISSING = re.compile(r"\b(?:None|undefined|NaN|nan|null)\b|\[object Object\]")
_JSON_TEMPLATE = re.compile(r"\{\{.*?\}\}|\{%|%\}|\{#")   # a lone "}}" closes two JSON objects
                                                         # (every match has "{{", "%" or "{#": tested first)
_JSON_MISSING = re.compile(r':\s*(?:null\b|"(?:None|undefined|nan|NaN)?")')
_MISSING_WORDS = ("None", "undefined", "NaN", "nan", "null", "[object")
_VOWEL_SOUND_EXCEPTIONS = re.compile(r"^(?:uni|use|usu|uk\b|eu|one|once|ewe)", re.I)
_SILENT_H = re.compile(r"^(?:hour|honest|honou?r|heir)", re.I)


def check_leaks(page: HtmlPage, facts: PageFacts | None) -> Iterator[Finding]:
    texts = [("page text", page.visible_text)]
    if page.title:
        texts.append(("title", page.title))
    if page.description:
        texts.append(("meta description", page.description))
    texts += [("image alt text", alt) for _, alt in page.images if alt]
    for where, text in texts:
        m = _TEMPLATE.search(text) if ("{" in text or "}" in text) else None
        if m and where == "page text" and (page.code or _TEX_MARK.search(text)):
            text = _prose(page)        # rare: only a page with a match and code or maths in it is read again
            m = _TEMPLATE.search(text)
        if m:
            yield finding("leaks.template", page.url_path, f"template syntax `{m.group()[:40]}` in the {where}",
                          snippet(text, m.start(), m.end()))
        missing = _missing_value(text)
        if missing and where == "page text" and text is page.visible_text and (page.code or _TEX_MARK.search(text)):
            text = _prose(page)
            missing = _missing_value(text)
        if missing and facts is None and not _where_a_value_goes(text, missing):
            missing = _value_left_out(text)   # a page nobody knows the records of: "returns null" is about code
        if missing:
            start, end, value = missing
            yield finding("leaks.missing-value", page.url_path, f"`{value}` where a value belongs, in the {where}",
                          snippet(text, start, end))
    for raw in page.jsonld:
        if (("%" in raw or "{{" in raw or "{#" in raw) and _JSON_TEMPLATE.search(raw)) or _JSON_MISSING.search(raw):
            yield finding("leaks.missing-value", page.url_path, "an empty or template value in the JSON-LD",
                          raw[:120])
    for label in page.empty_lists:
        yield finding("leaks.empty-list", page.url_path, f"an empty list{f' under “{label}”' if label else ''}")
    yield from _empty_headings(page)
    if facts is not None:
        yield from _articles(page, facts)


# TeX that a script (MathJax, KaTeX) renders in the browser: $$...$$, \(...\) and \[...\] in the text.
_TEX = re.compile(r"\$\$.+?\$\$|\\\(.+?\\\)|\\\[.+?\\\]", re.S)
_TEX_MARK = re.compile(r"\$\$|\\[(\[]")


def _prose(page: HtmlPage) -> str:
    """The page's visible text without its code, keyboard, sample and maths (examples and formulas, not leaks)."""
    text = page.visible_text
    for code in sorted(page.code, key=len, reverse=True):
        for line in code.split("\n") if "\n" in code else (code,):
            if len(line) > 2 and line in text:      # not a key or two (<kbd>{</kbd>) that prose has too
                text = text.replace(line, " ")
    return _TEX.sub(" ", text)


_VALUE_BEFORE = re.compile(rf"(?:[{CURRENCY_SIGNS}]|\d\s?|:\s*|=\s*|\(\s*)$")
_VALUE_AFTER = re.compile(r"^\s*(?:%|km\b|miles?\b|mi\b|kg\b|cm\b|mm\b|px\b|minutes?\b|mins?\b|hours?\b|"
                          r"days?\b|years?\b|\))")


def _where_a_value_goes(text: str, match: tuple[int, int, str]) -> bool:
    """True when the word stands where a value belongs: after a currency sign, a colon or "=", before a unit,
    or alone on its line ("From £NaN", "Phone: None", "undefined km"), as a template leaves it; not in a sentence
    about code ("the function returns null")."""
    start, end, value = match
    if value.startswith("[object"):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[max(line_start, start - 3):start]
    after = text[end:line_end if line_end >= 0 else len(text)][:12]
    return bool(_VALUE_BEFORE.search(before) or _VALUE_AFTER.match(after))


def _value_left_out(text: str) -> tuple[int, int, str] | None:
    """The first "None", "NaN"... of the text that stands where a value goes (see `_where_a_value_goes`)."""
    for m in _MISSING.finditer(text):
        hit = (m.start(), m.end(), m.group())
        if _where_a_value_goes(text, hit):
            return hit
    return None


def _missing_value(text: str) -> tuple[int, int, str] | None:
    """(start, end, word) of the first "None", "undefined", ... standing where a value belongs, or None."""
    if "\n" not in text:
        return _missing_in_line(text)
    global _LAST_FOLDED
    memo = _LINES   # a match never spans lines, and whether it counts depends on its line only
    lines = text.split("\n")
    facts = [memo[line] if line in memo else _line_facts(line) for line in lines]
    for i, (_, m) in enumerate(facts):
        if m:
            offset = sum(map(len, lines[:i])) + i
            return offset + m[0], offset + m[1], m[2]
    # the text folded, from the same lines, for `fold`, which the checks ask next of a page's visible text
    _LAST_FOLDED = (text, " ".join(filter(None, [f[0] for f in facts])))
    return None


def _missing_in_line(text: str) -> tuple[int, int, str] | None:
    for m in (_MISSING.finditer(text) if any(w in text for w in _MISSING_WORDS) else ()):
        before = text[max(0, m.start() - 2):m.start()]
        if m.group() == "None" and (m.start() == 0 or before in (". ", "! ", "? ") or before.endswith("\n")):
            continue   # "None of our treatments..." starts a sentence
        return m.start(), m.end(), m.group()
    return None


# Module-level, unlike what a load keeps (`validate.Kept`): what a line gives depends on the line alone, the same in
# every project and every run of a process, so no project can see another's data in it.
_LINES: dict[str, tuple[str, tuple[int, int, str] | None]] = {}
MEMO_LINES = 50_000    # remembered lines: the memo starts again past this
# The last text of many lines that `_missing_value` read with no missing value in it, and that text folded: the
# per-page checks look for missing values in a page's visible text, then fold it (a split and a look-up per line).
_LAST_FOLDED: tuple[str, str] = ("", "")


def _line_facts(line: str) -> tuple[str, tuple[int, int, str] | None]:
    """A line of a page's text folded, and its missing value: worked out once per distinct line (most lines, such
    as a treatment's paragraphs, repeat on thousands of pages)."""
    if line in _LINES:
        return _LINES[line]
    if len(_LINES) >= MEMO_LINES:
        _LINES.clear()
    facts = _LINES[line] = (_fold(line), _missing_in_line(line))
    return facts


def _empty_headings(page: HtmlPage) -> Iterator[Finding]:
    """A heading followed by a heading of the same or a higher level (or by nothing) has no content."""
    lines = page.main_text.split("\n")
    headings = [(lvl, text, n in page.link_headings) for n, (lvl, text) in enumerate(page.headings) if text]
    positions: list[int] = []
    cursor = 0
    for _, text, _ in headings:      # find each heading's line in document order
        try:
            cursor = lines.index(text, cursor)
        except ValueError:
            positions.append(-1)
            continue
        positions.append(cursor)
        cursor += 1
    for k, ((level, text, is_link), pos) in enumerate(zip(headings, positions, strict=True)):
        if pos < 0 or is_link:
            continue    # a heading that is a link: one item of a list of posts or tags
        nxt = positions[k + 1] if k + 1 < len(positions) else -1
        next_level = headings[k + 1][0] if k + 1 < len(headings) else 0
        if nxt == pos + 1 and next_level <= level:
            if lines.count(headings[k + 1][1]) > 1:
                continue    # the next heading's words come twice (a table of contents): its place is unclear
            yield finding("leaks.empty-heading", page.url_path, f"the heading “{text}” has nothing under it", text)
        elif k + 1 == len(headings) and pos == len(lines) - 1 and level > 1:
            yield finding("leaks.empty-heading", page.url_path, f"the heading “{text}” has nothing under it", text)


def _articles(page: HtmlPage, facts: PageFacts) -> Iterator[Finding]:
    """"a Esher"-style errors where the generator inserted a name."""
    lowered = page.visible_text.lower()
    for name in {n for n in (facts.area, facts.treatment, facts.county) if n}:
        vowel = name[0].lower() in "aeiou" and not _VOWEL_SOUND_EXCEPTIONS.match(name) or _SILENT_H.match(name)
        wrong = "a" if vowel else "an"
        if f"{wrong} {name.lower()}" not in lowered:   # the common case, without compiling a pattern per name
            continue
        m = re.search(rf"\b{wrong}\s+{re.escape(name)}\b", page.visible_text, re.I)
        if m:
            yield finding("leaks.article", page.url_path, f"“{m.group()}”",
                          snippet(page.visible_text, m.start(), m.end()))


# -- agreement with the records -----------------------------------------------------------------------------

def check_consistency(page: HtmlPage, facts: PageFacts, site: SiteFacts, visible: str) -> Iterator[Finding]:
    """The visible name, address and phone, the JSON-LD, the title and the h1 agree with the records."""
    url = page.url_path
    if fold_record(site.clinic) not in visible:
        yield finding("consistency.name", url, f"the clinic's name “{site.clinic}” is not on the page")
    prem = facts.premises
    if prem is not None:
        for part in (prem.address.street, prem.address.locality, prem.address.postcode):
            if fold_record(str(part)) not in visible:
                yield finding("consistency.address", url, f"the address line “{part}” of {prem.name} is not on the "
                              "page")
        if fold_record(str(prem.phone)) not in visible:
            yield finding("consistency.phone", url, f"the phone number “{prem.phone}” of {prem.name} is not on the "
                          "page")
    yield from _jsonld(page, facts, site)
    needs = [n for n in (facts.treatment, facts.area) if n]
    title = fold(page.title or "")
    for name in needs:
        if fold(name) not in title:
            yield finding("consistency.title", url, f"the title does not name “{name}”", page.title or "(no title)")
    if len(page.h1) != 1:
        yield finding("consistency.h1", url, f"{len(page.h1)} <h1> elements, expected 1", " | ".join(page.h1))
    else:
        for name in needs:
            if fold(name) not in fold(page.h1[0]):
                yield finding("consistency.h1", url, f"the <h1> does not name “{name}”", page.h1[0])


def check_indexing(url: str, canonical: str | None, robots: str, facts: PageFacts, site: SiteFacts,
                   demoted_to: str | None) -> Iterator[Finding]:
    """Canonical, robots and sitemap entry agree with the plan and with the demotions of this run."""
    listed = site.sitemap
    if not facts.indexable:
        if "noindex" not in robots:
            yield finding("consistency.robots", url, "the page should not be indexed but has no noindex")
        if listed is not None and facts.canonical in listed:
            yield finding("consistency.sitemap", url, "a page that is not indexable is in the sitemap")
        return
    want = f"{site.base_url}{demoted_to}" if demoted_to else facts.canonical
    if canonical != want:
        yield finding("consistency.canonical", url, f"canonical is {canonical or 'missing'}, expected {want}")
    if demoted_to and "noindex" not in robots:
        yield finding("consistency.robots", url, "a demoted page must carry noindex")
    if not demoted_to and "noindex" in robots:
        yield finding("consistency.robots", url, "an indexable page carries noindex", robots)
    if listed is not None:
        if demoted_to and facts.canonical in listed:
            yield finding("consistency.sitemap", url, "a demoted page is still in the sitemap")
        if not demoted_to and facts.canonical not in listed:
            yield finding("consistency.sitemap", url, "the page is not in the sitemap", facts.canonical)


def _jsonld(page: HtmlPage, facts: PageFacts, site: SiteFacts) -> Iterator[Finding]:
    url = page.url_path
    nodes: list[dict] = []
    for raw in page.jsonld:
        data = parse_json(raw)
        if data is None:
            yield finding("consistency.jsonld", url, "the JSON-LD is not valid JSON", raw[:80])
            return
        graph = data.get("@graph", [data]) if isinstance(data, dict) else data if isinstance(data, list) else []
        nodes += [n for n in graph if isinstance(n, dict)]
    if not nodes:
        yield finding("consistency.jsonld", url, "the page has no JSON-LD")
        return
    prem = facts.premises
    clinics = [n for n in nodes if n.get("@type") in ("MedicalClinic", "MedicalBusiness", "LocalBusiness")]
    if prem is not None:
        if not clinics:
            yield finding("consistency.jsonld", url, "no MedicalClinic in the JSON-LD")
        for c in clinics[:1]:
            if c.get("name") != prem.name:
                yield finding("consistency.jsonld", url, f"the clinic's name is “{c.get('name')}”, the records say "
                              f"“{prem.name}”")
            address = c.get("address") or {}
            expect = {"addressLocality": prem.address.locality, "streetAddress": prem.address.street,
                      "postalCode": prem.address.postcode}
            for key, value in expect.items():
                if key in address and address[key] != value:
                    yield finding("consistency.jsonld", url, f"{key} is “{address[key]}”, the records say “{value}”")
                elif key not in address and not _placeholder(value):
                    yield finding("consistency.jsonld", url, f"{key} is missing; the records say “{value}”")
            phone = c.get("telephone")
            if phone is not None and phone != prem.phone:
                yield finding("consistency.jsonld", url, f"telephone is “{phone}”, the records say “{prem.phone}”")
            elif phone is None and not _placeholder(prem.phone):
                yield finding("consistency.jsonld", url, f"telephone is missing; the records say “{prem.phone}”")
    pages = [n for n in nodes if n.get("@type") in ("MedicalWebPage", "WebPage")]
    if pages and pages[0].get("url") != facts.canonical:
        yield finding("consistency.jsonld", url, f"the page's url is {pages[0].get('url')}, expected "
                      f"{facts.canonical}")
    if pages and facts.treatment and facts.kind in (PageKind.TREATMENT, PageKind.LANDING):
        about = pages[0].get("about") or {}
        if about.get("name") != facts.treatment:
            yield finding("consistency.jsonld", url, f"`about` is “{about.get('name')}”, expected "
                          f"“{facts.treatment}”")


def _placeholder(value) -> bool:
    return getattr(value, "is_placeholder", False)
