"""Claims rules: each mechanism of the engine (sentences, questions and answers, negation scope, hashtags and
compounds, numbers, word sense), the rule file format, the findings, and the tuning corpus above a floor."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from generator.checks import HtmlPage, check_pages, parse_html
from generator.checks.claims import ClaimsChecker, load_rules
from generator.checks.claims.phrases import PhraseError, compile_phrase, find_phrase, word_forms
from generator.checks.sentences import (
    negation_scopes,
    read_language,
    sentences_of,
    split_compound,
    split_sentences,
)
from generator.errors import DataError

FIXTURES = Path(__file__).parent / "fixtures" / "checks"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checker() -> ClaimsChecker:
    return ClaimsChecker(load_rules())


def found(checker: ClaimsChecker, text: str, **fields) -> list[tuple[str, str]]:
    """(rule, matched words) for each finding on a page with this visible text."""
    page = HtmlPage("x/index.html", "/x/", visible_text=text, **fields)
    return [(f.rule, f.message.split('"')[1]) for f in checker.check(page)]


def rules_of(checker: ClaimsChecker, text: str) -> set[str]:
    return {rule.removeprefix("claims.") for rule, _ in found(checker, text)}


# -- sentences --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "sentences"), [
    ("Dr. Patel charges £1.50 per unit, e.g. for lips. Is it permanent? No. It lasts 6.5 months.",
     ["Dr. Patel charges £1.50 per unit, e.g. for lips.", "Is it permanent?", "No.", "It lasts 6.5 months."]),
    ("Prices from £180. 3 areas from £250! Book now", ["Prices from £180.", "3 areas from £250!", "Book now"]),
    ("Lip filler • Cheek filler • Jaw filler", ["Lip filler", "Cheek filler", "Jaw filler"]),
    ("Approx. 30 mins. Ask Mrs. J. Smith, St. Mary's.", ["Approx. 30 mins.", "Ask Mrs. J. Smith, St. Mary's."]),
    ("Results vary... Ask us.", ["Results vary...", "Ask us."]),
])
def test_sentences_split_at_their_ends_only(line, sentences):
    assert [line[a:b].strip() for a, b in split_sentences(line)] == sentences


def test_a_claim_is_found_within_one_sentence_only(checker):
    assert rules_of(checker, "It is a treatment. Safe storage of your records matters.") == set()
    assert rules_of(checker, "This treatment is completely safe.") == {"risk"}


# -- questions and answers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Is it permanent? No. Filler breaks down over 6 to 18 months.",
    "Is it permanent?\nNo, the body breaks the gel down over months.",         # heading, then the answer
    "Will the results last forever? The effect is temporary.",                  # answered without a yes
    "Is it safe? No procedure is free of risk; we explain the risks first.",
    "Can I get guaranteed results? Results vary between people.",
])
def test_a_question_is_not_a_claim(checker, text):
    assert found(checker, text) == []


@pytest.mark.parametrize(("text", "rule"), [
    ("Is it safe? Yes, completely.", "risk"),
    ("Is exosome therapy safe?\nYes! Most clients are back at work the next day.", "risk"),
    ("Is it permanent? Absolutely.", "guarantee"),
    ("Want results that last forever? Book a consultation.", "guarantee"),    # a rhetorical question claims
    ("Is Botox right for me? Ask us.", "pom"),                                  # a medicine is named all the same
])
def test_a_question_answered_yes_or_rhetorical_counts(checker, text, rule):
    assert rule in rules_of(checker, text)


def test_the_answer_of_a_question_is_named_in_the_finding(checker):
    page = HtmlPage("x/index.html", "/x/", visible_text="Is it safe? Yes, completely.")
    [finding] = checker.check(page)
    assert "a question answered yes" in finding.message


# -- negation ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("claim", "negated"), [
    ("Results are guaranteed.", "Results are not guaranteed."),
    ("This treatment is risk-free.", "No treatment is risk-free."),
    ("The effect is permanent.", "The effect is not permanent."),
    ("A completely safe procedure.", "No procedure is completely safe."),
    ("Perfect for teenagers.", "Not suitable for teenagers."),
    ("Fillers are painless.", "Fillers are never painless."),
    ("It treats acne.", "It does not treat acne."),
    ("Hurry, book today.", "There is no hurry to decide."),
    ("Any injection is risk-free.", "We won't pretend that any injection is risk-free."),       # reporting verb
    ("Every treatment is guaranteed.", "No treatment is permanent, painless or guaranteed."),  # a list
    ("Permanent results.", "Permanent results are a myth."),
    ("Risk-free fillers.", "Risk-free fillers do not exist."),
    ("We treat anyone aged 16 with a parent's consent.",
     "We do not treat anyone under 18, even with a parent's consent."),
])
def test_a_negation_excuses_a_claim_within_its_reach(checker, claim, negated):
    assert found(checker, claim), claim
    assert found(checker, negated) == [], negated


@pytest.mark.parametrize("text", [
    "Not only safe but effective treatment.",            # "not only" is not a negation
    "We never rush, but the treatment is completely safe.",   # "but" ends the reach of "never"
    "No needles, completely safe.",                      # a comma that does not continue a list
    "No doubt it is the safest treatment.",
    "No downtime.",                                      # "no" is the claim itself
    "Zero side effects and no recovery time.",
])
def test_what_looks_like_a_negation_does_not_excuse(checker, text):
    assert "risk" in rules_of(checker, text), text


def test_negation_scopes_reach_across_lists_and_stop_at_but():
    [s] = sentences_of("No treatment is permanent, painless or guaranteed.")
    (_, first, last), = negation_scopes(s.words)
    assert (s.words[first].form, s.words[last].form) == ("treatment", "guaranteed")
    [s] = sentences_of("We do not rush you, but results are guaranteed.")
    (_, first, last), = negation_scopes(s.words)
    assert s.words[last].form == "you"


def test_a_finding_says_which_negation_did_not_reach(checker):
    page = HtmlPage("x/index.html", "/x/", visible_text="We never rush, but the treatment is completely safe.")
    [finding] = checker.check(page)
    assert 'the negation "never" before it does not reach it' in finding.message
    page = HtmlPage("x/index.html", "/x/", visible_text="We do not offer Botox.")
    [finding] = checker.check(page)
    assert finding.rule == "claims.pom" and "a negation does not excuse it" in finding.message


# -- hashtags, compounds, inflections ---------------------------------------------------------------------------

def test_hashtags_and_run_together_words_are_split_into_rule_words(checker):
    assert rules_of(checker, "Fresh for summer #babybotox #glowup") == {"pom"}
    assert rules_of(checker, "Book your antiwrinkle injections") == {"pom"}
    assert rules_of(checker, "#nodowntime #lipflip") == {"pom", "risk"}
    assert rules_of(checker, "Skin detox facials and improved hydration between visits.") == set()
    vocabulary = checker.vocabulary
    assert split_compound("babybotox", vocabulary) == ["baby", "botox"]
    assert split_compound("improved", vocabulary) == ["improved"]
    assert split_compound("between", vocabulary) == ["between"]
    assert split_compound("botoxbrides", vocabulary, loose=True) == ["botox", "brides"]


def test_inflections_case_and_trademark_signs(checker):
    assert found(checker, "GUARANTEES that last.") == [("claims.guarantee", "guarantees")]
    assert sorted(found(checker, "Botox® and Azzalure™")) == [("claims.pom", "azzalure"), ("claims.pom", "botox")]
    assert rules_of(checker, "Banished eczema, for good.") >= {"medical-condition"}
    assert "slimming" in word_forms("slim") and "cures" in word_forms("cure") and "remedies" in word_forms("remedy")


# -- numbers ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "rules"), [
    ("Aged 16+? Book your lip filler today.", {"under-18"}),
    ("Lip filler for 16 and 17 year olds with consent.", {"under-18"}),
    ("Over 16s welcome for lip filler.", {"under-18"}),
    ("Open from 9am; lip filler takes 15 minutes.", set()),
    ("Anti-wrinkle: 1 area £150, 2 areas £200, three areas £250.", {"pom"}),
    ("Two areas of the face can be treated with filler in one visit.", set()),
    ("Book by Friday 5pm to get this price.", {"urgency"}),
    ("We are open until 7pm on Thursdays.", set()),
    ("Only 3 slots left this month!", {"urgency"}),
])
def test_numbers_are_read(checker, text, rules):
    assert rules_of(checker, text) == rules, text


# -- word sense -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Dr Grace Miracle has been on the GMC register since 2009.",       # a person's name
    "Mr Hurry, our receptionist, will greet you.",
    "The clinic is on Magic Lane, opposite the library.",               # a place
    "Semi-permanent make-up for brows.",                                # a service with a listed word in it
    "We offer a 14-day money-back guarantee on skincare products.",     # not an outcome guarantee
    "Our LED mask comes with a two-year manufacturer's guarantee.",     # a product warranty
    "Please keep your valuables safe in the lockers provided.",         # safe in another sense
    "The Botulinum Toxin and Cosmetic Fillers (Children) Act 2021 bans fillers for under-18s.",   # the law
    "Tell us at your consultation if you have psoriasis or eczema.",   # a condition, not treated
    "Esher has a secondary school and a leisure centre.",
    "A bridge is a fixed, permanent way to replace a missing tooth.",  # dentistry's sense of permanent
    "Do crowns come with a guarantee? Yes, a five-year guarantee against breakage.",   # a product's warranty
    "Your deposit is refunded in full. We guarantee that.",            # the guarantee of the sentence before
    "We won Salon of the Year at the Surrey Business Awards.",         # an award is not a prize
    "Flash sales and countdown clocks are designed to rush you.",      # a warning
    "Miracle Skin Studio, 4 Bridge Street, Cobham.",                   # a firm's name, even at the line's start
    "© 2026 Forever Young Clinic Ltd. All rights reserved.",
    "Exosome products sold for injection abroad are not licensed in the UK.",   # explained, not offered
    "Some small studies have shown a modest improvement in skin hydration.",    # the limits of the evidence
    "Radiofrequency heats the deeper layers of the skin.",             # where a device works, plainly
    "Sunscreen protects your skin cells from UV damage.",
    "Book by phone before 5pm on Friday for a weekend appointment.",   # a booking's logistics
    "Our summer opening hours end on 31 August.",
    "The offer on skincare products ends on Sunday; treatments are never discounted.",
])
def test_other_senses_of_listed_words_are_not_claims(checker, text):
    assert found(checker, text) == [], text


def test_small_print_that_takes_back_another_rules_claim_is_qualification(checker):
    """A claim of any rule marked for small print ("No side effects**") whose footnote hedges it or names a harm
    is `qualification` too (`takes_back`); small print that only clarifies adds nothing."""
    page = ("Guaranteed glow after your very first session*\nNo side effects**\n"
            "*How much you see varies. **Redness and bruising are common for a few days.")
    findings = list(checker.check(HtmlPage("x/index.html", "/x/", visible_text=page)))
    assert {f.rule for f in findings} == {"claims.guarantee", "claims.risk", "claims.qualification"}
    assert any("footnote takes it back" in f.message for f in findings if f.rule == "claims.qualification")
    clear = "Guaranteed glow after your very first session*\n*Paid on the day."
    assert rules_of(checker, clear) == {"guarantee"}


def test_a_price_in_its_own_cell_is_read_with_its_row(checker):
    """A price list's row in two cells ("One area", "£149") is one line to a reader: priced areas are the
    tell-tale of a medicine, whether the price shares the name's cell or not."""
    row = "<tr><td>{}</td><td>{}</td></tr>"
    table = "<table>" + "".join(row.format(a, p) for a, p in [("One area", "£149"), ("Two areas", "£199")]) + "</table>"
    html = f"<html><body><h2>Lines and wrinkles</h2>{table}</body></html>"
    assert {f.rule for f in checker.check(parse_html("x/index.html", html.encode()))} == {"claims.pom"}
    filler = html.replace("Lines and wrinkles", "Cheek and chin filler")
    assert list(checker.check(parse_html("x/index.html", filler.encode()))) == []


