"""parse_html: what a visitor sees, what the head says, what a crawler follows."""

from __future__ import annotations

from generator.checks import parse_html
from generator.checks.html import page_path

PAGE = """<!DOCTYPE html>
<HTML lang="en-GB"><head>
<title>Lip Fillers near Esher &amp; Claygate</title>
<meta name="Description" content="  Lip fillers   for adults. ">
<meta name="robots" content="NOINDEX, follow">
<meta name="viewport" content="width=device-width">
<link rel="stylesheet canonical" href=" https://clinic.example/lip-fillers/ ">
<script type="application/ld+json">{"@type": "MedicalClinic", "name": "</p> not a block"}</script>
</head><body>
<nav aria-label="Breadcrumb"><ol><li><a href="/">Home</a></li><li><a href="/lip-fillers/">Lip Fillers</a></li></ol></nav>
<main id="main"><H1>Lip Fillers <span hidden>secret</span>near Esher</H1>
<p>One <a href="#faq">two</a> three<br>four</p><ul><li>Chin</li><li>Cheek</li></ul><ul class="empty"></ul>
<svg><title>tooltip</title><text>Drawn</text></svg>
<h2 id="faq">Questions</h2><dl><dt>Age</dt><dd>18</dd></dl>
<img src="a.png" alt=" Before  and after "><img src="b.png">
<div style="display:none"><a href="/hidden-link/">Hidden link</a></div>
</main>
<footer>Footer text</footer>
</body></HTML>"""


def test_head_fields():
    page = parse_html("lip-fillers/esher/index.html", PAGE)
    assert page.url_path == "/lip-fillers/esher/"
    assert (page.lang, page.title, page.titles) == ("en-GB", "Lip Fillers near Esher & Claygate", 1)
    assert (page.description, page.descriptions) == ("Lip fillers for adults.", 1)
    assert page.robots == "noindex, follow" and page.noindex and page.viewport
    assert page.canonical == "https://clinic.example/lip-fillers/"
    assert page.jsonld == ['{"@type": "MedicalClinic", "name": "</p> not a block"}']


def test_visible_text_keeps_blocks_apart_and_leaves_hidden_things_out():
    page = parse_html("x/index.html", PAGE)
    assert page.main_text == ("Lip Fillers near Esher\nOne two three\nfour\nChin\nCheek\nDrawn\nQuestions\nAge\n18")
    assert page.visible_text.startswith("Home\nLip Fillers\nLip Fillers near Esher\n")
    assert page.visible_text.endswith("\nFooter text")
    assert "secret" not in page.visible_text and "tooltip" not in page.visible_text
    assert page.h1 == ["Lip Fillers near Esher"]
    assert page.headings == [(1, "Lip Fillers near Esher"), (2, "Questions")]


def test_what_a_crawler_follows():
    page = parse_html("x/index.html", PAGE)
    assert page.links == [("/", "Home"), ("/lip-fillers/", "Lip Fillers"), ("#faq", "two"),
                          ("/hidden-link/", "Hidden link")]      # a hidden link is still a link
    assert page.images == [("a.png", "Before and after"), ("b.png", None)]
    assert page.ids == {"main", "faq"}
    assert page.breadcrumbs == [("Home", "/"), ("Lip Fillers", "/lip-fillers/")]
    assert page.empty_lists == ["empty"]


def test_no_main_falls_back_to_the_body_and_bytes_are_decoded():
    page = parse_html("index.html", "<html><body><p>Caf\u00e9 only</p></body></html>".encode())
    assert page.url_path == "/" and page.main_text == page.visible_text == "Caf\u00e9 only"


def test_page_path():
    assert [page_path(f) for f in ("index.html", "a/index.html", "a/b.html", "404.html")] == \
        ["/", "/a/", "/a/b.html", "/404.html"]


def test_without_links_the_content_is_the_same():
    """build and check parse with links=False (no links, ids or breadcrumbs): everything the content checks read
    must be what the full parse gives, on the golden pages, the exosome article and the page above."""
    from dataclasses import asdict
    from pathlib import Path

    here = Path(__file__).parent
    pages = [("lip-fillers/esher/index.html", PAGE)]
    pages += [(f"{p.stem}/index.html", p.read_text("utf-8")) for p in sorted((here / "golden").glob("*.html"))]
    pages.append(("exosomes/index.html", (here / "fixtures" / "checks" / "exosome-article.html").read_text("utf-8")))
    for file, html in pages:
        full, lite = asdict(parse_html(file, html)), asdict(parse_html(file, html, links=False))
        assert full["links"] and not lite["links"] and not lite["ids"] and not lite["breadcrumbs"]
        for key in ("links", "ids", "breadcrumbs"):
            del full[key], lite[key]
        assert lite == full, file
