"""ssh:// targets: rsync over OpenSSH's `ssh` where rsync exists on both ends; SFTP otherwise.

rsync sends only the differences inside each changed file and writes each one under a temporary name before
renaming it into place. The small jobs (reading and writing the manifest, deleting) are short POSIX shell
commands run over the same `ssh`, with the same keys, agent, ~/.ssh/config and known_hosts a person uses.
`ssh` runs with StrictHostKeyChecking=yes: an unknown or changed host key stops the deploy.
"""

from __future__ import annotations

import logging
import os
import posixpath
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from generator.deploy.remote import Done, Remote, parent_folders, part_name
from generator.deploy.sftp import host_key_hint, login_hint
from generator.deploy.target import KNOWN_HOSTS_ENV, SSH_KEY_ENV, ConnectionLost, DeployError, Target

log = logging.getLogger(__name__)

TIMEOUT = 30
_SECRET_ENV = "CLINIC_PAGES_ASKPASS_SECRET"   # set only in the environment of the ssh child processes
_MISSING = 3                                  # exit status our shell snippets use for "no such file"
BATCH = 500                                   # files per rsync run


def open_ssh(target: Target) -> Remote:
    """rsync over SSH when both ends have rsync, else SFTP on the same server."""
    from generator.deploy.sftp import SftpRemote

    if not shutil.which("rsync"):
        log.info("rsync is not installed on this computer; deploying over SFTP instead")
        return SftpRemote(target)
    remote = RsyncRemote(target)
    if remote.has_rsync:
        return remote
    remote.close()
    log.info("rsync is not installed on %s; deploying over SFTP instead", target.host)
    return SftpRemote(target)


# What the far end reports when the stream under a command broke, whatever the exit status it gives: a line cut
# while the server still wrote to it, or read from it.
_BROKEN_STREAM = ("Broken pipe", "Connection reset by peer", "connection unexpectedly closed")


