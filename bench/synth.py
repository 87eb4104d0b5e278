"""Synthetic clinic-pages projects of T treatments x L areas, for the benchmark.

`make_project(dest, treatments=40, areas=250)` writes site.yaml, treatments.yaml, locations.yaml (the real
schema, see generator/model.py) and a copy of the repository's templates/ into `dest`. The areas lie on a grid
around the premises, all within the service radius, so the site has T x L landing pages of about 11 KB each.
Every area gets its own generated local notes and every treatment its own text (seeded, so the same arguments
give the same bytes), so no two pages are near-duplicates. With `pair_notes`, that share of the landing pages also
get text written for their treatment in their area (random words of a local vocabulary), which earns them a place
in search results; without, every landing page has nothing of its own and the checks hold them all back.

    python3 bench/synth.py DIR -t 40 -l 250     # 10,000 landing pages
"""

from __future__ import annotations

import argparse
import math
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script: `python3 bench/synth.py`
    sys.path.insert(0, str(REPO))

from generator.geo import distance_km  # noqa: E402 (after the repository is put on sys.path)

SOURCES = ("site.yaml", "treatments.yaml", "locations.yaml", "templates")

# The real sample's premises (West Molesey): the grid of areas is laid out around it.
PREMISES_LAT, PREMISES_LON = 51.39985, -0.37997
GRID_KM = 1.2  # spacing between neighbouring areas

# -- word lists (neutral local and procedural vocabulary: nothing the claims rules forbid) ------------------

_PREFIXES = ("Ash", "Brook", "Chal", "Dun", "Elm", "Fern", "Gold", "Hazel", "Ick", "Kings", "Lang", "Marl",
             "Nether", "Oak", "Pen", "Quen", "Rush", "Sand", "Thorn", "Ux", "Ver", "Wick", "Yarn", "Alder",
             "Bar", "Cold", "Dray", "Ever", "Fox", "Grim", "Holm", "Ivy", "Kel", "Lid", "Mint", "Nor")
_SUFFIXES = ("ford", "ley", "ham", "worth", "stead", "bury", "combe", "field", "hurst", "den", "well", "ton",
             "brook", "mere", "wick", "gate", "holt", "by", "cote", "minster")
_QUALIFIERS = ("", "Upper ", "Lower ", "Great ", "Little ", "North ", "South ", "East ", "West ", "Old ")
_STREET_WORDS = ("Orchard", "Mill", "Station", "Church", "Chestnut", "Willow", "Meadow", "Bridge", "Kiln",
                 "Heath", "Forge", "Ferry", "Priory", "Manor", "Quarry", "Rectory", "Cherry", "Hazel", "Elm",
                 "Rowan", "Beech", "Copse", "Spring", "Wharf", "Tannery", "Brewery", "Pond", "Common",
                 "Market", "Abbey", "Chapel", "Granary", "Vicarage", "Holly", "Juniper", "Larch", "Poplar",
                 "Sandpit", "Weir", "Lock", "Tollgate", "Pound", "Barn", "Dairy", "Stable", "Smithy", "Well",
                 "Cooper")
_STREET_TYPES = ("Lane", "Road", "Street", "Close", "Way", "Avenue", "Drive", "Walk", "Row", "Hill", "Rise",
                 "Gardens", "Place", "Terrace", "Crescent", "Grove", "Mews", "Parade")
_SAINTS = ("Mary", "Peter", "Nicholas", "Andrew", "John", "Michael", "Lawrence", "Margaret", "James",
           "George", "Giles", "Bartholomew", "Catherine", "Leonard", "Martin", "Botolph", "Alban", "Swithun",
           "Edmund")
_BUILDING_ADJ = ("old", "red-brick", "timber-framed", "flint", "Victorian", "Georgian", "restored",
                 "thatched", "converted", "former", "whitewashed", "Edwardian", "weatherboarded", "listed")