def test_the_sentence_before_can_say_what_a_price_by_area_is_for(checker):
    """A price list's "Two areas: £520" is a filler price under a filler heading (`not_after`), and a medicine's
    under an anti-wrinkle heading, or when an outright claim of the rule comes between."""
    filler = "Cheek and chin filler\nOne area: £300\nTwo areas: £520\nThree areas: £720"
    assert found(checker, filler) == []
    assert found(checker, "Cheek filler, 1 ml: £280. Two areas: £520.") == []
    assert rules_of(checker, "Lines and wrinkles\nOne area: £150\nTwo areas: £200") == {"pom"}
    assert ("claims.pom", "two areas") in found(checker, "Lip filler\nAnti-wrinkle injections\nTwo areas: £200")
    far = "Lip filler\n" + "\n".join(f"Note {n}." for n in range(6)) + "\nTwo areas: £200"
    assert ("claims.pom", "two areas") in found(checker, far)          # more than 6 sentences back
    assert rules_of(checker, "Full refund if you cancel.\nSee you soon.\nGuaranteed results.") == {"guarantee"}


@pytest.mark.parametrize(("text", "rules"), [
    ("The ASA has ruled against clinics that called their injections painless.", set()),
    ("If a clinic tells you a treatment is completely safe, ask what the risks are.", set()),
    ("Some clinics inject human-derived exosomes; we don't.", set()),
    ("Anyone who says filler is risk-free is not being honest with you.", set()),
    ("Our clinic says the treatment is completely safe.", {"risk"}),               # the page's own voice
    ("A treatment that 'works for everyone' does not exist.", set()),              # quoted and denied
    # days off, a car park's free hours: time words that press no one (the gate corpus's local notes found these)
    ("Stay out of the sun for two days; the staff have Monday and Tuesday off.", set()),
    ("Keep off the golf course for five days after a peel.", set()),
    ("Use the Market Place car park, where the first two hours are free.", set()),
    # a weekday or weekend in the plural comes back every week: a timetable, not a deadline (the gate corpus's
    # held-out project h2-northgate-millbrook: "open on Fridays only")
    ("The Wrayford room is at the back of the pharmacy and is open on Fridays only.", set()),
    ("Open weekends only; book online.", set()),
    ("Friday only: 20% off lip filler.", {"urgency"}),
    ("This weekend only: lips from £150.", {"urgency"}),
    ("Friday's offer ends at midnight.", {"urgency"}),
    # negation reaches a second that-clause of a list, with or without a comma
    ("We would never claim that a laser is risk-free or that its results are permanent.", set()),
    # a word of another sense excuses only when it is said: "without surgery" is no surgeon's permanent change
    ("Permanently plumper lips without surgery.", {"guarantee"}),
    ("Permanent results, no surgery needed.", {"guarantee"}),
    ("A surgeon's facelift makes a permanent change.", set()),
    # a negation after a claim belongs to another subject when a person stands before it
    ("A world-first treatment you won't find anywhere else.", {"hype"}),
    ("Permanent results are not possible.", set()),
    # the fifth round's concepts (tuning copy: the fifth held-out set, now tuning data)
    ("Our laser cannot harm darker skin tones.", {"risk"}),
    ("Sunscreen won't harm your skin.", set()),                                   # no treatment in it
    ("Leave with no tell-tale signs of your tweakment.", {"risk"}),
    ("Every client leaves with a slimmer jawline.", {"guarantee"}),
    ("Freckles erased in a single session.", {"guarantee"}),
    ("Proven to work on every skin tone.", {"proven", "guarantee"}),
    ("Return it within 30 days for a full refund, guaranteed.", set()),           # a refund, not an outcome
    ("Research backs every facial we offer.", {"proven"}),
    ("Research supports its use, though the studies are small.", set()),
    ("Grind your teeth? A few units in the jaw can stop it.", {"pom", "medical-condition"}),
    ("Jabs that stop the sweat, £350.", {"pom"}),
    ("Avoid sweating for a day after your injections.", set()),
    ("Sixteen and unhappy with your lips? Message us.", {"under-18"}),
    ("Laser gives a permanent reduction in hair growth: fewer, finer hairs, with top-ups.", set()),
    ("Nothing to recover from, so book it on your lunch.", {"risk"}),
    ("Put your make-up straight back on and carry on.", {"risk"}),
    ("Every single client sees dewier skin after one session.", {"guarantee"}),
    # a heading is explained by the sentence under it: a refund, not an outcome
    ("Our guarantee\nIf you are unhappy with your first session, we will refund it in full.", set()),
    ("Our guarantee\nSmoother skin after one session, or your next one is free.", {"guarantee"}),
    # "nobody can tell" is a natural look; nobody knowing you have been treated that day denies downtime
    ('"Had my lips done with Lucy and nobody can tell." Sam', set()),
    ("Nobody will know you popped in on your lunch break.", {"risk"}),
    ('"My confidence came back after one session." Priya', {"testimonial"}),
    ("Our serum repairs sun damage to your DNA.", {"cell-effect"}),
    ("Sunscreen protects skin cells from sun damage.", set()),
    ("Back to work the same day* *Swelling and bruising can last a week.", {"risk", "qualification"}),
    ("The spring sale starts on Monday and it's gone by Friday.", {"urgency"}),
    ("Regulated under EU MDR.", {"regulatory-claim"}),                            # an acronym is not a name
    ("Our filler is CE marked, so you know it's safe.", {"regulatory-claim", "risk"}),
    ("The product is CE marked as a medical device.", set()),                      # a fact, not a proof
])
def test_reported_claims_and_acronyms(checker, text, rules):
    assert rules_of(checker, text) == rules, text


