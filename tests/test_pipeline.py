"""The package reads as the pipeline (docs/how-it-works.md): each module belongs to one phase, and imports only
from its own phase and the ones before it, never from a phase after it."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.projects import REPO

# In pipeline order; a module is in the phase of the longest name here that it is, or is under.
PHASES: list[tuple[str, tuple[str, ...]]] = [
    ("shared", ("generator", "errors", "text", "paths", "geo", "slugs", "language", "clock", "registers", "theme",
                "syntax", "target_url", "workers", "digests")),
    ("load", ("data", "schema", "sheets", "model", "images")),   # the files and pictures, read into the records
    ("validate", ("validate",)),
    ("plan", ("plan",)),
    ("render", ("render",)),
    ("check", ("checks",)),
    ("write", ("output", "state")),
    ("sitemap", ("sitemap",)),
    ("deploy", ("deploy",)),
    ("commands", ("build", "memory", "audit", "report", "serve", "cli", "edit", "datadoc", "__main__")),
]

# Imports that still reach forward, each with why it is left: remove an entry when its import goes.
KNOWN: dict[tuple[str, str], str] = {}


def _phase(module: str) -> int:
    best, at = "", -1
    for n, (_, names) in enumerate(PHASES):
        for name in names:
            full = "generator" if name == "generator" else f"generator.{name}"
            if (module == full or module.startswith(full + ".")) and len(full) > len(best):
                best, at = full, n
    assert at >= 0, f"{module} is in no phase: add it to PHASES"
    return at


def _imports() -> list[tuple[str, str]]:
    found = []
    for path in sorted((REPO / "generator").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "generator":
                found.append((module, node.module))
            elif isinstance(node, ast.Import):
                found += [(module, a.name) for a in node.names if a.name.split(".")[0] == "generator"]
    return found


def test_no_module_imports_from_a_later_phase():
    forward = sorted({(a.removeprefix("generator."), b.removeprefix("generator."))
                      for a, b in _imports() if _phase(b) > _phase(a)})
    assert [f"{a} -> {b}" for a, b in forward if (a, b) not in KNOWN] == []
    assert [key for key in KNOWN if key not in forward] == [], "a known import is gone: remove it from KNOWN"


def test_every_module_is_in_a_phase():
    for path in (REPO / "generator").rglob("*.py"):
        parts = Path(path).relative_to(REPO).with_suffix("").parts
        _phase(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
