"""Filler and spun sentences in the text written for local pages (generator/checks/duplicates/spun.py): what is
taken out of a page's own text, and what is left alone."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.checks.duplicates import DuplicateIndex, Masker, words
from generator.checks.duplicates.spun import (
    _TOKEN,
    _TOKEN_IN_RUN,
    _TOKEN_IN_TEXT,
    WORD,
    _token_rows,
    _Tokens,
    discount,
    discount_and_shingle,
)

# Invented places and text.
MASK = Masker(["Northfield", "Eastbrook", "Westmere", "Surrey", "Lip Fillers", "Microneedling"])
SPECIFIC = ("The 42 bus from Northfield stops outside the library every half hour until six; the last one back "
            "leaves at twenty past six, so book an appointment that ends by six.")


def test_a_sentence_of_names_and_stock_praise_is_filler():
    filler = ("Looking for lip fillers in Northfield? Our Northfield clients love their natural-looking results. "
              "Book your lip fillers near Northfield today with our friendly, experienced team.")
    kept, found = discount([("/lip-fillers/northfield/", 0, (filler, SPECIFIC)),
                            ("/areas/eastbrook/", 1, ("Parking is free after six in the evening.",))], MASK)
    assert found["/lip-fillers/northfield/"].filler == [
        "Looking for lip fillers in Northfield?", "Our Northfield clients love their natural-looking results.",
        "Book your lip fillers near Northfield today with our friendly, experienced team."]
    assert kept["/lip-fillers/northfield/"] == ("", SPECIFIC)
    assert "/areas/eastbrook/" not in found


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
    copied = ("Buses from Westmere stop at the end of Mill Lane, two minutes' walk from the clinic.",)
    kept, found = discount([("/areas/northfield/", 1, notes), ("/lip-fillers/northfield/", 0, spun),
                            ("/microneedling/northfield/", 0, copied)], MASK)
    assert kept["/areas/northfield/"] == notes and "/areas/northfield/" not in found
    assert found["/lip-fillers/northfield/"].spun == [(spun[0], "/areas/northfield/")]
    assert kept["/lip-fillers/northfield/"] == ("",)
    # word for word the area's but for the place: taken out too, but not listed (its shingles are not its own)
    assert kept["/microneedling/northfield/"] == ("",) and "/microneedling/northfield/" not in found


def test_texts_without_content_words_or_without_words():
    kept, found = discount([("/a/", 0, ("", "The 3.5 of Northfield.")), ("/b/", 1, ("?!",)), ("/c/", 0, ())], MASK)
    assert kept == {"/a/": ("", ""), "/b/": ("?!",), "/c/": ()}
    assert found["/a/"].filler == ["The 3.5 of Northfield."]
    assert discount([], MASK) == ({}, {})


PIECES = list("ab cd.!?\n-'’3é") + ["Northfield ", "clients ", "love ", "bus ", "team ", "free "]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
                                                      max_size=3)), max_size=6))
def test_any_texts_give_texts_made_of_their_own_sentences(pages):
    """No input breaks it; what is kept of a text is the text, or some of its sentences in order."""
    given = [(f"/p{i}/", rank, tuple(texts)) for i, (rank, texts) in enumerate(pages)]
    kept, found = discount(given, MASK)
    for url, _, texts in given:
        assert len(kept[url]) == len(texts)
        for before, after in zip(texts, kept[url], strict=True):
            if after != before:
                assert all(line in before for line in after.split("\n"))
    assert set(found) <= set(kept)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.lists(st.sampled_from(PIECES), max_size=30).map("".join),
                                                      max_size=3)), max_size=6))
def test_texts_read_in_one_pass_give_what_they_give_read_one_by_one(pages):
    """The texts are read in one pass, each ended by a character no text has; a text that has it (a page of its
    own here, that says nothing) has them read one by one, and every other page gets the same."""
    given = [(f"/p{i}/", rank, tuple(texts)) for i, (rank, texts) in enumerate(pages)]
    one_pass = discount(given, MASK)
    kept, found = discount([*given, ("/z/", 0, ("\x00",))], MASK)
    assert kept.pop("/z/") == ("\x00",) and "/z/" not in found
    assert (kept, found) == one_pass


def test_a_typographic_apostrophe_is_the_straight_one():
    """The same sentence with ’ on one page and ' on the other is the same sentence, word for word (names aside):
    taken out of both, and listed on neither (text.py's words read both marks alike)."""
    a = ("Clients from Northfield park in the church hall’s car park on market days.",)
    b = ("Clients from Eastbrook park in the church hall's car park on market days.",)
    kept, found = discount([("/a/", 0, a), ("/b/", 0, b)], MASK)
    assert kept == {"/a/": ("",), "/b/": ("",)} and found == {}


# besides PIECES: a capital whose lower case is two characters (text.py lowers a line before it finds words), a
# line break inside a sentence, breaks that only "\n" ends a line at, typographic quotes and the end-of-text mark
READ_PIECES = [*PIECES, "İstanbul ", "\r\n", "\u2028", "x.\u2028", ". \n ", "“", "hall’s ", "\x00", "\n\n"]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.lists(st.sampled_from(READ_PIECES), max_size=30)
                                                      .map("".join), max_size=3)), max_size=6),
       st.booleans())
