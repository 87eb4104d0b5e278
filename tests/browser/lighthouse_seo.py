"""Lighthouse's SEO score for one page of each kind, served on 127.0.0.1 to Debian's Chromium.

    python3 tests/browser/lighthouse_seo.py                      # output/ of the sample project (build it first)
    python3 tests/browser/lighthouse_seo.py SITE_DIR /path/ ...   # any folder, the pages given

Uses npm `lighthouse@12.2.3` from tests/browser/node_modules (installed by tests/setup-system.sh) with the
settings in lighthouse-seo.json: the SEO category only, shorter quiet windows (a static page on loopback has
nothing left to load after a quarter of a second). One Chromium serves every run. Prints a line per page and
exits 0 when every page scores 100, 1 when one does not, 2 when a tool is missing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[2])]
from harness import CHROMIUM, CHROMIUM_ARGS, HERE, NODE_MODULES, SETUP_HINT, missing_tools, page_per_kind, serve  # noqa: E402

REPO = HERE.parent.parent
CONFIG = HERE / "lighthouse-seo.json"
LIGHTHOUSE = NODE_MODULES / "lighthouse" / "cli" / "index.js"


@dataclass(frozen=True)
class SeoScore:
    path: str
    score: int                          # 0-100
    failing: tuple[str, ...]            # "audit-id: title" of each audit that did not pass
    seconds: float


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


def seo_scores(site: Path, paths: list[str]) -> list[SeoScore]:
    """Run Lighthouse's SEO category on each URL path of the site folder, one after another."""
    scores = []
    env = dict(os.environ, CHROME_PATH=CHROMIUM)
    with serve(site) as base, debuggable_chromium() as port, tempfile.TemporaryDirectory() as tmp:
        for path in paths:
            report = Path(tmp) / "report.json"
            started = time.perf_counter()
            run = subprocess.run(["node", str(LIGHTHOUSE), base + path, f"--port={port}", f"--config-path={CONFIG}",
                                  "--output=json", f"--output-path={report}", "--quiet"],
                                 env=env, capture_output=True, text=True, timeout=180)
            if run.returncode != 0:
                raise RuntimeError(f"lighthouse failed on {path} (exit {run.returncode}):\n{run.stderr[-2000:]}")
            data = json.loads(report.read_text("utf-8"))
            seo = data["categories"]["seo"]
            failing = tuple(f"{ref['id']}: {data['audits'][ref['id']]['title']}" for ref in seo["auditRefs"]
                            if ref["weight"] and data["audits"][ref["id"]]["score"] not in (None, 1))
            scores.append(SeoScore(path, round((seo["score"] or 0) * 100), failing, time.perf_counter() - started))
    return scores


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
    scores = seo_scores(site, paths)
    for s in scores:
        print(f"{s.score:3d}  {s.path}  ({s.seconds:.1f} s)" + "".join(f"\n     fails {f}" for f in s.failing))
    low = [s for s in scores if s.score < 100]
    print(f"Lighthouse SEO: {len(scores) - len(low)} of {len(scores)} pages score 100 "
          f"({time.perf_counter() - started:.1f} s)")
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
