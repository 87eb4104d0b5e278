"""Preview: serve output/ on 127.0.0.1, rebuild on save, reload the open page, show errors as an overlay.

The preview stays warm: it runs the same `build()` as the command line, with a `build.Memory` that keeps the
build state, the output manifest and the check results of the last build in memory, so a save costs the pages it
changes (and the site-wide part of the checks), not a whole build. A cold `clinic-pages build` is the reference:
the output is the same bytes. Saves are seen as file events from the operating system (watchdog: inotify on
Linux), gathered until the files have been quiet for DEBOUNCE_SECONDS.

The live-reload script is added to HTML responses as they are served; the files in output/ never contain it.
While the data or a template has an error, the last good pages stay served and every page shows the error.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import ObservedWatch

from generator.build import build, show_placeholders, show_unserved
from generator.data import TEMPLATES_DIR, output_folder
from generator.edit.web import PREFIX as EDIT_PREFIX
from generator.edit.web import Editor, is_loopback
from generator.errors import ClinicPagesError
from generator.memory import Memory, render_ahead
from generator.paths import first_link
from generator.state import input_files
from generator.workers import replaced_workers

log = logging.getLogger(__name__)

PREFIX = "/__clinic-pages/"
DEBOUNCE_SECONDS = 0.05   # quiet time after the last file event before a rebuild: an editor saves in steps
WRITE_GRACE_SECONDS = 2   # longest wait for a file being written in place to be closed
CHANGED_LIMIT = 1000      # pages named in a status as changed; past it, every open page reloads
RECENT_PAGES = 8          # pages asked for lately that a save renders first

LIVE_JS = r"""
(function () {
  var shown = null;
  function add(parent, tag, text, style) {
    var node = document.createElement(tag);
    if (text) { node.textContent = text; }
    if (style) { node.style.cssText = style; }
    parent.appendChild(node);
    return node;
  }
  function overlay(status) {
    if (shown) { shown.remove(); }
    shown = document.createElement("div");
    shown.id = "clinic-pages-error";
    shown.setAttribute("role", "alert");
    shown.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:1.5rem;" +
      "background:rgba(20,20,20,.95);color:#fff;font:15px/1.5 ui-monospace,monospace";
    add(shown, "p", "clinic-pages could not rebuild the site. The last good pages are still served.",
        "margin:0 0 .5rem;color:#ccc");
    add(shown, "h2", status.heading, "margin:0 0 1rem;font-size:1.25rem");
    var problems = status.problems || [];
    problems.slice(0, 50).forEach(function (p) {
      var box = add(shown, "section", null, "margin:0 0 1rem;padding:.5rem .75rem;border-left:4px solid #f66");
      box.className = "clinic-pages-problem";
      add(box, "div", p.title, "font-weight:bold;color:#fcc");
      if (p.page) {
        var link = add(box, "a", p.page, "color:#9cf");
        link.href = p.page;
      }
      add(box, "div", p.message, "white-space:pre-wrap");
      if (p.excerpt && p.excerpt.length) {
        add(box, "pre", p.excerpt.join("\n"), "margin:.4rem 0;color:#ddd;font:inherit");
      }
      if (p.evidence) { add(box, "div", p.evidence, "color:#bbb;white-space:pre-wrap"); }
      if (p.hint) { add(box, "div", "Fix: " + p.hint, "color:#9f9;white-space:pre-wrap"); }
    });
    if (problems.length > 50) {
      add(shown, "p", "... and " + (problems.length - 50) + " more: the terminal shows them all.");
    }
    add(shown, "p", "Fix the file and save: this page reloads by itself.", "color:#ccc");
    document.body.appendChild(shown);
  }
  function clear() { if (shown) { shown.remove(); shown = null; } }
  var version = null;
  var failed = null;
  function mine(changed) {   // null: every page may have changed
    return changed === null || changed === undefined || changed.indexOf(location.pathname) >= 0;
  }
  function handle(status) {
    if (status.error) {
      if (status.version !== failed) { overlay(status); failed = status.version; }
    } else {
      clear();
      failed = null;
    }
    if (version !== null && status.version !== version && !status.error && mine(status.changed)) {
      location.reload();
      return;
    }
    version = status.version;
    document.documentElement.setAttribute("data-clinic-pages-build", version);   // the build this page has seen
  }
  fetch("/__clinic-pages/status").then(function (r) { return r.json(); }).then(function (s) {
    handle(s);
    var source = new EventSource("/__clinic-pages/events");
    source.onmessage = function (e) { handle(JSON.parse(e.data)); };
  });
})();
"""


@dataclass
class Failure:
    """What stopped a rebuild, as the terminal and the overlay show it: a heading, the full text, and each problem
    (title: the rule or the file and line; page: a URL path; message; excerpt: the file's line with a caret;
    evidence; hint)."""

    heading: str
    text: str
    problems: list[dict[str, object]]


def describe_failure(exc: BaseException, project: Path, output: Path) -> Failure:
    """Any error of a rebuild, the tool's own or not, in the words the marketer needs to fix it."""
    from generator.errors import ChecksFailed, DataError, Problem, TemplateProblem, show_problems

    def lines_of(problem: Problem) -> list[str]:
        shown = show_problems([problem], project).split("\n")
        return [line for line in shown[1:] if not line.startswith("    hint: ")]

    problems: list[dict[str, object]]
    if isinstance(exc, DataError):
        problems = [{"title": p.where, "message": f"{p.field}: {p.message}" if p.field else p.message,
                     "excerpt": lines_of(p), "hint": p.hint} for p in exc.problems]
        count = len(exc.problems)
        return Failure(f"{count} problem{'s' if count != 1 else ''} in the data; nothing was written",
                       show_problems(exc.problems, project), problems)
    if isinstance(exc, ChecksFailed):
        from generator.report import Report, text_report
        problems = [{"title": f.rule, "page": f.page, "message": f.message, "evidence": f.evidence,
                     "hint": f.hint} for f in exc.stopping]
        text = (text_report(Report.from_result("build", str(output), exc.result), limit=None)
                + f"the build stopped: {exc}")
        return Failure(exc.found[0].upper() + exc.found[1:].split(" (")[0] + ": they stop the build", text, problems)
    if isinstance(exc, TemplateProblem):
        where = Problem(exc.template, exc.line, None, "", exc.message)
        problems = [{"title": where.where, "page": exc.page, "message": exc.message, "excerpt": lines_of(where),
                     "hint": "fix the template; the page named above is the first one that failed"}]
        return Failure("A template could not be rendered", show_problems([where], project) +
                       (f"\n    while rendering {exc.page}" if exc.page else ""), problems)
    if isinstance(exc, ClinicPagesError):
        return Failure("The site could not be rebuilt", str(exc), [{"title": "error", "message": str(exc)}])
    message = f"{type(exc).__name__}: {exc}"
    hint = ("this is a fault in clinic-pages itself, not in your files; the next save tries again, and "
            "`clinic-pages build --debug` shows where it happened")
    return Failure("clinic-pages failed unexpectedly", f"{message}\n    hint: {hint}",
                   [{"title": "unexpected error", "message": message, "hint": hint}])


