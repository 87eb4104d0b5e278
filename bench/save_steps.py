"""What one save costs the warm preview, step by step, in the CPU time of its own process: the page shown first
(`memory.render_ahead`: the project loaded again, planned, the page's inputs, the page rendered) and the rebuild
that follows (`build` with the preview's `Memory`).

    python3 bench/save_steps.py                                   # HEAD, 10,000 pages with pair notes
    python3 bench/save_steps.py --rev 6980adc --rev HEAD          # two revisions, one after the other
    python3 bench/save_steps.py --sizes 1000 --pair-notes 0 --edits 5

For each revision (checked out with bench/revisions.py and run in a Python of its own whose path starts there), it
writes the synthetic project (bench/synth.py), builds it once in one process with a `Memory` as `serve` starts,
then makes the edits bench/preview.py makes (one treatment's summary, seen on a landing page of it; one area's
notes, seen on the area's page), each saved, rendered ahead for the page that shows it, and rebuilt, with the heap
settled after each as `serve` does. CPU seconds are `time.process_time` of that process: the rebuild's render
workers are not in them (bench/preview.py counts the whole server). Less swayed by other work on a shared machine
than the wall seconds, which are shown too. Median (fastest-slowest) of the edits of each kind.
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

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def child(size: tuple[int, ...], pair_notes: float, edits: int, folder: Path) -> None:
    """In the revision's own Python: build, edit, time; one JSON line per edit on stdout."""
    sys.path.insert(0, os.getcwd())
    from bench.preview import area_page, landing_page
    from bench.synth import edit_location, edit_treatment, synth_data, write_data, write_project
    from generator.build import build
    from generator.memory import Memory, render_ahead
    from generator.serve import settle_heap

    data = synth_data(size[0], size[1], pair_notes=pair_notes)
    root = write_project(data, folder / "project")
    memory = Memory()
    build(root, memory=memory)
    settle_heap()
    for round_ in range(edits):
        for kind in ("treatment", "area"):
            if kind == "treatment":
                changed, url = edit_treatment(data, round_, 1000 + round_), landing_page(data, round_, round_ * 3)
            else:
                changed, url = edit_location(data, round_ * 7, 1000 + round_), area_page(data, round_ * 7)
            write_data(data, root, only=(changed,))
            cpu, wall = time.process_time(), time.perf_counter()
            shown = render_ahead(root, memory, [url])
            cpu_ahead, wall_ahead = time.process_time() - cpu, time.perf_counter() - wall
            cpu, wall = time.process_time(), time.perf_counter()
            build(root, memory=memory)
            cpu_build, wall_build = time.process_time() - cpu, time.perf_counter() - wall
            settle_heap()
            if url not in shown:
                raise SystemExit(f"{url} was not rendered ahead after the {kind} edit")
            print(json.dumps({"kind": kind, "ahead_cpu": cpu_ahead, "ahead_wall": wall_ahead,
                              "build_cpu": cpu_build, "build_wall": wall_build}), flush=True)


def run_revision(rev: str, size: tuple[int, ...], pair_notes: float, edits: int) -> list[dict]:
    from bench.revisions import checked_out

    with checked_out(rev) as tree, tempfile.TemporaryDirectory(prefix="clinic-pages-save-steps-") as folder:
        # this script, run from the revision's tree: its generator (and its bench/synth.py) are the ones timed
        command = [sys.executable, str(BENCH / "save_steps.py"), "--child", "--sizes", f"{size[0]}x{size[1]}",
                   "--pair-notes", str(pair_notes), "--edits", str(edits), "--dir", folder]
        done = subprocess.run(command, cwd=tree, env=dict(os.environ, PYTHONPATH=str(tree)), capture_output=True,
                              text=True)
        if done.returncode != 0:
            raise SystemExit(f"{rev}: {done.stderr[-2000:]}")
        return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", action="append", help="a git revision to time (repeat; default HEAD)")
    parser.add_argument("--sizes", default="10000", help="landing pages: 1000, 10000 or 100000, or TxL")
    parser.add_argument("--pair-notes", type=float, default=1.0, metavar="SHARE",
                        help="share of landing pages with text written for them (default 1: all)")
    parser.add_argument("--edits", type=int, default=3, help="edits of each kind (default 3)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:   # in the revision's tree: nothing of this one imported
        child(tuple(int(n) for n in args.sizes.split("x")), args.pair_notes, args.edits, args.dir)
        return 0
    sys.path.insert(0, str(REPO))
    from bench.run import SIZES

    size = tuple(int(n) for n in args.sizes.split("x")) if "x" in args.sizes else SIZES[int(args.sizes)]
    print(f"{size[0]} x {size[1]} landing pages, pair notes {args.pair_notes:g}; CPU s of the preview's process, "
          "wall s; median (fastest–slowest)\n")
    print("| revision | edit | rendered ahead: CPU s | wall s | rebuild: CPU s | wall s |")
    print("|---|---|---:|---:|---:|---:|")
    for rev in args.rev or ["HEAD"]:
        rows = run_revision(rev, size, args.pair_notes, args.edits)
        for kind in ("treatment", "area"):
            mine = [r for r in rows if r["kind"] == kind]
            print(f"| {rev} | 1 {kind} | " + " | ".join(cell([r[k] for r in mine]) for k in
                                                      ("ahead_cpu", "ahead_wall", "build_cpu", "build_wall")) + " |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
