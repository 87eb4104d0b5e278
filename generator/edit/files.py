"""Writing the project's own files (the data files), safely: only inside the project folder, never through a
symbolic link, atomically (a temporary file, then a rename), and with the last version kept in backup/."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from generator.errors import ClinicPagesError
from generator.paths import first_link, relative_problem, shown

BACKUP_DIR = "backup"


def project_path(root: Path, rel: str) -> Path:
    """`root/rel`, refused unless `rel` is a plain relative path that stays inside the project and passes through
    no symbolic link (generator/paths.py says both, for every file the tool reads or writes)."""
    root = Path(root)
    if relative_problem(rel):
        raise ClinicPagesError(f"refusing to write {shown(rel)}: not a plain path inside the project")
    link = first_link(root, rel)
    if link:
        raise ClinicPagesError(f"refusing to write {rel}: {link} is a symbolic link")
    return root / rel


def write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        if path.exists():
            shutil.copymode(path, tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def back_up(root: Path, rel: str) -> str | None:
    """Copy the file's current version to backup/REL (replacing the one before); returns the backup's path."""
    source = project_path(root, rel)
    if not source.is_file():
        return None
    target = project_path(root, f"{BACKUP_DIR}/{rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, source.read_bytes())
    return f"{BACKUP_DIR}/{rel}"


def save_file(root: Path, rel: str, data: bytes) -> str | None:
    """Write a project file, keeping its last version in backup/ first; returns the backup's path (None for a new
    file). Unchanged bytes are not written."""
    path = project_path(root, rel)
    if path.is_file() and path.read_bytes() == data:
        return None
    backup = back_up(root, rel)
    write_atomic(path, data)
    return backup


def retire_file(root: Path, rel: str) -> str:
    """Move a project file into backup/ (when it is replaced by another form of itself)."""
    backup = back_up(root, rel)
    project_path(root, rel).unlink()
    assert backup is not None
    return backup
