"""How far a patient on a phone scrolls: the height of each kind of page of the sample, in Chromium at 390 x 844
CSS pixels (a common phone), and where on it the price and the first booking link begin, for one or more git
revisions in one run.

    python3 bench/page_heights.py                      # the working tree
    python3 bench/page_heights.py d9ff61b^ HEAD        # before issue 18's pages, and now

Each revision is checked out in a temporary git worktree and builds its own sample (its own data, templates and
code) with `python3 -m generator build`; the pages are served on 127.0.0.1 and opened in Debian's Chromium (as the
browser tests do, tests/browser/harness.py). The pages measured are the home page, the first treatment page, the
areas page, the first area page and the first landing page of that area and treatment, by URL, whether or not
the gate publishes them. "price at" and "booking at" are the distance in pixels from the top of the page to the
first element that shows a price (a number after "£") and to the first link or button whose words say "book":
what a patient reaches without scrolling is above 844. A dash: the page shows none.

This is a measurement, not a test: tests/browser/test_pages.py holds the pages to their limits.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.revisions import checked_out  # noqa: E402 - after the path is set
from tests.browser.harness import CHROMIUM, CHROMIUM_ARGS, serve  # noqa: E402

WIDTH, HEIGHT = 390, 844

# The first element (in document order) that shows a price or offers booking, and its distance from the top.
_FIRST = """(test) => {
  for (const el of document.querySelectorAll(test === 'price' ? 'body *' : 'a, button')) {
    if (!el.offsetParent && getComputedStyle(el).position !== 'fixed') continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join(' ');
    const hit = test === 'price' ? /£\\s?\\d/.test(own) : /\\bbook/i.test(el.textContent);
    if (hit) return Math.round(el.getBoundingClientRect().top + window.scrollY);
  }
  return null;
}"""


def pages_of(output: Path) -> dict[str, str]:
    """{kind: URL path} of the pages measured, chosen by the sample's layout of folders."""
    treatments = sorted(p.name for p in output.iterdir()
                        if p.is_dir() and p.name not in ("areas", "assets", "images") and (p / "index.html").is_file())
    areas = sorted(p.name for p in (output / "areas").iterdir() if (p / "index.html").is_file())
    chosen = {"home": "/", "treatment": f"/{treatments[0]}/", "areas": "/areas/", "area": f"/areas/{areas[0]}/"}
    landing = next((f"/{t}/{a}/" for t in treatments for a in areas if (output / t / a / "index.html").is_file()), None)
    if landing:
        chosen["landing"] = landing
    return chosen


def measure(output: Path) -> dict[str, tuple[int, int | None, int | None]]:
    from playwright.sync_api import sync_playwright

    found = {}
    with serve(output) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, is_mobile=True)
        for kind, path in pages_of(output).items():
            page = context.new_page()
            page.goto(base + path, wait_until="load")
            found[f"{kind} {path}"] = (page.evaluate("document.documentElement.scrollHeight"),
                                       page.evaluate(_FIRST, "price"), page.evaluate(_FIRST, "book"))
            page.close()
        browser.close()
    return found


def built(tree: Path) -> Path:
    """The sample's output folder as the code and data in `tree` build it."""
    subprocess.run([sys.executable, "-m", "generator", "build", "-q"], cwd=tree, check=False,
                   capture_output=True, env={"PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": "1700000000"})
    if not (tree / "output" / "index.html").is_file():
        raise SystemExit(f"{tree} built no output/index.html")
    return tree / "output"


def working_tree(tree: Path) -> None:
    """Put the working tree's uncommitted changes into `tree` (a checkout of HEAD)."""
    for name in subprocess.run(["git", "-C", str(REPO), "diff", "--name-only", "HEAD"], check=True,
                               capture_output=True, text=True).stdout.split():
        if (REPO / name).is_file():
            (tree / name).write_bytes((REPO / name).read_bytes())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revisions", nargs="*", help="git revisions (default: the working tree)")
    args = parser.parse_args(argv)
    revisions = args.revisions or [None]
    rows = []
    for rev in revisions:
        with checked_out(rev or "HEAD") as tree:
            if rev is None:
                working_tree(tree)
            for page, (height, price, book) in measure(built(tree)).items():
                rows.append((rev or "working tree", page, height, price, book))
    print(f"Sample pages at {WIDTH} x {HEIGHT} px in Chromium (pixels from the top of the page)")
    print(f"{'revision':<14} {'page':<38} {'height':>7} {'price at':>9} {'booking at':>11}")
    for rev, page, height, price, book in rows:
        print(f"{rev:<14} {page:<38} {height:>7} {price if price is not None else '-':>9} "
              f"{book if book is not None else '-':>11}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
