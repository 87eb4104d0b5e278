"""Why a deploy must not go ahead: site.yaml still holds placeholders, or `clinic-pages check` finds errors."""

from __future__ import annotations

from pathlib import Path

from generator.errors import printable
from generator.model import Project

SHOWN = 10      # findings listed in a refusal; `clinic-pages check` lists them all


def refusals(project: Project, output: Path) -> list[str]:
    """One paragraph per reason to refuse; empty when the site may be published."""
    reasons = []
    placeholders = project.placeholders()
    if placeholders:
        reasons.append(f"site.yaml still holds {len(placeholders)} placeholder(s); replace each with the real "
                       "value:\n  " + "\n  ".join(placeholders))
    errors = check_errors(project.root, output)
    if errors:
        more = f"\n  ... and {len(errors) - SHOWN} more (run `clinic-pages check`)" if len(errors) > SHOWN else ""
        reasons.append(f"`clinic-pages check` finds {len(errors)} error(s) in the built site:\n  "
                       + "\n  ".join(errors[:SHOWN]) + more)
    return reasons


def check_errors(project_dir: Path, output: Path) -> list[str]:
    """The errors `clinic-pages check` reports for the built site, one line each."""
    try:
        from generator.checks.incremental import check_built_site
    except ImportError:     # a tree without the check engine: placeholders are then the only gate
        return []
    return [printable(f"{finding.page or '(site)'}: {finding.rule}: {finding.message}")
            for finding in check_built_site(project_dir, output) if finding.severity == "error"]
