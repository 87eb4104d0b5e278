"""The command line as a person runs it: help, exact messages, the summary line, exit codes 0 / 2."""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.errors import excerpt
from generator.state import STATE_FILE
from tests.projects import FIXTURES, PINNED_EPOCH, REPO, cli, copy_project, edit, run_cli, tree_bytes
from tests.test_validate import BAD_INPUTS

SUMMARY = re.compile(r"Built (\d+) pages in \d+\.\d\d s: (\d+) rendered, (\d+) files written, (\d+) unchanged, "
                     r"(\d+) removed -> (.+)")


def snapshot(project: Path) -> dict[str, bytes]:
    files = {f"output/{k}": v for k, v in tree_bytes(project / "output").items()}
    files[STATE_FILE] = (project / STATE_FILE).read_bytes()
    return files


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("usage: clinic-pages ")
    assert re.search(r"^\s+build\s+build the site into output/$", result.stdout, re.M)
    for option in ("--version", "--verbose", "--quiet", "--debug"):
        assert option in result.stdout


def test_build_help_shows_its_options() -> None:
    result = run_cli("build", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: clinic-pages build [-h] [-v] [-q] [--debug] [--project DIR]")
    text = " ".join(result.stdout.split())        # argparse wraps to the terminal's width
    assert "--project DIR folder with site.yaml, treatments.yaml, locations.yaml and templates/ (default: .)" in text
    assert "--output DIR where the site is written (default: PROJECT/output)" in text


def test_no_command_prints_help_and_exits_2() -> None:
    result = run_cli()
    assert result.returncode == 2 and result.stdout.startswith("usage: clinic-pages ")


def test_an_unknown_command_or_option_exits_2() -> None:
    result = cli("bulid")
    assert result.returncode == 2
    assert "invalid choice: 'bulid'" in result.stderr
    assert cli("build", "--projet", ".").returncode == 2


def test_version() -> None:
    from generator import __version__

    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout == f"clinic-pages {__version__}\n"


def test_build_prints_one_summary_line_and_the_placeholders(mini_project: Path) -> None:
    result = run_cli("build", "--project", str(mini_project))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    match = SUMMARY.fullmatch(lines[0])
    assert match and match.group(1) == "22" and match.group(2) == "22" and match.group(6) == str(
        mini_project / "output")
    assert result.stderr.startswith(
        "INFO: 1 place(s) in locations.yaml get no pages, being beyond the service radius (service_radius_km in "
        "site.yaml) of every premises: Windsor (-v says how far each one is)\n"
        "WARNING: site.yaml still has 3 placeholder(s); `deploy` will refuse until they are replaced:\n"
        "  site.yaml:14: premises[0].address.postcode: Postcode to be confirmed\n"
        "  site.yaml:34: premises[1].phone: Phone number to be confirmed\n"
        "  site.yaml:41: practitioners[0].registration_number: NMC PIN to be confirmed\n")
    # the fixture publishes pages with nothing of their own (`duplicates: warn`): the risk is said every time (not
    # of /chemical-peel/guildford/, which has the Guildford room's offer as its own: plan.credit_offers)
    risk = ("WARNING: 16 page(s) are published although they have no text of their own (policy warn, or a waiver): "
            "search engines may treat them as doorway pages")
    assert risk in result.stderr
    assert risk in cli("build", "--project", str(mini_project)).stderr   # up to date: said all the same
    again = cli("-q", "build", "--project", str(mini_project))
    assert again.returncode == 0 and again.stderr == ""
    assert re.fullmatch(r"Up to date: 22 pages, nothing changed \(\d+\.\d\d s\) -> .+\n", again.stdout)


def test_build_runs_in_the_current_folder_by_default(mini_project: Path) -> None:
    result = cli("-q", "build", cwd=mini_project)
    assert result.returncode == 0
    assert SUMMARY.fullmatch(result.stdout.strip()).group(6) == "output"
    assert (mini_project / "output" / "index.html").exists()


def test_build_with_an_output_folder(mini_project: Path, tmp_path: Path) -> None:
    result = cli("-q", "build", "--project", str(mini_project), "--output", str(tmp_path / "public"))
    assert result.returncode == 0
    assert (tmp_path / "public" / "sitemap.xml").exists() and not (mini_project / "output").exists()


def test_bad_data_exits_2_lists_every_problem_and_writes_nothing(mini_project: Path) -> None:
    assert cli("-q", "build", "--project", str(mini_project)).returncode == 0
    before = snapshot(mini_project)
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 91.5")
    edit(mini_project / "locations.yaml", "nearest_station: Esher", "nearest_staton: Esher")
    edit(mini_project / "treatments.yaml", "related: [chemical-peel]", "related: [chemical-peal]")
    result = cli("build", "--project", str(mini_project))
    assert result.returncode == 2
    assert result.stdout == ""
    # The unknown related treatment is not reported yet: references between files are checked once every
    # file is valid on its own, so that one mistake does not cause a flood of follow-on errors.
    assert result.stderr == (
        "locations.yaml:5:5: locations[0].lat: expected a number between -90 and 90, found 91.5\n"
        "  5 |     lat: 91.5\n"
        "    |     ^\n"
        "    hint: latitude is degrees north of the equator (about 51.3 in Surrey); check that lat and lon are "
        "not swapped\n"
        "locations.yaml:16:5: locations[2].nearest_staton: unknown field `nearest_staton`\n"
        "  16 |     nearest_staton: Esher\n"
        "     |     ^\n"
        "    hint: did you mean `nearest_station`?\n"
        "2 problem(s) found; nothing was written.\n")
    assert snapshot(mini_project) == before


@pytest.fixture(scope="module")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project, built once: each bad-input case below starts from a copy of it."""
    from generator.build import build

    project = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("built-mini") / "mini")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        build(project)
    return project


def copy_built(built_mini: Path, tmp_path: Path) -> Path:
    """A copy of the mini project as its first build left it (the build in `built_mini`, done once)."""
    shutil.copytree(built_mini, tmp_path / "mini")
    return tmp_path / "mini"


@pytest.fixture
def cli_logging():
    """main() points the `generator` logger at this test's captured stderr: put the logger back afterwards."""
    import logging

    logger = logging.getLogger("generator")
    saved = logger.handlers[:], logger.level, logger.propagate
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_exits_2_with_its_exact_message_and_writes_nothing(
        case: str, built_mini: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_logging) -> None:
    """The real command (in this process, for speed) for every case of test_validate.BAD_INPUTS."""
    from generator.cli import main

    project = tmp_path / "mini"
    shutil.copytree(built_mini, project)
    before = snapshot(project)
    file, old, new, expected = BAD_INPUTS[case]
    edit(project / file, old, new)
    assert main(["build", "--project", str(project)]) == 2
    out, err = capsys.readouterr()
    problems = sum(1 for line in expected if not line.startswith("    hint: "))
    shown = []   # each problem, then its line of the file with a caret under the column, then its hint
    for line in expected:
        shown.append(line)
        at = re.match(r"^([\w.]+\.yaml):(\d+)(?::(\d+))?: ", line)
        if at:
            source = (project / at.group(1)).read_text("utf-8").split("\n")[int(at.group(2)) - 1]
            shown += excerpt(source, int(at.group(2)), int(at.group(3)) if at.group(3) else None)
    assert out == ""
    assert err == "\n".join(shown) + f"\n{problems} problem(s) found; nothing was written.\n"
    assert snapshot(project) == before


def test_a_data_error_shows_its_line_with_a_caret_under_the_spot(mini_project: Path) -> None:
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 91.5")
    edit(mini_project / "treatments.yaml", "    aftercare: Avoid make-up", "    aftercare Avoid make-up")
    result = cli("build", "--project", str(mini_project))
    assert result.returncode == 2
    assert result.stderr == (
        "locations.yaml:5:5: locations[0].lat: expected a number between -90 and 90, found 91.5\n"
        "  5 |     lat: 91.5\n"
        "    |     ^\n"
        "    hint: latitude is degrees north of the equator (about 51.3 in Surrey); check that lat and lon are "
        "not swapped\n"
        "treatments.yaml:12:5: no colon after `aftercare`: a field is written `name: value`\n"
        "  12 |     aftercare Avoid make-up, alcohol and hard exercise for a day.\n"
        "     |     ^\n"
        "    hint: write `aftercare: Avoid make-up, alcohol and hard exercise for ...`\n"
        "2 problem(s) found; nothing was written.\n")


@pytest.mark.parametrize(("file", "damage", "first_line"), [
    ("site.yaml", b"", "site.yaml:1:1: the file is empty"),
    ("treatments.yaml", b"treatments:\n  - name: Caf\xe9\n", "treatments.yaml:2:14: the file is not UTF-8 (byte 0xe9)"),
    ("locations.yaml", b"locations: [\n", "locations.yaml:1:12: the `[` here is never closed with `]`"),
])
def test_unreadable_files_exit_2_and_write_nothing(built_mini: Path, tmp_path: Path, file: str, damage: bytes,
                                                   first_line: str) -> None:
    mini_project = copy_built(built_mini, tmp_path)
    before = snapshot(mini_project)
    (mini_project / file).write_bytes(damage)
    result = cli("build", "--project", str(mini_project))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == first_line
    assert result.stderr.endswith("1 problem(s) found; nothing was written.\n")
    assert snapshot(mini_project) == before


def test_a_template_error_exits_2_names_file_and_line_and_writes_nothing(built_mini: Path, tmp_path: Path) -> None:
    mini_project = copy_built(built_mini, tmp_path)
    before = snapshot(mini_project)
    path = mini_project / "templates" / "landing.html"
    lines = path.read_text().split("\n")
    lines[3] += " {{ location.no_such_field }}"
    path.write_text("\n".join(lines))
    result = cli("build", "--project", str(mini_project))
    assert result.returncode == 2
    assert result.stderr == (
        "error: templates/landing.html:4: UndefinedError: 'generator.model.Location object' has no attribute "
        "'no_such_field'\n    while rendering /lip-fillers/east-molesey/\n")
    assert snapshot(mini_project) == before


@pytest.mark.parametrize("epoch", ["yesterday", "1.5e9", "99999999999999999999"])
def test_a_bad_source_date_epoch_exits_2_with_a_hint_and_writes_nothing(built_mini: Path, tmp_path: Path,
                                                                        epoch: str) -> None:
    mini_project = copy_built(built_mini, tmp_path)
    before = snapshot(mini_project)
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 51.39873")   # something to build
    result = cli("build", "--project", str(mini_project), env={"SOURCE_DATE_EPOCH": epoch})
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: SOURCE_DATE_EPOCH is '{epoch}', not a date: it must be a whole number")
    assert "Traceback" not in result.stderr
    assert snapshot(mini_project) == before


def test_debug_shows_the_traceback(mini_project: Path) -> None:
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 91.5")
    result = run_cli("--debug", "build", "--project", str(mini_project))
    assert result.returncode != 0
    assert "Traceback (most recent call last)" in result.stderr and "DataError" in result.stderr


def test_a_missing_project_folder_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("build", "--project", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert result.stderr == (f"{tmp_path / 'nowhere'}: not a clinic-pages project (no such folder)\n"
                             "    hint: run the command in the project folder, or pass --project DIR\n"
                             "1 problem(s) found; nothing was written.\n")


def test_one_missing_data_file_is_named(mini_project: Path) -> None:
    (mini_project / "locations.yaml").unlink()
    result = cli("build", "--project", str(mini_project))
    assert result.returncode == 2
    assert result.stderr.startswith("locations.yaml: file not found\n"
                                    "    hint: create locations.yaml; see docs/data.md for its fields\n")


def on_a_terminal(*args: str) -> tuple[int, str, bytes]:
    """Run the command with its stderr on a pseudo-terminal: (exit code, stdout, what the terminal got)."""
    main, secondary = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "generator", *args], stdout=subprocess.PIPE, stderr=secondary,
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
    return proc.returncode, out.decode(), seen


@pytest.mark.slow
def test_progress_is_shown_on_a_terminal_for_a_big_build(sample_project: Path) -> None:
    """On a terminal a build of hundreds of pages shows `Rendering pages: n/total`; piped, it does not."""
    code, out, seen = on_a_terminal("-q", "build", "--project", str(sample_project))
    assert code == 0
    pages = SUMMARY.fullmatch(out.strip()).group(1)
    assert f"Rendering pages: {pages}/{pages}".encode() in seen
    assert b"\rRendering pages: " in seen
    piped = cli("build", "--clean", "--project", str(sample_project))   # stderr not a terminal: a buffer here
    assert piped.returncode == 0 and "Rendering pages" not in piped.stderr


@pytest.mark.slow
def test_check_and_audit_show_progress_on_a_terminal_as_build_does(built_sample: Path, tmp_path: Path) -> None:
    sample_project = tmp_path / "sample"   # the session's build of the sample (read-only), copied
    shutil.copytree(built_sample.parent, sample_project, symlinks=True)
    code, out, seen = on_a_terminal("-q", "check", "--no-cache", "--project", str(sample_project))
    pages = re.search(r"(\d+) page\(s\) checked", out).group(1)
    assert code == 0 and f"\rChecking pages: {pages}/{pages}".encode() in seen
    code, out, seen = on_a_terminal("-q", "audit", str(sample_project / "output"))
    assert f"\rAuditing pages: {pages}/{pages}".encode() in seen
    piped = cli("check", "--no-cache", "--project", str(sample_project))   # stderr not a terminal: a buffer here
    assert piped.returncode == 0 and "Checking pages" not in piped.stderr


def test_check_says_the_last_build_stopped_and_lists_the_placeholders(built_mini: Path, tmp_path: Path) -> None:
    mini_project = copy_built(built_mini, tmp_path)
    text = (mini_project / "treatments.yaml").read_text()
    (mini_project / "treatments.yaml").write_text(
        text.replace("Small injections of a soft gel", "Results are guaranteed. Small injections of a soft gel"))
    assert cli("-q", "build", "--project", str(mini_project)).returncode == 1
    result = cli("check", "--project", str(mini_project))
    assert result.returncode == 0   # the pages of the last good build, which pass
    assert re.search(r"note: the last build stopped: the checks found \d+ errors? \(claims\.guarantee on /\S*"
                     r"( and \d+ more)?\)\. output/ still holds the pages of the build before it, and those are what "
                     r"was checked here: fix what stopped the build, and build again\n", result.stdout)
    assert ("WARNING: site.yaml still has 3 placeholder(s); `deploy` will refuse until they are replaced:\n"
            "  site.yaml:14: premises[0].address.postcode: Postcode to be confirmed\n") in result.stderr
    (mini_project / "treatments.yaml").write_text(text)
    assert cli("-q", "build", "--project", str(mini_project)).returncode == 0
    assert "note:" not in cli("check", "--project", str(mini_project)).stdout


def test_check_says_when_the_pages_are_older_than_the_data(built_mini: Path, tmp_path: Path) -> None:
    mini_project = copy_built(built_mini, tmp_path)
    edit(mini_project / "locations.yaml", "lat: 51.39872", "lat: 51.39873")
    result = cli("check", "--project", str(mini_project))
    assert ("note: the data, templates, rules or clinic-pages itself changed since output/ was built: these are the "
            "older pages, checked against the records as they are now; run `clinic-pages build` first\n"
            ) in result.stdout


def test_python_dash_m_generator_and_the_installed_command_agree(mini_project: Path) -> None:
    via_module = run_cli("--help")
    script = Path(sys.executable).parent / "clinic-pages"
    if not script.exists():
        found = shutil.which("clinic-pages")
        if found is None:
            pytest.skip("clinic-pages is not installed in this environment (make test installs it)")
        script = Path(found)
    via_script = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert via_script.returncode == 0
    assert via_script.stdout == via_module.stdout


# -- usage errors and --strict (issue 17) ------------------------------------------------------------------------

def test_an_os_error_is_one_line_and_exit_2(mini_project: Path) -> None:
    """A folder that cannot be made is bad input, not "found problems" (1) and not a traceback."""
    result = run_cli("build", "--project", str(mini_project), "--output", "/proc/nope/out")
    assert (result.returncode, result.stdout, result.stderr) == (
        2, "", "error: cannot make the folder /proc/nope: No such file or directory\n    hint: choose an --output in a "
               "folder you can write to\n")


def test_quiet_and_verbose_together_are_refused(mini_project: Path) -> None:
    for args in (["-q", "-v", "build"], ["-q", "build", "-v"], ["build", "--quiet", "--verbose"]):
        result = cli(*args, "--project", str(mini_project))
        assert result.returncode == 2, args
        assert result.stderr.splitlines()[-1] == (
            "clinic-pages: error: argument -q/--quiet: not allowed with argument -v/--verbose")
    assert not (mini_project / "output").exists()


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_jobs_must_be_a_whole_number_of_1_or_more(mini_project: Path, jobs: str) -> None:
    result = cli("build", "--project", str(mini_project), "-j", jobs)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"clinic-pages build: error: argument -j/--jobs: expected a whole number of 1 or more, found '{jobs}'")
    assert cli("-q", "build", "--project", str(mini_project), "-j", "1").returncode == 0


