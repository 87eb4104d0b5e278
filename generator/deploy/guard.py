"""Why a deploy must not go ahead: the site still has placeholders, or `check` finds errors in it."""

from __future__ import annotations

from pathlib import Path

from generator.model import Project


def refusals(project: Project, output: Path) -> list[str]:
    """One paragraph per reason to refuse; empty when the site may be published."""
    reasons = []
    placeholders = project.placeholders()
    if placeholders:
        reasons.append(f"site.yaml still holds {len(placeholders)} placeholder(s); replace each with the real "
                       "value:\n  " + "\n  ".join(placeholders))
    return reasons
