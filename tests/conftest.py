"""Shared fixtures: copies of the sample and fixture projects, builds, golden files.

Golden files in tests/golden/ are regenerated on purpose with `pytest --update-golden` (then review the diff
with `git diff tests/golden/` before committing it).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Helpers live in tests/projects.py: import them from there (`from tests.projects import edit`), not from
# `conftest`, a module name that tests/browser/conftest.py shares. Re-exported for tests that still do.
from tests.projects import (  # noqa: F401
    DATA_FILES,
    FIXTURES,
    GOLDEN,
    PINNED_DATE,
    PINNED_EPOCH,
    REPO,
    copy_project,
    edit,
    run_cli,
    tree_bytes,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output instead of comparing")


# The environment as the session began. A test may change it only through monkeypatch (a wider-scoped fixture:
# `with pytest.MonkeyPatch.context()`), which puts it back; a change left behind would leak into later tests.
_ENVIRON = dict(os.environ)
_PYTESTS_OWN = {"PYTEST_CURRENT_TEST"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After each test and its fixtures are torn down: fail it if os.environ is not as the session found it."""
    result = yield
    changed = sorted(name for name in (os.environ.keys() | _ENVIRON.keys()) - _PYTESTS_OWN
                     if os.environ.get(name) != _ENVIRON.get(name))
    for name in changed:   # put it back, so that only the test at fault fails
        if name in _ENVIRON:
            os.environ[name] = _ENVIRON[name]
        else:
            del os.environ[name]
    if changed:
        pytest.fail(f"os.environ was changed and left so: {', '.join(changed)}; change it through monkeypatch "
                    "(in a fixture wider than one test: `with pytest.MonkeyPatch.context() as patch:`)")
    return result


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)


@pytest.fixture
def sample_project(tmp_path: Path) -> Path:
    """The shipped sample project (the clinic's real data files and templates), copied; no state, no output."""
    return copy_project(REPO, tmp_path / "sample")


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    """tests/fixtures/mini (two premises, two treatments, eight places) with the repo's templates."""
    return copy_project(FIXTURES / "mini", tmp_path / "mini")


@pytest.fixture
def hostile_project(tmp_path: Path) -> Path:
    """tests/fixtures/hostile: markup, quotes and `</script>` in every kind of text field."""
    return copy_project(FIXTURES / "hostile", tmp_path / "hostile")


@pytest.fixture(scope="session")
def _built_subsets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("built-subsets")


@pytest.fixture
def built_copy(_built_subsets: Path, tmp_path: Path):
    """built_copy(treatments=None, locations=None) -> (project, report): a copy, in this test's tmp_path/"p", of
    the sample (or a subset of it) as its first build left it, and that build's report (shared: read it only). The
    build is done once per process and size (and SOURCE_DATE_EPOCH, and workers.PARALLEL_MIN_PAGES): for a test
    whose subject is what a second build does."""
    from tests.projects import built_subset

    def copy(treatments: int | None = None, locations: int | None = None):
        return built_subset(tmp_path / "p", _built_subsets, treatments, locations)

    return copy


@pytest.fixture(scope="session")
def _built_publishable_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from generator.build import build
    from tests.deploy_servers import publishable

    project = publishable(copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("built") / "mini"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        build(project)
    return project


@pytest.fixture
def publishable_site(_built_publishable_mini: Path, tmp_path: Path) -> Path:
    """The mini project with its placeholders filled in (so that `deploy` does not refuse it), as its build left
    it; returns the project folder, tmp_path/"mini". Built once per process, copied for each test."""
    return Path(shutil.copytree(_built_publishable_mini, tmp_path / "mini", symlinks=True))


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once for the whole session (read-only for tests); returns its output folder."""
    from generator.build import build

    project = copy_project(REPO, tmp_path_factory.mktemp("built") / "sample")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        build(project)
    return project / "output"


@pytest.fixture(scope="session")
def built_complete(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/complete (every optional fact: booking, colours, logo, photos, registers, days, prices) with
    its pictures drawn, built once for the whole session (read-only for tests); returns its output folder."""
    from generator.build import build
    from tests.projects import complete_project

    project = complete_project(tmp_path_factory.mktemp("built") / "complete")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        build(project)
    return project / "output"


@pytest.fixture(scope="session")
def built_sample_published(built_sample: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with text written for one area (Esher) and for one treatment there (jaw fillers), so that the
    doorway gate publishes a page of every kind; built once for the session (read-only). The text is the tests'
    own, not the clinic's. Built from a copy of `built_sample` as the next build after the edit (a build after any
    edits makes what a clean build makes: test_incremental), so that the sample is built whole once per process."""
    import yaml

    from generator.build import build

    project = Path(shutil.copytree(built_sample.parent, tmp_path_factory.mktemp("built") / "sample", symlinks=True))
    data = yaml.safe_load((project / "locations.yaml").read_text("utf-8"))
    esher = next(loc for loc in data["locations"] if loc["slug"] == "esher")
    esher["faqs"] = [{"question": "Written for the tests: is there a page about Esher?",
                      "answer": "Yes: this question and its answer were written for the tests alone, so that the "
                                "page has text found on no other page, and more than thirty words of it."}]
    esher["landing_pages"] = {"jaw-fillers": {"note": (
        "Written for the tests: a note for jaw fillers in Esher alone, long enough to earn the page a place, with "
        "words that no other page of the site repeats anywhere, such as this sentence about its own purpose.")}}
    (project / "locations.yaml").write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        build(project)
    return project / "output"


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """compare(name, text): assert `text` equals tests/golden/NAME, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden")

    def compare(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, "utf-8")
            return
        assert path.exists(), f"{path} is missing: run `pytest --update-golden` to create it"
        expected = path.read_text("utf-8")
        if text != expected:
            import difflib
            diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True),
                                                f"golden/{name}", "built", n=2))
            pytest.fail(f"{name} differs from its golden copy (if the change is intended, run "
                        f"`pytest --update-golden` and review `git diff tests/golden/`):\n{diff[:6000]}")

    return compare


@pytest.fixture()
def preview(tmp_path):
    """`clinic-pages serve` of a small copy of the sample, running on a free port of 127.0.0.1."""
    from generator.serve import PreviewServer
    from tests.projects import sample_subset

    server = PreviewServer(sample_subset(tmp_path / "p", treatments=3, locations=5), port=0).start()
    yield server
    server.stop()
