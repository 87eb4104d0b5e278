"""The fast paths of the per-page checks give what the plain computations give.

Claims (by sentence; a question's answer may be on the next line), missing values and folding are worked out once
per distinct line and remembered; parse_html takes the
text of <main> from the body's lines and splits block marks with a case-sensitive pattern when it can. Each test
compares a fast path with the whole-text computation it replaces, on texts made to find the edges.
"""

from __future__ import annotations

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks import HtmlPage, content, parse_html
from generator.checks.claims import ClaimsChecker, load_rules
from generator.checks.claims.lines import joined_rows
from generator.checks.claims.pagetext import _strings
from generator.checks.claims.phrases import ASCII_WORD_PATTERN, WORD_PATTERN
from generator.checks.claims.signatures import numbers_pattern
from generator.checks.duplicates import text as duplicate_text
from generator.checks.html import _BLOCK_TAGS, _blocks, _lines, mark_blocks

EXEMPT = ["Results vary from person to person and are not guaranteed.", "Botox is a prescription-only medicine."]
LONG = " ".join(["lorem ipsum dolor sit amet consectetur adipiscing elit"] * 6)   # a clause of 300+ characters


@pytest.fixture(scope="module")
def checker() -> ClaimsChecker:
    return ClaimsChecker(load_rules(), EXEMPT)


def whole_text(checker: ClaimsChecker, page: HtmlPage) -> list[tuple[str, str, str]]:
    """The findings of a checker that remembers nothing yet (its memo starts empty for this page)."""
    fresh = _FRESH.get(id(checker.rules))
    if fresh is None:
        fresh = _FRESH[id(checker.rules)] = ClaimsChecker(checker.rules, EXEMPT)
    fresh._lines.clear()
    return sorted((f.rule, f.message, f.evidence) for f in fresh.check(page))


_FRESH: dict[int, ClaimsChecker] = {}


def by_line(checker: ClaimsChecker, page: HtmlPage) -> list[tuple[str, str, str]]:
    return sorted((f.rule, f.message, f.evidence) for f in checker.check(page))


@pytest.mark.parametrize("text", [
    "It is safe.\nIt is safe.\nResults are guaranteed.",                      # counted across lines, first evidence
    "We never compromise\nit is safe",                                        # the negation is on the line before
    "Not only that\n" + LONG + " it is safe",                                 # a long clause: decided on the page
    "not only\n" + LONG + " it is safe",
    "Not only that\n" + LONG + " there is no safe way",                     # "not only" on the page excuses "no"
    LONG + " it is not safe\nbut this is safe",
    "Results are\nnot guaranteed.",                                           # the negation is on the line after
    "only 3\nslots left, it is safe",                                         # a pattern across lines
    "Book an appointment.\nOnly 2 places left!",                              # its trigger on another line
    "Results vary from person to person and are not guaranteed.\nResults are guaranteed.",   # an exempt line
    "Botox is a prescription-only medicine.",
    "It is risk -\nfree and completely\nsafe",
    "A completely safe - painless - treatment\n\nrisk free*\n",
])
def test_remembered_lines_give_the_claims_of_a_fresh_check(checker, text):
    page = HtmlPage("x/index.html", "/x/", visible_text=text, title=text.replace("\n", " "), description=text,
                    images=[("a.jpg", text)], jsonld=[json.dumps({"name": text})])
    assert by_line(checker, page) == whole_text(checker, page)
    assert by_line(checker, page) == whole_text(checker, page)   # again, from the remembered lines


