"""Precision and recall of the claims check per category, on the labelled corpus of tests/claims_corpus/.

    python3 bench/claims_eval.py                      # the working tree's code, tuning and held-out splits
    python3 bench/claims_eval.py --rev f049f25        # the code of a git revision (the corpus of the working tree)
    python3 bench/claims_eval.py --split tune --misses   # and list what the tuning split misses or over-reports

The corpus (its format is in docs/testing.md): sentences in `sentences-<split>*.yaml` (each with the
categories it breaks, `expect`, empty for a compliant sentence) and whole pages in `pages-<split>*/*.html` (each
with `<meta name="corpus-expect" content="pom,risk">`). Splits: `tune` (written to tune the rules on) and
`heldout` (kept out of all tuning: only figures are printed for it, never its sentences, and --misses refuses it).

A sentence is checked as the visible text of a page of its own; a page is parsed as `audit` parses it. What the
check reports for an item is the set of categories (`claims.<id>` rules) of its findings. Per category:
TP = items expecting it where it was reported, FP = reported where not expected, FN = expected and not reported;
precision TP / (TP + FP), recall TP / (TP + FN). For pages, two more figures, those of issue 15: the unlawful pages
caught in a right category (at least one finding in one of the categories they break), and the compliant pages
with a claims finding of severity error.

For --rev, the revision is checked out in a temporary git worktree and its `generator` package does the checking
in a child process (its own rule file, its own code); the corpus and this script stay the working tree's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "claims_corpus"
SPLITS = ("tune", "heldout")
_EXPECT = re.compile(r"""<meta\s+name=["']corpus-expect["']\s+content=["']([^"']*)["']""", re.I)


def load_corpus(split: str, corpus: Path = CORPUS, only: str | None = None) -> tuple[list[dict], list[dict]]:
    """(sentences, pages) of one split: dicts with `text` (or `html`), `expect` (a set of category ids), `name`.
    With `only`, just the files of that set (or those sets, comma-separated): `sentences-<only>.yaml` and
    `pages-<only>/`."""
    import yaml
    sets = None if only is None else set(only.split(","))
    sentences = []
    for path in sorted(corpus.glob(f"sentences-{split}*.yaml")):
        if sets is not None and path.name.removeprefix("sentences-").removesuffix(".yaml") not in sets:
            continue
        for i, item in enumerate(yaml.safe_load(path.read_text("utf-8")) or []):
            sentences.append({"name": f"{path.name}[{i}]", "text": str(item["text"]),
                              "expect": sorted(set(item.get("expect") or [])), "style": item.get("style", "")})
    pages = []
    for path in sorted(corpus.glob(f"pages-{split}*/*.html")):
        if sets is not None and path.parent.name.removeprefix("pages-") not in sets:
            continue
        html = path.read_text("utf-8")
        m = _EXPECT.search(html)
        if m is None:
            raise SystemExit(f"{path}: no <meta name=\"corpus-expect\"> in the page")
        expect = sorted({c.strip() for c in m.group(1).split(",") if c.strip()})
        pages.append({"name": f"{path.parent.name}/{path.name}", "html": html, "expect": expect})
    return sentences, pages


def predict(items: list[dict]) -> list[dict]:
    """For each item, the findings of the claims check ({category: severity, ...}) and the time taken.
    Imports `generator` from sys.path: the working tree's, or a revision's in a child process."""
    from generator.checks import HtmlPage, parse_html
    from generator.checks.claims import ClaimsChecker, load_rules
    checker = ClaimsChecker(load_rules())
    out = []
    for item in items:
        if "html" in item:
            page = parse_html("corpus/index.html", item["html"].encode("utf-8"))
        else:
            page = HtmlPage("corpus/index.html", "/corpus/", visible_text=item["text"])
        found: dict[str, str] = {}
        for f in checker.check(page):
            if f.rule.startswith("claims."):
                category = f.rule.split(".", 1)[1]
                if found.get(category) != "error":
                    found[category] = f.severity
        out.append(found)
    return out


def predict_at(rev: str, items: list[dict]) -> list[dict]:
    """`predict` with the code of a git revision, in a temporary worktree and a child process."""
    if str(REPO) not in sys.path:   # not at the top: the child must import the revision's `generator`, not ours
        sys.path.insert(0, str(REPO))
    from bench.revisions import checked_out

    with checked_out(rev) as tree:
        data = tree.parent / "items.json"
        data.write_text(json.dumps(items), "utf-8")
        env = dict(os.environ, PYTHONPATH=str(tree))
        done = subprocess.run([sys.executable, __file__, "--predict-file", str(data)], env=env, cwd=tree,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the checker of {rev} failed:\n{done.stderr}")
        return json.loads(done.stdout)


def scores(items: list[dict], found: list[dict], categories: list[str]) -> dict[str, tuple[int, int, int]]:
    """category -> (TP, FP, FN) over the items."""
    out = {}
    for c in categories:
        tp = sum(1 for it, f in zip(items, found, strict=True) if c in it["expect"] and c in f)
        fp = sum(1 for it, f in zip(items, found, strict=True) if c not in it["expect"] and c in f)
        fn = sum(1 for it, f in zip(items, found, strict=True) if c in it["expect"] and c not in f)
        out[c] = (tp, fp, fn)
    return out


def ratio(a: int, b: int) -> str:
    return f"{a / b:6.1%}" if b else "    –"


def table(title: str, counts: dict[str, tuple[int, int, int]]) -> list[str]:
    lines = [f"{title}", "| category | expected | TP | FP | FN | precision | recall |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    total = [0, 0, 0]
    for c, (tp, fp, fn) in counts.items():
        lines.append(f"| {c} | {tp + fn} | {tp} | {fp} | {fn} | {ratio(tp, tp + fp)} | {ratio(tp, tp + fn)} |")
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
    tp, fp, fn = total
    lines.append(f"| all (micro) | {tp + fn} | {tp} | {fp} | {fn} | {ratio(tp, tp + fp)} | {ratio(tp, tp + fn)} |")
    return lines


def page_figures(pages: list[dict], found: list[dict]) -> list[str]:
    unlawful = [(p, f) for p, f in zip(pages, found, strict=True) if p["expect"]]
    compliant = [(p, f) for p, f in zip(pages, found, strict=True) if not p["expect"]]
    caught = sum(1 for p, f in unlawful if set(p["expect"]) & set(f))
    caught_all = sum(1 for p, f in unlawful if set(p["expect"]) <= set(f))
    errors = sum(1 for _, f in compliant if "error" in f.values())
    by_category: dict[str, int] = {}
    for _, f in compliant:
        for category, severity in f.items():
            if severity == "error":
                by_category[category] = by_category.get(category, 0) + 1
    which = ", ".join(f"{c} {n}" for c, n in sorted(by_category.items(), key=lambda cn: (-cn[1], cn[0])))
    return [f"- unlawful pages caught in a right category: {caught} of {len(unlawful)} ({ratio(caught, len(unlawful))})"
            f"; in all their categories: {caught_all} ({ratio(caught_all, len(unlawful))})",
            f"- compliant pages with a claims error: {errors} of {len(compliant)} ({ratio(errors, len(compliant))})"
            + (f"; the errors' categories (pages): {which}" if which else "")]


def misses(items: list[dict], found: list[dict]) -> list[str]:
    out = []
    for it, f in zip(items, found, strict=True):
        missed, extra = set(it["expect"]) - set(f), set(f) - set(it["expect"])
        if missed or extra:
            text = it.get("text") or ""
            out.append(f"  {it['name']}: missed {sorted(missed)} extra {sorted(extra)}  {text[:150]}")
    return out


def categories_of(items: list[dict], found: list[dict]) -> list[str]:
    """The default rule set's ids, in its order, then any other category met."""
    from generator.checks.claims import load_rules
    known = [r.id for r in load_rules()]
    seen = {c for it in items for c in it["expect"]} | {c for f in found for c in f}
    return known + sorted(seen - set(known))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rev", help="check with the code of this git revision (default: the working tree)")
    parser.add_argument("--split", choices=SPLITS, action="append", help="only this split (default: both)")
    parser.add_argument("--misses", action="store_true", help="list the tuning items the check gets wrong")
    parser.add_argument("--only", metavar="SET", help="only one set of files of the split, e.g. heldout-3 "
                        "(sentences-heldout-3.yaml and pages-heldout-3/), or several: heldout,heldout-2,heldout-3")
    parser.add_argument("--predict-file", help=argparse.SUPPRESS)   # the child process of --rev
    args = parser.parse_args(argv)
    if args.predict_file:
        print(json.dumps(predict(json.loads(Path(args.predict_file).read_text("utf-8")))))
        return 0
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    splits = args.split or list(SPLITS)
    if args.only:
        splits = [s for s in splits
                  if all(o == s or o.startswith(s + "-") for o in args.only.split(","))]
        if not splits:
            raise SystemExit(f"--only {args.only}: not a set of the tune or heldout split")
    if args.misses and "heldout" in splits:
        if args.split:
            raise SystemExit("--misses lists tuning items only: the held-out split is never looked at item by item")
        splits = ["tune"]
    code = f"revision {args.rev}" if args.rev else "the working tree"
    print(f"Claims check of {code} on {CORPUS.relative_to(REPO)}\n")
    for split in splits:
        sentences, pages = load_corpus(split, only=args.only)
        if not sentences and not pages:
            print(f"## {split}: no items\n")
            continue
        items = sentences + pages
        started = time.perf_counter()
        found = predict_at(args.rev, items) if args.rev else predict(items)
        seconds = time.perf_counter() - started
        found_s, found_p = found[:len(sentences)], found[len(sentences):]
        categories = categories_of(items, found)
        print(f"## {args.only or split}: {len(sentences)} sentences, {len(pages)} pages ({seconds:.1f} s)\n")
        print("\n".join(table(f"Sentences ({split})", scores(sentences, found_s, categories))) + "\n")
        if pages:
            print("\n".join(table(f"Pages ({split})", scores(pages, found_p, categories))))
            print("\n".join(page_figures(pages, found_p)) + "\n")
        if args.misses and split == "tune":
            print("Misses (tuning split):")
            print("\n".join(misses(sentences, found_s) + misses(pages, found_p)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
