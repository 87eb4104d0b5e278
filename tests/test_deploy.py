"""Deploy: target URLs, site.yaml's deploy section, the plan and its order, file:// targets, and the CLI.

FTP, FTPS, SFTP and rsync over SSH are tested against real servers in test_deploy_ftp.py and test_deploy_ssh.py.
"""

from __future__ import annotations

import fcntl
import json
from pathlib import Path

import pytest

from generator.deploy import DeployError, deploy, parse_target, size
from generator.deploy.plan import REMOTE_MANIFEST, DeployPlan, LocalSite, make_plan
from generator.deploy.target import resolve_target, url_problem, with_credentials
from generator.errors import DataError
from generator.validate import load_project
from tests.deploy_servers import FORCE, assert_exact_copy, build_site, inodes, tree
from tests.projects import cli, edit, run_cli


@pytest.fixture
def site(publishable_site: Path) -> Path:
    """The mini project with its placeholders filled in, built; returns the project folder."""
    return publishable_site


# Target URLs


@pytest.mark.parametrize(("url", "shown", "parts"), [
    ("file:///srv/www/site/", "file:///srv/www/site", ("file", "", 0, "", "/srv/www/site")),
    ("ftps://clinic@ftp.example.co.uk/public_html", "ftps://clinic@ftp.example.co.uk/public_html",
     ("ftps", "ftp.example.co.uk", 21, "clinic", "/public_html")),
    ("ftp://u@127.0.0.1:2121/site", "ftp://u@127.0.0.1:2121/site", ("ftp", "127.0.0.1", 2121, "u", "/site")),
    ("sftp://deploy@host:2222/~/www", "sftp://deploy@host:2222/~/www", ("sftp", "host", 2222, "deploy", "/~/www")),
    ("ssh://me@[::1]/var/www", "ssh://me@[::1]/var/www", ("ssh", "::1", 22, "me", "/var/www")),
])
def test_target_urls_are_parsed_and_shown_without_secrets(url, shown, parts):
    target = parse_target(url)
    assert (target.scheme, target.host, target.port, target.user, target.path) == parts
    assert str(target) == shown


@pytest.mark.parametrize(("url", "message", "hint"), [
    ("ftps://clinic:hunter22@host/x", "the target URL contains a password",
     "remove it from the URL and set CLINIC_PAGES_DEPLOY_PASSWORD or use ~/.netrc; never keep passwords in "
     "project files (an '@' in the folder's name is written %40)"),
    ("gopher://host/x", "unknown kind of target `gopher://`", "use one of file://, ftp://, ftps://, sftp://, ssh://"),
    ("sftp://host/var/www", "the sftp:// target has no user name", "write sftp://USER@host/var/www"),
    ("file://server/share", "file:// targets are local folders, found host `server`",
     "write three slashes: file:///srv/www/site"),
    ("file:///", "a file:// target needs an absolute folder other than /", "such as file:///srv/www/site"),
    ("ftp://host:99999/x", "cannot read the target URL: Port out of range 0-65535",
     "for example file:///srv/www/site, ftps://user@host/public_html or sftp://user@host/var/www"),
    ("/srv/www", "expected a target URL, found `/srv/www`",
     "for example file:///srv/www/site, ftps://user@host/public_html or sftp://user@host/var/www"),
])
def test_bad_target_urls_are_refused_with_a_hint(url, message, hint):
    assert url_problem(url) == (message, hint)


def test_a_password_comes_from_the_environment_and_is_never_shown(monkeypatch):
    monkeypatch.setenv("CLINIC_PAGES_DEPLOY_PASSWORD", "pa55-word")
    target = with_credentials(parse_target("ftps://clinic@host/x"))
    assert target.password == "pa55-word"
    assert "pa55-word" not in str(target) + repr(target) + target.label