def test_remembered_lines_on_random_texts(checker):
    rnd = random.Random(4)
    words = ["safe", "completely", "risk", "free", "risk-free", "guaranteed", "results", "permanent", "painless",
             "botox", "treats", "acne", "cure", "not", "only", "no", "never", "cannot", "is", "are", "be", "isn't",
             "nothing", "but", "hurry", "only", "3", "slots", "left", "places", "appointment", "free*", "*",
             "lunchtime", "treatment", "revolutionary", "exosome", "therapy", "the", "a", "we", "you", "it", "-", "--",
             ".", ",", ";", ":", "!", "?"]
    small = ClaimsChecker(load_rules(), EXEMPT)
    small.MEMO_LINES = 50   # the memo starts again many times
    for _ in range(1500):
        lines = []
        for _ in range(rnd.randint(1, 6)):
            if rnd.random() < 0.2:
                lines.append(LONG + " " + " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 6))))
            elif rnd.random() < 0.1:
                lines.append(rnd.choice(EXEMPT) + " " + rnd.choice(words))
            else:
                lines.append(rnd.choice([" ", "  ", "\u2019", " \u2014 "]).join(
                    rnd.choice(words) for _ in range(rnd.randint(0, 12))))
        page = HtmlPage("x/index.html", "/x/", visible_text="\n".join(lines))
        assert by_line(small, page) == whole_text(small, page), page.visible_text
    assert len(small._lines) <= small.MEMO_LINES


def test_jsonld_strings_in_order_without_links_and_named_keys():
    out: list[str] = []
    _strings({"@type": "X", "name": "a", "url": "b", "x": [{"item": "c", "d": ["e", "/f", 1, None, {"g": "h"}]},
                                                           "https://i", "j"], "k": {"sameAs": ["l"], "m": "n"}}, out)
    assert out == ["a", "e", "h", "j", "n"]
    out = []
    _strings("plain", out)
    _strings(3, out)
    assert out == ["plain"]


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
       | st.lists(st.sampled_from(["it's", "o'", "'", "_", "a_b", "x1", "99", " ", "-", "\n", "Z"])).map("".join))
@settings(max_examples=400, deadline=None)
def test_words_of_ascii_text_read_as_the_claims_word_reads_them(text):
    assert ASCII_WORD_PATTERN.findall(text) == WORD_PATTERN.findall(text)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80)
       | st.lists(st.sampled_from(["it's", "a-b", "-", "3.5", "1,000", "12:30", ".", "_", "x1", " ", "\n", "Z"]))
       .map("".join))
@settings(max_examples=400, deadline=None)
def test_words_of_ascii_text_read_as_the_duplicate_checks_word_reads_them(text):
    assert duplicate_text.ASCII_WORD.findall(text) == duplicate_text.WORD.findall(text)


@given(st.lists(st.integers(0, 99), min_size=1, max_size=12, unique=True).map(sorted),
       st.lists(st.sampled_from(["1", "2", "7", "12", "17", "0", "99", ".", ",", ":", " ", "a", "\u0663"]))
       .map("".join))
@settings(max_examples=400, deadline=None)
def test_numbers_found_as_when_the_expression_looked_back_first(numbers, text):
    looking_back_first = re.compile(r"(?<![\d.])(?:" + "|".join(map(str, numbers)) + r")(?![\d.,:])")
    assert [m.span() for m in numbers_pattern(numbers).finditer(text)] == \
        [m.span() for m in looking_back_first.finditer(text)]


def _rows_line_by_line(lines: list[str]) -> list[str]:
    """`joined_rows` as it was: each line looked at in turn, a price-only line matched on its own."""
    price = r"(?:from\s+)?[£$€]\s?\d[\d,.]*"
    alone = re.compile(rf"\s*{price}(?:\s*(?:each|pp|per \w+|a session))?\s*\**\s*$", re.I)
    out: list[str] = []
    for line in lines:
        if out and out[-1] and not out[-1].rstrip().endswith((".", "!", "?", ":")) and alone.match(line):
            out[-1] = f"{out[-1]} {line.strip()}"
        else:
            out.append(line)
    return out


@given(st.lists(st.sampled_from(["One area", "£149", " £ 1,200.50 ", "from £90", "FROM $5 each", "€12 pp",
                                 "£3 per session*", "£4 a session", "£5.", "£6 x", "Price:", "Done.", "Why?",
                                 "", " ", "\t", "\r", "\x0b", "\u00a0", "\u2028", "\x85", "*", "\n"]),
                max_size=12).map("".join))
@settings(max_examples=400, deadline=None)
def test_price_rows_joined_in_the_whole_text_as_line_by_line(text):
    assert joined_rows(text) == _rows_line_by_line(text.split("\n"))


@pytest.mark.parametrize("text", [
    "None of our treatments\nNone\n. None here\nvalue: None", "a\nNone", "x None\ny", "ok\n\nnull", "ok\nnan\n",
    "fine\nundefined value", "[object Object]\nNone", "NaN", "", "\n", "a  b\t\n c\u00a0d \u2019Quote\u201d ΑΣ Straße",
])
def test_missing_values_and_folding_by_line(text):
    content.MEMO_LINES, limit = 3, content.MEMO_LINES
    try:
        for _ in range(2):
            assert content._missing_value(text) == content._missing_in_line(text)   # the whole text at once
            assert content.fold(text) == content._fold(text)
    finally:
        content.MEMO_LINES = limit


