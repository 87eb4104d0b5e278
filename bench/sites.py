"""The same synthetic site for the other generators: Hugo, Eleventy and a naive Jinja2 script.

Each renders one page per treatment x area at the same URLs as clinic-pages (`/<treatment>/<area>/`), plus
the treatment, area, home, areas and 404 pages and a sitemap, from the same data, with minimal templates
that give pages of about the same size (bench/peers/). What clinic-pages works out itself from the YAML
(distances, compass points, the five nearest neighbours, formatted prices and paragraphs) is worked out here
once, untimed, and handed to the others as JSON data files: Hugo's templates cannot do trigonometry, and the
comparison is about rendering and writing pages.
"""

from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path
from typing import Any

from bench.synth import REPO, SynthData
from generator.geo import KM_PER_MILE, bearing_deg, compass_point, distance_km, opposite
from generator.language import DAY_NAMES

PEERS = Path(__file__).resolve().parent / "peers"
NEIGHBOURS = 5


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


@functools.lru_cache(maxsize=4)
def _geometry(points: tuple[tuple[str, str, float, float], ...], lat: float, lon: float) -> dict[str, Any]:
    """Distance and direction of each area from the premises, and its nearest neighbours."""
    out = {}
    for slug, _name, alat, alon in points:
        km = distance_km(lat, lon, alat, alon)
        near = sorted((distance_km(alat, alon, olat, olon), oslug, oname, olat, olon)
                      for oslug, oname, olat, olon in points if oslug != slug)[:NEIGHBOURS]
        out[slug] = {
            "km": km, "direction": compass_point(bearing_deg(lat, lon, alat, alon)),
            "neighbours": [{"slug": s, "name": n, "km": f"{d:.1f} km",
                            "direction": compass_point(bearing_deg(alat, alon, olat, olon))}
                           for d, s, n, olat, olon in near],
        }
    return out


def peer_data(data: SynthData) -> dict[str, Any]:
    """The site as the other generators' data files: {"site": ..., "treatments": ..., "areas": ...}."""
    s = data.site
    premises = s["premises"][0]
    locality = premises["address"]["locality"]
    disclaimers = s["disclaimers"]
    required = list(s.get("required_disclaimers") or [])
    locations = data.locations["locations"]
    geo = _geometry(tuple((loc["slug"], loc["name"], loc["lat"], loc["lon"]) for loc in locations),
                    premises["lat"], premises["lon"])

    areas: dict[str, Any] = {}
    for loc in locations:
        g = geo[loc["slug"]]
        km, miles = f"{g['km']:.1f} km", f"{g['km'] / KM_PER_MILE:.1f} miles"
        opposite_point = opposite(g["direction"])
        faqs = [[f"How far is the clinic from {loc['name']}?",
                 f"Our {locality} clinic is about {km} ({miles}) {opposite_point} of {loc['name']}, measured in a "
                 "straight line."]]
        if loc.get("nearest_station"):
            faqs.append([f"Which station serves {loc['name']}?",
                         f"The nearest railway station to {loc['name']} is {loc['nearest_station']}."])
        areas[loc["slug"]] = {
            "slug": loc["slug"], "name": loc["name"], "county": loc.get("county") or "Surrey", "km": km,
            "miles": miles, "direction": g["direction"], "opposite": opposite_point,
            "station": loc.get("nearest_station") or "", "notes": _paragraphs(loc.get("notes") or ""),
            "neighbours": g["neighbours"], "faqs": faqs,
        }

    records = data.treatments["treatments"]
    names = {t["slug"]: t["name"] for t in records}
    treatments: dict[str, Any] = {}
    for t in records:
        sections = [{"heading": d["heading"], "paragraphs": _paragraphs(d["text"])} for d in t["description"]]
        sections += [{"heading": h, "paragraphs": _paragraphs(t[k])} for h, k in (
            ("What to expect", "what_to_expect"), ("Aftercare", "aftercare"), ("Downtime", "downtime"),
            ("Risks and side effects", "risks"))]
        ids = required + [d for d in t.get("disclaimers") or [] if d not in required]
        verb = "are" if t["name"].endswith("s") else "is"
        treatments[t["slug"]] = {
            "slug": t["slug"], "name": t["name"], "summary": " ".join(t["summary"].split()),
            "minimum_age": t["minimum_age"], "price": f"£{t.get('price_from') or 0:,.0f}",
            "sections": sections, "faqs": [[f["question"], f["answer"]] for f in t.get("faqs") or []],
            "related": [[r, names[r]] for r in t.get("related") or []],
            "disclaimers": [[d, " ".join(disclaimers[d].split())] for d in ids],
            "who": [f"Who can have {t['name'].lower()}?", f"{t['name']} {verb} available only to adults aged "
                    f"{t['minimum_age']} and over, after a face-to-face consultation."],
        }

    address = premises["address"]
    site = {
        "name": s["name"], "base_url": s["base_url"].rstrip("/"), "language": s.get("language") or "en-GB",
        "radius": round(s["service_radius_km"]),
        "premises": {
            "name": premises["name"], "street": address["street"], "locality": locality,
            "region": address["region"], "postcode": address["postcode"], "phone": premises["phone"],
            "lat": round(premises["lat"], 5), "lon": round(premises["lon"], 5),
            "parking": premises.get("parking") or "",
            "hours": [{"days": [f"https://schema.org/{DAY_NAMES[d]}" for d in h["days"]], "opens": h["opens"],
                       "closes": h["closes"], "label": f"{', '.join(h['days'])}: {h['opens']}–{h['closes']}"}
                      for h in premises.get("opening_hours") or []],
        },
        "practitioners": s["practitioners"],
        "required": [[d, " ".join(disclaimers[d].split())] for d in required],
        "attribution": data.locations["attribution"],
        "area_list": sorted(([a["slug"], a["name"], a["km"]] for a in areas.values()), key=lambda r: r[1]),
        "treatment_list": sorted(([t["slug"], t["name"], t["summary"]] for t in treatments.values()),
                                 key=lambda r: r[1]),
    }
    return {"site": site, "treatments": treatments, "areas": areas}


