"""What every check yields: a `Finding` (one problem on one page), and the severities it can have."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class Finding:
    """One problem on one page: which rule, how bad, where, what, the evidence, and how to fix it."""

    rule: str            # family.name, e.g. "claims.pom", "duplicates.near", "seo.title-too-long"
    severity: str        # error | warning | info
    page: str            # the page's URL path ("/jaw-fillers/east-horsley/"), or "" for site-wide findings
    message: str
    evidence: str = ""   # the snippet, value or other page that shows the problem
    hint: str = ""       # how to fix it
    source: str = ""     # where the rule comes from (a ruling, guidance or specification), when it has one

    @classmethod
    def by_table(cls, rules: dict[str, tuple[str, str]], rule: str, page: str, message: str,
                 evidence: str = "") -> Finding:
        """A finding of a rule declared in a table of rule -> (severity, hint), as the content and seo checks
        declare theirs."""
        severity, hint = rules[rule]
        return cls(rule, severity, page, message, evidence, hint)