def test_ftp_without_any_password_says_where_to_put_one(monkeypatch, tmp_path):
    monkeypatch.delenv("CLINIC_PAGES_DEPLOY_PASSWORD", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DeployError) as caught:
        with_credentials(parse_target("ftps://clinic@host/x"))
    assert str(caught.value) == ("no password for clinic@host\n    hint: set CLINIC_PAGES_DEPLOY_PASSWORD in the "
                                 "environment, or add `machine host login clinic password ...` to ~/.netrc")


def test_targets_resolve_by_url_name_default_or_the_only_one():
    targets = {"live": "ftps://c@live.example/public_html", "staging": "file:///srv/staging"}
    assert resolve_target(targets, "live", None).label == "live (ftps://c@live.example/public_html)"
    assert resolve_target(targets, "live", "staging").path == "/srv/staging"
    assert resolve_target(targets, None, "file:///tmp/x").path == "/tmp/x"
    assert resolve_target({"only": "file:///srv/a"}, None, None).name == "only"
    with pytest.raises(DeployError, match=r"unknown deploy target `stagign`\n    hint: did you mean `staging`\?"):
        resolve_target(targets, None, "stagign")
    with pytest.raises(DeployError, match="site.yaml names 2 deploy targets and no default"):
        resolve_target(targets, None, None)
    with pytest.raises(DeployError, match="^no deploy target\n    hint: give a URL"):
        resolve_target({}, None, None)


# site.yaml's deploy section


def test_site_yaml_deploy_section_is_validated_with_lines_and_did_you_mean(mini_project):
    with (mini_project / "site.yaml").open("a") as fh:
        fh.write("deploy:\n  defualt: live\n  targets:\n    live:\n      url: ftps://c:secret@host/x\n"
                 "    staging:\n      uri: file:///srv/staging\n")
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    text = str(caught.value)
    assert "deploy.defualt: unknown field `defualt`\n    hint: did you mean `default`?" in text
    assert "deploy.targets.live.url: the target URL contains a password" in text
    assert "deploy.targets.staging: `url` is missing\n    hint: add `url:` (where the site goes" in text
    assert "deploy.targets.staging.uri: unknown field `uri`\n    hint: did you mean `url`?" in text
    assert "secret" not in text


def test_site_yaml_default_must_name_a_target(mini_project):
    with (mini_project / "site.yaml").open("a") as fh:
        fh.write("deploy:\n  default: liv\n  targets:\n    live:\n      url: file:///srv/live\n")
    with pytest.raises(DataError) as caught:
        load_project(mini_project)
    assert "deploy.default: unknown target `liv`\n    hint: did you mean `live`?" in str(caught.value)


def test_the_shipped_site_yaml_loads_with_its_commented_deploy_example():
    from tests.projects import REPO

    assert "# deploy:" in (REPO / "site.yaml").read_text()
    assert load_project(REPO).site.deploy.targets == {}


# The plan and its order


def plan_of(local: dict[str, str], remote: dict[str, str | None]) -> DeployPlan:
    return make_plan(LocalSite(Path("out"), local, {rel: 10 for rel in local}), remote)


def test_plan_sends_new_then_changed_assets_before_pages_then_the_sitemap_and_deletes_last():
    local = {"index.html": "b", "a/index.html": "new", "assets/site.css": "new", "assets/old.css": "c2",
             "robots.txt": "r", "sitemap.xml": "s2", "sitemap-1.xml": "p1", "b/index.html": "same"}
    remote = {"index.html": "a", "assets/old.css": "c1", "robots.txt": "r", "sitemap.xml": "s1",
              "b/index.html": "same", "gone/index.html": "g"}
    plan = plan_of(local, remote)
    assert plan.phases() == [
        ("new", ["assets/site.css", "a/index.html"]),
        ("changed", ["assets/old.css", "index.html"]),
        ("sitemap", ["sitemap-1.xml", "sitemap.xml"]),
    ]
    assert plan.deleted == ["gone/index.html"] and plan.unchanged == 2
    assert plan.lines() == [
        "new (2):", "  + assets/site.css (10 bytes)", "  + a/index.html (10 bytes)",
        "changed (2):", "  ~ assets/old.css (10 bytes)", "  ~ index.html (10 bytes)",
        "then the sitemap (2):", "  + sitemap-1.xml (10 bytes)", "  ~ sitemap.xml (10 bytes)",
        "deleted (1):", "  - gone/index.html",
    ]


