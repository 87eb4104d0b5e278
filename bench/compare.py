"""Before and after: two revisions of clinic-pages timed in turn on the same synthetic site.

    python3 bench/compare.py 26e4e0c HEAD                  # 10,000 pages, 5 runs of each step
    python3 bench/compare.py main HEAD --runs 9 --size 8x125 --steps check,edit
    python3 bench/compare.py 7be0619 HEAD --also main      # a third revision in the same runs, against the first

On this shared 2-core machine one run of a step varies by 10-20 %, and the machine's speed drifts over an
hour: a change smaller than that shows only in the median of runs taken in turn (A, B, A, B, ...), which is
what this prints. Each revision is checked out in a git worktree in a temporary folder and runs the command
line from there, on its own copy of one synthetic project (bench/synth.py, with the revision's own templates), so
neither sees the other's build state or check cache. Before the runs, each builds its copy once. Steps, in
this order within a run:

  build         a clean build with checks (output, build state, check cache and parse cache removed first)
  check         `check --no-cache`: every page read, parsed and checked
  check-cached  `check` with the check cache the build left
  edit          one treatment's summary changed (a new text each run), then `build`
  audit         `audit` of the built output folder, JSON report to a file

With `--pair-notes SHARE`, that share of the landing pages get text written for their treatment in their area
(bench/synth.py), for the revisions that read it (locations.yaml `landing_pages`); a revision that does not gets
the same project without it, and says so. The doorway gate of the revisions that read it holds back every landing
page without such text before comparing any text: `--pair-notes 1` makes them judge all 10,000 landing pages, as
the revisions before the gate did.

Page faults are counted in the same runs. This virtual machine makes a page fault costly (a clean build's
300,000 faults cost it 10-17 s of system time), and the count hardly moves from run to run. With `--instructions`,
each step is run once more for each revision under valgrind's callgrind (about 50 times as slow), which counts the
instructions of the command and of each worker process from its fork: a figure the machine's load does not move.

    python3 bench/compare.py 7be0619 main --runs 0 --instructions --steps check --pair-notes 1

With `--also REV` (repeatable), more revisions take their turn in the same runs (A, B, C, A, B, C, ...), and a
second table gives every revision's CPU seconds against the first's.

This is a benchmark, not a test; bench/run.py times clinic-pages against Hugo and Eleventy.
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
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STEPS = ("build", "check", "check-cached", "edit", "audit")
OWN_FILES = ("output", ".clinic-pages-state.json", ".clinic-pages-checks.npz", ".clinic-pages-parsed.json")


class Tree:
    """One revision: its worktree, its copy of the project and that project's data."""

    def __init__(self, label: str, code: Path, project: Path, data):
        self.label, self.code, self.project, self.data = label, code, project, data

    def run(self, *args: str, counts: Path | None = None) -> Measured:
        """Run the command line and measure it. With `counts` (an empty folder), run it under callgrind, each
        worker process counted from its fork, and count the instructions of the command and of its workers."""
        prefix: list[str] = []
        env = dict(os.environ, PYTHONPATH=str(self.code))
        if counts is not None:
            prefix = ["valgrind", "--tool=callgrind", "--zero-before=PyOS_AfterFork_Child",
                      f"--callgrind-out-file={counts}/cg.%p"]
            env["PYTHONHASHSEED"] = "0"   # the same order of sets and dicts in every run
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        with subprocess.Popen([*prefix, sys.executable, "-m", "generator", *args], cwd=self.project, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as process:
            stdout, stderr = process.communicate()
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # 1: the checks found errors, still a measurement; but so is a Python that cannot import clinic-pages'
        # dependencies, which is not
        if process.returncode not in (0, 1) or "Traceback (most recent call last)" in stderr \
                or (process.returncode == 1 and "error(s)" not in stdout + stderr):
            raise SystemExit(f"{self.label}: `{' '.join(args)}` failed:\n{stderr[-3000:]}")
        measured = Measured(seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
                            (after.ru_minflt + after.ru_majflt) - (before.ru_minflt + before.ru_majflt))
        if counts is not None:
            # callgrind writes one file per process, named by its process id; valgrind runs the command in its own
            for path in counts.glob("cg.*"):
                total = instructions(path)
                if path.name == f"cg.{process.pid}":
                    measured.main += total
                else:
                    measured.workers += total
                path.unlink()
        return measured


@dataclass
class Measured:
    """One run of a command: wall seconds until it returned; CPU (user + system) seconds and page faults of it and
    every process it started; under callgrind, instructions of the command and of its worker processes."""
    wall: float
    cpu: float
    faults: int
    main: int = 0
    workers: int = 0


def instructions(path: Path) -> int:
    """The instructions a callgrind output file counts (its `totals:` line, or `summary:`)."""
    for line in path.read_text("utf-8", errors="replace").splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise SystemExit(f"{path}: no totals (did callgrind stop early?)")


def reads_pair_notes(code: Path) -> bool:
    """Whether the clinic-pages in `code` reads locations.yaml's `landing_pages`."""
    return "landing_pages" in (code / "generator" / "model.py").read_text("utf-8")


def without_pair_notes(data):
    """The same project without the text written for pairs."""
    import copy
    data = copy.deepcopy(data)
    for record in data.locations["locations"]:
        record.pop("landing_pages", None)
    return data


def measured_step(tree: Tree, step: str, run: int, counts: Path | None = None) -> Measured:
    from bench.synth import edit_treatment, write_data
    if step == "build":
        for name in OWN_FILES:
            path = tree.project / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        return tree.run("build", "-q", counts=counts)
    if step == "check":
        return tree.run("check", "--no-cache", "-q", counts=counts)
    if step == "check-cached":
        return tree.run("check", "-q", counts=counts)
    if step == "edit":
        changed = edit_treatment(tree.data, 0, run + 1)
        write_data(tree.data, tree.project, (changed,))
        return tree.run("build", "-q", counts=counts)
    report = tree.project.parent / f"audit-{tree.label}.json"
    return tree.run("audit", str(tree.project / "output"), "--format", "json", "--report", str(report), "-q",
                    counts=counts)


def paired(before: list[float], after: list[float]) -> str:
    """The change from `before` to `after` run by run (each run's pair taken in turn, minutes apart): the median
    of the runs' changes, with the smallest and the largest ("+3% (-5% to +9%)")."""
    changes = sorted(b / a - 1 for a, b in zip(before, after, strict=True) if a > 0)
    if not changes:
        return "-"
    return f"{statistics.median(changes):+.0%} ({changes[0]:+.0%} to {changes[-1]:+.0%})"


def revision(rev: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", rev], capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        raise SystemExit(f"not a revision of {REPO}: {rev}")
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", help="the revision before (a commit, tag or branch)")
    parser.add_argument("new", help="the revision after")
    parser.add_argument("--also", action="append", default=[], metavar="REV",
                        help="another revision timed in the same runs, against OLD (repeatable)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each step for each revision (default 5)")
    parser.add_argument("--size", default="40x250", help="treatments x areas (default 40x250: 10,293 pages)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated subset of {', '.join(STEPS)}")
    parser.add_argument("--instructions", action="store_true",
                        help="after the timed runs, run each step once more for each revision under valgrind's "
                             "callgrind and count its instructions (slow: about 50 times as long)")
    parser.add_argument("--json", metavar="FILE", help="also write every measurement to FILE")
    parser.add_argument("--pair-notes", type=float, default=0.0, metavar="SHARE",
                        help="share of landing pages with text written for them (default 0), for the revisions "
                             "that read it")
    args = parser.parse_args(argv)
    steps = [s for s in args.steps.split(",") if s]
    if not steps or set(steps) - set(STEPS):
        parser.error(f"--steps: choose from {', '.join(STEPS)}")
    if args.runs < (0 if args.instructions else 1):
        parser.error("--runs: at least 1 (or 0 with --instructions)")
    if args.instructions and shutil.which("valgrind") is None:
        parser.error("--instructions needs valgrind (apt-get install valgrind)")
    treatments, _, areas = args.size.partition("x")
    if not (treatments.isdigit() and areas.isdigit()):
        parser.error("--size: treatments x areas, such as 40x250")
    sys.path.insert(0, str(REPO))
    from bench.synth import synth_data, write_project

    shm = Path("/dev/shm")
    base = Path(tempfile.mkdtemp(prefix="bench-compare-", dir=shm if shm.is_dir() else None))
    revs = [args.old, args.new, *args.also]
    labels = [revision(rev) for rev in revs]
    if len(set(labels)) < len(labels):
        labels = [f"{label}-{'abcdefghij'[i]}" for i, label in enumerate(labels)]
    trees: list[Tree] = []
    data = synth_data(int(treatments), int(areas), 1, REPO, pair_notes=args.pair_notes)
    try:
        for label, rev in zip(labels, revs, strict=True):
            code = base / f"code-{label}"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(code), rev], check=True)
            own = data
            if args.pair_notes and not reads_pair_notes(code):
                own = without_pair_notes(data)
                print(f"{label} does not read `landing_pages`: its project has no text written for pairs",
                      file=sys.stderr)
            # each revision with its own templates (a template may use what only its code provides)
            trees.append(Tree(label, code, write_project(own, base / f"site-{label}", code), own))
        for tree in trees:
            tree.run("build", "-q")
        times: dict[str, dict[str, list[float]]] = {s: {t.label: [] for t in trees} for s in steps}
        cpu: dict[str, dict[str, list[float]]] = {s: {t.label: [] for t in trees} for s in steps}
        faults: dict[str, dict[str, list[int]]] = {s: {t.label: [] for t in trees} for s in steps}
        for run in range(args.runs):
            for tree in trees:
                for step in steps:
                    measured = measured_step(tree, step, run)
                    times[step][tree.label].append(round(measured.wall, 3))
                    cpu[step][tree.label].append(round(measured.cpu, 3))
                    faults[step][tree.label].append(measured.faults)
            print(f"[run {run + 1}/{args.runs} done]", file=sys.stderr, flush=True)
        counted: dict[str, dict[str, tuple[int, int]]] = {s: {} for s in steps}
        if args.instructions:
            folder = base / "callgrind"
            folder.mkdir()
            for tree in trees:
                for step in steps:
                    measured = measured_step(tree, step, args.runs, counts=folder)
                    counted[step][tree.label] = (measured.main, measured.workers)
                print(f"[{tree.label} counted under callgrind]", file=sys.stderr, flush=True)
    finally:
        for tree in trees:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree.code)], check=False)
        shutil.rmtree(base, ignore_errors=True)

    notes = f", pair notes on {args.pair_notes:.0%} of landing pages where read" if args.pair_notes else ""
    if args.runs:
        print_times(args, steps, labels, times, cpu, faults, notes)
    if args.instructions:
        print_instructions(args, steps, labels, counted, notes)
    if args.json:
        Path(args.json).write_text(json.dumps({"size": args.size, "runs": args.runs, "times": times, "cpu": cpu,
                                               "faults": faults, "instructions": counted}, indent=1), "utf-8")
    return 0


