"""How well the doorway gate agrees with a careful reviewer, on the labelled projects of tests/gate_corpus/.

    python3 bench/gate_eval.py                        # the working tree's code, tuning and held-out splits
    python3 bench/gate_eval.py --rev 87e259b          # the code of a git revision (the corpus of the working tree)
    python3 bench/gate_eval.py --split tune --misses  # and list the tuning pages the gate judges otherwise

The corpus (its format is in docs/testing.md): each project is a folder with `site.yaml`, `treatments.yaml`,
`locations.yaml` and `labels.yaml`, which says for every landing and area page whether a reviewer applying Google's
spam policies (doorway abuse, "substantially similar pages", scaled content) would let search engines index it
(`publish`) or hold it back (`hold`), and why. Splits: `tune` (to tune the gate on) and `heldout` (written before
anyone read how the gate decides and kept out of all tuning: only its figures are printed, and --misses refuses it).

Each project is built in a temporary folder with the real command (`python -m generator build`, the repository's
templates, the gate's default settings unless the project's site.yaml says otherwise), and each labelled page is
read from the output: the gate published it when it is built, has no `noindex` and is in the sitemap; it held it
back otherwise (a page with `noindex` that is still in the sitemap, or the reverse, is counted as published and
reported, since it would be a bug). Per split, for each class (`hold`: the doorway class; `publish`): precision =
pages the gate put in the class that the reviewer put there / pages the gate put there; recall = pages the reviewer
put there that the gate put there too / pages the reviewer put there.

For --rev, the revision is checked out in a temporary git worktree and its `generator` package and templates do
the build, in a child process; the corpus and this script stay the working tree's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.revisions import checked_out  # noqa: E402 - after the path is set

CORPUS = REPO / "tests" / "gate_corpus"
SPLITS = ("tune", "heldout")
CLASSES = ("hold", "publish")
DATA_FILES = ("site.yaml", "treatments.yaml", "locations.yaml")
PINNED_EPOCH = "1700000000"
_NOINDEX = re.compile(r"""<meta\s[^>]*name=["']robots["'][^>]*content=["'][^"']*noindex""", re.I)
_LOC = re.compile(r"<loc>\s*([^<\s]+)\s*</loc>")


def load_split(split: str, corpus: Path = CORPUS) -> list[tuple[Path, dict[str, dict]]]:
    """(project folder, {url: {"verdict", "reason"}}) for each project of a split, sorted by name."""
    import yaml

    projects = []
    for labels_file in sorted((corpus / split).glob("*/labels.yaml")):
        pages = (yaml.safe_load(labels_file.read_text("utf-8")) or {}).get("pages") or {}
        for url, label in pages.items():
            if not isinstance(label, dict) or label.get("verdict") not in CLASSES or not label.get("reason"):
                raise SystemExit(f"{labels_file}: {url}: expected {{verdict: hold|publish, reason: ...}}, "
                                 f"got {label!r}")
        projects.append((labels_file.parent, pages))
    return projects


def build(project: Path, code: Path, work: Path) -> Path:
    """Build a copy of `project` with the generator and templates found in `code`; returns the output folder."""
    target = work / project.name
    target.mkdir(parents=True)
    for name in DATA_FILES:
        shutil.copy2(project / name, target / name)
    shutil.copytree(code / "templates", target / "templates")
    env = dict(os.environ, PYTHONPATH=str(code), SOURCE_DATE_EPOCH=PINNED_EPOCH, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "generator", "-q", "build", "--project", str(target),
                           "--output", str(target / "output")], cwd=code, env=env, capture_output=True, text=True)
    if done.returncode not in (0, 1) or not (target / "output" / "sitemap.xml").exists():
        raise SystemExit(f"{project.name}: the build failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return target / "output"


def gate_reasons(project: Path, code: Path) -> dict[str, str]:
    """The gate's own reason for each page it held back (`check --format json`), for --misses; {} if unknown."""
    env = dict(os.environ, PYTHONPATH=str(code), SOURCE_DATE_EPOCH=PINNED_EPOCH, NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "generator", "-q", "check", "--project", str(project),
                           "--output", str(project / "output"), "--format", "json"], cwd=code, env=env,
                          capture_output=True, text=True)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        return {}
    return {item["page"]: f"{item.get('rule', '')}: {item.get('reason', '')}"
            for item in report.get("held_back") or [] if isinstance(item, dict) and "page" in item}


