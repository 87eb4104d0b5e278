"""What a sentence must hold for a phrase to match in it: the phrase's signature (forms of which the sentence must
hold one) and its needs (a form of each required element). They let the checker rule most lines out with set
look-ups, before any phrase is matched."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cache

from generator.checks.claims.phrases import Element, Phrase, compare
from generator.checks.sentences import NUMBER_WORDS

DIGITS = re.compile(r"\d+")

# the commonest English words, and the commonest of an honest clinic's pages (the sample's treatments and areas):
# a phrase's signature avoids them
_COMMON = frozenset("""
a an the and or but if of to in on at by for with from as is are was were be been it its it's this that these
old olds can one ones know
those you your we our they their he she his her i me my no not do does did can will would should may might must
have has had so up out about into over than then there here what which who when where why how all any some more
most very just also only one two get got make made well per best world skin fillers filler line look
consultation face treatment nearest people chin risks through lines small microneedling between adults neck many
days area jaw after first weeks swelling change lip use usually around because peel minutes day cheek time nose
placed like cheeks fine redness shape lips often west avoid long used boosters acid product expect few results
vary mouth hyaluronic gel such numbing common bruising infection before last hours along feel less molesey cream
applied tenderness age effect clinic aged temporary lasts rather takes ask looks volume appointment go downtime
minimum amount while changes runs sessions exosome east treatments practitioner under take us allergic rare
suggest talk cold tear trough chemical peels much areas suit medical cannula result exercise away too later see
three close little beside main sun every add lower down months depends different other each history decide
needle saunas lumps uneven rarely week surface options course skincare prescriber injections gradually needed
bone side review points notice moves blood vascular occlusion sore injectables keep part uncommon possible own
thin session fold water check dermal suits cannot back reaction vessel explain think leave products them person
eyes itself need visible light evidence body profile including tell better photographs injection alcohol within
contact pale next effects damage sight find soft bring softer sits whether help until always hollow soften still
sometimes looking suitable eye improve acids darker amounts become loose discuss consent prefer visit heavy pain
firm want risk varies discussed doing rest choose sores gently hot heat beneath folds needles concern raised
longer without puffiness tiny bumps plan smile health followed commonly spread hands four six cosmetic
afterwards flaking lighter lies esher jawline towards both tighten whole several injecting hour touching mild
straight vision needs aim once upper available designed move
""".split())


@cache
def _word_rank(atom: frozenset[str]) -> tuple[bool, int]:
    """Sorts the words of a run (each a set of forms) rarest first: not a common word, then the longest. Worked out
    once per word: the rules' words are shared sets of forms (phrases.py), looked at by many phrases."""
    return not atom.isdisjoint(_COMMON), -max(map(len, atom))


# one-word forms; the forms that start a look at runs of words; those runs, by those forms
Need = tuple[frozenset[str], frozenset[str], dict[str, tuple[tuple[frozenset[str], ...], ...]]]


def needs_of(phrase: Phrase, signature: Callable[[Phrase], set[str]] | None = None
             ) -> tuple[tuple[Need, ...], tuple[tuple, ...]]:
    """What a sentence must hold for `phrase` to match in it (enough to rule most sentences out): for each
    required element of words, a form of one of its words, or all the words of one of its runs of words ("#num"
    stands for any number); for each element of numbers only, the numbers it takes; a form of any `near`
    phrase, and of each `near_all` phrase."""
    signature = signature or signature_of
    needs: list[Need] = []
    numbers: list[tuple] = []
    for element in phrase.elements:
        if element.gap or element.optional:
            continue
        if element.other and not element.single and not element.longer:
            numbers.append(tuple(alt[0] for alt in element.other if alt[0][0] == "num"))
            continue
        runs: dict[str, list[tuple[frozenset[str], ...]]] = {}   # by the forms of each run's rarest word
        for alt in element.alternatives:
            if len(alt) > 1 and isinstance(alt[0], frozenset):
                atoms = tuple(a for a in alt if isinstance(a, frozenset))
                rarest = min(atoms, key=_word_rank)
                for form in rarest:
                    runs.setdefault(form, []).append(atoms)
        needs.append((element.single | ({"#num"} if element.other else set()), frozenset(runs),
                      {k: tuple(v) for k, v in runs.items()}))
    if phrase.near:
        needs.append((frozenset(f for p in phrase.near for f in signature(p)), frozenset(), {}))
    for p in phrase.near_all:
        needs.append((frozenset(signature(p)), frozenset(), {}))
    return tuple(needs), tuple(n for n in numbers if n)


