"""The HTML report of `audit` in headless Chromium: it opens on the problems, and its filters by rule, severity and
page hide what does not match."""

from __future__ import annotations

from pathlib import Path

from harness import serve

from tests.projects import cli

PLUMBER = Path(__file__).resolve().parents[1] / "audit_labelled" / "plumber"


def shown(page, selector: str) -> int:
    return page.eval_on_selector_all(selector, "els => els.filter(e => !e.hidden).length")


def test_the_report_filters_problems_by_rule_severity_and_page(open_page, tmp_path):
    report = tmp_path / "report.html"
    run = cli("audit", str(PLUMBER), "--format", "html", "--report", str(report))
    assert run.returncode == 1
    with serve(tmp_path) as url:
        page, response = open_page(f"{url}/report.html")
        assert response.status == 200
        total = shown(page, "tr.group")
        assert total > 5 and page.inner_text("#f-count") == f"{total} shown"
        assert page.inner_text("h2 >> nth=0") == "Problems, most urgent first"

        page.select_option("#f-rule", "seo.mixed-content")
        assert shown(page, "tr.group") == 2 and page.inner_text("#f-count") == "2 shown"
        assert shown(page, "details[data-rule]") == 1      # the one page with that rule, in "Findings by page"

        page.select_option("#f-rule", "")
        page.select_option("#f-severity", "warning")
        assert 0 < shown(page, "tr.group") < total

        page.select_option("#f-severity", "")
        page.fill("#f-page", "/areas/bath/")
        rules = page.eval_on_selector_all("tr.group", "els => els.filter(e => !e.hidden).map(e => e.dataset.rule)")
        assert "seo.faq-other-place" in rules and "seo.broken-link" in rules     # the nav link on 9 pages too
        assert "seo.mixed-content" not in rules
