"""Text written for a page that is not its own although no other page has it word for word: filler and spin.

Sentence by sentence, in the text written for local pages alone (checks/facts.py `own_text`):

  * Filler: a sentence whose words are all values the generator knows (places, treatments, numbers: the mask of
    text.py), function words or the stock words of advertising: "Looking for lip fillers in Esher? Our Esher
    clients love our friendly, experienced team." It names the place and the treatment and tells a patient
    nothing. No other page has its words, so word counts alone would call it the page's own.
  * Spin: a sentence whose content words (the inserted values, function words and plural endings set aside,
    stock words taken to one word per meaning, word order ignored) are those of a sentence written for another
    page, or all of them but one ("Our Esher clients adore our friendly team" and "Our welcoming team is loved by
    Cobham patients"). Text spun for page after page is the scaled content of Google's spam policies. A spun
    sentence counts for none of the pages that have it, except the most general of them when it is alone of its
    rank (an area's notes spun onto its landing pages stay the area page's own, as text copied word for word
    does once the landing pages are held back: own.py).

Such sentences are taken out of a page's written text before its own words are counted (DuplicateIndex.written_for),
so the page stands on the rest of it, or is held back as thin with the reason (`Discounted`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from generator.checks.duplicates.text import Masker, words

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_WORDS_TO_MATCH = 3      # content words a sentence needs before it is matched with another page's (shorter
                            # sentences, "Parking is free", are said alike honestly)

# Words that carry grammar, not information.
FUNCTION_WORDS = frozenset("""
a an the this that these those it its it's itself they them their theirs there here we us our ours you your yours
i me my he him his she her hers who whom whose which what when where why how whether if so as at by for from in into
of off on onto out over to up upon with within without about after before around near nearer nearest next than
then too very also just only really truly quite more most much many any some every each all both either neither
no not nor and or but yet be is are was were been being am do does did done doing have has had having will would
shall should can could may might must let lets let's get gets got make makes made go goes going come comes came
look looks say says said one ones way ways own always ever often again further else such same other others
""".split())

# The stock words of advertising, grouped by meaning; the first of each group stands for the group. A sentence
# made of these (and of values and function words) is filler; spin swaps words within a group.
STOCK_GROUPS = (
    "client patient customer resident local people person visitor folk everyone anyone someone family neighbour",
    "love adore enjoy like appreciate value rave trust recommend choose prefer pick select loved adored enjoyed "
    "liked appreciated valued trusted recommended chosen chose preferred picked selected",
    "great excellent fantastic superb amazing wonderful outstanding brilliant exceptional fabulous perfect ideal "
    "incredible remarkable terrific marvellous",
    "best finest top leading premier premium number first favourite go-to ultimate",
    "friendly welcoming warm caring approachable kind lovely nice pleasant",
    "beautiful stunning gorgeous pretty charming picturesque delightful idyllic attractive glowing radiant",
    "clinic practice salon centre center studio place venue spot destination home",
    "team practitioner staff expert specialist professional injector",
    "experienced skilled qualified knowledgeable talented trained expertly professionally",
    "treatment procedure service therapy option solution",
    "result outcome transformation difference",
    "natural subtle natural-looking refreshed confident rejuvenated fresh youthful",
    "book reserve schedule arrange secure",
    "call phone ring contact touch message email",
    "today now soon",
    "looking searching seeking hunting wanting want need needing wish consider considering interested",
    "near nearby close local locally around neighbouring surrounding",
    "village town area community neighbourhood suburb region district",
    "live living reside based",
    "welcome welcomed greet greeting greeted",
    "quality high-quality safe effective proven",
    "offer provide deliver give bring",
    "proud delighted pleased happy thrilled",
    "environment setting atmosphere surroundings",
    "relaxing calming comfortable relaxed",
    "feel feeling leave leaving",
    "help assist support",
    "further absolutely yes certainly definitely course",
    "suit suits tailored bespoke personalised individual",
    "again back return",
    "tell told",
    "aim aims",
    "enhance improve boost",
)
SYNONYMS = {word: group.split()[0] for group in STOCK_GROUPS for word in group.split()}
STOCK = frozenset(SYNONYMS.values())


def _base(word: str) -> str:
    """A word with its possessive and plural endings taken off, then taken to its stock group's word."""
    for ending in ("'s", "’s"):
        word = word.removesuffix(ending)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return SYNONYMS.get(word, word)


@dataclass(frozen=True)
class Sentence:
    text: str
    content: frozenset[str]     # its content words, in base form (stock words by their group)

    @property
    def filler(self) -> bool:
        return self.content <= STOCK

    def keys(self) -> list[frozenset[str]]:
        """Its content words, and (from one more than the minimum) those words with any one left out: two
        sentences share a key when their content words differ by at most one swap, one word more or less."""
        if len(self.content) < MIN_WORDS_TO_MATCH:
            return []
        if len(self.content) == MIN_WORDS_TO_MATCH:
            return [self.content]
        return [self.content, *(self.content - {w} for w in self.content)]


def sentences(text: str, masker: Masker | None) -> list[Sentence]:
    out = []
    for piece in _SENTENCE_END.split(text):
        found = words(piece)
        if not found:
            continue
        # a hyphenated word by its parts ("a two-minute walk", "two minutes' walk"); a masked word is a value
        content = frozenset(_base(part) for w in found if not (masker is not None and masker.masks(w))
                            for part in w.split("-") if part not in FUNCTION_WORDS)
        out.append(Sentence(piece.strip(), frozenset(c for c in content if c not in FUNCTION_WORDS)))
    return out


@dataclass
class Discounted:
    """What was taken out of a page's written text, and why (for the reasons of a held-back page)."""

    filler: list[str] = field(default_factory=list)                # sentences that say nothing but names and praise
    spun: list[tuple[str, str]] = field(default_factory=list)      # (sentence, another page that has it spun)

    def __bool__(self) -> bool:
        return bool(self.filler or self.spun)


def discount(pages: Iterable[tuple[str, int, tuple[str, ...]]], masker: Masker | None
             ) -> tuple[dict[str, tuple[str, ...]], dict[str, Discounted]]:
    """For each page (url, rank, the texts written for it), its texts with the filler and spun sentences taken out
    (a text that lost some keeps the rest, one sentence a line, so that no 4 words join across a gap), and what
    was taken out, for the pages that lost any."""
    parsed: dict[str, tuple[int, list[list[Sentence]]]] = {}
    parsed_texts: dict[str, tuple[str, ...]] = {}
    holders: dict[frozenset[str], dict[str, int]] = {}
    for url, rank, texts in pages:
        units = [sentences(text, masker) for text in texts]
        parsed[url], parsed_texts[url] = (rank, units), texts
        for unit in units:
            for s in unit:
                for key in s.keys():
                    holders.setdefault(key, {})[url] = rank
    kept: dict[str, tuple[str, ...]] = {}
    found: dict[str, Discounted] = {}
    for url, (rank, units) in parsed.items():
        out = Discounted()
        texts: list[str] = []
        for text, unit in zip(parsed_texts[url], units, strict=True):
            keep = []
            for s in unit:
                if s.filler:
                    out.filler.append(s.text)
                    continue
                others = {u: r for key in s.keys() for u, r in holders[key].items() if u != url}
                if others and max(others.values()) >= rank:
                    out.spun.append((s.text, min(others, key=lambda u: (-others[u], u))))
                    continue
                keep.append(s)
            texts.append(text if len(keep) == len(unit) else "\n".join(s.text for s in keep))
        if out:
            found[url] = out
        kept[url] = tuple(texts)
    return kept, found