def print_times(args, steps: list[str], labels: list[str], times, cpu, faults, notes: str) -> None:
    old, new = labels[:2]
    print(f"{args.size} synthetic project{notes}, {args.runs} runs of each step, taken in turn; median seconds")
    print(f"| step | {old} | {new} | change | CPU {old} | CPU {new} | change | runs {old} | runs {new} "
          f"| CPU change, run by run |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|")
    for step in steps:
        a, b = statistics.median(times[step][old]), statistics.median(times[step][new])
        ca, cb = statistics.median(cpu[step][old]), statistics.median(cpu[step][new])
        runs = [", ".join(f"{x:.2f}" for x in times[step][label]) for label in (old, new)]
        print(f"| {step} | {a:.2f} | {b:.2f} | {(b - a) / a:+.0%} | {ca:.2f} | {cb:.2f} | {(cb - ca) / ca:+.0%} "
              f"| {runs[0]} | {runs[1]} | {paired(cpu[step][old], cpu[step][new])} |")
    print("Wall: seconds until the command returned; CPU: user + system seconds of it and every process it started "
          "(less sensitive to a busy machine). Run by run: the median of each run's change (a run's B against the A "
          "just before it, so that the machine's drift between runs cancels), with the smallest and largest.")
    if args.also:
        print(f"\nEvery revision's CPU seconds (median) against {old}'s, the same runs")
        print(f"| step | CPU {old} | " + " | ".join(f"CPU {label} | change" for label in labels[1:]) + " |")
        print("|---|---:|" + "---:|---:|" * (len(labels) - 1))
        for step in steps:
            base = statistics.median(cpu[step][old])
            cells = [f"{(m := statistics.median(cpu[step][label])):.2f} | {(m - base) / base:+.0%}"
                     for label in labels[1:]]
            print(f"| {step} | {base:.2f} | " + " | ".join(cells) + " |")
    print("\nPage faults (minor and major) of the command and every process it started, medians; this count moves "
          "little from run to run, where seconds do")
    print(f"| step | {' | '.join(labels)} | " + " | ".join(f"{label} against {old}" for label in labels[1:]) + " |")
    print("|---|" + "---:|" * (2 * len(labels) - 1))
    for step in steps:
        medians = [statistics.median(faults[step][label]) for label in labels]
        print(f"| {step} | " + " | ".join(f"{m:,.0f}" for m in medians) + " | "
              + " | ".join(f"{m / medians[0] - 1:+.1%}" for m in medians[1:]) + " |")


def print_instructions(args, steps: list[str], labels: list[str], counted, notes: str) -> None:
    old = labels[0]
    print(f"\nInstructions (callgrind), {args.size} synthetic project{notes}: one run of each step, billions; "
          "the command's own process, its worker processes (each counted from its fork), and in all")
    print("| step | " + " | ".join(f"{label} main | {label} workers | {label} in all" for label in labels)
          + " | " + " | ".join(f"{label} against {old}" for label in labels[1:]) + " |")
    print("|---|" + "---:|" * (4 * len(labels) - 1))
    for step in steps:
        cells, totals = [], []
        for label in labels:
            main, workers = counted[step][label]
            cells.append(f"{main / 1e9:.2f} | {workers / 1e9:.2f} | {(main + workers) / 1e9:.2f}")
            totals.append(main + workers)
        print(f"| {step} | " + " | ".join(cells) + " | "
              + " | ".join(f"{t / totals[0] - 1:+.1%}" for t in totals[1:]) + " |")
    print("Instructions do not depend on how busy the machine is. Which pages each worker gets depends on timing, "
          "so the workers' count moves by a few tenths of a percent between runs.")


if __name__ == "__main__":
    sys.exit(main())