def write_data_files(data: SynthData, folder: Path, only: tuple[str, ...] | None = None) -> None:
    """site.json, treatments.json and areas.json (or only the named ones) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in peer_data(data).items():
        if only is None or name in only:
            (folder / f"{name}.json").write_text(json.dumps(content, ensure_ascii=False, indent=1), "utf-8")


def _copy(src: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)


def _assets(dest: Path, repo: Path) -> None:
    _copy(repo / "templates" / "assets", dest)


def write_naive(data: SynthData, dest: Path, repo: Path = REPO) -> Path:
    """The naive Jinja2 script's input: data/*.json, templates/, assets/."""
    write_data_files(data, dest / "data")
    _copy(PEERS / "templates", dest / "templates")
    _assets(dest / "assets", repo)
    return dest


def write_eleventy(data: SynthData, dest: Path, repo: Path = REPO) -> Path:
    """An Eleventy input folder: paginated templates over _data/*.json, the shared Nunjucks templates."""
    _copy(PEERS / "eleventy", dest)
    write_data_files(data, dest / "_data")
    _copy(PEERS / "templates", dest / "_includes")
    _assets(dest / "assets", repo)
    return dest


def write_hugo(data: SynthData, dest: Path, repo: Path = REPO) -> Path:
    """A Hugo site: one content file per page (Hugo 0.111 has no content adapters), data/*.json, layouts/."""
    dest.mkdir(parents=True, exist_ok=True)
    site = data.site
    (dest / "hugo.toml").write_text("\n".join((
        f'baseURL = "{site["base_url"].rstrip("/")}/"', 'languageCode = "en-gb"',
        f"title = {json.dumps(site['name'])}", 'disableKinds = ["RSS", "taxonomy", "term"]', "")), "utf-8")
    write_data_files(data, dest / "data")
    _copy(PEERS / "hugo" / "layouts", dest / "layouts")
    _assets(dest / "static" / "assets", repo)
    content = dest / "content"
    if content.exists():
        shutil.rmtree(content)

    def page(rel: str, **front: str) -> None:
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(front) + "\n", "utf-8")

    page("_index.md")
    page("areas/_index.md", layout="areas")
    areas = [loc["slug"] for loc in data.locations["locations"]]
    for a in areas:
        page(f"areas/{a}.md", area=a, layout="area")
    for t in data.treatments["treatments"]:
        page(f"{t['slug']}/_index.md", treatment=t["slug"], layout="treatment")
        for a in areas:
            page(f"{t['slug']}/{a}.md", treatment=t["slug"], area=a, layout="landing")
    return dest
