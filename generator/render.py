"""Render each planned page with Jinja2: autoescaped HTML, JSON-LD built as data, errors that name the template."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import jinja2
from jinja2 import meta
from markupsafe import Markup, escape

from generator.data import TEMPLATES_DIR, Placeholder
from generator.errors import TemplateProblem
from generator.geo import opposite
from generator.images import ImageInfo, Picture, picture
from generator.language import (
    DAY_NAMES,
    days_text,
    distance_text,
    km_text,
    list_text,
    miles_text,
    name_forms,
    plain_words,
    radius_text,
    time_text,
)
from generator.model import Location, PageKind, Photo, Practitioner, Premises, Project, Treatment, WorksAt
from generator.plan import Page, Plan, Reach, page_disclaimers, premises_for
from generator.registers import REGISTERS, Register, normalise_number
from generator.text import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX
from generator.theme import css_variables

# Context names that carry data from many records: a template that uses one depends on all of them.
WIDE_CONTEXT = {"treatments": "treatments:all", "area_names": "locations:all", "area_list": "index:areas"}
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}
# compact: the C encoder, 10x faster; one encoder for every page (json.dumps with options makes one each call)
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Rendered:
    page: Page
    html: str
    title: str
    description: str


@dataclass
class TemplateMemo:
    """What environments learn from template texts, kept by whoever makes builds one after another: a build
    without one makes its own, and the preview's `Memory` keeps one across saves, so that a save that edits one
    template compiles that one again and no other. Each is keyed by the template's name and its text itself
    (never the file name alone: an edited template is worked out anew); past `MAX` texts a table starts again.
    `generated`: the Python source a text compiles to (parsing and generating it is nine tenths of compiling a
    template; every environment `make_environment` makes has the same settings and filters, so it is the same in
    each). `meta`: the variables a text reads from its context, and the templates it extends or includes."""

    generated: dict[tuple[str | None, str], str] = field(default_factory=dict)
    meta: dict[tuple[str, str], tuple[frozenset[str], tuple[str | None, ...]]] = field(default_factory=dict)
    MAX: ClassVar[int] = 256     # template texts kept (a few kilobytes each)

    def keep(self, table: dict, key: Any, value: Any) -> None:
        if len(table) >= self.MAX:
            table.clear()
        table[key] = value


class TemplateEnvironment(jinja2.Environment):
    """The environment `make_environment` makes: it compiles a template text its memo has compiled before from
    the Python source kept for that text, with the file name of this environment's template."""

    def __init__(self, memo: TemplateMemo, **options: Any):
        super().__init__(**options)
        self.memo = memo

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if not isinstance(source, str) or defer_init:
            return super().compile(source, name, filename, raw, defer_init)
        key = (name, source)
        generated = self.memo.generated.get(key)
        if generated is None:
            generated = super().compile(source, name, filename, raw=True)   # a syntax error is raised, not kept
            self.memo.keep(self.memo.generated, key, generated)
        return generated if raw else self._compile(generated, filename or "<template>")

    def make_globals(self, d):
        """A template's globals as one plain dict, where Jinja2 makes a ChainMap over the environment's: every
        include and import of a page lists them (about eight a page), which a ChainMap does in Python code and a
        dict in C. The difference a ChainMap makes, seeing globals changed after a template was loaded, is none
        here: nothing changes them."""
        return {**self.globals, **(d or {})}

    def template_meta(self, name: str, source: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
        """The variables a template's own source reads from its context, and the templates it extends or includes
        (None for a name computed while rendering): the preview asks at every save, and parsing is most of it."""
        key = (name, source)
        known = self.memo.meta.get(key)
        if known is None:
            ast = self.parse(source, name)    # a syntax error is raised here, and not kept
            known = frozenset(meta.find_undeclared_variables(ast)), tuple(meta.find_referenced_templates(ast))
            self.memo.keep(self.memo.meta, key, known)
        return known


def make_environment(templates: Path, memo: TemplateMemo | None = None) -> TemplateEnvironment:
    """The environment of the templates in `templates`; `memo`: what earlier environments learnt of template
    texts, to be used again (a new one when not given)."""
    env = TemplateEnvironment(
        memo or TemplateMemo(),
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        # compiled templates kept in a plain dict, not Jinja2's LRU cache (a lock and a queue reordered at each of
        # the eight or so includes and imports of a page): an environment serves one set of template files
        # (`Memory.environment` makes a new one when any changes), so it holds no more templates than those files
        cache_size=-1,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["km"] = km_text
    env.filters["miles"] = miles_text
    env.filters["distance"] = distance_text
    env.filters["station"] = lambda location: station_text(location.name, location.nearest_station)
    env.filters["money"] = money
    env.filters["days"] = days_text
    env.filters["time"] = time_text
    env.filters["show"] = show
    env.filters["tel"] = tel_href
    env.filters["opposite"] = opposite
    env.filters["in_text"] = plain_words
    env.filters["and_list"] = list_text
    env.tests["placeholder"] = lambda v: isinstance(v, Placeholder)
    return env


def money(value: float) -> str:
    return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"


def show(value: Any) -> Markup:
    """A value as the page shows it: escaped, and marked as a placeholder when the clinic has not given it yet (the
    preview makes it stand out; `deploy` refuses to publish it)."""
    if isinstance(value, Placeholder):
        return Markup('<span class="placeholder">{}</span>').format(str(value))
    return escape(value)


def given(value: Any) -> bool:
    """True for a value the clinic has given: not absent, not a `!placeholder`."""
    return value is not None and not isinstance(value, Placeholder)


def tel_href(phone: str, country: str) -> str:
    """A `tel:` link: digits only, in international form for a UK number ("01932 123456" -> tel:+441932123456)."""
    digits = re.sub(r"[^\d+]", "", phone)
    if not digits.startswith("+") and country == "GB" and digits.startswith("0"):
        digits = "+44" + digits[1:]
    return f"tel:{digits}"


def station_text(area: str, station: str) -> str:
    """Which station serves an area, as a sentence: "Esher has its own railway station." when the station bears
    the area's name, not "The nearest railway station to Esher is Esher."."""
    if station == area:
        return f"{area} has its own railway station."
    if station.startswith(area):
        return f"{area} has its own railway station, {station}."
    return f"The nearest railway station to {area} is {station}."


def paragraphs(text: str) -> Markup:
    """Plain text with blank lines between paragraphs -> escaped <p> elements."""
    # an f-string of escaped parts: the same markup as Markup.format, a third of its time
    return Markup("\n").join(Markup(f"<p>{escape(p)}</p>") for p in str(text).split("\n\n") if p.strip())


def json_ld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: `<`, `>` and `&` escaped so data cannot end the script."""
    text = _JSON.encode(data)
    return Markup(text.translate(_JSON_ESCAPES))


_HERE_PHRASE = re.compile(r"\{distance\}\s+\{direction\}\s+of\s+\{area\}")
_FIELD = re.compile(r"\{([a-z_]+)\}")


def fill(pattern: str, values: dict[str, str], here: bool = False) -> str:
    """A title or description pattern with its {names} filled in. On the page of the area the clinic stands in,
    "{distance} {direction} of {area}" reads "in {area} itself", not "under 0.1 miles from the centre of ..."."""
    pattern = " ".join(pattern.split())
    if here:
        pattern = _HERE_PHRASE.sub("in {area} itself", pattern)
    return _FIELD.sub(lambda m: str(values[m.group(1)]), pattern)


def fit_title(text: str, clinic: str = "") -> str:
    """Shorten a title over 60 characters without losing what the page is about: first each part's trailing
    qualifier (", Surrey"), then the part that is only the clinic's name, then trailing parts; never down to the
    clinic's name alone. A title that still does not fit is kept whole rather than cut mid-word."""
    parts = text.split(" | ")
    for i in reversed(range(len(parts))):
        if len(" | ".join(parts)) <= TITLE_MAX:
            break
        if ", " in parts[i] and parts[i] != clinic:
            parts[i] = parts[i].rsplit(", ", 1)[0]
    if len(" | ".join(parts)) > TITLE_MAX and clinic in parts and len(parts) > 1:
        parts.remove(clinic)
    while len(" | ".join(parts)) > TITLE_MAX and len(parts) > 1:
        parts.pop()
    return " | ".join(parts)


def fit_description(text: str) -> str:
    """Shorten a description over 160 characters to its first whole sentences or clauses, so what is left still
    says something whole; a word cut with "…" only when no sentence boundary leaves 70 characters or more."""
    if len(text) <= DESCRIPTION_MAX:
        return text
    kept = ""
    for piece in re.split(r"(?<=[.;!?])\s+", text):
        longer = f"{kept} {piece}".strip()
        if len(longer) > DESCRIPTION_MAX:
            break
        kept = longer
    if len(kept) >= DESCRIPTION_MIN:
        return kept[:-1] + "." if kept.endswith(";") else kept
    cut = text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@dataclass(frozen=True)
class Ways:
    """How to book from one page: the booking page, the phone and the email, with their links (None for a link
    that cannot be made, such as a placeholder number)."""

    url: str | None
    phone: str
    tel: str | None
    email: str | None
    mailto: str | None

    @property
    def href(self) -> str:
        """Where "Book a consultation" leads: the booking page, else the ways to book at the end of the page."""
        return self.url if self.url and not isinstance(self.url, Placeholder) else "#book"


@dataclass(frozen=True)
class Person:
    """A practitioner as one page shows them: their register and link, their photo, and what they provide where."""

    name: str
    profession: str
    register: Register
    number: str
    link: str | None          # None while the number is a placeholder
    picture: Picture | None
    offers: str               # "Provides jaw fillers at our West Molesey clinic on Tuesdays."


class Renderer:
    """Renders pages of one project; shared context is computed once."""

    def __init__(self, project: Project, plan: Plan, templates: Path, env: TemplateEnvironment | None = None):
        """`env`: a Jinja2 environment made by `make_environment(templates)` that may be used again (its compiled
        templates are kept): only while the template files are the ones it compiled."""
        self.project, self.plan, self.templates = project, plan, templates
        self.env = env or make_environment(templates)
        self._template_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._served: dict[str, tuple[list[Reach], list[str]]] = {}
        self._area_treatments: dict[str, list[tuple[Treatment, Reach]]] = {}
        self._clinic_in: set[tuple[str, str]] | None = None   # (treatment, area) where a premises stands in the area
        self._ways: dict[str, Ways] = {}                                       # by premises
        self._people: dict[tuple[str | None, tuple[str, ...]], list[Person]] = {}   # by treatment and premises
        site = project.site
        self.premises = {p.id: p for p in site.premises}
        # the pages held back (noindex, canonical to the page that holds their content, linked from no list):
        # URL path -> where the canonical points. Set before rendering (see build.py).
        self.demoted: dict[str, str] = {}
        self.planned = {p.url_path for p in plan.pages}
        self.forms = {t.slug: name_forms(t.name, t.name_plural, t.name_article, t.name_in_text)
                      for t in project.treatments}
        self.base: dict[str, Any] = {   # what every page's template is given
            "site": site,
            "clinic": site.name,
            "treatments": sorted(project.treatments, key=lambda t: t.name),
            "attribution": project.attribution,
            "premises_list": site.premises,
            "practitioners": site.practitioners,
            "area_names": {loc.slug: loc.name for loc in project.locations},
            "area_list": sorted(
                ((slug, project.location(slug).name, plan.nearest[slug]) for slug in plan.areas),
                key=lambda row: row[1]),
            "logo": self.picture(site.logo, "logo"),
            "favicon": site.logo is not None,
            "theme_css": css_variables(site.theme.brand_colour, site.theme.tint_colour) if site.theme else "",
            "radius": radius_text(site.service_radius_km),
            "forms_of": self.forms,
            "photos": self.photos,
        }

    # -- what a template depends on ----------------------------------------------------------------------
    def template_inputs(self, name: str) -> tuple[str, tuple[str, ...]]:
        """(digest of the template and every template it extends or includes, wide record keys it reads)."""
        if name not in self._template_cache:
            sources: dict[str, str] = {}
            variables: set[str] = set()
            self._collect(name, sources, variables)
            digest = hashlib.blake2b(repr(sorted(sources.items())).encode(), digest_size=16).hexdigest()
            keys = tuple(sorted(WIDE_CONTEXT[v] for v in variables if v in WIDE_CONTEXT))
            self._template_cache[name] = (digest, keys)
        return self._template_cache[name]

    def compile_ahead(self, names: set[str]) -> None:
        """Compile the templates `names` and those they extend, include or import, in this process, before render
        workers are forked: each worker then starts with them compiled instead of compiling them all itself (about
        70 ms of CPU a worker; a 10,000-page build forks a dozen). An error is left for the render to raise, with
        the page it stopped on, as it would without this."""
        sources: dict[str, str] = {}
        for name in sorted(names):
            try:
                self._collect(name, sources, set())
            except TemplateProblem:
                continue
        for name, source in sources.items():
            if source != "<missing>":
                try:
                    self.env.get_template(name)
                except jinja2.TemplateError:
                    continue

    def _collect(self, name: str, sources: dict[str, str], variables: set[str]) -> None:
        if name in sources:
            return
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            self.env.template_meta(name, source)   # a syntax error is raised here
        except jinja2.TemplateNotFound:
            sources[name] = "<missing>"
            return
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(_relative(exc.filename, self.templates) or f"templates/{name}", exc.lineno,
                                  exc.message or "syntax error") from exc
        sources[name] = source
        found, refs = self.env.template_meta(name, source)
        variables |= found
        for ref in refs:
            if ref is None:  # a computed template name: depend on every template
                for other in self.env.list_templates():
                    self._collect(other, sources, variables)
            else:
                self._collect(ref, sources, variables)

    # -- helpers -----------------------------------------------------------------------------------------
    def served_by_name(self, treatment: str) -> tuple[list[Reach], list[str]]:
        """The areas a treatment is offered to, sorted by name, and their names (computed once per treatment)."""
        if treatment not in self._served:
            served = sorted(self.plan.served[treatment], key=lambda r: self.project.location(r.location).name)
            self._served[treatment] = (served, [self.project.location(r.location).name for r in served])
        return self._served[treatment]

    def url(self, path: str) -> str:
        return f"{self.project.site.base_url}{path}"

    def clinic_ld(self, premises: Premises, area_names: list[str]) -> dict[str, Any]:
        address = premises.address
        postal = {"@type": "PostalAddress", "addressLocality": address.locality, "addressRegion": address.region,
                  "addressCountry": address.country}
        if not isinstance(address.street, Placeholder):
            postal["streetAddress"] = address.street
        if not isinstance(address.postcode, Placeholder):
            postal["postalCode"] = address.postcode
        data: dict[str, Any] = {
            "@type": "MedicalClinic", "@id": self.url(f"/#{premises.id}"), "name": premises.name,
            "url": self.url("/"), "address": postal,
            "geo": {"@type": "GeoCoordinates", "latitude": round(premises.lat, 5), "longitude": round(premises.lon, 5)},
            "areaServed": [{"@type": "Place", "name": n} for n in area_names],
        }
        if not isinstance(premises.phone, Placeholder):
            data["telephone"] = premises.phone
        if premises.opening_hours:
            data["openingHoursSpecification"] = [
                {"@type": "OpeningHoursSpecification", "dayOfWeek": [_DAY_URI[d] for d in h.days],
                 "opens": h.opens, "closes": h.closes} for h in premises.opening_hours]
        return data

    def picture(self, photo: Photo | None, role: str) -> Picture | None:
        return picture(self.project.images[photo.src], photo.alt, role) if photo else None

    def image_uses(self) -> list[tuple[ImageInfo, str]]:
        """Every picture the pages show, with the role it is shown in (which decides the widths made of it)."""
        site, images = self.project.site, self.project.images
        uses = [(images[site.logo.src], "logo")] if site.logo else []
        uses += [(images[photo.src], "photo") for prem in site.premises for photo in prem.photos]
        uses += [(images[p.photo.src], "portrait") for p in site.practitioners if p.photo]
        return uses

    def favicon_source(self) -> ImageInfo | None:
        logo = self.project.site.logo
        return self.project.images[logo.src] if logo else None

    def photos(self, premises: Premises) -> list[Picture]:
        return [picture(self.project.images[p.src], p.alt, "photo") for p in premises.photos]

    def ways(self, premises: Premises) -> Ways:
        """How to book from a page about `premises`: site.yaml `booking:`, with the premises' own phone and email
        where it gives none (worked out once for each premises: the same on every page about it)."""
        known = self._ways.get(premises.id)
        if known is None:
            booking = self.project.site.booking
            phone = booking.phone or premises.phone
            email = booking.email or premises.email
            known = self._ways[premises.id] = Ways(
                url=booking.url, phone=phone, email=email,
                tel=tel_href(phone, premises.address.country) if given(phone) else None,
                mailto=f"mailto:{email}" if given(email) else None)
        return known

    def people(self, treatment: Treatment | None, places: list[Premises]) -> list[Person]:
        """The practitioners a page names: those who provide its treatment (all, without one) at its premises. Worked
        out once for each treatment and set of premises (every landing page of a treatment near one premises names
        the same people, with the same words); each page gets a list of its own."""
        key = (treatment.slug if treatment is not None else None, tuple(p.id for p in places))
        if key not in self._people:
            self._people[key] = self._find_people(treatment, places)
        return list(self._people[key])

    def _find_people(self, treatment: Treatment | None, places: list[Premises]) -> list[Person]:
        found = []
        ids = {p.id for p in places}
        for person in self.project.site.practitioners:
            if treatment is not None and not person.provides(treatment.slug):
                continue
            where = [w for w in (person.works_at or [WorksAt(premises=p.id) for p in self.project.site.premises])
                     if w.premises in ids]
            if not where:
                continue
            register = REGISTERS[person.register]
            number = person.registration_number
            if not isinstance(number, Placeholder) and register.number_pattern:
                number = normalise_number(number)    # as the register writes it: "12A3456E"
            link = None if isinstance(number, Placeholder) else register.link(number)
            found.append(Person(name=person.name, profession=person.profession, register=register, number=number,
                                link=link, picture=self.picture(person.photo, "portrait"),
                                offers=self.offers(person, treatment, where)))
        return found

    def offers(self, person: Practitioner, treatment: Treatment | None, where: list) -> str:
        """"Provides a chemical peel at our West Molesey clinic on Tuesdays and Thursdays."."""
        if treatment is not None:
            what = self.forms[treatment.slug].noun
        elif person.treatments is None:
            what = "all our treatments"
        else:
            what = list_text([self.forms[s].noun for s in person.treatments])
        places = []
        for w in where:
            prem = self.premises[w.premises]
            days = f" on {days_text(w.days, every=True)}" if w.days else ""
            places.append(f"our {prem.address.locality} clinic{days}")
        return f"Provides {what} at {list_text(places)}."

    def age_note(self, treatment: Treatment, disclaimers: list[tuple[str, str]]) -> str | None:
        """The treatment's age limit as a sentence, unless one of the page's disclaimers already states it (each
        fact once per page)."""
        age = treatment.minimum_age
        if any(f"aged {age} and over" in text or f"aged {age} or over" in text for _, text in disclaimers):
            return None
        forms = self.forms[treatment.slug]
        return f"{forms.subject} {forms.be} available only to adults aged {age} and over."

    def booking_ld(self, premises: Premises, ways: Ways, people: list[Person]) -> dict[str, Any]:
        """What the clinic's JSON-LD says besides its address: how to book (the same ways the page shows), its
        email, its logo and photos, and who works there. Placeholders are left out."""
        data: dict[str, Any] = {}
        if given(premises.email):
            data["email"] = premises.email
        if given(ways.url):
            data["potentialAction"] = {"@type": "ReserveAction", "target": {"@type": "EntryPoint",
                                                                           "urlTemplate": ways.url}}
        contact = {k: v for k, v in (("telephone", ways.phone), ("email", ways.email)) if given(v)}
        if contact and (contact.get("telephone", premises.phone), contact.get("email", premises.email)) != (
                premises.phone, premises.email):
            data["contactPoint"] = {"@type": "ContactPoint", "contactType": "bookings", **contact}
        logo = self.base["logo"]
        if logo:
            data["logo"] = self.url(logo.srcset.split(", ")[-1].split(" ")[0])
        photos = self.photos(premises)
        if photos:
            data["image"] = [self.url(p.srcset.split(", ")[-1].split(" ")[0]) for p in photos]
        staff = []
        for person in people:
            if not given(person.name):
                continue
            entry: dict[str, Any] = {"@type": "Person", "name": person.name, "jobTitle": person.profession}
            if person.link:
                entry["identifier"] = {"@type": "PropertyValue", "propertyID": person.register.number_name,
                                       "value": person.number}
                if person.register.links_to_number:
                    entry["sameAs"] = person.link
            staff.append(entry)
        if staff:
            data["employee"] = staff
        return data

    def breadcrumbs(self, page: Page) -> list[tuple[str, str]]:
        crumbs = [("Home", "/")]
        if page.kind in (PageKind.AREAS, PageKind.AREA):
            crumbs.append(("Areas we serve", "/areas/"))
        if page.treatment:
            t = self.project.treatment(page.treatment)
            crumbs.append((t.name, f"/{t.slug}/"))
        if page.location:
            crumbs.append((self.project.location(page.location).name, page.url_path))
        return crumbs if page.kind != PageKind.HOME else []

    def clinic_is_in(self, treatment: str, area: str) -> bool:
        """True when a premises offering the treatment stands in the area itself (its pages say so, not a distance)."""
        if self._clinic_in is None:   # worked out once: a landing page asks for each of its neighbours
            self._clinic_in = {(t, a) for a, rows in self.plan.areas.items() for t, r in rows if r.here}
        return (treatment, area) in self._clinic_in

    def area_treatments(self, area: str) -> list[tuple[Treatment, Reach]]:
        """The treatments offered to an area, by name, with its reach (computed once per area)."""
        if area not in self._area_treatments:
            self._area_treatments[area] = [(self.project.treatment(s), r) for s, r in self.plan.areas[area]]
        return self._area_treatments[area]

    # -- which pages are published ------------------------------------------------------------------------
    def published(self, url: str) -> bool:
        """Whether a page is built and indexable (not held back by the checks)."""
        return url in self.planned and url not in self.demoted

    def linked_pages(self, page: Page) -> tuple[str, ...]:
        """The pages whose verdict a page's HTML shows: itself (noindex, and where its canonical points, when held
        back) and the local pages it lists, which it links only while they are published (templates ask
        `published[url]`, or use the `link` macro of _link.html; a treatment's guide is always linked). Its digest
        is part of the page's inputs (`verdicts`)."""
        p = self.plan
        own = (page.url_path,)
        if page.kind == PageKind.LANDING:
            return own + (f"/areas/{page.location}/",) + tuple(
                f"/{page.treatment}/{n.location}/" for n in page.neighbours)
        if page.kind == PageKind.AREA and page.location is not None:
            return own + tuple(f"/{t}/{page.location}/" for t, _ in p.areas[page.location])
        if page.kind == PageKind.TREATMENT and page.treatment is not None:
            return own + tuple(u for r in p.served[page.treatment]
                               for u in (f"/{page.treatment}/{r.location}/", f"/areas/{r.location}/"))
        if page.kind == PageKind.AREAS:
            return own + tuple(f"/areas/{slug}/" for slug in sorted(p.areas))
        return own

    def verdicts(self, page: Page) -> str:
        """A digest of the verdicts a page's HTML shows (see `linked_pages`)."""
        demoted, planned = self.demoted, self.planned   # a line for each page, joined: 10,000 pages' reprs cost 0.1 s
        shown = "\n".join(f"{url}\t{demoted.get(url, '') if url in planned else '-'}"
                          for url in self.linked_pages(page))
        return hashlib.blake2b(shown.encode(), digest_size=8).hexdigest()

    # -- the page ----------------------------------------------------------------------------------------
    def context(self, page: Page) -> dict[str, Any]:
        p = self.project
        ctx: dict[str, Any] = dict(self.base)
        treatment = p.treatment(page.treatment) if page.treatment else None
        location = p.location(page.location) if page.location else None
        first = p.site.premises[0]
        values = {"clinic": p.site.name, "locality": first.address.locality}
        served_names: list[str] = []
        if page.kind in (PageKind.HOME, PageKind.AREAS, PageKind.NOT_FOUND):
            served_names = sorted({p.location(s).name for s in self.plan.areas})
        if treatment:
            values["treatment"] = treatment.name
            ctx["served"], served_names = self.served_by_name(treatment.slug)
            ctx["related"] = [p.treatment(s) for s in treatment.related]
            ctx["offered_at"] = premises_for(p, treatment.slug)
        if location:
            values.update(area=location.name, county=location.county)
            ctx["area_treatments"] = self.area_treatments(location.slug)
            if not treatment:
                reach = self.plan.nearest[location.slug]
                ctx["reach"] = reach
                ctx["near_premises"] = self.premises[reach.premises]
            served_names = [location.name]
        if page.reach and treatment is not None:   # a landing page: the treatment near the place
            near = self.premises[page.reach.premises]
            values.update(locality=near.address.locality, distance=distance_text(page.reach.km),
                          direction=opposite(page.reach.direction))
            ctx["reach"], ctx["near_premises"] = page.reach, near
            ctx["neighbours"] = [(p.location(n.location), n, self.clinic_is_in(treatment.slug, n.location))
                                 for n in page.neighbours]
        here = bool(page.reach and page.reach.here)
        kind = {PageKind.NOT_FOUND: PageKind.HOME, PageKind.AREAS: PageKind.HOME}.get(page.kind, page.kind)
        title = fit_title(fill(p.site.titles[kind], values, here), p.site.name)
        description = fit_description(fill(p.site.descriptions[kind], values, here))
        if page.kind == PageKind.AREAS:
            title, description = fit_title(f"Areas we serve | {p.site.name}", p.site.name), fit_description(
                f"The towns and villages that {p.site.name} in {values['locality']}, {first.address.region} serves, "
                "with the distance from the clinic and the treatments offered to each.")
        if page.kind == PageKind.NOT_FOUND:
            title = f"Page not found | {p.site.name}"
        if "near_premises" in ctx:
            visit = [ctx["near_premises"]]
        elif treatment:
            visit = ctx["offered_at"]
        else:
            visit = list(p.site.premises)
        disclaimers = [(i, p.site.disclaimers[i]) for i in page_disclaimers(p, page)]
        ctx.update(
            page=page, treatment=treatment, location=location, title=title, description=description,
            canonical=self.url(self.demoted.get(page.url_path, page.url_path)), breadcrumbs=self.breadcrumbs(page),
            demoted=page.url_path in self.demoted, disclaimers=disclaimers,
            published=(published := {url: self.published(url) for url in self.linked_pages(page)}),
            link=_linker(published),
            pair=location.pair(treatment.slug) if location and treatment else None,
            faqs=self.faqs(page, treatment, location), visit=visit, book=self.ways(visit[0]),
            who=self.people(treatment, visit) if page.kind != PageKind.NOT_FOUND else [],
            forms=self.forms[treatment.slug] if treatment else None,
            age_note=self.age_note(treatment, disclaimers) if treatment else None,
        )
        ctx["jsonld"] = json_ld(self.structured_data(page, ctx, served_names))
        return ctx

    def faqs(self, page: Page, treatment: Treatment | None, location: Location | None) -> list[tuple[str, str]]:
        """The questions a page answers: a treatment's own, on its hub; an area's own, on its area page; those
        written for the treatment in the area, on its landing page. Landing pages repeat no fact as a question (the
        distance and the station are said once, under "Getting to us")."""
        if page.kind == PageKind.TREATMENT and treatment:
            return [(f.question, f.answer) for f in treatment.faqs]
        if page.kind == PageKind.AREA and location:
            return [(f.question, f.answer) for f in location.faqs]
        if page.kind == PageKind.LANDING and treatment and location:
            pair = location.pair(treatment.slug)
            return [(f.question, f.answer) for f in pair.faqs] if pair else []
        return []

    def structured_data(self, page: Page, ctx: dict[str, Any], served_names: list[str]) -> dict[str, Any]:
        near = ctx["visit"][0]
        clinic = self.clinic_ld(near, served_names)
        clinic.update(self.booking_ld(near, ctx["book"], ctx["who"]))
        graph: list[dict[str, Any]] = [clinic]
        web: dict[str, Any] = {
            "@type": "MedicalWebPage" if page.kind != PageKind.NOT_FOUND else "WebPage",
            "@id": self.url(page.url_path), "url": self.url(page.url_path), "name": ctx["title"],
            "description": ctx["description"], "inLanguage": self.project.site.language,
            "isPartOf": {"@type": "WebSite", "name": self.project.site.name, "url": self.url("/")},
        }
        if ctx["treatment"]:
            web["about"] = {"@type": "MedicalProcedure", "name": ctx["treatment"].name}
        graph.append(web)
        if ctx["breadcrumbs"]:
            graph.append({"@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": i, "name": name, "item": self.url(path)}
                for i, (name, path) in enumerate(ctx["breadcrumbs"], 1)]})
        if ctx["faqs"]:
            graph.append({"@type": "FAQPage", "mainEntity": [
                {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
                for q, a in ctx["faqs"]]})
        return {"@context": "https://schema.org", "@graph": graph}

    def render(self, page: Page) -> Rendered:
        ctx = self.context(page)
        try:
            template = self.env.get_template(page.template)
            html = template.render(ctx)
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(_relative(exc.filename, self.templates) or exc.name or page.template, exc.lineno,
                                  exc.message or "syntax error", page.url_path) from exc
        except jinja2.TemplateNotFound as exc:  # the page's own template, or one it includes or extends
            name, line = _template_frame(exc, self.templates)
            raise TemplateProblem(name or f"templates/{page.template}", line, f"template not found: {exc.name}",
                                  page.url_path) from exc
        except Exception as exc:  # an error while rendering: find the template line in the traceback
            name, line = _template_frame(exc, self.templates)
            raise TemplateProblem(name or f"templates/{page.template}", line, f"{type(exc).__name__}: {exc}",
                                  page.url_path) from exc
        return Rendered(page, html, ctx["title"], ctx["description"])


def _linker(published: dict[str, bool]):
    """`link(urls, text, always=None)` for a page's templates: a link to the first of `urls` that is published, else
    to `always` (a treatment's guide), else the text alone, the same text either way. `urls` must be pages the page
    lists (`Renderer.linked_pages`): their verdicts are part of its inputs."""

    def link(urls, text, always: str | None = None) -> Markup:
        for url in [urls] if isinstance(urls, str) else urls:
            if url not in published:
                raise LookupError(f"link({url!r}, ...): not a page this kind of page lists (see docs/templates.md, "
                                  "Renderer.linked_pages)")
            if published[url]:
                return _anchor(url, text)
        return _anchor(always, text) if always else escape(text)
    return link


def _anchor(url: str, text: Any) -> Markup:
    """`<a href="url">text</a>`, both escaped (text already markup stays as it is): the markup Markup.format makes,
    in a third of its time (a landing page has about ten such links; 10,000 pages: about 0.4 s of CPU)."""
    return Markup(f'<a href="{escape(url)}">{escape(text)}</a>')


_DAY_URI = {d: f"https://schema.org/{n}" for d, n in DAY_NAMES.items()}


def _relative(filename: str | None, templates: Path) -> str | None:
    if not filename:
        return None
    try:
        return str(Path(TEMPLATES_DIR) / Path(filename).resolve().relative_to(templates.resolve()))
    except ValueError:
        return filename


def _template_frame(exc: BaseException, templates: Path) -> tuple[str | None, int | None]:
    """The innermost traceback frame that belongs to a template file (Jinja2 rewrites frames to point there)."""
    tb = exc.__traceback__
    found: tuple[str | None, int | None] = (None, None)
    root = str(templates.resolve())
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(root) or filename.endswith((".html", ".xml", ".txt", ".j2")):
            found = (_relative(filename, templates), tb.tb_lineno)
        tb = tb.tb_next
    return found


def render_all(renderer: Renderer, pages: tuple[Page, ...]):
    """Yield each page rendered, in plan order."""
    for page in pages:
        yield renderer.render(page)


__all__ = ["Renderer", "Rendered", "render_all", "json_ld", "paragraphs", "Reach", "escape", "sys"]
