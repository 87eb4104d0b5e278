"""How many of `audit`'s findings on real sites are true: 20 findings drawn at random per site, each judged.

    python3 bench/audit_precision.py SITE_DIR --name bath                 # this checkout's audit
    python3 bench/audit_precision.py SITE_DIR --name bath --rev f049f25   # the audit of an older revision
    python3 bench/audit_precision.py SITE_DIR --name bath --show          # print the sample to judge it

The sites are public static sites that nobody on the team wrote; their pages are never committed (see
bench/audit_precision/sites.md for which ones, at which commit, and how to get them). The audit runs in a fresh
process (`clinic-pages audit SITE --format json`); the findings (the flat `findings[]` of the JSON report: one
per page) are sorted, and `-n` of them (default 20) are drawn with a fixed seed. Each is looked up in the
site's judgement file, bench/audit_precision/NAME.yaml: a list of

    - key: "RULE | PAGE | MESSAGE"
      verdict: true | false | noise     # true: a professional would fix it; false: wrong; noise: true but not
      why: "..."                        # worth saying (or said once per page for one cause)

and the tally is printed: true, false, noise, and findings not judged yet (judge those, then run again).
Exit 0 when every sampled finding is judged.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
JUDGED = REPO / "bench" / "audit_precision"
VERDICTS = ("true", "false", "noise")


def key(finding: dict) -> str:
    return f"{finding['rule']} | {finding['page']} | {finding['message']}"


def run_audit(site: Path, code: Path, extra: list[str]) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        done = subprocess.run([sys.executable, "-m", "generator", "-q", "audit", str(site.resolve()), "--format",
                               "json", "--report", str(report), *extra], capture_output=True, text=True, cwd=code,
                              env=dict(os.environ, PYTHONPATH=str(code), NO_COLOR="1"), check=False)
        if done.returncode not in (0, 1):
            raise SystemExit(f"audit failed ({done.returncode}):\n{done.stderr[-2000:]}")
        data = json.loads(report.read_text("utf-8"))
        data["exit"] = done.returncode
        return data


def sample(findings: list[dict], n: int, seed: int) -> list[dict]:
    ordered = sorted(findings, key=lambda f: (f["rule"], f["page"], f["message"], f["evidence"]))
    return ordered if len(ordered) <= n else random.Random(seed).sample(ordered, n)


def load_judgements(name: str) -> dict[str, dict]:
    path = JUDGED / f"{name}.yaml"
    if not path.exists():
        return {}
    items = yaml.safe_load(path.read_text("utf-8")) or []
    judged = {}
    for item in items:
        if str(item.get("verdict")).lower() not in VERDICTS:
            raise SystemExit(f"{path}: {item.get('key')}: verdict must be one of {', '.join(VERDICTS)}")
        judged[item["key"]] = item
    return judged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("site", type=Path, help="the folder of the built site")
    parser.add_argument("--name", required=True, help="the site's short name (its judgement file)")
    parser.add_argument("--rev", help="audit with this revision of clinic-pages (checked out in a temporary "
                                      "worktree) instead of this checkout")
    parser.add_argument("-n", type=int, default=20, help="findings drawn (default 20)")
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--show", action="store_true", help="print every sampled finding with its evidence")
    parser.add_argument("--base-url", help="passed on to audit")
    args = parser.parse_args(argv)
    extra = ["--base-url", args.base_url] if args.base_url else []
    worktree = None
    try:
        code = REPO
        if args.rev:
            worktree = Path(tempfile.mkdtemp(prefix="audit-rev-")) / "code"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", "-q", str(worktree), args.rev],
                           check=True)
            code = worktree
        data = run_audit(args.site, code, extra)
    finally:
        if worktree is not None:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(worktree)], check=False)
    judged = load_judgements(args.name)
    drawn = sample(data["findings"], args.n, args.seed)
    tally = dict.fromkeys((*VERDICTS, "unjudged"), 0)
    for f in drawn:
        item = judged.get(key(f))
        verdict = str(item["verdict"]).lower() if item else "unjudged"
        tally[verdict] += 1
        if args.show or item is None:
            print(f"[{verdict}] {key(f)}")
            if f["evidence"]:
                print(f"      evidence: {f['evidence'][:200]}")
            if item:
                print(f"      why: {item.get('why', '')}")
    label = args.rev or "this checkout"
    summary = data["summary"]
    print(f"{args.name} ({label}): {len(data['findings'])} findings ({summary['errors']} errors, "
          f"{summary['warnings']} warnings), exit {data['exit']}; sample of {len(drawn)}: "
          + ", ".join(f"{v} {k}" for k, v in tally.items()))
    return 0 if tally["unjudged"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