@dataclass
class Preview:
    """The state shared by the rebuilds and the HTTP handlers: the number of builds so far, the pages the last one
    changed, what stopped the last one (if it failed), the pages being looked at, and the build memory kept
    between saves.

    A save is shown in two steps. First the pages being looked at (the last few asked for) are rendered from the
    saved files with the memory of the last build (`build.render_ahead`), and served from memory, so the change is
    on screen at once; then the whole rebuild runs (every affected page rendered and checked, the site-wide
    checks, the files written), and its output replaces them: if it fails, the overlay says why."""

    project: Path
    output: Path
    version: int = 0                                                # changes the open pages heard of
    builds: int = 0                                                 # rebuilds finished
    failure: Failure | None = None
    changed_pages: list[str] | None = field(default_factory=list)   # URL paths; None: every page may have changed
    listeners: int = 0                                              # open pages waiting for news of a rebuild
    said: tuple = ()                                                # the places without pages and placeholders
                                                                    # last shown in the terminal
    recent: dict[str, None] = field(default_factory=dict)           # URL paths asked for lately, oldest first
    ahead: dict[str, bytes] = field(default_factory=dict)           # file in output/ -> its bytes rendered ahead
    building: bool = False                                          # a rebuild is under way
    memory: Memory = field(default_factory=Memory)
    editor: Any = None   # the editing page (generator/edit/web.py), on a loopback address only
    changed: threading.Condition = field(default_factory=threading.Condition)

    def status(self) -> dict:
        failure = self.failure
        common = {"version": self.version, "builds": self.builds, "building": self.building,
                  "listeners": self.listeners}
        if failure is None:
            return {**common, "error": None, "changed": self.changed_pages}
        return {**common, "error": failure.text, "heading": failure.heading, "problems": failure.problems}

    def visit(self, url: str) -> None:
        """Note a page being looked at (rendered first after the next save)."""
        with self.changed:
            self.recent.pop(url, None)
            self.recent[url] = None
            while len(self.recent) > RECENT_PAGES:
                del self.recent[next(iter(self.recent))]

    def rebuild(self) -> None:
        started = time.perf_counter()
        shown = self._show_ahead() if self.failure is None else {}
        if shown:
            log.debug("rendered ahead: %s (%.2f s)", ", ".join(sorted(shown)), time.perf_counter() - started)
        failure: Failure | None
        changed: list[str] | None
        try:
            with replaced_workers():   # the preview lives on: what workers copy must not stay in its peak
                report = build(self.project, self.output, memory=self.memory)
        except Exception as exc:   # any failure shows, and the next save rebuilds (the watcher must not die)
            failure, changed = describe_failure(exc, self.project, self.output), []
            if not isinstance(exc, ClinicPagesError):
                log.debug("the rebuild failed", exc_info=exc)
            log.error("%s", failure.text)
        else:
            failure, changed = None, changed_pages(report.result.written + report.result.removed)
            if changed is not None and shown:   # a page shown ahead reloads only if the build made it otherwise
                same = {url for url, (file, data) in shown.items() if data == _read(self.output / file)}
                changed = [url for url in changed if url not in same]
            if report.up_to_date:
                log.debug("%s", report.summary())
            else:
                log.info("%s (%.2f s)", report.summary(), time.perf_counter() - started)
                said = ([u.reason for u in report.unserved], report.placeholders)
                if said != self.said:   # said at the start, and again when the list changes: nothing is silent
                    show_unserved(report.unserved, log)
                    show_placeholders(report.placeholders, log)
                    self.said = said
        with self.changed:
            self.version += 1
            self.builds += 1
            self.failure = failure
            self.changed_pages = changed
            self.ahead, self.building = {}, False
            self.changed.notify_all()

    def _show_ahead(self) -> dict[str, tuple[str, bytes]]:
        """Render the pages being looked at ahead of the rebuild and announce them; {URL: (file, bytes)}."""
        with self.changed:
            urls = list(reversed(self.recent))
        try:
            shown = render_ahead(self.project, self.memory, urls)
        except Exception as exc:   # a data or template error: the rebuild says what is wrong
            log.debug("nothing rendered ahead: %s", exc)
            return {}
        with self.changed:
            self.building = True
            if shown:
                self.ahead = {file: data for file, data in shown.values()}
                self.version += 1
                self.changed_pages = sorted(shown)
            self.changed.notify_all()
        return shown


