"""Reading a data file kept as YAML, CSV files or an Excel workbook: the same 1,000 places (or treatments) in each
form, loaded into a located Document the way a build loads it, and the readers one could use instead.

    python3 bench/sheets.py                 # 1,000 places, 7 runs, median wall time of each
    python3 bench/sheets.py --rows 10000 --runs 3

Rows are made from the sample's own places, repeated with numbered names; every form holds the same values
(checked before timing). Shown beside ours: openpyxl's read-only reader (the usual choice for .xlsx), and
PyYAML's plain safe_load of the YAML without positions.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def timed(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    import openpyxl
    import yaml

    from generator.data import load_document
    from generator.edit.convert import same_values, target_files
    from generator.model import LOCATIONS_SCHEMA
    from generator.sheets import load_data

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    sample = load_document(REPO / "locations.yaml")[0].data
    places = [dict(p, name=f"{p['name']} {i}", slug=f"{p.get('slug', 'place')}-{i}")
              for i in range(args.rows // len(sample["locations"]) + 1) for p in sample["locations"]][:args.rows]
    data = {"attribution": sample["attribution"], "locations": places}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for form in ("yaml", "csv", "xlsx"):
            folder = Path(tmp) / form
            folder.mkdir()
            for rel, content in target_files("locations", form, data, LOCATIONS_SCHEMA).items():
                (folder / rel).write_bytes(content)
            doc, problems = load_data(folder, "locations", LOCATIONS_SCHEMA)
            assert not problems and same_values(doc.data, data), form
            folders[form] = folder
        rows = [
            (f"locations.{form} -> Document (clinic-pages)",
             timed(lambda f=folders[form]: load_data(f, "locations", LOCATIONS_SCHEMA), args.runs))
            for form in ("yaml", "csv", "xlsx")]
        book = folders["xlsx"] / "locations.xlsx"
        rows.append(("locations.xlsx, openpyxl read-only, values only", timed(lambda: [
            list(ws.iter_rows(values_only=True)) for ws in openpyxl.load_workbook(book, read_only=True,
                                                                                   data_only=True)], args.runs)))
        text = (folders["yaml"] / "locations.yaml").read_text("utf-8")
        rows.append(("locations.yaml, PyYAML safe_load (no positions)",
                     timed(lambda: yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)),
                           args.runs)))
    print(f"{args.rows} places, median of {args.runs} runs")
    for name, seconds in rows:
        print(f"  {name:<52} {seconds * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
