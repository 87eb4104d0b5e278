"""Deploy: publish output/ to web hosting, sending only what changed, and never losing anything.

The phases: read the build (`plan.read_local`: the files the build's manifest lists, hashed as they are now;
nothing else in output/ is ever sent) → connect (`open_remote`) → read the manifest a previous deploy left on
the remote (`.clinic-pages-deploy.json`) → plan (`plan.make_plan`: added, changed, deleted) → refuse if a file
to be added is already there but was not put there by clinic-pages → claim the paths to be written in the remote
manifest → upload in order (`DeployPlan.phases`) → delete what earlier deploys put there and the build no longer
makes → write the remote manifest.

The remote manifest is rewritten every few seconds while the work goes on. An interrupted deploy (a dropped
connection, a killed process) leaves it naming every file that may be half-sent, so the next run sends those
again and ends with the remote equal to output/.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.deploy.plan import (
    REMOTE_MANIFEST,
    DeployPlan,
    LocalSite,
    make_plan,
    parse_remote_manifest,
    read_local,
    remote_manifest_bytes,
)
from generator.deploy.remote import Remote
from generator.deploy.target import ConnectionLost, DeployError, Target, parse_target, with_credentials
from generator.errors import OutputError, printable
from generator.output import lock_of, open_lock

__all__ = [
    "REMOTE_MANIFEST",
    "DeployError",
    "DeployPlan",
    "DeployReport",
    "Target",
    "deploy",
    "open_remote",
    "parse_target",
]

log = logging.getLogger(__name__)

Progress = Callable[[int, int, int], None]      # (changes done, changes in all, bytes sent)
CHECKPOINT_SECONDS = 5.0


@dataclass
class DeployReport:
    target: Target
    plan: DeployPlan
    local: LocalSite
    dry_run: bool = False
    sent: int = 0
    bytes_sent: int = 0
    deleted: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        p = self.plan
        if self.dry_run:
            return (f"Dry run for {self.target.label}: would send {len(p.uploads)} files ({len(p.added)} new, "
                    f"{len(p.changed)} changed, {size(p.upload_bytes)}) and delete {len(p.deleted)}; "
                    f"{p.unchanged} unchanged. Nothing was changed.")
        if p.empty:
            return (f"Nothing to deploy: {self.target.label} already matches {self.local.root} "
                    f"({len(self.local.files)} files).")
        return (f"Deployed to {self.target.label}: {self.sent} files sent ({len(p.added)} new, {len(p.changed)} "
                f"changed), {self.deleted} deleted, {size(self.bytes_sent)} in {self.seconds:.2f} s; "
                f"{p.unchanged} unchanged.")


def size(n: int) -> str:
    amount: float = n
    for unit in ("bytes", "kB", "MB", "GB"):
        if amount < 1000 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{amount:.1f} {unit}"
        amount /= 1000
    return f"{n} bytes"  # pragma: no cover


def open_remote(target: Target, output: Path) -> Remote:
    """Connect and log in; raise DeployError with a hint when that fails. Nothing is changed yet."""
    if target.scheme == "file":
        from generator.deploy.local import FolderRemote
        return FolderRemote(target, output)
    if target.scheme in ("ftp", "ftps"):
        from generator.deploy.ftp import FtpRemote
        return FtpRemote(target)
    if target.scheme == "sftp":
        from generator.deploy.sftp import SftpRemote
        return SftpRemote(target)
    from generator.deploy.rsync import open_ssh
    return open_ssh(target)


def deploy(output: Path, target: Target, dry_run: bool = False, progress: Progress | None = None) -> DeployReport:
    """Make the remote equal to the build in `output`, or (dry run) say what that would take."""
    started = time.perf_counter()
    output = Path(output)
    with _reading(output):
        local = read_local(output)
        if local.edited:
            log.warning("%d file(s) in %s were changed after the build and are deployed as they are now: %s",
                        len(local.edited), output, ", ".join(local.edited[:5]))
        if local.foreign:
            log.info("%d file(s) in %s were not made by clinic-pages and are not deployed: %s",
                     len(local.foreign), output, ", ".join(printable(rel) for rel in local.foreign[:5]))
        target = with_credentials(target)
        remote = open_remote(target, output)
        try:
            plan = make_plan(local, parse_remote_manifest(remote.read_manifest(), str(target)))
            conflicts = sorted(remote.existing(plan.added)) if plan.added else []
            if conflicts:
                listed = "\n  ".join(conflicts[:10]) + ("\n  ..." if len(conflicts) > 10 else "")
                raise DeployError(f"{len(conflicts)} file(s) on {target} were not put there by clinic-pages and "
                                  f"would be overwritten:\n  {listed}\n    hint: nothing was changed; move those "
                                  "files away on the server (or delete them if they are an old copy of the "
                                  "site), then deploy again")
            report = DeployReport(target, plan, local, dry_run=dry_run)
            if not dry_run and not plan.empty:
                _carry_out(remote, plan, local, report, progress)
        finally:
            remote.close()
    report.seconds = time.perf_counter() - started
    return report


def _carry_out(remote: Remote, plan: DeployPlan, local: LocalSite, report: DeployReport,
               progress: Progress | None) -> None:
    uploads = plan.uploads
    total = len(uploads) + len(plan.deleted)
    state = dict(plan.remote)
    for rel in uploads:
        state[rel] = None       # claimed: ours from now on, content unknown until it is recorded
    last_save = time.monotonic()

    def save() -> None:
        nonlocal last_save
        remote.write_manifest(remote_manifest_bytes(state))
        last_save = time.monotonic()

    def tick() -> None:
        if progress:
            progress(report.sent + report.deleted, total, report.bytes_sent)
        if time.monotonic() - last_save > CHECKPOINT_SECONDS:
            save()

    def uploaded(rel: str) -> None:
        state[rel] = local.files[rel]
        report.sent += 1
        report.bytes_sent += local.sizes[rel]
        log.debug("sent %s", rel)
        tick()

    def deleted(rel: str) -> None:
        state.pop(rel, None)
        report.deleted += 1
        log.debug("deleted %s", rel)
        tick()

    try:
        save()
        for label, files in plan.phases():
            log.debug("sending %d %s file(s)", len(files), label)
            remote.upload(files, local.root, uploaded)
            save()
        if plan.deleted:
            remote.delete(plan.deleted, plan.partial, deleted)
            save()
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            save()              # keep what was done, so the next run does not send it again
        raise
    except DeployError as exc:
        stopped = (f"\n    the deploy stopped after {report.sent + report.deleted} of {total} changes; nothing "
                   "was lost: run `clinic-pages deploy` again to finish")
        if isinstance(exc, ConnectionLost):
            raise ConnectionLost(f"{exc}{stopped}") from None
        raise DeployError(f"{exc}{stopped}") from None


@contextlib.contextmanager
def _reading(output: Path) -> Iterator[None]:
    """Hold the output folder's lock shared, so no build changes it while it is being sent."""
    output = output.absolute()
    try:
        lock = open_lock(output, exclusive=False)
    except OutputError:
        if os.path.islink(lock_of(output)):
            raise           # a link where the lock file goes: never followed
        yield               # a read-only place: no build can be writing there either
        return
    if lock is None:
        raise DeployError(f"a clinic-pages build is writing {output}\n    hint: wait for it to finish, then deploy")
    try:
        yield
    finally:
        os.close(lock)
