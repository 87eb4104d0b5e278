"""Time clinic-pages against Hugo, Eleventy and a naive Jinja2 script on synthetic sites, side by side.

For each size (1,000 and 10,000 landing pages; 100,000 with --big) and each target (tmpfs and disk) it builds
the same site with every generator, interleaved (A, B, C, D, A, B, C, D, ...), and reports the median of the
repetitions for: a clean build, a build with checks, the checks alone, a no-op rebuild, a rebuild after
editing one treatment and one after editing one area; pages per second of the clean build, the peak memory of
the build (the process and all its children), and the mean size of a landing page.

    bash bench/setup.sh                      # once: Hugo from Debian, Eleventy from npm
    python3 bench/run.py                     # 1,000 and 10,000 pages, 3 repetitions
    python3 bench/run.py --big --json results.json
    python3 bench/run.py --report results.json

It prints a Markdown table ready for the README's performance section. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

# run as `python bench/run.py`: the repository must be on sys.path before these imports
from bench import sites  # noqa: E402
from bench.synth import (  # noqa: E402
    SOURCES,
    SynthData,
    edit_location,
    edit_treatment,
    synth_data,
    write_data,
    write_project,
)

ELEVENTY = BENCH / "node_modules" / "@11ty" / "eleventy" / "cmd.cjs"
NAIVE = BENCH / "naive_jinja.py"
SIZES = {1_000: (8, 125), 10_000: (40, 250), 100_000: (100, 1_000)}
SCENARIOS = ("clean", "checks", "check", "noop", "edit_treatment", "edit_area")
HEADINGS = {"clean": "clean build", "checks": "build + checks", "check": "check alone",
            "noop": "no-op rebuild", "edit_treatment": "edit 1 treatment", "edit_area": "edit 1 area"}


# -- measuring one run ---------------------------------------------------------------------------------------

@dataclass
class Run:
    seconds: float
    cpu: float          # user + system seconds of the process and its children
    peak_mb: float      # the larger of the biggest single process's RSS and the sampled PSS of the whole tree
    rc: int


def _tree(pid: int) -> list[int]:
    """The process and all its descendants, from /proc/PID/task/TID/children."""
    found, i = [pid], 0
    while i < len(found):
        p = found[i]
        i += 1
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    found += [int(c) for c in fh.read().split()]
        except OSError:
            pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def measure(cmd: list[str], log: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Run:
    """Run `cmd` to completion: its wall time, CPU time and peak memory; raise on an exit code not in `ok`."""
    os.sync()  # don't let the previous run's dirty pages be written back on this run's clock
    peak_kb = 0
    stop = threading.Event()

    def sample(pid: int) -> None:
        nonlocal peak_kb
        interval = 0.02
        while not stop.wait(interval):
            peak_kb = max(peak_kb, sum(_pss_kb(p) for p in _tree(pid)))
            interval = min(interval * 1.5, 0.25)  # often at first, then rarely enough to cost nothing

    with open(log, "wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        sampler = threading.Thread(target=sample, args=(proc.pid,), daemon=True)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: leave no build running behind
            proc.kill()
            proc.wait()
            raise
        finally:
            stop.set()
        seconds = time.perf_counter() - started
        sampler.join()
    proc.returncode = rc = os.waitstatus_to_exitcode(status)
    if rc not in ok:
        tail = log.read_text("utf-8", "replace")[-3000:]
        last = next((line.strip() for line in reversed(tail.splitlines()) if line.strip()), "no output")
        raise RuntimeError(f"exited with {rc}: {last}\n$ {' '.join(cmd)}\n{tail}")
    return Run(seconds, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss, peak_kb) / 1024, rc)


def combine(runs: list[Run]) -> Run:
    """Runs made one after another (a build, then a separate check) as one."""
    return Run(sum(r.seconds for r in runs), sum(r.cpu for r in runs), max(r.peak_mb for r in runs),
               max(r.rc for r in runs))


# -- how clinic-pages runs its checks (this changed while the checks were being written) ---------------------

@dataclass
class CheckMode:
    in_build: bool                  # `build` runs the checks
    skip_flag: str | None = None    # the build option that skips them, if there is one
    check_command: bool = False     # there is a `check` command
    check_takes_output: bool = False
    check_no_cache: bool = False    # `check --no-cache` checks every page again

    def describe(self) -> str:
        alone = (" Check alone: `clinic-pages check" + (" --no-cache" if self.check_no_cache else "")
                 + "` on the output just built." if self.check_command else "")
        if self.in_build and self.skip_flag:
            return (f"`clinic-pages build` runs the checks: clean build = `build {self.skip_flag}`, build + "
                    f"checks = `build`; the rebuilds run the checks.{alone}")
        if self.in_build:
            return ("`clinic-pages build` runs the checks and has no option to skip them: its clean build is "
                    "the build + checks (one run, shown in both columns); the rebuilds run the checks."
                    + alone)
        if self.check_command:
            return ("`clinic-pages build` does not run the checks: build + checks = the clean build plus "
                    f"`clinic-pages check` on its output; the rebuilds do not include checks.{alone}")
        return "clinic-pages has no checks yet: build + checks is not measured."


def detect_check_mode() -> CheckMode:
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, check=False)
        return done.stdout if done.returncode == 0 else ""

    build_help = run("-m", "generator", "build", "--help")
    check_help = run("-m", "generator", "check", "--help")
    skip = re.search(r"--(?:no|skip)-checks?\b", build_help)
    reports_checks = run("-c", "import dataclasses, generator.build as b; "
                         "print('checks' in {f.name for f in dataclasses.fields(b.BuildReport)})").strip()
    return CheckMode(in_build=bool(skip) or reports_checks == "True",
                     skip_flag=skip.group(0) if skip else None, check_command=bool(check_help),
                     check_takes_output="--output" in check_help, check_no_cache="--no-cache" in check_help)


# -- the generators ------------------------------------------------------------------------------------------

class Generator:
    """One generator's copy of the site: its sources in `root/src`, its output in `root/out`."""

    name = ""

    def __init__(self, root: Path):
        self.root, self.src, self.out = root, root / "src", root / "out"

    def write(self, data: SynthData) -> None:
        raise NotImplementedError

    def update(self, data: SynthData, changed: str) -> None:
        """Rewrite the one data file that an edit changed ("treatments.yaml" or "locations.yaml")."""
        raise NotImplementedError

    def build(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str] | None:
        return None

    def clean(self) -> None:
        """Remove the output and whatever the generator keeps beside it, so the next build starts cold."""
        for entry in self.root.iterdir():
            if entry != self.src:
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()

    def run_build(self, log: Path) -> Run:
        return measure(self.build(), log, self.env())


