"""What the duplicate check finds: each page's figures, the clusters (its settings are site.yaml's, model.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.model import DuplicateSettings  # the thresholds, declared once with site.yaml's fields

__all__ = ["Cluster", "DuplicateResult", "DuplicateSettings", "PageStats"]


@dataclass
class PageStats:
    """The per-page figures of the duplicate check (the report's sortable table). For a page the check held
    back, the figures are those it was judged on; for the others, those against the pages left indexable."""

    page: str
    words: int                      # words in the main text
    content_words: int = 0          # of those, the words in passages that are not boilerplate
    unique_share: float = 0.0       # own words / content words
    unique_words: int = 0           # own words: covered by a (masked) shingle found on no other indexable page
    boilerplate_share: float = 0.0  # of the main text's words, the share in boilerplate passages
    twin: str | None = None         # the closest other page found
    twin_similarity: float = 0.0    # exact Jaccard of content shingles with the twin
    duplicate_of: str | None = None     # the page kept of its exact-duplicate group, when not itself
    cluster: int | None = None          # index into DuplicateResult.clusters
    thin: bool = False                  # under min_unique_share or min_unique_words
    held: bool = False                  # left the index because of it (the caller said it may)
    word_for_word: bool = False         # own words counted word for word on all its text, as `audit` counts them
                                        # (a page judged apart: DuplicateIndex.judged_apart)


@dataclass
class Cluster:
    kind: str                       # "exact" | "near"
    pages: list[str]                # sorted
    min_similarity: float
    max_similarity: float
    why: str = ""                   # what differs between its pages, when it can be said
    keeper: str = ""                # the page kept when the others are held back


@dataclass
class DuplicateResult:
    pages: list[PageStats]
    clusters: list[Cluster]
    boilerplate_blocks: int
    candidate_pairs: int = 0        # pairs compared by their MinHash estimate
    confirmed_pairs: int = 0        # pairs checked by exact Jaccard
    near_threshold: float | None = None     # the similarity the near-duplicate clusters were found at
    stats: dict[str, PageStats] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.stats = {s.page: s for s in self.pages}

    @property
    def held(self) -> list[str]:
        """The pages that left the index, in page order."""
        return [s.page for s in self.pages if s.held]