def test_block_marks_without_ignorecase_split_as_with_it():
    reference = re.compile(rf"(<(?:/?(?:{_BLOCK_TAGS})(?=[\s/>])|[bh]r\b))".encode(), re.IGNORECASE)
    for html in ["<p>a</p><li>b", "<P>a</P>", "<dIv>x</Div >", "<ſection>", "<lİ>a", "<lı>", "<sK>", "<BR>a<Hr/>",
                 "<br><bR>", "<h1>t</H1>", "<!DOCTYPE html><html><body><main>x</main>", "<pre>a</pre><PRE>b",
                 "<span>no</span>", "<Span>", "a < b > c", "</TABLE>", "<tablE\n>", "<Ünïcode> <p>x"]:
        data = html.encode()
        parts = reference.split(data)
        parts[1::2] = [b"\x07" + tag for tag in parts[1::2]]
        assert mark_blocks(data) == b"".join(parts), html


_TAG_PIECES = [t for t in _BLOCK_TAGS.split("|") if t != "h[1-6]"] + ["h1", "h6", "h7", "b", "br", "hr", "pa", "param",
                                                                       "tbody", "lix", "span", "a", "head", "mains"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["<", "</", "< ", "x"]), st.sampled_from(_TAG_PIECES),
                          st.sampled_from([">", " ", "/", "\n", "x", "-", "", "1"]), st.booleans()), max_size=12))
def test_block_names_grouped_by_letter_split_as_the_plain_alternation(pieces):
    """The block tags' pattern, its names grouped by first letter and split at each tag's "<", marks the same tags as
    one alternation of `_BLOCK_TAGS` that captures each whole tag, in either case."""
    html = "".join(open_ + (name.upper() if upper else name) + end for open_, name, end, upper in pieces).encode()
    for flags, mixed_case in ((re.I, True), (0, False)):
        reference = re.compile(rf"(<(?:/?(?:{_BLOCK_TAGS})(?=[\s/>])|[bh]r\b))".encode(), flags)
        parts = reference.split(html)
        parts[1::2] = [b"\x07" + tag for tag in parts[1::2]]
        assert mark_blocks(html, mixed_case) == b"".join(parts)


def test_tag_names_fold_case_in_ascii_only_as_html_does():
    """"<ſection>" is no <section> (an HTML parser folds A-Z only in tag names): no block starts there."""
    assert mark_blocks(b"<SECTION>a</Section>") == b"\x07<SECTION>a\x07</Section>"
    assert mark_blocks("<ſection>a</ſection><lİ>b".encode()) == "<ſection>a</ſection><lİ>b".encode()


def test_bytes_and_text_give_the_same_page():
    html = ("<html lang=en><head><title>Caf\u00e9 \u2019x\u2019</title></head><body><main><h1>Caf\u00e9</h1>"
            "<p>na\u00efve\u00a0text</p><ul><li>\u00fcber</li></ul></main></body></html>")
    assert parse_html("index.html", html) == parse_html("index.html", html.encode())
    broken = parse_html("index.html", b"<body><p>a\xffb</p></body>")   # invalid UTF-8: U+FFFD, as decoding would
    assert broken.visible_text == b"a\xffb".decode("utf-8", errors="replace")


@pytest.mark.parametrize("html", [
    "<body><header><p>Head</p></header><main><h1>T</h1><p>one</p><p>two</p></main><footer>F</footer></body>",
    "<body><main>only text</main></body>",
    "<body>before<main><p>a</p></main>after</body>",
    "<body><p>a</p><main></main><p>b</p></body>",
    "<body><main><p>a</p></main><main><p>b</p></main></body>",
    "<body><p>same</p><main><p>same</p></main></body>",
    "<body><div hidden><main><p>gone</p></main></div><p>shown</p></body>",
    "<body><main hidden><p>gone</p></main><p>shown</p></body>",
    "<body><p>x</p><MAIN><p>  spaced   out </p><br>next</MAIN>   <p>y</p></body>",
    "<body><section><main><p>a</p></section>b</main>c</body>",
])
def test_main_text_from_the_body_lines_is_main_on_its_own(html):
    page = parse_html("index.html", html)
    tree_main = _reference_main(html)
    assert page.main_text == (tree_main if tree_main is not None else page.visible_text)