_NUMBER_RARITY = (False, 99, 1)   # numbers are common: a word that is not is a better signature


def _rarity(forms: set[str]) -> tuple[bool, int, int]:
    """Sorts sets of forms rarest first: not only common words, then the fewest common words, the fewest forms.
    (A word's forms include made-up ones, "fors", "fored": a set is only common words when its words, taken
    without their endings, all are.)"""
    common = forms & _COMMON
    only_common = all(any(f.startswith(c) for c in common) for f in forms) if common else False
    return only_common, len(common), len(forms)


def _rarest(element: Element) -> set[str]:
    """The rarest word of each alternative of an element ("#num" for one of a number or a time alone)."""
    forms: set[str] = set()
    for alt in element.alternatives:
        atoms = [a for a in alt if isinstance(a, frozenset)]
        forms |= min(atoms, key=_word_rank) if atoms else {"#num"}
    return forms


def signature_of(phrase: Phrase) -> set[str]:
    """Forms of which a sentence must hold one for `phrase` to match: of a required element (or a `near_all`
    phrase), the rarest word of each of its alternatives; of these, the one with the fewest common words, then
    the fewest forms ({"#num"}: a number)."""
    best = None
    for element in phrase.elements:
        if element.gap or element.optional:
            continue
        if element.other and not element.single and not element.longer:
            # a number or a time only: a sentence needs a digit or a number word (an element that also takes
            # words, "@day", is looked up by those words and "#num" below)
            # a few numbers (ages 12 to 17) are rare; any number at all is not
            few = all(atom[0] == "num" and (atom[1] == "-" or atom[1] in ("<", "<=", "=") and atom[2] <= 31)
                      for alt in element.other for atom in alt)
            rarity = (False, 0, 1) if few else _NUMBER_RARITY
            if best is None or rarity < best[0]:
                best = (rarity, {"#num"})
            continue
        forms = _rarest(element)
        key = _rarity(forms)
        if best is None or key < best[0]:
            best = (key, forms)
    for other in phrase.near_all:
        forms = signature_of(other)
        key = _rarity(forms) if forms != {"#num"} else _NUMBER_RARITY
        if best is None or key < best[0]:
            best = (key, forms)
    return best[1] if best is not None else {"#num"}



def numbers_pattern(numbers: Sequence[int]) -> re.Pattern[str]:
    """An expression that finds these numbers written in digits, not as a part of another number ("12", not "112",
    "1.2" or "12:30"). Each starts with its first digit, then looks back that no digit or point stands before it:
    an expression that starts by looking back is tried at every character of a line, one that starts with a digit
    only at the digits (four times as quick on a page's lines)."""
    alternatives = "|".join(f"{n[0]}(?<![\\d.]{n[0]}){n[1:]}" for n in map(str, numbers))
    return re.compile(rf"(?:{alternatives})(?![\d.,:])")


