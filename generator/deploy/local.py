"""file:// targets: a local or mounted folder that a web server serves."""

from __future__ import annotations

import os
from pathlib import Path

from generator.deploy.remote import Remote, part_name
from generator.deploy.target import DeployError, Target


class FolderRemote(Remote):
    def __init__(self, target: Target, output: Path):
        self.root = Path(target.path)
        here, there = Path(output).resolve(), self.root.resolve()
        if there == here or here in there.parents:
            raise DeployError(f"refusing to deploy {output} into itself ({target})\n    hint: choose a folder "
                              "outside the output folder")
        if not self.root.parent.is_dir():
            raise DeployError(f"{self.root.parent} does not exist, so {target} cannot be made\n    hint: check the "
                              "path, or mount the drive first")

    def _path(self, rel: str) -> Path:
        return self.root / rel if rel else self.root

    def read_file(self, rel):
        try:
            return self._path(rel).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _failed("read", rel, exc) from None

    def write_file(self, rel, data):
        final, part = self._path(rel), self._path(part_name(rel))
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            with open(part, "wb") as fh:
                fh.write(data)
            os.replace(part, final)
        except OSError as exc:
            raise _failed("write", rel, exc) from None

    def list_folder(self, rel):
        try:
            return set(os.listdir(self._path(rel)))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise _failed("list", rel or ".", exc) from None

    def remove_file(self, rel):
        try:
            self._path(rel).unlink()
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _failed("remove", rel, exc) from None

    def remove_folder(self, rel):
        try:
            self._path(rel).rmdir()
        except OSError:
            pass    # not empty (someone else's files), or already gone


def _failed(action: str, rel: str, exc: OSError) -> DeployError:
    return DeployError(f"cannot {action} {rel}: {exc.strerror}\n    hint: check that the folder is mounted and "
                       "writable, then deploy again")
