"""Lighthouse's four scores (performance, accessibility, best practices, SEO) for one page of each kind, on a
phone (Lighthouse's mobile emulation and throttling), served on 127.0.0.1 to Debian's Chromium.

    python3 tests/browser/lighthouse_scores.py                      # output/ of the sample project (build it first)
    python3 tests/browser/lighthouse_scores.py SITE_DIR /path/ ...   # any folder, the pages given

Uses npm `lighthouse@12.2.3` from tests/browser/node_modules (installed by tests/setup-system.sh), through its node
API in one node process for all the pages (lighthouse_runs.mjs), with the settings in lighthouse.json: Lighthouse's
defaults for a phone, with shorter quiet windows (a static page on loopback has nothing left to load after a quarter
of a second). One Chromium serves every run. Prints a line per
page and exits 0 when every page scores 100 in every category, 1 when one does not, 2 when a tool is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
from harness import CHROMIUM, CHROMIUM_ARGS, HERE, SETUP_HINT, missing_tools, page_per_kind, serve  # noqa: E402

REPO = HERE.parent.parent
CONFIG = HERE / "lighthouse.json"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# The performance audits that time the page on this machine: another program busy on its two cores slows them.
TIMED = frozenset({"first-contentful-paint", "largest-contentful-paint", "speed-index", "total-blocking-time",
                   "interactive", "max-potential-fid"})
# What the host serving the site decides, not the pages (the test server sends no compression or cache headers;
# a web host does), and a stylesheet kept readable for restyling (Lighthouse counts 2 KiB of spaces and comments).
# None of them weighs in the score.
NOT_THE_PAGES = frozenset({"uses-text-compression", "uses-long-cache-ttl", "unminified-css"})
RUNS = HERE / "lighthouse_runs.mjs"   # Lighthouse's node API on each page in turn


@dataclass(frozen=True)
class Scores:
    path: str
    scores: dict[str, int]              # category -> 0-100
    failing: tuple[str, ...]            # "category: audit-id: title" of each weighted audit that did not pass
    seconds: float
    untimed_failing: tuple[str, ...] = ()   # performance audits that fail whatever the machine's load
    benchmark: float = 0                # Lighthouse's benchmarkIndex of this machine during the run


@contextmanager
def debuggable_chromium() -> Iterator[int]:
    """Start headless Chromium with a DevTools port on 127.0.0.1; yield the port; stop Chromium."""
    with tempfile.TemporaryDirectory(prefix="lighthouse-chromium-") as profile:
        proc = subprocess.Popen([CHROMIUM, "--headless=new", *CHROMIUM_ARGS, "--remote-debugging-address=127.0.0.1",
                                 "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{CHROMIUM} did not open a DevTools port (exit code {proc.poll()})")
                time.sleep(0.05)
            yield int(port_file.read_text().split()[0])
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def lighthouse_scores(site: Path, paths: list[str]) -> list[Scores]:
    """Run Lighthouse on each URL path of the site folder, one after another."""
    return lighthouse_scores_of({site: paths})[site]


def lighthouse_scores_of(sites: dict[Path, list[str]]) -> dict[Path, list[Scores]]:
    """Run Lighthouse on each URL path of each site folder, one after another, in one Chromium and one node process
    (lighthouse_runs.mjs: loading Lighthouse takes node about as long as a run of it)."""
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    with ExitStack() as stack:
        bases = {site: stack.enter_context(serve(site)) for site in sites}
        urls = [(site, path, bases[site] + path) for site, paths in sites.items() for path in paths]
        port = stack.enter_context(debuggable_chromium())
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        run = subprocess.run(["node", str(RUNS), str(port), str(CONFIG), str(tmp), *(url for _, _, url in urls)],
                             env=env, capture_output=True, text=True, timeout=120 + 60 * len(urls))
        if run.returncode != 0:
            raise RuntimeError(f"lighthouse failed (exit {run.returncode}):\n{run.stderr[-2000:]}")
        scores: dict[Path, list[Scores]] = {site: [] for site in sites}
        for n, (site, path, _) in enumerate(urls):
            scores[site].append(_scores(path, json.loads((tmp / f"{n}.json").read_text("utf-8")),
                                        float((tmp / f"{n}.seconds").read_text())))
        return scores


def _scores(path: str, data: dict, seconds: float) -> Scores:
    """The scores, and the audits that did not pass, of one page's Lighthouse report (its JSON)."""
    categories = {name: data["categories"][name] for name in CATEGORIES}
    failing = tuple(f"{name}: {ref['id']}: {data['audits'][ref['id']]['title']}"
                    for name, category in categories.items() for ref in category["auditRefs"]
                    if ref["weight"] and data["audits"][ref["id"]]["score"] not in (None, 1))
    untimed = tuple(f"performance: {ref['id']}: {data['audits'][ref['id']]['title']}"
                    for ref in categories["performance"]["auditRefs"]
                    if ref["id"] not in TIMED | NOT_THE_PAGES
                    and data["audits"][ref["id"]]["score"] not in (None, 1))
    return Scores(path, {name: round((c["score"] or 0) * 100) for name, c in categories.items()}, failing, seconds,
                  untimed, data["environment"].get("benchmarkIndex") or 0)


def main(argv: list[str]) -> int:
    missing = missing_tools("lighthouse")
    if missing:
        print(f"not installed: {', '.join(missing)}; {SETUP_HINT}", file=sys.stderr)
        return 2
    site = Path(argv[0]) if argv else REPO / "output"
    paths = argv[1:] or sorted(page_per_kind(REPO, site, indexable_only=True).values())
    if not (site / "index.html").exists() and not argv[1:]:
        print(f"{site}: no index.html; build the site first (`clinic-pages build`)", file=sys.stderr)
        return 2
    started = time.perf_counter()
    scores = lighthouse_scores(site, paths)
    for s in scores:
        print("  ".join(f"{name} {value:3d}" for name, value in s.scores.items()) + f"  {s.path}  ({s.seconds:.1f} s, "
              f"benchmarkIndex {s.benchmark:.0f})" + "".join(f"\n     fails {f}" for f in s.failing))
    low = [s for s in scores if min(s.scores.values()) < 100]
    print(f"Lighthouse (mobile): {len(scores) - len(low)} of {len(scores)} pages score 100 in all four categories "
          f"({time.perf_counter() - started:.1f} s)")
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
