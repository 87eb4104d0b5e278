"""Claims and advertising rules: concepts in a YAML rule file, matched sentence by sentence against a page.

The package reads in the order a check runs: `rules` reads the rule files into rules of `phrases` (the phrase
language, and where a phrase matches in a sentence); `signatures` says what a sentence must hold for a phrase to
match; `pagetext` gathers the texts of a page a claim can hide in, `lines` reads their lines, `voice` tells a
client's review and words quoted to be talked about; `matcher` finds the claims of each sentence, and `checker`
weighs them against the sentences around them and makes the page's findings.
"""

from __future__ import annotations

from generator.checks.claims.checker import ClaimsChecker
from generator.checks.claims.rules import DEFAULT_RULES, ClaimRule, load_rules

__all__ = ["DEFAULT_RULES", "ClaimRule", "ClaimsChecker", "load_rules"]
