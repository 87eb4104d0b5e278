"""The records: what the site, a premises, a practitioner, a treatment and a location are, and the `Project` that
holds them. Declarations only: reading the files into them and checking them against each other is `validate`'s.

Every field of the three data files is declared once, below, as a `declare(...)` in a `@record` class: its rule,
whether it is required, its default, its help text and an example. The record class, the validation, the
defaults, the construction of records from the YAML and the tables of docs/data.md all come from that one
declaration (see "How to add a field" in docs/how-it-works.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from generator.data import LOCATIONS_FILE, SITE_FILE, TREATMENTS_FILE, Placeholder
from generator.images import ImageInfo
from generator.language import ARTICLES, DAYS, derive_article, derive_plural, indefinite_article, plain_words
from generator.paths import relative_problem, shown
from generator.registers import REGISTERS
from generator.schema import (
    Boolean,
    Choice,
    ListOf,
    MapOf,
    Number,
    Obj,
    Text,
    custom,
    declare,
    describe,
    normalise_text,
    record,
    schema_of,
)
from generator.slugs import SLUG_RE, slugify
from generator.target_url import url_problem
from generator.text import did_you_mean

# Top-level folders the site itself uses; a treatment slug may not take them.
RESERVED_SLUGS = ("areas", "assets", "sitemap", "robots", "404", "index")
_RESERVED_TEXT = ", ".join(f"`{s}`" for s in RESERVED_SLUGS[:-1]) + f" or `{RESERVED_SLUGS[-1]}`"


class PageKind(StrEnum):
    """The kinds of page a site has. The values are what templates, reports and site.yaml's `titles:` use."""

    HOME = "home"
    AREAS = "areas"
    TREATMENT = "treatment"
    AREA = "area"
    LANDING = "landing"
    NOT_FOUND = "not-found"


# What each kind of page is called, for people; the kinds with one page each take "the", the others "a" or "an".
KIND_NAMES: dict[PageKind, str] = {
    PageKind.HOME: "home page", PageKind.AREAS: "list of areas", PageKind.TREATMENT: "treatment hub",
    PageKind.AREA: "area hub", PageKind.LANDING: "landing page", PageKind.NOT_FOUND: "404 page"}
SINGLE_KINDS = (PageKind.HOME, PageKind.AREAS, PageKind.NOT_FOUND)


def kind_name(kind: PageKind) -> str:
    """"the home page", "a treatment hub", "an area hub"."""
    name = KIND_NAMES[kind]
    return f"{'the' if kind in SINGLE_KINDS else indefinite_article(name)} {name}"


# The kinds with a title and description pattern in site.yaml, and the {names} each pattern may use.
PATTERN_NAMES: dict[PageKind, tuple[str, ...]] = {
    PageKind.HOME: ("clinic", "locality"),
    PageKind.TREATMENT: ("clinic", "locality", "treatment"),
    PageKind.AREA: ("clinic", "locality", "area", "county"),
    PageKind.LANDING: ("clinic", "locality", "treatment", "area", "county", "distance", "direction"),
}


def _suggest_slug(value: str) -> str:
    fixed = slugify(value)
    return f"write it as `{fixed}`" if fixed else "use lower-case letters a-z, digits and hyphens only"


MAX_SLUG = 100   # a slug is a folder name: far under the 255 bytes a file system allows, and a readable URL
_slug = Text(pattern=SLUG_RE, pattern_hint="a slug of lower-case letters, digits and single hyphens "
             "(such as `jaw-fillers`)", single_line=True, suggest=_suggest_slug, kind="slug", max_len=MAX_SLUG)
_LAT_HINT = ("latitude is degrees north of the equator (about 51.3 in Surrey); "
             "check that lat and lon are not swapped")
_LON_HINT = "longitude is degrees east of Greenwich (about -0.4 in Surrey, west is negative)"
_line = Text(single_line=True)
_para = Text()
_maybe_line = Text(placeholder_ok=True, single_line=True)
_time = Text(pattern=re.compile(r"^([01]\d|2[0-3]):[0-5]\d$"), pattern_hint="a time such as \"09:00\" (quoted)",
             kind='time `"HH:MM"`, quoted')
