"""The doorway gate's verdicts in a marketer's words: why a page is held back, and what would earn it a place.

The judging itself is elsewhere: `plan.own_sources` says what on a local page is written for it alone (a page with
nothing is held back before it is rendered: `duplicates.doorway`), and the duplicate check measures each page's
own text against every other indexable page (`duplicates.thin`, checks/duplicates/own.py). Here: one `Hold` per
held-back page, with the words that would earn it a place, for the findings and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from generator.checks.duplicates import DuplicateSettings, PageStats
from generator.checks.duplicates.spun import Discounted
from generator.checks.facts import PageFacts
from generator.language import list_text
from generator.model import PageKind

# What a held-back page lacks: the groups of the HTML report's view of held-back pages.
LACKS = {
    "pair": "text written for the treatment in the area",
    "area": "text about the area",
    "more": "more text of their own",
    "copy": "text not found on another page",
    "say": "text that says something: not stock phrases, nor another page's reworded",
    "offer": "text for the treatment in the area (they share one clinic's offer with other pages)",
}


@dataclass(frozen=True, slots=True)
class Hold:
    """A page held back (or, under another policy, flagged) by the gate."""

    page: str
    rule: str                   # duplicates.doorway | duplicates.thin | duplicates.exact | duplicates.near
    lacks: str                  # a key of LACKS
    reason: str                 # why, in a sentence
    advice: str                 # what would earn it a place
    canonical: str = ""         # where its canonical points, when held back ("" when not built, or published)
    own_words: int = 0
    need_words: int = 0         # about how many words of its own it needs
    built: bool = True          # False: not built at all (policy skip)


def words_needed(own: int, content: int, settings: DuplicateSettings) -> int:
    """About how many more words of its own a page needs to pass both minimums (rounded up to tens): x with
    own + x >= min_unique_words and (own + x) / (content + x) >= min_unique_share."""
    share = settings.min_unique_share
    by_share = ceil((share * content - own) / (1 - share)) if share < 1 else 10**6
    need = max(settings.min_unique_words - own, by_share, 1)
    return int(ceil(need / 10) * 10)


def doorway_hold(facts: PageFacts, words: int, settings: DuplicateSettings, peers: tuple[str, ...] = ()) -> Hold:
    """A local page with nothing written for it alone (plan.own_sources). `peers`: the areas of the other pages
    with nothing written for them that show its offer (PageFacts.offer_peers), which is then none's own."""
    need = words_needed(0, words, settings)
    if facts.kind == PageKind.AREA:
        area = facts.area or "the area"
        return Hold(facts.url_path, "duplicates.doorway", "area",
                    f"nothing on it is written for {area}: only the distance, the list of treatments and text found "
                    "on other pages (locations.yaml has no `notes` or `faqs` for it)",
                    _area_advice(area, need), need_words=need)
    treatment, area = (facts.treatment or "the treatment"), (facts.area or "the area")
    if peers and facts.premises is not None:
        return _shared_offer_hold(facts, treatment, area, peers, need)
    if facts.unplaced:
        return Hold(facts.url_path, "duplicates.doorway", "pair",
                    f"the text written for it under `landing_pages` names no place (not {area}, nor a station or "
                    f"a town near it): it is about {treatment.lower()} in general, which is the guide's subject "
                    f"({facts.hub}), not about {treatment.lower()} for people from {area}",
                    _pair_advice(treatment, area, facts.treatment_slug or "", need), need_words=need)
    return Hold(facts.url_path, "duplicates.doorway", "pair",
                f"nothing on it is written for {treatment.lower()} in {area}: its text is the {treatment.lower()} "
                f"guide's ({facts.hub}) and {area}'s (/areas/{facts.location}/), with the place names and distances "
                "swapped in",
                _pair_advice(treatment, area, facts.treatment_slug or "", need), need_words=need)


