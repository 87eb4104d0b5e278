"""The whole pipeline: deterministic, byte-identical builds; the report; the state file; another output folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build import build
from generator.checks.incremental import CACHE_FILE
from generator.output import MANIFEST, read_manifest
from generator.state import STATE_FILE, load_state
from tests.projects import PINNED_DATE, PINNED_EPOCH, REPO, copy_project, edit, tree_bytes

# Run in each child process: build the project and write, as JSON, what its plan and its checks decided.
_BUILD_AND_DESCRIBE = """
import json, sys
from pathlib import Path
from generator.build import build
from tests.projects import describe
report = build(Path(sys.argv[1]))
c = report.checks
decided = {"plan": report.plan, "findings": c.findings, "waived": c.waived, "demoted": c.demoted,
           "duplicates": c.duplicates}
Path(sys.argv[2]).write_text(json.dumps(describe(decided), indent=1))
"""


@pytest.mark.slow
def test_two_builds_in_two_places_are_byte_identical(tmp_path: Path) -> None:
    """Different folders, hash seeds, working directories, locales and time zones (UTC+14 is already the next
    day at the pinned instant): the same plan, the same check findings, the same output and state, byte for byte.
    A set iterated into anything ordered differs between the two hash seeds."""
    import numpy as np

    runs = []
    for seed, tz, lc_all in (("1", "UTC", "C.UTF-8"), ("2", "Pacific/Kiritimati", "C")):
        project = copy_project(REPO, tmp_path / f"project-{seed}")
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONHASHSEED=seed, TZ=tz, LC_ALL=lc_all,
                   SOURCE_DATE_EPOCH=PINNED_EPOCH)
        decided = tmp_path / f"decided-{seed}.json"
        subprocess.run([sys.executable, "-c", _BUILD_AND_DESCRIBE, str(project), str(decided)], env=env,
                       cwd=tmp_path if seed == "1" else project, check=True, capture_output=True, timeout=600)
        files = tree_bytes(project / "output")
        files[STATE_FILE] = (project / STATE_FILE).read_bytes()
        files["decided.json"] = decided.read_bytes()
        with np.load(project / CACHE_FILE) as cache:   # a zip whose entries carry the time of writing
            files.update({f"{CACHE_FILE}:{name}": cache[name].tobytes() for name in cache.files})
        runs.append(files)
    assert runs[0].keys() == runs[1].keys()
    different = [name for name in runs[0] if runs[0][name] != runs[1][name]]
    assert different == [], f"{len(different)} file(s) differ: {', '.join(different[:10])}"
    assert len(runs[0]) > 380


def test_a_clean_rebuild_rewrites_nothing(mini_project: Path) -> None:
    first = build(mini_project)
    before = tree_bytes(mini_project / "output")
    mtimes = {p: p.stat().st_mtime_ns for p in (mini_project / "output").rglob("*") if p.is_file()}
    again = build(mini_project, clean=True)
    assert again.rendered == first.pages and again.result.written == [] and again.result.removed == []
    assert tree_bytes(mini_project / "output") == before
    changed = [p for p, t in mtimes.items() if p.stat().st_mtime_ns != t and p.name != MANIFEST]
    assert changed == []


def test_the_build_report(mini_project: Path) -> None:
    report = build(mini_project)
    assert report.pages == 22 and report.rendered == 22
    assert re.fullmatch(r"Built 22 pages in \d+\.\d\d s: 22 rendered, 25 files written, 0 unchanged, 0 removed -> "
                        + re.escape(str(mini_project / "output")), report.summary())
    assert report.placeholders == [
        "site.yaml:14: premises[0].address.postcode: Postcode to be confirmed",
        "site.yaml:34: premises[1].phone: Phone number to be confirmed",
        "site.yaml:41: practitioners[0].registration_number: NMC PIN to be confirmed",
    ]
    again = build(mini_project)
    assert again.up_to_date
    assert re.fullmatch(r"Up to date: 22 pages, nothing changed \(\d+\.\d\d s\) -> "
                        + re.escape(str(mini_project / "output")), again.summary())


def test_the_manifest_lists_exactly_the_generated_files(mini_project: Path) -> None:
    build(mini_project)
    output = mini_project / "output"
    manifest = read_manifest(output)
    on_disk = set(tree_bytes(output)) - {MANIFEST}
    assert set(manifest) == on_disk
    assert {"index.html", "404.html", "sitemap.xml", "robots.txt", "assets/style.css"} <= on_disk
    raw = json.loads((output / MANIFEST).read_text())
    assert raw["generator"] == "clinic-pages"


def test_the_state_file_keeps_a_lastmod_for_every_page(mini_project: Path) -> None:
    report = build(mini_project)
    state = load_state(mini_project)
    assert state.problem is None
    assert set(state.pages) == {p.file for p in report.plan.pages}
    assert {entry["lastmod"] for entry in state.pages.values()} == {PINNED_DATE}
    data = json.loads((mini_project / STATE_FILE).read_text())
    assert data["generator"] == "clinic-pages" and "version" in data


def test_the_state_of_the_whole_build_reads_as_the_whole_file_does(mini_project: Path) -> None:
    """`check` asks only whether output/ is current: the build's own fields, read from the first line, are those of
    the whole file; a file not in the form the build writes (reformatted by hand) is read whole, a state of another
    version is refused, as the whole file's would be."""
    build(mini_project)
    path = mini_project / STATE_FILE
    whole = load_state(mini_project)
    head = load_state(mini_project, every_page=False)
    assert (head.inputs, head.manifest, head.problem, head.pages) == (whole.inputs, whole.manifest, None, {})
    assert whole.inputs and whole.manifest
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data, indent=2))   # the first line is "{": not the build's form
    again = load_state(mini_project, every_page=False)
    assert (again.inputs, again.manifest, again.problem) == (whole.inputs, whole.manifest, None)
    assert set(again.pages) == set(whole.pages)
    data["version"] = -1
    path.write_text(json.dumps(data))
    assert "another version" in (load_state(mini_project, every_page=False).problem or "")
    path.write_bytes(b'{"inputs": oops,\n"pages":{\n}}\n')   # the build's form, but not JSON: read whole, refused
    assert "unreadable" in (load_state(mini_project, every_page=False).problem or "")