_lat = Number(minimum=-90, maximum=90, hint=_LAT_HINT)
_lon = Number(minimum=-180, maximum=180, hint=_LON_HINT)
_REGISTERS = tuple(REGISTERS)
_phone = Text(pattern=re.compile(r"^\+?[0-9][0-9 ()-]{5,22}[0-9]$"), single_line=True, placeholder_ok=True,
              pattern_hint="a phone number written alone, such as \"01932 123456\" or \"+44 1932 123456\"",
              kind="phone number, or a placeholder", label_is_text=True)
_email = Text(pattern=re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$"), single_line=True, placeholder_ok=True,
              pattern_hint="an email address such as bookings@clinic.co.uk", kind="email address, or a placeholder",
              label_is_text=True)
_web = Text(pattern=re.compile(r"^https?://[^/\s]+(/\S*)?$"), single_line=True, placeholder_ok=True,
            pattern_hint="a full web address starting with https://", kind="web address, or a placeholder",
            label_is_text=True)
_colour = Text(pattern=re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$"), single_line=True, kind='colour `"#rrggbb"`, quoted',
               pattern_hint="a colour written as # and six hex digits (quoted), such as \"#0b5a8a\"")

# `checks:` in site.yaml. Rule ids are `family.name`; the families are the check engine's modules.
CHECK_FAMILIES = ("duplicates", "claims", "disclaimers", "leaks", "consistency", "seo")
CHECK_POLICIES = ("fail", "warn", "demote", "skip")


def _check_rule_key(value: Any, path: tuple):
    if not isinstance(value, str) or not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)?$", value):
        yield path, (f"expected a rule id such as `claims.hype` or a family such as `claims`, "
                     f"found {describe(value)}"), ""
        return
    family = value.split(".")[0]
    if family not in CHECK_FAMILIES:
        hint = did_you_mean(family, CHECK_FAMILIES, lambda close: value.replace(family, close, 1)) or \
            f"families: {', '.join(CHECK_FAMILIES)}"
        yield path, f"unknown check family `{family}`", hint


def _check_rule_file(value: Any, path: tuple):
    """A rule file is named relative to the project and stays inside it: no file outside is ever read."""
    if not isinstance(value, str):
        yield path, f"expected a file name, found {describe(value)}", ""
        return
    found = list(_line.check(value, path))
    if found:
        yield from found
        return
    problem = relative_problem(value)
    if problem:
        yield path, f"{shown(value)} is not a file inside the project: {problem}", (
            "put the rule file in the project folder and name it relative to it, such as rules/clinic.yaml")


def _check_target_url(value: Any, path: tuple):
    problem = url_problem(value) if isinstance(value, str) else (f"expected a URL, found {describe(value)}", "")
    if problem:
        yield path, problem[0], problem[1]


def _slug_from_name(mapping: dict) -> str:
    return slugify(mapping["name"])


def slug_of(mapping: dict) -> str:
    """The slug of a treatment's or a location's mapping as read: its `slug:`, or the one made from its name."""
    return mapping.get("slug") or _slug_from_name(mapping)


_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"   # one part of a host name: letters (any script), digits, hyphens
BASE_URL = re.compile(rf"^https?://(?:{_LABEL}\.)*{_LABEL}(?::\d{{1,5}})?$")


def _suggest_base_url(value: str) -> str:
    """The hint for a base_url that is not `https://host`: what to take out."""
    if "@" in value:
        return "take out the part up to the @: the address is https:// and the host name only"
    if re.search(r"[\"'<>`\\\s]", value):
        return "take out the quotes, angle brackets, backslashes and spaces"
    if re.match(r"^https?://[^/]+/.", value):
        return "take out the path: the address is https:// and the host name only"
    return "write https:// and the host name only, such as https://www.clinic.co.uk"


def _base_url(value: str) -> str:
    return Placeholder(value.rstrip("/")) if isinstance(value, Placeholder) else str(value).rstrip("/")


def _patterns(help_for: str, examples: dict[PageKind, str]) -> Obj:
    """site.yaml's `titles:` or `descriptions:`: one pattern per kind of page that has one."""
    return Obj({kind.value: declare(_line, help=f"{help_for} {kind_name(kind)}", example=examples[kind],
                                    type_doc="pattern: " + " ".join(f"`{{{n}}}`" for n in names))
                for kind, names in PATTERN_NAMES.items()})



# -- site.yaml -----------------------------------------------------------------------------------------------

