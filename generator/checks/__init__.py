"""The check engine: one set of checks for the built site (`check`) and for any folder of HTML (`audit`).

Every check takes pages (and what is known about them) and yields `Finding`s. Families: `claims` (rule files
in YAML, `claims/`, `generator/rules/uk.yaml`), `duplicates` (exact, near, thin, doorway: `duplicates/` and
`gate.py`),
`disclaimers`, `leaks` and `consistency` (`content.py`), and `seo` (on-page and site-wide search rules).

Entry points:
    parse_html(file, html) -> HtmlPage          one page, parsed once (checks/html.py; lexbor, ~0.1 ms a page)
    check_pages(pages, settings=None, facts=None, rules=None, reload=None) -> CheckResult
                                                 every check over an iterable of HtmlPages; iterating over the
                                                 result gives the findings after policies and waivers
    CheckRun(...).add(page) ... .finish()        the same, one page at a time (memory stays small: a page's
                                                 text is dropped once its per-page checks have run)
    check_built_site(project_dir, output_dir)    `clinic-pages check`: the built site against its records
    site_facts(project, plan) -> SiteFacts       what the generator knows of each page (checks/facts.py)
`settings` is site.yaml's `checks:` (a `model.CheckSettings`: thresholds, policies fail/warn/demote, waivers);
without `facts` (a folder clinic-pages did not make) the disclaimer, consistency and demotion checks are off.
Reports for people and machines are written by `generator/report.py`.
"""

from __future__ import annotations

from generator.checks.engine import CheckRun, check_pages
from generator.checks.finding import SEVERITIES, Finding
from generator.checks.html import parse_html
from generator.checks.incremental import check_built_site
from generator.checks.page import HtmlPage
from generator.checks.results import CheckResult

__all__ = ["SEVERITIES", "Finding", "HtmlPage", "CheckResult", "CheckRun", "check_built_site", "check_pages",
           "parse_html"]