@pytest.mark.parametrize(("text", "rules"), [
    ("Myth: filler is permanent. Fact: it breaks down over months.", set()),
    ("Myth 3: lip filler is painless.", set()),
    ("It's a common misconception that peels are painless.", set()),
    ("True or false: results are guaranteed? False.", set()),
    ("Filler lasts forever? That's a myth.", set()),                  # said as a question, then denied
    ("Filler lasts forever? Think again.", set()),
    ("Is filler permanent? Absolutely not.", set()),                   # a yes-word, then not: a no
    ("Are results guaranteed? Of course not.", set()),
    ("Is it safe? Absolutely.", {"risk"}),
    ("Does filler last forever\nNo. It breaks down over months.", set()),   # a heading that asks without "?"
    ("Want lips that last forever? Book now.", {"guarantee"}),         # not denied: a claim
    ("Myth-busting facials: painless and quick.", {"risk"}),           # no label: a claim
    ("Results That Last Forever At Our Clinic", {"guarantee"}),        # a heading in title case is no firm's name
])
def test_myths_and_denied_questions_are_not_claims(checker, text, rules):
    assert rules_of(checker, text) == rules, text


def test_a_footnote_elsewhere_on_the_page_that_contradicts_is_a_qualification(checker):
    page = parse_html("x/index.html", (
        "<html><body><main><ul><li>Free consultation*</li><li>Lasts up to 18 months&#8224;</li></ul>"
        "<p><small>*£50 if you do not book. &#8224;Typically 6 to 9 months.</small></p></main></body></html>"
    ).encode())
    findings = [f for f in checker.check(page) if f.rule == "claims.qualification"]
    assert len(findings) == 2 and all("its footnote says otherwise" in f.message for f in findings)
    clarifies = parse_html("x/index.html", (
        "<html><body><main><p>Free consultation*</p><p>*Free with our skin therapist; £30 with a doctor.</p>"
        "</main></body></html>").encode())
    assert [f for f in checker.check(clarifies) if f.rule == "claims.qualification"] == []
    assert found(checker, "Free consultation*") == []                  # no footnote: nothing it contradicts


def test_a_jsonld_question_is_never_answered_by_another_questions_answer(checker):
    import json
    faq = {"@type": "FAQPage", "mainEntity": [
        {"@type": "Question", "name": "Is lip filler permanent?",
         "acceptedAnswer": {"@type": "Answer", "text": "It breaks down over months."}},
        {"@type": "Question", "name": "Will I swell?",
         "acceptedAnswer": {"@type": "Answer", "text": "Yes, some swelling is normal."}}]}
    html = ("<html><head><script type='application/ld+json'>" + json.dumps(faq) + "</script></head><body><main>"
            "<h2>Is it permanent?</h2><p>It breaks down over months.</p><h2>Will I swell?</h2></main></body></html>")
    assert list(checker.check(parse_html("x/index.html", html.encode()))) == []


# -- findings ---------------------------------------------------------------------------------------------------

def test_exosome_marketing_article_gets_an_error_for_each_claim():
    page = parse_html("exosome/index.html", (FIXTURES / "exosome-article.html").read_bytes())
    result = check_pages([page])
    errors = {(f.rule, f.message.split('"')[1]) for f in result.findings if f.severity == "error"}
    assert {r for r, _ in errors} == {"claims.risk", "claims.medical-condition", "claims.hype", "claims.pom",
                                      "claims.exosome"}
    assert ("claims.risk", "completely safe") in errors
    assert ("claims.risk", "minimal risk") in errors
    assert ("claims.risk", "safe") in errors          # "Is exosome therapy safe?" answered "Yes!"
    assert ("claims.medical-condition", "treats psoriasis") in errors
    assert ("claims.pom", "botox") in errors
    revolutionary = next(f for f in result.findings if f.rule == "claims.hype")
    assert revolutionary.message.startswith(
        'uses breakthrough language that needs evidence a clinic does not hold: '
        '"revolutionary" in the page text (found 2 times); matched `(revolutionary|')
    assert revolutionary.source.startswith("https://www.asa.org.uk/")
    assert revolutionary.evidence.startswith("Exosome therapy is a revolutionary treatment")   # the sentence