@record
class Address:
    street: str = declare(_maybe_line, help="street address; left out of JSON-LD while a placeholder",
                          example="12 High Street")
    locality: str = declare(_line, help="the town; `{locality}` in titles and descriptions", example="West Molesey")
    region: str = declare(_line, help="the county", example="Surrey")
    postcode: str = declare(_maybe_line, help="the postcode; left out of JSON-LD while a placeholder",
                            example="KT8 2AB")
    country: str = declare(Text(pattern=re.compile(r"^[A-Z]{2}$"), pattern_hint="a two-letter code such as GB",
                                kind="two capital letters"), help="ISO country code", example="GB")


@record
class OpeningHours:
    days: tuple[str, ...] = declare(ListOf(Choice(options=DAYS), min_items=1, unique=True),
                                    help="the days these hours apply to", example="[Mo, Tu, We]")
    opens: str = declare(_time, help="opening time", example='"09:00"')
    closes: str = declare(_time, help="closing time", example='"18:00"',
                          type_doc='time `"HH:MM"`, quoted, after `opens`')


@record
class Photo:
    """A picture the pages show: a file under the project's images/ folder, and what it shows. What the build reads
    of the file itself (its size, its digest) is kept in `Project.images`, by `src`."""

    src: str = declare(_line, help="the picture's file, under the project's `images/` folder (JPEG, PNG, WebP or "
                                   "AVIF); made into WebP in several widths when the site is built",
                       example="images/clinic-front.jpg", type_doc="path under `images/`")
    alt: str = declare(_line, help="what the picture shows, for people who cannot see it (required)",
                       example="The clinic's front door on the High Street")


@record
class Premises:
    id: str = declare(_slug, help="a short unique name for the premises", example="west-molesey")
    name: str = declare(_line, help="the premises' name as shown on the pages",
                        example="It's Me and You Clinic, West Molesey")
    address: Address = declare(Address, help="the postal address (the fields below)")
    lat: float = declare(_lat, help="latitude in degrees north; distances and directions are measured from here",
                         example="51.39985")
    lon: float = declare(_lon, help="longitude in degrees east (west is negative)", example="-0.37997")
    phone: str = declare(_phone, help="the phone number patients call: a tap-to-call link on every page",
                         example='"020 8000 0000"')
    email: str | None = declare(_email, default=None, help="the email address patients write to",
                                example="hello@clinic.co.uk")
    opening_hours: tuple[OpeningHours, ...] = declare(
        ListOf(OpeningHours), default=(), help="opening hours, shown at the end of every page and in JSON-LD")
    parking: str | None = declare(_para, default=None, help="parking advice, shown with the address at the end of "
                                  "every page", example="Free parking behind the building.")
    access: str | None = declare(_para, default=None, help="how to get in: steps, lifts, step-free access; shown "
                                 "with the address", example="Step-free entrance; the treatment rooms are on the "
                                 "ground floor.")
    exact_location: bool = declare(Boolean(), default=True, example="false",
                                   help="`false` while `lat` and `lon` are only the town's point, not the door: "
                                        "pages then give no directions link")
    photos: tuple[Photo, ...] = declare(ListOf(Photo), default=(),
                                        help="photos of the premises, on the home page and the area pages")
    treatments: tuple[str, ...] | None = declare(  # None: every treatment
        ListOf(_slug, min_items=1, unique=True), default=None,
        help="the treatments offered at these premises; every treatment when absent",
        example="[chemical-peel]", default_doc="all", type_doc="list of treatment slugs")


@record
class WorksAt:
    premises: str = declare(_slug, help="the `id` of a premises where they treat people", example="west-molesey",
                            type_doc="a premises id")
    days: tuple[str, ...] = declare(ListOf(Choice(options=DAYS), min_items=1, unique=True), default=(),
                                    default_doc="not stated", help="the days they are there", example="[Tu, Th]")


@record
class Practitioner:
    name: str = declare(_maybe_line, help="the practitioner's name", example="Jane Smith")
    profession: str = declare(_line, help="the profession", example="Registered nurse prescriber")
    register: str = declare(Choice(options=_REGISTERS), help="the public register the practitioner is on; pages "
                            "link to it (see the table of registers)", example="NMC")
    registration_number: str = declare(_maybe_line, help="the number on that register (such as an NMC PIN), checked "
                                       "against the register's own format", example="12A3456E")
    treatments: tuple[str, ...] | None = declare(  # None: every treatment
        ListOf(_slug, min_items=1, unique=True), default=None, default_doc="all",
        help="the treatments they provide; every treatment when absent", example="[lip-fillers, chemical-peel]",
        type_doc="list of treatment slugs")
    works_at: tuple[WorksAt, ...] | None = declare(  # None: every premises, days not stated
        ListOf(WorksAt, min_items=1), default=None, default_doc="every premises",
        help="where they treat people, and on which days (the fields below)")
    photo: Photo | None = declare(Photo, default=None, help="a photo of them, beside their name and register")

    def provides(self, treatment: str) -> bool:
        return self.treatments is None or treatment in self.treatments


