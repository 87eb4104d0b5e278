"""Safe writes to the output folder: all or nothing, never outside it, never a file the tool did not make.

A build stages every new or changed file in a sibling folder (`.output.staging/`), then commits: it writes a
journal, moves the staged files into place, removes the files that the previous build made and this one does
not, and writes the manifest of generated files last. A build that fails or is killed before the journal is
written leaves `output/` untouched; one killed during the commit is finished by the next run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import OutputError

log = logging.getLogger(__name__)

MANIFEST = ".clinic-pages-manifest.json"
JOURNAL = ".journal.json"


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def safe_relative(rel: str) -> str:
    """Refuse any output path that could land outside the output folder."""
    if (not rel or rel[0] == "/" or "\\" in rel or "\0" in rel or rel.startswith(".clinic-pages")
            or any(part in ("..", ".", "") for part in rel.split("/"))):
        raise OutputError(f"refusing to write {rel!r}: it is not a plain path inside the output folder")
    return rel


def manifest_bytes(files: dict[str, str]) -> bytes:
    """The manifest as written to disk; the build state records its digest to know output/ is as it left it."""
    lines = ",\n".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(files.items()))
    return f'{{"generator":"clinic-pages","files":{{\n{lines}}}}}\n'.encode()


def read_manifest(output: Path) -> dict[str, str]:
    try:
        data = json.loads((output / MANIFEST).read_text("utf-8"))
        return dict(data["files"])
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, OSError):
        log.warning("%s is unreadable; treating every file in %s as not made by clinic-pages", MANIFEST, output)
        return {}


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


@dataclass
class CommitResult:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)   # files in output/ that clinic-pages did not make


class OutputTransaction:
    """Stage files, then commit them all at once. Use as a context manager: an exception aborts."""

    def __init__(self, output: Path, verify_content: bool = False, manifest: dict[str, str] | None = None):
        """`manifest`: the output folder's manifest when the caller already holds it (read from disk if None)."""
        self.output = Path(output).absolute()
        if self.output == Path(self.output.anchor) or self.output == Path.home():
            raise OutputError(f"refusing to use {self.output} as the output folder")
        self.staging = self.output.parent / f".{self.output.name}.staging"
        self.verify_content = verify_content   # read files to judge them current, not only the manifest
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self._lock = open(self.output.parent / f".{self.output.name}.lock", "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise OutputError(f"another clinic-pages build is writing {self.output}; wait for it to finish") from None
        if recover(self.output) is not None:
            manifest = None   # an interrupted commit was finished just now: the manifest on disk is the truth
        self.old = manifest if manifest is not None else read_manifest(self.output)   # only read, never changed
        self.new: dict[str, str] = {}
        self.staged: list[str] = []
        self.external: dict[str, str] = {}  # absolute path -> staged name, for project files committed with output
        self.conflicts: list[str] = []
        self.linked: list[str] = []   # staged files whose folder in output/ is a symbolic link
        self._listings: dict[str, dict[str, bool]] = {}   # folder in output/ -> {name in it: is a symbolic link}
        self.unchanged = 0

    def __enter__(self) -> OutputTransaction:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self.abort()
        self._lock.close()

    def put(self, rel: str, data: bytes, sha: str | None = None) -> bool:
        """Stage one file. Returns True when it differs from what is in output/ now."""
        rel = safe_relative(rel)
        if rel in self.new:
            raise OutputError(f"two pages would be written to {rel}; each page needs its own slug")
        sha = sha or digest(data)
        self.new[rel] = sha
        if self.is_current(rel, sha):
            self.unchanged += 1
            return False
        self._check_target(rel)
        self.write_staged(rel, data)
        self.staged.append(rel)
        return True

    def staged_path(self, rel: str) -> Path:
        """Where a file is staged before the commit."""
        return Path(self._staged(rel))

    def _staged(self, rel: str) -> str:
        return f"{self.staging}/tree/{rel}"

    def write_staged(self, rel: str, data: bytes) -> None:
        """Write a file's bytes where it is staged (render workers call this, then `record` registers the file).
        Plain os calls: no file object, no buffer, no check for a terminal."""
        path = self._staged(rel)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)

    def is_current(self, rel: str, sha: str) -> bool:
        """True when output/ already holds exactly these bytes, so nothing need be written: the manifest says so
        and the file is still there (with `verify_content`, its bytes are read and compared too: a file edited
        by hand is put back)."""
        if self.old.get(rel) != sha:
            return False
        path = self.output / rel
        if not self.verify_content:
            return path.is_file()
        try:
            return digest(path.read_bytes()) == sha
        except OSError:
            return False

    def record(self, rel: str, sha: str, staged: bool) -> None:
        """Register a file that a worker has staged itself (staged=True) or found current (staged=False)."""
        rel = safe_relative(rel)
        if rel in self.new:
            raise OutputError(f"two pages would be written to {rel}; each page needs its own slug")
        self.new[rel] = sha
        if not staged:
            self.unchanged += 1
            return
        self._check_target(rel)
        self.staged.append(rel)

    def _check_target(self, rel: str) -> None:
        """Note a file that would overwrite one clinic-pages did not make, or be written through a link."""
        if self._through_link(rel):
            self.linked.append(rel)
        elif rel not in self.old and self._in_output(rel):
            self.conflicts.append(rel)

    def _through_link(self, rel: str) -> str | None:
        """The first folder on the way to `rel` that is a symbolic link (it may lead outside output/), if any."""
        folder = ""
        for part in rel.split("/")[:-1]:
            entries = self._entries(folder)
            if part not in entries:
                return None   # not there yet: nothing under it is a link
            folder = f"{folder}/{part}" if folder else part
            if entries[part]:
                return folder
        return None

    def _in_output(self, rel: str) -> bool:
        """True when something (a file, a folder, a link) is at `rel` in output/ now."""
        folder = ""
        for part in rel.split("/"):
            if part not in self._entries(folder):
                return False
            folder = f"{folder}/{part}" if folder else part
        return True

    def _entries(self, folder: str) -> dict[str, bool]:
        """What a folder of output/ holds now, name -> is a symbolic link: read once per folder, so checking
        10,000 pages costs a listing per folder that exists, not a system call per page."""
        if folder not in self._listings:
            try:
                with os.scandir(self.output / folder) as it:
                    self._listings[folder] = {e.name: e.is_symlink() for e in it}
            except OSError:   # no such folder (or not a folder): nothing in it
                self._listings[folder] = {}
        return self._listings[folder]

    def restage(self, rel: str, data: bytes) -> str:
        """Replace what this transaction holds for a file already put (a page re-rendered after the checks)."""
        rel = safe_relative(rel)
        if rel not in self.new:
            raise OutputError(f"{rel} was not staged, so it cannot be replaced")
        sha = self.new[rel] = digest(data)
        if rel in self.staged:
            self.staged.remove(rel)
        else:   # it was counted as unchanged
            self.unchanged -= 1
        if self.is_current(rel, sha):
            self.unchanged += 1
            return sha
        self.write_staged(rel, data)
        self.staged.append(rel)
        return sha

    def keep(self, rel: str, sha: str) -> None:
        """Record a file as generated and unchanged without reading or writing it (incremental builds)."""
        self.new[safe_relative(rel)] = sha
        self.unchanged += 1

    def put_external(self, path: Path, data: bytes) -> None:
        """Stage a project file (such as the build state) to be replaced as part of the commit."""
        name = f".external-{len(self.external)}"
        self.staging.mkdir(parents=True, exist_ok=True)
        (self.staging / name).write_bytes(data)
        self.external[str(Path(path).absolute())] = name

    def commit(self, scan_foreign: bool = True) -> CommitResult:
        if self.conflicts:
            self.abort()
            listed = ", ".join(self.conflicts[:5]) + (" ..." if len(self.conflicts) > 5 else "")
            raise OutputError(f"{len(self.conflicts)} file(s) in {self.output} were not made by clinic-pages and "
                              f"would be overwritten: {listed}. Move them elsewhere, then build again")
        if self.linked:
            self.abort()
            folders = ", ".join(sorted({str(self._through_link(rel)) for rel in self.linked}))
            raise OutputError(f"{folders} in {self.output} is a symbolic link, and clinic-pages writes only inside "
                              "the output folder. Replace it with a real folder, then build again")
        removed = sorted(rel for rel in set(self.old) - set(self.new) if not self._through_link(rel))
        journal = {"moves": self.staged, "removals": removed, "external": self.external,
                   "manifest": dict(sorted(self.new.items()))}
        self.staging.mkdir(parents=True, exist_ok=True)
        _atomic_write(self.staging / JOURNAL, json.dumps(journal).encode())
        _apply(self.output, self.staging, journal)
        result = CommitResult(written=list(self.staged), unchanged=self.unchanged, removed=removed)
        if scan_foreign:
            result.foreign = find_foreign(self.output, self.new)
        return result

    def abort(self) -> None:
        """Discard the staged files; but once the journal is written the commit has begun: keep it for recover()."""
        if (self.staging / JOURNAL).exists():
            return
        shutil.rmtree(self.staging, ignore_errors=True)


