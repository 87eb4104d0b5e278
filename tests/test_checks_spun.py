"""Filler and spun sentences in the text written for local pages (generator/checks/duplicates/spun.py): what is
taken out of a page's own text, and what is left alone."""

from __future__ import annotations

from generator.checks.duplicates import Masker
from generator.checks.duplicates.spun import discount, sentences

# Invented places and text.
MASK = Masker(["Northfield", "Eastbrook", "Westmere", "Surrey", "Lip Fillers", "Microneedling"])
SPECIFIC = ("The 42 bus from Northfield stops outside the library every half hour until six; the last one back "
            "leaves at twenty past six, so book an appointment that ends by six.")


def test_a_sentence_of_names_and_stock_praise_is_filler():
    filler = sentences("Looking for lip fillers in Northfield? Our Northfield clients love their natural-looking "
                       "results. Book your lip fillers near Northfield today with our friendly, experienced team.",
                       MASK)
    assert len(filler) == 3 and all(s.filler for s in filler)
    assert not any(s.filler for s in sentences(SPECIFIC, MASK))
    assert not sentences("Parking is free after six in the evening.", MASK)[0].filler


def test_spun_sentences_count_for_neither_page_and_the_rest_stays():
    """Synonyms swapped, words reordered, a possessive: the same sentence."""
    spun = "Our Northfield clients love the late Thursday appointments with our friendly team."
    one = (spun + " " + SPECIFIC,)
    other = ("Eastbrook patients adore our welcoming team's late Thursday appointment.",)
    kept, found = discount([("/lip-fillers/northfield/", 0, one), ("/lip-fillers/eastbrook/", 0, other)], MASK)
    assert kept["/lip-fillers/northfield/"] == (SPECIFIC,)
    assert kept["/lip-fillers/eastbrook/"] == ("",)
    assert found["/lip-fillers/eastbrook/"].spun == [(other[0], "/lip-fillers/northfield/")]
    assert found["/lip-fillers/northfield/"].spun == [(spun, "/lip-fillers/eastbrook/")]
    assert not found["/lip-fillers/northfield/"].filler


def test_one_word_swapped_is_still_spun_but_two_different_facts_are_not():
    a = ("Clients from Northfield often park behind the church hall on market days.",)
    b = ("Clients from Eastbrook usually park behind the church hall on market days.",)
    c = ("Clients from Westmere take the train to the station and walk up the hill.",)
    kept, found = discount([("/a/", 0, a), ("/b/", 0, b), ("/c/", 0, c)], MASK)
    assert set(found) == {"/a/", "/b/"}
    assert kept["/c/"] == c   # untouched: the same text, not rewritten


def test_an_area_keeps_its_notes_spun_onto_its_landing_pages():
    notes = ("Buses from Northfield stop at the end of Mill Lane, two minutes' walk from the clinic.",)
    spun = ("From Northfield, buses stop at the end of Mill Lane, a two-minute walk from our clinic.",)
    kept, found = discount([("/areas/northfield/", 1, notes), ("/lip-fillers/northfield/", 0, spun),
                            ("/microneedling/northfield/", 0, spun)], MASK)
    assert kept["/areas/northfield/"] == notes and "/areas/northfield/" not in found
    assert found["/lip-fillers/northfield/"].spun[0][1] == "/areas/northfield/"
    assert kept["/lip-fillers/northfield/"] == ("",)
