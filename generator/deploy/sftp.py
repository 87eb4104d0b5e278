"""sftp:// targets with paramiko (and ssh:// ones whose server has no rsync).

The host's key must already be known (`~/.ssh/known_hosts`, or the file named by CLINIC_PAGES_DEPLOY_KNOWN_HOSTS):
an unknown or changed key stops the deploy, because the pages and the password would go to whoever answered.
The login uses, in turn, the SSH agent, the key named by CLINIC_PAGES_DEPLOY_SSH_KEY, the keys in ~/.ssh/ and
the password from CLINIC_PAGES_DEPLOY_PASSWORD or ~/.netrc. A folder starting /~/ is inside the home folder.
"""

from __future__ import annotations

import errno
import os
import posixpath
import socket
import stat

from generator.deploy.remote import Remote, part_name
from generator.deploy.target import (
    KNOWN_HOSTS_ENV,
    PASSWORD_ENV,
    SSH_KEY_ENV,
    ConnectionLost,
    DeployError,
    Target,
    redact,
)

TIMEOUT = 30


def host_key_hint(target: Target) -> str:
    port = f" -p {target.port}" if target.port != 22 else ""
    return (f"check the server's key fingerprint with your host, then accept it once with `ssh{port} "
            f"{target.user}@{target.host}`, or add it to the file named by {KNOWN_HOSTS_ENV}")


def login_hint() -> str:
    return (f"check the user name in the target URL; for a key, add its public half to the server's "
            f"~/.ssh/authorized_keys (or set {SSH_KEY_ENV} to the private key file); for a password, set "
            f"{PASSWORD_ENV} or use ~/.netrc")


class SftpRemote(Remote):
    def __init__(self, target: Target):
        import paramiko

        self.target = target
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        if os.environ.get(KNOWN_HOSTS_ENV):
            try:
                client.get_host_keys().load(os.environ[KNOWN_HOSTS_ENV])
            except OSError as exc:
                raise DeployError(f"cannot read {KNOWN_HOSTS_ENV} ({os.environ[KNOWN_HOSTS_ENV]}): "
                                  f"{exc.strerror}") from None
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        self.client = client
        key = os.environ.get(SSH_KEY_ENV) or None
        if key and not os.path.isfile(key):
            raise DeployError(f"{SSH_KEY_ENV} names {key}, which is not a file\n    hint: set it to your private "
                              "key file, or unset it to use the SSH agent and ~/.ssh/")
        try:
            client.connect(target.host, target.port, username=target.user, password=target.password or None,
                           key_filename=key, timeout=TIMEOUT, banner_timeout=TIMEOUT, auth_timeout=TIMEOUT)
            self.sftp = client.open_sftp()
            channel = self.sftp.get_channel()
            if channel is not None:     # always, for a session just opened
                channel.settimeout(TIMEOUT * 2)
        except paramiko.BadHostKeyException:
            client.close()
            raise DeployError(f"the key of {target.host} is not the one known for it: this may not be your server"
                              f"\n    hint: ask your host whether the server's key changed; if it did, remove the "
                              f"old line from known_hosts (`ssh-keygen -R {target.host}`) and accept the new "
                              "one") from None
        except paramiko.AuthenticationException as exc:
            client.close()
            raise DeployError(f"{target.host} refused the login for user {target.user} "
                              f"({redact(str(exc), target)})\n    hint: {login_hint()}") from None
        except paramiko.SSHException as exc:
            client.close()
            text = redact(str(exc), target)
            if "known_hosts" in text:
                raise DeployError(f"the key of {target.host} is not known, so it cannot be checked that this is "
                                  f"your server\n    hint: {host_key_hint(target)}") from None
            raise DeployError(f"SSH to {target.host} port {target.port} failed: {text}") from None
        except (OSError, EOFError) as exc:
            client.close()
            reason = ("no answer" if isinstance(exc, socket.timeout)
                      else (exc.strerror if isinstance(exc, OSError) else None) or str(exc))
            raise DeployError(f"cannot connect to {target.host} port {target.port}: {reason}\n    hint: check the "
                              "host name and port in the target URL, and that this computer is online") from None
        path = target.path
        if path == "/~" or path.startswith("/~/"):
            path = path[3:]                     # relative to the home folder, where SFTP starts
        self.root = path
        self.folders: set[str] = set()

    def _path(self, rel: str) -> str:
        if not rel:
            return self.root or "."
        return posixpath.join(self.root, rel) if self.root else rel

    def _call(self, what: str, fn, *args):
        import paramiko

        try:
            return fn(*args)
        except (EOFError, OSError, paramiko.SSHException) as exc:
            transport = self.client.get_transport()
            if isinstance(exc, OSError) and transport is not None and transport.is_active():
                raise       # the server answered: a refusal, or no such file
            raise ConnectionLost(f"lost the connection to {self.target.host} while trying to {what}: "
                                 f"{redact(str(exc) or type(exc).__name__, self.target)}") from None

    def read_file(self, rel):
        try:
            return self._call(f"read {rel}", self._read, self._path(rel))
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise self._refused("read", rel, exc) from None

    def _read(self, path: str) -> bytes:
        with self.sftp.open(path, "rb") as fh:
            return fh.read()

    def write_file(self, rel, data):
        self._make_folders(posixpath.dirname(rel))
        part, final = self._path(part_name(rel)), self._path(rel)
        try:
            self._call(f"send {rel}", self._write, part, data)
            self._call(f"rename {rel}", self._rename, part, final)
        except OSError as exc:
            raise self._refused("write", rel, exc) from None

    def _write(self, path: str, data: bytes) -> None:
        with self.sftp.open(path, "wb") as fh:
            fh.set_pipelined(True)
            fh.write(data)

    def _rename(self, src: str, dst: str) -> None:
        try:
            self.sftp.posix_rename(src, dst)        # OpenSSH's extension: replaces the old file atomically
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                raise
            self.sftp.remove(dst)                   # servers without it will not rename onto a file
            self.sftp.rename(src, dst)

    def _make_folders(self, rel: str) -> None:
        path = self._path(rel)
        if path == "." or path in self.folders:
            return
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if folder in ("", ".") or folder in self.folders:
                continue
            try:
                self._call(f"make the folder {folder}", self.sftp.mkdir, folder)
            except OSError:
                pass    # exists already; a real refusal shows up when the file is written
            self.folders.add(folder)

    def list_folder(self, rel):
        try:
            names = set(self._call(f"list {rel or '.'}", self.sftp.listdir, self._path(rel)))
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise self._refused("list", rel or ".", exc) from None
        self.folders.add(self._path(rel))
        return names

    def remove_file(self, rel):
        try:
            self._call(f"delete {rel}", self.sftp.remove, self._path(rel))
        except OSError as exc:
            if exc.errno != errno.ENOENT:
                raise self._refused("delete", rel, exc) from None

    def remove_folder(self, rel):
        try:
            attrs = self._call(f"remove {rel}", self.sftp.lstat, self._path(rel))
            if stat.S_ISDIR(attrs.st_mode or 0):
                self._call(f"remove {rel}", self.sftp.rmdir, self._path(rel))
        except OSError:
            pass    # not empty: someone else's files are in it

    def _refused(self, action: str, rel: str, exc: OSError) -> DeployError:
        return DeployError(f"{self.target.host} refused to {action} {rel}: {exc.strerror or exc}\n    hint: check "
                           "that the user may write to the target folder")

    def close(self) -> None:
        self.client.close()