def test_files_an_interrupted_deploy_left_unknown_are_sent_again():
    plan = plan_of({"a.html": "x", "b.html": "y"}, {"a.html": None, "b.html": "y", "c.html": None})
    assert plan.changed == ["a.html"] and plan.deleted == ["c.html"] and plan.partial == {"a.html", "c.html"}


# file:// targets


def test_first_deploy_to_a_folder_then_nothing_to_do(site, tmp_path):
    remote = tmp_path / "www"
    report = deploy(site / "output", parse_target(f"file://{remote}"))
    assert_exact_copy(site / "output", remote)
    assert report.summary().startswith(f"Deployed to file://{remote}: 25 files sent (25 new, 0 changed), 0 deleted,")
    before = inodes(remote)
    again = deploy(site / "output", parse_target(f"file://{remote}"))
    assert again.summary() == f"Nothing to deploy: file://{remote} already matches {site / 'output'} (25 files)."
    assert inodes(remote) == before


def test_files_in_output_that_clinic_pages_did_not_make_are_not_deployed(site, tmp_path):
    (site / "output" / "draft.html").write_text("a page someone dropped into output/")
    (site / "output" / "areas" / "notes.txt").write_text("notes")
    remote = tmp_path / "www"
    report = deploy(site / "output", parse_target(f"file://{remote}"))
    assert report.local.foreign == ["areas/notes.txt", "draft.html"]
    assert not (remote / "draft.html").exists() and not (remote / "areas/notes.txt").exists()
    assert not (remote / ".clinic-pages-manifest.json").exists()
    assert_exact_copy(site / "output", remote)


def test_a_deploy_refuses_a_damaged_or_hostile_remote_manifest(site, tmp_path):
    remote = tmp_path / "www"
    remote.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("not the site's")
    (remote / REMOTE_MANIFEST).write_text(json.dumps({"generator": "clinic-pages",
                                                      "files": {"../victim.txt": "x"}}))
    with pytest.raises(DeployError, match=r"\.clinic-pages-deploy\.json is damaged"):
        deploy(site / "output", parse_target(f"file://{remote}"))
    assert victim.read_text() == "not the site's"
    assert tree(remote) == {REMOTE_MANIFEST: (remote / REMOTE_MANIFEST).read_bytes()}


def test_deploy_refuses_an_output_folder_without_a_finished_build(mini_project, tmp_path):
    with pytest.raises(DeployError) as caught:
        deploy(mini_project / "output", parse_target(f"file://{tmp_path}/www"))
    assert str(caught.value).endswith("has no finished build (.clinic-pages-manifest.json is missing or empty)\n"
                                      "    hint: run `clinic-pages build` first")


def test_deploy_waits_for_a_build_that_is_writing_the_output(site, tmp_path):
    with open(site / ".output.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(DeployError, match="a clinic-pages build is writing"):
            deploy(site / "output", parse_target(f"file://{tmp_path}/www"))
    assert not (tmp_path / "www").exists()


def test_deploy_refuses_to_copy_the_output_into_itself(site):
    with pytest.raises(DeployError, match="refusing to deploy .* into itself"):
        deploy(site / "output", parse_target(f"file://{site / 'output' / 'copy'}"))


# The command line


def test_cli_refuses_while_check_finds_errors_and_names_them(site, tmp_path):
    """The build refuses pages with check errors; this one was edited by hand in output/ after the build."""
    pytest.importorskip("generator.checks.engine")
    edit(site / "output/index.html", "</main>", "<p>Ask us about Botox.</p></main>")
    done = cli("deploy", f"file://{tmp_path}/www", "--project", str(site))
    assert done.returncode == 1
    assert done.stderr.startswith("error: deploy refused:\n`clinic-pages check` finds ")
    assert ": claims.pom: " in done.stderr
    assert not (tmp_path / "www").exists()


def test_cli_refuses_while_site_yaml_has_placeholders_and_names_them(mini_project, tmp_path):
    build_site(mini_project)
    done = cli("deploy", f"file://{tmp_path}/www", "--project", str(mini_project))
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: deploy refused:\n"
        "site.yaml still holds 3 placeholder(s); replace each with the real value:\n"
        "  site.yaml:14: premises[0].address.postcode: Postcode to be confirmed\n"
        "  site.yaml:34: premises[1].phone: Phone number to be confirmed\n"
        "  site.yaml:41: practitioners[0].registration_number: NMC PIN to be confirmed\n")
    assert done.stderr.endswith("\n    hint: fix these, build, and deploy again; or pass --force REASON to publish "
                                "anyway\n")
    assert done.stdout == "" and not (tmp_path / "www").exists()