def read_verdicts(output: Path, urls: list[str]) -> tuple[dict[str, str], list[str]]:
    """What the gate did with each page: `publish` or `hold`; and the pages whose noindex and sitemap disagree."""
    sitemap = set()
    for path in output.glob("sitemap*.xml"):
        for loc in _LOC.findall(path.read_text("utf-8")):
            sitemap.add("/" + loc.split("://", 1)[-1].partition("/")[2])
    verdicts, odd = {}, []
    for url in urls:
        page = output / url.strip("/") / "index.html"
        if not page.exists():
            verdicts[url] = "hold"   # not built (policy skip)
            continue
        noindex = bool(_NOINDEX.search(page.read_text("utf-8")))
        listed = url in sitemap
        if noindex == listed:
            odd.append(url)
        verdicts[url] = "hold" if noindex and not listed else "publish"
    return verdicts, odd


def evaluate(split: str, code: Path, with_reasons: bool = False) -> dict:
    """Build every project of a split with the code in `code`; each labelled page with its label and verdict."""
    rows, odd, missing = [], [], []
    with tempfile.TemporaryDirectory(prefix="gate-eval-") as tmp:
        for project, labels in load_split(split):
            output = build(project, code, Path(tmp))
            built = {"/" + "/".join(p.relative_to(output).parts[:-1]) + "/" for p in output.glob("*/*/index.html")}
            unlabelled = sorted(built - set(labels))
            if unlabelled:
                raise SystemExit(f"{project.name}: pages with no label in labels.yaml: {', '.join(unlabelled)}")
            verdicts, bad = read_verdicts(output, sorted(labels))
            missing += [f"{project.name}{url}" for url in sorted(labels) if url not in built]
            odd += [f"{project.name}{url}" for url in bad]
            reasons = gate_reasons(output.parent, code) if with_reasons else {}
            for url in sorted(labels):
                rows.append({"project": project.name, "page": url, "label": labels[url]["verdict"],
                             "reason": labels[url]["reason"], "gate": verdicts[url],
                             "gate_reason": reasons.get(url, "")})
    return {"rows": rows, "odd": odd, "missing": missing}


def scores(rows: list[dict]) -> dict:
    """Accuracy, confusion counts, and precision and recall of each class."""
    confusion = {(label, gate): 0 for label in CLASSES for gate in CLASSES}
    for row in rows:
        confusion[row["label"], row["gate"]] += 1
    out = {"pages": len(rows), "accuracy": sum(confusion[c, c] for c in CLASSES) / len(rows) if rows else 0.0,
           "confusion": {f"{label}->{gate}": n for (label, gate), n in confusion.items()}}
    for c in CLASSES:
        said = sum(confusion[label, c] for label in CLASSES)
        truth = sum(confusion[c, gate] for gate in CLASSES)
        out[c] = {"labelled": truth, "gate": said, "correct": confusion[c, c],
                  "precision": confusion[c, c] / said if said else 0.0,
                  "recall": confusion[c, c] / truth if truth else 0.0}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", help="build with the code of this git revision (default: the working tree)")
    parser.add_argument("--split", choices=SPLITS, action="append", help="a split (default: both)")
    parser.add_argument("--misses", action="store_true", help="list the tuning pages judged otherwise")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    splits = args.split or list(SPLITS)
    if args.misses and "heldout" in splits and args.split:
        parser.error("--misses is for the tuning split only: the held-out split is never looked at page by page")
    started = time.perf_counter()
    with checked_out(args.rev) if args.rev else nullcontext(REPO) as code:
        results = {s: evaluate(s, code, with_reasons=args.misses and s == "tune") for s in splits}
    figures = {s: scores(r["rows"]) for s, r in results.items()}
    if args.json:
        print(json.dumps({"code": args.rev or "working tree", "figures": figures}, indent=1))
    else:
        code_name = f"revision {args.rev}" if args.rev else "the working tree"
        print(f"doorway gate vs the reviewer's labels; code: {code_name}")
        for split, f in figures.items():
            projects = len({r["project"] for r in results[split]["rows"]})
            print(f"\n{split}: {projects} projects, {f['pages']} pages; accuracy {f['accuracy']:.3f}")
            for c in CLASSES:
                k = f[c]
                print(f"  {c:8} labelled {k['labelled']:3}  gate {k['gate']:3}  correct {k['correct']:3}  "
                      f"precision {k['precision']:.3f}  recall {k['recall']:.3f}")
            print("  confusion (label->gate): " + ", ".join(f"{k} {v}" for k, v in f["confusion"].items()))
            for what, key in (("noindex and sitemap disagree", "odd"), ("labelled but not built", "missing")):
                if results[split][key]:
                    print(f"  {what}: {', '.join(results[split][key])}")
    if args.misses and "tune" in results:
        wrong = [r for r in results["tune"]["rows"] if r["label"] != r["gate"]]
        print(f"\ntuning pages judged otherwise than labelled ({len(wrong)}):")
        for r in wrong:
            print(f"  {r['project']}{r['page']}: labelled {r['label']} ({r['reason']}); gate {r['gate']}"
                  + (f" ({r['gate_reason']})" if r["gate_reason"] else ""))
    print(f"\n({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
