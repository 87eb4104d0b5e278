"""Thin pages in a site of treatments x areas: the pages about one area share its local facts, and that is their
own content; a treatment's text repeated on every area's page, or a place name swapped into a template, is not."""

from __future__ import annotations

import random

from generator.checks.duplicates import DuplicateIndex, DuplicateSettings

VOCABULARY = [f"w{i}" for i in range(20000)]
SETTINGS = DuplicateSettings(min_unique_share=0.05, min_unique_words=30)


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


def matrix(local_words: int, seed: int = 1):
    """Three treatments x four areas: each landing page is the area's local facts plus the treatment's text."""
    rng = random.Random(seed)
    treatments = {t: text(rng, 120) for t in ("jaw", "lip", "cheek")}
    areas = {a: text(rng, local_words) if local_words else "" for a in ("esher", "cobham", "ripley", "send")}
    pages, area_of = {}, {}
    for t, treatment_text in treatments.items():
        for a, local in areas.items():
            url = f"/{t}/{a}/"
            pages[url] = f"{t} near {a}\n{local}\n{treatment_text}"
            area_of[url] = a
    return pages, area_of


def finish(pages: dict[str, str], areas: dict[str, str] | None):
    index = DuplicateIndex(SETTINGS)
    for url, body in pages.items():
        index.add(url, body)
    return index.finish(areas=areas)


def test_local_facts_shared_by_the_pages_of_one_area_are_their_own_content():
    pages, area_of = matrix(local_words=60)
    result = finish(pages, area_of)
    assert not [s.page for s in result.pages if s.thin]
    assert all(s.unique_words >= 60 for s in result.pages)


def test_every_page_of_the_same_matrix_is_thin_when_each_page_stands_alone():
    pages, _ = matrix(local_words=60)
    result = finish(pages, None)   # `audit` knows no areas: every shingle is also on another page
    assert all(s.thin for s in result.pages)


def test_a_place_name_swapped_into_the_same_text_is_still_thin():
    pages, area_of = matrix(local_words=0)   # no local facts: only "jaw near esher" differs
    result = finish(pages, area_of)
    assert all(s.thin for s in result.pages)
    assert all(s.unique_words < SETTINGS.min_unique_words for s in result.pages)