class ClinicPages(Generator):
    name = "clinic-pages"

    def __init__(self, root: Path, checks: CheckMode):
        super().__init__(root)
        self.checks = checks

    def write(self, data: SynthData) -> None:
        write_project(data, self.src)

    def update(self, data: SynthData, changed: str) -> None:
        write_data(data, self.src, only=(changed,))

    def env(self) -> dict[str, str]:
        return dict(os.environ, PYTHONPATH=str(REPO))

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "generator", "-q", *args]

    def build(self, *extra: str) -> list[str]:
        return self.cli("build", "--project", str(self.src), "--output", str(self.out), *extra)

    def clean(self) -> None:
        super().clean()
        for entry in self.src.iterdir():  # the build state and any cache the generator keeps in the project
            if entry.name not in SOURCES:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

    def run_build(self, log: Path, *extra: str) -> Run:
        # Exit 1 is a build that the checks stopped, leaving no output: nothing to time; the benchmark fails.
        return measure(self.build(*extra), log, self.env())

    def run_check(self, log: Path) -> Run:
        cmd = self.cli("check", "--project", str(self.src))
        if self.checks.check_takes_output:
            cmd += ["--output", str(self.out)]
        if self.checks.check_no_cache:   # time the checking itself, not the results kept from the build
            cmd += ["--no-cache"]
        return measure(cmd, log, self.env(), ok=(0, 1))  # 1: the checks found errors


class Hugo(Generator):
    name = "Hugo"

    def write(self, data: SynthData) -> None:
        sites.write_hugo(data, self.src)

    def update(self, data: SynthData, changed: str) -> None:
        sites.write_data_files(data, self.src / "data", only=(_peer_file(changed),))

    def build(self) -> list[str]:
        return ["hugo", "--quiet", "--source", str(self.src), "--destination", str(self.out)]

    def clean(self) -> None:
        super().clean()
        shutil.rmtree(self.src / "resources", ignore_errors=True)


class Eleventy(Generator):
    name = "Eleventy"

    def write(self, data: SynthData) -> None:
        sites.write_eleventy(data, self.src)

    def update(self, data: SynthData, changed: str) -> None:
        sites.write_data_files(data, self.src / "_data", only=(_peer_file(changed),))

    def build(self) -> list[str]:
        return ["node", str(ELEVENTY), "--quiet", f"--config={self.src / 'eleventy.config.cjs'}",
                f"--input={self.src}", f"--output={self.out}"]


