"""Where a page's time goes: each stage of rendering and checking, per page, and what that leaves of the targets.

    python3 bench/stages.py                  # 40 x 250 synthetic project (10,293 pages), every 5th page, 3 runs
    python3 bench/stages.py --every 1 --runs 5 --no-hugo

The per-page work of `build` with checks is: render the page (Jinja2), parse it (lexbor, then our walk of the
tree: visible text, main text, head), and run the per-page checks (claims, template leaks, disclaimers and
consistency, the duplicate signature of the main text). Each stage is timed alone, in this one process, in CPU
time, over the same pages, in the order a build runs them; the median of --runs runs is shown per page.
The site-wide duplicate analysis is not per page: bench/bench_check.py's `check-cached` step times it (with the
loading of the project and the cache).

With `--instructions`, each stage is counted in instructions instead, under valgrind's callgrind (a figure the
machine's load does not move, for a change too small to show in CPU time): the same stages, run once, in a process of
their own that callgrind sums at each stage's start and end. With `--rev` (repeatable), each revision's stages are
counted in turn, on the same project, from a git worktree of that revision, and set side by side; the revisions
must have the modules these stages call (those since the claims check became the package generator/checks/claims).

    python3 bench/stages.py --instructions --pair-notes 1 --rev 734886d^ --rev 734886d

Then the arithmetic for all the project's pages on this machine's cores: the least wall time the per-page work can take
(its CPU time shared perfectly among all cores), next to the budgets of issue 3 (build with checks within 1.5 x
Hugo's build; `check` under 5 s). Hugo's clean build of the same pages, and clinic-pages' build without checks,
are timed in the same run, interleaved (--runs times each, median), as bench/run.py does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

COUNTED = False   # in the process that callgrind counts (`--count-stages`): a stage is bracketed by os.getppid()


def per_page(pages: list, work) -> float:
    """CPU seconds per page of `work(item)` over `pages`. Counted under callgrind, its start and end are marked
    by a call to os.getppid(), at which callgrind sums what ran since the last (`--dump-before=os_getppid`)."""
    if COUNTED:
        os.getppid()
    started = time.process_time()
    for item in pages:
        work(item)
    seconds = (time.process_time() - started) / len(pages)
    if COUNTED:
        os.getppid()
    return seconds


def counted_stages(project: Path, every: int, code: Path) -> tuple[dict[str, int], int]:
    """Instructions of each stage over every `every`-th page, with the clinic-pages in `code`: `stage_times` run
    once in a process under callgrind, which writes a sum at each os.getppid() (stage k's is the (2k + 2)-th);
    and how many pages that was."""
    from bench.compare import instructions
    with tempfile.TemporaryDirectory(prefix="bench-stages-counts-") as folder:
        env = dict(os.environ, PYTHONHASHSEED="0")
        done = subprocess.run(["valgrind", "--tool=callgrind", "--dump-before=os_getppid",
                               f"--callgrind-out-file={folder}/cg.%p", sys.executable, str(Path(__file__).resolve()),
                               "--count-stages", str(project), "--code", str(code), "--every", str(every)],
                              env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"the stages of {code} could not be counted:\n{done.stderr[-2000:]}")
        names, pages = json.loads(done.stdout.strip().splitlines()[-1])
        sums = {int(path.name.rsplit(".", 1)[1]): path for path in Path(folder).glob("cg.*.*")}
        return {name: instructions(sums[2 * k + 2]) for k, name in enumerate(names)}, pages


def stage_times(project: Path, every: int) -> tuple[dict[str, float], int, int]:
    """One run: each stage over every `every`-th page of the plan, CPU seconds per page; how many pages that
    was, and how many the plan has."""
    from selectolax.lexbor import LexborHTMLParser

    from generator.checks.content import check_consistency, check_disclaimers, check_leaks, fold
    from generator.checks.html import mark_blocks, parse_html
    from generator.checks.incremental import BuildChecks
    from generator.plan import plan_site
    from generator.render import Renderer
    from generator.validate import load_project

    loaded = load_project(project)
    plan = plan_site(loaded)
    renderer = Renderer(loaded, plan, project / "templates")
    checks = BuildChecks(loaded, plan, project, cache=False)   # fresh: the claims memo starts cold, as in a build
    run = checks.run
    pages = list(plan.pages)[::every]
    out: dict[str, float] = {}
    html: dict[str, bytes] = {}
    # each stage's own result is kept (a list, a dict) so that every call really runs
    out["render (Jinja2)"] = per_page(pages, lambda p: html.__setitem__(p.file, renderer.render(p).html.encode()))
    data = [(p.file, html[p.file]) for p in pages]
    out["  lexbor parse alone"] = per_page(data, lambda d: LexborHTMLParser(mark_blocks(d[1])))
    parsed = []
    out["parse (lexbor + our walk)"] = per_page(data, lambda d: parsed.append(parse_html(d[0], d[1], links=False)))
    facts = [(page, run.facts.pages.get(page.url_path)) for page in parsed]
    out["claims rules"] = per_page(parsed, lambda page: list(run.claims.check(page)))
    out["template leaks"] = per_page(facts, lambda pf: list(check_leaks(pf[0], pf[1])))

    def facts_checks(pf) -> None:
        page, page_facts = pf
        visible = fold(page.visible_text)
        list(check_disclaimers(page, page_facts, visible))   # generators: list() runs them
        list(check_consistency(page, page_facts, run.facts, visible))
    out["disclaimers + consistency"] = per_page(facts, facts_checks)
    out["duplicate signature"] = per_page(parsed, lambda page: run.index.prepare(page.main_text))
    fresh = BuildChecks(loaded, plan, project, cache=False)
    out["all per-page checks, with parse"] = per_page(data, lambda d: fresh.inspect(d[0], d[1]))
    return out, len(pages), len(plan.pages)


def builds(data, base: Path, runs: int, hugo: bool) -> dict[str, float]:
    """Median wall time of clinic-pages' clean build without checks and of Hugo's clean build, taken in turn with
    bench/run.py's own generators and its "clean" step (the same commands, the same cleaning between runs)."""
    from bench.run import ClinicPages, Hugo, detect_check_mode, step
    checks = detect_check_mode()
    gens = [ClinicPages(base / "clinic-pages", checks)] + ([Hugo(base / "hugo")] if hugo else [])
    times: dict[str, list[float]] = {}
    for g in gens:
        g.src.mkdir(parents=True)
        g.write(data)
    for _ in range(runs):
        for g in gens:
            name = f"{g.name} build {checks.skip_flag}" if isinstance(g, ClinicPages) and checks.skip_flag else g.name
            times.setdefault(name, []).append(step(g, "clean", data, None, base / "build.log", checks).seconds)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv: list[str] | None = None) -> int:
    global COUNTED
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="40x250", help="treatments x areas (default 40x250: 10,293 pages)")
    parser.add_argument("--every", type=int, default=5, help="time every Nth page of the plan (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each stage and build (median shown)")
    parser.add_argument("--no-hugo", action="store_true", help="do not time Hugo (when it is not installed)")
    parser.add_argument("--pair-notes", type=float, default=0.0, metavar="SHARE",
                        help="the share of landing pages with text written for their pair (bench/synth.py)")
    parser.add_argument("--instructions", action="store_true",
                        help="count each stage in instructions under callgrind instead of timing it")
    parser.add_argument("--rev", action="append", default=[],
                        help="with --instructions: a git revision to count (repeatable; default the working tree)")
    parser.add_argument("--count-stages", type=Path, help=argparse.SUPPRESS)   # the counted process, on a project
    parser.add_argument("--code", type=Path, default=REPO, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.count_stages is not None:
        sys.path.insert(0, str(args.code.resolve()))   # its generator package, before this tree's
        COUNTED = True
        stages, pages, _ = stage_times(args.count_stages, args.every)
        print(json.dumps([list(stages), pages]))
        return 0
    if args.rev and not args.instructions:
        parser.error("--rev counts revisions: use it with --instructions")
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    if args.instructions:
        from bench.compare import revision
        for rev in args.rev:
            revision(rev)   # (a name git does not know stops here, before a project is written)
    from bench.synth import synth_data, write_project

    treatments, areas = (int(x) for x in args.size.split("x"))
    if args.instructions:
        return print_counted(args, treatments, areas)
    hugo = not args.no_hugo and shutil.which("hugo") is not None
    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="bench-stages-", dir=shm if shm.is_dir() else None))
    try:
        data = synth_data(treatments, areas, pair_notes=args.pair_notes)
        project = write_project(data, base / "stages")
        runs = [stage_times(project, args.every) for _ in range(args.runs)]
        walls = builds(data, base, args.runs, hugo)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    stages = {name: statistics.median(r[name] for r, _, _ in runs) for name in runs[0][0]}
    cores = os.cpu_count() or 1
    _, timed_pages, total_pages = runs[0]
    print(f"Per page, in one process (CPU µs, median of {args.runs} runs over {timed_pages:,} of the "
          f"{total_pages:,} pages of a {treatments} x {areas} project):\n")
    print(f"| stage | µs per page | CPU s for {total_pages:,} pages | least wall s on {cores} cores |")
    print("|---|---:|---:|---:|")
    for name, seconds in stages.items():
        total = seconds * total_pages
        print(f"| {name} | {seconds * 1e6:,.0f} | {total:.2f} | {total / cores:.2f} |")
    checks = stages["all per-page checks, with parse"] * total_pages / cores
    render = stages["render (Jinja2)"] * total_pages / cores
    print(f"\nClean builds of the same pages, wall s (median of {args.runs}, interleaved):")
    for name, seconds in walls.items():
        print(f"- {name}: {seconds:.2f}")
    print(f"\nWhat the per-page work leaves of the targets, for these {total_pages:,} pages (issue 3 sets them "
          "for 10,000):")
    per_10k = stages["all per-page checks, with parse"] * 10_000 / cores
    print(f"- `check` of 10,000 pages under 5 s: at this rate, parsing and checking 10,000 pages take at least "
          f"{per_10k:.2f} s on {cores} cores, before loading, reading the files and the site-wide analysis.")
    if "Hugo" in walls:
        budget = 1.5 * walls["Hugo"]
        print(f"- build with checks within 1.5 x Hugo's build ({budget:.2f} s): "
              f"rendering takes at least {render:.2f} s "
              f"and checking {checks:.2f} s on {cores} cores, {render + checks:.2f} s together, "
              f"{(render + checks) / walls['Hugo']:.2f} x Hugo's build, before writing and the site-wide analysis.")
    return 0


