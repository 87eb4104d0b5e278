"""Real servers on 127.0.0.1 for the deploy tests: pyftpdlib (FTP, FTPS) and OpenSSH's sshd (SFTP, rsync).

Each server records what it did on its own side, so the tests count uploads where they land, not where the
client says it sent them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

# Tests of the transfer itself run the CLI with this, so that what `check` thinks of the sample pages (tested in
# test_deploy.py and the check engine's own tests) cannot stop them.
FORCE = ("--force", "a test of the transfer, not of the pages")
SSHD = "/usr/sbin/sshd"
SFTP_SERVER = "/usr/lib/openssh/sftp-server"
PART = ".clinic-pages-part"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")


def tree(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under `folder` as relative path -> bytes, leaving out the names in `skip`."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.relative_to(folder).as_posix() not in skip}


def inodes(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's (inode, mtime): a file the server wrote anew (temporary name, then rename) gets a new one."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = p.stat()
            out[p.relative_to(folder).as_posix()] = (st.st_ino, st.st_mtime_ns)
    return out


def publishable(project: Path) -> Path:
    """Replace the project's placeholders with made-up real values, so that `deploy` does not refuse it."""
    site = project / "site.yaml"
    text = re.sub(r'(phone: )!placeholder "[^"]*"', r'\1"01483 960000"', site.read_text("utf-8"))
    text = re.sub(r'(registration_number: )!placeholder "[^"]*"', r'\1"12A3456E"', text)
    site.write_text(re.sub(r'!placeholder "([^"]*)"', r'"\1"', text), "utf-8")
    return project


def build_site(project: Path) -> Path:
    from generator.build import build

    return build(project).output


def assert_exact_copy(output: Path, remote: Path, others: dict[str, bytes] | None = None) -> None:
    """The remote holds exactly what the build made (plus the others' files, untouched), and no leftovers."""
    from generator.deploy.plan import REMOTE_MANIFEST
    from generator.output import MANIFEST, digest, read_manifest

    built = read_manifest(output)
    want = {rel: data for rel, data in tree(output).items() if rel in built}
    assert set(built) == set(want) and MANIFEST not in want
    got = tree(remote, skip=(REMOTE_MANIFEST,))
    assert {rel: got[rel] for rel in got if rel not in (others or {})} == want
    for rel, data in (others or {}).items():
        assert got.get(rel) == data, f"{rel}, which someone else put there, was changed or removed"
    manifest = json.loads((remote / REMOTE_MANIFEST).read_text())
    assert manifest["files"] == {rel: digest(data) for rel, data in want.items()}