class NaiveJinja(Generator):
    name = "Jinja2 script"

    def write(self, data: SynthData) -> None:
        sites.write_naive(data, self.src)

    def update(self, data: SynthData, changed: str) -> None:
        sites.write_data_files(data, self.src / "data", only=(_peer_file(changed),))

    def build(self) -> list[str]:
        return [sys.executable, str(NAIVE), str(self.src), str(self.out)]


def _peer_file(changed: str) -> str:
    return {"treatments.yaml": "treatments", "locations.yaml": "areas"}[changed]


GENERATORS = {"clinic-pages": ClinicPages, "hugo": Hugo, "eleventy": Eleventy, "jinja2": NaiveJinja}


def make_generator(name: str, root: Path, checks: CheckMode) -> Generator:
    return ClinicPages(root, checks) if name == "clinic-pages" else GENERATORS[name](root)


# -- the benchmark -------------------------------------------------------------------------------------------

@dataclass
class Cell:
    """Every run of one generator at one size to one target."""

    runs: dict[str, list[Run]] = field(default_factory=lambda: {s: [] for s in SCENARIOS})
    failed: dict[str, str] = field(default_factory=dict)   # scenario -> the first failure's message
    pages: int = 0
    landing_kb: float = 0.0

    def median(self, scenario: str) -> Run | None:
        runs = self.runs[scenario]
        if not runs:
            return None
        return Run(statistics.median(r.seconds for r in runs), statistics.median(r.cpu for r in runs),
                   max(r.peak_mb for r in runs), max(r.rc for r in runs))

    def peak_mb(self) -> float:
        return max((r.peak_mb for runs in self.runs.values() for r in runs), default=0.0)


Results = dict[int, dict[tuple[str, str], Cell]]   # size -> (target, generator) -> runs


def count_pages(out: Path) -> tuple[int, float]:
    """HTML pages in `out`, and the mean size in KB of its landing pages (`<treatment>/<area>/index.html`)."""
    pages, landing, size = 0, 0, 0
    for dirpath, _, files in os.walk(out):
        rel = Path(dirpath).relative_to(out).parts
        for name in files:
            if name.endswith(".html"):
                pages += 1
                if name == "index.html" and len(rel) == 2 and rel[0] != "areas":
                    landing += 1
                    size += os.path.getsize(os.path.join(dirpath, name))
    return pages, (size / landing / 1000 if landing else 0.0)


def bench_size(size: int, tl: tuple[int, int], media: dict[str, Path], names: list[str], reps: int,
               checks: CheckMode, logs: Path, say) -> dict[tuple[str, str], Cell]:
    cells: dict[tuple[str, str], Cell] = {}
    for medium, base in media.items():
        data = synth_data(*tl)  # afresh for each target: the edits below must change what this target holds
        root = Path(tempfile.mkdtemp(prefix=f"clinic-bench-{size}-", dir=base))
        try:
            gens = [make_generator(n, root / n, checks) for n in names]
            for g in gens:
                g.src.mkdir(parents=True)
                g.write(data)
                cells[(medium, g.name)] = Cell()
            for rep in range(reps):
                say(f"{size:,} pages, {medium}, repetition {rep + 1}/{reps}")
                for scenario in SCENARIOS:
                    changed, proof = None, None
                    if scenario == "edit_treatment":
                        changed = edit_treatment(data, rep, rep + 1)
                        proof = _page_of(data, rep, 0), f"Reviewed in round {rep + 1}."
                    elif scenario == "edit_area":
                        changed = edit_location(data, rep * 7, rep + 1)
                        proof = _page_of(data, 0, rep * 7), f"The notes were checked in round {rep + 1}."
                    for g in gens:
                        cell = cells[(medium, g.name)]
                        log = logs / f"{size}-{medium}-{g.name.replace(' ', '_')}-{scenario}-{rep}.log"
                        try:
                            run = step(g, scenario, data, changed, log, checks)
                        except RuntimeError as exc:  # report it, and go on with the others
                            say(f"FAILED: {exc}")
                            cell.failed.setdefault(scenario, str(exc).splitlines()[0])
                            continue
                        if proof and proof[1] not in _read(g.out / proof[0]):
                            cell.failed.setdefault(scenario, f"the edit is not in {proof[0]}")
                            say(f"FAILED: {g.name}: the edit is not in {proof[0]}")
                        elif run is not None:
                            cell.runs[scenario].append(run)
                        if scenario == "clean" and rep == 0:
                            cell.pages, cell.landing_kb = count_pages(g.out)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return cells


