"""Validated records: the site, its treatments and its locations, checked against each other."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.data import Document, Placeholder, format_path, load_document
from generator.errors import DataError, Problem
from generator.schema import (
    Boolean,
    Choice,
    Field,
    ListOf,
    MapOf,
    Number,
    Obj,
    Text,
    custom,
    describe,
    validate,
)
from generator.slugs import SLUG_RE, slugify

SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE = "site.yaml", "treatments.yaml", "locations.yaml"

# Top-level folders the site itself uses; a treatment slug may not take them.
RESERVED_SLUGS = frozenset({"areas", "assets", "sitemap", "robots", "404", "index"})


def _suggest_slug(value: str) -> str:
    fixed = slugify(value)
    return f"write it as `{fixed}`" if fixed else "use lower-case letters a-z, digits and hyphens only"


_slug = Text(pattern=SLUG_RE, pattern_hint="a slug of lower-case letters, digits and single hyphens "
             "(such as `jaw-fillers`)", single_line=True, suggest=_suggest_slug)
_LAT_HINT = ("latitude is degrees north of the equator (about 51.3 in Surrey); "
             "check that lat and lon are not swapped")
_LON_HINT = "longitude is degrees east of Greenwich (about -0.4 in Surrey, west is negative)"
_line = Text(single_line=True)
_para = Text()
_time = Text(pattern=re.compile(r"^([01]\d|2[0-3]):[0-5]\d$"), pattern_hint="a time such as \"09:00\" (quoted)")
_DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
_REGISTERS = ("GMC", "NMC", "GDC", "GPhC", "HCPC", "JCCP", "Save Face")

# `checks:` in site.yaml. Rule ids are `family.name`; the families are the check engine's modules.
CHECK_FAMILIES = ("duplicates", "claims", "disclaimers", "leaks", "consistency", "seo")
CHECK_POLICIES = ("fail", "warn", "demote")


def _check_rule_key(value: Any, path: tuple):
    if not isinstance(value, str) or not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)?$", value):
        yield path, f"expected a rule id such as `claims.hype` or a family such as `claims`, found {describe(value)}", ""
        return
    family = value.split(".")[0]
    if family not in CHECK_FAMILIES:
        import difflib
        close = difflib.get_close_matches(family, CHECK_FAMILIES, n=1, cutoff=0.6)
        hint = f"did you mean `{value.replace(family, close[0], 1)}`?" if close else \
            f"families: {', '.join(CHECK_FAMILIES)}"
        yield path, f"unknown check family `{family}`", hint


SITE_SCHEMA = Obj({
    "name": Field(_line, doc="the clinic's name as patients know it"),
    "base_url": Field(Text(pattern=re.compile(r"^https?://[^/\s]+$"), single_line=True, placeholder_ok=True,
                           pattern_hint="an absolute address with no path, such as \"https://www.clinic.co.uk\""),
                      doc="the live site's address"),
    "language": Field(Text(pattern=re.compile(r"^[a-z]{2}(-[A-Z]{2})?$"), pattern_hint="a language tag such "
                           "as en-GB"), required=False),
    "service_radius_km": Field(Number(minimum=1, maximum=200), doc="how far from the premises pages are made"),
    "premises": Field(ListOf(Obj({
        "id": Field(_slug),
        "name": Field(_line),
        "address": Field(Obj({
            "street": Field(Text(placeholder_ok=True, single_line=True)),
            "locality": Field(_line),
            "region": Field(_line),
            "postcode": Field(Text(placeholder_ok=True, single_line=True)),
            "country": Field(Text(pattern=re.compile(r"^[A-Z]{2}$"), pattern_hint="a two-letter code such as GB")),
        })),
        "lat": Field(Number(minimum=-90, maximum=90, hint=_LAT_HINT)),
        "lon": Field(Number(minimum=-180, maximum=180, hint=_LON_HINT)),
        "phone": Field(Text(placeholder_ok=True, single_line=True)),
        "email": Field(Text(placeholder_ok=True, single_line=True), required=False),
        "opening_hours": Field(ListOf(Obj({
            "days": Field(ListOf(Choice(options=_DAYS), min_items=1, unique=True)),
            "opens": Field(_time),
            "closes": Field(_time),
        })), required=False),
        "parking": Field(_para, required=False),
        "treatments": Field(ListOf(_slug, min_items=1, unique=True), required=False,
                            doc="slugs of the treatments offered here; all when absent"),
    }), min_items=1)),
    "practitioners": Field(ListOf(Obj({
        "name": Field(Text(placeholder_ok=True, single_line=True)),
        "profession": Field(_line),
        "register": Field(Choice(options=_REGISTERS)),
        "registration_number": Field(Text(placeholder_ok=True, single_line=True)),
    }), min_items=1)),
    "disclaimers": Field(MapOf(key=_slug, value=_para, min_items=1)),
    "required_disclaimers": Field(ListOf(_slug, unique=True), required=False,
                                  doc="disclaimer ids shown on every page"),
    "titles": Field(Obj({k: Field(_line) for k in ("home", "treatment", "area", "landing")})),
    "descriptions": Field(Obj({k: Field(_line) for k in ("home", "treatment", "area", "landing")})),
    "checks": Field(Obj({
        "duplicates": Field(Obj({
            "near_threshold": Field(Number(minimum=0.5, maximum=1), required=False,
                                    doc="Jaccard similarity at which two pages are near duplicates (0.90)"),
            "boilerplate_share": Field(Number(minimum=0.1, maximum=1), required=False,
                                       doc="share of pages a shingle must be on to count as boilerplate (0.5)"),
            "min_unique_share": Field(Number(minimum=0, maximum=1), required=False,
                                      doc="below this share of text of its own a page is thin (0.05)"),
            "min_unique_words": Field(Number(minimum=0, integer=True), required=False,
                                      doc="below this many words of its own a page is thin (30)"),
        }), required=False),
        "policies": Field(MapOf(key=custom(_check_rule_key), value=Choice(options=CHECK_POLICIES)), required=False,
                          doc="rule or family -> fail, warn or demote"),
        "rules": Field(ListOf(_line, unique=True), required=False,
                       doc="extra claims rule files, relative to the project folder"),
        "default_rules": Field(Boolean(), required=False, doc="use the built-in UK rule set (true)"),
        "waivers": Field(ListOf(Obj({
            "page": Field(Text(pattern=re.compile(r"^/\S*$"), single_line=True,
                               pattern_hint="the page's URL path, such as /lip-fillers/esher/")),
            "rule": Field(_line),
            "reason": Field(_para),
        })), required=False),
    }), required=False),
    "deploy": Field(Obj({
        "targets": Field(MapOf(key=_slug, value=Obj({
            "url": Field(custom(lambda value, path: _check_target_url(value, path)),
                         doc="where the site goes, such as ftps://user@host/public_html"),
        }), min_items=1), doc="named places to publish to, such as staging and live"),
        "default": Field(_slug, required=False, doc="the target `clinic-pages deploy` uses when given none"),
    }), required=False),
})

TREATMENTS_SCHEMA = Obj({
    "treatments": Field(ListOf(Obj({
        "slug": Field(_slug, required=False, doc="made from the name when absent"),
        "name": Field(_line),
        "summary": Field(_para),
        "description": Field(ListOf(Obj({"heading": Field(_line), "text": Field(_para)}), min_items=1)),
        "what_to_expect": Field(_para),
        "aftercare": Field(_para),
        "downtime": Field(_para),
        "risks": Field(_para),
        "minimum_age": Field(Number(minimum=18, maximum=120, integer=True)),
        "price_from": Field(Number(minimum=0), required=False),
        "faqs": Field(ListOf(Obj({"question": Field(_line), "answer": Field(_para)})), required=False),
        "disclaimers": Field(ListOf(_slug, unique=True), required=False),
        "related": Field(ListOf(_slug, unique=True), required=False),
        "waivers": Field(ListOf(Obj({"rule": Field(_line), "reason": Field(_para)})), required=False),
    }), min_items=1)),
})

LOCATIONS_SCHEMA = Obj({
    "attribution": Field(_line, doc="credit for the place data, e.g. GeoNames (CC BY 4.0)"),
    "locations": Field(ListOf(Obj({
        "name": Field(_line),
        "slug": Field(_slug, required=False, doc="made from the name when absent"),
        "lat": Field(Number(minimum=-90, maximum=90, hint=_LAT_HINT)),
        "lon": Field(Number(minimum=-180, maximum=180, hint=_LON_HINT)),
        "county": Field(_line, required=False),
        "nearest_station": Field(_line, required=False),
        "notes": Field(_para, required=False),
        "publish": Field(Boolean(), required=False),
    }), min_items=1)),
})


@dataclass(frozen=True)
class Address:
    street: str
    locality: str
    region: str
    postcode: str
    country: str


@dataclass(frozen=True)
class OpeningHours:
    days: tuple[str, ...]
    opens: str
    closes: str


@dataclass(frozen=True)
class Premises:
    id: str
    name: str
    address: Address
    lat: float
    lon: float
    phone: str
    email: str | None
    opening_hours: tuple[OpeningHours, ...]
    parking: str | None
    treatments: tuple[str, ...] | None  # None: every treatment


@dataclass(frozen=True)
class Practitioner:
    name: str
    profession: str
    register: str
    registration_number: str


@dataclass(frozen=True)
class DeploySettings:
    """site.yaml's `deploy:` section: named target URLs and the one used by default."""

    targets: dict[str, str]
    default: str | None = None


