"""The baseline: a naive single-process Jinja2 script that renders and writes the benchmark's pages.

It reads the same data files as the Hugo and Eleventy sites (`data/*.json`, written by bench/sites.py) and
renders the same templates (bench/peers/templates, which are both Jinja2 and Nunjucks), one page after
another, with no checks, no state and no care for unchanged files: the speed a generator gets for free.

    python3 bench/naive_jinja.py SITE_DIR OUTPUT_DIR
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import jinja2


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: naive_jinja.py SITE_DIR OUTPUT_DIR", file=sys.stderr)
        return 2
    src, out = Path(argv[0]), Path(argv[1])
    site = json.loads((src / "data" / "site.json").read_text("utf-8"))
    treatments = json.loads((src / "data" / "treatments.json").read_text("utf-8"))
    areas = json.loads((src / "data" / "areas.json").read_text("utf-8"))
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(src / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["dump"] = lambda value: json.dumps(value, ensure_ascii=False)

    def write(rel: str, template: str, **context) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(env.get_template(template).render(site=site, **context), "utf-8")

    write("index.html", "home.njk")
    write("areas/index.html", "areas.njk")
    write("404.html", "404.njk")
    write("sitemap.xml", "sitemap.njk")
    for a in areas.values():
        write(f"areas/{a['slug']}/index.html", "area.njk", a=a)
    for t in treatments.values():
        write(f"{t['slug']}/index.html", "treatment.njk", t=t)
        for a in areas.values():
            write(f"{t['slug']}/{a['slug']}/index.html", "landing.njk", t=t, a=a)
    shutil.copytree(src / "assets", out / "assets", dirs_exist_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
