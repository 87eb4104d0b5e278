"""Helpers shared by the tests: copies of the sample project, trees of output files, YAML edits."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent


def copy_project(dest: Path, treatments: int | None = None, locations: int | None = None) -> Path:
    """The sample project, optionally cut down to the first N treatments and locations."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("site.yaml", "treatments.yaml", "locations.yaml"):
        shutil.copy(REPO / name, dest / name)
    shutil.copytree(REPO / "templates", dest / "templates")
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


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


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