@record
class Booking:
    """site.yaml `booking:`: how patients book. Every page has a "Book a consultation" action near its top and the
    ways to book at its end."""

    url: str | None = declare(_web, default=None, example="https://booking.clinic.co.uk/",
                              help="an online booking page: the \"Book a consultation\" buttons lead there (without "
                                   "one, they lead to the ways to book at the end of the page)")
    phone: str | None = declare(_phone, default=None, example='"01932 000000"', default_doc="the premises' phone",
                                help="a booking line, when it is not the premises' own phone")
    email: str | None = declare(_email, default=None, example="bookings@clinic.co.uk",
                                default_doc="the premises' email", help="an address for bookings")


@record
class Theme:
    """site.yaml `theme:`: the clinic's colours (the stylesheet's own when absent)."""

    brand_colour: str = declare(_colour, example='"#0b5a8a"',
                                help="buttons, links and accents; must give 4.5:1 contrast with white (checked)")
    tint_colour: str | None = declare(_colour, default=None, example='"#ebf2f6"', default_doc="a pale brand colour",
                                      help="the pale background of the page's opening; must carry text at 4.5:1")


@record
class DuplicateSettings:
    """site.yaml `checks.duplicates`: the thresholds of the duplicate-content checks; the defaults protect the
    clinic."""

    near_threshold: float = declare(
        Number(minimum=0.5, maximum=1), default=0.90,
        help="the similarity (Jaccard) at which two pages count as near duplicates", example="0.9")
    boilerplate_share: float = declare(
        Number(minimum=0.1, maximum=1), default=0.5,
        help="the share of pages a passage must be on to count as boilerplate", example="0.5")
    min_unique_share: float = declare(
        Number(minimum=0, maximum=1), default=0.05, help="below this share of text of its own a page is thin",
        example="0.05")
    min_unique_words: int = declare(
        Number(minimum=0, integer=True), default=30, help="below this many words of its own a page is thin",
        example="30")


@record
class SiteWaiver:
    """site.yaml `checks.waivers`: one page excused from one rule, with the reason written down."""

    page: str = declare(Text(pattern=re.compile(r"^/\S*$"), single_line=True, kind="URL path",
                             pattern_hint="the page's URL path, such as /lip-fillers/esher/"),
                        help="the page's path", example="/lip-fillers/esher/")
    rule: str = declare(_line, help="the rule's id", example="duplicates.near")
    reason: str = declare(_para, help="why, written for a reviewer", example="Esher and Claygate share a station.")
    line: int | None = None


@record
class CheckSettings:
    """site.yaml's `checks:` section; the defaults protect the clinic."""

    duplicates: DuplicateSettings = declare(DuplicateSettings, default=DuplicateSettings,
                                            help="thresholds of the duplicate-content checks (below)")
    policies: dict[str, str] = declare(
        MapOf(key=custom(_check_rule_key), value=Choice(options=CHECK_POLICIES)), default={},
        help="how a finding of that rule is treated",
        example="claims.hype: fail", type_doc="mapping of rule or family to `fail`, `warn` or `demote`")
    rules: tuple[str, ...] = declare(ListOf(custom(_check_rule_file), unique=True), default=(),
                                     help="extra claims rule files, relative to the project folder",
                                     example="[rules/ours.yaml]", type_doc="list of file paths")
    default_rules: bool = declare(Boolean(), default=True, help="use the built-in UK rule set", example="true")
    waivers: tuple[SiteWaiver, ...] = declare(ListOf(SiteWaiver), default=(),
                                              help="one page excused from one rule, with the reason written down")
    policy_lines: dict[str, int | None] = field(default_factory=dict)   # where each policy was written, for errors

    @staticmethod
    def located(mapping: dict, line_of) -> dict[str, Any]:
        return {"policy_lines": {k: line_of(("policies", k)) for k in mapping.get("policies") or {}}}


