"""On-page and site-wide search rules: titles, descriptions, headings, canonicals, sitemap, robots.txt, links,
images and structured data.

The rules read `HtmlPage`s and a `Site` (the other files of the folder: robots.txt, the sitemaps, the list of
files); they never touch the disk themselves, so `audit` (any folder) and `check` (the built site) share them.
Thresholds follow the SEO tools and Google's documentation: Screaming Frog flags titles over 60 characters and
descriptions under 70 or over 155-160; Google needs `name` and `address` for a LocalBusiness.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generator.checks.addresses import Resolver
from generator.checks.finding import Finding
from generator.checks.seo.pages import (
    check_basics,
    check_canonicals,
    check_descriptions,
    check_headings,
    check_images,
    check_links,
    check_mixed_content,
    check_refreshes,
    check_robots,
    check_sitemap,
    check_titles,
    not_indexed,
)
from generator.checks.seo.rules import RULES
from generator.checks.seo.structured import BUSINESS_TYPES, check_structured_data, jsonld_types
from generator.checks.site import Site

__all__ = ["BUSINESS_TYPES", "RULES", "check_seo", "jsonld_types", "not_indexed"]


def check_seo(site: Site) -> Iterator[Finding]:
    """Every SEO rule over the site, with severities from `site.severities` or the defaults."""
    resolver = Resolver(site)
    site.not_indexed = not_indexed(site, resolver)
    rules = (check_titles(site), check_descriptions(site), check_headings(site), check_basics(site),
             check_canonicals(site, resolver), check_sitemap(site, resolver), check_robots(site, resolver),
             check_links(site, resolver), check_images(site, resolver), check_structured_data(site, resolver),
             check_mixed_content(site), check_refreshes(site, resolver))
    for findings in rules:
        for f in findings:
            severity = site.severities.get(f.rule, f.severity)
            yield f if severity == f.severity else replace(f, severity=severity)
