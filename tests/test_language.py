"""The grammar pages put names into: number, article, the name mid-sentence; distances in miles first; days and
times as people say them."""

from __future__ import annotations

import pytest

from generator.language import (
    days_text,
    derive_article,
    derive_plural,
    distance_text,
    indefinite_article,
    name_forms,
    plain_words,
    radius_text,
    time_text,
)

# name -> (plural, article, mid-sentence with article, "is"/"are")
NAMES = {
    "Jaw Fillers": (True, "none", "jaw fillers", "are"),
    "Chemical Peel": (False, "a", "a chemical peel", "is"),
    "Microneedling": (False, "none", "microneedling", "is"),
    "Consultation for Lines and Wrinkles": (False, "a", "a consultation for lines and wrinkles", "is"),
    "Exosome Skin Treatment": (False, "an", "an exosome skin treatment", "is"),
    "Nose-to-Mouth Line Fillers": (True, "none", "nose-to-mouth line fillers", "are"),
    "Skin Boosters": (True, "none", "skin boosters", "are"),
    "HIFU Facial": (False, "an", "an HIFU facial", "is"),
    "PRP Therapy": (False, "a", "a PRP therapy", "is"),
    "HydraFacial": (False, "a", "a HydraFacial", "is"),
    "Unique Peel": (False, "a", "a unique peel", "is"),
    "Hour-Long Facial": (False, "an", "an hour-long facial", "is"),
    "Lip Gloss Treatment": (False, "a", "a lip gloss treatment", "is"),
    "Hyperhidrosis": (False, "a", "a hyperhidrosis", "is"),
    "Peels for Acne Scars": (True, "none", "peels for acne scars", "are"),
}


@pytest.mark.parametrize("name", NAMES)
def test_number_and_article_are_worked_out_from_the_name(name: str) -> None:
    plural, article, noun, be = NAMES[name]
    forms = name_forms(name)
    assert (forms.plural, forms.article, forms.noun, forms.be) == (plural, article, noun, be)
    assert derive_plural(name) is plural and derive_article(name) == article


def test_declared_forms_win_over_derived_ones() -> None:
    forms = name_forms("Exosome Skin Treatment", article="none", text="exosome skin treatment")
    assert forms.noun == "exosome skin treatment" and forms.subject == "Exosome skin treatment"
    assert name_forms("Botulinum Consultations", plural=False, article="a").be == "is"


def test_subject_and_verbs_agree() -> None:
    assert name_forms("Chemical Peel").subject == "A chemical peel"
    assert name_forms("Jaw Fillers").agree("involve") == "involve"
    assert name_forms("Chemical Peel").agree("involve") == "involves"
    assert name_forms("Microneedling").agree("finish") == "finishes"
    assert name_forms("Microneedling").agree("carry") == "carries"


def test_names_mid_sentence_keep_acronyms_and_inner_capitals() -> None:
    assert plain_words("Nose-to-Mouth Line Fillers") == "nose-to-mouth line fillers"
    assert plain_words("HIFU Facial") == "HIFU facial"
    assert plain_words("HydraFacial for Dull Skin") == "HydraFacial for dull skin"
    assert plain_words("CO2 Laser") == "CO2 laser"


@pytest.mark.parametrize(("word", "article"), [("apple", "an"), ("unit", "a"), ("hour", "an"), ("honest", "an"),
                                               ("one-off", "a"), ("euro", "a"), ("MRI", "an"), ("NHS", "an"),
                                               ("GP", "a"), ("umbrella", "an"), ("house", "a")])
def test_indefinite_article_follows_the_sound(word: str, article: str) -> None:
    assert indefinite_article(word) == article


def test_distances_are_miles_first_with_km_beside() -> None:
    assert distance_text(3.5) == "2.2 miles (3.5 km)"
    assert distance_text(1.6093) == "1 mile (1.6 km)"
    assert distance_text(0.01) == "under 0.1 miles (under 0.1 km)"
    assert radius_text(15) == "9 miles (15 km)"


@pytest.mark.parametrize(("days", "every", "text"), [
    (["Mo", "Tu", "We", "Th", "Fr"], False, "Monday to Friday"),
    (["Tu", "Th"], True, "Tuesdays and Thursdays"),
    (["Fr", "Mo", "We", "Sa"], False, "Monday, Wednesday, Friday and Saturday"),
    (["Sa"], True, "Saturdays"),
    (["Mo", "Tu"], False, "Monday and Tuesday"),
])
def test_days_read_as_people_say_them(days, every, text) -> None:
    assert days_text(days, every=every) == text


@pytest.mark.parametrize(("hhmm", "text"), [("09:00", "9am"), ("17:30", "5:30pm"), ("12:00", "noon"),
                                            ("00:30", "12:30am"), ("12:15", "12:15pm")])
def test_times_read_as_people_say_them(hhmm: str, text: str) -> None:
    assert time_text(hhmm) == text