def _page_of(data: SynthData, treatment: int, area: int) -> str:
    """The landing page of the treatment and area at these positions (wrapping round, as the edits do)."""
    ts, ls = data.treatments["treatments"], data.locations["locations"]
    return f"{ts[treatment % len(ts)]['slug']}/{ls[area % len(ls)]['slug']}/index.html"


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError:
        return ""


def step(g: Generator, scenario: str, data: SynthData, changed: str | None, log: Path,
         checks: CheckMode) -> Run | None:
    """One measured step of one generator; None when it does not apply (checks, for the other generators)."""
    cp = g if isinstance(g, ClinicPages) else None
    if scenario == "clean":
        g.clean()
        return cp.run_build(log, checks.skip_flag) if cp and checks.skip_flag else g.run_build(log)
    if scenario == "checks":  # a second clean build, when the first skipped the checks
        if not cp or not checks.skip_flag:
            return None
        cp.clean()
        return cp.run_build(log)
    if scenario == "check":
        return cp.run_check(log) if cp and checks.check_command else None
    if changed:
        g.update(data, changed)
    return g.run_build(log)


# -- the report ----------------------------------------------------------------------------------------------

def _s(run: Run | None, failed: bool = False) -> str:
    if run is None:
        return "failed" if failed else "–"
    return f"{run.seconds:.2f}" + (" (1 failed)" if failed else "")


def build_with_checks(cell: Cell, name: str, checks: CheckMode) -> Run | None:
    """clinic-pages' clean build with its checks, however this version runs them; None for the others."""
    clean, check = cell.median("clean"), cell.median("check")
    if name != "clinic-pages" or clean is None:
        return None
    if checks.skip_flag:
        return cell.median("checks")
    if checks.in_build:
        return clean
    return combine([clean, check]) if check else None


def report(results: Results, names: list[str], checks: CheckMode, reps: dict[int, int],
           media: dict[str, Path], versions_text: str) -> str:
    columns = ["pages", "to", "generator", "clean build (s)", "build + checks (s)", "check alone (s)",
               "no-op rebuild (s)", "edit 1 treatment (s)", "edit 1 area (s)", "pages/s", "peak MB",
               "KB/page"]
    lines = ["| " + " | ".join(columns) + " |", "|---:|---|---|" + "---:|" * (len(columns) - 3)]
    for size, cells in results.items():
        for (medium, name), cell in cells.items():
            clean = cell.median("clean")
            rate = f"{cell.pages / clean.seconds:,.0f}" if clean and clean.seconds else "–"
            row = [f"{size:,}", medium, name, _s(clean, "clean" in cell.failed),
                   _s(build_with_checks(cell, name, checks), "checks" in cell.failed),
                   *(_s(cell.median(s), s in cell.failed)
                     for s in ("check", "noop", "edit_treatment", "edit_area")),
                   rate, f"{cell.peak_mb():,.0f}", f"{cell.landing_kb:.1f}"]
            lines.append("| " + " | ".join(row) + " |")
    repetitions = ", ".join(f"{n} at {s:,} pages" for s, n in reps.items())
    targets_used = ", ".join(f"{m} = {p}" for m, p in media.items())
    notes = [
        "",
        f"Repetitions, interleaved, the median shown: {repetitions}; {os.cpu_count()} cores; {targets_used}. "
        "Peak MB: the largest of any repetition, for the build and every process it starts. KB/page: mean "
        "size of a landing page. Pages: every HTML page (T x L landing pages, T treatment pages, L area "
        "pages, home, areas, 404).",
        checks.describe() if "clinic-pages" in names else "",
        f"Versions: {versions_text}.",
        *(f"Failed: {size:,} pages to {medium}, {name}, {HEADINGS[s]}: {message}"
          for size, cells in results.items() for (medium, name), cell in cells.items()
          for s, message in cell.failed.items()),
    ]
    return "\n".join(lines + notes) + "\n" + targets(results, checks)