def test_check_strict_counts_warnings_as_errors(built_mini: Path, tmp_path: Path) -> None:
    """The mini project's site.yaml sets `duplicates: warn`: its alike pages are warnings."""
    project = tmp_path / "mini"
    shutil.copytree(built_mini, project)
    relaxed = cli("check", "--project", str(project))
    warnings = int(re.search(r"(\d+) warning\(s\)", relaxed.stdout.splitlines()[-1]).group(1))
    assert relaxed.returncode == 0 and warnings > 0
    strict = cli("check", "--project", str(project), "--strict")
    assert strict.returncode == 1
    assert strict.stdout == relaxed.stdout
    assert strict.stderr.endswith(f"\nerror: {warnings} warning(s), and --strict counts warnings as errors\n")


def test_build_strict_stops_on_a_check_warning_and_writes_nothing(built_mini: Path, tmp_path: Path) -> None:
    project = tmp_path / "mini"
    shutil.copytree(built_mini, project)
    before = snapshot(project)
    edit(project / "locations.yaml", "lat: 51.39872", "lat: 51.39873")   # something to build
    result = cli("build", "--project", str(project), "--strict")
    assert result.returncode == 1
    assert re.search(r"^error: the build stopped: the checks found 0 errors and \d+ warnings? \(--strict\) "
                     r"\(duplicates\.\w+ on /[\w/-]*( and \d+ more)?\); output/ was left as it was$", result.stderr,
                     re.M), result.stderr
    assert {k: v for k, v in snapshot(project).items() if k.startswith("output/")} == {
        k: v for k, v in before.items() if k.startswith("output/")}


