"""Helpers for the tests: copies of the sample and fixture projects, trees of output files, edits, the CLI."""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
DATA_FILES = ("site.yaml", "treatments.yaml", "locations.yaml")

# 2023-11-14 22:13:20 UTC: every build in the tests sees this date unless a test sets another.
PINNED_EPOCH = "1700000000"
PINNED_DATE = "2023-11-14"

T = TypeVar("T")


def copy_project(source: Path, dest: Path, templates: Path | None = None) -> Path:
    """Copy a project's three data files and its templates (the repo's own when it has none) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in DATA_FILES:
        if (source / name).exists():
            shutil.copyfile(source / name, dest / name)
    shutil.copytree(templates or (source / "templates" if (source / "templates").is_dir() else REPO / "templates"),
                    dest / "templates")
    return dest


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too), as relative path -> bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


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


def cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the command in this process (`generator.cli.main`, what `python -m generator` calls), with the
    environment run_cli gives it: its exit code and what it printed on stdout and stderr, as run_cli returns them.
    A child process costs about a second of CPU for the imports and the rules before any work: tests of what a
    command says use this; each command is still run as a person runs it, in a child process (run_cli), by some
    test, and so is everything that needs a process of its own (--debug's traceback, a terminal, a memory limit).
    An exception that escapes main() fails the test where a child process would have printed a traceback."""
    import contextlib
    import io
    import logging

    from generator.cli import main

    out, err = io.StringIO(), io.StringIO()
    logger = logging.getLogger("generator")
    saved_logger = logger.handlers[:], logger.level, logger.propagate
    changes = dict(env or {}, NO_COLOR="1")
    saved_env = {name: os.environ.get(name) for name in changes}
    saved_cwd = os.getcwd()
    try:
        os.environ.update(changes)
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(saved_cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        logger.handlers[:], logger.level, logger.propagate = saved_logger
    return subprocess.CompletedProcess(["clinic-pages", *args], code, out.getvalue(), err.getvalue())


def sample_subset(dest: Path, treatments: int | None = None, locations: int | None = None) -> Path:
    """The sample project, optionally cut down to the first N treatments and locations."""
    copy_project(REPO, dest)
    if treatments:
        data = yaml.safe_load((dest / "treatments.yaml").read_text())
        keep = data["treatments"][:treatments]
        slugs = {t["slug"] for t in keep}
        for t in keep:
            t["related"] = [r for r in t.get("related", []) if r in slugs]
        data["treatments"] = keep
        (dest / "treatments.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    if locations:
        data = yaml.safe_load((dest / "locations.yaml").read_text())
        near = ["west-molesey", "east-molesey", "walton-on-thames", "esher", "weybridge", "cobham", "shepperton",
                "thames-ditton", "hinchley-wood", "sunbury-on-thames"]
        data["locations"] = [loc for loc in data["locations"] if loc["slug"] in near[:locations]]
        (dest / "locations.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return dest


_BUILT: dict[tuple, tuple[Path, object]] = {}


def built_subset(dest: Path, cache: Path, treatments: int | None = None, locations: int | None = None):
    """`sample_subset(dest, treatments, locations)` as a build left it (output/, the build state, the check cache),
    and that build's report. The build is done once in this process for each size, SOURCE_DATE_EPOCH and
    workers.PARALLEL_MIN_PAGES, in a folder under `cache`, and copied for each test after that (a build reads all
    it needs from the folder: a copy is up to date). The report is shared between tests: read it, never change it."""
    from generator import workers
    from generator.build import build

    key = (treatments, locations, os.environ.get("SOURCE_DATE_EPOCH"), workers.PARALLEL_MIN_PAGES)
    if key not in _BUILT:
        source = sample_subset(cache / f"built-{len(_BUILT)}", treatments, locations)
        _BUILT[key] = (source, build(source))
    source, report = _BUILT[key]
    shutil.copytree(source, dest, symlinks=True)
    return dest, report


def stamps(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def set_radius(project: Path, km: float) -> None:
    """site.yaml holds !placeholder tags, so edit its text rather than round-trip it through PyYAML."""
    path = project / "site.yaml"
    path.write_text(re.sub(r"(?m)^service_radius_km: *[0-9.]+", f"service_radius_km: {km}", path.read_text()))


def describe(value: object) -> object:
    """`value` as plain JSON data, in the order the program would iterate it: records by field, mappings and
    sequences in order, enumerations by value, numpy arrays as lists. Only a set, which has no order of its own,
    is sorted; anything else is its repr."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {type(value).__name__: {f.name: describe(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, enum.Enum):
        return describe(value.value)
    if isinstance(value, dict):
        return [[describe(k), describe(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [describe(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((describe(v) for v in value), key=json.dumps)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


def wait_until(condition: Callable[[], T], seconds: float, what: str, every: float = 0.01) -> T:
    """Ask `condition()` every `every` seconds until it gives something true, and return that; fail after
    `seconds` saying that `what` never happened. (A test waits for an event, never for a fixed time.)"""
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(every)
    return value


def kill_build(proc: subprocess.Popen, output: Path, seconds: float = 60) -> None:
    """SIGKILL a build started in a session of its own (start_new_session=True) and the workers it forked, then
    wait until they have all let go of the output folder's lock: a worker can outlive the build by a moment, and
    the next build would find the folder locked."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=seconds)
    lock = output.parent / f".{output.name}.lock"

    def let_go() -> bool:
        with open(lock, "a") as fh:   # "a": the file stays as it is; closing it gives the lock back
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            return True

    if lock.exists():
        wait_until(let_go, seconds, f"the killed build's processes letting go of {lock}")


def draw_pictures(project: Path) -> dict[str, Path]:
    """Draw the pictures tests/fixtures/complete names (a logo with a transparent background, two premises photos, a
    portrait) into the project's images/ folder with Pillow: the tests make their own images, none is committed."""
    from PIL import Image, ImageDraw

    folder = project / "images"
    folder.mkdir(exist_ok=True)
    made: dict[str, Path] = {}

    def save(name: str, image: Image.Image, **options) -> None:
        made[name] = folder / name
        image.save(made[name], **options)

    logo = Image.new("RGBA", (600, 180), (0, 0, 0, 0))
    draw = ImageDraw.Draw(logo)
    draw.ellipse((10, 10, 170, 170), fill=(122, 46, 92, 255))
    draw.rectangle((200, 60, 590, 120), fill=(40, 40, 40, 255))
    save("logo.png", logo)
    for name, size, colours in (("front.jpg", (1600, 1067), ((200, 180, 160), (90, 60, 50))),
                                ("room.jpg", (1200, 800), ((230, 235, 240), (120, 140, 160))),
                                ("sam-ellis.jpg", (800, 800), ((210, 220, 235), (60, 80, 120)))):
        photo = Image.new("RGB", size, colours[0])
        draw = ImageDraw.Draw(photo)
        w, h = size
        for i in range(8):   # some shapes, so the encoder has detail to keep
            draw.ellipse((w * i // 10, h // 4, w * i // 10 + w // 4, h // 4 + h // 2), fill=tuple(
                (c * (8 - i) + d * i) // 8 for c, d in zip(*colours, strict=True)))
        save(name, photo, quality=90)
    return made


def complete_project(dest: Path) -> Path:
    """tests/fixtures/complete copied to `dest`, with its pictures drawn."""
    copy_project(FIXTURES / "complete", dest)
    draw_pictures(dest)
    return dest
