"""Shared fixtures: copies of the sample and fixture projects, builds, golden files.

Golden files in tests/golden/ are regenerated on purpose with `pytest --update-golden` (then review the diff
with `git diff tests/golden/` before committing it).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
DATA_FILES = ("site.yaml", "treatments.yaml", "locations.yaml")

# 2023-11-14 22:13:20 UTC: every build in the tests sees this date unless a test sets another.
PINNED_EPOCH = "1700000000"
PINNED_DATE = "2023-11-14"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite the golden files in tests/golden/ from the current output instead of comparing")


@pytest.fixture(autouse=True)
def _pinned_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", PINNED_EPOCH)


def copy_project(source: Path, dest: Path, templates: Path | None = None) -> Path:
    """Copy a project's three data files and its templates (the repo's own when it has none) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, dest / name)
    shutil.copytree(templates or (source / "templates" if (source / "templates").is_dir() else REPO / "templates"),
                    dest / "templates")
    return dest


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
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample project built once for the whole session (read-only for tests); returns its output folder."""
    from generator.build import build

    os.environ["SOURCE_DATE_EPOCH"] = PINNED_EPOCH
    project = copy_project(REPO, tmp_path_factory.mktemp("built") / "sample")
    build(project)
    return project / "output"


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too), as relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_digest(folder: Path) -> dict[str, str]:
    return {rel: hashlib.sha256(data).hexdigest() for rel, data in tree_bytes(folder).items()}


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a fixture file, failing loudly when the text is not there."""
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), "utf-8")


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run `python -m generator ARGS` in a child process, as a person would run the command."""
    full_env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "generator", *args], cwd=cwd, env=full_env, text=True,
                          capture_output=True, timeout=timeout)


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