def test_cli_force_overrides_a_refusal_and_prints_the_reason(mini_project, tmp_path):
    build_site(mini_project)
    done = cli("deploy", f"file://{tmp_path}/www", "--project", str(mini_project),
                   "--force", "the clinic approved publishing before the phone line is set up")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("warning: deploying despite:\nsite.yaml still holds 3 placeholder(s)")
    assert "reason given: the clinic approved publishing before the phone line is set up\n" in done.stderr
    assert done.stdout.startswith(f"Deployed to file://{tmp_path}/www: 25 files sent")
    assert cli("deploy", "file:///tmp/x", "--project", str(mini_project), "--force", " ").returncode == 2


def test_cli_deploys_to_the_default_target_named_in_site_yaml(site, tmp_path):
    with (site / "site.yaml").open("a") as fh:
        fh.write(f"deploy:\n  default: staging\n  targets:\n    staging:\n      url: file://{tmp_path}/staging\n"
                 f"    live:\n      url: file://{tmp_path}/live\n")
    done = run_cli("deploy", "--project", str(site), *FORCE)
    assert done.returncode == 0, done.stderr
    sent = size(sum(len(data) for rel, data in tree(site / "output").items() if not rel.startswith(".")))
    assert done.stdout.startswith(f"Deployed to staging (file://{tmp_path}/staging): 25 files sent (25 new, 0 changed)"
                                  f", 0 deleted, {sent} in ")
    assert_exact_copy(site / "output", tmp_path / "staging")
    assert not (tmp_path / "live").exists()

    done = cli("deploy", "lve", "--project", str(site), *FORCE)
    assert (done.returncode, done.stderr) == (2, "error: unknown deploy target `lve`\n    hint: did you mean `live`?\n")


def test_cli_dry_run_lists_the_plan_and_changes_nothing(site, tmp_path):
    remote = tmp_path / "www"
    assert cli("deploy", f"file://{remote}", "--project", str(site), *FORCE).returncode == 0
    edit(site / "treatments.yaml", "then neutralised.", "then neutralised and rinsed off.")
    build_site(site)
    before = inodes(remote)
    done = cli("deploy", f"file://{remote}", "--project", str(site), "--dry-run", *FORCE)
    assert done.returncode == 0, done.stderr
    size = (site / "output/chemical-peel/index.html").stat().st_size
    assert done.stdout == (f"changed (1):\n  ~ chemical-peel/index.html ({size} bytes)\n"
                           f"Dry run for file://{remote}: would send 1 files (0 new, 1 changed, {size / 1000:.1f} kB) "
                           "and delete 0; 24 unchanged. Nothing was changed.\n")
    assert inodes(remote) == before


def test_cli_reports_a_deploy_error_with_exit_code_2(site, tmp_path):
    done = cli("deploy", "ftp://clinic@127.0.0.1:1/site", "--project", str(site), *FORCE,
                   env={"CLINIC_PAGES_DEPLOY_PASSWORD": "x", "HOME": str(tmp_path)})
    assert done.returncode == 2
    assert done.stderr.endswith("error: cannot connect to 127.0.0.1 port 1: Connection refused\n    hint: check "
                                "the host name and port in the target URL, and that this computer is online\n")


