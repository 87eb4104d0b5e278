"""The claims check alone, per page: on generated pages (whose lines repeat, so the memo of lines helps) and on
pages whose every line is its own (as in an audit of hand-written pages, where it does not).

    python3 bench/bench_claims.py                       # 2,000 pages of the 40 x 250 synthetic project, 3 runs
    python3 bench/bench_claims.py --code /tmp/before    # the same with the `generator` of another checkout

The pages are every 5th page of the synthetic project of bench/synth.py, rendered and parsed as a build does.
"Unique lines" are the same pages with two made-up words (different on every line of every page) at the start of
each block, so no line repeats: the words the rules look for are those of the generated pages.
Each case runs with a fresh checker (its memo empty), in CPU time; the median of --runs runs is shown.
"Cold start" is what every command pays before its first page: in a new process (its imports done), the CPU time of
reading the default rules and making their checker (`load_rules` and `ClaimsChecker.for_rules`: the rules' phrases
and the set's index) and checking one short page; the median of --runs processes.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from itertools import count
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def unique_lines(html: bytes, counter: count) -> bytes:
    """The page with different made-up words (two of four letters, so nothing is taken for a run-together word)
    at the start of every block element's text."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]   # 70

    def word() -> str:
        n = next(counter)
        parts = []
        for _ in range(4):
            n, r = divmod(n, len(syllables))
            parts.append(syllables[r])
        return f"{parts[0]}{parts[1]} {parts[2]}{parts[3]}"
    return re.sub(rb"(<(?:p|li|h[1-6]|td|th|dd|dt|summary|figcaption|blockquote)\b[^>]*>)",
                  lambda m: m.group(1) + word().encode() + b" ", html)


_COLD_START = """
import time
from generator.checks import HtmlPage
from generator.checks.claims import ClaimsChecker, load_rules
started = time.process_time()
checker = ClaimsChecker.for_rules(load_rules())
list(checker.check(HtmlPage("index.html", "/", visible_text="Guaranteed results. Pain-free.")))
print(time.process_time() - started)
"""


def cold_start(code: Path, runs: int) -> float:
    """The median CPU seconds of a new process's first ready checker (see the module's docstring)."""
    env = dict(os.environ, PYTHONPATH=str(code))
    return statistics.median(float(subprocess.run([sys.executable, "-c", _COLD_START], env=env, cwd=code,
                                                  check=True, capture_output=True, text=True).stdout)
                             for _ in range(runs))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--code", type=Path, help="a checkout whose `generator` to time (default: this one)")
    parser.add_argument("--every", type=int, default=5, help="time every Nth page of the plan (default 5)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.code.resolve() if args.code else REPO))
    from bench.synth import synth_data, write_project  # after the path is set
    from generator.checks import parse_html
    from generator.checks.claims import ClaimsChecker, load_rules
    from generator.plan import plan_site
    from generator.render import Renderer
    try:
        from generator.validate import load_project
    except ImportError:   # a checkout from before load_project moved out of generator/model.py
        from generator.model import load_project  # type: ignore[attr-defined,no-redef]

    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="bench-claims-", dir=shm if shm.is_dir() else None))
    try:
        project = write_project(synth_data(40, 250), base / "project")
        loaded = load_project(project)
        plan = plan_site(loaded)
        renderer = Renderer(loaded, plan, project / "templates")
        pages = list(plan.pages)[::args.every]
        html = [(p.file, renderer.render(p).html.encode()) for p in pages]
    finally:
        shutil.rmtree(base, ignore_errors=True)
    counter = count()
    cases = {"generated pages (lines repeat)": [parse_html(f, h, links=False) for f, h in html],
             "unique lines": [parse_html(f, unique_lines(h, counter), links=False) for f, h in html]}
    rules = load_rules()
    code = args.code.resolve() if args.code else REPO
    print(f"cold start (rules read, checker made, one page checked in a new process): "
          f"{cold_start(code, max(args.runs, 5)) * 1e3:,.0f} ms CPU, median of {max(args.runs, 5)} processes\n")
    print(f"claims check, CPU µs per page, median of {args.runs} runs over {len(html):,} pages "
          f"({'code of ' + str(args.code) if args.code else 'this checkout'}):\n")
    print("| case | µs per page | findings |\n|---|---:|---:|")
    for name, parsed in cases.items():
        times, found = [], 0
        for _ in range(args.runs):
            checker = ClaimsChecker(rules)
            started = time.process_time()
            found = sum(len(list(checker.check(page))) for page in parsed)
            times.append((time.process_time() - started) / len(parsed))
        print(f"| {name} | {statistics.median(times) * 1e6:,.0f} | {found} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