@record
class DeploySettings:
    """site.yaml's `deploy:` section: named target URLs and the one used by default."""

    targets: dict[str, str] = declare(
        MapOf(key=_slug, value=Obj({"url": declare(
            custom(_check_target_url), doc="where the site goes, such as ftps://user@host/public_html",
            help="where that target's files go", example="ftps://clinic@ftp.example.co.uk/public_html",
            type_doc="target URL: `file://`, `ftp://`, `ftps://`, `sftp://` or `ssh://`, no password")}),
            min_items=1),
        doc="named places to publish to, such as staging and live",
        required=True, default={}, help="named places to publish to, such as `staging` and `live`",
        type_doc="mapping of name to target, at least one",
        convert=lambda targets: {name: t["url"] for name, t in sorted(targets.items())})
    default: str | None = declare(_slug, default=None,
                                  help="the target `clinic-pages deploy` uses when given none", example="staging",
                                  type_doc="a target name")


@record
class Site:
    """site.yaml: the clinic itself."""

    name: str = declare(_line, doc="the clinic's name as patients know it",
                        help="the clinic's name as patients know it; `{clinic}` in titles",
                        example="It's Me and You Clinic")
    base_url: str = declare(
        Text(pattern=BASE_URL, single_line=True, placeholder_ok=True, suggest=_suggest_base_url,
             pattern_hint="an absolute address with no path, such as \"https://www.clinic.co.uk\""),
        doc="the live site's address", convert=_base_url,
        help="the live site's address: canonical links, the sitemap and JSON-LD use it",
        example="https://www.clinic.co.uk", type_doc="absolute address with no path, or a placeholder")
    language: str = declare(Text(pattern=re.compile(r"^[a-z]{2}(-[A-Z]{2})?$"), kind="language tag",
                                 pattern_hint="a language tag such as en-GB"), default="en-GB",
                            help="the pages' `lang`, `og:locale` and `inLanguage`", example="en-GB")
    service_radius_km: float = declare(
        Number(minimum=1, maximum=200), doc="how far from the premises pages are made",
        help="pages are made for places within this distance of a premises that offers the treatment", example="15")
    premises: tuple[Premises, ...] = declare(ListOf(Premises, min_items=1),
                                             help="the places where the clinic treats people")
    practitioners: tuple[Practitioner, ...] = declare(
        ListOf(Practitioner, min_items=1),
        help="who treats patients: each page names those who provide its treatment where it is about")
    disclaimers: dict[str, str] = declare(
        MapOf(key=_slug, value=_para, min_items=1), type_doc="mapping of id to text, at least one",
        help="the disclaimer library; ids are slugs that treatments and `required_disclaimers` refer to",
        example="results-vary: Results vary from person to person.")
    required_disclaimers: tuple[str, ...] = declare(
        ListOf(_slug, unique=True), default=(), help="shown on every page except the 404 page",
        example="[adults-only, consultation]", type_doc="list of disclaimer ids")
    titles: dict[str, str] = declare(_patterns("the title of", {
        PageKind.HOME: '"{clinic} | Aesthetic clinic in {locality}, Surrey"',
        PageKind.TREATMENT: '"{treatment} in {locality}, Surrey | {clinic}"',
        PageKind.AREA: '"Aesthetic treatments near {area}, {county}"',
        PageKind.LANDING: '"{treatment} near {area}, {county}"'}),
        help="`<title>` patterns for each kind of page (below)")
    descriptions: dict[str, str] = declare(_patterns("the meta description of", {
        PageKind.HOME: '"{clinic} in {locality}, Surrey: skin and dermal filler treatments for adults."',
        PageKind.TREATMENT: '"{treatment} at {clinic} in {locality}: what to expect, aftercare and risks."',
        PageKind.AREA: '"Treatments at {clinic} for people in {area}, {county}."',
        PageKind.LANDING: '"{treatment} near {area}: our {locality} clinic is {distance} {direction} of {area}."'}),
        help="meta description patterns, with the same names as `titles`")
    checks: CheckSettings = declare(CheckSettings, default=CheckSettings,
                                    help="settings of `clinic-pages check` (rules, policies, waivers)")
    deploy: DeploySettings = declare(DeploySettings, default=DeploySettings,
                                     help="where `clinic-pages deploy` publishes to")
    booking: Booking = declare(Booking, default=Booking, help="how patients book (the fields below); each optional")
    theme: Theme | None = declare(Theme, default=None, help="the clinic's colours (the fields below)")
    logo: Photo | None = declare(Photo, default=None, help="the clinic's logo, in the header of every page; the "
                                 "favicon is made from it")


