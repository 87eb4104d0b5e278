"""A git revision of this repository checked out in a temporary folder, for the benchmarks that compare revisions
(`with checked_out("d9ff61b^") as tree: ...`); the worktree is removed afterwards, whatever happens."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


@contextmanager
def checked_out(rev: str) -> Iterator[Path]:
    """The tree of `rev` (a detached git worktree in a new temporary folder), removed on exit."""
    scratch = Path(tempfile.mkdtemp(prefix="clinic-pages-rev-"))
    tree = scratch / "tree"
    subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "--quiet", str(tree), rev], check=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)], check=False)
        shutil.rmtree(scratch, ignore_errors=True)
