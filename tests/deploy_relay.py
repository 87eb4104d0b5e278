"""A forced command for one test key in sshd's authorized_keys: it runs the client's command as sshd would,
passing the client's input through, and for an rsync upload or an SFTP session drops the connection after LIMIT
bytes of the client's input — a line cut in the middle of a deploy, at the same point of the stream every run.

    command="python3 deploy_relay.py LIMIT" ssh-ed25519 AAAA...
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

SFTP_SERVER = "/usr/lib/openssh/sftp-server"   # the subsystem's command, as tests/deploy_servers.py configures it

def cut_the_line() -> None:
    """Kill this connection's sshd processes ("sshd: USER@notty", "sshd: USER [priv]"), never the listener
    ("sshd: ... [listener]"): the TCP connection drops as it would when a line fails."""
    pid = os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                name = fh.read().split(b"\0")[0]
            with open(f"/proc/{pid}/stat") as fh:
                parent = int(fh.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        if name.startswith(b"sshd: ") and b"[listener]" not in name:
            os.kill(pid, signal.SIGKILL)
        pid = parent
    os._exit(1)


def main() -> int:
    limit = int(sys.argv[1])
    command = os.environ.get("SSH_ORIGINAL_COMMAND", "")
    child = subprocess.Popen(["/bin/sh", "-c", command], stdin=subprocess.PIPE)
    cutting = limit > 0 and command.startswith(("rsync --server", SFTP_SERVER))
    passed = 0
    assert child.stdin is not None
    try:
        while chunk := os.read(0, 16384):
            if cutting and passed + len(chunk) > limit:
                cut_the_line()
            child.stdin.write(chunk)
            child.stdin.flush()
            passed += len(chunk)
        child.stdin.close()
    except BrokenPipeError:
        pass   # the command stopped reading (`cd ... || exit 0`): sshd drops the rest of the input, and so do we
    return child.wait()


if __name__ == "__main__":
    sys.exit(main())