@dataclass(frozen=True)
class SiteWaiver:
    """site.yaml `checks.waivers`: one page excused from one rule, with the reason written down."""

    page: str
    rule: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class CheckSettings:
    """site.yaml's `checks:` section; the defaults protect the clinic."""

    near_threshold: float = 0.90
    boilerplate_share: float = 0.5
    min_unique_share: float = 0.05
    min_unique_words: int = 30
    policies: dict[str, str] = field(default_factory=dict)
    policy_lines: dict[str, int | None] = field(default_factory=dict)
    rules: tuple[str, ...] = ()
    default_rules: bool = True
    waivers: tuple[SiteWaiver, ...] = ()


@dataclass(frozen=True)
class Site:
    name: str
    base_url: str
    language: str
    service_radius_km: float
    premises: tuple[Premises, ...]
    practitioners: tuple[Practitioner, ...]
    disclaimers: dict[str, str]
    required_disclaimers: tuple[str, ...]
    titles: dict[str, str]
    descriptions: dict[str, str]
    checks: CheckSettings
    deploy: DeploySettings


@dataclass(frozen=True)
class Section:
    heading: str
    text: str


@dataclass(frozen=True)
class Faq:
    question: str
    answer: str


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Treatment:
    slug: str
    name: str
    summary: str
    description: tuple[Section, ...]
    what_to_expect: str
    aftercare: str
    downtime: str
    risks: str
    minimum_age: int
    price_from: float | None
    faqs: tuple[Faq, ...]
    disclaimers: tuple[str, ...]
    related: tuple[str, ...]
    waivers: tuple[Waiver, ...]
    line: int | None = None