def test_the_shipped_state_file_is_readable() -> None:
    """`.clinic-pages-state.json` is committed with the data: it must always load without a problem."""
    state = load_state(REPO)
    assert state.problem is None
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", entry["lastmod"]) for entry in state.pages.values())


def test_build_into_another_output_folder(mini_project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "public" / "site"
    report = build(mini_project, elsewhere)
    assert report.output == elsewhere
    assert (elsewhere / "lip-fillers" / "esher" / "index.html").exists()
    assert not (mini_project / "output").exists()
    assert not (elsewhere.parent / ".site.staging").exists()


def test_removing_a_place_removes_only_its_pages(mini_project: Path) -> None:
    build(mini_project)
    edit(mini_project / "locations.yaml", "  - name: Cobham\n    slug: cobham\n    lat: 51.32997\n    lon: -0.4113\n",
         "")
    report = build(mini_project)
    assert sorted(report.result.removed) == ["areas/cobham/index.html", "chemical-peel/cobham/index.html",
                                             "lip-fillers/cobham/index.html"]
    output = mini_project / "output"
    assert not (output / "areas" / "cobham").exists()
    assert "/cobham/" not in (output / "sitemap.xml").read_text()


def test_an_unchanged_project_copied_with_its_state_builds_the_same_site(mini_project: Path, tmp_path: Path,
                                                                         monkeypatch) -> None:
    """The state travels with the project (it is committed): a fresh clone builds the same sitemap dates."""
    build(mini_project)
    clone = tmp_path / "clone"
    shutil.copytree(mini_project, clone, ignore=shutil.ignore_patterns("output", ".output.*"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")     # years later
    build(clone)
    assert tree_bytes(clone / "output") == tree_bytes(mini_project / "output")


# -- no symbolic link in the project is followed ------------------------------------------------------------------

def _link_message(rel: str) -> str:
    return (f"{rel}: is a symbolic link, and clinic-pages follows no links inside the project\n"
            "    hint: replace the link with a copy of the file or folder it points to")


import pytest  # noqa: E402


@pytest.mark.parametrize("where", ["templates/assets/passwd.txt", "templates/assets/linked-folder", "templates",
                                   "templates/home.html", "site.yaml"])
def test_a_link_among_the_inputs_stops_the_build_before_anything_is_read(mini_project: Path, tmp_path: Path,
                                                                          where: str) -> None:
    from generator.errors import DataError

    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "passwd.txt").write_text("root:x:0:0:root:/root:/bin/bash\n")
    link = mini_project / where
    if where == "templates":
        shutil.move(str(link), str(secret / "templates"))
        link.symlink_to(secret / "templates")
    elif where == "templates/assets/linked-folder":
        (mini_project / "templates" / "assets").mkdir(exist_ok=True)
        link.symlink_to(secret)
    elif where == "templates/assets/passwd.txt":
        (mini_project / "templates" / "assets").mkdir(exist_ok=True)
        link.symlink_to(secret / "passwd.txt")
    else:
        shutil.move(str(link), str(secret / link.name))
        link.symlink_to(secret / link.name)
    with pytest.raises(DataError) as caught:
        build(mini_project)
    assert str(caught.value) == _link_message(where)
    assert not (mini_project / "output").exists()


def test_a_link_among_the_inputs_is_refused_by_the_command_with_exit_2(mini_project: Path, tmp_path: Path) -> None:
    from tests.projects import run_cli

    (tmp_path / "secret.txt").write_text("root:x:0:0\n")
    (mini_project / "templates" / "assets").mkdir(exist_ok=True)
    (mini_project / "templates" / "assets" / "robots-extra.txt").symlink_to(tmp_path / "secret.txt")
    done = run_cli("build", "--project", str(mini_project))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == (_link_message("templates/assets/robots-extra.txt")
                           + "\n1 problem(s) found; nothing was written.\n")
    assert "root:x" not in done.stderr


def test_an_asset_whose_name_cannot_be_published_is_named_with_a_hint(mini_project: Path) -> None:
    from generator.errors import DataError

    (mini_project / "templates" / "assets").mkdir(exist_ok=True)
    (mini_project / "templates" / "assets" / "bad\x1bname.css").write_text("body{}")
    with pytest.raises(DataError) as caught:
        build(mini_project)
    assert str(caught.value) == ("templates/assets/bad\\x1bname.css: the file's name cannot be published: it has a "
                                 "control character\n    hint: rename the file")
