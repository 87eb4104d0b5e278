"""`audit` on small sites of our own (tests/audit_labelled/), each reproducing a pattern seen on real sites: what it
must report and what it must leave alone (labels.yaml), how it shows a problem found on many pages, and the host's
rules it reads (robots.txt, _redirects, .htaccess, meta refresh)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from generator.audit import OTHER_SITE_HINTS, audit
from generator.checks.crawl import Crawl, read_htaccess, read_redirects_file
from generator.checks.html import parse_html, refresh_target
from generator.checks.seo import RULES
from tests.projects import cli

HERE = Path(__file__).parent / "audit_labelled"
LABELS = yaml.safe_load((HERE / "labels.yaml").read_text("utf-8"))
# The classes of issue 21, each with cases that must be found and cases that must not.
CLASSES = {"clinic rules on every site", "leaks in code", "script-filled lists", "anchors", "headings that are links",
           "canonicals", "robots.txt", "redirects", "meta refresh", "not-found page", "mixed content",
           "canonical to another site", "FAQ of another place", "sitemap in a folder", "verification file",
           "clinic rules on a clinic's site", "structured data", "pages with no text",
           "lists in a navigation landmark"}


@cache
def audited(site: str):
    return audit(HERE / site)


def _id(label: dict) -> str:
    return f"{label['site']}:{label['rule']}:{label['page']}:{'found' if label['found'] else 'not'}"


@pytest.mark.parametrize("label", LABELS, ids=[_id(lb) for lb in LABELS])
def test_labelled_case(label):
    result = audited(label["site"])
    hits = [f for f in result.findings if f.rule == label["rule"] and f.page == label["page"]]
    if "text" in label:
        hits = [f for f in hits if label["text"] in f.message or label["text"] in f.evidence]
    assert bool(hits) == label["found"], f"{label['why']}: {hits or 'nothing found'}"


def test_every_class_has_labelled_cases():
    assert {lb["class"] for lb in LABELS} == CLASSES
    for name in CLASSES - {"clinic rules on every site", "clinic rules on a clinic's site", "verification file",
                           "not-found page", "structured data"}:
        assert {lb["found"] for lb in LABELS if lb["class"] == name} == {True, False}, name


def test_the_clinic_rules_apply_to_a_clinics_site_only_unless_told():
    assert audited("clinic").clinic and not audited("plumber").clinic and not audited("blog").clinic
    assert not [f for f in audited("plumber").findings if f.rule.startswith("claims.")]
    forced = audit(HERE / "plumber", clinic=True)
    assert {"claims.guarantee", "claims.risk"} <= {f.rule for f in forced.findings}
    assert not [f for f in audit(HERE / "clinic", clinic=False).findings if f.rule.startswith("claims.")]


def test_hints_fit_a_site_clinic_pages_did_not_make():
    for site in ("plumber", "blog", "clinic"):
        for f in audited(site).findings:
            assert "locations.yaml" not in f.hint and "{% if" not in f.hint and "treatment and the place" not in f.hint
            if f.rule in OTHER_SITE_HINTS:
                assert f.hint == OTHER_SITE_HINTS[f.rule]
    assert "(would be demoted)" not in " ".join(f.message for f in audited("blog").findings)


def test_what_is_not_indexed_and_why():
    assert audited("plumber").not_indexed == {
        "/404.html": "it is the not-found page (served with status 404)",
        "/areas/leeds/": "its canonical names another page",
        "/contact/print.html": "its canonical names another page",
        "/moved.html": "it redirects to /contact/ (meta refresh)",
        "/news/guest-post.html": "its canonical names another page",
        "/private/quote/": "robots.txt disallows it",
        "/winter.html": "it redirects to /offers/winter/ (meta refresh)",
    }


def test_a_problem_on_many_pages_is_one_problem_in_every_report(tmp_path):
    run = cli("audit", str(HERE / "plumber"))
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    assert lines[0] == "== 1. Indexing: 8 problems under 7 rules"
    start = lines.index("seo.broken-link (9 errors, 1 problem)")
    assert lines[start + 1] == ("  error on 9 pages: the link points to /blog/: _redirects:3 redirects it to /news/, "
                                "which does not exist")
    assert lines[start + 2] == ("      pages: https://www.pipeline-plumbing.example/, https://www.pipeline-plumbing"
                                ".example/areas/bath/, https://www.pipeline-plumbing.example/areas/keynsham/"
                                " and 6 more")
    data = json.loads(cli("audit", str(HERE / "plumber"), "--format", "json").stdout)
    [group] = [g for g in data["groups"] if g["rule"] == "seo.broken-link"]
    assert (group["count"], group["priority"], len(group["urls"])) == (9, 1, 9)
    assert group["urls"][0] == "https://www.pipeline-plumbing.example/"
    assert [g["priority"] for g in data["groups"]] == sorted(g["priority"] for g in data["groups"])
    assert sum(g["count"] for g in data["groups"]) == len(data["findings"])
    report = tmp_path / "audit.html"
    cli("audit", str(HERE / "plumber"), "--format", "html", "--report", str(report))
    html = report.read_text("utf-8")
    assert html.index('<h2 id="problems">') < html.index("<h2>Findings by page</h2>")
    for control in ('id="f-rule"', 'id="f-severity"', 'id="f-page"'):
        assert control in html
    assert '<td class="num">9</td>' in html and 'data-rule="seo.broken-link"' in html


def test_pages_are_shown_by_their_public_address():
    urls = audited("apache").urls
    assert urls["/prices.html"] == "https://www.bookbinder.example/prices.html"      # its canonical
    assert urls["/draft/"] == "https://www.bookbinder.example/draft/"                # no canonical: site + path


def test_redirect_files_are_read_as_the_hosts_read_them():
    rules = read_redirects_file("# a comment\n/old/  /new/  301\n/blog/*  /news/:splat  302\n/app/*  /index.html  200\n"
                                "/team/:name  /people/:name\n/gone  /  404!\nnot a rule\n")
    crawl = Crawl(None, rules)
    assert crawl.redirect("/old") == crawl.redirect("/old/") == ("/new/", 301, "_redirects:2")
    assert crawl.redirect("/blog/2024/x/") == ("/news/2024/x/", 302, "_redirects:3")
    assert crawl.redirect("/app/settings") == ("/index.html", 200, "_redirects:4")      # a rewrite
    assert crawl.redirect("/team/ann") == ("/people/ann", 301, "_redirects:5")
    assert crawl.redirect("/gone")[1] == 404 and crawl.redirect("/elsewhere") is None
    rules = read_htaccess("RewriteEngine On\nRedirect 301 /legacy /modern\nRedirectMatch ^/x/(.*)$ /y/$1\n"
                          "RewriteRule ^a\\.html$ /b/ [R=301,L]\nRewriteRule ^c$ d.html [L]\nRedirect gone /old\n")
    crawl = Crawl(None, rules)
    assert crawl.redirect("/legacy/page") == ("/modern/page", 301, ".htaccess:2")
    assert crawl.redirect("/x/k") == ("/y/k", 302, ".htaccess:3")
    assert crawl.redirect("/a.html") == ("/b/", 301, ".htaccess:4")
    assert crawl.redirect("/c") == ("d.html", 200, ".htaccess:5")
    assert crawl.redirect("/old")[1] == 410


def test_robots_txt_is_read_as_google_reads_it():
    crawl = Crawl.read("User-agent: *\nDisallow: /private/\nAllow: /private/open/\nDisallow: /*.pdf$\n\n"
                       "User-agent: Googlebot-Image\nDisallow: /\n", {})
    assert crawl.disallowed("/private/x/") and not crawl.disallowed("/private/open/x/")
    assert crawl.disallowed("/files/a.pdf") and not crawl.disallowed("/files/a.pdf.html")
    assert not crawl.disallowed("/")        # the image crawler's group is not the page crawler's
    prefixed = Crawl.read("User-agent: *\nDisallow: /docs/private/\n", {}, "/docs")
    assert prefixed.disallowed("/private/") and not prefixed.disallowed("/")


def test_meta_refresh_targets_and_the_parts_parse_html_reads():
    assert refresh_target("0; url=/new/") == "/new/"
    assert refresh_target("5;URL='https://x.example/a'") == "https://x.example/a"
    assert refresh_target("30") == ""
    page = parse_html("a/index.html", '<html><head><script src="http://cdn.example/a.js"></script>'
                      '<link rel="stylesheet" href="HTTP://cdn.example/a.css"><link rel="stylesheet" href="/b.css">'
                      '</head><body><a name="top-of-list"></a><iframe src="http://maps.example/"></iframe>'
                      '<main><h2><a href="/x/">X</a></h2><h2>Y</h2><p>Use <code>{{ x }}</code>.</p></main>'
                      '<img alt src="/i.png"></body></html>')
    assert page.insecure == ["http://cdn.example/a.js", "HTTP://cdn.example/a.css", "http://maps.example/"]
    assert "top-of-list" in page.ids and page.link_headings == {0} and page.code == ["{{ x }}"]
    assert page.images == [("/i.png", "")]      # <img alt>: an empty alt, not a missing one


def test_the_new_rules_have_labelled_cases():
    labelled = {lb["rule"] for lb in LABELS if lb["found"]}
    for rule in ("seo.canonical-other-site", "seo.mixed-content", "seo.refresh-broken", "seo.sitemap-blocked",
                 "seo.sitemap-redirect", "seo.sitemap-location", "seo.faq-other-place"):
        assert rule in RULES and rule in labelled