def test_counts_and_the_longest_match(checker):
    assert found(checker, "Completely safe. Completely safe.") == [("claims.risk", "completely safe")]
    text = "Safe. Safe. Safe.".replace("Safe", "It is safe")
    [f] = ClaimsChecker(load_rules()).check(HtmlPage("x/index.html", "/x/", visible_text=text))
    assert "(found 3 times)" in f.message


def test_claims_in_title_description_alt_and_jsonld(checker):
    page = HtmlPage("x/index.html", "/x/", visible_text="Plain text.", title="A miracle cure",
                    description="Clinically proven results", images=[("a.png", "Before and after: permanent")],
                    jsonld=['{"@type": "Offer", "name": "Black Friday deal"}'])
    where = {(f.rule, f.message.split(" in the ", 1)[1].split(";")[0]) for f in checker.check(page)}
    assert where == {("claims.hype", "title"), ("claims.proven", "meta description"),
                     ("claims.guarantee", "image alt text"), ("claims.urgency", "JSON-LD")}


def test_nothing_counts_inside_a_disclaimer_of_the_library():
    disclaimer = "Results vary from person to person and no particular outcome can be guaranteed."
    checker = ClaimsChecker(load_rules(), exempt=[disclaimer, "Permanent results are never promised here."])
    assert found(checker, f"Lip fillers. {disclaimer}") == []
    assert found(checker, "Results guaranteed.")


def test_the_sample_treatments_make_no_claims(built_sample):
    pages = [parse_html(p.relative_to(built_sample).as_posix(), p.read_bytes())
             for p in sorted(built_sample.rglob("*.html"))]
    checker = ClaimsChecker(load_rules())
    assert [f for page in pages for f in checker.check(page)] == []


# -- rule files -------------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize(("phrase", "error"), [
    ("... safe", "a phrase cannot start with a gap"),
    ("?very safe", "a phrase cannot start with an optional word"),
    ("@nosuchset safe", "`@nosuchset`: no set of that name"),
    ("safe|| sound", "an empty alternative"),
    ("#number<18", "a number is `#num`"),
    ("(safe and", "an empty alternative, or a group not closed"),
    ("safe ...", "a phrase cannot end with a gap"),
])
def test_a_bad_phrase_says_what_is_wrong(tmp_path, phrase, error):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules:\n  - id: mine\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
                   f"    phrases:\n      - '{phrase}'\n", "utf-8")
    with pytest.raises(DataError) as exc:
        load_rules([bad])
    assert f"{bad}:8: rules[0].phrases[0]: phrase `{phrase}`: " in str(exc.value) and error in str(exc.value)


def test_a_project_rule_file_adds_rules_with_phrases_sets_and_the_older_fields(tmp_path):
    extra = tmp_path / "house.yaml"
    extra.write_text(
        "sets:\n  rival: [glowco, shiny skin co]\n"
        "rules:\n"
        "  - id: house-brand\n    severity: warning\n    message: names a rival\n    hint: do not\n"
        "    source: https://example.com\n    phrases: ['better than @rival', {phrase: '@rival', near: [cheaper]}]\n"
        "    names: true\n"   # brand names: capitalised words together still count
        "  - id: house-condition\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
        "    phrases: ['@treat ...3 chilblains']\n"      # a set of the default rule file
        "  - id: house-old\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
        "    terms: [glow guarantee]\n    context_terms: [spots]\n    context: [zap]\n    within: 3\n"
        "    patterns: ['\\bvip\\s+tier\\b']\n", "utf-8")
    checker = ClaimsChecker(load_rules() + load_rules([extra]))
    assert found(checker, "Better than GlowCo.") == [("claims.house-brand", "better than glowco")]
    assert found(checker, "Shiny Skin Co is cheaper.") == [("claims.house-brand", "shiny skin co")]
    assert found(checker, "We banish chilblains.") == [("claims.house-condition", "banish chilblains")]
    assert ("claims.house-old", "glow guarantees") in found(checker, "Our glow guarantees are here.")
    assert ("claims.house-old", "spots") in found(checker, "We zap spots fast.")
    assert found(checker, "Tell us about spots.") == []
    assert ("claims.house-old", "vip tier") in found(checker, "Join the VIP tier.")


def house_rule(tmp_path: Path, rule_id: str, fields: str) -> Path:
    """A project rule file holding one error rule `rule_id` with the YAML `fields` (indented under it)."""
    path = tmp_path / "house.yaml"
    path.write_text(f"rules:\n  - id: {rule_id}\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
                    + fields, "utf-8")
    return path


def test_a_project_rule_can_be_excused_by_the_sentences_before_it(tmp_path):
    extra = house_rule(tmp_path, "house-sale",
                       "    phrases: [{phrase: 'half price', not_after: [gift vouchers], after_within: 2}]\n")
    checker = ClaimsChecker(load_rules([extra]))
    assert found(checker, "Gift vouchers\nHalf price for a friend.") == []
    assert found(checker, "Gift vouchers\nA.\nB.\nHalf price for a friend.") == [("claims.house-sale", "half price")]
    extra.write_text(extra.read_text("utf-8").replace("after_within: 2", "after_within: 0"), "utf-8")
    with pytest.raises(DataError) as info:
        load_rules([extra])
    assert "after_within" in str(info.value)


def test_phrases_compile_to_what_they_say():
    sets = {"harm": ["side effect", "swelling"]}
    phrase = compile_phrase("no|zero ?any @harm", sets)
    assert [e.optional for e in phrase.elements] == [False, True, False]
    assert (frozenset(word_forms("side")), frozenset(word_forms("effect"))) in phrase.elements[2].alternatives
    assert compile_phrase("risk-free", {}).elements[0].alternatives[-1] == (frozenset({"riskfree"}),)


def test_phrases_of_one_file_share_their_sets_and_parts():
    # a memo of a file's sets and parts: the same elements as compiled alone, made once and shared
    sets = {"harm": ["side effect", "(no|zero) swelling"], "a": ["@b"], "b": ["@c"], "c": ["@d"], "d": ["@e"],
            "e": ["x"]}
    memo: dict = {}
    first, second = (compile_phrase(text, sets, memo=memo) for text in ("no @harm", "any @harm"))
    assert first == compile_phrase("no @harm", sets) and second == compile_phrase("any @harm", sets)
    assert first.elements[1] is second.elements[1]
    # a set worked out at one depth is not taken at another: sets nested too deep are refused as before
    compile_phrase("@c", sets, memo=memo)
    for memo_or_none in (memo, None):
        with pytest.raises(PhraseError, match="in a circle"):
            compile_phrase("@a", sets, memo=memo_or_none)