def print_counted(args, treatments: int, areas: int) -> int:
    """Count each stage of each revision (or of the working tree) on one project, and print them side by side."""
    from contextlib import ExitStack

    from bench.revisions import checked_out
    from bench.synth import synth_data, write_project
    with ExitStack() as stack:
        base = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-stages-")))
        project = write_project(synth_data(treatments, areas, pair_notes=args.pair_notes), base / "stages")
        counted: dict[str, dict[str, int]] = {}
        pages = 0
        for rev in args.rev or ["working tree"]:
            code = REPO if rev == "working tree" else stack.enter_context(checked_out(rev))
            counted[rev], pages = counted_stages(project, args.every, code)
            print(f"[{rev} counted]", file=sys.stderr)
    print(f"Instructions (callgrind) per page, thousands, over {pages:,} pages of a {treatments} x {areas} project"
          f"{f' with text written for {args.pair_notes:.0%} of landing pages' if args.pair_notes else ''}; each "
          "stage run once, in the order a build runs them:\n")
    print("\n".join(counted_table(counted, pages)))
    return 0


def counted_table(counted: dict[str, dict[str, int]], pages: int) -> list[str]:
    """The rows of a table of each revision's instructions per page in each stage (thousands), and each revision's
    change against the first's."""
    labels = list(counted)
    rows = ["| stage | " + " | ".join(labels) + "".join(f" | {label} against {labels[0]}" for label in labels[1:])
            + " |", "|---|" + "---:|" * (2 * len(labels) - 1)]
    for name in counted[labels[0]]:
        first = counted[labels[0]][name]
        cells = [f"{counted[label][name] / pages / 1e3:,.0f}" if name in counted[label] else "-" for label in labels]
        changes = [f"{counted[label][name] / first - 1:+.1%}" if first and name in counted[label] else "-"
                   for label in labels[1:]]
        rows.append(f"| {name.strip()} | " + " | ".join(cells + changes) + " |")
    return rows


if __name__ == "__main__":
    sys.exit(main())
