"""What a check run gives: each page's own results as its checks leave them (`PageResult`), and the whole
run's findings, waivers and pages held back (`CheckResult`)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.checks.duplicates import DuplicateResult, Prepared
from generator.checks.facts import PageWaiver
from generator.checks.finding import Finding
from generator.checks.gate import Hold


@dataclass
class CheckResult:
    """What a run found. Iterating over it gives the findings (after policies and waivers)."""

    findings: list[Finding]
    waived: list[tuple[Finding, PageWaiver]] = field(default_factory=list)
    demoted: dict[str, str] = field(default_factory=dict)     # URL path -> where its canonical points (held back)
    duplicates: DuplicateResult | None = None
    pages: int = 0
    seconds: float = 0.0
    held: dict[str, Hold] = field(default_factory=dict)       # every page the gate flagged, held back or not

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)

    @property
    def errors(self) -> int:
        return self.count("error")

    @property
    def ok(self) -> bool:
        return self.errors == 0

    @property
    def published_at_risk(self) -> list[str]:
        """Pages the gate flagged that are published all the same (policy warn, or a waiver)."""
        return sorted(url for url, hold in self.held.items() if hold.built and not hold.canonical)

    def summary(self) -> str:
        parts = [f"{self.pages} pages checked: {self.errors} error(s), {self.count('warning')} warning(s)"]
        if self.demoted:
            parts.append(f"{len(self.demoted)} page(s) held back")
        risky = self.published_at_risk
        if risky:
            parts.append(f"{len(risky)} page(s) published without text of their own (at risk as doorways)")
        if self.waived:
            parts.append(f"{len(self.waived)} finding(s) waived")
        return ", ".join(parts) + f" ({self.seconds:.2f} s)"


@dataclass(slots=True)
class PageResult:
    """What one page leaves behind once its own checks have run."""

    url: str
    findings: list[Finding]
    indexing: tuple[str | None, str] | None
    prepared: Prepared | None
    text: str | None
    words: int = 0          # words in its main text
