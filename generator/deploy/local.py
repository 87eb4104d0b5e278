"""file:// targets: a local or mounted folder that a web server serves.

No symbolic link inside the target folder is followed: a link on the way to a file to be written, read or removed
stops the deploy with its name (the target folder itself must be a real folder too).
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from generator.deploy.remote import Remote, part_name
from generator.deploy.target import DeployError, Target
from generator.paths import first_link


class FolderRemote(Remote):
    def __init__(self, target: Target, output: Path):
        self.root = Path(target.path)
        self.target = target
        here, there = Path(output).resolve(), self.root.resolve()
        if there == here or here in there.parents:
            raise DeployError(f"refusing to deploy {output} into itself ({target})\n    hint: choose a folder "
                              "outside the output folder")
        if os.path.islink(self.root):
            raise DeployError(f"{self.root} is a symbolic link; clinic-pages follows no links in a deploy target\n"
                              f"    hint: give the folder itself: file://{os.path.realpath(self.root)}")
        if not self.root.parent.is_dir():
            raise DeployError(f"{self.root.parent} does not exist, so {target} cannot be made\n    hint: check the "
                              "path, or mount the drive first")
        self.real: set[str] = set()     # folders of the target seen to be real ones

    def _path(self, rel: str, whole: bool = False) -> Path:
        """Where `rel` is, after checking that no folder on its way (with `whole`, nor the file itself) is a
        symbolic link."""
        if not rel:
            return self.root
        checked = rel if whole else rel.rpartition("/")[0]
        link = first_link(self.root, checked, self.real) if checked else None
        if link:
            raise DeployError(f"{self.root / link} is a symbolic link; clinic-pages follows no links in a deploy "
                              "target\n    hint: replace the link with a real folder (or the file itself), then "
                              "deploy again")
        return self.root / rel

    def read_file(self, rel):
        try:
            fd = os.open(self._path(rel, whole=True), os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise DeployError(f"{self.root / rel} is a symbolic link; clinic-pages follows no links in a deploy "
                                  "target\n    hint: remove the link, then deploy again") from None
            raise _failed("read", rel, exc) from None

    def write_file(self, rel, data):
        final, part = self._path(rel), self._path(part_name(rel))
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(part, final)     # replaces a link at `final` itself, never what it leads to
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise DeployError(f"{part} is a symbolic link; clinic-pages writes each file under that name "
                                  "first and follows no links\n    hint: remove the link, then deploy again") from None
            raise _failed("write", rel, exc) from None

    def list_folder(self, rel):
        try:
            return set(os.listdir(self._path(rel, whole=True)))
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise _failed("list", rel or ".", exc) from None

    def remove_file(self, rel):
        try:
            self._path(rel).unlink()    # a link in the file's place is removed itself, not what it leads to
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise _failed("remove", rel, exc) from None

    def remove_folder(self, rel):
        try:
            self._path(rel, whole=True).rmdir()
        except (OSError, DeployError):
            pass    # not empty (someone else's files), already gone, or a link: left as it is


def _failed(action: str, rel: str, exc: OSError) -> DeployError:
    return DeployError(f"cannot {action} {rel}: {exc.strerror}\n    hint: check that the folder is mounted and "
                       "writable, then deploy again")
