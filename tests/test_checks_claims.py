"""Claims rules: the default UK rule set on real-looking text, negations both ways, rule files with errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.checks import HtmlPage, check_pages, parse_html
from generator.checks.claims import ClaimsChecker, load_rules, word_forms
from generator.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "checks"


@pytest.fixture(scope="module")
def checker() -> ClaimsChecker:
    return ClaimsChecker(load_rules())


def found(checker: ClaimsChecker, text: str, **fields) -> list[tuple[str, str]]:
    """(rule, matched words) for each finding on a page with this visible text."""
    page = HtmlPage("x/index.html", "/x/", visible_text=text, **fields)
    return [(f.rule, f.message.split('"')[1]) for f in checker.check(page)]


def test_exosome_marketing_article_gets_an_error_for_each_claim():
    page = parse_html("exosome/index.html", (FIXTURES / "exosome-article.html").read_bytes())
    result = check_pages([page])
    errors = {(f.rule, f.message.split('"')[1]) for f in result.findings if f.severity == "error"}
    assert ("claims.risk", "safe") in errors
    assert ("claims.risk", "completely safe") in errors
    assert ("claims.risk", "minimal risk") in errors
    assert ("claims.medical-condition", "psoriasis") in errors
    assert ("claims.hype", "revolutionary") in errors
    assert ("claims.pom", "botox") in errors
    assert ("claims.exosome", "exosome therapy") in errors
    revolutionary = next(f for f in result.findings if f.rule == "claims.hype")
    assert revolutionary.message.endswith('"revolutionary" in the page text (found 2 times)')  # and the description
    assert revolutionary.source.startswith("https://www.asa.org.uk/")
    assert "revolutionary treatment" in revolutionary.evidence


@pytest.mark.parametrize(("claim", "negated"), [
    ("Results are guaranteed.", "Results are not guaranteed."),
    ("This treatment is risk-free.", "No treatment is risk-free."),
    ("The effect is permanent.", "The effect is not permanent."),
    ("A completely safe procedure.", "No procedure is completely safe."),
    ("Perfect for teenagers.", "Not suitable for teenagers."),
    ("Fillers are painless.", "Fillers are never painless."),
    ("It treats acne.", "It does not treat acne."),
    ("Hurry, book today.", "There is no hurry to decide."),
])
def test_negation_excuses_a_claim_and_only_then(checker, claim, negated):
    assert found(checker, claim), claim
    assert found(checker, negated) == [], negated


@pytest.mark.parametrize("text", [
    "Not only safe but effective.",            # "not only" is not a negation
    "We never compromise: it is safe.",        # the negation is in another clause
    "No downtime.",                             # "no" is the claim itself
])
def test_what_looks_like_a_negation_is_not_one(checker, text):
    assert found(checker, text)


def test_a_prescription_medicine_is_reported_even_when_negated(checker):
    assert found(checker, "We do not offer Botox.") == [("claims.pom", "botox")]
    assert found(checker, "We do not offer botulinum toxin.") == [("claims.pom", "botulinum toxin")]


def test_inflections_case_and_trademark_signs(checker):
    assert found(checker, "GUARANTEES that last.") == [("claims.guarantee", "guarantees")]
    assert found(checker, "Botox® and Azzalure™") == [("claims.pom", "azzalure"), ("claims.pom", "botox")]
    assert found(checker, "A risk free lunchtime treatment") == [
        ("claims.risk", "lunchtime treatment"), ("claims.risk", "risk free")]
    assert "guaranteeing" in word_forms("guarantee") and "cures" in word_forms("cure")


def test_a_condition_needs_a_word_of_treating_nearby(checker):
    assert found(checker, "Tell us at your consultation if you have psoriasis or eczema.") == []
    assert found(checker, "It clears acne fast.") == [("claims.medical-condition", "acne")]
    assert found(checker, "School is out. Lip fillers for prom: book now") == [("claims.under-18", "prom")]
    assert found(checker, "Esher has a secondary school and a leisure centre.") == []


def test_longest_match_only_and_counts(checker):
    assert found(checker, "Completely safe. Completely safe.") == [("claims.risk", "completely safe")]
    [f] = ClaimsChecker(load_rules()).check(HtmlPage("x/index.html", "/x/", visible_text="Safe. Safe. Safe."))
    assert f.message.endswith("(found 3 times)")


def test_claims_in_title_description_alt_and_jsonld(checker):
    page = HtmlPage("x/index.html", "/x/", visible_text="Plain text.", title="A miracle cure",
                    description="Clinically proven results", images=[("a.png", "Before and after: permanent")],
                    jsonld=['{"@type": "Offer", "name": "Black Friday deal"}'])
    where = {(f.rule, f.message.rsplit(" in the ", 1)[1]) for f in checker.check(page)}
    assert where == {("claims.hype", "title"), ("claims.proven", "meta description"),
                     ("claims.guarantee", "image alt text"), ("claims.urgency", "JSON-LD")}


def test_nothing_counts_inside_a_disclaimer_of_the_library():
    disclaimer = "Results vary from person to person and no particular outcome can be guaranteed."
    checker = ClaimsChecker(load_rules(), exempt=[disclaimer])
    assert found(checker, f"Lip fillers. {disclaimer}") == []
    assert found(checker, "Results guaranteed.")


def test_the_sample_treatments_make_no_claims(built_sample):
    pages = [parse_html(p.relative_to(built_sample).as_posix(), p.read_bytes())
             for p in sorted(built_sample.rglob("*.html"))]
    checker = ClaimsChecker(load_rules())
    assert [f for page in pages for f in checker.check(page)] == []


def test_a_bad_rule_file_names_file_line_and_field(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: Shouty\n    severity: fatal\n    message: m\n    hint: h\n    source: s\n"
                   "    patterns: ['(unclosed']\n    colour: red\n", "utf-8")
    with pytest.raises(DataError) as exc:
        load_rules([bad])
    text = str(exc.value)
    assert f"{bad}:2:" in text and "rules[0].id" in text
    assert "rules[0].severity: expected one of error, warning, found text 'fatal'" in text
    assert "rules[0].patterns[0]: not a valid regular expression" in text
    assert "rules[0].colour: unknown field `colour`" in text


def test_a_project_rule_file_adds_rules(tmp_path):
    extra = tmp_path / "house.yaml"
    extra.write_text("rules:\n  - id: house-brand\n    severity: warning\n    message: names a rival\n"
                     "    hint: do not\n    source: https://example.com\n    terms: [glowco]\n", "utf-8")
    checker = ClaimsChecker(load_rules() + load_rules([extra]))
    assert found(checker, "Better than GlowCo.") == [("claims.house-brand", "glowco")]
