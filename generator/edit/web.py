"""The editing page of the preview (`clinic-pages serve`, then /__clinic-pages/edit/): a form for the site, each
treatment and each area, drawn from the schema, with the CLI's own messages and the claims check as one types.

It is a local tool and guards itself as one: it runs only when the preview listens on a loopback address; every
request must name that address and port in its Host header (no DNS rebinding); a change must come from the page's
own origin (Origin header) as JSON and carry the token of this run of the preview, which only the editing page
itself is given, so no other web page the person has open can read or write the files; and it writes only the
project's data files (generator/edit/files.py)."""

from __future__ import annotations

import base64
import hmac
import ipaddress
import json
import logging
import secrets
from dataclasses import dataclass, field
from http import HTTPStatus
from importlib import resources
from pathlib import Path
from typing import Any

from generator.edit.form import describe_file
from generator.edit.store import STEMS, Conflict, Invalid, Store, from_json, problem_json
from generator.errors import ClinicPagesError, DataError

log = logging.getLogger(__name__)

PREFIX = "/__clinic-pages/edit/"
TOKEN_HEADER = "X-Clinic-Pages-Token"
MAX_BODY = 8 * 1024 * 1024
_ASSETS = {"editor.js": "text/javascript; charset=utf-8", "editor.css": "text/css; charset=utf-8"}


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


