"""Safe writes to the output folder: all or nothing, never outside it, never a file the tool did not make.

A build stages every new or changed file in a sibling folder (`.output.staging/`), then commits: it writes a
journal, moves the staged files into place, removes the files that the previous build made and this one does
not, and writes the manifest of generated files last. A build that fails or is killed before the journal is
written leaves `output/` untouched; one killed during the commit is finished by the next run.

What the tool reads back it checks: the manifest and the journal name only plain paths inside the output folder
(else they are refused as damaged), the staging folder holds a mark that clinic-pages made it (a folder of that
name without one is someone else's and is left alone), the lock file is never truncated, and no symbolic link
is followed: a link in the way is refused, and a generated file replaced by one is written again.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.digests import digest
from generator.errors import OutputError
from generator.paths import first_link, read_no_link, relative_problem, shown

log = logging.getLogger(__name__)

MANIFEST = ".clinic-pages-manifest.json"
JOURNAL = ".journal.json"
STAGING_MARK = ".clinic-pages-staging"   # in the staging folder: clinic-pages made it, and may delete it


def safe_relative(rel: str) -> str:
    """Refuse any output path that could land outside the output folder."""
    if relative_problem(rel) is not None or rel.startswith(".clinic-pages"):
        raise OutputError(f"refusing to write {shown(rel)}: it is not a plain path inside the output folder")
    return rel


def staging_of(output: Path) -> Path:
    """The folder beside the output folder where a build is staged."""
    return output.parent / f".{output.name}.staging"


def lock_of(output: Path) -> Path:
    return output.parent / f".{output.name}.lock"


def staging_status(output: Path) -> str | None:
    """None when no staging folder is there; "ours" when clinic-pages made it; "foreign" for anything else that
    has its name (a folder without the mark, a file, a symbolic link)."""
    staging = staging_of(output)
    try:
        mode = os.lstat(staging).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISDIR(mode) and is_regular_file(staging / STAGING_MARK):
        return "ours"
    return "foreign"


def foreign_staging_error(output: Path) -> OutputError:
    return OutputError(f"{staging_of(output)} was not made by clinic-pages, which stages each build in a folder of "
                       f"that name beside {output.name}/; it was left as it is\n    hint: move or rename it, then "
                       "build again")


def open_lock(output: Path, exclusive: bool) -> int | None:
    """Open and lock the output folder's lock file (exclusive for a build, shared for a deploy). The file is never
    truncated, nor followed if it is a link: a file of that name someone else made loses nothing. Returns None
    when another process holds the lock."""
    path = lock_of(output)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if os.path.islink(path):
            raise OutputError(f"{path} is a symbolic link; clinic-pages follows no links beside or inside the "
                              "output folder\n    hint: remove the link (clinic-pages makes the lock file itself)"
                              ) from None
        raise OutputError(f"cannot use the lock file {path}: {exc.strerror}\n    hint: "
                          + ("it is a folder: move it away" if os.path.isdir(path) else
                             f"make {path.parent} writable, or choose another --output")) from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def manifest_bytes(files: dict[str, str]) -> bytes:
    """The manifest as written to disk; the build state records its digest to know output/ is as it left it."""
    lines = ",\n".join(f"{json.dumps(k)}:{json.dumps(v)}" for k, v in sorted(files.items()))
    return f'{{"generator":"clinic-pages","files":{{\n{lines}}}}}\n'.encode()


def read_manifest(output: Path) -> dict[str, str]:
    """The files the last build made (path -> digest). A manifest that names a path outside the output folder is
    refused as damaged; one that cannot be read at all counts as none (every file is then someone else's)."""
    try:
        data = json.loads(read_no_link(output / MANIFEST))
        files = dict(data["files"])
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError, OSError):
        log.warning("%s is unreadable; treating every file in %s as not made by clinic-pages", MANIFEST, output)
        return {}
    for rel, sha in files.items():
        problem = relative_problem(rel) or ("" if isinstance(sha, str) else "its digest is not text")
        if not problem and rel.startswith(".clinic-pages"):
            problem = "a file clinic-pages keeps for itself"
        if problem:
            raise OutputError(f"{output / MANIFEST} is damaged: it names {shown(rel)} ({problem}), so it cannot be "
                              f"told which files in {output} clinic-pages made\n    hint: move {output} aside and "
                              "build again (then copy back any file of your own)")
    return files