def thin_hold(facts: PageFacts | None, stats: PageStats, settings: DuplicateSettings,
              discounted: Discounted | None = None) -> Hold:
    """A page whose own text, measured against every other indexable page, is under the minimums. `discounted`:
    the sentences of the text written for it that did not count (duplicates/spun.py), said in the reason."""
    need = words_needed(stats.unique_words, stats.content_words, settings)
    own = stats.unique_words
    if stats.word_for_word:   # a page with an offer of its own (plan.credit_offers), judged as `audit` judges it
        measured = (f"it is the only page for its premises, practitioner and days, but only {own} of its "
                    f"{stats.content_words} words ({stats.unique_share:.0%}) are found on no other indexable page, "
                    "word for word: a search engine finds it thin")
    else:
        where = "of the text written for it, " if facts is not None and facts.own_text is not None else ""
        measured = (f"{own} of its {stats.content_words} words ({stats.unique_share:.0%}) are its own: {where}found "
                    "on no other indexable page, once place names, numbers and directions are set aside")
        if discounted:
            measured += "; " + _discounted_reason(discounted)
    if facts is None:
        return Hold(stats.page, "duplicates.thin", "more", measured,
                    f"Give it about {need} more words of its own, or keep it out of search results (noindex).",
                    own_words=own, need_words=need)
    if facts.kind in (PageKind.LANDING, PageKind.AREA):
        area = facts.area or "the area"
        landing = facts.kind == PageKind.LANDING
        advice = (_pair_advice(facts.treatment or "the treatment", area, facts.treatment_slug or "", need, own > 0)
                  if landing else _area_advice(area, need, own > 0))
        lacks = "pair" if landing else "area"
        if discounted and own < settings.min_unique_words and _mostly(discounted, facts.own_text or ()):
            lacks = "say"
            advice = ("Stock phrases around the place's name (\"our friendly team\", \"book today\") and sentences "
                      "reworded from another page's do not make a page worth finding: say something true that only "
                      "this page can. " + advice)
        elif own == 0 and facts.own and not stats.word_for_word:   # its written text is on another page too
            lacks = "copy"
            advice = ("Its text for this treatment here is also on another page, or differs from one only by place "
                      "names and numbers: write it for this page alone. " if landing else "Its notes are also on "
                      "another page, or differ from another's only by place names and numbers: write them for this "
                      "place alone. ") + advice
        return Hold(stats.page, "duplicates.thin", lacks, measured, advice, own_words=own, need_words=need)
    if facts.kind == PageKind.TREATMENT:
        return Hold(stats.page, "duplicates.thin", "more", measured,
                    f"Add about {need} words to the {facts.treatment} guide in treatments.yaml that no other "
                    "treatment's text repeats.", own_words=own, need_words=need)
    return Hold(stats.page, "duplicates.thin", "more", measured,
                f"Give the page about {need} more words of its own.", own_words=own, need_words=need)


def _mostly(d: Discounted, written: tuple[str, ...]) -> bool:
    """Whether the sentences that did not count hold at least half the words of the text written for the page (it
    lacks text that says something, rather than more text)."""
    gone = sum(len(s.split()) for s in d.filler) + sum(len(s.split()) for s, _ in d.spun)
    return 2 * gone >= sum(len(t.split()) for t in written)


