"""The claims check of a page: the claims of its sentences (matcher.py) weighed against the sentences around them
(a heading above, a question's answer, a refusal next to it, a footnote of the page), as findings.

Matching is per sentence, on the visible text, the title, the meta description, image alt text and the strings of
the JSON-LD (pagetext.py). A claim is excused when it is asked rather than said ("Is it permanent? No, ..."), when
the sentences before it give it another sense, or when its footnote does not make it count.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from generator.checks.claims.lines import PRICED_ROW, joined_rows, marked
from generator.checks.claims.matcher import NEUTRAL, Claim, ClaimMatcher, SentenceResult
from generator.checks.claims.pagetext import page_texts, snippet
from generator.checks.claims.phrases import affirmed, clean_text, find_phrase, normalise
from generator.checks.claims.rules import ClaimRule
from generator.checks.finding import Finding
from generator.checks.page import HtmlPage
from generator.checks.sentences import ASKING, Sentence, sentences_of


class ClaimsChecker(ClaimMatcher):
    """Matches a rule set against pages: the claims of each line (`ClaimMatcher`, which remembers them; `exempt` are
    texts, the disclaimer library, in which nothing counts), weighed against the lines around them."""

    @classmethod
    def for_rules(cls, rules: Sequence[ClaimRule], exempt: Sequence[str] = ()) -> ClaimsChecker:
        """A checker of these rules (every build and audit makes one): what is worked out from the rules for matching
        (indexes, signatures, vocabulary) is made once per rule set and kept by it (`RuleSet.index`: the rules of
        the same rule file texts are the same objects, see `load_rules`); the checker remembers only the lines it
        has seen itself."""
        return cls(list(rules), exempt)

    def check(self, page: HtmlPage) -> Iterator[Finding]:
        found: dict[tuple[str, str], list] = {}
        for where, raw in page_texts(page, None if self.with_patterns else self._worth):
            self._check_text(raw, where, found, page.visible_text)
        for (_, term), (claim, where, count) in sorted(found.items(), key=lambda kv: kv[0]):
            rule = claim.rule
            times = f" (found {count} times)" if count > 1 else ""
            why = f"; matched `{claim.pattern}`" + (f"; {claim.note}" if claim.note else "")
            yield Finding(rule.rule, rule.severity, page.url_path,
                          f"{rule.message}: \"{term}\" in the {where}{times}{why}",
                          _evidence(claim.evidence, term), rule.hint, rule.source)

    def _check_text(self, text: str, where: str, found: dict[tuple[str, str], list], page_text: str = "") -> None:
        """Add the claims of a text to `found` ((rule id, words) -> [claim, where, count]). The footnotes of the
        page's text count for a claim in its title or description too."""
        lines = joined_rows(text)
        memo = self._lines
        remembered = [memo.get(line) for line in lines]
        knowns = [known if known is not None else self.line_results(line)
                  for known, line in zip(remembered, lines, strict=True)]
        if not any(result.claims for known in knowns if known is not NEUTRAL for result in known):
            return   # most texts: no line holds a claim
        line_of: list[int] = []
        results: list[SentenceResult] = []
        for n, known in enumerate(knowns):
            results += known
            line_of += [n] * len(known)
        footnotes = None
        for k, result in enumerate(results):
            if not result.claims:
                continue
            answered_yes = result.question and k + 1 < len(results) and results[k + 1].answer > 0
            answered_no = result.question and k + 1 < len(results) and results[k + 1].answer < 0
            for claim in result.claims:
                if result.question and claim.rule.refusals and not answered_no and \
                        self._refused(claim, lines, line_of[k]):
                    continue   # "Can my teenage daughter come? She can wait in reception; we only treat adults."
                if not result.question and claim.rule.offers and claim.rule.refusals and \
                        self._refused_around(claim, lines, line_of[k]):
                    continue   # "Sixth-formers often ask us about filler. We don't treat anyone under 18."
                if claim.context is not None and claim.context.not_after and \
                        self._excused_before(claim, lines, line_of[k]):
                    continue   # "Two areas: £520" under a heading "Cheek and chin filler"
                if claim.context is not None and claim.context.not_near and \
                        self._heading_explained(claim, lines, line_of[k]):
                    continue   # a heading "Our guarantee" over "If you are unhappy, we refund it in full."
                if claim.context is not None and claim.context.near_before and \
                        not self._named_before(claim, lines, line_of[k]):
                    continue   # "We inject them" counts only after a sentence that names exosomes
                if claim.footnote is not None:
                    if footnotes is None:
                        footnotes = self._footnotes(lines if text == page_text or not page_text
                                                    else lines + page_text.split("\n"))
                    if not any(find_phrase(p, words, claim.rule.names) for words in footnotes
                               for p in claim.footnote.footnote):
                        continue   # "Free consultation*" whose footnote only clarifies, or has none
                    claim = Claim(claim.rule, claim.words, claim.pattern, "its footnote says otherwise",
                                  claim.evidence)
                if claim.asked:   # (asked in a question, or in a fragment such as "Swelling? Bruising?")
                    if not (k + 1 < len(results) and results[k + 1].answer < 0):
                        continue
                    claim = Claim(claim.rule, claim.words, claim.pattern, "a question about it answered no",
                                  claim.evidence)
                elif result.question and claim.rule.negatable and not answered_yes and (
                        claim.rule.questions == "excuse" or answered_no):
                    continue   # asked, not claimed: "Is it permanent? No, ..."
                elif (claim.rule.negatable and k + 1 < len(results) and results[k + 1].answer < 0
                      and (claim.evidence.rstrip(" \"')\u201d\u2019").endswith("?")
                           or claim.evidence.split(None, 1)[0].lower() in ASKING)):
                    continue   # asked or said as a question, then denied: "Filler lasts forever? That's a myth.",
                    #            a heading "Does filler last forever" then "No."
                if answered_yes and claim.other_sense and self._answer_holds(claim, lines, line_of[k]):
                    continue   # "Do you treat jaw pain? Yes, with a bite splint made by our dentists."
                if answered_yes and claim.rule.negatable:
                    claim = Claim(claim.rule, claim.words, claim.pattern,
                                  "a question answered yes", claim.evidence)
                key = (claim.rule.id, claim.words)
                if key in found:
                    found[key][2] += 1
                else:
                    found[key] = [claim, where, 1]
                if self._takers and claim.rule not in self._takers and marked(claim.evidence):
                    if footnotes is None:
                        footnotes = self._footnotes(lines if text == page_text or not page_text
                                                    else lines + page_text.split("\n"))
                    for taker in self._takers:
                        said = next((" ".join(w.form for w in words) for words in footnotes
                                     if any(find_phrase(p, words, taker.names) for p in taker.takes_back)), None)
                        if said is not None and (taker.id, claim.words) not in found:
                            found[(taker.id, claim.words)] = [
                                Claim(taker, claim.words, f"a `{claim.rule.id}` claim marked for small print",
                                      f"its footnote takes it back: \"{said[:80]}\"", claim.evidence), where, 1]

    def _sentences_before(self, claim: Claim, lines: list[str], n: int) -> Iterator[Sentence]:
        """The sentences before the claim's own (on line n, then the lines above), nearest first, at most its
        phrase's `after_within` of them. A priced row of a list above it is yielded but not counted: the rows of
        a price list are items under its heading, not sentences between the heading and the claim."""
        phrase = claim.context
        left = phrase.after_within if phrase is not None else 0
        for m in range(n, -1, -1):
            before = sentences_of(clean_text(lines[m]), self.vocabulary)
            if m == n:   # the sentences of its own line before it
                at = next((j for j, s in enumerate(before) if s.text.strip() == claim.evidence), len(before))
                before = before[:at]
            row = m < n and len(before) == 1 and PRICED_ROW.search(lines[m]) is not None
            for s in reversed(before):
                if left == 0:
                    return
                left -= 0 if row else 1
                yield s

    def _excused_before(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when, looking back from the claim's sentence (line n) through at most `after_within` sentences,
        the nearest one that holds a `not_after` phrase of its phrase comes before any sentence that makes an
        unconditional claim of the same rule."""
        phrase, rule = claim.context, claim.rule
        if phrase is None:
            return False
        for s in self._sentences_before(claim, lines, n):
            if any(find_phrase(p, s.words, rule.names) for p in phrase.not_after):
                return True
            if any(c.rule is rule and c.context is None for c in self._said(s)):
                return False
        return False

    def _heading_explained(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when the claim is a heading of a few words alone on its line ("Our guarantee") and the first
        sentence under it holds a phrase of another sense of its words (its phrase's `not_near`, said): the
        paragraph says what the heading means."""
        phrase, rule = claim.context, claim.rule
        if phrase is None or lines[n].strip() != claim.evidence or len(claim.evidence.split()) > 3 or \
                claim.evidence.rstrip().endswith((".", "!", "?")):
            return False
        for line in lines[n + 1:n + 3]:
            under = sentences_of(clean_text(line), self.vocabulary)
            if under:
                return any(affirmed(p, under[0].words, rule.names) for p in phrase.not_near)
        return False

    def _named_before(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when one of the `after_within` sentences before the claim's own (line n) holds a `near_before`
        phrase of its phrase: what the claim's pronoun stands for."""
        phrase, rule = claim.context, claim.rule
        if phrase is None:   # a claim made by no phrase of a rule names nothing before it
            return False
        return any(find_phrase(p, s.words, rule.names) for s in self._sentences_before(claim, lines, n)
                   for p in phrase.near_before)

    def _answer_holds(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when the sentence that answers a question's claim (the next, on line n or n + 1) holds one of the
        phrases that mean another sense of the claim (its phrase's `not_near`)."""
        answer = self._after(claim, lines, n)[:1]
        return any(find_phrase(p, s.words, claim.rule.names) for s in answer for p in claim.other_sense)

    def _after(self, claim: Claim, lines: list[str], n: int) -> list[Sentence]:
        """The sentences after a claim's own, on its line n and the next line."""
        after: list[Sentence] = []
        for m in (n, n + 1):
            if m < len(lines):
                found = sentences_of(clean_text(lines[m]), self.vocabulary)
                if m == n:
                    at = next((j for j, s in enumerate(found) if s.text.strip() == claim.evidence), len(found))
                    found = found[at + 1:]
                after += found
        return after

    def _refused(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when one of the two sentences after the question of a claim (on line n, or the next line: a
        heading, then its paragraph) holds a `refusals` phrase of its rule."""
        after = self._after(claim, lines, n)
        return any(find_phrase(p, s.words, claim.rule.names) for s in after[:2] for p in claim.rule.refusals)

    def _refused_around(self, claim: Claim, lines: list[str], n: int) -> bool:
        """True when a statement that offers nothing (none of its rule's `offers` phrases) has a `refusals` phrase
        of its rule in the sentence before it or in one of the two after it: it says who is turned away."""
        rule = claim.rule
        own = sentences_of(clean_text(lines[n]), self.vocabulary)
        at = next((j for j, s in enumerate(own) if s.text.strip() == claim.evidence), None)
        if at is None or any(find_phrase(p, own[at].words, rule.names) for p in rule.offers):
            return False
        before = own[at - 1:at] if at else (sentences_of(clean_text(lines[n - 1]), self.vocabulary)[-1:] if n else [])
        around = before + self._after(claim, lines, n)[:2]
        return any(find_phrase(p, s.words, rule.names) for s in around for p in rule.refusals)

    def _footnotes(self, lines: list[str]) -> list[tuple]:
        """The words of each footnote of a text: a sentence that starts with an asterisk or a dagger."""
        out = []
        for line in lines:
            if "*" in line or "\u2020" in line or "\u2021" in line:
                for s in sentences_of(clean_text(line), self.vocabulary):
                    if s.text.lstrip().startswith("*"):
                        out.append(s.words)
        return out


def _evidence(sentence: str, term: str, width: int = 200) -> str:
    if len(sentence) <= width:
        return sentence
    at = normalise(sentence).find(term.split()[0]) if term else 0
    return snippet(sentence, max(at, 0), max(at, 0) + len(term), width // 2)

