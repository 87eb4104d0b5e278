"""What the browser tests and the Lighthouse script share: a static HTTP server on 127.0.0.1, Debian's Chromium
and its flags, the npm tools in tests/browser/node_modules, and one page of each kind."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

HERE = Path(__file__).resolve().parent
NODE_MODULES = HERE / "node_modules"
# What the browser tests leave to look at (screenshots), outside the repository: $CLINIC_PAGES_ARTIFACTS, else a
# folder in the system's temporary directory.
ARTIFACTS = Path(os.environ.get("CLINIC_PAGES_ARTIFACTS") or Path(tempfile.gettempdir()) / "clinic-pages-artifacts")
CHROMIUM = "/usr/bin/chromium"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
# No downloads, no first-run dialogs, nothing in the background that could make a run slow or flaky.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check"]
SETUP_HINT = "run `bash tests/setup-system.sh` (installs Debian's chromium and the npm packages of tests/browser)"


def missing_tools(*npm_packages: str) -> list[str]:
    """What is not installed of Chromium, node and the given npm packages (and Java, for vnu-jar)."""
    missing = [] if Path(CHROMIUM).exists() else [CHROMIUM]
    if npm_packages and shutil.which("node") is None:
        missing.append("node")
    if "vnu-jar" in npm_packages and shutil.which("java") is None:
        missing.append("java")
    missing += [f"tests/browser/node_modules/{p}" for p in npm_packages if not (NODE_MODULES / p).is_dir()]
    return missing


class _StaticHandler(SimpleHTTPRequestHandler):
    """Serves files as a static host does, with the site's own 404.html for missing paths."""

    def log_message(self, format: str, *args) -> None:   # keep test output clean
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on 127.0.0.1 (a free port) and yield its base URL; stop the server on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_StaticHandler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def page_per_kind(project: Path, site: Path | None = None, indexable_only: bool = False) -> dict[str, str]:
    """{page kind: URL path}: for each kind of page the project's plan makes (home, areas, area, treatment,
    landing, not-found), the first by URL that is indexable in the built `site` folder, else the first.
    With `indexable_only`, kinds with no indexable page are left out (the build may demote thin pages)."""
    from generator.plan import plan_site
    from generator.validate import load_project

    def noindex(page) -> bool:
        if not page.indexable:
            return True
        path = (site / page.file) if site else None
        return bool(path and path.is_file() and _NOINDEX.search(path.read_text("utf-8", errors="replace")))

    ranked = sorted((noindex(p), p.url_path, p.kind) for p in plan_site(load_project(project)).pages)
    chosen: dict[str, str] = {}
    for hidden, url_path, kind in ranked:
        if not (hidden and indexable_only):
            chosen.setdefault(kind, url_path)
    return chosen


_NOINDEX = re.compile(r"<meta\s+name=[\"']?robots[\"']?\s+content=[\"'][^\"']*noindex", re.I)