def _apply(output: Path, staging: Path, journal: dict) -> None:
    """Carry out a journal. Safe to repeat: moves already made are skipped."""
    tree = staging / "tree"
    moves = journal["moves"]
    if not output.exists() and tree.is_dir() and not journal["removals"]:
        os.rename(tree, output)  # a first build: one rename instead of one per file
        moves = []
    output.mkdir(parents=True, exist_ok=True)
    made_dirs: set[Path] = set()
    for rel in moves:
        src, dst = tree / rel, output / rel
        if src.exists():
            if dst.parent not in made_dirs:
                dst.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(dst.parent)
            os.replace(src, dst)
    for rel in journal["removals"]:
        target = output / rel
        if target.is_file() or target.is_symlink():
            target.unlink()
        _prune_empty(target.parent, output)
    for dest, name in journal.get("external", {}).items():
        src = staging / name
        if src.exists():
            os.replace(src, dest)
    _atomic_write(output / MANIFEST, manifest_bytes(journal["manifest"]))
    shutil.rmtree(staging, ignore_errors=True)


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def recover(output: Path) -> str | None:
    """Finish a commit that was interrupted, or discard a build that never reached its commit."""
    staging = output.parent / f".{output.name}.staging"
    if not staging.exists():
        return None
    try:
        journal = json.loads((staging / JOURNAL).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        shutil.rmtree(staging, ignore_errors=True)
        log.info("discarded the files of a build that was interrupted before it finished")
        return "discarded"
    _apply(output, staging, journal)
    log.warning("finished writing a build that was interrupted while it updated %s", output)
    return "finished"


def find_foreign(output: Path, generated: dict[str, str]) -> list[str]:
    """Files in the output folder that clinic-pages did not make (reported, never deleted)."""
    foreign = []
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        base = Path(dirpath).relative_to(output)
        for name in sorted(filenames):
            rel = str(base / name) if str(base) != "." else name
            if rel not in generated and rel != MANIFEST:
                foreign.append(rel)
    return foreign