def make_certificate(folder: Path) -> Path:
    """A self-signed certificate for 127.0.0.1, with its key, in one PEM file."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "clinic-pages test FTPS")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / "ftps-cert.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return path


class FtpServer:
    """pyftpdlib on a free port, in a thread. `events` lists ("stored" | "renamed" | "deleted", path) in order.

    `on_stored(n)` is called (in the server's thread) after the n-th file is stored; `cut_after` closes the
    client's connection right after that many files, as a dropped line would.
    """

    def __init__(self, home: Path, user: str = "clinic", password: str = "s3cret-Pa55",
                 certificate: Path | None = None, cut_after: int | None = None,
                 on_stored: Callable[[int], None] | None = None):
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
        from pyftpdlib.servers import FTPServer

        logging.getLogger("pyftpdlib").setLevel(logging.WARNING)
        self.home, self.user, self.password = home, user, password
        self.events: list[tuple[str, str]] = []
        self.logins = 0
        home.mkdir(parents=True, exist_ok=True)
        authorizer = DummyAuthorizer()
        authorizer.add_user(user, password, str(home), perm="elradfmwMT")
        server = self
        base = TLS_FTPHandler if certificate else FTPHandler

        class Handler(base):  # type: ignore[misc, valid-type]
            def on_login(self, username):
                server.logins += 1

            def on_file_received(self, file):
                server.events.append(("stored", server.rel(file)))
                stored = sum(1 for kind, _ in server.events if kind == "stored")
                if on_stored:
                    on_stored(stored)
                if cut_after is not None and stored >= cut_after:
                    self.close()

            def ftp_RNTO(self, path):
                done = super().ftp_RNTO(path)
                if done:
                    server.events.append(("renamed", server.rel(done[1])))
                return done

            def ftp_DELE(self, path):
                done = super().ftp_DELE(path)
                if done:
                    server.events.append(("deleted", server.rel(path)))
                return done

        Handler.authorizer = authorizer
        Handler.passive_ports = None
        Handler.auth_failed_timeout = 0.1     # pyftpdlib waits 3 s after a wrong password by default
        if certificate:
            Handler.certfile = str(certificate)
            Handler.tls_control_required = True
            Handler.tls_data_required = True
        self.server = FTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.socket.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        """Serve until told to stop, then close the server in this thread: closed from another thread while this
        one waits in poll(), the loop fails on a closed descriptor."""
        while not self._stop.is_set():
            self.server.serve_forever(timeout=0.05, blocking=False, handle_exit=False)
        self.server.close_all()

    def rel(self, path: str) -> str:
        return Path(path).relative_to(self.home).as_posix()

    def __enter__(self) -> FtpServer:
        self.thread.start()
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self.thread.join(timeout=10)


class SshServer:
    """OpenSSH's sshd on a free port, with host and client keys made here (run as root in a sandbox).

    Logs in as the current user with the client key; `client_env` holds the environment variables that point
    clinic-pages at that key and at a known_hosts file that trusts this server. OpenSSH's sftp-server logs
    each file operation (`sftp_renames()` counts the files placed). `cut_key` is a second client key
    whose sessions run through `relay.py`, which drops the connection after `cut_bytes` bytes of an rsync upload or
    of an SFTP session.
    """

    def __init__(self, folder: Path, cut_bytes: int = 0):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.user = _current_user()
        self.host_key = self._keygen("host_ed25519")
        self.client_key = self._keygen("client_ed25519")
        self.cut_key = self._keygen("cut_ed25519")
        self.wrong_key = self._keygen("wrong_ed25519")
        relay = Path(__file__).with_name("deploy_relay.py")
        (folder / "authorized_keys").write_text(
            self.client_key.with_suffix(".pub").read_text()
            + f'command="{sys.executable} {relay} {cut_bytes}" ' + self.cut_key.with_suffix(".pub").read_text())
        host_pub = " ".join(self.host_key.with_suffix(".pub").read_text().split()[:2])
        self.known_hosts = folder / "known_hosts"
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_pub}\n")
        self.sftp_log = folder / "sftp.log"
        self.sftp_log.touch()
        config = folder / "sshd_config"
        config.write_text("\n".join([
            f"Port {self.port}", "ListenAddress 127.0.0.1", f"HostKey {self.host_key}",
            f"PidFile {folder / 'sshd.pid'}", "UsePAM no", "StrictModes no",
            f"AuthorizedKeysFile {folder / 'authorized_keys'}", "PermitRootLogin yes",
            "PubkeyAuthentication yes", "PasswordAuthentication no", "KbdInteractiveAuthentication no",
            f"Subsystem sftp {SFTP_SERVER} -e -l INFO 2>>{self.sftp_log}", "LogLevel VERBOSE", "PrintMotd no",
            "UseDNS no",
            "MaxStartups 50", "",
        ]))
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)     # sshd's privilege separation folder
        self.log: list[str] = []
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()
        try:
            wait_for_port(self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError("sshd did not start:\n" + "\n".join(self.log)) from None

    def _keygen(self, name: str) -> Path:
        path = self.folder / name
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(path)], check=True)
        return path

    def _read_log(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.log.append(line.rstrip("\n"))

    def client_env(self, key: Path | None = None) -> dict[str, str]:
        return {"CLINIC_PAGES_DEPLOY_SSH_KEY": str(key or self.client_key),
                "CLINIC_PAGES_DEPLOY_KNOWN_HOSTS": str(self.known_hosts)}

    def url(self, scheme: str, path: Path) -> str:
        return f"{scheme}://{self.user}@127.0.0.1:{self.port}{path}"

    def sftp_renames(self, under: Path) -> int:
        """Files placed over SFTP under `under` (the deploy's manifest aside), counted from the server's own log."""
        lines = self.sftp_log.read_text(errors="replace").splitlines()
        return sum(1 for line in lines if "rename old" in line and f'new "{under}/' in line
                   and '.clinic-pages-deploy.json"' not in line)

    def cut_sessions(self) -> None:
        """Kill every session process (not the listener): the client's connection drops mid-work."""
        for pid in _descendants(self.proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        self.cut_sessions()          # first, while they are still the listener's children
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _current_user() -> str:
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found.append(child)
        todo += children.get(child, [])
    return found
