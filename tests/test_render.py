"""Rendering: escaped hostile data, JSON-LD, head tags, template errors that name file and line, golden pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from generator.build import build
from generator.errors import TemplateProblem
from generator.plan import plan_site
from generator.render import (
    DESCRIPTION_MAX,
    DESCRIPTION_MIN,
    TITLE_MAX,
    Renderer,
    _linker,
    fit_description,
    fit_title,
    json_ld,
    paragraphs,
    station_text,
)
from generator.validate import load_project
from tests.projects import edit


def html_pages(output: Path) -> Iterator[tuple[str, str, lxml.html.HtmlElement]]:
    for path in sorted(output.rglob("*.html")):
        text = path.read_text("utf-8")
        yield path.relative_to(output).as_posix(), text, lxml.html.document_fromstring(text)


def json_ld_of(doc: lxml.html.HtmlElement) -> dict:
    scripts = doc.xpath('//script[@type="application/ld+json"]')
    assert len(scripts) == 1
    return json.loads(scripts[0].text)


def strings_in(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def hostile(field: str) -> str:
    """The value tests/fixtures/hostile gives each text field."""
    return f'</script><b>{field}</b> "dq" \'sq\' & <!-- {field} -->'


# Every text field of the hostile fixture that the pages show.
SHOWN_FIELDS = [
    "site.name", "premises.name", "address.street", "address.locality", "address.region", "address.postcode",
    "premises.parking", "practitioner.name", "practitioner.profession",
    "practitioner.registration_number", "disclaimer.text", "treatment.name", "treatment.summary",
    "section.heading", "section.text", "treatment.what_to_expect", "treatment.aftercare", "treatment.downtime",
    "treatment.risks", "faq.question", "faq.answer", "location.name", "location.county",
    "location.nearest_station", "location.notes", "attribution",
]
# ... and those that structured data carries as whole values.
JSON_LD_FIELDS = ["site.name", "premises.name", "address.street", "address.locality", "address.region",
                  "address.postcode", "treatment.name", "location.name", "faq.question",
                  "faq.answer"]


@pytest.fixture
def hostile_site(hostile_project: Path) -> Path:
    build(hostile_project)
    return hostile_project / "output"


def test_hostile_data_never_becomes_markup(hostile_site: Path) -> None:
    pages = list(html_pages(hostile_site))
    assert len(pages) == 8
    for rel, text, doc in pages:
        assert "<b>" not in text and "<i>" not in text and "<!--" not in text, rel
        assert text.count("<script") == 1 and text.count("</script>") == 1, rel
        assert "</title>" in text and text.count("</title>") == 1, rel
        assert doc.xpath("//b | //i") == [], rel
        assert len(doc.xpath("//title")) == 1 and len(doc.xpath("//h1")) == 1, rel


def test_hostile_data_shows_as_the_text_that_was_written(hostile_site: Path) -> None:
    shown = " ".join(" ".join(doc.text_content().split()) for _, _, doc in html_pages(hostile_site))
    attributes = " ".join(value for _, _, doc in html_pages(hostile_site) for el in doc.iter()
                          for value in el.attrib.values())
    for field in SHOWN_FIELDS:
        assert hostile(field) in shown, field
    # Attributes (og:site_name, og:title) carry it intact too.
    assert hostile("site.name") in attributes and hostile("treatment.name") in attributes


def test_hostile_data_in_json_ld_parses_back_to_the_original_strings(hostile_site: Path) -> None:
    values: set[str] = set()
    for rel, _text, doc in html_pages(hostile_site):
        raw = doc.xpath('//script[@type="application/ld+json"]')[0].text
        assert "<" not in raw and ">" not in raw and "&" not in raw, rel    # written as \u003c \u003e \u0026
        values |= set(strings_in(json_ld_of(doc)))
    for field in JSON_LD_FIELDS:
        assert hostile(field) in values, field


def test_hostile_patterns_in_titles_and_descriptions_are_escaped(hostile_site: Path) -> None:
    doc = lxml.html.document_fromstring((hostile_site / "hostile-treatment/index.html").read_text())
    title = doc.xpath("//title")[0].text
    assert title.startswith(hostile("treatment.name") + " </title> ")
    description = doc.xpath('//meta[@name="description"]/@content')[0]
    assert "</script> & 'quotes' and \"double quotes\"" in description or description.endswith("…")


def test_json_ld_escapes_what_could_end_a_script() -> None:
    text = str(json_ld({"name": "</script><!-- & -->", "n": 1}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><!-- & -->", "n": 1}


def test_paragraphs_escape_each_paragraph() -> None:
    assert str(paragraphs("One <b>\n\nTwo & three")) == "<p>One &lt;b&gt;</p>\n<p>Two &amp; three</p>"
    assert str(paragraphs("")) == ""


@given(st.text(), st.text(), st.booleans())
def test_a_link_is_the_markup_markup_format_makes(url: str, text: str, safe: bool) -> None:
    """link() writes its anchor from escaped parts, not with Markup.format (a third of the time): the same markup,
    whatever the URL and text hold, text already markup kept as it is."""
    shown = Markup(text) if safe else text
    link = _linker({url: True, "/held/": False})
    assert link(url, shown) == Markup('<a href="{}">{}</a>').format(url, shown)
    assert link(["/held/"], shown, always=url or "/") == Markup('<a href="{}">{}</a>').format(url or "/", shown)
    assert link("/held/", shown) == Markup("{}").format(shown)


@pytest.mark.parametrize(("title", "fitted"), [
    ("Short title | Clinic", "Short title | Clinic"),
    # The county goes first; then the part that is only the clinic's name.
    ("Nose-to-mouth Line Fillers in West Molesey, Surrey | It's Me and You Clinic",
     "Nose-to-mouth Line Fillers in West Molesey"),
    ("Skin Boosters in West Molesey, Surrey | It's Me and You Clinic",
     "Skin Boosters in West Molesey | It's Me and You Clinic"),
    ("Nose-to-mouth Line Fillers near Cobham and Stoke d'Abernon, Surrey",
     "Nose-to-mouth Line Fillers near Cobham and Stoke d'Abernon"),
    # The home page keeps what the clinic is and where, not its name alone.
    ("It's Me and You Clinic | Aesthetic clinic in West Molesey, Surrey",
     "It's Me and You Clinic | Aesthetic clinic in West Molesey"),
    ("It's Me and You Aesthetic and Wellbeing Clinic | Aesthetic clinic in West Molesey, Surrey",
     "Aesthetic clinic in West Molesey"),
    ("A" * 70, "A" * 70),     # nothing to drop: kept whole rather than cut mid-word
])
def test_fit_title_keeps_what_the_page_is_about(title: str, fitted: str) -> None:
    clinic = title.split(" | ")[0] if title.startswith("It's") else "It's Me and You Clinic"
    assert fit_title(title, clinic) == fitted


def test_fit_description_keeps_whole_sentences() -> None:
    text = ("Lip Fillers for adults near Long Ditton And Somewhere Else: our West Molesey clinic is 2.2 miles "
            "(3.5 km) north of Long Ditton. Consultation first; risks explained.")
    assert fit_description(text) == ("Lip Fillers for adults near Long Ditton And Somewhere Else: our West Molesey "
                                      "clinic is 2.2 miles (3.5 km) north of Long Ditton. Consultation first.")
    words = "word " * 50
    fitted = fit_description(words.strip())
    assert len(fitted) <= DESCRIPTION_MAX and fitted.endswith("word…")
    assert fit_description("short") == "short"


# -- the sample site, as built ------------------------------------------------------------------------------------

def test_sample_pages_have_the_head_a_search_engine_needs(built_sample: Path) -> None:
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    demoted: set[str] = set()      # the hubs that demoted pages point to
    for rel, text, doc in html_pages(built_sample):
        assert text.startswith("<!DOCTYPE html>\n<html lang=\"en-GB\">"), rel
        assert doc.get("lang") == "en-GB"
        assert len(doc.xpath("//h1")) == 1, rel
        assert doc.xpath('//meta[@name="viewport"]/@content') == ["width=device-width, initial-scale=1"], rel
        title = doc.xpath("//title")[0].text
        description = doc.xpath('//meta[@name="description"]/@content')[0]
        assert len(title) <= TITLE_MAX, (rel, title)
        assert DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX, (rel, len(description), description)
        assert doc.xpath('//meta[@property="og:title"]/@content') == [title]
        assert doc.xpath('//meta[@property="og:description"]/@content') == [description]
        if rel == "404.html":
            assert doc.xpath('//meta[@name="robots"]/@content') == ["noindex"]
            assert doc.xpath('//link[@rel="canonical"]') == []
            continue
        canonical = doc.xpath('//link[@rel="canonical"]/@href')
        url_path = "/" + rel.removesuffix("index.html")
        assert len(canonical) == 1 and re.fullmatch(r"https://[^/]+/\S*", canonical[0]), rel
        assert doc.xpath('//meta[@property="og:url"]/@content') == canonical
        if "noindex" in "".join(doc.xpath('//meta[@name="robots"]/@content')):
            # Demoted by the checks (thin or duplicate content): canonical to its hub, which stays indexable.
            hub = re.sub(r"^https://[^/]+", "", canonical[0])
            assert hub != url_path and url_path.startswith(hub) or hub == "/areas/", (rel, hub)
            demoted.add(hub)
        else:
            assert canonical[0].endswith(url_path) and canonical[0].count("/") == url_path.count("/") + 2, rel
        titles[rel], descriptions[rel] = title, description
    assert len(set(titles.values())) == len(titles), "titles must be unique"
    assert len(set(descriptions.values())) == len(descriptions), "descriptions must be unique"
    for hub in demoted:
        doc = lxml.html.document_fromstring((built_sample / hub.lstrip("/") / "index.html").read_text())
        assert "noindex" not in "".join(doc.xpath('//meta[@name="robots"]/@content')), hub


def test_sample_structured_data(built_sample: Path) -> None:
    kinds_seen = set()
    for rel, _, doc in html_pages(built_sample):
        graph = json_ld_of(doc)["@graph"]
        by_type = {node["@type"]: node for node in graph}
        kinds_seen |= set(by_type)
        clinic = by_type["MedicalClinic"]
        assert clinic["areaServed"] and all(a["@type"] == "Place" for a in clinic["areaServed"])
        if rel == "404.html":
            assert "WebPage" in by_type
            continue
        page = by_type["MedicalWebPage"]
        own_url = re.match(r"https://[^/]+", doc.xpath('//link[@rel="canonical"]/@href')[0]).group(0) + \
            "/" + rel.removesuffix("index.html")
        assert page["url"] == page["@id"] == own_url, rel
        assert page["inLanguage"] == "en-GB"
        if rel != "index.html":
            crumbs = by_type["BreadcrumbList"]["itemListElement"]
            assert [c["position"] for c in crumbs] == list(range(1, len(crumbs) + 1))
            assert crumbs[-1]["item"] == page["url"]
        faq_headings = doc.xpath('//section[@class="faqs"]//h3')
        if faq_headings:
            questions = [q["name"] for q in by_type["FAQPage"]["mainEntity"]]
            assert questions == [h.text_content() for h in faq_headings], rel
        else:
            assert "FAQPage" not in by_type, rel
        if rel.count("/") == 2 and not rel.startswith("areas/"):        # a landing page
            area = doc.xpath('//nav[@aria-label="Breadcrumb"]//li[last()]')[0].text_content().strip()
            assert [a["name"] for a in clinic["areaServed"]] == [area]
    assert {"MedicalClinic", "MedicalWebPage", "BreadcrumbList", "FAQPage"} <= kinds_seen


def _published(output: Path) -> set[str]:
    """The URL paths in the sitemap: the pages published (not held back)."""
    return {re.sub(r"^https?://[^/]+", "", u) for u in re.findall(r"<loc>(.*?)</loc>",
                                                                  (output / "sitemap.xml").read_text())}


def test_sample_landing_pages_say_something_local(built_sample: Path) -> None:
    landings = [(rel, doc) for rel, _, doc in html_pages(built_sample)
                if rel.count("/") == 2 and not rel.startswith("areas/")]
    assert len(landings) > 300
    for rel, doc in landings:
        treatment, area = rel.split("/")[:2]
        text = " ".join(doc.text_content().split())
        assert re.search(r"about (\d+\.\d miles|1 mile) \(\d+\.\d km\) (north|south|east|west)", text) or \
            re.search(r"Our [A-Z][A-Za-z -]+ clinic, in [A-Z][A-Za-z -]+ itself", text) and area == "west-molesey", rel
        hrefs = doc.xpath("//main//a/@href")
        published = _published(built_sample)
        assert f"/{treatment}/" in hrefs, rel
        assert (f"/areas/{area}/" in hrefs) == (f"/areas/{area}/" in published), rel   # held back: not linked
        nearby = doc.xpath('//section[@aria-labelledby="nearby"]//li')
        assert 1 <= len(nearby) <= 5, rel
        linked = [h for h in hrefs if h.startswith(f"/{treatment}/") and h.count("/") == 3]
        assert all(h in published for h in linked), rel
        assert doc.xpath('//section[@class="disclaimers"]//li'), rel


# -- template errors --------------------------------------------------------------------------------------------

def _render_all(project_dir: Path) -> None:
    project = load_project(project_dir)
    plan = plan_site(project)
    renderer = Renderer(project, plan, project_dir / "templates")
    for page in plan.pages:
        renderer.render(page)


def _append_to_line(path: Path, line: int, text: str) -> None:
    lines = path.read_text("utf-8").split("\n")
    lines[line - 1] += text
    path.write_text("\n".join(lines), "utf-8")


def test_template_syntax_error_names_file_and_line(mini_project: Path) -> None:
    _append_to_line(mini_project / "templates/landing.html", 5, " {% if %}")
    with pytest.raises(TemplateProblem) as caught:
        _render_all(mini_project)
    assert str(caught.value).split("\n")[0] == (
        "templates/landing.html:5: Expected an expression, got 'end of statement block'")
    assert (caught.value.template, caught.value.line) == ("templates/landing.html", 5)


def test_undefined_variable_names_file_line_and_page(mini_project: Path) -> None:
    _append_to_line(mini_project / "templates/landing.html", 4, " {{ location.no_such_field }}")
    with pytest.raises(TemplateProblem) as caught:
        _render_all(mini_project)
    assert str(caught.value) == (
        "templates/landing.html:4: UndefinedError: 'generator.model.Location object' has no attribute "
        "'no_such_field'\n    while rendering /lip-fillers/east-molesey/")


def test_error_in_an_included_template_names_the_included_file(mini_project: Path) -> None:
    _append_to_line(mini_project / "templates/_faqs.html", 3, " {{ oops }}")
    with pytest.raises(TemplateProblem) as caught:
        _render_all(mini_project)
    assert str(caught.value) == "templates/_faqs.html:3: UndefinedError: 'oops' is undefined\n" \
                                "    while rendering /lip-fillers/"


def test_missing_included_template_names_the_including_file(mini_project: Path) -> None:
    _append_to_line(mini_project / "templates/_faqs.html", 3, ' {% include "nothere.html" %}')
    with pytest.raises(TemplateProblem) as caught:
        _render_all(mini_project)
    assert str(caught.value) == ("templates/_faqs.html:3: template not found: nothere.html\n"
                                 "    while rendering /lip-fillers/")


def test_missing_page_template(mini_project: Path) -> None:
    (mini_project / "templates/area.html").unlink()
    with pytest.raises(TemplateProblem) as caught:
        _render_all(mini_project)
    assert str(caught.value) == ("templates/area.html: template not found: area.html\n"
                                 "    while rendering /areas/cobham/")


def test_templates_compiled_ahead_are_those_the_pages_use_and_an_error_waits_for_the_render(mini_project: Path):
    """`compile_ahead` (before render workers are forked) compiles a page template and all it extends, includes and
    imports, no other; a template with an error stops nothing there, and the render reports it as it would have."""
    project = load_project(mini_project)
    plan = plan_site(project)
    renderer = Renderer(project, plan, mini_project / "templates")
    renderer.compile_ahead({"landing.html"})
    compiled = {name for _, name in renderer.env.cache}   # type: ignore[union-attr]
    assert {"landing.html", "base.html", "_macros.html", "_faqs.html", "_book.html", "_people.html"} <= compiled
    assert "area.html" not in compiled and "home.html" not in compiled
    _append_to_line(mini_project / "templates/_faqs.html", 3, " {% if %}")
    landing = next(page for page in plan.pages if page.template == "landing.html")
    errors = []
    for ahead in (False, True):
        broken = Renderer(project, plan, mini_project / "templates")
        if ahead:
            broken.compile_ahead({"landing.html", "area.html"})
        with pytest.raises(TemplateProblem) as caught:
            broken.render(landing)
        errors.append(str(caught.value))
    assert errors[0] == errors[1] and errors[0].startswith("templates/_faqs.html:3: ")


def test_a_template_text_is_compiled_once_per_memo_and_each_folder_s_error_names_its_own_file(tmp_path, monkeypatch):
    """Environments that share a memo (the preview's `Memory`, across saves) do not parse and generate again a
    template text one of them compiled (the same text in another folder too), yet an error in it names the file of
    this environment's folder, and an edited text is compiled anew. An environment made without a memo learns
    nothing from the others: what a build knows of its templates is the build's, not the process's."""
    import jinja2

    from generator.render import TemplateMemo, _template_frame, make_environment

    generated: list[str | None] = []
    real = jinja2.Environment._generate
    monkeypatch.setattr(jinja2.Environment, "_generate",
                        lambda self, source, name, *args, **kw: generated.append(name) or real(
                            self, source, name, *args, **kw))
    text = "<p>{{ page.x }}</p>\n"
    folders = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "page.html").write_text(text, "utf-8")
        folders.append(tmp_path / name)
    memo = TemplateMemo()
    for folder in folders:
        env = make_environment(folder, memo)
        assert env.get_template("page.html").render(page={"x": "one & two"}) == text.replace(
            "{{ page.x }}", "one &amp; two")
        with pytest.raises(jinja2.UndefinedError) as caught:
            env.get_template("page.html").render()
        assert _template_frame(caught.value, folder) == ("templates/page.html", 1)
    assert generated == ["page.html"]
    (folders[1] / "page.html").write_text(text.replace("<p>", "<p>Edited: "), "utf-8")
    assert make_environment(folders[1], memo).get_template("page.html").render(page={"x": "y"}).startswith(
        "<p>Edited: y</p>")
    assert generated == ["page.html", "page.html"]
    make_environment(folders[0]).get_template("page.html")   # no memo: the text is compiled again
    assert generated == ["page.html", "page.html", "page.html"]
    assert make_environment(folders[0]).template_meta("page.html", text) == (frozenset({"page"}), ())


# -- golden pages -----------------------------------------------------------------------------------------------

@pytest.fixture
def mini_site(mini_project: Path) -> Path:
    build(mini_project)
    return mini_project / "output"


@pytest.mark.parametrize(("page", "golden_name"), [
    ("lip-fillers/esher/index.html", "landing-lip-fillers-esher.html"),
    ("lip-fillers/index.html", "treatment-lip-fillers.html"),
    ("areas/esher/index.html", "area-esher.html"),
])
def test_golden_pages(mini_site: Path, golden, page: str, golden_name: str) -> None:
    golden(golden_name, (mini_site / page).read_text("utf-8"))


def test_the_areas_page_names_the_premises_own_county(mini_project: Path) -> None:
    edit(mini_project / "site.yaml", "region: Surrey", "region: Berkshire")
    build(mini_project)
    description = lxml.html.parse(str(mini_project / "output/areas/index.html")).find(
        ".//meta[@name='description']").get("content")
    assert ", Berkshire serves" in description and "Surrey" not in description


def test_a_data_change_shows_on_the_page(mini_project: Path) -> None:
    edit(mini_project / "locations.yaml", "nearest_station: Esher", "nearest_station: Esher (for Sandown Park)")
    build(mini_project)
    text = (mini_project / "output/lip-fillers/esher/index.html").read_text()
    assert "Esher has its own railway station, Esher (for Sandown Park)." in text


@pytest.mark.parametrize(("station", "sentence"), [
    ("Esher", "Esher has its own railway station."),
    ("Esher (for Sandown Park)", "Esher has its own railway station, Esher (for Sandown Park)."),
    ("Hampton Court", "The nearest railway station to Esher is Hampton Court."),
])
def test_the_station_sentence_does_not_name_the_area_twice(station: str, sentence: str) -> None:
    assert station_text("Esher", station) == sentence


def test_an_area_at_the_clinics_own_map_point_reads_as_where_the_clinic_is(built_sample: Path) -> None:
    """The sample's premises stands at GeoNames' point for West Molesey: no page says "0.0 km north" of it."""
    for rel, text, doc in html_pages(built_sample):
        shown = " ".join(doc.xpath("//main")[0].text_content().split()) if doc.xpath("//main") else ""
        description = doc.xpath('//meta[@name="description"]/@content')[0]
        for words in (shown, description, text):
            assert "0.0 km" not in words and "0.0 miles" not in words, rel
    landing = lxml.html.document_fromstring((built_sample / "lip-fillers/west-molesey/index.html").read_text())
    main = " ".join(landing.xpath("//main")[0].text_content().split())
    assert "Our West Molesey clinic, in West Molesey itself" in main
    assert landing.xpath('//meta[@name="description"]/@content')[0].startswith(
        "Lip Fillers for adults near West Molesey: our West Molesey clinic is in West Molesey itself.")
    area = " ".join(lxml.html.document_fromstring((built_sample / "areas/west-molesey/index.html").read_text())
                    .xpath("//main")[0].text_content().split())
    assert "Our West Molesey clinic is in West Molesey itself." in area
    areas = (built_sample / "areas" / "index.html").read_text()
    assert '<li>West Molesey <span class="muted">where the clinic is</span></li>' in areas   # held back: not linked
    assert '<li>Esher <span class="muted">2.2 miles (3.5 km)</span></li>' in areas   # others keep their distance