def test_what_matching_needs_of_a_phrase_is_worked_out_when_first_matched():
    phrase = compile_phrase("no @harm|(sore skin) ...2 #num", {"harm": ["side effect", "swelling"]})
    element = phrase.elements[1]
    assert not {"first_keys", "single", "longer", "other"} & (vars(phrase).keys() | vars(element).keys())
    for text, found in (("No side effects for 2 days.", [(0, 4)]), ("No sore skin for 2 days.", [(0, 4)]),
                        ("No swelling 3 days.", [(0, 2)]), ("No redness for 2 days.", [])):
        assert find_phrase(phrase, sentences_of(text, frozenset())[0].words, False) == found
    assert phrase.first_keys == {"no"} and element.single == set(word_forms("swelling"))
    assert element.longer == {form: ((frozenset(word_forms("effect")),),) for form in word_forms("side")} | \
        {form: ((frozenset(word_forms("skin")),),) for form in word_forms("sore")}
    assert phrase.elements[3].other == ((("num", None, None),),)


# -- reviews, wishes, lead-ins, answers and footnotes (issue 15's classes) -------------------------------------

@pytest.mark.parametrize(("text", "rules"), [
    ('"I did not feel a thing and there was not a mark on me." Priya', {"risk", "testimonial"}),
    ("Zero bruising after my anti-wrinkle appointment!", {"risk", "pom", "testimonial"}),   # my ... appointment
    ('"Not a single bruise!" - Jo', {"risk", "testimonial"}),                       # signed, no first person
    ("I have three slots left, hurry!", {"urgency"}),                              # a practitioner's caption
    ("I always tell my clients that nothing is risk-free.", set()),
    ("Three chairs left for Saturday, then I'm fully booked.", {"urgency"}),
    ("Ten years younger, or your money back.", {"guarantee"}),                     # the clinic's promise
])
def test_a_testimonial_is_a_clients_review_not_a_practitioners_first_person(checker, text, rules):
    assert rules_of(checker, text) == rules, text


@pytest.mark.parametrize(("text", "rules"), [
    ("My clients often ask for something permanent.", set()),                     # a wish, reported
    ("For patients who want more, we offer a permanent result.", {"guarantee"}),   # the clinic then says it
    ("If it were a miracle, your doctor would prescribe it.", set()),              # supposed, not said
    ('"Clinically proven"', set()),                                                # a heading names the term
    ("2) 'Results guaranteed'", set()),
    ('Our "miracle" facial', {"hype"}),                                            # scare quotes on an offer
    ('"No downtime" peel £60', {"risk"}),
    ("Clinically proven, miracle: what marketing words really mean.", set()),
    ("CE marked, which is not a sign that it works.", set()),                      # the near word is negated
    ("CE marked, so it works.", {"proven", "regulatory-claim"}),
    ("Most people go back to work the same day, but expect some swelling.", set()),
    ("Back to work the same day with no swelling.", {"risk"}),
])
def test_wishes_suppositions_named_terms_and_negated_context_are_not_claims(checker, text, rules):
    assert rules_of(checker, text) == rules, text


@pytest.mark.parametrize(("text", "rules"), [
    ("Prom ready? Lip and brow packages for the big night.", {"under-18"}),        # a lead-in, then the offer
    ("Spots and angry breakouts? Our blue-light plan sorts them out.", {"medical-condition"}),
    ("Swelling? Bruising? Not with us.", {"risk"}),                                # harms asked, answered no
    ("Painless? No, but numbing cream helps.", set()),                             # answered: two sentences
    ("Can my teenage daughter come?\nShe can wait in reception. We only treat adults aged 18 and over.", set()),
    ("Can my teenage daughter come?\nOf course, we love seeing teens.", {"under-18"}),
    ("Do you treat jaw pain from grinding?\nYes, with a bite splint made by our dentists.", set()),
    ("Do you treat jaw pain from grinding?\nYes, with our facial massage.", {"medical-condition"}),
    ("Psoriasis flares make winter hard; our LED sessions settle them.", {"medical-condition"}),
    ("Vitamin B12 injection: £35", {"pom"}),                                       # letters and digits: one word
    ("School's out! Treat yourself to a lip plump.", {"under-18"}),                # a possessive inflects
    ("Not a bruise, not a bump, not a hint of redness.", {"risk"}),
    ("Price goes back up at 9am Monday.", {"urgency"}),
    ("It is illegal to give filler to anyone under 18, even with parental consent.", set()),   # a refusal
    ("We do not treat under-18s. Parental consent makes no difference.", set()),
    ("Filler for 16 and 17 year olds with a parent present.", {"under-18"}),
])
def test_lead_ins_answers_and_new_forms_of_the_issues_classes(checker, text, rules):
    assert rules_of(checker, text) == rules, text


@pytest.mark.parametrize(("text", "rules"), [
    # a refusal next to a statement that offers nothing: who is turned away, not an appeal
    ("Sixth-formers often message us about lip filler. We don't treat anyone under 18.", set()),
    ("The school bus stops outside our door, and some pupils ask about lips; we do not treat under-18s.", set()),
    ("We turn away sixth-formers and anyone else under 18, even with a parent present.", set()),
    ("We will not inject anyone under 18. Sixth-formers who book online have their deposit refunded.", set()),
    ("Sixth-formers: lip filler packages from £150. We only treat adults aged 18 and over.", {"under-18"}),
    ("Sixth-formers welcome for our lip hydration day.", {"under-18"}),
])
def test_a_refusal_beside_a_statement_is_not_an_appeal_to_under_18s(checker, text, rules):
    assert rules_of(checker, text) == rules, text


@pytest.mark.parametrize(("text", "rules"), [
    ("Prices go up on Monday.", {"urgency"}),               # a day with no number on the line (the prefilter)
    ("Quick, before our new prices land on Monday!", {"urgency"}),
    ("Our opening hours change on Monday.", set()),
    ("Exosomes are the talk of the year.\nWe inject them across the face.", {"exosome"}),   # near_before
    ("We inject them across the face.", set()),                                              # nothing named before
    ("Exosomes are tiny vesicles.\nWe will not inject them.", set()),
    ("We get asked a lot whether filler lasts forever. It doesn't.", set()),   # a reported question
    ("Is it safe to have more filler after a complication?\nNot always.", set()),   # a harm as circumstance
    ("Any complications?\nNone at all.", {"risk"}),                                 # a harm asked about
    ("The claims made for them about cell repair go well beyond the evidence.", set()),
    ("Magic moment: our nurse passed her prescribing exam!", set()),
    ("Our booster boosts collagen for firmer skin.", {"cell-effect"}),
    ("Some studies suggest microneedling may increase collagen, but the evidence is limited.", set()),
    ("You'll never have to shave again.", {"guarantee"}),
    ("Only one practitioner works on Saturdays, so those slots are limited.", set()),
    ("Only two slots left for Saturday!", {"urgency"}),
    ('Sarah says she hasn\'t looked this good since her twenties.', {"testimonial"}),
    ("Approved for use in the USA and across Europe.", {"regulatory-claim"}),
    ("Clients who go to hot yoga usually book us on a Thursday after class.", set()),   # not a school class
    ("Exam results day treat: 15% off lips for the class of 2026.", {"under-18"}),
    ("Most of the farmers we see book on a Tuesday before the weekend.", set()),   # a habit, not a deadline
    ("Book before Friday to keep this price.", {"urgency"}),
])
def test_round_three_concepts_and_false_alarms(checker, text, rules):
    assert rules_of(checker, text) == rules, text