_BUILDINGS = ("corn mill", "library", "village hall", "post office", "fire station", "coaching inn",
              "almshouses", "water tower", "cricket pavilion", "bandstand", "forge", "market hall",
              "railway cottages", "brewery", "lock-keeper's cottage", "signal box", "tithe barn",
              "war memorial", "maltings", "granary", "toll house", "chapel", "drill hall", "boathouse")
_SURNAMES = ("Ashby", "Barlow", "Carter", "Dunn", "Ellis", "Fairley", "Gower", "Hale", "Irving", "Jessop",
             "Kemp", "Lacey", "Marsh", "Noakes", "Oliver", "Pryce", "Quill", "Rudd", "Stokes", "Tilley",
             "Upton", "Vane", "Webb", "Yates", "Brennan", "Cowley", "Dexter", "Frost", "Goddard", "Harwood")
_SHOPS = ("bakery", "hardware shop", "bookshop", "garden centre", "delicatessen", "butcher's", "florist",
          "café", "farm shop", "ironmonger's", "cheese shop", "bicycle shop", "greengrocer's", "tea room")
_EVENTS = ("summer fete", "farmers' market", "carnival", "flower show", "cricket week", "beer festival",
           "duck race", "bonfire night", "open gardens weekend", "lantern parade", "charity fun run",
           "village show", "horticultural show", "folk festival", "antiques fair", "ploughing match",
           "apple day", "scarecrow trail", "boat race", "craft fair")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_FEATURES = ("wide village green", "duck pond", "row of Georgian shops", "Norman church tower",
             "riverside meadows", "allotments", "bluebell woods", "heathland walks", "cricket ground",
             "independent shops", "Victorian railway station", "old coaching inns", "canal towpath",
             "recreation ground", "community orchard", "sailing lake", "golf course", "nature reserve",
             "lido", "walled garden", "water meadows", "chalk downland", "market square",
             "almshouse courtyard")
_RIVERS = ("Mole", "Wey", "Thames", "Ember", "Hogsmill", "Bourne", "Tillingbourne", "Blackwater", "Eden",
           "Arun", "Rythe", "Dead River", "Pipp Brook", "Addle Bourne")
_ROUTES = ("footpath", "bridleway", "towpath", "cycle route", "greenway", "old drovers' road")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")

_AREA_SENTENCES = (
    "{name} grew up around {landmark} on {street}, and most visitors still arrive along the {road} from "
    "{other}.",
    "The {bus} bus stops outside {landmark} every {every} minutes on weekdays and runs less often on "
    "Sundays.",
    "If you drive, the car park behind {surname}'s {shop} on {street} has space for {spaces} cars; bays on "
    "{street2} allow parking for up to {hours} hours.",
    "Local people know {name} for its {feature}, its {feature2} and the {event} held each {month}.",
    "From {name}, the drive to our clinic goes past {landmark2} and takes about {drive} minutes outside "
    "the rush hour.",
    "Cyclists can follow the {route} beside the River {river}, which meets {street} a little {side} of "
    "{landmark}.",
    "{surname}'s {shop} and {surname2}'s {shop2} face each other across {street}, next to {landmark2}.",
    "On {weekday} mornings {name}'s {event} fills {street2} with stalls selling bread, cheese and plants.",
    "The {route} from {name} to {other} crosses the River {river} by the {adj} footbridge built in {year}.",
    "{landmark_cap} dates from {year} and now houses the {shop} run by the {surname} family.",
    "Buses numbered {bus} and {bus2} link {name} with {other} and {other2}, calling at {street2} on the "
    "way.",
    "Friends meeting up in {name} often choose the {shop} on {street}, which opens at {opens} most days.",
    "The lane from {street} climbs to {feature3}, where there are views over {other} on a clear day.",
    "{name}'s {event2} began in {year} and still closes {street2} to traffic for one {weekday} in {month2}.",
)

_REGIONS = ("Jawline", "Cheek", "Chin", "Lip", "Temple", "Brow", "Neck", "Hand", "Decolletage", "Forehead",
            "Under-Eye", "Smile Line")