def test_build_strict_counts_the_builds_own_warnings(sample_project: Path) -> None:
    """The sample's pages pass every check, but its placeholders are a warning: with --strict the build is
    written, and exits 1 for CI."""
    result = cli("build", "--project", str(sample_project), "--strict")
    assert result.returncode == 1, result.stderr
    assert SUMMARY.fullmatch(result.stdout.strip())
    assert result.stderr.endswith("error: 1 warning(s), and --strict counts warnings as errors\n")


def test_the_json_report_gives_the_near_threshold_in_use(built_mini: Path, tmp_path: Path) -> None:
    import json

    project = tmp_path / "mini"
    shutil.copytree(built_mini, project)
    report = json.loads(cli("check", "--project", str(project), "--format", "json").stdout)
    assert report["duplicates"]["near_threshold"] == 0.9          # the default
    edit(project / "site.yaml", "checks:\n", "checks:\n  duplicates:\n    near_threshold: 0.95\n")
    report = json.loads(cli("check", "--project", str(project), "--format", "json").stdout)
    assert report["duplicates"]["near_threshold"] == 0.95


@pytest.mark.parametrize(("place", "message"), [
    ("dangling-link", "{out} is a symbolic link; clinic-pages follows no links in the output folder\n"
                      "    hint: give the folder itself as --output ({tmp}/nowhere)"),
    ("file", "{out} is a file, not a folder\n    hint: give a folder as --output (it is made if it does not exist), "
             "or move the file away"),
    ("under-a-file", "cannot make the folder {tmp}/afile: {tmp}/afile is a file, not a folder\n    hint: choose an "
                     "--output in a folder you can write to"),
    ("unwritable", "cannot make the folder /sys/clinic-pages-test: Operation not permitted\n    hint: choose an "
                   "--output in a folder you can write to"),
])
def test_an_output_place_that_cannot_be_used_exits_2_with_a_hint_and_the_next_build_works(
        mini_project: Path, tmp_path: Path, place: str, message: str) -> None:
    out = {"dangling-link": tmp_path / "out", "file": tmp_path / "out", "under-a-file": tmp_path / "afile" / "out",
           "unwritable": Path("/sys/clinic-pages-test/out")}[place]
    if place == "dangling-link":
        out.symlink_to(tmp_path / "nowhere")
    elif place == "file":
        out.write_text("a file")
    elif place == "under-a-file":
        (tmp_path / "afile").write_text("a file")
    result = cli("build", "--project", str(mini_project), "--output", str(out))
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "error: " + message.format(out=out, tmp=tmp_path) + "\n"
    assert not (tmp_path / "nowhere").exists() and not list(tmp_path.glob(".*.staging"))
    assert cli("-q", "build", "--project", str(mini_project), "--output", str(tmp_path / "site")).returncode == 0
