"""How pages put the data into English: a treatment's name mid-sentence, its article and verb, distances in miles
first, days and opening times. One place for the grammar, so every page and every check reads it the same way."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.geo import KM_PER_MILE

HERE_KM = 0.05   # closer than this (0.0 km when shown), a premises is in the area itself

# Words after which a name's head noun has ended: "Consultation for Lines and Wrinkles" is one consultation.
_PREPOSITIONS = frozenset("for of with in on to at by from under around near without against".split())
_SINGULAR_S = ("ss", "us", "is")     # "Gloss", "Laser Plus", "Hyperhidrosis"
_ACRONYM_AN = frozenset("AEFHILMNORSX")          # letters whose name starts with a vowel sound: "an HIFU"
_VOWEL_SOUND_EXCEPTIONS = re.compile(r"^(?:uni|use|usu|ura|ure|euro?|eu|one\b|once)", re.I)   # "a unique", "a one-off"
_SILENT_H = re.compile(r"^(?:hour|honest|honou?r|heir)", re.I)                              # "an hour"
ARTICLES = ("a", "an", "none")


def plain_words(name: str) -> str:
    """A name as it reads mid-sentence: "Nose-to-Mouth Line Fillers" -> "nose-to-mouth line fillers". Words
    written in capitals or with a capital inside ("HIFU", "HydraFacial", "CO2") keep their spelling."""
    def word(w: str) -> str:
        parts = w.split("-")
        return "-".join(p.lower() if p[:1].isupper() and p[1:] == p[1:].lower() and p[1:].isalpha() else p
                        for p in parts)
    return " ".join(word(w) for w in name.split())


def head_noun(name: str) -> str:
    """The word that decides number: the last word before the first preposition ("Consultation for Lines and
    Wrinkles" -> "Consultation"), else the last word ("Lip Fillers" -> "Fillers")."""
    words = name.split()
    for i, w in enumerate(words[1:], 1):
        if w.lower() in _PREPOSITIONS:
            return words[i - 1]
    return words[-1]


def derive_plural(name: str) -> bool:
    """True when a name reads as plural: its head noun ends in -s ("Jaw Fillers", "Skin Boosters") but not in
    -ss, -us or -is ("Lip Gloss", "Hyperhidrosis")."""
    head = head_noun(name).strip(".,;:!?").lower()
    return head.endswith("s") and not head.endswith(_SINGULAR_S)


def derive_article(name: str, plural: bool | None = None) -> str:
    """"a", "an" or "none": none for a plural ("Jaw Fillers") or a name whose head noun is an -ing word
    ("Microneedling"); otherwise by the sound of the first word ("an exosome skin treatment", "a unique peel",
    "an HIFU facial")."""
    if plural if plural is not None else derive_plural(name):
        return "none"
    if head_noun(name).lower().endswith("ing"):
        return "none"
    return indefinite_article(name)


def indefinite_article(text: str) -> str:
    """"a" or "an" before `text`, by the sound of its first word."""
    first = text.split()[0] if text.split() else ""
    letters = re.sub(r"[^A-Za-z0-9]", "", first.split("-")[0])
    if not letters:
        return "a"
    if len(letters) > 1 and letters.isupper():          # an acronym, read letter by letter
        return "an" if letters[0] in _ACRONYM_AN else "a"
    if _SILENT_H.match(letters):
        return "an"
    if letters[0].lower() in "aeiou" and not _VOWEL_SOUND_EXCEPTIONS.match(letters):
        return "an"
    return "a"


@dataclass(frozen=True)
class NameForms:
    """A treatment's name in the shapes sentences need."""

    name: str            # as a label: "Chemical Peel"
    text: str            # mid-sentence, without article: "chemical peel"
    plural: bool
    article: str         # "a", "an" or "none"

    @property
    def noun(self) -> str:
        """Mid-sentence, with its article: "a chemical peel", "jaw fillers", "microneedling"."""
        return self.text if self.article == "none" else f"{self.article} {self.text}"

    @property
    def subject(self) -> str:
        """At the start of a sentence: "A chemical peel", "Jaw fillers"."""
        return self.noun[:1].upper() + self.noun[1:]

    @property
    def be(self) -> str:
        return "are" if self.plural else "is"

    def agree(self, verb: str) -> str:
        """A verb (given in its plural form) agreeing with the name: "involve" -> "involves" for a chemical peel."""
        if self.plural:
            return verb
        if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
            return verb + "es"
        if verb.endswith("y") and verb[-2:-1] not in tuple("aeiou"):
            return verb[:-1] + "ies"
        return verb + "s"


def name_forms(name: str, plural: bool | None = None, article: str | None = None,
               text: str | None = None) -> NameForms:
    """The forms of a name, each as declared in the data or worked out from the name."""
    plural = derive_plural(name) if plural is None else plural
    return NameForms(name=name, text=text or plain_words(name), plural=plural,
                     article=article or derive_article(name, plural))


# -- distances, UK style: miles first, km beside ------------------------------------------------------------------

def km_text(km: float) -> str:
    """A distance in km as pages show it: "3.5 km", and "under 0.1 km" rather than "0.0 km"."""
    return f"{km:.1f} km" if km >= HERE_KM else "under 0.1 km"


def miles_text(km: float) -> str:
    miles = km / KM_PER_MILE
    if km < HERE_KM:
        return "under 0.1 miles"
    return f"{miles:.1f} miles" if round(miles, 1) != 1.0 else "1 mile"


def distance_text(km: float) -> str:
    """"2.2 miles (3.5 km)": miles for UK readers, with km beside."""
    return f"{miles_text(km)} ({km_text(km)})"


def radius_text(km: float) -> str:
    """A service radius in round figures: "9 miles (15 km)"."""
    miles = round(km / KM_PER_MILE)
    return f"{miles} mile{'s' if miles != 1 else ''} ({km:g} km)"


# -- days and times ----------------------------------------------------------------------------------------------

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
DAY_NAMES = dict(zip(DAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True))


def days_text(days: tuple[str, ...] | list[str], every: bool = False) -> str:
    """Days as people say them: "Monday to Friday", "Tuesday and Thursday", "Monday, Wednesday and Friday".
    With `every`, plural weekdays for a regular schedule: "Tuesdays and Thursdays"."""
    ordered = sorted(set(days), key=DAYS.index)
    runs: list[list[str]] = []
    for d in ordered:
        if runs and DAYS.index(d) == DAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    name = (lambda d: DAY_NAMES[d] + "s") if every else DAY_NAMES.__getitem__
    parts: list[str] = []
    for r in runs:
        parts += [f"{DAY_NAMES[r[0]]} to {DAY_NAMES[r[-1]]}"] if len(r) >= 3 else [name(d) for d in r]
    return list_text(parts)


def time_text(hhmm: str) -> str:
    """"09:00" -> "9am", "17:30" -> "5:30pm", "12:00" -> "noon"."""
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if (hours, minutes) == (12, 0):
        return "noon"
    suffix = "am" if hours < 12 else "pm"
    hour = hours % 12 or 12
    return f"{hour}{suffix}" if minutes == 0 else f"{hour}:{minutes:02d}{suffix}"


def list_text(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