_KINDS = ("Skin Peel", "Microneedling", "Skin Booster", "Hydrating Facial", "LED Light Session",
          "Dermaplaning", "Filler", "Mesotherapy", "Enzyme Facial", "Micro-Infusion", "Oxygen Facial",
          "Polynucleotide Session")
_INJECTABLE = ("Skin Booster", "Filler", "Mesotherapy", "Micro-Infusion", "Polynucleotide Session")
_ADJ = ("lightweight", "cross-linked", "buffered", "plant-derived", "low-strength", "fragrance-free",
        "single-use", "pH-balanced", "cooling", "water-based", "layered", "medium-depth", "superficial",
        "fine-textured")
_SUBSTANCES = ("hyaluronic acid", "lactic acid", "glycolic acid", "mandelic acid", "vitamin C", "niacinamide",
               "peptide", "amino acid", "ceramide", "polynucleotide", "azelaic acid", "salicylic acid")
_FORMS = ("gel", "serum", "solution", "mask", "cream", "mist", "balm")
_TOOLS = ("a fine needle", "a blunt-tipped cannula", "a pen-shaped device", "a sterile blade", "a soft brush",
          "a handheld lamp", "a cotton applicator", "a roller with short needles", "an airbrush nozzle")
_CONCERNS = ("uneven texture", "dullness", "dryness", "fine lines", "loss of volume", "enlarged pores",
             "uneven tone", "rough patches", "a tired look", "thin skin", "flat contours", "creasing")

_TREATMENT_SENTENCES = (
    "{Name} uses a {adj} {substance} {form} applied to the {region} with {tool}.",
    "It is for adults aged 18 and over who are bothered by {concern} or {concern2} on the {region}.",
    "A session takes about {minutes} minutes, and most people book a course of {sessions} visits spaced "
    "{weeks} weeks apart.",
    "Before the first session your practitioner asks about your medical history, looks at the {region} in "
    "daylight and explains what {name} can and cannot change.",
    "The {substance} {form} is chosen for your skin at the consultation, and the strength is adjusted from "
    "one visit to the next.",
    "Many clients pair {name} with {other} when they also want to look at {concern3}, but the two are "
    "planned separately.",
    "The {region} is cleansed first, then {tool2} is used in small sections so the practitioner can check "
    "how your skin responds.",
    "Changes build gradually over {weeks2} weeks, and a review is booked after the last session of the "
    "course.",
    "People with active cold sores, broken skin or an infection on the {region} are asked to wait until it "
    "has healed.",
    "The price depends on the size of the {region} and the number of sessions, and is agreed at the "
    "consultation.",
    "Your practitioner photographs the {region} with your consent so that you can compare it at the review "
    "in week {weeks3}.",
    "Sun protection of SPF {spf} is advised for {days} days afterwards, because the {region} can be more "
    "sensitive to light.",
)
_QUESTIONS = (
    ("How many sessions of {name_l} will I need?",
     "Most people book {sessions} sessions about {weeks} weeks apart. Your practitioner suggests a number "
     "at the consultation and reviews it as you go."),
    ("Does {name_l} hurt?",
     "Most people feel warmth or pressure on the {region} rather than pain. {tool_cap} is used gently, "
     "and the practitioner checks how you feel throughout."),
    ("What should I avoid after {name_l}?",
     "Avoid make-up, saunas and hard exercise for {days} days, and use sun protection of SPF {spf} on the "
     "{region}."),
    ("How long does an appointment for {name_l} take?",
     "Allow about {minutes} minutes, plus time before the first session for a consultation about your "
     "medical history."),
    ("Can I have {name_l} before an event?",
     "Leave at least {days} days between a session and any big occasion, because the {region} may look "
     "pink or feel tender for a short time."),
)
_TREATMENT_HEADINGS = ("What is {name_l}?", "Who might consider {name_l}?", "How {name_l} is planned",
                       "What {name_l} involves", "Choosing {name_l}")
