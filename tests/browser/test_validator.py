"""Every page of the sample and of tests/fixtures/complete passes the W3C Nu HTML validator (npm vnu-jar, the
validator behind validator.w3.org/nu, run offline on Java) with no error."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from harness import SETUP_HINT, VNU_JAR, missing_tools


def validate(*folders: Path) -> tuple[int, list[str]]:
    """(pages validated, "file:line: message" of each error) for every .html file under the folders, in one run
    of the validator (Java starts once)."""
    missing = missing_tools("vnu-jar")
    if missing:
        pytest.fail(f"not installed: {', '.join(missing)}; {SETUP_HINT}")
    pages = sorted(str(p) for folder in folders for p in folder.rglob("*.html"))
    run = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *pages],
                         capture_output=True, text=True, timeout=300)
    report = json.loads(run.stderr or run.stdout)
    errors = []
    for m in report["messages"]:
        if m["type"] == "error" or m.get("subType") == "fatal":
            path = Path(re.sub(r"^file:/*", "/", m.get("url", "")))    # vnu writes file:/tmp/..., one slash
            where = next((path.relative_to(f.resolve().parent) for f in folders
                          if path.is_relative_to(f.resolve())), path)
            errors.append(f"{where}:{m.get('lastLine', '?')}: {m['message']}")
    return len(pages), errors


def test_every_page_is_valid_html_and_a_planted_error_is_found(built_sample: Path, built_complete: Path,
                                                                 tmp_path: Path) -> None:
    """One run over both sites and a copy of one page with a planted error (a duplicate id), which must be found:
    so "no error" means the validator read the pages."""
    planted = tmp_path / "planted"
    planted.mkdir()
    page = (built_complete / "index.html").read_text()
    (planted / "index.html").write_text(page.replace('<main id="main">', '<main id="main"><div id="book"></div>', 1))
    count, errors = validate(built_sample, built_complete, planted)
    found = [e for e in errors if e.startswith("planted/")]
    assert count > 330 and [e for e in errors if e not in found] == []
    assert any("Duplicate ID" in e for e in found), errors
