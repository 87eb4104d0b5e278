"""Benchmark: `clinic-pages check` alone, and `build` with and without checks, on synthetic sites.

    python3 bench/bench_check.py                      # 1,000 and 10,000 pages
    python3 bench/bench_check.py --sizes 1k 10k 100k  # and 100,000
    python3 bench/bench_check.py --keep /tmp/bench    # leave the projects there

Each size is the synthetic project of bench/synth.py (T treatments x L areas; `make_project`), written to a
tmpfs folder when there is one (so the disk is not what is measured). For each size, each step runs in a fresh
process so that its peak memory (ru_maxrss) is its own:
  * build --no-checks  a clean build without the checks (the build alone),
  * build              a clean build with the checks (render, parse, check, demote, write),
  * check              `clinic-pages check --no-cache` of the built site (read and parse every page, all checks),
  * check-cached       `clinic-pages check` with the check cache the build left (only changed pages are read
                       and checked; the site-wide duplicate analysis runs in full).
Targets (issue 3): check 10,000 pages in under 5 s and 100,000 in under 60 s, near-linear, peak memory under
1 GB; build with checks of 10,000 pages within 1.5 x Hugo's build time in the same run (bench/run.py times
Hugo). A timing is the median of --runs runs. This is a benchmark, not a test: numbers vary with the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SIZES = {"1k": (8, 125), "10k": (40, 250), "100k": (100, 1000)}   # treatments x areas, as bench/run.py


def step(kind: str, project: Path) -> dict:
    """Run one step in this process and report its wall time and peak memory (the child's main)."""
    sys.path.insert(0, str(REPO))
    started = time.perf_counter()
    if kind in ("build", "build-no-checks"):
        from generator.build import build
        from generator.checks.engine import ChecksFailed
        try:
            report = build(project, clean=True, checks=kind == "build")
            checks, pages = report.checks, report.pages
        except ChecksFailed as exc:   # the build did all its work, then refused to commit: still a timing
            checks, pages = exc.result, exc.result.pages
        extra = {"pages": pages}
        if checks is not None:
            extra.update(errors=checks.errors, warnings=checks.count("warning"), demoted=len(checks.demoted))
    else:
        from generator.checks import check_built_site
        result = check_built_site(project, cache=kind == "check-cached")
        extra = {"pages": result.pages, "errors": result.errors, "warnings": result.count("warning"),
                 "demoted": len(result.demoted), "candidate_pairs": result.duplicates.candidate_pairs,
                 "clusters": len(result.duplicates.clusters)}
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return {"seconds": seconds, "peak_mb": peak / 1024, **extra}


def run_step(kind: str, project: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", kind, str(project)], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=str(REPO)), check=False)
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed on {project}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", default=["1k", "10k"], choices=sorted(SIZES))
    parser.add_argument("--runs", type=int, default=3, help="runs of each step (the median is reported)")
    parser.add_argument("--keep", metavar="DIR", help="write the projects here and keep them")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    parser.add_argument("--step", nargs=2, metavar=("KIND", "PROJECT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step[0], Path(args.step[1]))))
        return 0
    sys.path.insert(0, str(REPO))
    from bench.synth import make_project

    shm = Path("/dev/shm")
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-check-",
                                                                   dir=shm if shm.is_dir() else None))
    results: dict[str, dict] = {}
    print(f"{'size':>6} {'step':<16} {'pages':>7} {'median s':>9} {'best s':>7} {'peak MB':>8}  notes")
    try:
        for size in args.sizes:
            treatments, areas = SIZES[size]
            project = make_project(base / size, treatments, areas)
            results[size] = {}
            for kind in ("build-no-checks", "build", "check", "check-cached"):
                runs = [run_step(kind, project) for _ in range(args.runs)]
                times = [r["seconds"] for r in runs]
                last = runs[-1]
                notes = ", ".join(f"{k} {last[k]}" for k in ("errors", "warnings", "demoted", "clusters",
                                                             "candidate_pairs") if k in last)
                print(f"{size:>6} {kind:<16} {last['pages']:>7} {statistics.median(times):>9.2f} {min(times):>7.2f} "
                      f"{max(r['peak_mb'] for r in runs):>8.0f}  {notes}", flush=True)
                results[size][kind] = {"runs": runs, "median": statistics.median(times)}
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