@dataclass
class Editor:
    """The editing page and its API, mounted in the preview's request handler."""

    project: Path
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def __post_init__(self) -> None:
        self.store = Store(self.project)
        self._claims: tuple[str, Any] | None = None

    # -- requests ------------------------------------------------------------------------------------------------

    def handle(self, handler: Any, method: str) -> None:
        """Answer one request under PREFIX (`handler` is the preview's BaseHTTPRequestHandler)."""
        port = handler.server.server_address[1]
        refusal = self._refusal(handler, method, port)
        if refusal:
            log.warning("editing page: refused %s %s (%s)", method, handler.path, refusal)
            return _send(handler, HTTPStatus.FORBIDDEN, {"error": refusal})
        route = handler.path.split("?", 1)[0][len(PREFIX):]
        try:
            if method == "GET" and route in ("", "index.html"):
                return self._page(handler)
            if method == "GET" and route.startswith("static/") and route[7:] in _ASSETS:
                name = route[7:]
                asset = resources.files("generator.edit").joinpath("static", name).read_bytes()
                return _send_bytes(handler, HTTPStatus.OK, _ASSETS[name], asset)
            if not route.startswith("api/"):
                return _send(handler, HTTPStatus.NOT_FOUND, {"error": "no such page"})
            if not hmac.compare_digest(handler.headers.get(TOKEN_HEADER, ""), self.token):
                return _send(handler, HTTPStatus.FORBIDDEN,
                             {"error": "missing or wrong token: reload the editing page"})
            if method == "GET" and route == "api/state":
                return _send(handler, HTTPStatus.OK, self.state())
            if method != "POST":
                return _send(handler, HTTPStatus.METHOD_NOT_ALLOWED, {"error": "use POST"})
            body = _read_json(handler)
            if route == "api/validate":
                return _send(handler, HTTPStatus.OK, self.validate(body))
            if route == "api/claims":
                return _send(handler, HTTPStatus.OK, self.claims(body))
            if route == "api/save":
                return _send(handler, HTTPStatus.OK, self.save(body))
            if route == "api/upload":
                return _send(handler, HTTPStatus.OK, self.upload(body))
            return _send(handler, HTTPStatus.NOT_FOUND, {"error": "no such action"})
        except _BadRequest as exc:
            return _send(handler, HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        except Invalid as exc:
            return _send(handler, HTTPStatus.UNPROCESSABLE_ENTITY,
                         {"error": str(exc), "problems": [problem_json(p) for p in exc.problems]})
        except Conflict as exc:
            return _send(handler, HTTPStatus.CONFLICT, {"error": f"{exc}; reload the page to edit the new version"})
        except ClinicPagesError as exc:
            return _send(handler, HTTPStatus.UNPROCESSABLE_ENTITY, {"error": str(exc)})

    def _refusal(self, handler: Any, method: str, port: int) -> str | None:
        host = handler.headers.get("Host", "")
        name, _, given = host.rpartition(":")
        if not name or given != str(port) or not is_loopback(name):
            return f"the Host header must be 127.0.0.1:{port} or localhost:{port}"
        origin = handler.headers.get("Origin")
        if origin is not None and origin != f"http://{host}":
            return "a request from another web page"
        if handler.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
            return "a request from another web page"
        if method == "POST":
            if origin is None:
                return "a change without an Origin header"
            if handler.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
                return "a change that is not JSON"
        return None

    def _page(self, handler: Any) -> None:
        page = resources.files("generator.edit").joinpath("static", "editor.html").read_text("utf-8")
        body = page.replace("{{token}}", self.token).replace("{{project}}", _html(self.project.name)).encode()
        handler.send_response(HTTPStatus.OK)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Cache-Control", "no-store")
        handler.send_header("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
        handler.send_header("X-Frame-Options", "DENY")
        handler.end_headers()
        handler.wfile.write(body)

    # -- actions -------------------------------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        from generator.model import SCHEMAS

        return {"files": self.store.state(),
                "forms": {stem: describe_file(SCHEMAS[f"{stem}.yaml"]) for stem in STEMS}}

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        stem = _stem(body)
        problems = self.store.check({stem: from_json(body.get("data"))})
        return {"problems": [problem_json(p) for p in problems]}

    def save(self, body: dict[str, Any]) -> dict[str, Any]:
        stem = _stem(body)
        origins = body.get("origins")
        if origins is not None and (not isinstance(origins, list) or not all(
                o is None or (isinstance(o, int) and not isinstance(o, bool)) for o in origins)):
            raise _BadRequest("origins must be a list of positions")
        result = self.store.save(stem, from_json(body.get("data")), str(body.get("version", "")), origins)
        log.info("editing page: saved %s", ", ".join(result["written"]) or "nothing (no change)")
        return result

    def upload(self, body: dict[str, Any]) -> dict[str, Any]:
        """A picture for a field that names a file under images/: stored as images/NAME (its name made safe; one
        that is there already is replaced, its last version kept in backup/)."""
        name, data = body.get("name"), body.get("data")
        if not isinstance(name, str) or not isinstance(data, str):
            raise _BadRequest("name and data (base64) must be strings")
        try:
            content = base64.b64decode(data, validate=True)
        except ValueError:
            raise _BadRequest("data is not base64") from None
        return {"src": store_picture(self.project, name, content)}

    def claims(self, body: dict[str, Any]) -> dict[str, Any]:
        text = body.get("text")
        if not isinstance(text, str):
            raise _BadRequest("text must be a string")
        return {"findings": claims_in_text(text, self._checker())}

    def _checker(self) -> Any:
        """The claims check the build would run (the project's rules and policies), made once per version of
        site.yaml."""
        from generator.checks.claims import ClaimsChecker
        from generator.checks.rulesets import rules_for
        from generator.model import CheckSettings
        from generator.validate import load_check_settings

        version = self.store.read("site").version
        if self._claims is None or self._claims[0] != version:
            try:
                settings = load_check_settings(self.project)
            except DataError:
                settings = CheckSettings()
            site = self.store.read("site").data or {}
            disclaimers = [str(t) for t in (site.get("disclaimers") or {}).values()] if isinstance(site, dict) \
                else []
            try:
                rules = rules_for(settings, self.project)
            except DataError:
                rules = rules_for(CheckSettings(), self.project)
            self._claims = (version, ClaimsChecker(rules, disclaimers))
        return self._claims[1]


def claims_in_text(text: str, checker: Any) -> list[dict[str, str]]:
    """The claims findings of one text as it would stand on a page: rule, message, the words found, the fix."""
    from html import escape

    from generator.checks.html import parse_html

    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in text.split("\n") if p.strip())
    page = parse_html("edit/index.html", f"<!doctype html><html><body><main>{paragraphs}</main></body></html>")
    return [{"rule": f.rule, "severity": f.severity, "message": f.message.replace(" in the main text", ""),
             "evidence": f.evidence, "hint": f.hint} for f in checker.check(page)]


class _BadRequest(Exception):
    pass


PICTURE_DIR = "images"
MAX_PICTURE = 20 * 1024 * 1024
_PICTURES = {b"\xff\xd8\xff": ".jpg", b"\x89PNG\r\n\x1a\n": ".png", b"GIF87a": ".gif", b"GIF89a": ".gif"}


def picture_kind(content: bytes) -> str | None:
    """The extension of a JPEG, PNG, GIF, WebP or AVIF file, from its first bytes (never from its name)."""
    for magic, ext in _PICTURES.items():
        if content.startswith(magic):
            return ext
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return ".webp"
    if content[4:12] in (b"ftypavif", b"ftypavis"):
        return ".avif"
    return None


def store_picture(project: Path, name: str, content: bytes) -> str:
    """Write an uploaded picture under images/ with a safe name; returns its path as the data files write it."""
    from generator.edit.files import save_file
    from generator.slugs import slugify

    if len(content) > MAX_PICTURE:
        raise _BadRequest(f"the picture is larger than {MAX_PICTURE // (1024 * 1024)} MB; make it smaller first")
    ext = picture_kind(content)
    if ext is None:
        raise _BadRequest("not a JPEG, PNG, WebP, AVIF or GIF picture")
    stem = slugify(Path(name).stem) or "picture"
    rel = f"{PICTURE_DIR}/{stem[:80]}{ext}"
    (Path(project) / PICTURE_DIR).mkdir(exist_ok=True)
    save_file(Path(project), rel, content)
    return rel


def _stem(body: dict[str, Any]) -> str:
    stem = body.get("file")
    if stem not in STEMS:
        raise _BadRequest(f"file must be one of {', '.join(STEMS)}")
    return stem


def _read_json(handler: Any) -> dict[str, Any]:
    try:
        length = int(handler.headers.get("Content-Length", "0"))
    except ValueError:
        raise _BadRequest("bad Content-Length") from None
    if length < 0 or length > MAX_BODY:
        raise _BadRequest("the request is too large")
    try:
        body = json.loads(handler.rfile.read(length) or b"{}")
    except ValueError:
        raise _BadRequest("the request is not JSON") from None
    if not isinstance(body, dict):
        raise _BadRequest("the request must be a JSON object")
    return body


def _html(text: str) -> str:
    from html import escape

    return escape(text)


def _send(handler: Any, status: HTTPStatus, payload: dict[str, Any]) -> None:
    _send_bytes(handler, status, "application/json", json.dumps(payload).encode())


def _send_bytes(handler: Any, status: HTTPStatus, kind: str, body: bytes) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(body)))
    handler.send_header("Cache-Control", "no-store")
    handler.send_header("X-Content-Type-Options", "nosniff")
    handler.end_headers()
    handler.wfile.write(body)
