"""Preview: serve output/ on 127.0.0.1, rebuild on save, reload the open page, show errors as an overlay.

The live-reload script is added to HTML responses as they are served; the files in output/ never contain it.
While the data or a template has an error, the last good pages stay served and every page shows the error.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.build import build
from generator.errors import ClinicPagesError
from generator.state import input_files

log = logging.getLogger(__name__)

PREFIX = "/__clinic-pages/"
POLL_SECONDS = 0.2

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
  function handle(status) {
    if (status.error) {
      if (status.version !== failed) { overlay(status); failed = status.version; }
    } else {
      clear();
      failed = null;
    }
    if (version !== null && status.version !== version && !status.error) { location.reload(); }
    version = status.version;
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
        text = text_report(Report.from_result("build", str(output), exc.result), limit=None) + f"the build stopped: {exc}"
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
    """The state shared by the watcher and the HTTP handlers."""

    project: Path
    output: Path
    version: int = 0
    failure: Failure | None = None
    changed: threading.Condition = field(default_factory=threading.Condition)

    def status(self) -> dict:
        failure = self.failure
        if failure is None:
            return {"version": self.version, "error": None}
        return {"version": self.version, "error": failure.text, "heading": failure.heading,
                "problems": failure.problems}

    def rebuild(self) -> None:
        try:
            report = build(self.project, self.output)
        except Exception as exc:   # any failure shows, and the next save rebuilds (the watcher must not die)
            failure = describe_failure(exc, self.project, self.output)
            if not isinstance(exc, ClinicPagesError):
                log.debug("the rebuild failed", exc_info=exc)
            log.error("%s", failure.text)
        else:
            failure = None
            log.info("%s", report.summary())
        with self.changed:
            self.version += 1
            self.failure = failure
            self.changed.notify_all()


def watched_files(project: Path) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every input the build reads."""
    seen = {}
    for path in input_files(project):
        try:
            st = path.stat()
            seen[str(path)] = (st.st_mtime_ns, st.st_size)
        except OSError:
            seen[str(path)] = (0, -1)
    return seen


def watch(preview: Preview, stop: threading.Event, last: dict[str, tuple[int, int]]) -> None:
    """Rebuild whenever an input differs from `last`, the snapshot taken before the previous build."""
    while not stop.wait(POLL_SECONDS):
        now = watched_files(preview.project)
        if now != last:
            time.sleep(0.05)  # let an editor finish writing
            last = watched_files(preview.project)
            preview.rebuild()


class Handler(SimpleHTTPRequestHandler):
    preview: Preview

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
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
        if target.is_file():
            if target.suffix == ".html":
                return self._send(HTTPStatus.OK, "text/html; charset=utf-8", _inject(target.read_bytes()))
            return super().do_GET()
        missing = Path(self.directory) / "404.html"
        body = _inject(missing.read_bytes()) if missing.is_file() else b"Not found"
        return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", body)

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


def _inject(html: bytes) -> bytes:
    tag = f'<script src="{PREFIX}live.js"></script>'.encode()
    at = html.rfind(b"</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag


class PreviewServer:
    """A running preview: `start()` builds, serves and watches; `stop()` ends all three."""

    def __init__(self, project: Path, output: Path | None = None, host: str = "127.0.0.1", port: int = 8000):
        self.preview = Preview(Path(project), Path(output) if output else Path(project) / "output")
        handler = type("PreviewHandler", (Handler,), {"preview": self.preview})
        self.preview.output.mkdir(parents=True, exist_ok=True)
        self.httpd = ThreadingHTTPServer((host, port), partial(handler, directory=str(self.preview.output)))
        self.httpd.daemon_threads = True
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> PreviewServer:
        snapshot = watched_files(self.preview.project)  # before building, so no edit can slip between the two
        self.preview.rebuild()
        self._threads = [threading.Thread(target=self.httpd.serve_forever, daemon=True),
                         threading.Thread(target=watch, args=(self.preview, self._stop, snapshot), daemon=True)]
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        with self.preview.changed:
            self.preview.changed.notify_all()
