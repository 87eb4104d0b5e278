"""Benchmark: `clinic-pages audit` of the 10,000-page synthetic site (issue 4: under 10 s on this machine).

    python3 bench/bench_audit.py                    # 40 treatments x 250 areas (10,000 landing pages)
    python3 bench/bench_audit.py -t 40 -l 2500      # 100,000
    python3 bench/bench_audit.py --site DIR         # audit a folder that is already there
    python3 bench/bench_audit.py --keep DIR         # leave the synthetic project and its pages in DIR
    python3 bench/bench_audit.py --compare f049f25  # the same site audited by that revision too, runs in turn

The site is the synthetic project of bench/synth.py rendered by the generator's own phases (plan, render,
sitemap, robots.txt) without the build's checks, so every page is there and indexable as a hand-published
copy would be: the audit reads, parses and checks all of them. It is written to a tmpfs folder when there is
one, so the disk is not what is measured. Then `clinic-pages audit SITE --format json --report FILE` runs in
a fresh process `--runs` times (default 3); the figure is the median wall time, with the best, the peak
memory (ru_maxrss) and pages per second. One more run in this process times the phases.

With --compare REV, that revision of clinic-pages (checked out in a temporary git worktree) audits the same
site in the same run, its runs taken in turn with this checkout's (A, B, A, B...), and the two reports are
compared: the findings by rule and page, and which (if any) changed severity.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.synth import make_project  # noqa: E402

TARGET_SECONDS = 10.0


def render_site(project: Path, site: Path) -> int:
    """Write every planned page, the assets, the sitemap and robots.txt of `project` into `site`."""
    from generator.build import copy_assets
    from generator.plan import plan_site
    from generator.render import Renderer
    from generator.sitemap import robots_txt, sitemap_files
    from generator.validate import load_project

    proj = load_project(project)
    plan = plan_site(proj)
    renderer = Renderer(proj, plan, project / "templates")
    entries = []
    for page in plan.pages:
        path = site / page.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(renderer.render(page).html.encode("utf-8"))
        if page.indexable:
            entries.append((renderer.url(page.url_path), "2024-01-01"))
    for rel, data in copy_assets(project / "templates"):
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_bytes(data)
    for rel, data in sitemap_files(entries, proj.site.base_url).items():
        (site / rel).write_bytes(data)
    (site / "robots.txt").write_bytes(robots_txt(proj.site.base_url))
    return len(plan.pages)


def timed_audit(site: Path, report: Path, code: Path = REPO) -> tuple[float, float, int, int, dict]:
    """(wall seconds, CPU seconds, exit code, peak RSS in KiB, summary) of one `clinic-pages audit` in a child
    process (CPU: the process and its parsing workers, user + system), with the code of the checkout `code`."""
    env = dict(os.environ, PYTHONPATH=str(code), NO_COLOR="1")
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "-q", "audit", str(site), "--format", "json",
                             "--report", str(report)], env=env, stdout=subprocess.DEVNULL, cwd=code)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    summary = json.loads(report.read_text("utf-8"))["summary"] if report.exists() else {}
    return seconds, usage.ru_utime + usage.ru_stime, proc.returncode, usage.ru_maxrss, summary


def phases(site: Path) -> dict[str, float]:
    """Seconds per phase of an audit done step by step in this one process (the real one runs the parsing and
    the per-page content checks in a worker per core): read and parse, SEO rules, content checks."""
    from generator.audit import read_site
    from generator.checks import check_pages
    from generator.checks.seo import check_seo

    times: dict[str, float] = {}
    t = time.perf_counter()
    data = read_site(site)
    times["read + parse"] = time.perf_counter() - t
    t = time.perf_counter()
    seo = list(check_seo(data))
    times["SEO rules"] = time.perf_counter() - t
    t = time.perf_counter()
    content = check_pages(data.pages)
    times["content checks"] = time.perf_counter() - t
    times["findings"] = len(seo) + len(content.findings)
    return times


def compare_reports(old: Path, new: Path) -> list[str]:
    """What the two audits found, side by side: findings by rule, and the pages whose findings differ."""
    def load(path: Path) -> dict[tuple[str, str], tuple[str, str]]:
        data = json.loads(path.read_text("utf-8"))
        return {(f["rule"], f["page"]): (f["severity"], f["message"]) for f in data["findings"]}
    a, b = load(old), load(new)
    rules = sorted({k[0] for k in a} | {k[0] for k in b})
    lines = ["  findings by rule (before -> after):"]
    for rule in rules:
        na, nb = sum(k[0] == rule for k in a), sum(k[0] == rule for k in b)
        lines.append(f"    {rule}: {na} -> {nb}" + ("" if na == nb else "  CHANGED"))
    gone, new_ = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    both = set(a) & set(b)
    lines.append(f"  the same findings (rule and page): {'yes' if not gone and not new_ else 'no'}; "
                 f"{len(gone)} only before, {len(new_)} only after")
    lines += [f"    only before: {k} {a[k][1]}" for k in gone[:5]]
    lines += [f"    only after: {k} {b[k][1]}" for k in new_[:5]]
    changes: dict[tuple[str, str, str], int] = {}
    for k in both:
        if a[k][0] != b[k][0]:
            changes[(k[0], f"severity {a[k][0]} -> {b[k][0]}", "")] = changes.get((k[0], f"severity {a[k][0]} -> "
                                                                                   f"{b[k][0]}", ""), 0) + 1
        if a[k][1] != b[k][1]:
            key = (k[0], "message", f"{a[k][1]!r} -> {b[k][1]!r}")
            changes[(k[0], "message", "")] = changes.get((k[0], "message", ""), 0) + 1
            changes.setdefault(key, 0)
    for (rule, what, example), n in sorted(changes.items()):
        if not example:
            sample = next((e for (r, w, e) in changes if r == rule and w == what and e), "")
            lines.append(f"  {rule}: {what} changed on {n} findings" + (f", e.g. {sample}" if sample else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-t", "--treatments", type=int, default=40)
    parser.add_argument("-l", "--areas", type=int, default=250)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", type=Path, help="audit this folder instead of a synthetic site")
    parser.add_argument("--keep", type=Path, help="make the synthetic site in this folder and keep it")
    parser.add_argument("--compare", metavar="REV", help="also audit with this revision, runs taken in turn")
    args = parser.parse_args(argv)

    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(prefix="bench-audit-", dir=shm if shm.is_dir() else None) as tmp:
        work = args.keep or Path(tmp)
        site = args.site
        if site is None:
            site = work / "site"
            started = time.perf_counter()
            make_project(work / "project", args.treatments, args.areas)
            pages = render_site(work / "project", site)
            print(f"synthetic site: {pages} pages ({args.treatments} treatments x {args.areas} areas) rendered in "
                  f"{time.perf_counter() - started:.1f} s into {site}")
        files = sum(1 for _ in site.rglob("*.html"))
        size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
        print(f"auditing {files} HTML files, {size / 1e6:.0f} MB, {os.cpu_count()} cores, Python "
              f"{sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
        runs, before = [], []
        old_code = None
        if args.compare:
            old_code = Path(tmp) / "before"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(old_code),
                            args.compare], check=True)
        try:
            for n in range(1, args.runs + 1):
                for label, code_dir, times in (("before", old_code, before), ("after", REPO, runs)):
                    if code_dir is None:
                        continue
                    seconds, cpu, code, rss, summary = timed_audit(site, Path(tmp) / f"audit-{label}.json", code_dir)
                    times.append(seconds)
                    name = f"{label} ({args.compare})" if label == "before" else "this checkout"
                    print(f"  run {n}, {name}: {seconds:.2f} s ({cpu:.2f} s CPU), exit {code}, peak memory "
                          f"{rss / 1024:.0f} MB, {summary.get('errors')} errors, {summary.get('warnings')} warnings")
                    if code not in (0, 1):
                        print(f"audit failed with exit code {code}", file=sys.stderr)
                        return 2
            if old_code is not None:
                print("\n".join(compare_reports(Path(tmp) / "audit-before.json", Path(tmp) / "audit-after.json")))
                print(f"  median: before {statistics.median(before):.2f} s, after {statistics.median(runs):.2f} s "
                      f"({(statistics.median(runs) - statistics.median(before)) / statistics.median(before):+.0%})")
        finally:
            if old_code is not None:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old_code)], check=False)
        print("  step by step in one process:")
        for name, value in phases(site).items():
            print(f"    {name}: {value:.2f} s" if name != "findings" else f"    {name}: {value}")
        median = statistics.median(runs)
        verdict = "within" if median < TARGET_SECONDS else "OVER"
        print(f"audit of {files} pages: median {median:.2f} s, best {min(runs):.2f} s "
              f"({files / median:,.0f} pages/s); target < {TARGET_SECONDS:.0f} s: {verdict}")
        return 0 if median < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
