"""Thin pages in a site of treatments x areas, page by page: the local facts that every page about one area repeats
are no page's own; once the landing pages that repeated them are held back, they are the area page's."""

from __future__ import annotations

import random

from generator.checks.duplicates import DuplicateIndex, DuplicateSettings, Masker

VOCABULARY = [f"w{chr(97 + i // 26)}{chr(97 + i % 26)}" for i in range(26 * 26)]   # no digits: not masked
SETTINGS = DuplicateSettings(min_unique_share=0.05, min_unique_words=30)
AREAS = ("Esher", "Cobham", "Ripley", "Send")
RANKS = {"landing": 0, "area": 1, "treatment": 2}


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


def matrix(local_words: int, seed: int = 1) -> tuple[dict[str, str], dict[str, int]]:
    """Three treatments x four areas: each landing page is the area's local facts plus the treatment's text, with
    its treatment hub and its area page beside it."""
    rng = random.Random(seed)
    treatments = {t: text(rng, 120) for t in ("jaw", "lip", "cheek")}
    areas = {a: text(rng, local_words) if local_words else "" for a in AREAS}
    pages, ranks = {}, {}
    for t, treatment_text in treatments.items():
        pages[f"/{t}/"], ranks[f"/{t}/"] = f"{t} guide\n{treatment_text}", RANKS["treatment"]
        for a, local in areas.items():
            url = f"/{t}/{a.lower()}/"
            pages[url] = f"{t} near {a}\n{a} is 3.5 km north-east of our clinic, measured in a straight line.\n" \
                         f"{local}\n{treatment_text}"
            ranks[url] = RANKS["landing"]
    for a, local in areas.items():
        pages[f"/areas/{a.lower()}/"] = f"treatments near {a}\n{local}"
        ranks[f"/areas/{a.lower()}/"] = RANKS["area"]
    return pages, ranks


def finish(pages: dict[str, str], ranks: dict[str, int] | None, hold: bool, mask: Masker | None = None):
    index = DuplicateIndex(SETTINGS, mask)
    for url, body in pages.items():
        index.add(url, body)
    return index.finish(ranks=ranks, may_leave=(lambda rule, url: rule == "duplicates.thin") if hold else None)


def test_landing_pages_repeating_their_area_and_treatment_are_held_back_and_the_area_pages_keep_their_notes():
    pages, ranks = matrix(local_words=60)
    result = finish(pages, ranks, hold=True, mask=Masker(AREAS))
    held = {s.page for s in result.pages if s.held}
    assert held == {url for url, rank in ranks.items() if rank == RANKS["landing"]}
    assert all(result.stats[f"/areas/{a.lower()}/"].unique_words >= 60 for a in AREAS)
    assert not any(result.stats[url].thin for url, rank in ranks.items() if rank != RANKS["landing"])


def test_without_holding_back_every_page_of_the_matrix_is_thin():
    pages, ranks = matrix(local_words=60)
    result = finish(pages, ranks, hold=False)   # `audit` of the same pages, all indexable
    assert all(s.thin for s in result.pages if ranks[s.page] != RANKS["treatment"])


def test_a_place_name_and_distance_swapped_into_the_same_text_is_no_pages_own():
    pages, ranks = matrix(local_words=0)   # no local facts: only the place name and distance differ
    pages = {url: body for url, body in pages.items() if url.startswith("/jaw/")}   # one treatment
    masked = finish(pages, ranks, hold=False, mask=Masker(AREAS))
    plain = finish(pages, ranks, hold=False)
    landing = [url for url in pages if ranks[url] == RANKS["landing"]]
    assert all(masked.stats[url].unique_words == 0 for url in landing)
    assert all(plain.stats[url].unique_words > 0 for url in landing)   # word for word, they do differ a little
