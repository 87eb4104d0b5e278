"""The language under the claims rules: sentences, words, numbers, questions and the reach of a negation.

One line of a page's text (a block: a paragraph, a heading, a list item) is split into sentences; each sentence
into words (lower-case forms with their place in the line); hashtags and run-together words into the words they
are made of ("#babybotox" -> baby botox). A negation ("not", "no", "never", "can't", ...) reaches forward over the
words after it (across a reporting verb: "we won't pretend that it is risk-free"; across the items of a list: "no
treatment is permanent, painless or guaranteed") and stops where its clause ends: at ; : ( ) a dash, a full stop,
"but", "however", "although" and the like, or a comma that does not continue a list; as in NegEx and ConText
(Chapman et al. 2001, Harkema et al. 2009), a few phrases that contain a negation word do not negate ("not only",
"no doubt"), and a few words after a claim negate it ("is not", "isn't", "can't be").

The words it reads with (the negations, the pseudo-negations, what ends a negation's reach, who reports others'
claims and with which verbs, the words of a sentence about words) are in generator/rules/language.yaml, where a
compliance person can read and extend them; they are read once, when the module is imported.

Plain functions of plain strings, so a line's result can be remembered (pages repeat most of their lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import NamedTuple

from generator.data import parse_document
from generator.errors import DataError
from generator.schema import Field, ListOf, Obj, Text, validate
from generator.text import squash

# -- words ------------------------------------------------------------------------------------------------------

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
                 "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
                 "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a couple": 2}

# a number (1, 1.50, 17:00, 5pm, 3rd), a hashtag, a word (with inner apostrophes), a spaced dash, or one sign
# (no groups: findall without groups is several times faster than finditer or named groups). Its words are letters
# alone, unlike generator/text.py WORD, as a number is a token of its own that has a value ("5pm" is 17); and the
# straight apostrophe alone joins them, as the claims check reads its text with quotes folded (claims.normalise).
_TOKEN = re.compile(r"\d+(?:[.,:]\d+)*(?:\s?[ap]\.?m\b\.?)?(?:st|nd|rd|th|s\b)?|#[^\W_]\w*|[^\W\d_]+\d[^\W_]*"
                    r"|[^\W\d_]+(?:'[^\W\d_]+)*"
                    r"|\s[-–—]+\s|--|[^\w\s]")
_SIGNS = frozenset("£$€%*&+")
_CLAUSE_ENDS = frozenset(".!?;:()[]\"|•·\u2026") | {"--"}


class Word(NamedTuple):
    form: str          # lower-case, as written ("guarantees"); a number as written ("5pm", "1.50")
    number: float | None = None    # the value of a number ("16", "three", "5pm" -> 17)
    capital: bool = False          # written with a capital first letter
    clause: int = 0                # the clause it is in (clauses end at ; : ( ) dashes, commas and full stops)
    comma: bool = False            # a comma (and nothing stronger) stands between this word and the one before
    name: bool = False             # part of a person's or a place's name ("Dr Grace Miracle", "Magic Lane")


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    text: str           # as written
    words: tuple[Word, ...]
    question: bool     # ends with "?" and asks (starts with an auxiliary or a wh-word: "Is it safe?")
    answer: int        # when it answers: -1 starts "No", "Not", "Never"; 1 starts "Yes", "Absolutely"; else 0


_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "nurse", "prof", "professor", "sir", "dame", "lady",
                     "lord", "saint"})
_PLACES = frozenset({"road", "rd", "lane", "street", "avenue", "close", "way", "drive", "park", "court", "place",
                     "gardens", "square", "crescent", "hill", "green", "parade", "house", "centre", "center",
                     "hall", "terrace", "walk", "row", "mews", "grove", "building"})
_ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "st", "e.g", "i.e", "eg", "ie", "approx", "vs",
                            "tel", "ref", "ca", "cf", "inc", "co", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                            "sep", "sept", "oct", "nov", "fig", "dept", "rev", "gen", "sgt", "capt"})
_BEFORE_NUMBER = frozenset({"no", "nos", "tel", "ref"})   # abbreviations only before a number: "No. 5"
ASKING = _ASKING = frozenset({"is", "are", "was", "were", "do", "does", "did", "can", "could", "will", "would",
                     "should", "shall", "may", "might", "must", "has", "have", "had", "how", "what", "why", "when",
                     "where", "which", "who", "whose", "isn't", "aren't", "don't", "doesn't", "won't", "can't", "am"})
_NO_ANSWER = frozenset({"no", "not", "nope", "never", "nothing", "none", "nobody", "sadly", "unfortunately", "zero",
                        "sorry",
                        "nah", "false", "fiction", "wrong", "untrue", "incorrect", "myth"})
_NO_ANSWER_RUNS = frozenset({("that's", "a", "myth"), ("it's", "a", "myth"), ("think", "again"), ("not", "true"),
                             ("practically", "none"), ("virtually", "none"), ("almost", "none"), ("hardly", "any"),
                             ("barely", "any"), ("next", "to", "nothing"), ("practically", "nothing"),
                             ("virtually", "nothing"), ("hardly", "anything"),
                             ("there", "aren't"), ("there", "isn't"), ("there", "are", "none"),
                             ("there", "is", "none"), ("there's", "none"), ("there's", "no")})
YES_ANSWERS = frozenset({"yes", "yep", "yeah", "absolutely", "definitely", "certainly", "totally", "completely",
                         "course", "sure", "100", "always", "guaranteed"})

# a sentence ends at . ! ? (with the footnote mark that follows it: "Includes aftercare.*") before a capital, a
# digit, a footnote mark ("Terms apply. *£30 if ...") or the line's end; a bullet ends one too
_SENTENCE_END = re.compile(r"[.!?]+[*\u2020\u2021]+(?=\s|$)"
                           r"|[.!?]+[\"')\]]*(?=\s+[\"'(\[]*[A-Z0-9£#@*\u2020\u2021]|\s*$)"
                           r"|\?+[\"')\]]*(?=\s+[\"'(\[]*[a-z])"
                           r"|[.!?]+(?=\s*[\"'(]*[^\w\s]\s)|\s[•·|]\s")


def split_sentences(line: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of one line: ends at . ! ? before a capital, a digit or the line's end, but not
    after an abbreviation ("Dr.", "e.g.", "approx."), inside a number ("£1.50") or after the number of a numbered
    list that opens the line ("3. Results"); a bullet (•, ·, |) ends one too."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(line):
        end = m.end()
        if m.group().startswith("."):
            before = line[start:m.start()].rsplit(None, 1)
            last = before[-1].lower().rstrip(".") if before else ""
            if last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha()) or (
                    last in _BEFORE_NUMBER and line[end:].lstrip()[:1].isdigit()) or (   # "Dr.", "J. Smith", "No. 5"
                    start == 0 and len(before) == 1 and last.isdigit() and len(last) <= 2 and m.group() == "."):
                continue   # ... or a list's number opening the line: "3. Results that 'last forever'"
        if line[start:end].strip(" \t•·|"):
            out.append((start, m.start() if m.group().strip() in ("•", "·", "|") else end))
        start = end
    if line[start:].strip(" \t•·|"):
        out.append((start, len(line)))
    return out


def _number(text: str) -> float | None:
    t = text.rstrip("+").lower()
    t = re.sub(r"(st|nd|rd|th|s)$", "", t)
    pm = t.endswith(("pm", "p.m", "p.m."))
    t = re.sub(r"\s?[ap]\.?m\.?$", "", t)
    try:
        value = float(t.replace(",", "").replace(":", ".")) if t.count(",") <= 1 or "." not in t else None
    except ValueError:
        return None
    if value is not None and pm and value < 12:
        value += 12
    return value


def split_compound(word: str, vocabulary: frozenset[str], loose: bool = False) -> list[str]:
    """A run-together word as the rule words it is made of ("babybotox" -> baby, botox; "nodowntime" -> no,
    downtime), in the fewest pieces; the word itself when it is not made of them all ("improved" is not
    "im" + "proved"). `loose` (a hashtag): a rule word of five letters or more counts with any letters around
    it ("#botoxbrides" -> botox, brides)."""
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n - 1):
        start = best[i]
        if start is None:
            continue
        for j in range(i + 2, n + 1):
            if word[i:j] in vocabulary and (j - i > 2 or word[i:j] == "no"):
                candidate = start + [word[i:j]]
                known = best[j]
                if known is None or len(candidate) < len(known):
                    best[j] = candidate
    whole = best[n]
    if whole is not None and len(whole) > 1:
        return whole
    if loose:
        longest = max(((i, j) for i in range(n) for j in range(i + 5, n + 1) if word[i:j] in vocabulary),
                      key=lambda ij: ij[1] - ij[0], default=None)
        if longest is not None and longest != (0, n):
            i, j = longest
            return [p for p in (word[:i], word[i:j], word[j:]) if p]
    return [word]


def words_of(text: str, vocabulary: frozenset[str] = frozenset()) -> list[Word]:
    """The words of one sentence, with clause numbers and name marks. `vocabulary` (the rules' words) splits
    hashtags into the words they are made of ("#babybotox" -> baby, botox). (Other run-together words are not
    split: the rules list the forms written without a space or hyphen, "antiwrinkle", "nodowntime".)"""
    out: list[Word] = []
    clause, comma, stop = 0, False, False
    for token in _TOKEN.findall(text):
        c = token[0]
        if c.isalpha():
            form = token.lower()
            number: float | None = NUMBER_WORDS.get(form)
            capital = c.isupper() and not (len(token) > 1 and token.isupper())   # an acronym (EU, MDR) is no name
        elif c.isdigit():
            form, number, capital = token.lower(), _number(token), False
        elif c == "#" and len(token) > 1:
            tag = token[1:].lower()
            if comma:
                clause += 1
            for piece in split_compound(tag, vocabulary, loose=True) if tag not in vocabulary else [tag]:
                out.append(Word(piece, NUMBER_WORDS.get(piece), False, clause, comma))
                comma = False
            continue
        elif token in _SIGNS:
            form, number, capital = token, None, False
            if token == "*" and stop and out and out[-1].clause == clause - 1:
                clause -= 1   # a footnote mark after the full stop belongs to the words before it: "review.*"
        else:   # punctuation: a comma, or a stronger end of a clause (other signs, emoji among them, are skipped)
            if token == ",":
                comma = True
            elif token in _CLAUSE_ENDS or token[0].isspace():
                clause += 1
                stop = token in ".!?"
                continue
            stop = False
            continue
        stop = False
        if comma:
            clause += 1
        out.append(Word(form, number, capital, clause, comma))
        comma = False
    return _mark_names(out) if len(out) > 1 else out


def _mark_names(words: list[Word]) -> list[Word]:
    """Mark the words of names: capitalised words after a title ("Dr Grace Miracle"), before a place word ("Magic
    Lane"), or two capitalised words together in mid-sentence, unless most of the sentence is capitalised (a
    heading in title case)."""
    name = _business_names(words)
    if all(w.capital for w in words if len(w.form) >= 4 and w.form.isalpha()):
        if not any(name):
            return words   # a heading in title case: capitals say nothing about names (but for a firm's name)
        return [w._replace(name=True) if n else w for w, n in zip(words, name, strict=True)]

    for i, w in enumerate(words):
        if not w.capital:
            continue
        before = words[i - 1] if i else None
        after = words[i + 1] if i + 1 < len(words) else None
        if before is not None and (before.form in _TITLES and before.capital or (before.capital and i - 1 > 0)
                                   or name[i - 1] and before.capital):
            name[i] = True
            if before.form not in _TITLES:
                name[i - 1] = True
        elif after is not None and after.capital and (after.form in _PLACES or i > 0):
            name[i] = True
    if not any(name):
        return words
    _unmark_services(words, name)
    return [w._replace(name=True) if n else w for w, n in zip(words, name, strict=True)]


def _unmark_services(words: list[Word], name: list[bool]) -> None:
    """Unmark each run of marked words that ends with a service word (language.yaml `services`, in place): "Cellular
    Renewal Facial" is a name that makes claims, not the name of a person or a place."""
    i = 0
    while i < len(words):
        if not name[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and name[j + 1]:
            j += 1
        if words[j].form in _SERVICES:
            name[i:j + 1] = [False] * (j + 1 - i)
        i = j + 1


_BUSINESS = frozenset({"ltd", "limited", "llp", "plc", "inc", "co", "clinic", "clinics", "aesthetics", "studio",
                       "studios", "salon", "salons", "spa", "rooms", "lounge", "bar", "medispa", "beauty", "group",
                       "academy", "skincare", "cosmetics", "lab", "labs", "boutique", "institute"})
_NOT_IN_NAMES = frozenset({"the", "a", "an", "at", "our", "your", "that", "for", "with", "in", "on", "of", "to", "and",
                           "by", "you", "we", "is", "are", "from", "this", "new", "book", "visit", "contact"})


def _business_names(words: list[Word]) -> list[bool]:
    """Marks for a firm's name: two to four capitalised words in a row that end with a word such as Clinic,
    Aesthetics, Studio or Ltd ("Miracle Skin Studio", "Forever Young Clinic Ltd"), even at the start of a line or
    in a title-case heading; function words ("at", "our", "the") end a run, so "Results That Last Forever At Our
    Clinic" holds no name."""
    name = [False] * len(words)
    start = None

    def joined(a: int, b: int) -> int:   # an ampersand does not count towards the run's length
        return sum(1 for w in words[a:b] if w.form == "&")

    for i, w in enumerate(words + [Word("", None, False, -1, False)]):
        joins = w.form == "&" and start is not None   # "Miracle & Hope Aesthetics"
        if (w.capital and w.form not in _NOT_IN_NAMES or joins) and (start is None or w.clause == words[i - 1].clause):
            if start is None:
                start = i
            continue
        if start is not None:
            end = i   # the run is words[start:end]
            while end - start >= 2 and words[end - 1].form not in _BUSINESS:
                end -= 1
            if 2 <= end - start <= 4 + joined(start, end) and words[end - 1].form in _BUSINESS:
                name[start:end] = [True] * (end - start)
            start = i if w.capital and w.form not in _NOT_IN_NAMES else None
    return name


def sentences_of(line: str, vocabulary: frozenset[str] = frozenset()) -> list[Sentence]:
    """The sentences of one line, with their words (empty sentences, such as a lone bullet, left out)."""
    out = []
    for start, end in split_sentences(line):
        sentence = sentence_of(line[start:end], vocabulary, start)
        if sentence is not None:
            out.append(sentence)
    return out


def sentence_of(text: str, vocabulary: frozenset[str] = frozenset(), start: int = 0) -> Sentence | None:
    words = tuple(words_of(text, vocabulary))
    if not words:
        return None
    stripped = text.rstrip(" \t\"')]\u201d\u2019")
    question = stripped.endswith("?") and (words[0].form in _ASKING or _asks_after_quote(stripped))
    return Sentence(start, start + len(text), text, words, question, answer_of(*(w.form for w in words[:3])))


def _asks_after_quote(text: str) -> bool:
    """True when the part after the last colon, opening quote or full stop asks ('A question we get: "Can you
    ...?"', "sometimes. is it permanent?")."""
    cut = max(text.rfind(":"), text.rfind('"', 0, len(text) - 1), text.rfind("\u201c"),
              text.rfind(". "), text.rfind("! "))   # "a bit. does it bruise?": a caption's lower-case question
    if cut < 0:
        return False
    rest = _TOKEN.findall(text[cut + 1:])
    first = next((t.lower() for t in rest if t[0].isalnum()), "")
    return first in _ASKING


def answer_of(first: str, second: str = "", third: str = "") -> int:
    """How a sentence that starts with these words answers a question: -1 no ("No", "False", "That's a myth"),
    1 yes, 0 neither."""
    if first in _NO_ANSWER or (first, second, third) in _NO_ANSWER_RUNS or (first, second) in _NO_ANSWER_RUNS:
        return -1
    if first == "of" and second == "course":
        first, second = "course", third
    if first in YES_ANSWERS:
        return -1 if second in ("not", "no", "never") else 1   # "Absolutely not", "Of course not"
    return 0


# -- the words it reads with (generator/rules/language.yaml) -------------------------------------------------------

LANGUAGE_FILE = "rules/language.yaml"   # inside the package: the lists a compliance person may extend
_LANGUAGE_KEYS = ("negations", "pseudo-negations", "negation-ends", "others", "reporting-verbs", "hedges", "askers",
                  "wishes", "quoting", "talked-about", "meaning", "pointing", "warnings", "myth-labels", "myth-runs",
                  "services",
                  # read by the claims rules' matching (generator/checks/claims/)
                  "free-of", "circumstances", "gap-ends", "times-of-day", "first-person", "clinic-voice",
                  "practitioner", "asks-for-me", "client-own", "client-i", "client-me", "quoted-about")


def read_language(text: str | None = None, name: str = f"generator/{LANGUAGE_FILE}") -> dict[str, list[str]]:
    """The word lists of the language file (or of `text`), each a list of words or runs of words; raises DataError
    with file, line and field for a bad one."""
    if text is None:
        text = resources.files("generator").joinpath(LANGUAGE_FILE).read_text("utf-8")
    schema = Obj({key: Field(ListOf(Text(single_line=True), min_items=1), doc="a list of words or runs of words")
                  for key in _LANGUAGE_KEYS})
    doc, problems = parse_document(text, name)
    if doc is not None and not problems:
        problems = validate(doc, schema)
    if doc is None or problems:
        raise DataError(problems)
    return {key: [squash(str(item).lower()) for item in doc.data[key]] for key in _LANGUAGE_KEYS}


_LANGUAGE = read_language()


def language_words(key: str) -> frozenset[str]:
    """The words of one list of the language file."""
    return frozenset(_LANGUAGE[key])


def _runs(key: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(run.split()) for run in _LANGUAGE[key])


_SERVICES = language_words("services")   # read by _unmark_services


# -- negation ---------------------------------------------------------------------------------------------------

NEGATIONS = language_words("negations")
# phrases with a negation word that do not negate what follows (pseudo-negations)
_PSEUDO = tuple((run, len(run)) for run in _runs("pseudo-negations"))
_TERMINATORS = language_words("negation-ends")
_SUBJECTS = frozenset({"it", "it's", "its", "you", "you'll", "you're", "we", "we're", "we'll", "they", "they're",
                       "this", "that", "there", "there's", "results", "i", "i'm", "she", "he", "our", "your"})
_COORDINATORS = frozenset({"and", "or", "nor", "&"})
_COPULAS = frozenset({"is", "are", "was", "were", "be", "been", "will", "would", "can", "could", "do", "does", "did",
                      "should", "may", "might", "must", "has", "have", "it", "they", "this", "that"})
_POST = frozenset({"not", "never", "isn't", "aren't", "wasn't", "weren't", "cannot", "can't", "won't", "doesn't",
                   "don't", "didn't", "myth", "impossible", "unrealistic", "untrue", "false", "wouldn't",
                   "shouldn't", "couldn't", "isnt", "cant", "wont"})
MAX_SCOPE = 14   # words a negation reaches at most


def negation_scopes(words: tuple[Word, ...]) -> list[tuple[int, int, int]]:
    """(trigger, first, last) word indexes: each negation and the words it reaches (after it, in its clause)."""
    out = []
    n = len(words)
    skip_until = -1
    reported = _reported(words)
    if reported is None and (_warns(words) or _talks_about_words(words)):
        reported = (-1, 0)   # the sentence warns against such claims: none of its words is the page's own claim
    if reported is not None:   # "some clinics say ...": what follows is someone else's claim, quoted
        out.append((reported[0], reported[1], len(words) - 1))
    for i, w in enumerate(words):
        if w.form == "if" and _counterfactual(words, i):   # "if it were a miracle, ...": supposed, not said
            out.append((i, i + 1, min(n - 1, i + MAX_SCOPE)))
            continue
        if i <= skip_until or w.form not in NEGATIONS or w.name:
            continue
        pseudo = next((size for seq, size in _PSEUDO if tuple(x.form for x in words[i:i + size]) == seq), 0)
        if pseudo:
            skip_until = i + pseudo - 1
            continue
        last = i
        j = i + 1
        clause = w.clause
        base = i   # the scope's reach counts from the negation, or from the last of a list of that-clauses
        while j < n and j - base <= MAX_SCOPE:
            x = words[j]
            if x.clause != clause:
                if _that_goes_on(words, j):
                    base = j
                elif not (_list_goes_on(words, j) or x.form == "even"):
                    break
                clause = x.clause
            if x.form in _TERMINATORS and not (words[j - 1].form == "even"):   # "never ..., even if a parent ..."
                break
            if x.form in _COORDINATORS and j + 1 < n and words[j + 1].form in _SUBJECTS and not (
                    words[j + 1].form == "that" and (x.comma or any(y.form == "that" for y in words[base + 1:j]))):
                break   # a new clause; but "never claim that ... or that ...": a second that-clause of the list
            if x.form in _COORDINATORS and j + 1 < n and words[j + 1].form == "that":
                base = j   # the reach counts again from the list's next that-clause
            last = j
            j += 1
        if last > i:
            out.append((i, i + 1, last))
    return out


_OTHERS = language_words("others")
_SAY = language_words("reporting-verbs")
_QUOTING = _runs("quoting")


def _reported(words: tuple[Word, ...]) -> tuple[int, int] | None:
    """(trigger, first word reported) of a phrase that reports someone else's claims or practice ("some clinics
    say", "clinics that inject", "you may have read", "beware of", "words like"), or None: as ConText's
    "experiencer: other", what follows (from the reporting verb on: "some clinics *inject exosomes*") is not the
    page's own claim."""
    forms = [w.form for w in words]
    label = 1 if len(forms) > 1 and words[1].number is not None else 0   # "Myth 3: ..."
    if forms[0] in _MYTH_LABELS and len(forms) > label + 1 and words[label + 1].clause != words[label].clause:
        return label, label + 1   # "Myth: filler is permanent." and "Fiction: ...": a label, then what it denies
    for run in _MYTH_RUNS:
        if tuple(forms[:len(run)]) == run:
            return len(run) - 1, len(run)
    for i, form in enumerate(forms):
        if form in _INDIRECT and 0 < i < len(forms) - 1 and not _WISH.isdisjoint(forms[max(0, i - 4):i]):
            return i, i + 1   # a question reported, not asked: "we get asked a lot whether filler lasts forever"
        if form in _ASKERS and i + 1 < len(forms):   # "my clients often ask for something permanent": a wish
            k = i + 1
            while k < len(forms) and k <= i + 3 and forms[k] in _HEDGES:
                k += 1
            if k < len(forms) and forms[k] in _WISH and _CLINIC.isdisjoint(forms[k:]):
                return i, k   # (not "for patients who want more, we offer ...": the clinic says that)
        if form in _OTHERS and i + 1 < len(forms) and not (i and forms[i - 1] in ("our", "my")):
            k = i + 1
            while k < len(forms) and k <= i + 3 and forms[k] in _HEDGES:
                k += 1
            if k < len(forms) and forms[k] in _SAY:
                return i, k
        for seq in _QUOTING_BY_FIRST.get(form, ()):
            if tuple(forms[i:i + len(seq)]) == seq:
                return i + len(seq) - 1, i + len(seq)
    return None


# people whose wishes a page reports ("clients ask for", "patients want"): what they ask for is not a claim
_ASKERS = _OTHERS | language_words("askers")
_CLINIC = frozenset({"we", "we'll", "we're", "we've", "us", "our"})
_WISH = language_words("wishes")
_WARNINGS = language_words("warnings")


def _warns(words: tuple[Word, ...]) -> bool:
    """True for a sentence that warns against claims ("tactics designed to rush you", "beware of ..."); "designed"
    warns only as "designed to" ("designed for young skin" describes a menu)."""
    return any(w.form in _WARNINGS and (w.form != "designed" or k + 1 < len(words) and words[k + 1].form == "to")
               for k, w in enumerate(words))
_INDIRECT = frozenset({"whether", "if"})   # after a word of asking or wondering: a reported question
_MYTH_LABELS = language_words("myth-labels")
_MYTH_RUNS = _runs("myth-runs")
# words between the others and their saying: "clinics *that* called", "a clinic *who will* tell you"
_HEDGES = language_words("hedges")
_QUOTING_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _seq in _QUOTING:
    _QUOTING_BY_FIRST.setdefault(_seq[0], []).append(_seq)


_WORDS_TALKED_ABOUT = language_words("talked-about")
_MEANING = language_words("meaning")


def _talks_about_words(words: tuple[Word, ...]) -> bool:
    """True for a sentence about what words mean ("Clinically proven, miracle: what marketing words really mean"):
    the words it lists are talked about, not used."""
    forms = [w.form for w in words]
    return any(f in _WORDS_TALKED_ABOUT and (not _MEANING.isdisjoint(forms[k + 1:k + 4])
                                             or k and forms[k - 1] in _POINTING   # "when you see these words"
                                             or _lists_after(words, k))           # "the vocabulary: painless, ..."
               for k, f in enumerate(forms))


def _lists_after(words: tuple[Word, ...], k: int) -> bool:
    """True when a list of at least three items separated by commas starts right after word k, in a new clause
    (after a colon): "you will know the vocabulary: painless, risk-free, permanent"."""
    if k + 1 >= len(words) or words[k + 1].clause == words[k].clause or words[k + 1].comma:
        return False
    return sum(1 for w in words[k + 2:] if w.comma) >= 2


_POINTING = language_words("pointing")   # "these words", "such claims": the words listed are talked about


_SUPPOSED = frozenset({"it", "there", "they", "this", "that", "anything", "something", "such", "any"})


def _counterfactual(words: tuple[Word, ...], i: int) -> bool:
    """True at an "if" that supposes what is not so ("if it were a miracle", "if there was such a thing as",
    "if anything were permanent"), as ConText's hypothetical trigger: its clause is not the page's claim."""
    forms = [w.form for w in words[i + 1:i + 4]]
    return len(forms) >= 2 and forms[0] in _SUPPOSED and ("were" in forms or "existed" in forms)


def _that_goes_on(words: tuple[Word, ...], j: int) -> bool:
    """True when the comma before word j starts another that-clause of a list ("I won't tell you it's risk-free,
    that you'll have no downtime, or that it's guaranteed")."""
    if not words[j].comma:
        return False
    k = j + 1 if words[j].form in _COORDINATORS else j
    return k < len(words) and words[k].form == "that" and words[k].clause == words[j].clause


def _list_goes_on(words: tuple[Word, ...], j: int) -> bool:
    """True when the comma before word j separates the items of a list ("permanent, painless or guaranteed"):
    short pieces up to an "and"/"or"/"nor" that joins the last item, all in the same sentence."""
    if not words[j].comma:
        return False
    clause = words[j].clause
    piece = 0
    for k in range(j, min(len(words), j + 12)):
        x = words[k]
        if x.clause != clause:
            if not x.comma or piece > 3:
                return False
            clause, piece = x.clause, 0
        if x.form in _COORDINATORS and k > j:
            return piece <= 3
        if x.form in _COORDINATORS or x.form in _SUBJECTS or x.form in _TERMINATORS:
            return False
        piece += 1
    return False


def negated_after(words: tuple[Word, ...], last: int) -> int | None:
    """The index of a negation in the few words after a claim that negates it ("permanent results are not
    possible", "risk-free treatment isn't real"), in the same clause; else None."""
    clause = words[last].clause
    for k in range(last + 1, min(len(words), last + 6)):
        x = words[k]
        if x.clause != clause or x.form in _TERMINATORS:
            return None
        if x.form in _POST:
            if x.form in ("not", "never") and not (k > last + 1 and words[k - 1].form in _COPULAS):
                return None
            if k > last + 1 and words[k - 1].form in _PERSONS:
                return None   # another subject's: "a world-first treatment you won't find anywhere else"
            return k
    return None


_PERSONS = frozenset({"you", "we", "they", "i", "she", "he", "people", "anyone", "nobody", "everyone"})