def _shared_offer_hold(facts: PageFacts, treatment: str, area: str, peers: tuple[str, ...], need: int) -> Hold:
    """A landing page whose offer (another clinic than the guide's) would earn it a place, but that shows that offer
    with nothing else, as the pages of `peers` (their areas) do: one clinic's offer earns one page."""
    t, slug = treatment.lower(), facts.treatment_slug or ""
    clinic = str(facts.premises.name) if facts.premises is not None else "its clinic"
    others = list_text(list(peers))
    pages = f"the page for {others} shows" if len(peers) == 1 else f"the pages for {others} show"
    them = "it" if len(peers) == 1 else "them"
    reason = (f"it is a page for {t} at {clinic}, another clinic than the one the {t} guide ({facts.hub}) books "
              f"first, but {pages} that clinic's {t} with nothing written for {them} either: they would be the same "
              "page with the place swapped, so none of them stands on the clinic's offer")
    advice = (f"Add about {need} words about {t} for people in {area} under `landing_pages: {slug}:` in {area}'s "
              f"entry in locations.yaml (for example, \"Clients from {area} who come to {clinic} for {t} "
              "usually ...\": how they get there, or a question they ask, with your answer); or write such text for "
              f"{others} instead: the one page of {clinic} left with nothing written for it is then published on "
              "the clinic's offer. Write only what you know to be true.")
    return Hold(facts.url_path, "duplicates.doorway", "offer", reason, advice, need_words=need)


def _discounted_reason(d: Discounted) -> str:
    parts = []
    if d.filler:
        n = len(d.filler)
        parts.append(f"{_sentences(n)} of the text written for it {'says' if n == 1 else 'say'} nothing but names "
                     f"and stock praise (\"{_clip(d.filler[0])}\")")
    if d.spun:
        sentence, other = d.spun[0]
        parts.append(f"{_sentences(len(d.spun))} {'is' if len(d.spun) == 1 else 'are'} another page's reworded "
                     f"(\"{_clip(sentence)}\", as on {other})")
    return " and ".join(parts) + (": it does not count" if len(d.filler) + len(d.spun) == 1 else ": they do not count")


def _sentences(n: int) -> str:
    return "1 sentence" if n == 1 else f"{n} sentences"


def _clip(text: str, most: int = 80) -> str:
    return text if len(text) <= most else text[:most].rsplit(" ", 1)[0] + "…"


def _pair_advice(treatment: str, area: str, slug: str, need: int, more: bool = False) -> str:
    t = treatment.lower()
    return (f"Add about {need} {'more ' if more else ''}words about {t} for people in {area} (for example, a "
            f"question people from {area} ask about {t}, with your answer) under `landing_pages: {slug}:` in "
            f"{area}'s entry in locations.yaml. Write only what you know to be true.")


def _area_advice(area: str, need: int, more: bool = False) -> str:
    return (f"Add about {need} {'more ' if more else ''}words about {area} for the people who come from there "
            f"(for example, how they get to the clinic by bus, train or car, and where they can park) as `notes:` "
            f"or `faqs:` in {area}'s entry in locations.yaml. Write only what you know to be true.")


DOORWAY_RISK_HINT = ("published all the same: search engines may treat it as a doorway page (Google's spam "
                     "policies), which can cost the whole site its rankings")


def predicted_holds(project, plan, run, previous: dict | None = None) -> dict[str, str]:
    """The pages a build's checks will most likely hold back, with where their canonicals will point: the local
    pages with nothing of their own (certain); a page the last build judged, as it judged it (`previous`: the build
    state's `held`, the pages its text held back, and `judged`, every page it judged); any other page whose own
    text is shorter than the minimum of own words. Only a prediction, so that most pages are drawn once: the checks'
    verdicts decide, and a page drawn otherwise is drawn again (build.py)."""
    minimum = run.duplicate_settings.min_unique_words
    held = set(run.held_before)
    before = set((previous or {}).get("held") or ())
    judged = set((previous or {}).get("judged") or ())
    for page in plan.pages:
        url = page.url_path
        if url in held or not run.may_leave("duplicates.thin", url):
            continue
        if url in judged:
            if url in before:
                held.add(url)
            continue
        if not page.own or page.own == ("offer",):   # certain, or judged word for word, on all its text
            continue
        texts = run.written.get(url, run.facts.pages[url].own_text or ())   # what can be its own (engine.py)
        if run.index.written_word_count(texts) < minimum:
            held.add(url)
    facts = run.facts.pages
    return {url: facts[url].hub if facts[url].hub not in held else "/" for url in sorted(held)}