def test_a_statement_refused_nearby_is_reported_when_it_offers(tmp_path):
    extra = house_rule(tmp_path, "house-kids", "    phrases: [kids]\n    refusals: ['(adults only)']\n"
                       "    offers: ['£|offer']\n")
    checker = ClaimsChecker(load_rules([extra]))
    assert found(checker, "Kids ask about it. Adults only.") == []
    assert found(checker, "Kids offer, £20. Adults only.") == [("claims.house-kids", "kids")]


def test_footnote_marks_split_and_join_sentences():
    line = "Terms apply. *£30 if no treatment is booked. Includes review.* Prices from £1.50."
    assert [line[a:b].strip() for a, b in split_sentences(line)] == [
        "Terms apply.", "*£30 if no treatment is booked.", "Includes review.*", "Prices from £1.50."]


def test_a_footnote_after_a_full_stop_and_a_page_footnote_for_the_description(checker):
    page = parse_html("x/index.html", (
        "<html><head><meta name='description' content='Free consultation* at our clinic'></head><body><main>"
        "<p>Includes your two-week review.* Cheek filler from £280.</p>"
        "<p>Terms apply. *A fee of £30 is charged if no treatment is booked. *Reviews after 14 days cost £40.</p>"
        "</main></body></html>").encode())
    findings = [f for f in checker.check(page) if f.rule == "claims.qualification"]
    assert sorted(f.message.split('"')[1] for f in findings) == ["free consultation *",
                                                                  "includes your two week review *"]
    assert any("meta description" in f.message for f in findings)


# -- the tuning corpus ------------------------------------------------------------------------------------------

def test_the_tuning_corpus_stays_above_its_floor():
    """The per-category figures on the tuning split (bench/claims_eval.py) do not fall below a floor; the held-out
    split is measured by the bench script only."""
    sys.path.insert(0, str(REPO))
    try:
        from bench.claims_eval import load_corpus, predict, scores
    finally:
        sys.path.remove(str(REPO))
    sentences, pages = load_corpus("tune")
    assert len(sentences) >= 150
    items = sentences + pages
    counts = scores(items, predict(items), [r.id for r in load_rules()])
    for category, (tp, fp, fn) in counts.items():
        assert tp + fn >= 3, f"{category}: too few examples in the tuning corpus"
        assert tp / (tp + fp or 1) >= 0.90, (category, tp, fp, fn)
        assert tp / (tp + fn) >= 0.90, (category, tp, fp, fn)


def test_compliant_tuning_pages_stay_quiet():
    """Issue 15's target on the tuning pages: at most 1 compliant page in 10 with a claims error."""
    sys.path.insert(0, str(REPO))
    try:
        from bench.claims_eval import load_corpus, predict
    finally:
        sys.path.remove(str(REPO))
    _, pages = load_corpus("tune")
    compliant = [p for p in pages if not p["expect"]]
    assert len(compliant) >= 20
    errors = [p["name"] for p, f in zip(compliant, predict(compliant), strict=True) if "error" in f.values()]
    assert len(errors) * 10 <= len(compliant), errors


@pytest.mark.parametrize("name", ["OUTSIDE", "../outside/rules.yaml", "rules/../../outside/rules.yaml", "LINK",
                                  "rules/\x1b[2J.yaml"])
def test_a_rule_file_outside_the_project_is_never_read_nor_shown(mini_project, tmp_path, name):
    from tests.projects import cli, run_cli

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "rules.yaml").write_text("root: x:0:0:root:/root:/bin/bash\nsecret: hunter2\n")
    if name == "LINK":
        (mini_project / "rules").mkdir()
        (mini_project / "rules" / "house.yaml").symlink_to(outside / "rules.yaml")
        name = "rules/house.yaml"
    name = name.replace("OUTSIDE", str(outside / "rules.yaml"))
    assert cli("-q", "build", "--project", str(mini_project)).returncode == 0   # a site for `check`
    with (mini_project / "site.yaml").open("a") as fh:
        fh.write(f"  rules: [{name!r}]\n".replace("'", '"') if "\x1b" not in name
                 else '  rules: ["rules/\\e[2J.yaml"]\n')
    for command in ("build", "check"):
        done = run_cli(command, "--project", str(mini_project))
        assert done.returncode == 2, done.stderr
        assert "hunter2" not in done.stderr + done.stdout and "/bin/bash" not in done.stderr + done.stdout
        assert "\x1b" not in done.stderr
        if name == "rules/house.yaml":
            assert "rules/house.yaml: is a symbolic link, and clinic-pages follows no links" in done.stderr
        elif "\x1b" in name:
            assert re.search(r"^site.yaml:\d+:\d+: checks.rules\[0\]: the text holds an invisible character, U\+001B",
                             done.stderr, re.M), done.stderr
        else:
            assert re.search(r"^site.yaml:\d+:\d+: checks.rules\[0\]: '.*' is not a file inside the project: ",
                             done.stderr, re.M), done.stderr


def test_rules_are_made_once_for_the_same_files_and_again_when_one_changes(tmp_path: Path) -> None:
    """The preview checks at every save: the same rule texts give the rules already made (the same objects), an
    edited rule file gives new ones, and a broken file is reported every time, not remembered as good."""
    rule = ("rules:\n  - id: house-word\n    severity: error\n    message: a word the clinic avoids\n"
            "    hint: say it another way\n    source: https://example.org/house-style\n    terms: [{word}]\n")
    path = tmp_path / "house.yaml"
    path.write_text(rule.format(word="zzyzzq"), "utf-8")
    first, again = load_rules([path]), load_rules([path])
    assert first == again and first[0] is again[0]
    path.write_text(rule.format(word="qqxq"), "utf-8")
    changed = load_rules([path])
    assert changed[0] is not first[0] and changed[0] != first[0]
    path.write_text("rules:\n  - id: broken\n", "utf-8")
    for _ in range(2):
        with pytest.raises(DataError):
            load_rules([path])



def test_rules_reloaded_leave_nothing_of_theirs_behind(tmp_path: Path) -> None:
    """What is worked out from a rule set (its phrases' first words, the checker's indexes) belongs to the rules and
    goes with them: the preview reloads the rules at every edit of a rule file, and a long session must not keep
    every rule set it has read. Two rule sets in one process share nothing."""
    import gc
    import weakref

    rule = ("rules:\n  - id: house-word\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
            "    phrases: [{{phrase: '{word}', near: [today]}}]\n")
    path = tmp_path / "house.yaml"
    kept = []
    for n in range(12):   # more rule sets than load_rules keeps (8)
        path.write_text(rule.format(word=f"zzq{n}"), "utf-8")
        rules = load_rules([path])
        page = HtmlPage("x/index.html", "/x/", visible_text=f"Zzq{n} today, zzq{(n + 1) % 12} today.")
        assert [f.message.split('"')[1] for f in ClaimsChecker.for_rules(rules).check(page)] == [f"zzq{n}"]
        phrase = rules[0].phrases[0]
        kept.append((weakref.ref(rules[0]), weakref.ref(phrase), weakref.ref(phrase.near[0])))
    del rules, phrase
    gc.collect()
    alive = [n for n, refs in enumerate(kept) if any(ref() is not None for ref in refs)]
    assert alive == list(range(12 - len(alive), 12)) and len(alive) <= 8   # only the rule sets load_rules keeps