def is_regular_file(path: Path | str) -> bool:
    """True for a file that is not a symbolic link (a generated file replaced by a link is not current)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    with os.fdopen(fd, "wb") as fh:
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

    def __init__(self, output: Path, verify_content: bool = False, manifest: dict[str, str] | None = None,
                 externals: Iterable[Path] = ()):
        """`manifest`: the output folder's manifest when the caller already holds it (read from disk if None).
        `externals`: the files outside the output folder that a commit may replace (the build state)."""
        self.output = Path(output).absolute()
        if self.output == Path(self.output.anchor) or self.output == Path.home():
            raise OutputError(f"refusing to use {self.output} as the output folder")
        check_output_folder(self.output)
        self.staging = staging_of(self.output)
        self.verify_content = verify_content   # read files to judge them current, not only the manifest
        self.externals = {str(Path(p).absolute()) for p in externals}
        try:
            self.output.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            file = next((p for p in reversed(self.output.parents) if p.exists() and not p.is_dir()), None)
            reason = f"{file} is a file, not a folder" if file else exc.strerror
            raise OutputError(f"cannot make the folder {self.output.parent}: {reason}\n    hint: choose an "
                              "--output in a folder you can write to") from None
        lock = open_lock(self.output, exclusive=True)
        if lock is None:
            raise OutputError(f"another clinic-pages build is writing {self.output}; wait for it to finish")
        self._lock = lock
        try:
            if recover(self.output, self.externals) is not None:
                manifest = None   # an interrupted commit was finished just now: the manifest on disk is the truth
            self.old = manifest if manifest is not None else read_manifest(self.output)   # only read, never changed
            self._make_staging()
        except BaseException:
            os.close(self._lock)
            raise
        self.new: dict[str, str] = {}
        self.staged: dict[str, None] = {}   # files staged, in order (a dict: a page drawn again is found at once)
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
        os.close(self._lock)

    def _make_staging(self) -> None:
        """The staging folder, new and marked as clinic-pages' own."""
        try:
            self.staging.mkdir()
            (self.staging / STAGING_MARK).write_bytes(b"clinic-pages stages a build here; it deletes this folder\n")
        except OSError as exc:
            raise OutputError(f"cannot write in {self.staging.parent}: {exc.strerror}\n    hint: choose an "
                              "--output in a folder you can write to") from None

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
        self.staged[rel] = None
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
            return is_regular_file(path)
        try:
            return digest(read_no_link(path)) == sha
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
        self.staged[rel] = None

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
        if rel in self.staged:   # (a list's remove, at 100,000 pages drawn again after the checks, took hours)
            del self.staged[rel]
        else:   # it was counted as unchanged
            self.unchanged -= 1
        if self.is_current(rel, sha):
            self.unchanged += 1
            return sha
        self.write_staged(rel, data)
        self.staged[rel] = None
        return sha

    def keep(self, rel: str, sha: str) -> None:
        """Record a file as generated and unchanged without reading or writing it (incremental builds)."""
        # a path of the manifest was found safe when the manifest was read or made (10,000 pages: 0.1-0.2 s)
        self.new[rel if self.old.get(rel) == sha else safe_relative(rel)] = sha
        self.unchanged += 1

    def put_external(self, path: Path, data: bytes) -> None:
        """Stage a project file (such as the build state) to be replaced as part of the commit."""
        name = f".external-{len(self.external)}"
        dest = str(Path(path).absolute())
        if dest not in self.externals:
            raise OutputError(f"refusing to replace {dest}: it is not one of the files this build may change")
        (self.staging / name).write_bytes(data)
        self.external[dest] = name

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
        journal = {"moves": list(self.staged), "removals": removed, "external": self.external,
                   "manifest": dict(sorted(self.new.items()))}
        try:
            _atomic_write(self.staging / JOURNAL, json.dumps(journal).encode())
        except OSError as exc:
            self.abort()
            raise OutputError(f"cannot write in {self.staging}: {exc.strerror}; {self.output} was left as it "
                              "was") from None
        try:
            _apply(self.output, self.staging, journal)
        except OSError as exc:
            raise OutputError(f"writing {self.output} stopped: {exc.strerror or exc}\n    hint: make room or fix "
                              "the permissions, then build again: the next build finishes this one") from None
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
    """Carry out a journal. Safe to repeat: moves already made are skipped. Nothing is moved or removed through
    a symbolic link (the commit refused those; in a journal finished later, such a path is left as it is)."""
    tree = staging / "tree"
    moves = journal["moves"]
    if not os.path.lexists(output) and tree.is_dir() and not journal["removals"]:
        os.rename(tree, output)  # a first build: one rename instead of one per file
        moves = []
    output.mkdir(parents=True, exist_ok=True)
    made_dirs: set[Path] = set()
    real: set[str] = set()     # folders of output/ seen to be real ones

    def through_link(rel: str) -> bool:
        folder = rel.rpartition("/")[0]
        if folder and first_link(output, folder, real):
            log.warning("left %s as it is: a folder on its way in %s is a symbolic link", rel, output)
            return True
        return False

    for rel in moves:
        src, dst = tree / rel, output / rel
        if src.exists() and not through_link(rel):
            if dst.parent not in made_dirs:
                dst.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(dst.parent)
            os.replace(src, dst)
    for rel in journal["removals"]:
        target = output / rel
        if through_link(rel):
            continue
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


