"""The marketer's edit loop: the time from saving a file to the changed page being served, `clinic-pages serve`
beside `hugo server` on the same synthetic site, in one run.

For each size (1,000, 10,000 and 100,000 landing pages; --sizes to choose) it writes the synthetic project
(bench/synth.py) and the same site for Hugo (bench/sites.py), starts the servers on 127.0.0.1 and waits until
each serves its pages. Then, in turn (clinic-pages, Hugo, clinic-pages, ...), it opens the page the marketer looks
at, makes the same edit to each one's data, one treatment's text (`synth.edit_treatment`; a landing page of that
treatment is looked at) or one area's notes (`synth.edit_location`; the area's page), and asks for that page over
HTTP until the new text is there: the time from the end of the save to that answer ("served"). The size `sample`
is the repository's own project (the real clinic's data and templates, copied), edited as a person would edit
the YAML (one treatment's summary, seen on its page; one area's notes, on the area's page); there is no Hugo
version of it. For clinic-pages it also times the end of the whole rebuild
(every affected page rendered and checked, the site-wide checks, the files written: "rebuilt"), which is when
the preview knows whether the checks accept the change. Before the next edit it waits for the server to be idle
(no CPU time used for a while): the CPU time the server used from the save until then is reported too. It reports
the median, the fastest and the slowest of the edits of each kind, and the memory of each server after them
(resident: the largest of the process and its children at any moment, sampled; VmHWM: the peak the kernel saw for
the server process itself).

Servers: `clinic-pages serve`; `hugo server` as users run it (fast render mode: after a change it renders first
the pages a browser asked for lately); `hugo server --disableFastRender` (--peers hugo-full: every page rendered
again after each change).

    bash bench/setup.sh                                  # once: Hugo
    python3 bench/preview.py                              # 1,000 and 10,000 pages, 5 edits of each kind
    python3 bench/preview.py --sizes 100000 --edits 3
    python3 bench/preview.py --sizes 1000 --peers none   # clinic-pages alone (no Hugo needed)
    python3 bench/preview.py --sizes sample,10000         # the real sample (clinic-pages alone), then 10,000

Hugo renders to memory; clinic-pages writes every changed file to output/ on disk (--dir, default a folder under
/tmp). Not part of the test suite (tests/test_bench_synth.py runs it once on a tiny site).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

# run as `python bench/preview.py`: the repository must be on sys.path before these imports
from bench import sites  # noqa: E402
from bench.run import SIZES, _pss_kb, _tree  # noqa: E402
from bench.synth import SynthData, edit_location, edit_treatment, synth_data, write_data, write_project  # noqa: E402
from generator.state import input_files  # noqa: E402

EDITS = ("treatment", "area")
POLL_SECONDS = 0.01          # how often the edited page is asked for
IDLE_SECONDS = 0.5           # a server that used no CPU for this long has finished its rebuild
START_TIMEOUT = 3600         # a first build of 100,000 pages takes minutes on two cores
EDIT_TIMEOUT = 600


@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> tuple[float, float, float] | None:
        if not self.seconds:
            return None
        return statistics.median(self.seconds), min(self.seconds), max(self.seconds)


@dataclass
class Result:
    size: int                   # landing pages (synthetic), or pages (the sample)
    server: str
    site: str = "synthetic"     # or "sample"
    pages: int = 0
    start_seconds: float = 0.0
    edits: dict[str, Timing] = field(default_factory=lambda: {kind: Timing() for kind in EDITS})
    rebuilt: dict[str, Timing] = field(default_factory=lambda: {kind: Timing() for kind in EDITS})
    cpu: dict[str, Timing] = field(default_factory=lambda: {kind: Timing() for kind in EDITS})   # CPU seconds
    peak_mb: float = 0.0        # the process tree's resident memory (PSS), sampled, largest seen
    hwm_mb: float = 0.0         # the server process's own peak resident memory (VmHWM)
    failed: str = ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None


def cpu_seconds(pid: int) -> float:
    """User and system time of the process and its children so far (clock ticks from /proc)."""
    total = 0
    for p in _tree(pid):
        try:
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def vm_hwm_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


class Server:
    """One running preview server over its own copy of the site."""

    name = ""

    def __init__(self, root: Path, data: SynthData | None = None):
        self.root, self.port, self.data = root, free_port(), data   # data: its own copy (an edit changes it)
        self.proc: subprocess.Popen | None = None
        self.peak_kb = 0
        self._stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def write(self) -> None:
        raise NotImplementedError

    def save(self, changed: str) -> None:
        raise NotImplementedError

    def edit(self, kind: str, round_: int) -> tuple[str, str, str]:
        """Make edit `round_` of `kind` to the data in memory: (the file it changes, the page that shows it, the
        new text)."""
        assert self.data is not None
        mark = 1000 + round_
        if kind == "treatment":
            return (edit_treatment(self.data, round_, mark), landing_page(self.data, round_, round_ * 3),
                    f"Reviewed in round {mark}.")
        return (edit_location(self.data, round_ * 7, mark), area_page(self.data, round_ * 7),
                f"The notes were checked in round {mark}.")

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        raise NotImplementedError

    def start(self, log: Path) -> float:
        started = time.perf_counter()
        # The server is stopped as a person stops it, with Ctrl+C (SIGINT; `stop`). A process started with SIGINT
        # ignored (in the background of a shell without job control: nohup, `make test &`, some CI runners) hands
        # that on to the programs it starts, and the server would not stop until `stop` killed it 120 s later: the
        # server gets SIGINT's default (an exec resets a handler to it; only "ignored" is handed on).
        ignored = signal.getsignal(signal.SIGINT) == signal.SIG_IGN
        if ignored:
            signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            with open(log, "wb") as out:
                self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                             env=dict(os.environ, PYTHONPATH=str(REPO)), start_new_session=True)
        finally:
            if ignored:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        threading.Thread(target=self._sample, daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} stopped: {log.read_text('utf-8', 'replace')[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start in {START_TIMEOUT} s")
            time.sleep(0.2)
        self.idle()
        return time.perf_counter() - started

    def _sample(self) -> None:
        """The tree's memory, every 0.1 s, or ten times as long as a sample took: reading a process's PSS walks
        every page it maps, about 16 ms of system time for a process of 1 GB, which this machine's two cores
        would otherwise give to sampling rather than to the servers (half a core for a preview with two workers)."""
        pause = 0.1
        while not self._stop.wait(pause):
            if self.proc is not None and self.proc.poll() is None:
                began = time.perf_counter()
                self.peak_kb = max(self.peak_kb, sum(_pss_kb(p) for p in _tree(self.proc.pid)))
                pause = max(0.1, 10 * (time.perf_counter() - began))

    def idle(self) -> None:
        """Wait until the server has used no CPU time for IDLE_SECONDS (its rebuild is over)."""
        assert self.proc is not None
        last, quiet_since = cpu_seconds(self.proc.pid), time.monotonic()
        deadline = time.monotonic() + EDIT_TIMEOUT
        while time.monotonic() - quiet_since < IDLE_SECONDS and time.monotonic() < deadline:
            time.sleep(0.1)
            now = cpu_seconds(self.proc.pid)
            if now > last + 0.02:
                last, quiet_since = now, time.monotonic()

    def timed_edit(self, changed: str, page: str, text: str) -> tuple[float, float | None]:
        """Open `page`, save the edit, then ask for `page` until it holds `text`: seconds from the end of the save
        to that answer, and to the end of the whole rebuild (None when the server does not say)."""
        if get(self.url + page.lstrip("/")) is None:   # the page being looked at
            raise RuntimeError(f"{self.name}: {page} is not served")
        before = self.builds()
        self.save(changed)
        saved = time.perf_counter()
        deadline = time.monotonic() + EDIT_TIMEOUT
        while True:
            body = get(self.url + page.lstrip("/"))
            if body is not None and text in body:
                served = time.perf_counter() - saved
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: {page} did not show {text!r} within {EDIT_TIMEOUT} s")
            time.sleep(POLL_SECONDS)
        if before is None:
            return served, None
        while True:
            status = json.loads(get(self.url + "__clinic-pages/status") or "{}")
            if status.get("builds", 0) > before and not status.get("building"):
                if status.get("error"):
                    raise RuntimeError(f"{self.name}: the rebuild failed: {status['error'][:1000]}")
                return served, time.perf_counter() - saved
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name}: the rebuild did not end within {EDIT_TIMEOUT} s")
            time.sleep(POLL_SECONDS)

    def builds(self) -> int | None:
        """Rebuilds finished so far, for a server that says (clinic-pages)."""
        return None

    def stop(self) -> float:
        """Stop the server; return its own peak resident memory in MB."""
        self._stop.set()
        hwm = 0.0
        if self.proc is not None and self.proc.poll() is None:
            hwm = vm_hwm_mb(self.proc.pid)
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return hwm


class ClinicPagesServer(Server):
    name = "clinic-pages serve"

    def write(self) -> None:
        write_project(self.data, self.root)

    def save(self, changed: str) -> None:
        write_data(self.data, self.root, only=(changed,))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "generator", "serve", "--project", str(self.root), "--port", str(self.port)]

    def ready(self) -> bool:
        status = get(self.url + "__clinic-pages/status")
        if status is None:
            return False
        state = json.loads(status)
        if state.get("error"):
            raise RuntimeError(f"{self.name}: {state['error'][:2000]}")
        return state["builds"] >= 1

    def builds(self) -> int | None:
        return json.loads(get(self.url + "__clinic-pages/status") or "{}").get("builds", 0)


class HugoServer(Server):
    name = "hugo server"

    def write(self) -> None:
        sites.write_hugo(self.data, self.root)

    def save(self, changed: str) -> None:
        sites.write_data_files(self.data, self.root / "data",
                               only=({"treatments.yaml": "treatments", "locations.yaml": "areas"}[changed],))

    def command(self) -> list[str]:
        return ["hugo", "server", "--source", str(self.root), "--bind", "127.0.0.1", "--port", str(self.port),
                "--baseURL", self.url, "--appendPort=false"]

    def ready(self) -> bool:
        return get(self.url) is not None


class HugoFullServer(HugoServer):
    name = "hugo server --disableFastRender"

    def command(self) -> list[str]:
        return super().command() + ["--disableFastRender"]


class SampleServer(ClinicPagesServer):
    """`clinic-pages serve` on a copy of the repository's own project, edited as text (comments and layout kept):
    the line after a treatment's `summary: >-` or an area's `notes: >-` gets a sentence at its end."""

    def write(self) -> None:
        for path in input_files(REPO):
            dest = self.root / path.relative_to(REPO)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, dest)
        if (REPO / "images").is_dir():
            shutil.copytree(REPO / "images", self.root / "images", dirs_exist_ok=True)
        self.texts = {name: (self.root / name).read_text("utf-8") for name in ("treatments.yaml", "locations.yaml")}

    def save(self, changed: str) -> None:
        (self.root / changed).write_text(self.texts[changed], "utf-8")

    def edit(self, kind: str, round_: int) -> tuple[str, str, str]:
        mark = 1000 + round_
        if kind == "treatment":
            name, key, sentence = "treatments.yaml", "summary", f"Reviewed in round {mark}."
        else:
            name, key, sentence = "locations.yaml", "notes", f"The notes were checked in round {mark}."
        lines = self.texts[name].split("\n")
        starts = [i for i, line in enumerate(lines) if line.startswith("  - ")] + [len(lines)]

        def slug_of(a: int, b: int) -> str:
            return next(m[1] for line in lines[a:b]
                        if (m := re.match(r' {2}(?:- | {2})slug: "?([^"\s]+)', line)))

        def page_of(slug: str) -> str:
            return f"/{slug}/" if kind == "treatment" else f"/areas/{slug}/"

        records = [(a, b) for a, b in itertools.pairwise(starts)   # each treatment or area that has the text and
                   if any(line.strip() == f"{key}: >-" for line in lines[a:b])   # a page (a place beyond every
                   and (self.root / "output" / page_of(slug_of(a, b))[1:] / "index.html").is_file()]   # radius: none)
        start, end = records[(round_ * 7) % len(records)]
        slug = slug_of(start, end)
        at = next(i for i in range(start, end) if lines[i].strip() == f"{key}: >-") + 1
        said = re.sub(r" (Reviewed in round|The notes were checked in round) \d+\.$", "", lines[at])
        lines[at] = said + " " + sentence
        self.texts[name] = "\n".join(lines)
        return name, page_of(slug), sentence


PEERS = {"hugo": HugoServer, "hugo-full": HugoFullServer}


def landing_page(data: SynthData, treatment: int, area: int) -> str:
    treatments, areas = data.treatments["treatments"], data.locations["locations"]
    return f"/{treatments[treatment % len(treatments)]['slug']}/{areas[area % len(areas)]['slug']}/"


def area_page(data: SynthData, area: int) -> str:
    areas = data.locations["locations"]
    return f"/areas/{areas[area % len(areas)]['slug']}/"


def bench_size(size: int | str, folder: Path, peers: list[str], edits: int, say,
               pair_notes: float = 0.0) -> list[Result]:
    """Start the servers on one site (`size` landing pages of the synthetic project, or "sample"), time `edits`
    edits of each kind on each, in turn."""
    sample = size == "sample"
    if sample:
        servers = [SampleServer(folder / "sample")]
    else:
        tl = SIZES.get(size) or (1, size)
        servers = [kind(folder / f"{size}-{kind.__name__}", synth_data(*tl, pair_notes=pair_notes))
                   for kind in [ClinicPagesServer] + [PEERS[p] for p in peers]]
    results = []
    for server in servers:
        shutil.rmtree(server.root, ignore_errors=True)
        server.write()
        results.append(Result(0 if sample else size, server.name, "sample" if sample else "synthetic"))
    try:
        for server, result in zip(servers, results, strict=True):
            say(f"{size:,} pages: starting {server.name}" if not sample else f"the sample: starting {server.name}")
            result.start_seconds = server.start(folder / f"{size}-{server.name.split()[0]}.log")
            if sample:
                result.size = sum(1 for _ in (server.root / "output").rglob("*.html"))
            say(f"  ready in {result.start_seconds:.1f} s")
        for round_ in range(edits):
            for kind in EDITS:
                order = list(zip(servers, results, strict=True))
                if round_ % 2:
                    order.reverse()   # neither server always goes first
                for server, result in order:
                    changed, page, text = server.edit(kind, round_)
                    cpu = cpu_seconds(server.proc.pid)
                    seconds, rebuilt = server.timed_edit(changed, page, text)
                    result.edits[kind].seconds.append(seconds)
                    if rebuilt is not None:
                        result.rebuilt[kind].seconds.append(rebuilt)
                    server.idle()
                    cpu = cpu_seconds(server.proc.pid) - cpu
                    result.cpu[kind].seconds.append(cpu)
                    say(f"  {server.name}: edit {kind} {round_ + 1}: served in {seconds:.3f} s"
                        + (f", rebuilt in {rebuilt:.3f} s" if rebuilt is not None else "")
                        + f", {cpu:.2f} CPU s ({page})")
    except Exception as exc:  # keep what was measured; say what failed
        for result in results:
            result.failed = result.failed or str(exc)[:500]
        say(f"FAILED: {exc}")
    finally:
        for server, result in zip(servers, results, strict=True):
            result.hwm_mb = server.stop()
            result.peak_mb = server.peak_kb / 1024
    return results


def table(results: list[Result]) -> str:
    def cell(timing: Timing) -> str:
        s = timing.summary()
        return f"{s[0]:.2f} ({s[1]:.2f}–{s[2]:.2f})" if s else "–"

    lines = [("| pages | server | start (s) | edit 1 treatment: served | rebuilt | CPU s | edit 1 area: served | "
              "rebuilt | CPU s | edits | peak MB (tree) | VmHWM MB |"),
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        pages = f"{r.size:,}" + (" (sample)" if r.site == "sample" else "")
        lines.append(f"| {pages} | {r.server} | {r.start_seconds:.1f} | {cell(r.edits['treatment'])} | "
                     f"{cell(r.rebuilt['treatment'])} | {cell(r.cpu['treatment'])} | {cell(r.edits['area'])} | "
                     f"{cell(r.rebuilt['area'])} | {cell(r.cpu['area'])} | "
                     f"{len(r.edits['treatment'].seconds)} | {r.peak_mb:,.0f} | {r.hwm_mb:,.0f} |"
                     + (f" FAILED: {r.failed}" if r.failed else ""))
    lines.append("")
    lines.append("Pages: landing pages of the synthetic site, or every page of the sample. Seconds from the end of "
                 "the save: median (fastest–slowest). Served: the page being looked at shows the edit. "
                 "Rebuilt: the whole rebuild (every affected page rendered and checked, the "
                 "site-wide checks, the files written) is over (clinic-pages only). CPU s: the CPU time the "
                 "server (with its workers) used from the save until it was idle again: less swayed than the "
                 "seconds by other work on a shared machine.")
    return "\n".join(lines)


def targets(results: list[Result]) -> list[str]:
    """Issue 19's targets, met or not, from this run."""
    out = []
    ours = {r.size: r for r in results if r.server == ClinicPagesServer.name and r.site == "synthetic"}
    peers = [r for r in results if r.server != ClinicPagesServer.name]
    limits = {10_000: 0.5, 100_000: 3.0}
    for size, r in sorted(ours.items()):
        for kind in EDITS:
            s, whole = r.edits[kind].summary(), r.rebuilt[kind].summary()
            if s is None:
                continue
            if size in limits:
                out.append(f"{size:,} pages, edit 1 {kind}, median s to the page served: {s[0]:.2f} (target < "
                           f"{limits[size]}): {'met' if s[0] < limits[size] else 'NOT met'}"
                           + (f"; to the end of the rebuild: {whole[0]:.2f}: "
                              f"{'met' if whole[0] < limits[size] else 'NOT met'}" if whole else ""))
            for h in (p for p in peers if p.size == size):
                hs = h.edits[kind].summary()
                if hs:
                    out.append(f"{size:,} pages, edit 1 {kind}, clinic-pages {s[0]:.2f} s (rebuilt "
                               f"{whole[0] if whole else float('nan'):.2f} s) vs {h.server} {hs[0]:.2f} s: "
                               f"{'at least as fast' if s[0] <= hs[0] else 'SLOWER'} to the page served")
        if size == 100_000:
            out.append(f"100,000 pages, memory of the running preview (largest sampled, with its workers): "
                       f"{r.peak_mb:,.0f} MB, its own peak {r.hwm_mb:,.0f} MB (target < 1,024): "
                       f"{'met' if max(r.peak_mb, r.hwm_mb) < 1024 else 'NOT met'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000",
                        help="landing pages per synthetic site, from 1000, 10000, 100000, or `sample`, the "
                             "repository's own project (default: 1000,10000)")
    parser.add_argument("--edits", type=int, default=5, help="edits of each kind per server (default 5)")
    parser.add_argument("--peers", default="hugo", help="comma-separated: hugo, hugo-full; or none (default: hugo)")
    parser.add_argument("--pair-notes", type=float, default=0.0, metavar="SHARE",
                        help="share of the synthetic landing pages with text written for them (0 to 1; default 0: "
                             "none, so the doorway gate holds every landing page back and leaves it out of the "
                             "duplicate analysis; 1: every landing page judged, the analysis at its largest)")
    parser.add_argument("--dir", type=Path, help="where the sites go (default: a new folder under /tmp)")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args(argv)
    sizes = [s if s == "sample" else int(s) for s in args.sizes.split(",")]
    unknown = [s for s in sizes if s != "sample" and s not in SIZES and s > 100]
    if unknown:
        parser.error(f"unknown size {unknown[0]}; sizes are {', '.join(map(str, SIZES))} (or a tiny one, <= 100)")
    peers = [] if args.peers == "none" else args.peers.split(",")
    if set(peers) - set(PEERS):
        parser.error(f"unknown peer {min(set(peers) - set(PEERS))}; peers are {', '.join(PEERS)}, or none")
    if peers and shutil.which("hugo") is None:
        parser.error("hugo is not installed: run `bash bench/setup.sh`, or pass --peers none")
    folder = args.dir or Path(tempfile.mkdtemp(prefix="clinic-pages-preview-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results: list[Result] = []
    for size in sizes:
        results += bench_size(size, folder, peers, args.edits, say, args.pair_notes)
    print(table(results))
    print()
    print("\n".join(f"- {line}" for line in targets(results)))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    if args.dir is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
