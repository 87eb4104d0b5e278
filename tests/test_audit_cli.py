"""`clinic-pages audit FOLDER`: exact output and exit codes, as a person runs it."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.projects import run_cli


@pytest.fixture
def site(tmp_path: Path, built_sample: Path) -> Path:
    dest = tmp_path / "site"
    shutil.copytree(built_sample, dest, copy_function=os.link)
    return dest


def break_title(site: Path) -> None:
    page = site / "areas" / "index.html"
    text = page.read_text("utf-8")
    page.unlink()       # a hard link to the session's build: replace, do not write through
    page.write_text(re.sub(r"<title>.*?</title>", "", text), "utf-8")


def small_site(folder: Path, title: str = "A small site that has nothing wrong with it") -> None:
    """A site of one page with a title, a description, a canonical, a sitemap and a robots.txt."""
    (folder / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width">'
        f'<title>{title}</title><meta name="description" content="A small site of one page, with a title, a '
        'description, a canonical, a sitemap and a robots.txt: nothing to report."><link rel="canonical" '
        'href="https://small.example/"></head><body><h1>Home</h1><p>Welcome.</p></body></html>', "utf-8")
    (folder / "robots.txt").write_text("User-agent: *\nAllow: /\nSitemap: https://small.example/sitemap.xml\n")
    (folder / "sitemap.xml").write_text('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.'
                                        'sitemaps.org/schemas/sitemap/0.9"><url><loc>https://small.example/</loc>'
                                        '</url></urlset>\n')


def test_the_exit_code_says_whether_the_site_has_problems(built_sample, tmp_path):
    run = run_cli("audit", str(built_sample))
    pages = sum(1 for _ in built_sample.rglob("*.html"))
    assert re.fullmatch(rf"{pages} page\(s\) checked: \d+ error\(s\), \d+ warning\(s\)", run.stdout.splitlines()[-1])
    assert "seo." not in run.stdout and run.stderr == ""
    # Page by page, as a search engine sees it, an indexable thin page would be an error (exit 1): the doorway
    # gate held the sample's back, so the site clinic-pages built has no problem and audit exits 0.
    assert "duplicates." not in run.stdout and run.returncode == 0, run.stdout
    small_site(tmp_path)
    run = run_cli("audit", str(tmp_path))
    assert (run.returncode, run.stdout) == (0, "1 page(s) checked: 0 error(s), 0 warning(s)\n"), run.stdout


def test_findings_exit_1_and_say_what_where_and_how_to_fix(site):
    break_title(site)
    run = run_cli("audit", str(site))
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    start = lines.index("seo.title-missing (1 error)")
    assert lines[start + 1:start + 3] == ["  error https://itsmeandyou.example/areas/: the page has no <title>",
                                          "  fix: add a <title> in <head> naming the treatment and the place"]
    assert lines[0].startswith("== 2. Content: ")     # no indexing problem: the content comes first
    assert re.fullmatch(r"\d+ page\(s\) checked: \d+ error\(s\), \d+ warning\(s\)", lines[-1])


def test_json_report(site):
    break_title(site)
    run = run_cli("audit", str(site), "--format", "json")
    assert run.returncode == 1
    data = json.loads(run.stdout)
    assert (data["command"], data["site"]) == ("audit", str(site))
    assert data["summary"]["errors"] == sum(f["severity"] == "error" for f in data["findings"])
    [finding] = [f for f in data["findings"] if f["rule"] == "seo.title-missing"]
    assert finding == {"rule": "seo.title-missing", "severity": "error", "page": "/areas/",
                       "message": "the page has no <title>", "evidence": "",
                       "hint": "add a <title> in <head> naming the treatment and the place", "source": ""}


def test_html_report_written_to_a_file(site, tmp_path):
    break_title(site)
    report = tmp_path / "audit.html"
    run = run_cli("audit", str(site), "--format", "html", "--report", str(report))
    assert run.returncode == 1
    assert re.fullmatch(rf"\d+ page\(s\) checked: \d+ error\(s\), \d+ warning\(s\); "
                        rf"report written to {re.escape(str(report))}\n", run.stdout)
    html = report.read_text("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "seo.title-missing" in html and "/areas/" in html


def test_the_base_url_can_be_given(built_sample, tmp_path):
    run = run_cli("audit", str(built_sample), "--base-url", "https://itsmeandyou.example/", "--format", "json")
    data = json.loads(run.stdout)
    assert not [f for f in data["findings"] if f["rule"].startswith("seo.")]
    site = tmp_path / "site"   # the sample audits clean: plant a problem to see how its page is named
    shutil.copytree(built_sample, site)
    home = site / "index.html"
    home.write_text(re.sub(r"<title>.*?</title>", "<title>" + "A title far too long " * 5 + "</title>",
                           home.read_text("utf-8")), "utf-8")
    data = json.loads(run_cli("audit", str(site), "--base-url", "https://itsmeandyou.example/", "--format",
                              "json").stdout)
    assert data["groups"][0]["urls"][0].startswith("https://itsmeandyou.example/")


def test_a_folder_with_no_address_says_what_was_not_checked(tmp_path):
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>Home of a '
        'small example site</title></head><body><h1>Home</h1></body></html>', "utf-8")
    run = run_cli("audit", str(tmp_path))
    assert run.returncode == 1
    assert run.stderr == ("WARNING: the site's address is unknown (no --base-url, no sitemap, no canonical): "
                          "absolute links and canonicals were not checked\n")
    assert "seo.robots-missing (1 error)" in run.stdout and "seo.sitemap-missing (1 error)" in run.stdout


def test_usage_and_input_errors_exit_2(tmp_path):
    run = run_cli("audit", str(tmp_path / "nowhere"))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (f"error: {tmp_path / 'nowhere'}: no such folder; "
                          "hint: give the folder that holds the site's index.html\n")
    run = run_cli("audit", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == (f"error: {tmp_path}: no .html files found; "
                          "hint: audit the folder a static site was built into\n")
    (tmp_path / "index.html").write_text("<title>x</title>", "utf-8")
    run = run_cli("audit", str(tmp_path), "--base-url", "example.com")
    assert run.returncode == 2
    assert run.stderr == ("error: --base-url 'example.com' is not an absolute http(s) URL; "
                          "hint: give the live address, e.g. --base-url https://www.example.co.uk\n")
    run = run_cli("audit", str(tmp_path), "--format", "pdf")
    assert run.returncode == 2 and "invalid choice: 'pdf'" in run.stderr
    run = run_cli("audit")
    assert run.returncode == 2 and "the following arguments are required: FOLDER" in run.stderr
    (tmp_path / "broken.html").symlink_to(tmp_path / "gone.html")
    run = run_cli("audit", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == (f"error: {tmp_path / 'broken.html'}: cannot be read (No such file or directory); "
                          "hint: fix its permissions or the link, or move it out of the folder\n")


def test_a_report_path_that_cannot_be_written_exits_2_before_reading_the_site(built_sample, tmp_path):
    missing = tmp_path / "no-such-folder" / "audit.json"
    run = run_cli("audit", str(built_sample), "--format", "json", "--report", str(missing))
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (f"error: cannot write the report to {missing}: there is no folder {missing.parent}; "
                          "create it first, or give another path\n")
    run = run_cli("audit", str(built_sample), "--format", "html", "--report", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr == (f"error: cannot write the report to {tmp_path}: it is a folder; give a file name, such as "
                          f"{tmp_path / 'report.html'}\n")
    assert not missing.parent.exists() and list(tmp_path.iterdir()) == []


def long_title(site: Path) -> None:
    page = site / "areas" / "index.html"
    text = page.read_text("utf-8")
    page.unlink()
    page.write_text(re.sub(r"<title>.*?</title>", "<title>" + "A title much longer than sixty characters, "
                           "which search results cut short</title>", text), "utf-8")


def test_the_projects_policies_set_audits_severities(site, tmp_path):
    """`checks.policies` in the project's site.yaml change audit's severities (`--project`), as they do check's."""
    long_title(site)
    plain = run_cli("audit", str(site))
    assert "seo.title-too-long (1 warning)" in plain.stdout     # (the sample's thin pages are errors: exit 1)
    project = tmp_path / "project"
    project.mkdir()
    (project / "site.yaml").write_text("name: Only the checks are read\nchecks:\n  policies:\n"
                                       "    seo.title-too-long: fail\n", "utf-8")
    strict = run_cli("audit", str(site), "--project", str(project))
    assert strict.returncode == 1
    assert "seo.title-too-long (1 error)" in strict.stdout
    (project / "site.yaml").write_text("checks:\n  policies:\n    seo.title-too-long: stop\n", "utf-8")
    bad = run_cli("audit", str(site), "--project", str(project))
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr == ("site.yaml:3:5: checks.policies.seo.title-too-long: expected one of fail, warn, demote, "
                          "skip, found text 'stop'\n"
                          "  3 |     seo.title-too-long: stop\n"
                          "    |     ^\n"
                          "    hint: use one of: fail, warn, demote, skip\n"
                          "1 problem(s) found; nothing was written.\n")


def test_strict_counts_warnings_as_errors(tmp_path):
    small_site(tmp_path, "A small site of one page whose title runs on well past sixty characters")
    run = run_cli("audit", str(tmp_path), "--strict")
    assert run.stdout.splitlines()[-1] == "1 page(s) checked: 0 error(s), 1 warning(s)"
    assert run.returncode == 1
    assert run.stderr == "error: 1 warning(s), and --strict counts warnings as errors\n"
