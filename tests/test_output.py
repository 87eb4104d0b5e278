"""Output safety: nothing outside output/, nothing the tool did not make is overwritten or deleted, a failed,
interrupted or killed build leaves the last good output as it was (or the next build finishes its commit)."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.build import build
from generator.data import PARSED_FILE
from generator.errors import OutputError, TemplateProblem
from generator.output import (
    JOURNAL,
    MANIFEST,
    STAGING_MARK,
    OutputTransaction,
    read_manifest,
    recover,
    safe_relative,
    staging_of,
)
from generator.state import STATE_FILE
from tests.projects import REPO, edit, kill_build, tree_bytes


def made_staging(output: Path) -> Path:
    """A staging folder as a build makes it (with the mark that says clinic-pages made it)."""
    staging = staging_of(output)
    (staging / "tree").mkdir(parents=True)
    (staging / STAGING_MARK).write_text("made by a build")
    return staging


def snapshot(project: Path) -> dict[str, bytes]:
    """output/ and the state file, byte for byte."""
    files = {f"output/{k}": v for k, v in tree_bytes(project / "output").items()}
    files[STATE_FILE] = (project / STATE_FILE).read_bytes()
    return files


# -- paths ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rel", ["../x.html", "/etc/passwd", "a/../../x", "a//b", "./a", "a/./b", "", "a\\b",
                                 ".clinic-pages-manifest.json", "a/.."])
def test_paths_outside_the_output_folder_are_refused(rel: str) -> None:
    with pytest.raises(OutputError, match="is not a plain path inside the output folder"):
        safe_relative(rel)


def test_plain_paths_are_accepted() -> None:
    assert safe_relative("jaw-fillers/esher/index.html") == "jaw-fillers/esher/index.html"
    assert safe_relative("robots.txt") == "robots.txt"


def test_two_files_to_one_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="two pages would be written to a/index.html"):
        with OutputTransaction(tmp_path / "output") as tx:
            tx.put("a/index.html", b"one")
            tx.put("a/index.html", b"two")
    assert not (tmp_path / "output" / "a").exists()
    assert not staging_of(tmp_path / "output").exists()


def test_the_output_folder_cannot_be_the_root_or_home() -> None:
    with pytest.raises(OutputError, match="refusing to use / as the output folder"):
        OutputTransaction(Path("/"))
    with pytest.raises(OutputError, match="as the output folder"):
        OutputTransaction(Path.home())


@pytest.mark.parametrize("place", [".", "..", "templates", "templates/site"])
def test_the_site_is_never_written_over_the_projects_own_files(mini_project: Path, place: str) -> None:
    before = tree_bytes(mini_project.parent)
    with pytest.raises(OutputError, match=r"refusing to write the site into .*: the project's own files are there"):
        build(mini_project, mini_project / place)
    assert tree_bytes(mini_project.parent) == before


def test_a_symbolic_link_inside_output_is_never_written_through(mini_project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (mini_project / "output").mkdir()
    (mini_project / "output" / "lip-fillers").symlink_to(outside)
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value) == (
        f"lip-fillers in {mini_project / 'output'} is a symbolic link, and clinic-pages writes only inside the "
        "output folder. Replace it with a real folder, then build again")
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in (mini_project / "output").iterdir()) == ["lip-fillers"]


# -- files a person put there ----------------------------------------------------------------------------------

def test_a_file_a_person_put_in_output_is_reported_and_kept(mini_project: Path) -> None:
    output = mini_project / "output"
    build(mini_project)
    (output / "google1234.html").write_text("google-site-verification")
    (output / "lip-fillers" / "notes.txt").write_text("mine")
    edit(mini_project / "locations.yaml", "  - name: Cobham\n    slug: cobham\n    lat: 51.32997\n    lon: -0.4113\n",
         "")
    report = build(mini_project, clean=True)
    assert report.notices == ["output/google1234.html was not made by clinic-pages; left in place",
                              "output/lip-fillers/notes.txt was not made by clinic-pages; left in place"]
    assert not (output / "lip-fillers" / "cobham").exists()        # the tool's own page for Cobham went
    assert (output / "google1234.html").read_text() == "google-site-verification"
    assert (output / "lip-fillers" / "notes.txt").read_text() == "mine"
    assert "google1234.html" not in read_manifest(output)


def test_a_first_build_into_a_folder_with_other_files_reports_and_keeps_them(mini_project: Path) -> None:
    output = mini_project / "output"
    (output / "old").mkdir(parents=True)
    (output / "old" / "page.html").write_text("from the old site")
    report = build(mini_project)
    assert report.notices == ["output/old/page.html was not made by clinic-pages; left in place"]
    assert (output / "old" / "page.html").read_text() == "from the old site"
    assert (output / "lip-fillers" / "esher" / "index.html").exists()


def test_a_file_at_a_generated_path_that_the_tool_did_not_make_is_not_overwritten(mini_project: Path) -> None:
    output = mini_project / "output"
    (output / "lip-fillers" / "esher").mkdir(parents=True)
    (output / "lip-fillers" / "esher" / "index.html").write_text("hand-made page")
    (output / "robots.txt").write_text("User-agent: *\nDisallow: /\n")
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value) == (
        f"2 file(s) in {output} were not made by clinic-pages and would be overwritten: "
        "lip-fillers/esher/index.html, robots.txt. Move them elsewhere, then build again")
    assert tree_bytes(output) == {"lip-fillers/esher/index.html": b"hand-made page",
                                  "robots.txt": b"User-agent: *\nDisallow: /\n"}
    assert not staging_of(output).exists() and not (mini_project / STATE_FILE).exists()


def test_a_new_page_does_not_overwrite_a_file_a_person_put_at_its_path(mini_project: Path) -> None:
    build(mini_project)
    before = snapshot(mini_project)
    (mini_project / "output" / "lip-fillers" / "claygate").mkdir()
    (mini_project / "output" / "lip-fillers" / "claygate" / "index.html").write_text("hand-made")
    edit(mini_project / "locations.yaml", "  - name: Cobham", "  - name: Claygate\n    slug: claygate\n"
         "    lat: 51.36\n    lon: -0.34\n  - name: Cobham")
    with pytest.raises(OutputError, match="would be overwritten: lip-fillers/claygate/index.html"):
        build(mini_project)
    after = snapshot(mini_project)
    assert after.pop("output/lip-fillers/claygate/index.html") == b"hand-made"
    assert after == before


def test_a_link_a_person_put_at_a_page_path_is_not_replaced_even_when_it_leads_nowhere(mini_project: Path) -> None:
    output = mini_project / "output"
    (output / "lip-fillers").mkdir(parents=True)
    (output / "lip-fillers" / "esher").symlink_to(mini_project / "no-such-folder")   # a link to nothing
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value).startswith(f"lip-fillers/esher in {output} is a symbolic link")
    (output / "lip-fillers" / "esher").unlink()
    (output / "robots.txt").symlink_to(mini_project / "no-such-file")
    with pytest.raises(OutputError, match="1 file\\(s\\) .* would be overwritten: robots.txt"):
        build(mini_project)
    assert os.path.islink(output / "robots.txt")


# -- failures before the commit leave everything as it was -----------------------------------------------------

def test_a_build_that_fails_mid_render_leaves_output_untouched(mini_project: Path) -> None:
    build(mini_project)
    before = snapshot(mini_project)
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")   # pages to rewrite
    path = mini_project / "templates" / "area.html"        # area pages are rendered after the treatment hubs
    path.write_text(path.read_text().replace("{{ location.name }}", "{{ location.name.nope }}", 1))
    with pytest.raises(TemplateProblem):
        build(mini_project)
    assert snapshot(mini_project) == before
    assert not staging_of(mini_project / "output").exists()


def test_a_build_with_bad_data_leaves_output_untouched(mini_project: Path) -> None:
    from generator.errors import DataError

    build(mini_project)
    before = snapshot(mini_project)
    edit(mini_project / "locations.yaml", "lat: 51.36969", "lat: 151.36969")
    with pytest.raises(DataError):
        build(mini_project)
    assert snapshot(mini_project) == before


def test_a_second_build_at_the_same_time_is_refused(mini_project: Path) -> None:
    import fcntl

    build(mini_project)
    before = snapshot(mini_project)
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")
    with open(mini_project / ".output.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(OutputError) as caught:
            build(mini_project)
    assert str(caught.value) == (f"another clinic-pages build is writing {mini_project / 'output'}; "
                                 "wait for it to finish")
    assert snapshot(mini_project) == before


# -- an interrupted commit is finished by the next build --------------------------------------------------------

def test_recover_finishes_a_crafted_journal_and_can_be_repeated(tmp_path: Path) -> None:
    """The on-disk journal: moves from staging/tree, removals, project files (the state), then the manifest."""
    output = tmp_path / "output"
    (output / "gone").mkdir(parents=True)
    (output / "gone" / "index.html").write_text("old page")
    (output / "kept.html").write_text("old kept")
    (output / "mine.txt").write_text("a person's file")
    (output / MANIFEST).write_text(json.dumps({"generator": "clinic-pages",
                                               "files": {"gone/index.html": "1", "kept.html": "2"}}))
    staging = made_staging(output)
    (staging / "tree" / "new").mkdir(parents=True)
    (staging / "tree" / "new" / "index.html").write_text("new page")
    (staging / "tree" / "kept.html").write_text("new kept")
    (staging / ".external-0").write_text("new state")
    journal = {"moves": ["new/index.html", "kept.html"], "removals": ["gone/index.html"],
               "external": {str(tmp_path / STATE_FILE): ".external-0"},
               "manifest": {"kept.html": "3", "new/index.html": "4"}}
    (staging / JOURNAL).write_text(json.dumps(journal))
    # As if the first build was killed after moving one file: the move is not repeated.
    os.replace(staging / "tree" / "kept.html", output / "kept.html")

    assert recover(output, [tmp_path / STATE_FILE]) == "finished"
    assert tree_bytes(output) == {
        "kept.html": b"new kept", "new/index.html": b"new page", "mine.txt": b"a person's file",
        MANIFEST: (output / MANIFEST).read_bytes()}
    assert not (output / "gone").exists()                     # empty folders of removed pages go too
    assert read_manifest(output) == {"kept.html": "3", "new/index.html": "4"}
    assert (tmp_path / STATE_FILE).read_text() == "new state"
    assert not staging.exists()
    assert recover(output) is None                            # nothing left to do


def test_recover_discards_a_build_that_never_reached_its_commit(tmp_path: Path) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "index.html").write_text("last good")
    (made_staging(output) / "tree" / "index.html").write_text("half-built")
    assert recover(output) == "discarded"
    assert tree_bytes(output) == {"index.html": b"last good"}
    assert not staging_of(output).exists()


def test_an_error_during_the_commit_keeps_the_journal_and_the_next_build_finishes(
        mini_project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import generator.output as output_module

    build(mini_project)
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")
    real_replace, calls = os.replace, []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 4:          # the journal, two pages, then the disk is full
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(output_module.os, "replace", failing_replace)
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value) == (f"writing {mini_project / 'output'} stopped: No space left on device\n    hint: "
                                 "make room or fix the permissions, then build again: the next build finishes this "
                                 "one")
    monkeypatch.setattr(output_module.os, "replace", real_replace)
    assert (staging_of(mini_project / "output") / JOURNAL).exists()

    build(mini_project)
    assert not staging_of(mini_project / "output").exists()
    clean = tmp_path / "clean"
    _copy_inputs(mini_project, clean)
    build(clean)
    assert tree_bytes(mini_project / "output") == tree_bytes(clean / "output")


def _copy_inputs(project: Path, dest: Path) -> None:
    import shutil

    dest.mkdir()
    for name in ("site.yaml", "treatments.yaml", "locations.yaml"):
        shutil.copy(project / name, dest / name)
    shutil.copytree(project / "templates", dest / "templates")


# -- killed builds (real processes, SIGKILL) --------------------------------------------------------------------

def _synthetic_locations(count: int) -> str:
    """`count` made-up places on a spiral within 9 km of West Molesey: a big project for the kill tests."""
    lines = ['attribution: "Synthetic places for the tests"', "locations:"]
    for i in range(count):
        angle, km = i * 2.399963, 9 * math.sqrt((i + 0.5) / count)
        lat = 51.39985 + km * math.cos(angle) / 111.2
        lon = -0.37997 + km * math.sin(angle) / (111.2 * math.cos(math.radians(51.4)))
        lines += [f"  - name: Place {i:04d}", f"    lat: {lat:.5f}", f"    lon: {lon:.5f}"]
    return "\n".join(lines) + "\n"


def _popen_build(project: Path, script: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    code = script or "from generator.cli import main; raise SystemExit(main())"
    return subprocess.Popen([sys.executable, "-c", code, "build", "--project", str(project)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def test_a_build_killed_while_rendering_leaves_output_intact(mini_project: Path) -> None:
    build(mini_project)
    before = snapshot(mini_project)
    small = (mini_project / "locations.yaml").read_text()
    (mini_project / "locations.yaml").write_text(_synthetic_locations(520))     # 1,565 pages: parallel workers
    proc = _popen_build(mini_project)
    staging = staging_of(mini_project / "output")
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if staging.is_dir() and sum(1 for p in staging.rglob("*.html")) >= 100:
                break
            time.sleep(0.01)
        assert proc.poll() is None, "the build finished before it could be killed: make the project bigger"
        assert not (staging / JOURNAL).exists(), "killed too late: the commit had begun"
    finally:
        kill_build(proc, mini_project / "output")
    assert proc.returncode == -signal.SIGKILL
    assert snapshot(mini_project) == before

    # The next build discards the half-built files: with the old data back, it leaves output/ as it was.
    (mini_project / "locations.yaml").write_text(small)
    build(mini_project)
    assert not staging.exists()
    assert snapshot(mini_project) == before


def test_a_build_killed_during_its_commit_is_finished_by_the_next_build(mini_project: Path, tmp_path: Path) -> None:
    build(mini_project)
    before = snapshot(mini_project)
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")
    edit(mini_project / "locations.yaml", "  - name: Cobham\n    slug: cobham\n    lat: 51.32997\n    lon: -0.4113\n",
         "")
    # The process dies (no cleanup of any kind) after the journal and three files have been moved into place.
    script = textwrap.dedent("""
        import os
        from generator.cli import main
        real, calls = os.replace, []
        def dying(src, dst):
            calls.append(dst)
            if len(calls) == 5:
                os._exit(137)
            real(src, dst)
        os.replace = dying
        raise SystemExit(main())
    """)
    proc = _popen_build(mini_project, script)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 137, err
    staging = staging_of(mini_project / "output")
    assert (staging / JOURNAL).exists()
    half = snapshot(mini_project)
    assert half != before                                    # some pages are new, some old: mid-commit

    build(mini_project)
    assert not staging.exists()
    clean = tmp_path / "clean"
    _copy_inputs(mini_project, clean)
    build(clean)
    assert tree_bytes(mini_project / "output") == tree_bytes(clean / "output")
    assert not (mini_project / "output" / "lip-fillers" / "cobham").exists()


# -- what is read back is checked: the manifest, the journal, the staging folder, the lock ----------------------

@pytest.mark.parametrize("bad", ["../../victim.txt", "/ABSOLUTE", "a/../../victim.txt", "a\\\\..\\\\b", "",
                                 ".clinic-pages-manifest.json", "x" * 300])
def test_a_manifest_that_names_a_path_outside_output_is_refused_and_nothing_is_deleted(
        mini_project: Path, tmp_path: Path, bad: str) -> None:
    output = mini_project / "output"
    build(mini_project)
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's file")
    bad = bad.replace("/ABSOLUTE", str(victim))
    files = json.loads((output / MANIFEST).read_text())["files"]
    files[bad] = "0" * 32
    (output / MANIFEST).write_text(json.dumps({"generator": "clinic-pages", "files": files}))
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")
    before = tree_bytes(output)
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value).startswith(f"{output / MANIFEST} is damaged: it names {bad[:77]!r}"[:60])
    assert str(caught.value).endswith(f"so it cannot be told which files in {output} clinic-pages made\n    hint: "
                                      f"move {output} aside and build again (then copy back any file of your own)")
    assert victim.read_text() == "someone's file"
    assert tree_bytes(output) == before and not staging_of(output).exists()


def test_a_manifest_whose_digests_are_not_text_is_refused(mini_project: Path) -> None:
    output = mini_project / "output"
    build(mini_project)
    (output / MANIFEST).write_text(json.dumps({"generator": "clinic-pages", "files": {"index.html": 1}}))
    with pytest.raises(OutputError, match=r"is damaged: it names 'index.html' \(its digest is not text\)"):
        build(mini_project, clean=True)


@pytest.mark.parametrize(("part", "value", "says"), [
    ("removals", ["../victim.txt"], "it names '../victim.txt' (it leads out of its folder (..))"),
    ("moves", ["/etc/passwd"], "it names '/etc/passwd' (it is an absolute path)"),
    ("manifest", {"../x": "1"}, "it names '../x' (it leads out of its folder (..))"),
    ("external", {"VICTIM": ".external-0"}, "it would replace 'VICTIM', which this build does not write"),
    ("external", {"STATE": "../../victim.txt"},
     "it names '../../victim.txt' as the new .clinic-pages-state.json, which is not a file it staged"),
    ("moves", "kept.html", "it is not a clinic-pages journal"),
])
def test_a_journal_that_names_a_path_it_may_not_touch_is_refused_and_nothing_changes(
        tmp_path: Path, part: str, value, says: str) -> None:
    output = tmp_path / "output"
    output.mkdir()
    (output / "kept.html").write_text("old")
    victim = tmp_path / "victim.txt"
    victim.write_text("someone's file")
    value = json.loads(json.dumps(value).replace("VICTIM", str(victim)).replace("STATE", str(tmp_path / STATE_FILE)))
    says = says.replace("VICTIM", str(victim)).replace("STATE", str(tmp_path / STATE_FILE))
    staging = made_staging(output)
    (staging / "tree" / "kept.html").write_text("new")
    (staging / ".external-0").write_text("forged")
    journal = {"moves": ["kept.html"], "removals": [], "external": {}, "manifest": {"kept.html": "1"}}
    journal[part] = value
    (staging / JOURNAL).write_text(json.dumps(journal))
    before = tree_bytes(tmp_path)
    with pytest.raises(OutputError) as caught:
        recover(output, [tmp_path / STATE_FILE])
    assert str(caught.value) == (f"{staging / JOURNAL} is damaged: {says}; nothing was changed\n    hint: delete "
                                 f"{staging}, then run `clinic-pages build --clean`")
    assert tree_bytes(tmp_path) == before


@pytest.mark.parametrize("kind", ["folder", "file", "link", "marked-link"])
def test_something_named_like_the_staging_folder_that_the_tool_did_not_make_is_left_alone(
        mini_project: Path, tmp_path: Path, kind: str) -> None:
    output = mini_project / "output"
    staging = staging_of(output)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("mine")
    if kind == "folder":
        staging.mkdir()
        (staging / "precious.txt").write_text("mine")
        (staging / JOURNAL).write_text("{}")
    elif kind == "file":
        staging.write_text("mine")
    else:
        if kind == "marked-link":
            (elsewhere / STAGING_MARK).write_text("forged")
        staging.symlink_to(elsewhere)
    before = tree_bytes(tmp_path)
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value) == (f"{staging} was not made by clinic-pages, which stages each build in a folder of "
                                 "that name beside output/; it was left as it is\n    hint: move or rename it, then "
                                 "build again")
    after = tree_bytes(tmp_path)
    # (the build read the data files before it met the folder: it may keep what it parsed, in a file of its own)
    assert {k: v for k, v in after.items() if k not in ("mini/.output.lock", f"mini/{PARSED_FILE}")} == before
    assert not output.exists()


def test_a_staging_folder_left_by_a_killed_build_is_still_cleaned_up(mini_project: Path) -> None:
    build(mini_project)
    before = snapshot(mini_project)
    (made_staging(mini_project / "output") / "tree" / "index.html").write_text("half-built")
    build(mini_project)
    assert not staging_of(mini_project / "output").exists()
    assert snapshot(mini_project) == before


def test_a_file_named_like_the_lock_file_is_never_truncated(mini_project: Path) -> None:
    lock = mini_project / ".output.lock"
    lock.write_text("a person's notes\n")
    build(mini_project)
    edit(mini_project / "treatments.yaml", "Small injections", "Very small injections")
    build(mini_project)
    assert lock.read_text() == "a person's notes\n"


@pytest.mark.parametrize("leads_to", ["a-file", "nothing"])
def test_a_lock_file_that_is_a_link_is_refused_and_not_followed(mini_project: Path, tmp_path: Path,
                                                                 leads_to: str) -> None:
    target = tmp_path / "target.txt"
    if leads_to == "a-file":
        target.write_text("someone's file")
    (mini_project / ".output.lock").symlink_to(target)
    with pytest.raises(OutputError) as caught:
        build(mini_project)
    assert str(caught.value) == (f"{mini_project / '.output.lock'} is a symbolic link; clinic-pages follows no links "
                                 "beside or inside the output folder\n    hint: remove the link (clinic-pages makes "
                                 "the lock file itself)")
    assert (target.read_text() == "someone's file") if leads_to == "a-file" else not target.exists()
    assert not (mini_project / "output").exists()


# -- the output folder itself ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["dangling-link", "link-to-folder", "file"])
def test_an_output_that_is_a_link_or_a_file_is_refused_and_leaves_nothing_behind(
        mini_project: Path, tmp_path: Path, kind: str) -> None:
    output = tmp_path / "out"
    real = tmp_path / "real"
    if kind == "dangling-link":
        output.symlink_to(real)
    elif kind == "link-to-folder":
        real.mkdir()
        output.symlink_to(real)
    else:
        output.write_text("a file")
    with pytest.raises(OutputError) as caught:
        build(mini_project, output)
    if kind == "file":
        assert str(caught.value) == (f"{output} is a file, not a folder\n    hint: give a folder as --output (it is "
                                     "made if it does not exist), or move the file away")
        assert output.read_text() == "a file"
    else:
        assert str(caught.value) == (f"{output} is a symbolic link; clinic-pages follows no links in the output "
                                     f"folder\n    hint: give the folder itself as --output ({real})")
        assert os.path.islink(output) and (not real.exists() or list(real.iterdir()) == [])
    assert not staging_of(output).exists()
    build(mini_project, tmp_path / "good")          # nothing was left that stops the next build
    assert (tmp_path / "good" / "index.html").is_file()


def test_a_generated_file_replaced_by_a_link_is_written_again_and_the_link_not_followed(
        mini_project: Path, tmp_path: Path) -> None:
    output = mini_project / "output"
    build(mini_project)
    page = output / "lip-fillers" / "esher" / "index.html"
    good = page.read_bytes()
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the web")
    page.unlink()
    page.symlink_to(secret)
    report = build(mini_project)
    assert not report.up_to_date
    assert not page.is_symlink() and page.read_bytes() == good
    assert secret.read_text() == "not for the web"
