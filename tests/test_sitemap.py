"""sitemap.xml against the real XSD, the index past 50,000 URLs, lastmod from content history, robots.txt."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.etree as etree
import pytest

from generator.build import build
from generator.sitemap import MAX_URLS, robots_txt, sitemap_files
from tests.projects import REPO, edit

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "https://www.mini-clinic.example"


def _schema(name: str) -> etree.XMLSchema:
    """The sitemaps.org schema: the copy shipped in generator/schemas/, else the shared one beside the repo."""
    for folder in (REPO / "generator" / "schemas", REPO.parent / "shared" / "schemas"):
        if (folder / name).exists():
            return etree.XMLSchema(etree.parse(str(folder / name)))
    pytest.fail(f"{name} not found in generator/schemas/ or ../shared/schemas/")


@pytest.fixture(scope="module")
def sitemap_xsd() -> etree.XMLSchema:
    return _schema("sitemap.xsd")


@pytest.fixture(scope="module")
def siteindex_xsd() -> etree.XMLSchema:
    return _schema("siteindex.xsd")


def valid(schema: etree.XMLSchema, data: bytes) -> etree._Element:
    root = etree.fromstring(data)
    schema.assertValid(root)
    return root


def locs(root: etree._Element) -> list[str]:
    return root.xpath("//s:loc/text()", namespaces=NS)


def lastmods(output: Path) -> dict[str, str]:
    root = etree.fromstring((output / "sitemap.xml").read_bytes())
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in root.findall("s:url", NS)}


def test_sample_sitemap_is_valid_and_lists_every_indexable_page_once(built_sample: Path, sitemap_xsd) -> None:
    root = valid(sitemap_xsd, (built_sample / "sitemap.xml").read_bytes())
    urls = locs(root)
    assert len(urls) == len(set(urls))
    base = re.match(r"https?://[^/]+", urls[0]).group(0)
    pages = {"/" + p.relative_to(built_sample).as_posix().removesuffix("index.html"): p.read_text()
             for p in built_sample.rglob("*.html")}
    indexable = {path for path, html in pages.items() if '<meta name="robots" content="noindex">' not in html}
    assert "/404.html" in pages and "/404.html" not in indexable
    assert {"/", "/areas/"} <= indexable
    assert {u.removeprefix(base) for u in urls} == indexable     # noindex pages (404, demoted) are left out
    assert all(u.startswith(base + "/") for u in urls)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", m) for m in root.xpath("//s:lastmod/text()", namespaces=NS))


def test_robots_txt_names_the_sitemap(built_sample: Path) -> None:
    text = (built_sample / "robots.txt").read_text()
    sitemap_url = locs(etree.fromstring((built_sample / "sitemap.xml").read_bytes()))[0] + "sitemap.xml"
    assert f"\nSitemap: {sitemap_url}\n" in text
    assert text == robots_txt(sitemap_url.removesuffix("/sitemap.xml")).decode()
    assert text.startswith("User-agent: *\n")


def test_mini_sitemap_golden(mini_project: Path, golden) -> None:
    build(mini_project)
    golden("sitemap.xml", (mini_project / "output/sitemap.xml").read_text("utf-8"))


def _entries(n: int) -> list[tuple[str, str]]:
    return [(f"{BASE}/page-{i:06d}/", f"2024-01-{1 + i % 28:02d}") for i in range(n)]


def test_split_into_an_index_past_the_url_limit(sitemap_xsd, siteindex_xsd) -> None:
    entries = _entries(25)
    files = sitemap_files(entries, BASE, max_urls=10)
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = valid(siteindex_xsd, files["sitemap.xml"])
    assert locs(index) == [f"{BASE}/sitemap-{i}.xml" for i in (1, 2, 3)]
    seen: list[str] = []
    for i in (1, 2, 3):
        part = valid(sitemap_xsd, files[f"sitemap-{i}.xml"])
        urls = locs(part)
        assert len(urls) == (10 if i < 3 else 5)
        newest = max(part.xpath("//s:lastmod/text()", namespaces=NS))
        assert index.xpath(f"//s:sitemap[{i}]/s:lastmod/text()", namespaces=NS) == [newest]
        seen += urls
    assert seen == sorted(loc for loc, _ in entries)     # every URL exactly once, in order


def test_exactly_the_limit_stays_one_file_and_one_more_makes_an_index(sitemap_xsd, siteindex_xsd) -> None:
    assert MAX_URLS == 50_000
    one = sitemap_files(_entries(MAX_URLS), BASE)
    assert list(one) == ["sitemap.xml"]
    assert len(locs(valid(sitemap_xsd, one["sitemap.xml"]))) == MAX_URLS
    two = sitemap_files(_entries(MAX_URLS + 1), BASE)
    assert sorted(two) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    valid(siteindex_xsd, two["sitemap.xml"])
    assert len(locs(valid(sitemap_xsd, two["sitemap-2.xml"]))) == 1


def test_split_by_size(sitemap_xsd, siteindex_xsd) -> None:
    entries = _entries(30)
    one_url = len(f"<url><loc>{entries[0][0]}</loc><lastmod>2024-01-01</lastmod></url>\n".encode())
    files = sitemap_files(entries, BASE, max_bytes=200 + 10 * one_url)
    valid(siteindex_xsd, files["sitemap.xml"])
    parts = [valid(sitemap_xsd, data) for name, data in sorted(files.items()) if name != "sitemap.xml"]
    assert len(parts) >= 3
    assert all(len(data) <= 200 + 10 * one_url for name, data in files.items() if name != "sitemap.xml")
    assert sum(len(locs(p)) for p in parts) == 30


def test_urls_are_xml_escaped(sitemap_xsd) -> None:
    files = sitemap_files([(f"{BASE}/a?b=1&c=<2>", "2024-01-01")], BASE)
    assert b"&amp;c=&lt;2&gt;" in files["sitemap.xml"]
    assert locs(valid(sitemap_xsd, files["sitemap.xml"])) == [f"{BASE}/a?b=1&c=<2>"]


def test_a_page_without_a_lastmod_has_none(sitemap_xsd) -> None:
    root = valid(sitemap_xsd, sitemap_files([(f"{BASE}/", None)], BASE)["sitemap.xml"])
    assert root.xpath("//s:lastmod", namespaces=NS) == []


def test_sitemap_files_do_not_depend_on_entry_order() -> None:
    entries = _entries(23)
    assert sitemap_files(entries, BASE, max_urls=5) == sitemap_files(list(reversed(entries)), BASE, max_urls=5)


# -- lastmod comes from when content changed, never from the build clock -----------------------------------------

def _day(epoch: int) -> str:
    import datetime as dt
    return dt.datetime.fromtimestamp(epoch, dt.UTC).date().isoformat()


def test_lastmod_is_kept_while_content_is_unchanged_and_moves_when_it_changes(
        mini_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, later, latest = 1_700_000_000, 1_710_000_000, 1_720_000_000
    out = mini_project / "output"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(first))
    build(mini_project)
    before = lastmods(out)
    assert set(before.values()) == {_day(first)}
    pages_before = {p: p.read_bytes() for p in out.rglob("*.html")}

    # A later build with nothing changed, even one that renders every page again, keeps every lastmod.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(later))
    build(mini_project)
    assert lastmods(out) == before
    build(mini_project, clean=True)
    assert lastmods(out) == before

    # A change to Esher's notes: exactly the pages whose bytes changed get the new date.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(latest))
    edit(mini_project / "locations.yaml", "nearest_station: Esher", "nearest_station: Esher\n"
         "    notes: Esher station is beside Sandown Park.")
    build(mini_project)
    after = lastmods(out)
    changed = {f"{BASE}/{p.relative_to(out).as_posix().removesuffix('index.html')}"
               for p, data in pages_before.items() if p.read_bytes() != data}
    assert f"{BASE}/areas/esher/" in changed   # the area page: its landing pages link to its notes, not repeat them
    assert f"{BASE}/lip-fillers/esher/" not in changed
    assert f"{BASE}/lip-fillers/cobham/" not in changed
    assert {u for u, d in after.items() if d == _day(latest)} == changed
    assert {u for u, d in after.items() if d == _day(first)} == set(before) - changed


def test_lastmod_history_is_kept_in_the_state_file(mini_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another machine, with the committed state file but no output/, writes the same lastmod dates."""
    import shutil

    build(mini_project)
    before = (mini_project / "output/sitemap.xml").read_bytes()
    shutil.rmtree(mini_project / "output")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1760000000")
    build(mini_project)
    assert (mini_project / "output/sitemap.xml").read_bytes() == before