def test_progress_is_shown_on_a_terminal_for_a_large_deploy(built_sample, tmp_path):
    """Hundreds of files: on a terminal `Deploying: n/total changes, size sent`; piped, only the summary."""
    import os
    import pty
    import shutil
    import subprocess
    import sys

    from tests.projects import REPO

    # the session's build of the sample (read-only), copied
    sample_project = Path(shutil.copytree(built_sample.parent, tmp_path / "sample", symlinks=True))
    files = len(tree(sample_project / "output")) - 1
    main, secondary = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "-q", "deploy", f"file://{tmp_path}/www",
                             "--project", str(sample_project), *FORCE], stdout=subprocess.PIPE, stderr=secondary,
                            env=env)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:          # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=300)
    os.close(main)
    assert proc.returncode == 0
    assert out.decode().startswith(f"Deployed to file://{tmp_path}/www: {files} files sent ({files} new, 0 changed)")
    assert b"\rDeploying: 1/" in seen and f"\rDeploying: {files}/{files} changes, ".encode() in seen
    (sample_project / "output/index.html").write_bytes(b"<!doctype html><title>x</title>")
    piped = run_cli("deploy", f"file://{tmp_path}/www", "--project", str(sample_project), *FORCE)
    assert "Deploying:" not in piped.stderr


# Paths read back, links, and secrets: nothing outside output/ is read, nothing outside the target written


@pytest.mark.parametrize("bad", ["../victim.txt", "/ABSOLUTE", "a/../../victim.txt", "a\\..\\victim.txt", "a//b",
                                 "x" * 300 + ".html", "a\x1b[2J.html"])
def test_a_remote_manifest_naming_a_path_outside_the_target_is_refused(site, tmp_path, bad):
    remote = tmp_path / "www"
    remote.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("not the site's")
    bad = bad.replace("/ABSOLUTE", str(victim))
    (remote / REMOTE_MANIFEST).write_text(json.dumps({"generator": "clinic-pages", "files": {bad: "x"}}))
    with pytest.raises(DeployError, match=r"\.clinic-pages-deploy\.json is damaged"):
        deploy(site / "output", parse_target(f"file://{remote}"))
    assert victim.read_text() == "not the site's"
    assert tree(remote) == {REMOTE_MANIFEST: (remote / REMOTE_MANIFEST).read_bytes()}


