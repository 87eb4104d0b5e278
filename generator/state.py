"""The project's build state, in one file (`.clinic-pages-state.json`) to commit beside the data.

For each page it keeps the hash of the page's inputs (records, templates, settings it reads), the hash of its
content, and the date that content last changed: so a rebuild re-renders only pages whose inputs changed, and
`lastmod` in the sitemap is the same on every machine for the same history and changes exactly when a page does.
It also keeps a digest of every input file and of the output manifest, so a build with no change at all can stop
at once. A missing, unreadable or foreign state file means a clean build, never a wrong one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.data import DATA_FILES, SITE_FILE, TEMPLATES_DIR, load_document
from generator.digests import code_digest
from generator.images import IMAGE_DIR
from generator.paths import first_link, is_plain_relative, relative_problem, shown, walk
from generator.sheets import data_files

log = logging.getLogger(__name__)

STATE_FILE = ".clinic-pages-state.json"
FAILED_FILE = ".clinic-pages-failed.json"   # why the last build stopped, while it has not succeeded since
STATE_VERSION = 2


@dataclass
class State:
    pages: dict[str, dict[str, str]] = field(default_factory=dict)   # file -> {"inputs", "sha", "lastmod"}
    inputs: str = ""       # digest of every input file and of the generator's code
    manifest: str = ""     # digest of the output manifest this state was committed with
    extra: dict = field(default_factory=dict)  # other phases' stored data (e.g. check signatures)
    problem: str | None = None   # why a stored state was not used, if it was not

    def lastmod(self, file: str, sha: str, today: str) -> str:
        """The page's lastmod: kept while its content hash is unchanged, today's date when it changed."""
        old = self.pages.get(file)
        if old and old.get("sha") == sha and old.get("lastmod"):
            return old["lastmod"]
        return today


_PAGES_START = ',\n"pages":{\n'   # where the first line, the build's own fields, ends
_OTHER_VERSION = f"{STATE_FILE} is from another version of clinic-pages; doing a clean build"


def state_bytes(pages: dict[str, dict[str, str]], inputs: str, manifest: str, extra: dict | None = None) -> bytes:
    # One page a line: readable in a diff, and fast to write (json's indent option is pure Python).
    head = {"version": STATE_VERSION, "generator": "clinic-pages", "inputs": inputs, "manifest": manifest}
    if extra:
        head["extra"] = extra
    lines = ",\n".join(f"{json.dumps(k)}:{json.dumps(v, sort_keys=True)}" for k, v in sorted(pages.items()))
    return (json.dumps(head, sort_keys=True)[:-1] + _PAGES_START + lines + "}}\n").encode()


def load_state(project: Path, every_page: bool = True) -> State:
    """The build state as the last build left it. `every_page=False`: only what it says of the whole build (inputs and
    manifest), read from the first line as `state_bytes` writes it, without every page's entry (`check` asks only
    whether output/ is current: 0.24 s of CPU at 10,000 pages for the whole file); the whole file is read when its
    first line is not in that form."""
    path = Path(project) / STATE_FILE
    try:
        raw = path.read_bytes()
        if not every_page and (head := _head(raw)) is not None:
            return head
        data = json.loads(raw)
    except FileNotFoundError:
        return State()
    except (ValueError, OSError) as exc:
        return State(problem=f"{STATE_FILE} is unreadable ({exc}); doing a clean build")
    if not isinstance(data, dict) or not isinstance(data.get("pages"), dict):
        return State(problem=f"{STATE_FILE} is not a clinic-pages state file; doing a clean build")
    pages = {k: v for k, v in data["pages"].items() if isinstance(v, dict)}
    damage = next(filter(None, (_page_problem(k, v) for k, v in pages.items())), None)
    if damage:
        return State(problem=f"{STATE_FILE} is damaged ({damage}); doing a clean build")
    if data.get("version") != STATE_VERSION:
        # Keep the lastmod history across versions; everything else is rebuilt.
        kept = {k: {"sha": v.get("sha", ""), "lastmod": v.get("lastmod", "")} for k, v in pages.items()}
        return State(pages=kept, problem=_OTHER_VERSION)
    return State(pages=pages, inputs=str(data.get("inputs", "")), manifest=str(data.get("manifest", "")),
                 extra=extra if isinstance(extra := data.get("extra"), dict) else {})


def _head(raw: bytes) -> State | None:
    """The build's own fields from the first line of a state file, or None when it is not as `state_bytes` wrote it."""
    end = raw.find(b"\n")
    start = _PAGES_START.encode()
    if end < 0 or not raw.startswith(b"{") or raw[end - 1:end - 1 + len(start)] != start:
        return None
    try:
        data = json.loads(raw[:end - 1] + b"}")
    except ValueError:
        return None
    if not isinstance(data, dict) or "pages" in data:
        return None
    if data.get("version") != STATE_VERSION:
        return State(problem=_OTHER_VERSION)
    return State(inputs=str(data.get("inputs", "")), manifest=str(data.get("manifest", "")))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HEX = re.compile(r"[0-9a-f]{0,64}")
