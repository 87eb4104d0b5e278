"""Deploying over SFTP (paramiko) and rsync over SSH to OpenSSH's sshd on 127.0.0.1, started by the tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.deploy import DeployError, deploy, parse_target
from generator.deploy.plan import REMOTE_MANIFEST
from tests.deploy_servers import (
    FORCE,
    SSHD,
    SshServer,
    assert_exact_copy,
    build_site,
    inodes,
    tree,
)
from tests.projects import edit, run_cli

pytestmark = [pytest.mark.ssh,
              pytest.mark.skipif(not (os.path.exists(SSHD) and shutil.which("rsync") and os.geteuid() == 0),
                                 reason="needs openssh-server and rsync (tests/setup-system.sh) and root")]


@pytest.fixture
def site(publishable_site: Path) -> Path:
    """The mini project with its placeholders filled in, built; returns the project folder."""
    return publishable_site


@pytest.fixture
def sshd(tmp_path: Path):
    server = SshServer(tmp_path / "sshd", cut_bytes=40_000)
    yield server
    server.stop()


@pytest.fixture
def ssh_env(sshd: SshServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Point clinic-pages at the test's key and known_hosts; keep the machine's ~/.ssh and password out."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLINIC_PAGES_DEPLOY_PASSWORD", raising=False)
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    env = sshd.client_env()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


def changed_on_server(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {rel for rel in after if before.get(rel) != after[rel] and rel != REMOTE_MANIFEST}


def edit_one_treatment(site: Path) -> set[str]:
    """Change one treatment's text, rebuild, and return the output files whose bytes changed."""
    old = tree(site / "output")
    edit(site / "treatments.yaml", "then neutralised.", "then neutralised and rinsed off.")
    build_site(site)
    new = tree(site / "output")
    return {rel for rel in new if old.get(rel) != new[rel]} - {".clinic-pages-manifest.json"}


@pytest.mark.parametrize("scheme", ["sftp", "ssh"])
def test_first_deploy_then_one_edit_sends_only_the_changed_files(scheme, site, sshd, ssh_env, tmp_path):
    remote = tmp_path / "www" / "site"
    target = parse_target(sshd.url(scheme, remote))
    deploy(site / "output", target)
    assert_exact_copy(site / "output", remote)

    before = inodes(remote)
    changed = edit_one_treatment(site)
    assert changed
    renames = sshd.sftp_renames(remote)
    report = deploy(site / "output", target)
    assert changed_on_server(before, inodes(remote)) == changed
    assert report.sent == len(changed)
    if scheme == "sftp":   # the server's own log: one rename into place per file
        assert sshd.sftp_renames(remote) - renames == len(changed)
    assert_exact_copy(site / "output", remote)


@pytest.mark.parametrize("scheme", ["sftp", "ssh"])
def test_deleted_area_removes_its_pages_but_not_a_file_someone_else_put_there(scheme, site, sshd, ssh_env,
                                                                              tmp_path):
    remote = tmp_path / "www" / "site"
    target = parse_target(sshd.url(scheme, remote))
    deploy(site / "output", target)
    (remote / "areas/weybridge/notes.txt").write_text("the clinic's own notes")
    edit(site / "locations.yaml", "    lon: -0.45297\n", "    lon: -0.45297\n    publish: false\n")
    build_site(site)
    report = deploy(site / "output", target)
    assert report.deleted == 3
    assert not (remote / "lip-fillers/weybridge").exists() and not (remote / "areas/weybridge/index.html").exists()
    assert_exact_copy(site / "output", remote, others={"areas/weybridge/notes.txt": b"the clinic's own notes"})


def test_rsync_connection_cut_mid_upload_then_a_rerun_gives_an_exact_copy(site, sshd, ssh_env, tmp_path,
                                                                          monkeypatch):
    remote = tmp_path / "www" / "site"
    target = parse_target(sshd.url("ssh", remote))
    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_SSH_KEY", str(sshd.cut_key))      # this key's sessions are cut
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", target)
    assert "lost the connection to 127.0.0.1" in str(caught.value)
    assert "run `clinic-pages deploy` again to finish" in str(caught.value)
    assert len(tree(remote, skip=(REMOTE_MANIFEST,))) < len(tree(site / "output")) - 1

    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_SSH_KEY", str(sshd.client_key))
    deploy(site / "output", target)
    assert_exact_copy(site / "output", remote)