def targets(results: Results, checks: CheckMode) -> str:
    """The issues' targets, each with the figure measured and whether it is met."""
    out = []

    def verdict(label: str, value: float, target: str, met: bool) -> None:
        out.append(f"- {label}: {value:,.2f} (target {target}): {'met' if met else 'NOT met'}")

    for size in (10_000, 100_000):
        cells = results.get(size, {})
        for medium in ("tmpfs", "disk"):
            cp, hugo = cells.get((medium, "clinic-pages")), cells.get((medium, "Hugo"))
            if size == 10_000 and cp and hugo and cp.median("clean") and hugo.median("clean"):
                hugo_s = hugo.median("clean").seconds
                ratio = hugo_s / cp.median("clean").seconds
                verdict(f"10,000 pages to {medium}, Hugo's clean build time / clinic-pages' (issue 5)", ratio,
                        "≥ 1.5", ratio >= 1.5)
                checked = build_with_checks(cp, "clinic-pages", checks)
                if checked:
                    ratio = checked.seconds / hugo_s
                    verdict(f"10,000 pages to {medium}, clinic-pages' build + checks / Hugo's build "
                            "(issue 3)", ratio, "≤ 1.5", ratio <= 1.5)
            check = cp.median("check") if cp else None
            if check:
                limit = 5 if size == 10_000 else 60
                verdict(f"{size:,} pages to {medium}, check alone in s (issue 3)", check.seconds,
                        f"< {limit}", check.seconds < limit)
    cp = results.get(10_000, {}).get(("disk", "clinic-pages"))
    for scenario, limit in (("noop", 0.3), ("edit_treatment", 0.5)):
        run = cp.median(scenario) if cp else None
        if run:
            extra = ", with checks" if checks.in_build else ", without checks"
            verdict(f"10,000 pages on disk, {HEADINGS[scenario]} in s{extra} (issue 5)", run.seconds,
                    f"< {limit}", run.seconds < limit)
    peaks = [c.peak_mb() for (_, n), c in results.get(100_000, {}).items() if n == "clinic-pages"]
    if peaks:
        verdict("100,000 pages, peak memory of clinic-pages in MB, build and checks (issues 3 and 5)",
                max(peaks), "< 1,024", max(peaks) < 1024)
    return ("\nTargets:\n" + "\n".join(out) + "\n") if out else ""


def save_json(path: Path, results: Results, names: list[str], checks: CheckMode, reps: dict[int, int],
              media: dict[str, Path], versions_text: str) -> None:
    path.write_text(json.dumps({
        "versions": versions_text, "checks": checks.describe(), "check_mode": asdict(checks),
        "cores": os.cpu_count(), "generators": names, "reps": reps,
        "media": {m: str(p) for m, p in media.items()},
        "results": [{"pages": size, "to": medium, "generator": name, "html_pages": cell.pages,
                     "landing_kb": cell.landing_kb, "failed": cell.failed,
                     "runs": {s: [asdict(r) for r in runs] for s, runs in cell.runs.items()}}
                    for size, cells in results.items() for (medium, name), cell in cells.items()],
    }, indent=1) + "\n")


def report_from_json(path: Path) -> str:
    saved = json.loads(path.read_text("utf-8"))
    results: Results = {}
    for row in saved["results"]:
        cell = Cell(pages=row["html_pages"], landing_kb=row["landing_kb"], failed=row.get("failed", {}))
        for scenario, runs in row["runs"].items():
            cell.runs[scenario] = [Run(**r) for r in runs]
        results.setdefault(row["pages"], {})[(row["to"], row["generator"])] = cell
    names = saved.get("generators") or sorted({n for cells in results.values() for _, n in cells})
    reps = {int(k): v for k, v in saved.get("reps", {}).items()} or {
        size: max(len(c.runs["clean"]) for c in cells.values()) for size, cells in results.items()}
    checks = CheckMode(**saved["check_mode"]) if "check_mode" in saved else CheckMode(in_build=False)
    media = {m: Path(p) for m, p in saved["media"].items()}
    return report(results, names, checks, reps, media, saved["versions"])


def versions() -> str:
    import jinja2

    def first_line(cmd: list[str]) -> str:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
            return done.stdout.strip().splitlines()[0]
        except (OSError, IndexError, subprocess.SubprocessError):
            return "?"

    commit = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    hugo = (first_line(["hugo", "version"]).split(" ") + ["?"])[1]
    return (f"clinic-pages at {commit}, Python {platform.python_version()}, Hugo {hugo}, "
            f"Eleventy {first_line(['node', str(ELEVENTY), '--version'])}, "
            f"Node {first_line(['node', '--version'])}, Jinja2 {jinja2.__version__}")


# -- command line --------------------------------------------------------------------------------------------