@dataclass(frozen=True)
class Location:
    slug: str
    name: str
    lat: float
    lon: float
    county: str
    nearest_station: str | None
    notes: str | None
    publish: bool = True
    line: int | None = None


@dataclass(frozen=True)
class Project:
    """Everything the pipeline needs from the data files, validated."""

    root: Path
    site: Site
    treatments: tuple[Treatment, ...]
    locations: tuple[Location, ...]
    attribution: str

    def treatment(self, slug: str) -> Treatment:
        return self._treatments[slug]

    def location(self, slug: str) -> Location:
        return self._locations[slug]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_treatments", {t.slug: t for t in self.treatments})
        object.__setattr__(self, "_locations", {loc.slug: loc for loc in self.locations})

    def placeholders(self) -> list[str]:
        """Dotted paths of every value in site.yaml still marked !placeholder."""
        return sorted(_find_placeholders(_as_plain(self.site), SITE_FILE))


def _find_placeholders(value: Any, path: str) -> list[str]:
    if isinstance(value, Placeholder):
        return [f"{path}: {value}"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _find_placeholders(v, f"{path}.{k}" if path else k)]
    if isinstance(value, (list, tuple)):
        return [p for i, v in enumerate(value) for p in _find_placeholders(v, f"{path}[{i}]")]
    return []