def test_sftp_connection_cut_mid_deploy_then_a_rerun_gives_an_exact_copy(site, sshd, ssh_env, tmp_path,
                                                                         monkeypatch):
    remote = tmp_path / "www" / "site"
    target = parse_target(sshd.url("sftp", remote))
    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_SSH_KEY", str(sshd.cut_key))      # this key's sessions are cut
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", target)
    assert "lost the connection to 127.0.0.1" in str(caught.value)
    assert "run `clinic-pages deploy` again to finish" in str(caught.value)
    assert 0 < sshd.sftp_renames(remote) < len(tree(site / "output")) - 1     # cut after some files, not all
    assert len(tree(remote, skip=(REMOTE_MANIFEST,))) < len(tree(site / "output")) - 1

    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_SSH_KEY", str(sshd.client_key))
    deploy(site / "output", target)
    assert_exact_copy(site / "output", remote)


@pytest.mark.parametrize("scheme", ["sftp", "ssh"])
def test_wrong_key_gives_a_clear_error_and_changes_nothing(scheme, site, sshd, ssh_env, tmp_path):
    remote = tmp_path / "www" / "site"
    remote.mkdir(parents=True)
    (remote / "index.html").write_text("the old site")
    done = run_cli("deploy", sshd.url(scheme, remote), "--project", str(site), *FORCE,
                   env=sshd.client_env(key=sshd.wrong_key))
    assert done.returncode == 2
    assert f"error: 127.0.0.1 refused the login for user {sshd.user} (" in done.stderr
    assert "hint: check the user name in the target URL; for a key, add its public half" in done.stderr
    assert tree(remote) == {"index.html": b"the old site"}


@pytest.mark.parametrize("scheme", ["sftp", "ssh"])
def test_an_unknown_host_key_stops_the_deploy(scheme, site, sshd, ssh_env, tmp_path, monkeypatch):
    monkeypatch.delenv("CLINIC_PAGES_DEPLOY_KNOWN_HOSTS")
    remote = tmp_path / "www" / "site"
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", parse_target(sshd.url(scheme, remote)))
    assert str(caught.value).startswith("the key of 127.0.0.1 is not known, so it cannot be checked that this is "
                                        "your server\n    hint: check the server's key fingerprint")
    assert not remote.exists()


def test_ssh_target_falls_back_to_sftp_without_rsync_here(site, sshd, ssh_env, tmp_path):
    """A computer without rsync: ssh:// still works, over SFTP (PATH holds ssh but not rsync)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").symlink_to(shutil.which("ssh"))
    remote = tmp_path / "www" / "site"
    renames = sshd.sftp_renames(remote)
    done = run_cli("-v", "deploy", sshd.url("ssh", remote), "--project", str(site), *FORCE,
                   env={**ssh_env, "PATH": str(bin_dir)})
    assert done.returncode == 0, done.stderr
    assert "INFO: rsync is not installed on this computer; deploying over SFTP instead" in done.stderr
    assert sshd.sftp_renames(remote) - renames == len(tree(site / "output")) - 1
    assert_exact_copy(site / "output", remote)


@pytest.mark.parametrize(("code", "stderr", "lost"), [
    (12, "rsync: connection unexpectedly closed (0 bytes received so far) [sender]\n", True),
    (1, "Traceback (most recent call last):\nBrokenPipeError: [Errno 32] Broken pipe\n", True),
    (1, "client_loop: send disconnect: Connection reset by peer\n", True),
    (1, "mkdir: cannot create directory 'www': Permission denied\n", False),
])
def test_a_broken_stream_is_a_lost_connection_whatever_the_exit_status(code, stderr, lost) -> None:
    """A cut line can reach a command on the server first: it then fails with its own exit status, not ssh's or
    rsync's, and only what it printed says the stream broke. The deploy must say so (and that a rerun
    finishes), not pass on a bare error."""
    from generator.deploy.rsync import RsyncRemote
    from generator.deploy.target import ConnectionLost
    remote = RsyncRemote.__new__(RsyncRemote)      # the message only: no server needed
    remote.target = parse_target("ssh://deploy@127.0.0.1/www")
    error = remote._failure(code, stderr)
    assert isinstance(error, ConnectionLost) == lost
    assert str(error).startswith("lost the connection to 127.0.0.1: ") == lost