# -- treatments.yaml -----------------------------------------------------------------------------------------

@record
class Section:
    heading: str = declare(_line, help="a section's heading", example="What are jaw fillers?")
    text: str = declare(_para, help="the section's text", example="Jaw fillers are injections of a gel ...")


@record
class Faq:
    question: str = declare(_line, help="the question", example="How long do jaw fillers last?")
    answer: str = declare(_para, help="the answer", example="The effect is temporary ...")


@record
class Waiver:
    rule: str = declare(_line, help="the rule's name", example="claims.hype")
    reason: str = declare(_para, help="why the rule does not apply, written for a reviewer",
                          example='"Best" is part of the product\'s registered name.')
    line: int | None = None


@record
class Treatment:
    slug: str = declare(_slug, derive=_slug_from_name, default_doc="made from the name", example="jaw-fillers",
                        help="the treatment's folder in the site; not " + _RESERVED_TEXT)
    name: str = declare(_line, help="the treatment's name; `{treatment}` in titles", example="Jaw Fillers")
    summary: str = declare(_para, help="a short summary, at the top of the hub and of every landing page",
                           example="Jaw fillers use a hyaluronic acid dermal filler ...")
    description: tuple[Section, ...] = declare(ListOf(Section, min_items=1),
                                               help="the sections of the treatment's guide")
    what_to_expect: str = declare(_para, help="what happens at the consultation and the treatment",
                                  example="Your first appointment is a face-to-face consultation ...")
    aftercare: str = declare(_para, help="what to do and avoid afterwards",
                             example="For the first day, avoid touching the jaw ...")
    downtime: str = declare(_para, help="how long recovery takes",
                            example="Swelling and bruising are common for a few days.")
    risks: str = declare(_para, help="honest risks and side effects",
                         example="Common effects include bruising, swelling ...")
    minimum_age: int = declare(Number(minimum=18, maximum=120, integer=True), help="the youngest age treated",
                               example="18")
    price_from: float | None = declare(Number(minimum=0), default=None, example="250",
                                       help='the lowest price in pounds, shown as "from £250"')
    faqs: tuple[Faq, ...] = declare(ListOf(Faq), default=(),
                                    help="questions and answers on the hub page (and in `FAQPage` JSON-LD)")
    disclaimers: tuple[str, ...] = declare(
        ListOf(_slug, unique=True), default=(), example="[risks-injectables]",
        help="disclaimers shown on this treatment's pages, after the required ones",
        type_doc="list of disclaimer ids from `site.yaml`")
    related: tuple[str, ...] = declare(ListOf(_slug, unique=True), default=(), example="[chin-fillers, cheek-fillers]",
                                       help="other treatments linked from this one's hub",
                                       type_doc="list of treatment slugs")
    waivers: tuple[Waiver, ...] = declare(
        ListOf(Waiver), default=(),
        help="check rules this treatment's pages are excused from, each with its reason (see `clinic-pages check`)")
    name_plural: bool = declare(Boolean(), derive=lambda m: derive_plural(normalise_text(m["name"])),
                                default_doc="worked out from the name", example="false",
                                help="`true` when the name is plural (\"Jaw Fillers are\"); worked out from the word "
                                     "before any \"for\", \"of\" or \"with\" "
                                     "(\"Consultation for Lines and Wrinkles is\")")
    name_article: str = declare(Choice(options=ARTICLES), default_doc="worked out from the name", example="none",
                                derive=lambda m: derive_article(normalise_text(m["name"]), m.get("name_plural")),
                                help="the article before the name mid-sentence: `a` (\"a chemical peel\"), `an` or "
                                     "`none` (\"microneedling\", and every plural)")
    name_in_text: str = declare(_line, derive=lambda m: plain_words(normalise_text(m["name"])),
                                default_doc="the name in lower case", example="HydraFacial",
                                help="the name mid-sentence, when lower case is wrong (\"HydraFacial\"); words in "
                                     "capitals (\"HIFU\") keep them anyway")
    line: int | None = None


@record
class Treatments:
    """treatments.yaml."""

    treatments: tuple[Treatment, ...] = declare(ListOf(Treatment, min_items=1),
                                                help="the treatments the clinic offers")