_EXPECT = (
    "You will sit in a reclining chair while the {region} is cleansed and, if needed, a numbing cream is "
    "applied for {numb} minutes.",
    "The practitioner works across the {region} in sections with {tool}, checking your comfort as they go.",
    "At the end a {adj} {form} is applied and you are shown the {region} in a mirror before you leave.",
)
_AFTERCARE = (
    "Keep the {region} clean and dry for {days} days, and avoid make-up until the next morning.",
    "Use a plain moisturiser and SPF {spf} sun protection, and avoid saunas and swimming pools for {days} "
    "days.",
    "Call the clinic if the {region} becomes increasingly sore, hot or swollen.",
)
_DOWNTIME = (
    "Most people see some redness on the {region} for {days} days.",
    "You can usually go back to work the next day, although the skin may feel tight.",
)
_RISKS = (
    "Redness, swelling and tenderness on the {region} are common and usually settle within {days} days.",
    "Less often the skin becomes dry, flaky or darker in small patches.",
    "Infection and allergic reactions are uncommon, and we go through every risk with you at the "
    "consultation.",
)


@dataclass
class SynthData:
    """The three data files of a synthetic project, as plain YAML-ready data."""

    site: dict[str, Any]
    treatments: dict[str, Any]   # {"treatments": [...]}
    locations: dict[str, Any]    # {"attribution": ..., "locations": [...]}

    def files(self) -> dict[str, Any]:
        return {"site.yaml": self.site, "treatments.yaml": self.treatments, "locations.yaml": self.locations}


def _load_repo_site(repo: Path) -> dict[str, Any]:
    """The repository's own site.yaml, `!placeholder` values read as plain strings."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node))
    return yaml.load((repo / "site.yaml").read_text("utf-8"), Loader=Loader)


def area_names(count: int, rng: random.Random) -> list[str]:
    """`count` distinct place names such as "Upper Ashford"."""
    pool = [q + p + s for q in _QUALIFIERS for p in _PREFIXES for s in _SUFFIXES]
    if count > len(pool):
        raise ValueError(f"at most {len(pool)} areas can be named, asked for {count}")
    rng.shuffle(pool)
    return pool[:count]


def treatment_names(count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` distinct (region, kind) pairs such as ("Cheek", "Skin Peel")."""
    pool = [(r, k) for r in _REGIONS for k in _KINDS]
    if count > len(pool):
        raise ValueError(f"at most {len(pool)} treatments can be named, asked for {count}")
    rng.shuffle(pool)
    return pool[:count]


def grid_points(count: int) -> list[tuple[float, float]]:
    """`count` points on a square grid around the premises, nearest first: (lat, lon)."""
    side = math.ceil(math.sqrt(count)) | 1
    half = side // 2
    span = range(-half, half + 1)
    cells = sorted(((dy, dx) for dy in span for dx in span if (dy, dx) != (0, 0)),
                   key=lambda c: (c[0] ** 2 + c[1] ** 2, c))
    dlat = GRID_KM / 111.2
    dlon = GRID_KM / (111.2 * math.cos(math.radians(PREMISES_LAT)))
    return [(round(PREMISES_LAT + dy * dlat, 5), round(PREMISES_LON + dx * dlon, 5))
            for dy, dx in cells[:count]]


def _street(rng: random.Random) -> str:
    return f"{rng.choice(_STREET_WORDS)} {rng.choice(_STREET_TYPES)}"