def settle_heap() -> None:
    """After a rebuild, once its pages are served: free what earlier builds left in reference cycles, then put what
    is left (the last build's memory: pages, check results, the duplicate tables) out of the cyclic garbage
    collector's reach, so that the next save's parsing and rendering do not walk it again at every collection (at
    10,000 pages with pair notes, reading the saved locations.yaml before the page is shown took 1.3-1.5 s of CPU,
    and 0.9-1.0 s with the memory frozen). `gc.unfreeze` before each collection: nothing stays out of reach for
    longer than one save."""
    gc.unfreeze()
    gc.collect()
    trim_heap()
    gc.freeze()


def trim_heap() -> bool:
    """Give the C library's free heap memory back to the system (glibc's malloc_trim; False elsewhere). What a
    rebuild made and freed in between what it kept (long texts, dicts of 100,000 pages) otherwise stays resident:
    at 10,000 pages the settled preview held about 15 MB less with it (one in-process run, 157 -> 142 MB PSS)."""
    try:
        import ctypes
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        return True
    except (OSError, AttributeError):
        return False


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def changed_pages(files: list[str]) -> list[str] | None:
    """The URL paths of the pages among `files` (paths in output/); None when something that every page uses
    changed (a stylesheet, an image) or there are too many to list."""
    pages = []
    for rel in files:
        if rel.endswith("index.html"):
            pages.append("/" + rel[:-len("index.html")])
        elif rel.endswith(".html"):
            pages.append("/" + rel)
        elif rel.startswith("assets/"):
            return None
    return sorted(pages) if len(pages) <= CHANGED_LIMIT else None