class RuleIndex:
    """The phrases of a rule set (each rule's, in order) indexed for matching: by their signatures, with what a
    line must hold for each to match. Made once per rule set (rules.RuleSet.index) and shared by its checkers."""

    def __init__(self, phrases_by_rule: Sequence[tuple[Phrase, ...]]):
        # The phrases a sentence is matched against, looked up by their signature (the forms of which a sentence
        # must hold one, see `signature_of`): a sentence tries only the phrases whose rarest word it holds, each at
        # the words that can start it, rather than every phrase that could start at each of its words.
        # Each entry: (its order among the set's phrases, the number of its rule, the phrase, its first words).
        self.by_signature: dict[str, list[tuple[int, int, Phrase, frozenset[str]]]] = {}
        # (phrases share the elements of a rule file's sets and parts, and the sets of forms of its words, see
        # phrases.compile_phrase: each is looked at once; the phrases are alive, so their ids stand for them)
        signatures: dict[int, set[str]] = {}

        def signature(phrase: Phrase) -> set[str]:
            found = signatures.get(id(phrase))
            if found is None:
                found = signatures[id(phrase)] = signature_of(phrase)
            return found

        seen: set[int] = set()

        def words_of(element: Element, into: set[frozenset[str]]) -> None:
            if id(element) not in seen:
                seen.add(id(element))
                into.update(atom for alt in element.alternatives for atom in alt if isinstance(atom, frozenset))

        words: set[frozenset[str]] = set()
        order = 0
        for rule_no, phrases in enumerate(phrases_by_rule):
            for phrase in phrases:
                entry = (order, rule_no, phrase, phrase.first_keys)
                order += 1
                for form in signature(phrase):
                    self.by_signature.setdefault(form, []).append(entry)
                for element in phrase.elements:
                    words_of(element, words)
        vocabulary: set[str] = set().union(*words)
        self.signature_forms = frozenset(self.by_signature)
        # What a line must hold for a phrase to match in it: a form of each of its required elements (the number
        # of a number element), and of its `near` and `near_all` phrases. Phrases are looked up by the forms of
        # one required element (their signature), so a line is matched only when some phrase could match in it.
        self.candidates: dict[str, list[tuple[tuple[Need, ...], tuple[tuple, ...]]]] = {}
        filed = []   # each phrase's entry, once (in `candidates` under each form of its signature)
        for phrases in phrases_by_rule:
            for phrase in phrases:
                needs, numbers = needs_of(phrase, signature)
                if phrase.asked:   # only in a question
                    needs = needs + ((frozenset({"?"}), frozenset(), {}),)
                for form in signature(phrase):
                    self.candidates.setdefault(form, []).append((needs, numbers))
                if signature(phrase):
                    filed.append((needs, numbers))
        self.candidate_forms = frozenset(self.candidates)
        self.numbered = "#num" in self.candidate_forms or any(
            needs_numbers or any("#num" in single for single, _, _ in needs) for needs, needs_numbers in filed)
        self.vocabulary = frozenset(w for w in vocabulary if len(w) >= 2 and w.isalpha())
        # every word form a need looks for: a line is reduced to these (and its numbers) before it is decided
        # (the words of the phrases and of their `near` and `near_all` phrases: a superset of what needs hold)
        seen.clear()
        others: set[frozenset[str]] = set()
        for phrases in phrases_by_rule:
            for phrase in phrases:
                for other in phrase.near + phrase.near_all:
                    for element in other.elements:
                        words_of(element, others)
        relevant: set[str] = set(self.candidate_forms) | vocabulary
        relevant.update(*others)
        self.relevant = frozenset(relevant | set(NUMBER_WORDS))
        self.signs = "".join(c for c in "£$€%*&+" if c in relevant)
        self.number_atoms = tuple(sorted({atom for _, numbers in filed for atoms in numbers for atom in atoms},
                                         key=repr))
        self.atom_at = {atom: k for k, atom in enumerate(self.number_atoms)}
        signs = "".join(c for c in "£$€%*&+" if c in self.candidate_forms)
        self.signs_in: Callable[[str], object] = \
            re.compile(f"[{re.escape(signs)}]").search if signs else (lambda _: None)
        # the numbers that phrases whose signature is a number take (ages 12 to 17): a line must hold one
        atoms = [atom for phrases in phrases_by_rule for phrase in phrases if signature(phrase) == {"#num"}
                 for element in phrase.elements if element.other for alt in element.other for atom in alt
                 if atom[0] == "num"]
        self.signature_numbers: re.Pattern[str] | None = None
        self.signature_number_words: frozenset[str] = frozenset()
        if atoms:
            if any(a[1] is None or a[1] in (">", ">=") for a in atoms):
                self.signature_numbers = DIGITS
                self.signature_number_words = frozenset(NUMBER_WORDS)
            else:
                taken = sorted({n for a in atoms for n in range(0, 100) if compare(a, n)})
                self.signature_numbers = numbers_pattern(taken)
                self.signature_number_words = frozenset(w for w, n in NUMBER_WORDS.items() if n in taken)