def recover(output: Path, externals: Iterable[str] = ()) -> str | None:
    """Finish a commit that was interrupted, or discard a build that never reached its commit. `externals`: the
    files outside the output folder that the journal may replace. A staging folder clinic-pages did not make is
    refused, never deleted; a journal that names a path it may not touch is refused as damaged."""
    status = staging_status(output)
    if status is None:
        return None
    if status == "foreign":
        raise foreign_staging_error(output)
    staging = staging_of(output)
    try:
        journal = json.loads((staging / JOURNAL).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        shutil.rmtree(staging, ignore_errors=True)
        log.info("discarded the files of a build that was interrupted before it finished")
        return "discarded"
    problem = _journal_problem(journal, {str(Path(p).absolute()) for p in externals})
    if problem:
        raise OutputError(f"{staging / JOURNAL} is damaged: {problem}; nothing was changed\n    hint: delete "
                          f"{staging}, then run `clinic-pages build --clean`")
    _apply(output, staging, journal)
    log.warning("finished writing a build that was interrupted while it updated %s", output)
    return "finished"


def _journal_problem(journal: object, externals: set[str]) -> str | None:
    """Why a journal read back from disk may not be carried out (None when it may)."""
    if not isinstance(journal, dict) or not all(isinstance(journal.get(k), t) for k, t in
                                                (("moves", list), ("removals", list), ("manifest", dict))):
        return "it is not a clinic-pages journal"
    for rel in journal["moves"] + journal["removals"] + list(journal["manifest"]):
        problem = relative_problem(rel)
        if problem or rel.startswith(".clinic-pages"):
            return f"it names {shown(rel)} ({problem or 'a file clinic-pages keeps for itself'})"
    if not all(isinstance(v, str) for v in journal["manifest"].values()):
        return "its manifest is not text"
    external = journal.get("external", {})
    if not isinstance(external, dict):
        return "it is not a clinic-pages journal"
    for dest, name in external.items():
        if dest not in externals:
            return f"it would replace {shown(dest, 200)}, which this build does not write"
        if not isinstance(name, str) or not name.startswith(".external-") or relative_problem(name):
            return f"it names {shown(name)} as the new {Path(dest).name}, which is not a file it staged"
    return None


def check_output_folder(output: Path) -> None:
    """Refuse an output folder that is a symbolic link (even one to nothing) or a file."""
    if os.path.islink(output):
        raise OutputError(f"{output} is a symbolic link; clinic-pages follows no links in the output folder\n    "
                          f"hint: give the folder itself as --output ({os.path.realpath(output)})")
    if os.path.exists(output) and not os.path.isdir(output):
        raise OutputError(f"{output} is a file, not a folder\n    hint: give a folder as --output (it is made if "
                          "it does not exist), or move the file away")


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
