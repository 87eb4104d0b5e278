"""The pages' English, for every treatment and area of the sample, of the complete fixture and of generated projects
(hypothesis): verbs agree with the treatment's name, it takes its article, the own area reads as where the clinic
is, and each fact is said once per page (the age limit, the distance, a registration number)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.geo import opposite
from generator.language import NameForms, distance_text, name_forms
from generator.plan import plan_site
from generator.render import Renderer
from generator.validate import load_project
from tests.projects import FIXTURES, copy_project

_DETERMINERS = {"a", "an", "the", "our", "your", "this", "that", "each", "every", "any", "no", "one", "per", "its",
                "their", "his", "her", "another"}


def visible(html: str) -> str:
    doc = lxml.html.document_fromstring(html)
    for node in doc.xpath("//script | //style"):
        node.drop_tree()
    return " ".join(" ".join(doc.xpath("//body")[0].itertext()).split())


def wording_problems(text: str, forms: NameForms) -> list[str]:
    """What is wrong with how `text` uses a treatment's name, by its declared (or derived) grammar."""
    found = []
    name = re.escape(forms.text)
    for m in re.finditer(rf"(?i)\b{name}\s+(is|are|was|were|has|have)\b", text):
        verb = m.group(1).lower()
        if (verb in ("is", "was", "has")) == forms.plural:
            found.append(f"agreement: {m.group()!r}")
    if forms.article != "none":
        # "a" against "an" ("an chemical peel"); with no article of its own, "a microneedling session" is right.
        for m in re.finditer(rf"\b([Aa]n?)\s+{name}\b", text):
            if m.group(1).lower() != forms.article:
                found.append(f"article: {m.group()!r} (it takes {forms.article!r})")
        # Mid-sentence (lower case, after a word that is not a determiner) it needs its article: not "About
        # chemical peel" or "Who can have consultation for lines and wrinkles?".
        for m in re.finditer(rf"\b(\w+)\s+{name}\b", text):
            if m.group(1).lower() not in _DETERMINERS and forms.text[:1].islower():
                found.append(f"no article: {m.group()!r}")
        # At the start of a sentence: "Chemical peel is", not "A chemical peel is".
        bare = re.escape(forms.text[:1].upper() + forms.text[1:])
        for m in re.finditer(rf"(?:^|[.!?:]\s+){bare}\s+(?:is|are|has|have|can|may|will)\b", text):
            found.append(f"no article at a sentence's start: {m.group().strip()!r}")
    return found


def site_problems(project_dir: Path, html_of) -> list[str]:
    """Every wording problem on every page of a project: `html_of(renderer, page)` gives a page's HTML."""
    project = load_project(project_dir)
    plan = plan_site(project)
    renderer = Renderer(project, plan, project_dir / "templates")
    forms = [renderer.forms[t.slug] for t in project.treatments]
    names = "|".join(sorted((re.escape(t.text) for t in forms), key=len, reverse=True))
    mentions = re.compile(rf"(?i)\b(?:{names})\b")
    an_area = re.compile(r"\b[Aa]n?\s+(?:" + "|".join(re.escape(a.name) for a in project.locations) + r")\b")
    problems: list[str] = []
    for page in plan.pages:
        text = visible(html_of(renderer, page))
        if mentions.search(text):
            for f in forms:
                if f.text.lower() in text.lower():
                    problems += [f"{page.url_path}: {p}" for p in wording_problems(text, f)]
        m = an_area.search(text)
        if m:
            problems.append(f"{page.url_path}: an article before a place name: {m.group()!r}")
        for wrong in ("from the centre of", "0.0 km", "0.0 miles", "NMC registration NMC", " None ", "{{", "}}"):
            if wrong in text:
                problems.append(f"{page.url_path}: {wrong!r}")
        if page.reach is not None:
            problems += [f"{page.url_path}: {p}" for p in once_per_page(text, page, project)]
    return problems


def once_per_page(text: str, page, project) -> list[str]:
    """A landing page says the distance once, one way round (the clinic from the area), or that the clinic is in
    the area itself."""
    area = project.location(page.location).name
    if page.reach.here:
        said = text.count(f"in {area} itself")
        return [] if said == 1 else [f"'in {area} itself' said {said} times"]
    distance = distance_text(page.reach.km)
    said = text.count(f"{distance} {opposite(page.reach.direction)} of {area}")
    backwards = text.count(f"{area} is about")
    return [] if (said, backwards) == (1, 0) else [f"the distance said {said} times, {backwards} backwards"]


def rendered(renderer, page) -> str:
    return renderer.render(page).html


# -- the sample and the complete fixture, as built ---------------------------------------------------------------

def test_the_sample_reads_right_on_every_page(built_sample: Path) -> None:
    problems = site_problems(built_sample.parent,
                             lambda renderer, page: (built_sample / page.file).read_text("utf-8"))
    assert problems == []


def test_the_complete_fixture_reads_right_on_every_page(built_complete: Path) -> None:
    problems = site_problems(built_complete.parent,
                             lambda renderer, page: (built_complete / page.file).read_text("utf-8"))
    assert problems == []


@pytest.mark.parametrize("wrong", [
    "Consultation for Lines and Wrinkles are available only to adults aged 18 and over.",
    "About chemical peel",
    "Who can have consultation for lines and wrinkles?",
    "Chemical peel is a solution of acids.",
    "It takes an chemical peel.",
    "Jaw fillers is temporary.",
])
def test_the_wording_rules_catch_the_mistakes_of_issue_18(wrong: str) -> None:
    forms = {name: name_forms(name) for name in ("Consultation for Lines and Wrinkles", "Chemical Peel",
                                                 "Jaw Fillers")}
    assert any(wording_problems(wrong, f) for f in forms.values()), wrong


