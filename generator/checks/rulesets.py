"""Which claims rules a check run uses: the built-in UK set (unless turned off) and the project's own rule
files, each refused unless it is a file inside the project reached through no symbolic link."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.checks.claims import ClaimRule, load_rules
from generator.data import SITE_FILE
from generator.errors import DataError, Problem
from generator.model import CheckSettings
from generator.paths import first_link, link_problem, relative_problem, shown


def rules_for(settings: CheckSettings, project_dir: Path | None = None) -> list[ClaimRule]:
    """The claims rules a project uses: the default UK set (unless turned off) and its own rule files."""
    if not settings.rules:
        return load_rules() if settings.default_rules else []
    base = Path(project_dir) if project_dir else Path(".")
    paths = [base / r for r in rule_paths(settings.rules, base)]
    extra = load_rules(paths)
    if not settings.default_rules:
        return extra
    clash = {r.id for r in load_rules()} & {r.id for r in extra}
    if clash:
        raise DataError([Problem(SITE_FILE, None, None, "checks.rules", f"rule ids defined twice: "
                                 f"{', '.join(sorted(clash))}", "rename the project's rules")])
    return load_rules(paths, with_default=True)   # one set with the default rules, made once (claims/rules.py)


def rule_paths(names: Iterable[str], project_dir: Path) -> list[str]:
    """site.yaml's `checks.rules`, refused unless each is a file inside the project reached through no symbolic
    link: a rule file outside it is never read (nor any of its lines shown)."""
    problems = []
    for i, name in enumerate(names):
        problem = relative_problem(name)
        if problem:
            problems.append(Problem(SITE_FILE, None, None, f"checks.rules[{i}]", f"{shown(name)} is not a file "
                                    f"inside the project: {problem}", "put the rule file in the project folder and "
                                    "name it relative to it, such as rules/clinic.yaml"))
        elif linked := first_link(project_dir, name):
            problems.append(link_problem(linked))
    if problems:
        raise DataError(problems)
    return list(names)