def _landmark(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return f"the church of St {rng.choice(_SAINTS)}"
    if kind == 1:
        return f"the {rng.choice(_BUILDING_ADJ)} {rng.choice(_BUILDINGS)}"
    return f"{rng.choice(_SURNAMES)}'s {rng.choice(_SHOPS)}"


def area_notes(name: str, others: list[str], rng: random.Random, sentences: int = 11) -> str:
    """A few paragraphs of local notes for one area, different for every area."""
    picked = rng.sample(_AREA_SENTENCES, sentences)
    lines = []
    for template in picked:
        landmark = _landmark(rng)
        values = {
            "name": name, "landmark": landmark, "landmark_cap": landmark[0].upper() + landmark[1:],
            "landmark2": _landmark(rng), "street": _street(rng), "street2": _street(rng),
            "road": f"A{rng.randrange(20, 3400)}", "other": rng.choice(others), "other2": rng.choice(others),
            "bus": rng.randrange(1, 999), "bus2": rng.randrange(1, 999),
            "every": rng.choice((10, 12, 15, 20, 30)),
            "surname": rng.choice(_SURNAMES), "surname2": rng.choice(_SURNAMES), "shop": rng.choice(_SHOPS),
            "shop2": rng.choice(_SHOPS), "spaces": rng.randrange(12, 240), "hours": rng.randrange(2, 5),
            "feature": rng.choice(_FEATURES), "feature2": rng.choice(_FEATURES),
            "feature3": "the " + rng.choice(_FEATURES), "event": rng.choice(_EVENTS),
            "event2": rng.choice(_EVENTS),
            "month": rng.choice(_MONTHS), "month2": rng.choice(_MONTHS), "drive": rng.randrange(6, 45),
            "route": rng.choice(_ROUTES), "river": rng.choice(_RIVERS), "side": rng.choice(("north", "south",
                                                                                             "east", "west")),
            "weekday": rng.choice(_WEEKDAYS), "adj": rng.choice(_BUILDING_ADJ),
            "year": rng.randrange(1180, 1990),
            "opens": f"{rng.randrange(7, 10)}:{rng.choice(('00', '15', '30', '45'))}",
        }
        lines.append(template.format(**values))
    cut = len(lines) // 2
    return " ".join(lines[:cut]) + "\n\n" + " ".join(lines[cut:])


def _treatment_values(name: str, region: str, others: list[str], rng: random.Random) -> dict[str, Any]:
    tool = rng.choice(_TOOLS)
    return {
        "Name": name, "name": name.lower(), "name_l": name.lower(), "region": region.lower(),
        "adj": rng.choice(_ADJ), "substance": rng.choice(_SUBSTANCES), "form": rng.choice(_FORMS),
        "tool": tool, "tool_cap": tool[0].upper() + tool[1:], "tool2": rng.choice(_TOOLS),
        "concern": rng.choice(_CONCERNS), "concern2": rng.choice(_CONCERNS),
        "concern3": rng.choice(_CONCERNS),
        "minutes": rng.choice((20, 30, 40, 45, 60, 75)), "sessions": rng.randrange(2, 7),
        "weeks": rng.randrange(2, 7), "weeks2": rng.randrange(4, 13), "weeks3": rng.randrange(6, 14),
        "other": rng.choice(others).lower(), "spf": rng.choice((30, 50)), "days": rng.randrange(2, 8),
        "numb": rng.choice((10, 15, 20, 30)),
    }


def make_treatment(region: str, kind: str, others: list[str], related: list[str], disclaimers: list[str],
                   rng: random.Random) -> dict[str, Any]:
    name = f"{region} {kind}"
    v = _treatment_values(name, region, others, rng)

    def text(pool: tuple[str, ...], n: int) -> str:
        return " ".join(s.format(**v) for s in rng.sample(pool, n))

    first = " ".join(s.format(**v) for s in _TREATMENT_SENTENCES[:2])
    summary = first + " " + text(_TREATMENT_SENTENCES[2:], 7)
    headings = rng.sample(_TREATMENT_HEADINGS, 2)
    record: dict[str, Any] = {
        "slug": name.lower().replace(" ", "-"),
        "name": name,
        "summary": summary,
        "description": [{"heading": h.format(**v)[0].upper() + h.format(**v)[1:],
                         "text": text(_TREATMENT_SENTENCES, 4) + "\n\n" + text(_TREATMENT_SENTENCES, 3)}
                        for h in headings] + [{"heading": f"Notes on {name.lower()}",   # its own words: the
                                               "text": pair_note(rng, 160)}],          # guide is no doorway
        "what_to_expect": text(_EXPECT, 3),
        "aftercare": text(_AFTERCARE, 3),
        "downtime": text(_DOWNTIME, 2),
        "risks": text(_RISKS, 3),
        "minimum_age": 18,
        "price_from": rng.randrange(8, 60) * 5,
        "faqs": [{"question": q.format(**v), "answer": a.format(**v)} for q, a in rng.sample(_QUESTIONS, 3)],
        "disclaimers": disclaimers,
        "related": related,
    }
    return record


def pair_note(rng: random.Random, words: int = 45) -> str:
    """Text written for one treatment in one area, different for every pair: words drawn at random from the local
    vocabulary above (a benchmark needs text of its own on each page, not sense)."""
    drawn = [rng.choice(_PAIR_WORDS) for _ in range(words)]
    sentences = [" ".join(drawn[i:i + 9]) for i in range(0, words, 9)]
    return " ".join(s[0].upper() + s[1:] + "." for s in sentences)


_PAIR_WORDS = tuple(sorted({w.lower() for phrase in (_STREET_WORDS + _BUILDINGS + _SHOPS + _FEATURES + _EVENTS
                                                     + _SURNAMES + _ROUTES + _MONTHS + _WEEKDAYS)
                            for w in phrase.replace("'", " ").split() if w.isalpha() and len(w) > 2}))


def synth_data(treatments: int, areas: int, seed: int = 1, repo: Path = REPO, pair_notes: float = 0.0) -> SynthData:
    """The data of a project with `treatments` x `areas` landing pages; `pair_notes`: the share of them with text
    written for their treatment in their area (locations.yaml `landing_pages`; needs a clinic-pages that reads it),
    which earns a landing page its place in search results."""
    if treatments < 1 or areas < 1:
        raise ValueError("a project needs at least one treatment and one area")
    rng = random.Random(seed)
    real = _load_repo_site(repo)
    names = area_names(areas, rng)
    points = grid_points(areas)
    pairs = treatment_names(treatments, rng)
    t_names = [f"{r} {k}" for r, k in pairs]
    t_slugs = [n.lower().replace(" ", "-") for n in t_names]

    disclaimer_ids = sorted(real["disclaimers"])
    required = list(real.get("required_disclaimers") or [])
    locations = []
    for i, (name, (lat, lon)) in enumerate(zip(names, points, strict=True)):
        others = [n for n in rng.sample(names, min(len(names), 4)) if n != name] or ["the town centre"]
        record: dict[str, Any] = {"name": name, "slug": name.lower().replace(" ", "-"), "lat": lat,
                                  "lon": lon, "county": "Surrey"}
        if i % 3 != 2:
            record["nearest_station"] = f"{name} {rng.choice(('Halt', 'Junction', 'Parkway', 'Road'))}"
        record["notes"] = area_notes(name, others, rng)
        locations.append(record)
    if pair_notes > 0:
        notes_rng = random.Random(seed + 1)   # the rest of the site is the same with or without them
        for record in locations:
            chosen = [slug for slug in t_slugs if notes_rng.random() < pair_notes]
            if chosen:
                # named after its place: text that names no place is not written for one (plan.written_units)
                record["landing_pages"] = {slug: {"note": f"{record['name']}: {pair_note(notes_rng)}"}
                                           for slug in chosen}

    treatment_records = []
    for i, (region, kind) in enumerate(pairs):
        extra = "risks-injectables" if kind in _INJECTABLE else "risks-skin"
        own = required + [d for d in (extra,) if d in disclaimer_ids and d not in required]
        related = [t_slugs[(i + k) % treatments] for k in (1, 2) if treatments > k]
        others = [n for n in t_names if n != t_names[i]] or ["a skin consultation"]
        treatment_records.append(make_treatment(region, kind, others, sorted(set(related)), own, rng))

    farthest = max(distance_km(PREMISES_LAT, PREMISES_LON, lat, lon) for lat, lon in points)
    site = {
        "name": "Benchmark Skin Clinic",
        "base_url": "https://bench.example",
        "language": "en-GB",
        "service_radius_km": min(200, max(10, math.ceil(farthest) + 5)),
        "premises": [{
            "id": "main",
            "name": "Benchmark Skin Clinic, West Molesey",
            "address": {"street": "1 Example Road", "locality": "West Molesey", "region": "Surrey",
                        "postcode": "KT8 2AA", "country": "GB"},
            "lat": PREMISES_LAT, "lon": PREMISES_LON,
            "phone": "020 7946 0000",
            "opening_hours": [{"days": ["Mo", "Tu", "We", "Th", "Fr"], "opens": "09:00", "closes": "18:00"},
                              {"days": ["Sa"], "opens": "10:00", "closes": "16:00"}],
            "parking": "There are four parking spaces behind the clinic, and more on the road outside.",
        }],
        "practitioners": [{"name": "Alex Example", "profession": "Registered nurse prescriber",
                           "register": "NMC", "registration_number": "00A0000A"}],
        "disclaimers": real["disclaimers"],
        "required_disclaimers": required,
        "titles": real["titles"],
        "descriptions": real["descriptions"],
    }
    if real.get("checks"):
        site["checks"] = real["checks"]
    attribution = "Place names and coordinates: synthetic, made for the benchmark"
    return SynthData(site=site, treatments={"treatments": treatment_records},
                     locations={"attribution": attribution, "locations": locations})


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _str)


