"""Lighthouse (npm lighthouse@12.2.3 on Debian's Chromium) scores 100 in SEO for one page of each indexable kind.

The 404 page is left out on purpose: it is noindex, which Lighthouse's is-crawlable audit counts against it;
so is any page the build demoted to noindex as thin content."""

from __future__ import annotations

import pytest
from harness import SETUP_HINT, missing_tools, page_per_kind
from lighthouse_seo import seo_scores

pytestmark = pytest.mark.slow


def test_lighthouse_seo_score_is_100_for_each_indexable_kind_of_page(built_sample):
    missing = missing_tools("lighthouse")
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; {SETUP_HINT}")
    kinds = page_per_kind(built_sample.parent, built_sample, indexable_only=True)
    # Every kind with an indexable page; landing pages too, unless the build demoted all of them as thin.
    assert {"home", "areas", "area", "treatment"} <= set(kinds) <= {"home", "areas", "area", "treatment", "landing"}
    scores = seo_scores(built_sample, sorted(kinds.values()))
    assert [s.path for s in scores] == sorted(kinds.values())
    assert {s.path: (s.score, s.failing) for s in scores} == {path: (100, ()) for path in kinds.values()}