class Watcher(FileSystemEventHandler):
    """Which inputs of the build changed, from the operating system's file events: the project folder itself
    (not what is under it, such as output/), everything under templates/, and the folders of the rule files
    site.yaml names (`refresh` follows a change of those). `wait` returns once files have changed and then been
    quiet for DEBOUNCE_SECONDS."""

    def __init__(self, project: Path):
        self.project = Path(project).resolve()
        self.templates = self.project / TEMPLATES_DIR
        self.observer = Observer()
        self.watches: dict[tuple[str, bool], ObservedWatch] = {}
        self.inputs: set[str] = set()
        self.pending: set[str] = set()     # inputs changed since the last rebuild began
        self.writing: set[str] = set()     # of those, files written in place and not closed yet
        self.events = 0
        self.event = threading.Condition()

    def start(self) -> None:
        self.refresh()
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        with self.event:
            self.event.notify_all()
        self.observer.join(timeout=5)

    def refresh(self) -> None:
        """Watch the folders that hold the inputs now (a rule file may have been added to site.yaml)."""
        self.inputs = {str(path.resolve()) for path in input_files(self.project)}
        wanted = {(str(self.project), False)}
        if self.templates.is_dir():
            wanted.add((str(self.templates), True))
        for path in self.inputs:
            parent = Path(path).parent
            if parent != self.project and self.templates not in (parent, *parent.parents) and parent.is_dir():
                wanted.add((str(parent), False))
        for key in set(self.watches) - wanted:
            self.observer.unschedule(self.watches.pop(key))
        for folder, recursive in wanted - set(self.watches):
            self.watches[(folder, recursive)] = self.observer.schedule(self, folder, recursive=recursive)

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [p for p in (event.src_path, getattr(event, "dest_path", "")) if p]
        touched = [p for p in map(os.fsdecode, paths) if p in self.inputs or p.startswith(f"{self.templates}/")]
        if not touched:
            return
        with self.event:
            self.pending.update(touched)
            self.events += 1
            if event.is_directory:
                pass
            elif event.event_type in ("created", "modified"):
                self.writing.add(touched[0])      # written in place: wait for the file to be closed
            else:
                self.writing.difference_update(touched)   # closed, or moved into place whole
            self.event.notify_all()

    def wait(self, stop: threading.Event) -> set[str]:
        """The inputs that changed, once they have been quiet for DEBOUNCE_SECONDS and every file written in place
        has been closed (or WRITE_GRACE_SECONDS have gone by); empty when stopped."""
        with self.event:
            while not self.pending and not stop.is_set():
                self.event.wait(timeout=1)
            began = time.monotonic()
            while not stop.is_set():   # the debounce: another event starts the quiet time again
                seen = self.events
                self.event.wait(timeout=DEBOUNCE_SECONDS)
                if self.events == seen and (not self.writing or time.monotonic() - began > WRITE_GRACE_SECONDS):
                    break
            changed, self.pending = self.pending, set()
            self.writing.clear()
        return changed if not stop.is_set() else set()