def dump_yaml(data: Any) -> str:
    """YAML as a person would write it: block style, paragraphs as `|` blocks, one long line per value."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)


def write_data(data: SynthData, dest: Path, only: tuple[str, ...] | None = None) -> None:
    """Write the data files (or only the named ones) into `dest`."""
    for name, content in data.files().items():
        if only is None or name in only:
            (dest / name).write_text(dump_yaml(content), "utf-8")


def write_project(data: SynthData, dest: Path | str, repo: Path = REPO) -> Path:
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    write_data(data, dest)
    if (dest / "templates").exists():
        shutil.rmtree(dest / "templates")
    shutil.copytree(repo / "templates", dest / "templates")
    return dest


def make_project(dest: Path | str, treatments: int = 40, areas: int = 250, seed: int = 1,
                 repo: Path = REPO, pair_notes: float = 0.0) -> Path:
    """Write a synthetic project of `treatments` x `areas` landing pages into `dest`; return its path."""
    return write_project(synth_data(treatments, areas, seed, repo, pair_notes), dest, repo)


# -- edits the benchmark makes between rebuilds -------------------------------------------------------------

def edit_treatment(data: SynthData, index: int, mark: int) -> str:
    """Change one treatment's summary (same number of lines); return the file that changed."""
    record = data.treatments["treatments"][index % len(data.treatments["treatments"])]
    record["summary"] = record["summary"].split(" Reviewed in round ")[0] + f" Reviewed in round {mark}."
    return "treatments.yaml"


def edit_location(data: SynthData, index: int, mark: int) -> str:
    """Change one area's notes (same number of lines); return the file that changed."""
    record = data.locations["locations"][index % len(data.locations["locations"])]
    record["notes"] = record["notes"].split(" The notes were checked in round ")[0] + \
        f" The notes were checked in round {mark}."
    return "locations.yaml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic clinic-pages project of T x L landing "
                                     "pages.")
    parser.add_argument("dest", type=Path, help="folder to write (created if missing)")
    parser.add_argument("-t", "--treatments", type=int, default=40, help="number of treatments (default 40)")
    parser.add_argument("-l", "--areas", type=int, default=250, help="number of areas (default 250)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pair-notes", type=float, default=0.0, metavar="SHARE",
                        help="share of landing pages with text written for them (0 to 1; default 0: none, so every "
                             "landing page is held back)")
    args = parser.parse_args(argv)
    try:
        path = make_project(args.dest, args.treatments, args.areas, args.seed, pair_notes=args.pair_notes)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"Wrote {args.treatments} treatments x {args.areas} areas = {args.treatments * args.areas} landing "
          f"pages to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
