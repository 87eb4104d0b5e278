"""Lighthouse (npm lighthouse@12.2.3 on Debian's Chromium, its mobile emulation and throttling) on one page of each
indexable kind of the sample, and on the home page of tests/fixtures/complete (logo, photos, colours).

Accessibility, best practices and SEO must score 100, and every performance audit that does not time the page
must pass: layout shift, picture sizes and formats, offscreen and unsized pictures, a lazy LCP picture,
render-blocking resources, DOM size, unused CSS and JavaScript, ... (all but the host's compression and cache
headers, which the test server does not send). The performance score itself is a timing taken on this shared
two-core machine, and the brief proves speed with scripts run alone, never with timed tests: when other work loads
the cores, Lighthouse's simulated phone (four times slower than what it observed) sees "total blocking time" the
page does not cause (87 was seen under a load of 14, 100 when quiet). So the score is measured by
`python3 tests/browser/lighthouse_scores.py`, run alone (docs/testing.md), and printed here. The 404 page is left
out on purpose: it is noindex, which Lighthouse's is-crawlable audit counts against it; so is any page the build
held back (noindex)."""

from __future__ import annotations

import pytest
from harness import SETUP_HINT, missing_tools, page_per_kind
from lighthouse_scores import lighthouse_scores_of

pytestmark = pytest.mark.slow
EXACT = {"accessibility": 100, "best-practices": 100, "seo": 100}


def check(scores) -> None:
    for s in scores:
        print(f"{s.path}: {s.scores} (benchmarkIndex {s.benchmark:.0f})")
        assert {k: v for k, v in s.scores.items() if k in EXACT} == EXACT, (s.path, s.failing)
        assert s.untimed_failing == (), s.path


@pytest.fixture(scope="module")
def scores(built_sample, built_complete):
    """Lighthouse on one page of each indexable kind of the sample and on the complete fixture's home page, run
    once for both tests (one Chromium, one node process: loading Lighthouse costs about as much as a run)."""
    missing = missing_tools("lighthouse")
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; {SETUP_HINT}")
    kinds = page_per_kind(built_sample.parent, built_sample, indexable_only=True)
    # Every kind with an indexable page: area and landing pages only where the doorway gate published some (the
    # sample has no text written for any treatment in any area, nor area notes of 30 words: none).
    assert {"home", "areas", "treatment"} <= set(kinds) <= {"home", "areas", "area", "treatment", "landing"}
    return kinds, lighthouse_scores_of({built_sample: sorted(kinds.values()), built_complete: ["/"]})


def test_lighthouse_on_each_indexable_kind_of_page(scores, built_sample):
    kinds, found = scores
    assert [s.path for s in found[built_sample]] == sorted(kinds.values())
    check(found[built_sample])


def test_lighthouse_with_pictures(scores, built_complete):
    _, found = scores
    assert [s.path for s in found[built_complete]] == ["/"]
    check(found[built_complete])