def test_a_project_s_rules_are_read_with_the_default_set_as_one_set_indexed_once(tmp_path: Path) -> None:
    """A project's rule files and the default set are one rule set: its index is made once and every checker of
    it (each build, each save in the preview) shares it; a rule id of the default set is refused as before."""
    from generator.checks.rulesets import rules_for
    from generator.model import CheckSettings

    rule = ("rules:\n  - id: {id}\n    severity: error\n    message: m\n    hint: h\n    source: s\n"
            "    phrases: [zzyzzq]\n")
    (tmp_path / "house.yaml").write_text(rule.format(id="house-word"), "utf-8")
    settings = CheckSettings(rules=("house.yaml",))
    first, again = rules_for(settings, tmp_path), rules_for(settings, tmp_path)
    assert [r.id for r in first] == [r.id for r in load_rules()] + ["house-word"]
    assert ClaimsChecker.for_rules(first).by_signature is ClaimsChecker.for_rules(again, ["x"]).by_signature
    page = HtmlPage("x/index.html", "/x/", visible_text="Zzyzzq. Guaranteed results.")
    assert sorted(f.rule for f in ClaimsChecker(first).check(page)) == ["claims.guarantee", "claims.house-word"]
    (tmp_path / "house.yaml").write_text(rule.format(id="guarantee"), "utf-8")
    with pytest.raises(DataError, match="rule ids defined twice: guarantee"):
        rules_for(settings, tmp_path)


def test_the_default_rule_file_is_read_once_for_its_sets_and_its_rules(tmp_path: Path, monkeypatch) -> None:
    from generator.checks.claims import rules as rules_module

    default_text, read = rules_module._default_text(), []
    parse = rules_module.parse_document
    monkeypatch.setattr(rules_module, "parse_document", lambda text, name: (read.append(text == default_text),
                                                                           parse(text, name))[1])
    rules_module._default_document.cache_clear()
    rules_module._default_sets.cache_clear()
    (tmp_path / "house.yaml").write_text("rules:\n  - id: house-word\n    severity: error\n    message: m\n"
                                         "    hint: h\n    source: s\n    phrases: [zzyqq @harm]\n", "utf-8")
    rules = load_rules([tmp_path / "house.yaml"], with_default=True)
    assert [r.id for r in rules] == [r.id for r in load_rules()] + ["house-word"]
    assert read == [True, False]   # the default file (for its sets, and its rules), then the project's

# -- the fourth round of issue 15: the classes in other words --------------------------------------------------

FOURTH_ROUND = [
    # medicines without their name
    ("A little softening of the frown muscle with relaxing injections.", {"pom"}),
    ("Forehead lines, the elevens and crow's feet, all in one visit.", {"pom"}),
    ("Toxin-free facials only.", set()),                                          # another sense
    # no risk, said by denying harms or how little is felt
    ("Zero chance of burns or blisters.", {"risk"}),
    ("You'll hardly feel it.", {"risk"}),
    ("Camera-ready the moment you leave.", {"risk"}),
    ("Is it risk-free?\nNo. Every treatment carries some risk.", set()),          # asks whether the harm is absent
    ("Does it have side effects?\nPractically none.", {"risk"}),                  # answered with the claim
    # permanence and promises
    ("Those lips are here to stay.", {"guarantee"}),
    ("Your deposit is refunded, guaranteed.", set()),                             # a refund, not an outcome
    ("Gone for ever after one course.", {"guarantee"}),
    # proof from numbers
    ("Our results speak for themselves.", {"proven"}),
    ("93% said their skin felt smoother.", {"proven"}),
    # cells
    ("Teaches your cells to act young again.", {"cell-effect"}),
    ("Plumps your skin from the inside out.", {"cell-effect"}),                   # a gap `...0` at the end
    ("Cellular Repair Peel, 30 mins £70", {"cell-effect"}),                       # a service's name claims
    # breakthrough language in other words, and its quoting
    ("Nothing else on the high street comes anywhere close.", {"hype"}),
    ("Nothing short of a miracle for tired skin.", {"hype"}),                     # not a negation
    ("Miracle, breakthrough: when you read these words, ask for the evidence.", set()),
    ("You will know the vocabulary: painless, permanent, proven.", set()),
    ("Magic & Grace Aesthetics Ltd, 2 Mill Lane.", set()),                        # a firm's name
    # approval in any word order, bodies by their names
    ("Recognised by the General Medical Council as a centre of aesthetic care.", {"regulatory-claim"}),
    ("Approved for facial use in Britain by the MHRA.", {"regulatory-claim"}),
    # urgency by season, day range, hours
    ("Summer sale on all peels.", {"urgency"}),
    ("20% off boosters from Friday to Sunday.", {"urgency"}),
    ("Don't miss your two-week review.", set()),                                  # aftercare
    ("We won Clinic of the Year 2025.", set()),                                   # an award
    # under-18s: numbers, biography
    ("Lip packages designed for ages 15 to 17.", {"under-18"}),                   # "designed for" warns of nothing
    ("She has loved skincare since she was a teenager.", set()),
    # reviews
    ('"I feel 30 again, thank you!" Dee', {"testimonial"}),
    ("Zero swelling, 10/10 would recommend", {"risk", "testimonial"}),            # a review's marks
    # small print
    ("Unlimited top-ups* *One top-up only, within 14 days.", {"qualification"}),
    ("No marks\u00b9 \u00b9Most clients have some redness.", {"qualification", "risk"}),   # a superscript mark
    ("Lip filler from £180* *Price for 0.5 ml.", set()),                          # it only clarifies
    # conditions asked about, then treated
    ("Hives flaring up? Our facial clears them.", {"medical-condition"}),
]


@pytest.mark.parametrize(("text", "rules"), FOURTH_ROUND)
def test_the_classes_of_issue_15_in_other_words(checker, text, rules):
    assert rules_of(checker, text) == rules, text


def test_a_gap_of_no_words_joins_the_words_next_to_each_other():
    phrase = compile_phrase("inside out ...0 ?skin", {})
    assert [e.gap for e in phrase.elements] == [0, 0, 0]
    assert [e.optional for e in phrase.elements] == [False, False, True]


def test_a_lower_case_question_ends_at_its_question_mark():
    line = "does it bruise? sometimes. is it permanent? no."
    assert [line[a:b].strip() for a, b in split_sentences(line)] == ["does it bruise?", "sometimes. is it permanent?",
                                                                    "no."]
    assert sentences_of(line)[1].question