def _as_plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {k: _as_plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if isinstance(value, (list, tuple)):
        return [_as_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _as_plain(v) for k, v in value.items()}
    return value


def load_project(root: Path) -> Project:
    """Load and validate the three data files; raise DataError with every problem found."""
    root = Path(root)
    if not any((root / name).exists() for name in (SITE_FILE, TREATMENTS_FILE, LOCATIONS_FILE)):
        what = "no such folder" if not root.is_dir() else "no site.yaml, treatments.yaml or locations.yaml here"
        raise DataError([Problem(str(root), None, None, "", f"not a clinic-pages project ({what})",
                                 "run the command in the project folder, or pass --project DIR")])
    docs: dict[str, Document] = {}
    problems: list[Problem] = []
    for name, schema in ((SITE_FILE, SITE_SCHEMA), (TREATMENTS_FILE, TREATMENTS_SCHEMA),
                         (LOCATIONS_FILE, LOCATIONS_SCHEMA)):
        doc, found = load_document(root / name, name)
        problems += found
        if doc is not None and not found:
            found = validate(doc, schema)
            problems += found
            if not found:
                docs[name] = doc
    if len(docs) == 3:
        problems += _cross_check(docs)
    if problems:
        raise DataError(problems)
    return _make_project(root, docs)


def _problem(doc: Document, path: tuple, message: str, hint: str = "") -> Problem:
    line, col = doc.where(path)
    return Problem(doc.file, line, col, format_path(path), message, hint)


def _cross_check(docs: dict[str, Document]) -> list[Problem]:
    """Rules that span records and files: unique slugs, known references."""
    site, treatments, locations = docs[SITE_FILE], docs[TREATMENTS_FILE], docs[LOCATIONS_FILE]
    problems: list[Problem] = []
    disclaimer_ids = set(site.data["disclaimers"])

    t_slugs = _unique(treatments, "treatments", problems, "treatment")
    _unique(locations, "locations", problems, "location")
    _unique_ids(site, problems)
    for i, slug in enumerate(t_slugs):
        if slug in RESERVED_SLUGS:
            problems.append(_problem(treatments, ("treatments", i, "slug"),
                                     f"`{slug}` is used by the site itself",
                                     "choose another slug, e.g. `" + slug + "-treatment`"))
    known = set(t_slugs)
    for i, record in enumerate(treatments.data["treatments"]):
        for j, ref in enumerate(record.get("disclaimers") or []):
            if ref not in disclaimer_ids:
                problems.append(_problem(treatments, ("treatments", i, "disclaimers", j),
                                         f"unknown disclaimer `{ref}`", _suggest(ref, disclaimer_ids, SITE_FILE)))
        for j, ref in enumerate(record.get("related") or []):
            if ref not in known:
                problems.append(_problem(treatments, ("treatments", i, "related", j),
                                         f"unknown treatment `{ref}`", _suggest(ref, known, TREATMENTS_FILE)))
            elif ref == t_slugs[i]:
                problems.append(_problem(treatments, ("treatments", i, "related", j),
                                         "a treatment cannot be related to itself", "remove it"))
    for j, ref in enumerate(site.data.get("required_disclaimers") or []):
        if ref not in disclaimer_ids:
            problems.append(_problem(site, ("required_disclaimers", j), f"unknown disclaimer `{ref}`",
                                     _suggest(ref, disclaimer_ids, SITE_FILE)))
    for i, prem in enumerate(site.data["premises"]):
        for j, ref in enumerate(prem.get("treatments") or []):
            if ref not in known:
                problems.append(_problem(site, ("premises", i, "treatments", j), f"unknown treatment `{ref}`",
                                         _suggest(ref, known, TREATMENTS_FILE)))
        for j, hours in enumerate(prem.get("opening_hours") or []):
            if hours["opens"] >= hours["closes"]:
                problems.append(_problem(site, ("premises", i, "opening_hours", j, "closes"),
                                         f"expected a time after {hours['opens']}, found {hours['closes']}"))
    problems += _check_patterns(site)
    problems += _check_deploy(site)
    return problems


_PATTERN_FIELDS = {
    "home": {"clinic", "locality"},
    "treatment": {"clinic", "locality", "treatment"},
    "area": {"clinic", "locality", "area", "county"},
    "landing": {"clinic", "locality", "treatment", "area", "county", "distance", "direction"},
}


def _check_patterns(site: Document) -> list[Problem]:
    problems = []
    for section in ("titles", "descriptions"):
        for kind, pattern in site.data[section].items():
            for name in re.findall(r"\{([^{}]*)\}", pattern):
                if name not in _PATTERN_FIELDS[kind]:
                    allowed = ", ".join("{" + n + "}" for n in sorted(_PATTERN_FIELDS[kind]))
                    problems.append(_problem(site, (section, kind), f"unknown name {{{name}}} in the pattern",
                                             f"use only {allowed}"))
    return problems


def _check_target_url(value: Any, path: tuple):
    from generator.deploy.target import url_problem  # here, not at the top: deploy is the last phase

    problem = url_problem(value) if isinstance(value, str) else (f"expected a URL, found {describe(value)}", "")
    if problem:
        yield path, problem[0], problem[1]


def _check_deploy(site: Document) -> list[Problem]:
    deploy = site.data.get("deploy") or {}
    default, targets = deploy.get("default"), deploy.get("targets") or {}
    if default and default not in targets:
        close = _suggest(default, set(targets), SITE_FILE)
        return [_problem(site, ("deploy", "default"), f"unknown target `{default}`",
                         close if close.startswith("did you mean") else
                         f"name one of: {', '.join(sorted(targets))}")]
    return []


def _check_settings(section: dict | None, doc: Document) -> CheckSettings:
    section = section or {}
    dup = section.get("duplicates") or {}
    defaults = CheckSettings()
    policies = dict(section.get("policies") or {})
    return CheckSettings(
        near_threshold=float(dup.get("near_threshold", defaults.near_threshold)),
        boilerplate_share=float(dup.get("boilerplate_share", defaults.boilerplate_share)),
        min_unique_share=float(dup.get("min_unique_share", defaults.min_unique_share)),
        min_unique_words=int(dup.get("min_unique_words", defaults.min_unique_words)),
        policies=policies, policy_lines={k: doc.where(("checks", "policies", k))[0] for k in policies},
        rules=tuple(section.get("rules") or ()), default_rules=section.get("default_rules", True),
        waivers=tuple(SiteWaiver(w["page"], w["rule"], _text(w["reason"]), doc.where(("checks", "waivers", i))[0])
                      for i, w in enumerate(section.get("waivers") or [])),
    )


def _deploy_settings(section: dict | None) -> DeploySettings:
    section = section or {}
    return DeploySettings(targets={name: t["url"] for name, t in sorted((section.get("targets") or {}).items())},
                          default=section.get("default"))


def _suggest(ref: str, known: set[str], file: str) -> str:
    import difflib
    close = difflib.get_close_matches(ref, sorted(known), n=1, cutoff=0.6)
    return f"did you mean `{close[0]}`?" if close else f"define it in {file} or remove the reference"


def _slug_of(record: dict) -> str:
    return record.get("slug") or slugify(record["name"])


def _unique(doc: Document, key: str, problems: list[Problem], what: str) -> list[str]:
    slugs: list[str] = []
    seen_slug: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    for i, record in enumerate(doc.data[key]):
        slug = _slug_of(record)
        slugs.append(slug)
        if not slug:
            problems.append(_problem(doc, (key, i, "name"), f"cannot make a slug from {describe(record['name'])}",
                                     "add `slug:` with lower-case letters, digits and hyphens"))
        elif slug in seen_slug:
            field = "slug" if "slug" in record else "name"
            first = doc.where((key, seen_slug[slug]))[0]
            problems.append(_problem(doc, (key, i, field), f"duplicate {what} slug `{slug}` (first used at line "
                                     f"{first})", "give each one a different slug"))
        else:
            seen_slug[slug] = i
        name = record["name"].strip().casefold()
        if name in seen_name:
            first = doc.where((key, seen_name[name]))[0]
            problems.append(_problem(doc, (key, i, "name"), f"duplicate {what} name {record['name']!r} (first used "
                                     f"at line {first})", "give each one a different name"))
        else:
            seen_name[name] = i
    return slugs


def _unique_ids(site: Document, problems: list[Problem]) -> None:
    seen: set[str] = set()
    for i, prem in enumerate(site.data["premises"]):
        if prem["id"] in seen:
            problems.append(_problem(site, ("premises", i, "id"), f"duplicate premises id `{prem['id']}`",
                                     "give each premises its own id"))
        seen.add(prem["id"])


def _text(value: str) -> str:
    """Normalise a text field: strip, and keep paragraph breaks as single blank lines."""
    if isinstance(value, Placeholder):
        return value
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value.strip())]
    return "\n\n".join(p for p in paragraphs if p)


