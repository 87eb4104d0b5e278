"""ftps:// (FTP with explicit TLS on both channels) and ftp:// (plain, only when the URL says so) with ftplib.

The URL's folder is relative to the login folder (`ftp://user@host/public_html`); write `%2F` for an absolute
one (`ftp://user@host/%2Fvar/www`). Certificates are checked against the system's authorities; a host with its
own certificate can be trusted by pointing SSL_CERT_FILE at it.
"""

from __future__ import annotations

import ftplib
import io
import logging
import posixpath
import socket
import ssl

from generator.deploy.remote import Remote, part_name
from generator.deploy.target import ConnectionLost, DeployError, Target, redact

log = logging.getLogger(__name__)

TIMEOUT = 30
_LOST = (OSError, EOFError, ftplib.error_temp, ftplib.error_proto, ftplib.error_reply)


class FtpRemote(Remote):
    def __init__(self, target: Target):
        self.target = target
        path = target.path.removeprefix("/")
        self.root = path.rstrip("/") if path != "/" else path
        self.folders: set[str] = set()       # server paths of folders known to exist
        if target.scheme == "ftp":
            log.warning("plain FTP sends the password and the pages unencrypted; use ftps:// if the host offers it")
        try:
            ftp = (ftplib.FTP_TLS(context=ssl.create_default_context(), timeout=TIMEOUT)
                   if target.scheme == "ftps" else ftplib.FTP(timeout=TIMEOUT))
            ftp.connect(target.host, target.port)
        except OSError as exc:
            raise DeployError(f"cannot connect to {target.host} port {target.port}: {_reason(exc)}\n    hint: check "
                              "the host name and port in the target URL, and that this computer is online") from None
        self.ftp = ftp
        try:
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.auth()
            ftp.login(target.user, target.password)
            if isinstance(ftp, ftplib.FTP_TLS):
                ftp.prot_p()
            ftp.voidcmd("TYPE I")
        except ssl.SSLCertVerificationError as exc:
            self.close()
            raise DeployError(f"the certificate of {target.host} cannot be trusted: {exc.verify_message}\n    hint: "
                              "if your host uses its own certificate, save it as a PEM file and set SSL_CERT_FILE "
                              "to that file") from None
        except ftplib.error_perm as exc:
            self.close()
            reply = redact(str(exc), target)
            if reply.startswith("530"):
                raise DeployError(f"{target.host} refused the login for user {target.user} ({reply})\n    hint: "
                                  "check the password in CLINIC_PAGES_DEPLOY_PASSWORD or ~/.netrc, and the user "
                                  "name in the target URL") from None
            if target.scheme == "ftps" and reply[:3] in ("500", "502", "504", "534"):
                raise DeployError(f"{target.host} does not offer FTP over TLS ({reply})\n    hint: ask the host "
                                  "for FTPS or SFTP; use ftp:// only if you accept sending the password "
                                  "unencrypted") from None
            raise DeployError(f"{target.host} refused the login: {reply}") from None
        except _LOST + (ssl.SSLError,) as exc:
            self.close()
            raise DeployError(f"lost the connection to {target.host} while logging in: {_reason(exc)}") from None

    def _path(self, rel: str) -> str:
        if not rel:
            return self.root or "."
        return posixpath.join(self.root, rel) if self.root else rel

    def _call(self, what: str, fn, *args):
        try:
            return fn(*args)
        except _LOST as exc:
            raise ConnectionLost(f"lost the connection to {self.target.host} while trying to {what}: "
                                 f"{redact(_reason(exc), self.target)}") from None

    def read_file(self, rel):
        buf = io.BytesIO()
        try:
            self._call(f"read {rel}", self.ftp.retrbinary, f"RETR {self._path(rel)}", buf.write)
        except ftplib.error_perm:
            return None
        return buf.getvalue()

    def write_file(self, rel, data):
        self._make_folders(posixpath.dirname(rel))
        part, final = self._path(part_name(rel)), self._path(rel)
        try:
            self._call(f"send {rel}", self.ftp.storbinary, f"STOR {part}", io.BytesIO(data))
            try:
                self._rename(part, final)
            except ftplib.error_perm:
                # Some servers will not rename onto an existing file: remove it first (a moment without it).
                self._call(f"replace {rel}", self.ftp.delete, final)
                self._rename(part, final)
        except ftplib.error_perm as exc:
            raise DeployError(f"{self.target.host} refused to write {rel}: {redact(str(exc), self.target)}\n    "
                              "hint: check that the user may write to the target folder") from None

    def _rename(self, src: str, dst: str) -> None:
        self._call(f"rename into {dst}", self.ftp.rename, src, dst)

    def _make_folders(self, rel: str) -> None:
        """Make the folder (and those above it, up to and including the target folder) unless known to exist."""
        path = self._path(rel)
        if path == "." or path in self.folders:
            return
        parts = path.split("/")
        for i in range(1, len(parts) + 1):
            folder = "/".join(parts[:i])
            if folder in ("", ".") or folder in self.folders:
                continue
            try:
                self._call(f"make the folder {folder}", self.ftp.mkd, folder)
            except ftplib.error_perm:
                pass    # it exists already (a real refusal shows up when the file is written)
            self.folders.add(folder)

    def list_folder(self, rel):
        path = self._path(rel)
        try:
            names = {name for name, _ in self._call(f"list {path}", lambda p: list(self.ftp.mlsd(p)), path)}
        except ftplib.error_perm as exc:
            if not str(exc).startswith(("500", "501", "502")):
                return None
            try:    # no MLSD: fall back to NLST, whose names may come with the folder in front
                names = {posixpath.basename(n.rstrip("/")) for n in self._call(f"list {path}", self.ftp.nlst, path)}
            except ftplib.error_perm:
                return None
        self.folders.add(path)
        return names - {".", ".."}

    def remove_file(self, rel):
        try:
            self._call(f"delete {rel}", self.ftp.delete, self._path(rel))
        except ftplib.error_perm as exc:
            names = self.list_folder(posixpath.dirname(rel))
            if names is not None and posixpath.basename(rel) in names:
                raise DeployError(f"{self.target.host} refused to delete {rel}: "
                                  f"{redact(str(exc), self.target)}") from None

    def remove_folder(self, rel):
        try:
            self._call(f"remove the folder {rel}", self.ftp.rmd, self._path(rel))
            self.folders.discard(self._path(rel))
        except ftplib.error_perm:
            pass

    def close(self) -> None:
        try:
            self.ftp.quit()
        except Exception:  # closing a connection that may already be dead
            self.ftp.close()


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "no answer within 30 seconds"
    if isinstance(exc, EOFError):
        return "the server closed the connection"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