def _reference_main(html: str) -> str | None:
    """The main text the way it was worked out before: the attached first <main>, on its own."""
    from selectolax.lexbor import LexborHTMLParser

    from generator.checks.html import _BODY_SELECTOR, _HIDDEN_STYLE, _NOT_SHOWN_TAGS, _attached
    tree = LexborHTMLParser(mark_blocks(html.encode()))
    hidden, main = [], None
    for node in tree.body.css(_BODY_SELECTOR):
        attrs = node.attrs
        if node.tag == "main" and main is None:
            main = node
        if node.tag in _NOT_SHOWN_TAGS or "hidden" in attrs or \
                (attrs.get("aria-hidden") or "").strip().lower() == "true" or \
                _HIDDEN_STYLE.search(attrs.get("style") or ""):
            hidden.append(node)
    for node in hidden:
        node.remove()
    return _blocks(main) if main is not None and _attached(main) else None


@given(st.lists(st.sampled_from(["a", "é", " ", "  ", "\t", "\n", "\r", "\x07", "\u00a0", "\u2028", "\x0b",
                                  "\x1c", "\u3000", "\u200b", "x y"]), max_size=40).map("".join))
@settings(max_examples=400, deadline=None)
def test_lines_take_the_short_way_only_for_text_collapsed_already(text):
    """_lines keeps a printable piece with no double space as it is: what collapsing its whitespace gives."""
    assert _lines(text) == [line for line in (" ".join(piece.split()) for piece in text.split("\x07")) if line]


@pytest.mark.parametrize("html", [
    "<body><pre>{{ x }}</pre></body>", "<body><PRE class=a>{{ x }}</PRE></body>", "<body><p>a<code\n>b</code></p>",
    "<body><Kbd>c</Kbd><samp/>d</body>", "<body><math><mi>x</mi></math></body>", "<body><p>no code</p></body>",
    "<body><pre\thidden>gone</pre><precise>not code</precise></body>", "<body><!-- <pre>x</pre> --><p>y</p></body>",
])
def test_code_is_read_when_the_page_has_a_code_tag(html):
    """parse_html looks for code elements only when a code tag starts somewhere in the bytes (any case)."""
    from selectolax.lexbor import LexborHTMLParser

    from generator.checks.html import _CODE_SELECTOR, _text
    tree = LexborHTMLParser(mark_blocks(html.encode()))
    for node in tree.body.css("[hidden]"):
        node.remove()
    assert parse_html("index.html", html).code == [t for t in map(_text, tree.body.css(_CODE_SELECTOR)) if t]


def test_a_checker_is_made_once_for_the_same_rules_and_again_for_an_edited_rule_file(tmp_path):
    """`ClaimsChecker.for_rules` (each build and audit asks for one): the same rule objects give a checker whose
    indexes are made once, by their rule set, whatever the exempt texts, with nothing remembered of the lines an
    earlier one saw; a rule file whose text changed gives new rules, and so a checker of the new rules."""
    rules = tmp_path / "house.yaml"
    rules.write_text("rules:\n  - id: house-sale\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
                     "    phrases: [half price]\n", "utf-8")
    page = HtmlPage("x/index.html", "/x/", visible_text="Half price today.\nFree gifts today.")

    first = ClaimsChecker.for_rules(load_rules([rules]), EXEMPT)
    assert [f.rule for f in first.check(page)] == ["claims.house-sale"]
    again = ClaimsChecker.for_rules(load_rules([rules]), EXEMPT)
    assert again.by_signature is first.by_signature and again.candidates is first.candidates   # not built a second time
    assert again._lines == {} and first._lines                                     # its own memo, empty
    assert [f.rule for f in again.check(page)] == ["claims.house-sale"]
    other = ClaimsChecker.for_rules(load_rules([rules]), EXEMPT[:1])               # other exempt texts
    assert other.by_signature is first.by_signature and other.exempt != first.exempt

    rules.write_text(rules.read_text("utf-8").replace("half price", "free gifts"), "utf-8")
    edited = ClaimsChecker.for_rules(load_rules([rules]), EXEMPT)
    assert edited.by_signature is not first.by_signature
    assert [(f.rule, f.evidence) for f in edited.check(page)] == [
        (f.rule, f.evidence) for f in ClaimsChecker(load_rules([rules]), EXEMPT).check(page)]
    assert [f.evidence for f in edited.check(page)] == ["Free gifts today."]
