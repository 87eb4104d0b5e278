"""generator/text.py: the one "did you mean" every phase uses."""

from __future__ import annotations

import re

from generator.text import closest, did_you_mean
from tests.projects import REPO


def test_a_typo_and_a_longer_name_are_both_suggested():
    assert closest("nearest_staton", ["name", "nearest_station"]) == "nearest_station"
    assert closest("latitude", ["lat", "lon", "la"]) == "lat"        # starts with it (at least three letters)
    assert closest("zzz", ["lat", "lon"]) is None
    assert did_you_mean("claim", ["claims", "seo"], lambda c: f"{c}.hype") == "did you mean `claims.hype`?"
    assert did_you_mean("zzz", ["lat"]) == ""


def test_no_module_words_its_own_did_you_mean():
    """Every suggestion comes from `did_you_mean`, so a data file, a spreadsheet, a rule file and the settings
    suggest alike (the sheet reader once had its own rule for `latitude` -> `lat`; the claims rules suggested any
    set with the same first three letters)."""
    own = [f"{path.relative_to(REPO)}:{n}" for path in sorted((REPO / "generator").rglob("*.py"))
           if path.name != "text.py"
           for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
           if re.search(r"did you mean|get_close_matches", line, re.I)]
    assert own == []


def test_every_check_reads_a_typographic_apostrophe_as_a_straight_one():
    """One table of quotes and one set of apostrophes (generator/text.py): content, claims and duplicates read
    "it’s" as "it's" (the claims rules' word pattern and the duplicate checks' once disagreed on it)."""
    from generator.checks.claims.phrases import WORD_PATTERN, normalise
    from generator.checks.content import fold
    from generator.checks.duplicates.text import words

    curly, straight = "It\u2019s the clinic\u2019s \u201cown\u201d  text", "It's the clinic's \"own\" text"
    assert fold(curly) == fold(straight) == "it's the clinic's \"own\" text"
    assert normalise(curly).split() == normalise(straight).split()
    said = ["it's", "the", "clinic's", "own", "text"]
    assert WORD_PATTERN.findall(normalise(curly)) == WORD_PATTERN.findall(normalise(straight)) == said
    assert [w.replace("\u2019", "'") for w in WORD_PATTERN.findall(curly.lower())] == said   # unfolded, it still joins
    assert words(curly) == words(straight) == said     # the duplicate checks' words: the same words, the same hashes


def test_every_mark_read_as_an_apostrophe_is_read_so_everywhere():
    """The marks QUOTES folds to a straight apostrophe are the marks that join a word (APOSTROPHES), and every reader
    of words takes each of them as the straight one: the duplicate checks (whose words are hashed: "clinic’s" and
    "clinic's" were two words, and "it‘s" two words, "it" and "s"), the claims rules' word pattern, content's folding,
    the plan's search for place names ("Esher‘s" names Esher), the SEO check's places, and slugs."""
    from generator.checks.claims.phrases import WORD_PATTERN, normalise
    from generator.checks.content import fold
    from generator.checks.duplicates.text import words
    from generator.checks.seo.structured import _places
    from generator.plan import _name_words
    from generator.slugs import slugify
    from generator.text import APOSTROPHES, QUOTES

    for mark in ("'", "\u2019", "\u2018"):
        text = f"Esher{mark}s clinic{mark}s o{mark}clock: we serve Walton{mark}s Wood"
        straight = text.replace(mark, "'")
        assert words(text) == words(straight) == ["esher's", "clinic's", "o'clock", "we", "serve", "walton's", "wood"]
        assert WORD_PATTERN.findall(normalise(text)) == WORD_PATTERN.findall(normalise(straight))
        assert fold(text) == fold(straight)
        assert _name_words(text)[:3] == ["esher", "clinic", "o"]
        assert _places(text) == {f"Walton{mark}s Wood"}
        assert slugify(text) == slugify(straight) == "eshers-clinics-oclock-we-serve-waltons-wood"
    assert set(APOSTROPHES) == {"'"} | {old for old, new in QUOTES if new == "'"} == {"'", "\u2019", "\u2018"}