@pytest.mark.parametrize("bad", ["../../secret.txt", "/ABSOLUTE"])
def test_a_build_manifest_naming_a_file_outside_output_is_refused_and_nothing_is_read_or_sent(site, tmp_path, bad):
    from generator.errors import OutputError
    from generator.output import MANIFEST

    secret = tmp_path / "secret.txt"
    secret.write_text("a private file")
    manifest = json.loads((site / "output" / MANIFEST).read_text())
    manifest["files"][bad.replace("/ABSOLUTE", str(secret))] = "0" * 32
    (site / "output" / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(OutputError, match=r"\.clinic-pages-manifest\.json is damaged: it names"):
        deploy(site / "output", parse_target(f"file://{tmp_path}/www"))
    assert not (tmp_path / "www").exists() and not list(tmp_path.rglob("secret.txt"))[1:]


def test_a_file_of_the_build_replaced_by_a_link_is_not_deployed(site, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("a private file")
    page = site / "output" / "robots.txt"
    page.unlink()
    page.symlink_to(secret)
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", parse_target(f"file://{tmp_path}/www"))
    assert str(caught.value) == (f"{page} is a symbolic link; clinic-pages deploys only the files its build wrote and "
                                 "follows no links in the output folder\n    hint: remove the link and run "
                                 "`clinic-pages build`, which puts the file back, then deploy")
    assert not (tmp_path / "www").exists()


@pytest.mark.parametrize("what", ["folder", "part-file", "manifest"])
def test_a_link_inside_the_target_is_never_written_through(site, tmp_path, what):
    remote = tmp_path / "www"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("someone's")
    remote.mkdir()
    if what == "folder":   # a folder the site writes into, linked elsewhere
        (remote / "areas").symlink_to(outside)
        expected = f"{remote / 'areas'} is a symbolic link; clinic-pages follows no links in a deploy target"
    elif what == "part-file":
        (remote / ".robots.txt.clinic-pages-part").symlink_to(outside / "keep.txt")
        expected = f"{remote / '.robots.txt.clinic-pages-part'} is a symbolic link"
    else:
        (remote / REMOTE_MANIFEST).symlink_to(outside / "keep.txt")
        expected = f"{remote / REMOTE_MANIFEST} is a symbolic link; clinic-pages follows no links in a deploy target"
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", parse_target(f"file://{remote}"))
    assert str(caught.value).startswith(expected)
    assert tree(outside) == {"keep.txt": b"someone's"}


def test_a_target_folder_that_is_a_link_is_refused(site, tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "www").symlink_to(tmp_path / "real")
    with pytest.raises(DeployError) as caught:
        deploy(site / "output", parse_target(f"file://{tmp_path}/www"))
    assert str(caught.value) == (f"{tmp_path}/www is a symbolic link; clinic-pages follows no links in a deploy "
                                 f"target\n    hint: give the folder itself: file://{tmp_path}/real")
    assert list((tmp_path / "real").iterdir()) == []


def test_a_lock_file_that_is_a_link_stops_the_deploy(site, tmp_path):
    from generator.errors import OutputError

    (site / ".output.lock").unlink()
    (site / ".output.lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match="is a symbolic link"):
        deploy(site / "output", parse_target(f"file://{tmp_path}/www"))
    assert not (tmp_path / "elsewhere").exists() and not (tmp_path / "www").exists()


SECRETS = ["S3cr/et", "S3cr#et", "S3cr?et", "S3cr@et", "S3cr:et", "S3cr%2Fet", "S3cr/e#t?x@y:z", "S3cr]et", "S3cr[et"]


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("form", ["ftps://clinic:{}@host/www", "sftp://clinic:{}@host:22/var/www", "file://u:{}@h/srv",
                                  "clinic:{}@host/www", "ftp://:{}@host"])
def test_a_password_in_a_target_url_is_never_in_any_message(secret, form):
    url = form.format(secret)
    problem = url_problem(url)
    assert problem is not None and problem[0] == "the target URL contains a password"
    assert "S3cr" not in " ".join(problem)
    with pytest.raises(DeployError) as caught:
        resolve_target({}, None, url)
    assert "S3cr" not in str(caught.value)


@pytest.mark.parametrize("secret", ["S3cr/et", "S3cr#et?x", "S3cr@et"])
def test_a_password_in_a_target_url_is_printed_nowhere_by_the_commands(site, tmp_path, secret):
    done = run_cli("deploy", f"ftps://clinic:{secret}@127.0.0.1:1/www", "--project", str(site), *FORCE)
    assert done.returncode == 2 and "S3cr" not in done.stdout + done.stderr
    assert "contains a password" in done.stderr
    with (site / "site.yaml").open("a") as fh:
        fh.write(f'deploy:\n  targets:\n    live:\n      url: "sftp://clinic:{secret}@host/www"\n')
    for command in (["build"], ["check"], ["deploy", "live", *FORCE], ["deploy", "-v", "--dry-run", *FORCE]):
        done = run_cli(*command, "--project", str(site))
        assert done.returncode == 2, (command, done.stderr)
        assert "S3cr" not in done.stdout + done.stderr
        assert "deploy.targets.live.url: the target URL contains a password" in done.stderr


@pytest.mark.parametrize("given", ["clinic:S3cr/et@host", "live\x1b[2J"])
def test_an_unknown_target_name_is_shown_without_its_secret_or_control_characters(given):
    with pytest.raises(DeployError) as caught:
        resolve_target({"live": "file:///srv/www"}, None, given)
    assert "S3cr" not in str(caught.value) and "\x1b" not in str(caught.value)