class RsyncRemote(Remote):
    def __init__(self, target: Target):
        self.target = target
        if not shutil.which("ssh"):
            raise DeployError("the `ssh` program is not installed\n    hint: install OpenSSH's client, or use an "
                              "sftp:// target instead")
        self.private = Path(tempfile.mkdtemp(prefix="clinic-pages-ssh-"))    # mode 0700
        self.control: Path | None = None
        self.ssh = self._write_ssh_wrapper()
        path = target.path
        self.root = path[3:] if path == "/~" or path.startswith("/~/") else path   # "" or relative: the home
        probe = self._sh("command -v rsync >/dev/null 2>&1 && echo rsync || echo none")
        self.has_rsync = probe.stdout.strip() == b"rsync"

    def _write_ssh_wrapper(self) -> str:
        """A private script that runs `ssh` with our options: rsync's -e and our own commands both use it."""
        t = self.target
        args = ["ssh", "-p", str(t.port), "-l", t.user, "-o", "StrictHostKeyChecking=yes",
                "-o", f"ConnectTimeout={TIMEOUT}", "-o", "ServerAliveInterval=10", "-o", "ServerAliveCountMax=3",
                "-o", "LogLevel=ERROR"]
        key, known = os.environ.get(SSH_KEY_ENV), os.environ.get(KNOWN_HOSTS_ENV)
        if key:
            if not os.path.isfile(key):
                raise DeployError(f"{SSH_KEY_ENV} names {key}, which is not a file\n    hint: set it to your private"
                                  " key file, or unset it to use the SSH agent and ~/.ssh/")
            args += ["-i", key, "-o", "IdentitiesOnly=yes"]
        if known:
            if any(c.isspace() for c in known):
                raise DeployError(f"{KNOWN_HOSTS_ENV} must name a file whose path has no spaces")
            args += ["-o", f"UserKnownHostsFile=~/.ssh/known_hosts {known}"]
        control = self.private / "cm"
        if len(str(control)) < 90:      # a socket path must be short: else each command makes its own connection
            # One SSH connection serves every command and rsync run of the deploy (a handshake can take a second).
            args += ["-o", "ControlMaster=auto", "-o", f"ControlPath={control}", "-o", "ControlPersist=20"]
            self.control = control
        self.env = dict(os.environ)
        if t.password:
            askpass = self.private / "askpass"
            askpass.write_text(f'#!/bin/sh\nprintf "%s\\n" "${_SECRET_ENV}"\n')
            askpass.chmod(0o700)
            self.env.update({"SSH_ASKPASS": str(askpass), "SSH_ASKPASS_REQUIRE": "force", _SECRET_ENV: t.password})
            args += ["-o", "BatchMode=no", "-o", "NumberOfPasswordPrompts=1"]
        else:
            args += ["-o", "BatchMode=yes"]
        wrapper = self.private / "ssh"
        wrapper.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in args) + ' "$@"\n')
        wrapper.chmod(0o700)
        return str(wrapper)

    def _quoted(self, rel: str = "") -> str:
        path = posixpath.join(self.root, rel) if self.root else (rel or ".")
        return shlex.quote(path)

    def _sh(self, script: str, data: bytes = b"", ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
        """Run a POSIX shell snippet on the server, in the home folder."""
        host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host
        try:
            done = subprocess.run([self.ssh, host, "sh -c " + shlex.quote(script)], input=data, check=False,
                                  capture_output=True, env=self.env, timeout=TIMEOUT * 20)
        except subprocess.TimeoutExpired:
            raise ConnectionLost(f"{self.target.host} stopped answering") from None
        if done.returncode not in ok:
            raise self._failure(done.returncode, done.stderr.decode("utf-8", "replace"))
        return done

    def _failure(self, code: int, stderr: str) -> DeployError:
        t = self.target
        last = next((line for line in reversed(stderr.strip().splitlines()) if line.strip()), f"exit status {code}")
        if "Permission denied" in stderr and code == 255:
            return DeployError(f"{t.host} refused the login for user {t.user} ({last.strip()})\n    hint: "
                               f"{login_hint()}")
        if "IDENTIFICATION HAS CHANGED" in stderr:
            return DeployError(f"the key of {t.host} is not the one known for it: this may not be your server\n    "
                               f"hint: ask your host whether the server's key changed; if it did, remove the old "
                               f"line (`ssh-keygen -R {t.host}`) and accept the new one")
        if "Host key verification failed" in stderr or "host key is known" in stderr:
            return DeployError(f"the key of {t.host} is not known, so it cannot be checked that this is your "
                               f"server\n    hint: {host_key_hint(t)}")
        if code == 255 and any(s in stderr for s in ("Connection refused", "Could not resolve", "timed out",
                                                       "No route to host", "Network is unreachable")):
            return DeployError(f"cannot connect to {t.host} port {t.port}: {last.strip()}\n    hint: check the "
                               "host name and port in the target URL, and that this computer is online")
        if code in (255, 10, 12, 20, 30, 35) or any(s in stderr for s in _BROKEN_STREAM):
            return ConnectionLost(f"lost the connection to {t.host}: {last.strip()}")
        return DeployError(f"{t.host}: {last.strip()}")

    def read_file(self, rel):
        f = self._quoted(rel)
        done = self._sh(f"if [ -f {f} ]; then exec cat -- {f}; else exit {_MISSING}; fi", ok=(0, _MISSING))
        return None if done.returncode == _MISSING else done.stdout

    def write_file(self, rel, data):
        f, part = self._quoted(rel), self._quoted(part_name(rel))
        folder = self._quoted(posixpath.dirname(rel))
        self._sh(f"mkdir -p -- {folder} && cat > {part} && mv -f -- {part} {f}", data)

    def existing(self, paths):
        script = (f"cd -- {self._quoted()} 2>/dev/null || exit 0; while IFS= read -r f; do "
                  'if [ -e "$f" ] || [ -L "$f" ]; then printf "%s\\n" "$f"; fi; done')
        found = self._sh(script, "".join(f"{p}\n" for p in paths).encode()).stdout.decode("utf-8", "replace")
        return set(found.splitlines()) & set(paths)

    def list_folder(self, rel):  # pragma: no cover - existing() answers in one round trip instead
        done = self._sh(f"cd -- {self._quoted(rel)} 2>/dev/null || exit {_MISSING}; ls -A", ok=(0, _MISSING))
        return None if done.returncode == _MISSING else set(done.stdout.decode("utf-8", "replace").splitlines())

    def upload(self, paths: list[str], source: Path, done: Done) -> None:
        # A file counts as done only when rsync has finished: its sender names a file before the receiver has
        # renamed it into place. Batches keep progress and the manifest moving on large deploys.
        for start in range(0, len(paths), BATCH):
            batch = paths[start:start + BATCH]
            self._rsync(batch, source)
            for rel in batch:
                done(rel)

    def _rsync(self, paths: list[str], source: Path) -> None:
        listing = self.private / "files"
        listing.write_bytes(b"\0".join(p.encode() for p in paths) + b"\0")
        host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host
        dest = f"{host}:{self.root.rstrip('/') + '/' if self.root else ''}"
        # -s: the remote path reaches rsync whole (no remote shell word-splitting); --ignore-times: send every
        # listed file (only its differences travel); no --inplace, so each is written aside and renamed.
        command = ["rsync", "-s", "--ignore-times", f"--files-from={listing}", "--from0",
                   "--timeout", str(TIMEOUT * 2), "-e", self.ssh, "--", f"{source}/", dest]
        try:
            done = subprocess.run(command, capture_output=True, env=self.env, timeout=TIMEOUT * 60, check=False)
        except subprocess.TimeoutExpired:
            raise ConnectionLost(f"{self.target.host} stopped answering") from None
        if done.returncode != 0:
            raise self._failure(done.returncode, done.stderr.decode("utf-8", "replace"))

    def delete(self, paths: list[str], partial: set[str], done: Done) -> None:
        if not paths:
            return
        lines = [f"f {rel}" for rel in paths] + [f"d {folder}" for folder in parent_folders(paths)]
        script = (f"cd -- {self._quoted()} 2>/dev/null || exit 0; while IFS= read -r line; do p=${{line#??}}; "
                  'case "$line" in "f "*) rm -f -- "$p" || exit 1;; "d "*) rmdir -- "$p" 2>/dev/null;; esac; '
                  "done; exit 0")
        self._sh(script, "".join(f"{line}\n" for line in lines).encode())
        for rel in paths:
            done(rel)

    def close(self) -> None:
        if self.control and self.control.exists():
            host = f"[{self.target.host}]" if ":" in self.target.host else self.target.host
            subprocess.run([self.ssh, "-O", "exit", host], capture_output=True, env=self.env, timeout=TIMEOUT,
                           check=False)
        shutil.rmtree(self.private, ignore_errors=True)