def test_the_age_limit_is_said_once_by_the_pages_themselves(built_sample: Path, built_complete: Path) -> None:
    """The pages add no age statement of their own where a disclaimer gives it (the sample's texts say it too,
    in the clinic's own words: those are counted out); where none does, the page says it once."""
    for output in (built_sample, built_complete):
        project = load_project(output.parent)
        for page in plan_site(project).pages:
            if page.treatment is None:
                continue
            treatment = project.treatment(page.treatment)
            text = visible((output / page.file).read_text("utf-8"))
            phrase = f"aged {treatment.minimum_age} and over"
            own_words = [treatment.summary, *project.site.disclaimers.values(), *(f.answer for f in treatment.faqs),
                         *(s.text for s in treatment.description), treatment.what_to_expect]
            from_data = sum(" ".join(w.split()).count(phrase) for w in own_words if " ".join(w.split()) in text)
            stated = any(phrase in project.site.disclaimers[d] for d in (*project.site.required_disclaimers,
                                                                        *treatment.disclaimers))
            assert text.count(phrase) - from_data == (0 if stated else 1), (output.parent.name, page.url_path)


def test_a_registration_number_is_said_once_per_page(built_complete: Path) -> None:
    for path in built_complete.rglob("*.html"):
        text = visible(path.read_text())
        for number in ("7654321", "12A3456E", "123456"):
            assert text.count(number) <= 1, (path, number)


def test_the_sample_says_nothing_about_a_registration_it_does_not_show(built_sample: Path) -> None:
    for path in built_sample.rglob("*.html"):
        text = visible(path.read_text())
        assert not re.search(r"(?i)registration numbers? (is|are) shown", text), path


def test_the_prescriber_consultation_disclaimer_points_to_no_medicine() -> None:
    text = load_project(Path(__file__).resolve().parent.parent).site.disclaimers["consultation-only"].lower()
    for word in ("prescription", "prescribed", "medicine", "injection", "toxin", "botox", "wrinkle-relax"):
        assert word not in text


# -- generated projects ----------------------------------------------------------------------------------------

# Names whose grammar is known by construction (not worked out by the code under test): (name, plural, article).
_ADJECTIVES = [("Upper", "an"), ("Hydra", "a"), ("Oxygen", "an"), ("Unique", "a"), ("Hour-Long", "an"),
               ("Eye", "an"), ("European", "a"), ("Gentle", "a"), ("HIFU", "an"), ("LED", "an"), ("Silk", "a")]
_NOUNS = ["Peel", "Facial", "Lift", "Mask", "Treatment", "Boost", "Infusion"]


@st.composite
def treatment_names(draw) -> tuple[str, bool, str]:
    kind = draw(st.sampled_from(["plural", "singular", "mass", "preposition"]))
    adjective, article = draw(st.sampled_from(_ADJECTIVES))
    noun = draw(st.sampled_from(_NOUNS))
    if kind == "plural":
        return f"{adjective} {noun}s", True, "none"
    if kind == "singular":
        return f"{adjective} {noun}", False, article
    if kind == "mass":
        return f"{adjective} {draw(st.sampled_from(['Needling', 'Microneedling', 'Dermaplaning', 'Peeling']))}", \
            False, "none"
    concern = draw(st.sampled_from(["Lines and Wrinkles", "Dull Skin", "Acne Scars", "Open Pores"]))
    head, article = draw(st.sampled_from([("Consultation", "a"), ("Assessment", "an"), ("Plan", "a")]))
    return f"{head} for {concern}", False, article


_PLACES = ["Upper Halliford", "Ashford", "Englefield Green", "Old Windsor", "Hersham", "Oatlands", "Ewhurst",
           "Ockham", "Addlestone", "Eashing"]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(treatment_names(), min_size=2, max_size=4, unique_by=lambda n: n[0].lower()),
       places=st.permutations(_PLACES), minimum_age=st.sampled_from([18, 21]))
def test_generated_projects_read_right(tmp_path_factory, names, places, minimum_age) -> None:
    project = copy_project(FIXTURES / "complete", tmp_path_factory.mktemp("generated") / "p")
    treatments = [{"name": name, "summary": "Text the clinic wrote.", "description": [
        {"heading": "What it is", "text": "More text the clinic wrote."}], "what_to_expect": "A visit.",
        "aftercare": "Care afterwards.", "downtime": "A day or two.", "risks": "Redness and swelling.",
        "minimum_age": minimum_age, "price_from": 100} for name, _, _ in names]
    (project / "treatments.yaml").write_text(yaml.safe_dump({"treatments": treatments}, sort_keys=False))
    data = yaml.safe_load((project / "locations.yaml").read_text())
    for loc, place in zip(data["locations"], places, strict=False):
        loc["name"], loc["slug"] = place, None
        del loc["slug"]
    (project / "locations.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    site = (project / "site.yaml").read_text()
    site = re.sub(r"\n    treatments: \[[^\]]*\]", "", site)          # every practitioner and premises offers all
    site = re.sub(r"\nlogo:\n(  .*\n)+", "\n", site)
    site = re.sub(r"\n    photos?:\n(      .*\n)+", "\n", site)
    (project / "site.yaml").write_text(site)
    loaded = load_project(project)
    for (name, plural, article), t in zip(names, loaded.treatments, strict=True):
        assert (t.name_plural, t.name_article) == (plural, article), name      # worked out right from the name
    assert site_problems(project, rendered) == []
    shutil.rmtree(project)