_INPUTS = re.compile(r"[0-9a-f]{0,64}(?::[0-9a-f]{0,64})?")   # the page's inputs, then the verdicts it shows


def _page_problem(file: str, entry: dict) -> str | None:
    """Why a page's entry read back from the state file cannot be trusted (None when it can): its file must be a
    plain path inside the output folder, its digests hex, its lastmod a date (it is written into sitemap.xml)."""
    problem = relative_problem(file)
    if problem:
        return f"it names the page {shown(file)}: {problem}"
    for key, form in (("inputs", _INPUTS), ("sha", _HEX), ("lastmod", _DATE)):
        value = entry.get(key, "")
        if not isinstance(value, str) or (value and not form.fullmatch(value)):
            return f"the {key} of {shown(file)} is {shown(value, 40)}"
    return None


def rule_files(project: Path) -> list[str]:
    """The project's own claims rule files, as site.yaml names them (`checks.rules`, relative to the project).
    An unreadable or malformed site.yaml names none here: the build itself says what is wrong with it."""
    doc, _ = load_document(Path(project) / SITE_FILE)
    checks = doc.data.get("checks") if doc is not None and isinstance(doc.data, dict) else None
    names = checks.get("rules") if isinstance(checks, dict) else None
    # Only names inside the project: validation refuses the others, and no file outside is ever read.
    return [name for name in names if is_plain_relative(name)] if isinstance(names, list) else []


def input_files(project: Path, links: list[str] | None = None) -> list[Path]:
    """Every file a build reads: the data files (in whichever form each is kept), every file under templates/ and
    images/, and the rule files site.yaml names (the no-op check hashes them, `serve` watches them). Symbolic links
    are left out, never read: with `links`, their paths (relative to the project) are added to it (the build refuses
    them)."""
    project = Path(project)
    found: list[str] = []

    def real(names: list[str]) -> list[Path]:
        found.extend(link for name in names if (link := first_link(project, name)))
        return [project / name for name in names if not first_link(project, name)]

    files = real([path.name for name in DATA_FILES for path in data_files(project, name.removesuffix(".yaml"))])
    for folder in (TEMPLATES_DIR, IMAGE_DIR):
        if os.path.islink(project / folder):
            found.append(folder)
        elif (project / folder).is_dir():
            inside, linked = walk(project / folder)
            files += [project / folder / rel for rel in inside]
            found += [f"{folder}/{rel}" for rel in linked]
    files += real(rule_files(project))
    if links is not None:
        links += sorted(set(found))
    return files


def input_digest(project: Path, files: list[Path] | None = None) -> str:
    """A digest of everything a build reads (`files`, by default `input_files`) and of the code."""
    project = Path(project)
    h = hashlib.blake2b(code_digest().encode(), digest_size=16)
    for path in input_files(project) if files is None else files:
        h.update(os.path.relpath(path, project).encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


# -- a build that stopped ---------------------------------------------------------------------------------------

def record_failure(project: Path, output: Path, reason: str) -> None:
    """Remember that a build into `output` stopped, and why, until one succeeds (`check` says so: it is then
    reading the pages of an earlier build). Best effort: a record that cannot be written only loses the note."""
    path = Path(project) / FAILED_FILE
    try:
        path.write_text(json.dumps({"output": str(Path(output).resolve()), "reason": reason}) + "\n", "utf-8")
    except OSError as exc:
        log.debug("could not write %s (%s)", FAILED_FILE, exc)


def clear_failure(project: Path, output: Path) -> None:
    """Forget the record of a stopped build into `output` (a build into it has succeeded)."""
    if last_failure(project, output) is None:
        return
    try:
        (Path(project) / FAILED_FILE).unlink(missing_ok=True)
    except OSError as exc:
        log.debug("could not remove %s (%s)", FAILED_FILE, exc)


def last_failure(project: Path, output: Path) -> str | None:
    """Why the last build into `output` stopped, when no build has succeeded since."""
    try:
        data = json.loads((Path(project) / FAILED_FILE).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("output") != str(Path(output).resolve()):
        return None
    return str(data.get("reason") or "an error")