def _is_tmpfs(path: Path) -> bool:
    best, fstype = "", ""
    for line in Path("/proc/mounts").read_text().splitlines():
        _, mount, kind, *_ = line.split()
        if str(path.resolve()).startswith(mount) and len(mount) > len(best):
            best, fstype = mount, kind
    return fstype == "tmpfs"


def parse_size(text: str) -> tuple[int, tuple[int, int]]:
    """"10000" -> (10000, (40, 250)); "3x4" -> (12, (3, 4))."""
    if "x" in text:
        treatments, areas = (int(v) for v in text.split("x"))
        return treatments * areas, (treatments, areas)
    size = int(text.replace(",", "").replace("_", ""))
    if size not in SIZES:
        raise ValueError(f"unknown size {text}: use {', '.join(map(str, SIZES))} or TxL such as 3x4")
    return size, SIZES[size]


def parse_reps(text: str, sizes: dict[int, tuple[int, int]], big_reps: int) -> dict[int, int]:
    """"3" -> 3 for every size (big_reps for 100,000); "1000:3,10000:1" -> per size (3 where not given)."""
    if ":" not in text:
        default, per_size = int(text), {}
    else:
        default = 3
        per_size = {parse_size(k)[0]: int(v) for k, v in (r.split(":") for r in text.split(",") if r)}
    return {size: per_size.get(size, big_reps if size >= 100_000 else default) for size in sizes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated page counts (1000, 10000, "
                        "100000) or TxL such as 3x4 (default: 1000,10000)")
    parser.add_argument("--big", action="store_true", help="add 100,000 pages (100 treatments x 1,000 areas)")
    parser.add_argument("--reps", default="3", help="repetitions per size (default 3), or per size such as "
                        "1000:3,10000:1")
    parser.add_argument("--big-reps", type=int, default=1, help="repetitions for 100,000 pages (default 1)")
    parser.add_argument("--generators", default=",".join(GENERATORS),
                        help="comma-separated subset of: " + ", ".join(GENERATORS))
    parser.add_argument("--media", default="tmpfs,disk", help="tmpfs, disk or both (default)")
    parser.add_argument("--tmpfs-dir", type=Path, default=Path("/dev/shm"))
    parser.add_argument("--disk-dir", type=Path, default=Path("/tmp"))
    parser.add_argument("--json", type=Path, help="also write every measurement to this JSON file")
    parser.add_argument("--logs", type=Path, help="keep each run's output in this folder")
    parser.add_argument("--report", type=Path, metavar="JSON", help="only print the table again from a file "
                        "written by --json")
    args = parser.parse_args(argv)
    if args.report:
        print(report_from_json(args.report))
        return 0

    try:
        sizes = dict(parse_size(s) for s in args.sizes.split(",") if s)
        if args.big:
            sizes[100_000] = SIZES[100_000]
        reps = parse_reps(args.reps, sizes, args.big_reps)
    except ValueError as exc:
        parser.error(str(exc))
    names = [n.strip() for n in args.generators.split(",") if n.strip()]
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        parser.error(f"unknown generator(s): {', '.join(unknown)}; choose from {', '.join(GENERATORS)}")
    if "hugo" in names and not shutil.which("hugo") or "eleventy" in names and not ELEVENTY.exists():
        print("Hugo or Eleventy is missing: run `bash bench/setup.sh` first.", file=sys.stderr)
        return 2
    media = {m: {"tmpfs": args.tmpfs_dir, "disk": args.disk_dir}[m] for m in args.media.split(",") if m}
    if "tmpfs" in media and not _is_tmpfs(media["tmpfs"]):
        parser.error(f"{media['tmpfs']} is not a tmpfs")
    if "disk" in media and _is_tmpfs(media["disk"]):
        parser.error(f"{media['disk']} is a tmpfs, not a disk: pass --disk-dir")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up the work folders when stopped
    checks = detect_check_mode() if "clinic-pages" in names else CheckMode(in_build=False)
    logs = args.logs or Path(tempfile.mkdtemp(prefix="clinic-bench-logs-"))
    logs.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()

    def say(text: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f} s] {text}", file=sys.stderr, flush=True)

    versions_text = versions()
    results: Results = {}
    try:
        for size, tl in sizes.items():
            results[size] = bench_size(size, tl, media, names, reps[size], checks, logs, say)
            if args.json:  # after each size, so that an interrupted run keeps what it measured
                save_json(args.json, results, names, checks, reps, media, versions_text)
    finally:
        if not args.logs:
            shutil.rmtree(logs, ignore_errors=True)
    print(report(results, names, checks, reps, media, versions_text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
