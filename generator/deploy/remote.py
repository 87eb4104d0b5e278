"""What every kind of target can do, and the file-by-file way most of them do it.

A `Remote` works with paths relative to the target folder. Each file is written under a temporary name in its
own folder (`.NAME.clinic-pages-part`) and renamed into place, so a visitor never sees half a page; the temporary
name is the same on every run, so an upload cut short is simply overwritten by the next one.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from pathlib import Path

from generator.deploy.plan import REMOTE_MANIFEST
from generator.paths import read_no_link

Done = Callable[[str], None]


def part_name(rel: str) -> str:
    """The temporary name a file is uploaded under, beside its final place."""
    folder, name = posixpath.split(rel)
    return posixpath.join(folder, f".{name}.clinic-pages-part")


def parent_folders(paths: Iterable[str]) -> list[str]:
    """Every folder above the given files (not the root), deepest first: the order to remove emptied ones."""
    folders: set[str] = set()
    for rel in paths:
        folder = posixpath.dirname(rel)
        while folder:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    return sorted(folders, key=lambda f: (-f.count("/"), f))


class Remote:
    """A connected target. Subclasses give the primitives; uploads and deletions go one file at a time."""

    def read_file(self, rel: str) -> bytes | None:
        raise NotImplementedError

    def write_file(self, rel: str, data: bytes) -> None:
        """Write under the temporary name, then rename into place (creating folders as needed)."""
        raise NotImplementedError

    def list_folder(self, rel: str) -> set[str] | None:
        """Names in a folder ("" is the target folder), or None when there is no such folder."""
        raise NotImplementedError

    def remove_file(self, rel: str) -> None:
        """Remove a file; a file that is already gone is not an error."""
        raise NotImplementedError

    def remove_folder(self, rel: str) -> None:
        """Remove a folder if it is empty; otherwise (someone else's files are in it) leave it."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    # What the deploy calls:

    def read_manifest(self) -> bytes | None:
        return self.read_file(REMOTE_MANIFEST)

    def write_manifest(self, data: bytes) -> None:
        self.write_file(REMOTE_MANIFEST, data)

    def existing(self, paths: list[str]) -> set[str]:
        """Which of these paths exist on the remote, listing only the folders that could hold them."""
        wanted: dict[str, set[str]] = {}
        for rel in paths:
            folder, name = posixpath.split(rel)
            wanted.setdefault(folder, set()).add(name)
        listings: dict[str, set[str] | None] = {}

        def listing(folder: str) -> set[str] | None:
            if folder not in listings:
                parent, name = posixpath.split(folder)
                if folder and ((above := listing(parent)) is None or name not in above):
                    listings[folder] = None      # not there: no need to ask the server
                else:
                    listings[folder] = self.list_folder(folder)
            return listings[folder]

        found = set()
        for folder in sorted(wanted, key=lambda f: (f.count("/"), f)):
            names = listing(folder)
            if names:
                found |= {posixpath.join(folder, n) for n in wanted[folder] & names}
        return found

    def upload(self, paths: list[str], source: Path, done: Done) -> None:
        for rel in paths:
            self.write_file(rel, read_no_link(source / rel))
            done(rel)

    def delete(self, paths: list[str], partial: set[str], done: Done) -> None:
        """Remove files a previous deploy put there, then each folder that this left empty."""
        for rel in paths:
            self.remove_file(rel)
            if rel in partial:
                self.remove_file(part_name(rel))
            done(rel)
        for folder in parent_folders(paths):
            self.remove_folder(folder)
