"""Deploying over FTP and FTPS to a real pyftpdlib server on 127.0.0.1, counting on the server's side."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.deploy import DeployError, deploy, parse_target
from generator.deploy.plan import REMOTE_MANIFEST
from generator.sitemap import is_index_file
from tests.deploy_servers import (
    FORCE,
    PART,
    FtpServer,
    assert_exact_copy,
    build_site,
    make_certificate,
    tree,
)
from tests.projects import REPO, cli, edit, run_cli

PASSWORD = "s3cret-Pa55"


@pytest.fixture
def site(publishable_site: Path) -> Path:
    """The mini project with its placeholders filled in, built; returns the project folder."""
    return publishable_site


@pytest.fixture
def password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_PASSWORD", PASSWORD)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))       # no ~/.netrc of the machine's
    return PASSWORD


def url(server: FtpServer, scheme: str = "ftp", folder: str = "/site") -> str:
    return f"{scheme}://{server.user}@127.0.0.1:{server.port}{folder}"


def built_files(project: Path) -> int:
    from generator.output import read_manifest
    return len(read_manifest(project / "output"))


def test_first_deploy_copies_the_build_and_a_second_sends_nothing(site, password, tmp_path):
    with FtpServer(tmp_path / "ftp") as server:
        report = deploy(site / "output", parse_target(url(server)))
        assert_exact_copy(site / "output", server.home / "site")
        files = built_files(site)
        placed = [p for kind, p in server.events if kind == "renamed" and not p.endswith(REMOTE_MANIFEST)]
        assert report.sent == files == len(placed) == len(set(placed))
        assert not any(p.endswith(PART) for p in tree(server.home))

        before = list(server.events)
        again = deploy(site / "output", parse_target(url(server)))
        assert again.plan.empty and again.sent == 0
        assert server.events == before, "a deploy with nothing to do wrote to the server"


def test_second_deploy_after_one_edit_sends_only_the_changed_files(site, password, tmp_path):
    output = site / "output"
    with FtpServer(tmp_path / "ftp") as server:
        deploy(output, parse_target(url(server)))
        old = tree(output)
        edit(site / "treatments.yaml", "then neutralised.", "then neutralised and rinsed off.")
        build_site(site)
        new = tree(output)
        changed = {rel for rel in new if old.get(rel) != new[rel]} - {".clinic-pages-manifest.json"}
        assert changed and len(changed) < len(new) - 1

        server.events.clear()
        report = deploy(output, parse_target(url(server)))
        placed = {p for kind, p in server.events if kind == "renamed" and not p.endswith(REMOTE_MANIFEST)}
        assert placed == {f"site/{rel}" for rel in changed}
        assert report.sent == len(changed) and report.deleted == 0
        assert_exact_copy(output, server.home / "site")


def test_deleted_area_removes_its_pages_but_not_a_file_someone_else_put_there(site, password, tmp_path):
    output = site / "output"
    with FtpServer(tmp_path / "ftp") as server:
        deploy(output, parse_target(url(server)))
        remote = server.home / "site"
        assert (remote / "areas/weybridge/index.html").exists()
        notes = remote / "areas/weybridge/notes.txt"
        notes.write_text("the clinic's own notes")
        (remote / "lip-fillers/weybridge/offer.pdf").write_bytes(b"%PDF-1.4 someone else's")

        edit(site / "locations.yaml", "    lon: -0.45297\n", "    lon: -0.45297\n    publish: false\n")
        build_site(site)
        gone = {rel for rel in tree(remote) if "weybridge" in rel and rel.endswith(".html")}
        report = deploy(output, parse_target(url(server)))

        assert report.deleted == len(gone) == 3
        assert {p for kind, p in server.events if kind == "deleted"} >= {f"site/{rel}" for rel in gone}
        assert notes.read_text() == "the clinic's own notes"
        assert not (remote / "chemical-peel/weybridge").exists(), "an emptied folder was left behind"
        assert_exact_copy(output, remote, others={"areas/weybridge/notes.txt": b"the clinic's own notes",
                                                  "lip-fillers/weybridge/offer.pdf": b"%PDF-1.4 someone else's"})


def test_upload_order_new_then_changed_then_sitemap_then_deletions(site, password, tmp_path):
    output = site / "output"
    with FtpServer(tmp_path / "ftp") as server:
        deploy(output, parse_target(url(server)))
        # A treatment's new slug: its pages are new, the old ones go, the pages linking to it change, and so
        # does the sitemap, which names its hub page.
        edit(site / "treatments.yaml", "slug: lip-fillers", "slug: lip-filler-treatment")
        build_site(site)
        server.events.clear()
        report = deploy(output, parse_target(url(server)))
        plan = report.plan
        assert plan.added and plan.changed and plan.deleted

        def stage(kind: str, path: str) -> int:
            rel = path.removeprefix("site/")
            if kind == "deleted":
                return 4
            if is_index_file(rel):
                return 3
            return 1 if rel in plan.added else 2

        stages = [stage(kind, p) for kind, p in server.events
                  if kind in ("renamed", "deleted") and not p.endswith((REMOTE_MANIFEST, PART))]
        assert stages == sorted(stages), "uploads and deletions reached the server out of order"
        assert set(stages) == {1, 2, 3, 4}
        renamed = [p.removeprefix("site/") for kind, p in server.events if kind == "renamed"]
        assert renamed.index("sitemap.xml") > max(renamed.index(rel) for rel in plan.added + plan.changed
                                                  if rel.endswith(".html"))
        assert_exact_copy(output, server.home / "site")


def test_connection_cut_mid_deploy_then_a_rerun_gives_an_exact_copy(site, password, tmp_path):
    output = site / "output"
    with FtpServer(tmp_path / "ftp", cut_after=8) as server:
        with pytest.raises(DeployError) as caught:
            deploy(output, parse_target(url(server)))
        message = str(caught.value)
        assert "lost the connection to 127.0.0.1" in message
        assert "nothing was lost: run `clinic-pages deploy` again to finish" in message
        remote = server.home / "site"
        assert 0 < len(tree(remote, skip=(REMOTE_MANIFEST,))) < built_files(site)
    with FtpServer(tmp_path / "ftp") as server:
        deploy(output, parse_target(url(server)))
        assert_exact_copy(output, remote)
        assert not any(p.endswith(PART) for p in tree(remote))


def test_killed_deploy_then_a_rerun_gives_an_exact_copy(site, password, tmp_path):
    """The process is killed (SIGKILL: no clean-up at all) in the middle of its uploads."""
    child: list[subprocess.Popen] = []

    def kill_client(stored: int) -> None:
        if stored == 10 and child:
            os.kill(child[0].pid, signal.SIGKILL)

    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    with FtpServer(tmp_path / "ftp", on_stored=kill_client) as server:
        command = [sys.executable, "-m", "generator", "deploy", url(server), "--project", str(site), *FORCE]
        child.append(subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
        child[0].communicate(timeout=60)
        assert child[0].returncode == -signal.SIGKILL
        remote = server.home / "site"
        assert len(tree(remote, skip=(REMOTE_MANIFEST,))) < built_files(site)

        done = run_cli("deploy", url(server), "--project", str(site), *FORCE, env=env)
        assert done.returncode == 0, done.stderr
        assert_exact_copy(site / "output", remote)


def test_wrong_password_gives_a_clear_error_and_changes_nothing(site, tmp_path):
    with FtpServer(tmp_path / "ftp") as server:
        remote = server.home / "site"
        remote.mkdir()
        (remote / "index.html").write_text("the old site")
        done = run_cli("-v", "deploy", url(server), "--project", str(site), *FORCE,
                       env={"CLINIC_PAGES_DEPLOY_PASSWORD": "wrong-Pa55word", "HOME": str(tmp_path)})
        assert done.returncode == 2
        assert done.stderr.splitlines()[-2:] == [
            "error: 127.0.0.1 refused the login for user clinic (530 Authentication failed.)",
            ("    hint: check the password in CLINIC_PAGES_DEPLOY_PASSWORD or ~/.netrc, and the user name in the "
             "target URL")]
        assert "wrong-Pa55word" not in done.stdout + done.stderr
        assert tree(remote) == {"index.html": b"the old site"} and server.events == []


def test_the_password_never_appears_in_output(site, tmp_path):
    with FtpServer(tmp_path / "ftp") as server:
        env = {"CLINIC_PAGES_DEPLOY_PASSWORD": PASSWORD, "HOME": str(tmp_path)}
        runs = [run_cli("-v", "deploy", url(server), "--project", str(site), "--dry-run", *FORCE, env=env),
                run_cli("-v", "--debug", "deploy", url(server), "--project", str(site), *FORCE, env=env)]
        edit(site / "treatments.yaml", "then neutralised.", "then neutralised and rinsed off.")
        build_site(site)
        runs.append(run_cli("-v", "deploy", url(server), "--project", str(site), *FORCE, env=env))
        for done in runs:
            assert done.returncode == 0, done.stderr
            assert PASSWORD not in done.stdout + done.stderr
        assert runs[1].stdout.startswith(f"Deployed to {url(server)}: {built_files(site)} files sent")


def test_password_from_netrc(site, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    netrc = home / ".netrc"
    netrc.write_text(f"machine 127.0.0.1 login clinic password {PASSWORD}\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLINIC_PAGES_DEPLOY_PASSWORD", raising=False)
    with FtpServer(tmp_path / "ftp") as server:
        deploy(site / "output", parse_target(f"ftp://127.0.0.1:{server.port}/site"))
        assert server.logins == 1
        assert_exact_copy(site / "output", server.home / "site")


def test_dry_run_prints_the_plan_and_changes_nothing(site, tmp_path):
    env = {"CLINIC_PAGES_DEPLOY_PASSWORD": PASSWORD, "HOME": str(tmp_path)}
    with FtpServer(tmp_path / "ftp") as server:
        assert cli("deploy", url(server), "--project", str(site), *FORCE, env=env).returncode == 0
        edit(site / "locations.yaml", "    lon: -0.45297\n", "    lon: -0.45297\n    publish: false\n")
        build_site(site)
        before, events = tree(server.home), list(server.events)

        done = cli("deploy", url(server), "--project", str(site), "--dry-run", *FORCE, env=env)
        assert done.returncode == 0, done.stderr
        assert tree(server.home) == before and server.events == events
        lines = done.stdout.splitlines()
        assert lines[-1].startswith(f"Dry run for {url(server)}: would send ")
        assert lines[-1].endswith("Nothing was changed.")
        assert "deleted (3):" in lines
        assert "  - areas/weybridge/index.html" in lines


def test_a_file_someone_else_put_where_a_page_goes_is_never_overwritten(site, password, tmp_path):
    with FtpServer(tmp_path / "ftp") as server:
        remote = server.home / "site"
        (remote / "areas").mkdir(parents=True)
        (remote / "index.html").write_text("the old site")
        (remote / "areas/index.html").write_text("the old areas")
        with pytest.raises(DeployError) as caught:
            deploy(site / "output", parse_target(url(server)))
        assert str(caught.value).startswith(f"2 file(s) on {url(server)} were not put there by clinic-pages and "
                                            "would be overwritten:\n  areas/index.html\n  index.html\n")
        assert tree(server.home) == {"site/index.html": b"the old site", "site/areas/index.html": b"the old areas"}
        assert server.events == []


def test_ftps_with_a_certificate_made_by_the_test(site, password, tmp_path, monkeypatch):
    certificate = make_certificate(tmp_path)
    with FtpServer(tmp_path / "ftp", certificate=certificate) as server:
        monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent")        # trust nothing: the host cannot be checked
        with pytest.raises(DeployError, match="the certificate of 127.0.0.1 cannot be trusted"):
            deploy(site / "output", parse_target(url(server, "ftps")))
        assert server.events == []

        monkeypatch.setenv("SSL_CERT_FILE", str(certificate))
        deploy(site / "output", parse_target(url(server, "ftps")))
        assert_exact_copy(site / "output", server.home / "site")


def test_ftps_refuses_a_server_without_tls(site, password, tmp_path):
    with FtpServer(tmp_path / "ftp") as server:
        with pytest.raises(DeployError, match="does not offer FTP over TLS"):
            deploy(site / "output", parse_target(url(server, "ftps")))
        assert server.events == [] and not (server.home / "site").exists()