def rebuild_on_save(preview: Preview, watcher: Watcher, stop: threading.Event) -> None:
    """The preview's loop: wait for a save, watch what the data names now, rebuild."""
    while not stop.is_set():
        try:
            changed = watcher.wait(stop)
            if not changed:
                continue
            log.debug("changed: %s", ", ".join(sorted(os.path.relpath(p, watcher.project) for p in changed)))
            watcher.refresh()   # before the build reads them: a save to a newly named rule file cannot slip by
            preview.rebuild()   # shows any failure of the build itself
            settle_heap()
        except Exception:
            log.exception("the preview could not watch the project's files; it tries again at the next save")


class Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(EDIT_PREFIX) and self.preview.editor is not None:
            return self.preview.editor.handle(self, "GET")
        if path == PREFIX + "status":
            return self._send(HTTPStatus.OK, "application/json", json.dumps(self.preview.status()).encode())
        if path == PREFIX + "live.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS.encode())
        if path == PREFIX + "events":
            return self._events()
        target = Path(self.translate_path(path))
        if target.is_dir() and path.endswith("/"):
            target = target / "index.html"
        elif target.is_dir():
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", path + "/")
            self.end_headers()
            return None
        # No link in output/ is followed: a page replaced by one is served as missing.
        real = target.is_file() and not first_link(self.directory, os.path.relpath(target, self.directory))
        if real or (target.suffix == ".html" and self._ahead(target) is not None):
            if target.suffix == ".html":
                self.preview.visit(path if path.endswith(("/", ".html")) else path + "/")
                ahead = self._ahead(target)
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8",
                                  _inject(ahead if ahead is not None else target.read_bytes()))
            return super().do_GET()
        missing = Path(self.directory) / "404.html"
        body = _inject(missing.read_bytes()) if missing.is_file() else b"Not found"
        return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body)

    def do_POST(self) -> None:
        if self.path.startswith(EDIT_PREFIX) and self.preview.editor is not None:
            return self.preview.editor.handle(self, "POST")
        return self._send(HTTPStatus.METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", b"the preview is read-only")

    def _ahead(self, target: Path) -> bytes | None:
        """The page as rendered ahead of the rebuild under way, if it was."""
        ahead = self.preview.ahead
        return ahead.get(os.path.relpath(target, self.directory)) if ahead else None

    def _send(self, status: HTTPStatus, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        with self.preview.changed:
            self.preview.listeners += 1
        try:
            while True:
                with self.preview.changed:
                    if self.preview.version == seen:
                        self.preview.changed.wait(timeout=15)
                    status = self.preview.status()
                if status["version"] != seen:
                    seen = status["version"]
                    self.wfile.write(f"data: {json.dumps(status)}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return
        finally:
            with self.preview.changed:
                self.preview.listeners -= 1


def _inject(html: bytes) -> bytes:
    tag = f'<script src="{PREFIX}live.js"></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


class PreviewServer:
    """A running preview: `start()` builds, serves and watches; `stop()` ends all three (and writes the check
    cache the builds kept in memory)."""

    def __init__(self, project: Path, output: Path | None = None, host: str = "127.0.0.1", port: int = 8000):
        self.preview = Preview(Path(project), output_folder(project, output))
        if is_loopback(host):
            self.preview.editor = Editor(self.preview.project)
        handler = type("PreviewHandler", (Handler,), {"preview": self.preview})
        self.preview.output.mkdir(parents=True, exist_ok=True)
        self.httpd = ThreadingHTTPServer((host, port), partial(handler, directory=str(self.preview.output)))
        self.httpd.daemon_threads = True
        self.watcher = Watcher(self.preview.project)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host.decode() if isinstance(host, bytes) else host}:{port}/"

    def start(self) -> PreviewServer:
        self.watcher.start()   # before building, so that no save can slip between the two
        self.preview.rebuild()
        settle_heap()
        self._threads = [threading.Thread(target=self.httpd.serve_forever, daemon=True),
                         threading.Thread(target=rebuild_on_save, args=(self.preview, self.watcher, self._stop),
                                          daemon=True)]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.watcher.stop()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads[1:]:   # a rebuild under way finishes before the memory is saved
            thread.join(timeout=60)
        with self.preview.changed:
            self.preview.changed.notify_all()
        self.preview.memory.save()
        gc.unfreeze()