def test_the_one_reading_gives_the_index_what_it_reads_itself(pages, masked):
    """What `discount_and_shingle` hands the duplicate index from its one reading of the texts (each page's
    distinct shingles and words, for the texts kept as written) is what the index works out from those texts
    itself, word for word and shingle for shingle; a text that lost sentences is left to the index."""
    given_pages = [(f"/p{i}/", rank, tuple(texts)) for i, (rank, texts) in enumerate(pages)]
    mask = MASK if masked else None
    reading = discount_and_shingle(given_pages, mask)
    assert (reading.kept, reading.found) == discount(given_pages, mask)
    index = DuplicateIndex(mask=mask)
    for url, texts in reading.kept.items():
        index.written_for(url, list(texts))
    own = index._shingles_of_written()
    assert set(reading.shingles) == set(reading.words)
    for url, _, texts in given_pages:
        if reading.kept[url] == texts:
            assert texts in reading.shingles
        if texts in reading.shingles:
            assert np.array_equal(reading.shingles[texts], own[texts])
            assert reading.words[texts] == sum(len(words(t)) for t in texts)
    assert not set(reading.shingles) - {texts for _, _, texts in given_pages}


# besides READ_PIECES: white space of every kind that str.split and the regular expressions' \s take (tabs, form
# feeds, information separators, next line, no-break and ideographic spaces), one they do not (zero-width space),
# lines of white space only, runs that end a sentence at a line's end and at the text's
TOKEN_PIECES = [*READ_PIECES, "\t", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u3000", "\u200b", " ", "\n \n", "!\n",
                "?", "_", "1,000", "3.5.", "x-y'z"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKEN_PIECES), max_size=40).map("".join), st.booleans(), st.booleans())
def test_the_texts_are_cut_into_the_tokens_the_regular_expression_finds(text, masked, one_pass):
    """The texts are read with str.split and a table of the runs between white space: the same tokens, in the same
    order, as the regular expression finds (a break's row stands for any break of its kind: no figure tells them
    apart). In one pass the end-of-text mark is a token; read one by one, a text's own is not."""
    mask = MASK if masked else None
    pattern, run = (_TOKEN, _TOKEN_IN_RUN) if one_pass else (_TOKEN_IN_TEXT, WORD)
    alike, fast = _Tokens(mask), _Tokens(mask)

    def shown(table: _Tokens, rows: list[int]) -> list[tuple]:
        return [(table.kind[r], table.parts[r], table.exact[r], table.read[r]) for r in rows]

    assert shown(fast, _token_rows(text, fast, run)) == shown(alike, [alike[t] for t in pattern.findall(text)])


@pytest.mark.slow
def test_a_build_whose_index_reads_the_written_texts_itself_is_byte_equal(tmp_path, monkeypatch):
    """The sample built with the index given the written texts' shingles and words by the reading that found their
    filler and spin, and built with the index reading them itself: the same files, byte for byte."""
    from generator.build import build
    from tests.projects import sample_subset, tree_bytes
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    given_texts: list[int] = []
    know = DuplicateIndex.know_written

    def spy(self, shingles, counts):
        given_texts.append(len(shingles))
        return know(self, shingles, counts)

    monkeypatch.setattr(DuplicateIndex, "know_written", spy)
    one = sample_subset(tmp_path / "one")
    build(one)
    assert given_texts and given_texts[0] > 10
    monkeypatch.setattr(DuplicateIndex, "know_written", lambda self, shingles, counts: None)
    two = sample_subset(tmp_path / "two")
    build(two)
    assert tree_bytes(one / "output") == tree_bytes(two / "output")
    assert (one / ".clinic-pages-state.json").read_bytes() == (two / ".clinic-pages-state.json").read_bytes()