def _make_project(root: Path, docs: dict[str, Document]) -> Project:
    s = docs[SITE_FILE].data
    premises = tuple(
        Premises(
            id=p["id"], name=_text(p["name"]),
            address=Address(**{k: _text(v) for k, v in p["address"].items()}),
            lat=float(p["lat"]), lon=float(p["lon"]), phone=_text(p["phone"]),
            email=_text(p["email"]) if p.get("email") else None,
            opening_hours=tuple(OpeningHours(tuple(h["days"]), h["opens"], h["closes"])
                                for h in p.get("opening_hours") or []),
            parking=_text(p["parking"]) if p.get("parking") else None,
            treatments=tuple(p["treatments"]) if p.get("treatments") else None,
        )
        for p in s["premises"]
    )
    site = Site(
        name=_text(s["name"]), base_url=str(s["base_url"]).rstrip("/") if not isinstance(s["base_url"], Placeholder)
        else Placeholder(s["base_url"].rstrip("/")),
        language=s.get("language") or "en-GB", service_radius_km=float(s["service_radius_km"]),
        premises=premises,
        practitioners=tuple(Practitioner(**{k: _text(v) for k, v in p.items()}) for p in s["practitioners"]),
        disclaimers={k: _text(v) for k, v in sorted(s["disclaimers"].items())},
        required_disclaimers=tuple(s.get("required_disclaimers") or ()),
        titles=dict(s["titles"]), descriptions=dict(s["descriptions"]),
        checks=_check_settings(s.get("checks"), docs[SITE_FILE]), deploy=_deploy_settings(s.get("deploy")),
    )
    tdoc = docs[TREATMENTS_FILE]
    treatments = tuple(
        Treatment(
            slug=_slug_of(t), name=_text(t["name"]), summary=_text(t["summary"]),
            description=tuple(Section(_text(d["heading"]), _text(d["text"])) for d in t["description"]),
            what_to_expect=_text(t["what_to_expect"]), aftercare=_text(t["aftercare"]),
            downtime=_text(t["downtime"]), risks=_text(t["risks"]), minimum_age=t["minimum_age"],
            price_from=t.get("price_from"),
            faqs=tuple(Faq(_text(f["question"]), _text(f["answer"])) for f in t.get("faqs") or []),
            disclaimers=tuple(t.get("disclaimers") or ()), related=tuple(t.get("related") or ()),
            waivers=tuple(Waiver(w["rule"], _text(w["reason"]), tdoc.where(("treatments", i, "waivers", j))[0])
                          for j, w in enumerate(t.get("waivers") or [])),
            line=tdoc.where(("treatments", i))[0],
        )
        for i, t in enumerate(tdoc.data["treatments"])
    )
    ldoc = docs[LOCATIONS_FILE]
    locations = tuple(
        Location(
            slug=_slug_of(loc), name=_text(loc["name"]), lat=float(loc["lat"]), lon=float(loc["lon"]),
            county=_text(loc.get("county") or "Surrey"),
            nearest_station=_text(loc["nearest_station"]) if loc.get("nearest_station") else None,
            notes=_text(loc["notes"]) if loc.get("notes") else None,
            publish=loc.get("publish", True), line=ldoc.where(("locations", i))[0],
        )
        for i, loc in enumerate(ldoc.data["locations"])
    )
    return Project(root=root, site=site, treatments=treatments, locations=locations,
                   attribution=_text(ldoc.data["attribution"]))