def test_the_words_of_negation_and_reported_speech_come_from_the_language_file():
    language = read_language()
    assert "never" in language["negations"] and "not only" in language["pseudo-negations"]
    assert "clinics" in language["others"] and "claim" in language["reporting-verbs"]
    text = (REPO / "generator" / "rules" / "language.yaml").read_text("utf-8")
    with pytest.raises(DataError) as info:
        read_language(text.replace("negations:\n", "negations: 12\nold-negations:\n", 1), "language.yaml")
    assert re.search(r"^language.yaml:\d+:\d+: negations: ", str(info.value), re.M), str(info.value)



def test_the_words_of_a_review_and_of_a_question_about_a_harm_come_from_the_language_file():
    """The word lists the claims rules' matching reads with are declared once, in the language file."""
    from generator.checks.claims import matcher, phrases, voice

    language = read_language()
    read = {"free-of": matcher._FREE_OF, "circumstances": matcher._CIRCUMSTANCE, "gap-ends": phrases._GAP_STOPS,
            "times-of-day": phrases.TIME_WORDS, "first-person": voice._FIRST_PERSON,
            "clinic-voice": voice._CLINIC_VOICE, "practitioner": voice._PRACTITIONER,
            "asks-for-me": voice._ASKS_FOR_ME, "client-own": voice._CLIENT_OWN, "client-i": voice._CLIENT_I,
            "client-me": voice._CLIENT_ME, "quoted-about": voice._META}
    assert {key: frozenset(language[key]) for key in read} == read
    assert "no" in language["free-of"] and "i'm" in language["first-person"] and "clients'" in language["practitioner"]

# -- the sixth round of issue 15 ---------------------------------------------------------------------------------

SIXTH_ROUND = [
    # medicines: filler dissolved by the clinic, named a sentence before; a toxin-free clinic's area prices
    ("Not keen on filler from another clinic. We can dissolve it, then start again.", {"pom"}),
    ("Filler breaks down on its own. It will dissolve over months.", set()),
    ("We're a toxin-free clinic. Our treatments are priced per area.", set()),
    # no risk: everyday comparisons, groups it is "safe for", nobody the wiser, listed harms all denied
    ("Less pain than a bikini wax.", {"risk"}),
    ("It was less sore than I had feared.", set()),                              # a review's relief, no claim
    ("Safe for breastfeeding mums too.", {"risk"}),
    ("Head back to the office and nobody is any the wiser.", {"risk"}),
    ("Redness, bumps, bruising: you won't see any of them.", {"risk"}),
    ("Tiny bumps that settle by lunchtime.", {"risk"}),
    ("Most people scroll on their phones the whole way through.", {"risk"}),
    # permanence: a result that will not move, ever
    ("Your brows won't shift, ever.", {"guarantee"}),
    ("Will your brows ever fade? Yes, over one to three years.", set()),
    # conditions: relief in other words, hair loss and hair that grows again
    ("Stress and anxiety lifted with every drip.", {"medical-condition"}),
    ("Thinning on top? Two sessions of our PRP and your hair is growing back.", {"medical-condition"}),
    ("After laser hair removal some hair may grow back.", set()),
    # urgency: a competition's mechanics, a last chance at a bundle, now or a worse later
    ("Like this post and tag your best friend!", {"urgency"}),
    ("Last chance at our summer bundle!", {"urgency"}),
    ("Last chance to see our Christmas window display.", set()),
    ("Book in now or pay full price from June.", {"urgency"}),
    # under-18s: a parent who comes along, a treatment at an age, a school event in the sentence before
    ("Book your first lip appointment and a parent comes with you.", {"under-18"}),
    ("Thinking about lip filler at 16? Message us to book.", {"under-18"}),
    ("Lip filler at 15 Market Street, Epsom.", set()),                            # an address
    ("Prom is nearly here! Get your lip glow-up booked in time for the big night.", {"under-18"}),
    ("Wedding season is here! Book your lip glow-up in time for the big day.", set()),
    # small print: "free" with a fee refunded or redeemed, an approval narrowed to another country
    ("Free consultation* *£40, redeemable against any treatment.", {"qualification"}),
    ("Free consultation* *With the skin team; a doctor's consultation is £40.", set()),   # it only clarifies
    ("FDA approved laser* *Cleared in the USA for hair removal.", {"regulatory-claim", "qualification"}),
    # the medicine by the conditions it is dosed for; proof in words; age reversed; outcomes every visit; pleasure
    ("Clenching your jaw at night? A few units can ease it.", {"pom", "medical-condition"}),
    ("Migraines? See your GP; we do not give injections for them.", set()),        # a referral
    ("Eighty per cent of clients in the study saw smoother skin.", {"proven"}),
    ("Lower your skin age with our cellular drip.", {"cell-effect"}),
    ("Plump lips every single time, or the top-up is on us.", {"guarantee"}),
    ("We check your skin every time you visit.", set()),
    ("It feels like a gentle facial.", {"risk"}),
    # a condition inside the phrase that treats it, or priced on a menu; the medicine by a jaw's condition
    ("Three LED visits knock stubborn rosacea on the head.", {"medical-condition"}),
    ("Eczema flaring up again? This mask has you covered.", {"medical-condition"}),
    ("Bruxism (both sides) £280", {"pom", "medical-condition"}),
    ("Migraine relief? See your GP, not us: we are a beauty salon. Facials from £45.", set()),
    ("Teeth clenching from TMJ pain? Our jaw injection eases it.", {"pom", "medical-condition"}),
    # trivialised harms after "nothing more than"; scarcity and deadlines in other words; a result seen
    ("Nothing more than a couple of tiny bumps that vanish within the hour.", {"risk"}),
    ("Just 4 of these going this month, so grab one quick.", {"urgency"}),
    ("Book a course before the end of the month and save 20%.", {"urgency"}),
    ("You will see a tighter jawline after one visit.", {"guarantee"}),
    # a numbered heading that names a claim to warn of it
    ('4. Lips that "last forever"\nAll filler breaks down.', set()),
    ('Lips that "last forever"\nBook now.', {"guarantee"}),
]


@pytest.mark.parametrize(("text", "rules"), SIXTH_ROUND)
def test_the_sixth_rounds_classes(checker, text, rules):
    assert rules_of(checker, text) == rules, text


def test_a_numbered_lists_number_does_not_end_a_sentence():
    line = "3. Results that last. Ask us. We open at 9. Book."
    assert [line[a:b].strip() for a, b in split_sentences(line)] == [
        "3. Results that last.", "Ask us.", "We open at 9.", "Book."]


def test_the_rows_of_a_price_list_stay_under_its_heading(checker):
    """A priced row is an item under the table's heading, not a sentence between them: a device's table of areas
    is not read as a medicine's, however many rows it has."""
    text = ("Polynucleotides\nInjected in small amounts. A course of three. Results vary.\nAreas\nCourse of 3\n"
            "One area (neck)\n£300\nTwo areas\n£500\nThree areas\n£650")
    assert rules_of(checker, text) == set()
    assert rules_of(checker, text.replace("Polynucleotides", "Lines and wrinkles")) == {"pom"}