# -- locations.yaml ------------------------------------------------------------------------------------------

@record
class PairContent:
    """Text written for one treatment in one place: what earns its landing page a place (docs/checks.md)."""

    note: str | None = declare(_para, default=None, help="a few sentences about the treatment for people from "
                               "this place, naming it (or its station, or a place near it: text that names no "
                               "place does not count), shown on its landing page",
                               example="Clients from Esher often ask ...")
    faqs: tuple[Faq, ...] = declare(ListOf(Faq), default=(), help="questions people from this place ask about the "
                                    "treatment, with the answers, first in its landing page's questions")


@record
class Location:
    name: str = declare(_line, help="the place's name; `{area}` in titles", example="Walton-on-Thames")
    slug: str = declare(_slug, derive=_slug_from_name, default_doc="made from the name",
                        help="the place's folder in the site", example="walton-on-thames")
    lat: float = declare(_lat, help="latitude in degrees north", example="51.38533")
    lon: float = declare(_lon, help="longitude in degrees east (west is negative)", example="-0.42066")
    county: str = declare(_line, default="Surrey", help="the county; `{county}` in titles", example="Berkshire")
    nearest_station: str | None = declare(_line, default=None, example="Hampton Court",
                                          help="the nearest railway station, said on the place's pages")
    notes: str | None = declare(_para, default=None, example="The A3050 links East Molesey with West Molesey.",
                                help="true, hand-written local notes: the road or rail link towards the clinic, "
                                     "parking; on the place's area page (its own text; landing pages link there)")
    faqs: tuple[Faq, ...] = declare(ListOf(Faq), default=(),
                                    help="questions people from this place ask, with the answers, on its area page "
                                         "(its area page's own text)")
    landing_pages: dict[str, PairContent] = declare(
        MapOf(key=_slug, value=PairContent), default={}, type_doc="treatment slug -> text",
        help="text written for one treatment in this place, shown on that treatment's landing page for it: what "
             "earns a landing page a place in search results (see docs/checks.md)")
    publish: bool = declare(Boolean(), default=True, example="false",
                            help="`false` makes no pages for the place (it is no one's neighbour either)")
    line: int | None = None

    def pair(self, treatment: str) -> PairContent | None:
        """The text written for `treatment` in this place, if any."""
        return self.landing_pages.get(treatment)


@record
class Locations:
    """locations.yaml."""

    attribution: str = declare(_line, doc="credit for the place data, e.g. GeoNames (CC BY 4.0)",
                               help="credit for the place data, shown in every page's footer",
                               example='"Place names and coordinates: GeoNames (geonames.org), CC BY 4.0"')
    locations: tuple[Location, ...] = declare(ListOf(Location, min_items=1), help="the places")


SITE_SCHEMA: Obj = schema_of(Site)
TREATMENTS_SCHEMA: Obj = schema_of(Treatments)
LOCATIONS_SCHEMA: Obj = schema_of(Locations)
SCHEMAS = {SITE_FILE: SITE_SCHEMA, TREATMENTS_FILE: TREATMENTS_SCHEMA, LOCATIONS_FILE: LOCATIONS_SCHEMA}


# -- the project -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Project:
    """Everything the pipeline needs from the data files, validated."""

    root: Path
    site: Site
    treatments: tuple[Treatment, ...]
    locations: tuple[Location, ...]
    attribution: str
    unfilled: tuple[str, ...] = ()     # the site.yaml values still marked !placeholder (`data.placeholders`)
    images: dict[str, ImageInfo] = field(default_factory=dict)   # by `src`: every picture site.yaml names
    _treatments: dict[str, Treatment] = field(init=False, repr=False, compare=False)   # by slug, for `treatment`
    _locations: dict[str, Location] = field(init=False, repr=False, compare=False)     # by slug, for `location`

    def treatment(self, slug: str) -> Treatment:
        return self._treatments[slug]

    def location(self, slug: str) -> Location:
        return self._locations[slug]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_treatments", {t.slug: t for t in self.treatments})
        object.__setattr__(self, "_locations", {loc.slug: loc for loc in self.locations})

    def placeholders(self) -> list[str]:
        """Every value in site.yaml still marked !placeholder, with its line: `site.yaml:31: premises[1].phone:
        Phone number to be confirmed`."""
        return list(self.unfilled)
