"""Paths the tool did not just make: a relative path read back from a file, and a file that may be a link.

Two rules, used wherever a path or a file comes from outside the running command:
- a relative path read from a file someone else could have written (the output manifest, the remote manifest, the
  state file, the check cache, `checks.rules` in site.yaml) is used only when it stays inside its folder
  (`relative_problem`); otherwise the file it came from is refused as damaged;
- clinic-pages follows no symbolic link inside the project, the output folder or a deploy target: where it meets
  one it stops and names it (`first_link`, `walk`).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from generator.errors import Problem

NAME_MAX = 255          # bytes in one file or folder name, on every common file system
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def relative_problem(rel: object) -> str | None:
    """Why `rel` is not a plain relative path that stays inside the folder it is joined to (None when it is):
    / separators, no leading /, no `..`, `.` or empty part, no backslash or control character, no name longer
    than a file system allows."""
    if not isinstance(rel, str) or not rel:
        return "it is not a path" if not isinstance(rel, str) else "it is empty"
    if rel.startswith("/"):
        return "it is an absolute path"
    if "\\" in rel:
        return "it has a backslash"
    if _CONTROL.search(rel):
        return "it has a control character"
    parts = rel.split("/")
    if ".." in parts:
        return "it leads out of its folder (..)"
    if any(part in ("", ".") for part in parts):
        return "it has an empty or . part"
    if any(len(part.encode("utf-8", "surrogatepass")) > NAME_MAX for part in parts):
        return f"a name in it is longer than {NAME_MAX} bytes"
    return None


def is_plain_relative(rel: object) -> bool:
    return relative_problem(rel) is None


def shown(rel: object, limit: int = 80) -> str:
    """A path from a file as it may be shown in a message: quoted, control characters escaped, long ones cut."""
    text = rel if isinstance(rel, str) else repr(rel)
    return repr(text if len(text) <= limit else text[:limit - 3] + "...")


def first_link(root: Path | str, rel: str, real: set[str] | None = None) -> str | None:
    """The first folder or file on the way from `root` to `root/rel` that is a symbolic link (as a path relative
    to `root`), or None: none is, or the path stops existing before one is met. `real` caches the folders found
    to be real ones, for a caller that asks about many files in few folders."""
    parts = rel.split("/")
    for i in range(len(parts)):
        here = "/".join(parts[:i + 1])
        if real is not None and here in real and i < len(parts) - 1:
            continue
        try:
            mode = os.lstat(f"{root}/{here}").st_mode
        except (FileNotFoundError, NotADirectoryError):
            return None
        if stat.S_ISLNK(mode):
            return here
        if real is not None and stat.S_ISDIR(mode):
            real.add(here)
    return None


def walk(root: Path | str) -> tuple[list[str], list[str]]:
    """The files and the symbolic links (to a file or a folder, which is not entered) in the tree under `root`, as
    two sorted lists of paths relative to `root`."""
    files: list[str] = []
    found: list[str] = []
    stack = [(str(root), "")]
    while stack:   # not recursive: a hostile tree may be thousands of folders deep
        folder, prefix = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:   # gone, not a folder, or not readable: nothing in it is read either
            continue
        for entry in entries:
            if entry.is_symlink():
                found.append(prefix + entry.name)
            elif entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                files.append(prefix + entry.name)
    return sorted(files), sorted(found)


def link_problem(rel: str) -> Problem:
    """The one message for a symbolic link met among the project's files."""
    return Problem(rel, None, None, "", "is a symbolic link, and clinic-pages follows no links inside the project",
                   "replace the link with a copy of the file or folder it points to")


def read_no_link(path: Path) -> bytes:
    """A file's bytes; OSError (ELOOP) if the file itself is a symbolic link."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        return fh.read()
