"""Render each planned page with Jinja2: autoescaped HTML, JSON-LD built as data, errors that name the template."""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from markupsafe import Markup, escape

from generator.data import Placeholder
from generator.errors import TemplateProblem
from generator.model import PageKind, Premises, Project, Treatment
from generator.geo import KM_PER_MILE, opposite
from generator.plan import HERE_KM, Page, Plan, Reach, page_disclaimers, premises_for
from generator.text import DESCRIPTION_MAX, DESCRIPTION_MIN, TITLE_MAX  # noqa: F401 (MIN: for the tests)


# Context names that carry data from many records: a template that uses one depends on all of them.
WIDE_CONTEXT = {"treatments": "treatments:all", "area_names": "locations:all", "area_list": "index:areas"}
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


@dataclass(frozen=True)
class Rendered:
    page: Page
    html: str
    title: str
    description: str


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters["paragraphs"] = paragraphs
    env.filters["km"] = km_text
    env.filters["miles"] = miles_text
    env.filters["station"] = lambda location: station_text(location.name, location.nearest_station)
    env.filters["money"] = lambda v: f"£{v:,.0f}" if float(v).is_integer() else f"£{v:,.2f}"
    env.tests["placeholder"] = lambda v: isinstance(v, Placeholder)
    return env


def km_text(km: float) -> str:
    """A distance as pages show it: "3.5 km", and "under 0.1 km" rather than "0.0 km"."""
    return f"{km:.1f} km" if km >= HERE_KM else "under 0.1 km"


def miles_text(km: float) -> str:
    return f"{km / KM_PER_MILE:.1f} miles" if km >= HERE_KM else "under 0.1 miles"


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
    return Markup("\n").join(Markup("<p>{}</p>").format(p) for p in str(text).split("\n\n") if p.strip())


def json_ld(data: Any) -> Markup:
    """JSON for a <script type="application/ld+json">: `<`, `>` and `&` escaped so data cannot end the script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: the C encoder, 10x faster
    return Markup(text.translate(_JSON_ESCAPES))


def fill(pattern: str, values: dict[str, str]) -> str:
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(values[m.group(1)]), " ".join(pattern.split()))


def fit_title(text: str) -> str:
    """Shorten a title over 60 characters by dropping its ` | ...` tail, then its `, County`."""
    if len(text) > TITLE_MAX and " | " in text:
        text = text.rsplit(" | ", 1)[0]
    if len(text) > TITLE_MAX and ", " in text:
        text = text.rsplit(", ", 1)[0]
    return text


def fit_description(text: str) -> str:
    if len(text) <= DESCRIPTION_MAX:
        return text
    cut = text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


class Renderer:
    """Renders pages of one project; shared context is computed once."""

    def __init__(self, project: Project, plan: Plan, templates: Path, env: jinja2.Environment | None = None):
        """`env`: a Jinja2 environment made by `make_environment(templates)` that may be used again (its compiled
        templates are kept): only while the template files are the ones it compiled."""
        self.project, self.plan, self.templates = project, plan, templates
        self.env = env or make_environment(templates)
        self._template_cache: dict[str, tuple[str, tuple[str, ...]]] = {}
        self._served: dict[str, tuple[list[Reach], list[str]]] = {}
        self._area_treatments: dict[str, list[tuple[Treatment, Reach]]] = {}
        site = project.site
        self.premises = {p.id: p for p in site.premises}
        self.demoted: dict[str, str] = {}   # URL path -> hub path: pages the checks demoted (noindex, canonical)
        self.base = {
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

    def _collect(self, name: str, sources: dict[str, str], variables: set[str]) -> None:
        if name in sources:
            return
        try:
            source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
            _template_meta(self.env, name, source)   # a syntax error is raised here
        except jinja2.TemplateNotFound:
            sources[name] = "<missing>"
            return
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(_relative(exc.filename, self.templates) or f"templates/{name}", exc.lineno,
                                  exc.message or "syntax error") from exc
        sources[name] = source
        found, refs = _template_meta(self.env, name, source)
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

    def area_treatments(self, area: str) -> list[tuple[Treatment, Reach]]:
        """The treatments offered to an area, by name, with its reach (computed once per area)."""
        if area not in self._area_treatments:
            self._area_treatments[area] = [(self.project.treatment(s), r) for s, r in self.plan.areas[area]]
        return self._area_treatments[area]

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
        if page.reach:
            near = self.premises[page.reach.premises]
            values.update(locality=near.address.locality, distance=km_text(page.reach.km),
                          direction="from the centre" if page.reach.here else opposite(page.reach.direction))
            ctx["reach"], ctx["near_premises"] = page.reach, near
            ctx["neighbours"] = [(p.location(n.location), n) for n in page.neighbours]
        kind = {PageKind.NOT_FOUND: PageKind.HOME, PageKind.AREAS: PageKind.HOME}.get(page.kind, page.kind)
        title = fit_title(fill(p.site.titles[kind], values))
        description = fit_description(fill(p.site.descriptions[kind], values))
        if page.kind == PageKind.AREAS:
            title, description = fit_title(f"Areas we serve | {p.site.name}"), fit_description(
                f"The towns and villages that {p.site.name} in {values['locality']}, {first.address.region} serves, "
                "with the distance from the clinic and the treatments offered to each.")
        if page.kind == PageKind.NOT_FOUND:
            title = f"Page not found | {p.site.name}"
        crumbs = self.breadcrumbs(page)
        ctx.update(
            page=page, treatment=treatment, location=location, title=title, description=description,
            canonical=self.url(self.demoted.get(page.url_path, page.url_path)), breadcrumbs=crumbs,
            demoted=page.url_path in self.demoted,
            disclaimers=[(i, p.site.disclaimers[i]) for i in page_disclaimers(p, page)],
            faqs=self.faqs(page, treatment, location),
        )
        ctx["jsonld"] = json_ld(self.structured_data(page, ctx, served_names))
        return ctx

    def faqs(self, page: Page, treatment: Treatment | None, location) -> list[tuple[str, str]]:
        if page.kind == PageKind.TREATMENT and treatment:
            return [(f.question, f.answer) for f in treatment.faqs]
        if page.kind == PageKind.LANDING and treatment and location and page.reach:
            near = self.premises[page.reach.premises]
            r = page.reach
            town = near.address.locality
            qa = [(f"How far is the clinic from {location.name}?",
                   f"Our {town} clinic is in {location.name} itself." if r.here else
                   f"Our {town} clinic is about {km_text(r.km)} ({miles_text(r.km)}) {opposite(r.direction)} of "
                   f"{location.name}, measured in a straight line.")]
            if location.nearest_station:
                qa.append((f"Which station serves {location.name}?",
                           station_text(location.name, location.nearest_station)))
            qa.append((f"Who can have {treatment.name.lower()}?",
                       f"{treatment.name} are available only to adults aged {treatment.minimum_age} and over, after "
                       "a face-to-face consultation." if treatment.name.endswith("s") else
                       f"{treatment.name} is available only to adults aged {treatment.minimum_age} and over, after "
                       "a face-to-face consultation."))
            return qa
        return []

    def structured_data(self, page: Page, ctx: dict[str, Any], served_names: list[str]) -> dict[str, Any]:
        near = ctx.get("near_premises") or self.project.site.premises[0]
        graph: list[dict[str, Any]] = [self.clinic_ld(near, served_names)]
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


_DAY_URI = {d: f"https://schema.org/{n}" for d, n in zip(
    ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"),
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))}


@functools.lru_cache(maxsize=512)
def _template_meta(env: jinja2.Environment, name: str, source: str) -> tuple[frozenset[str], tuple[str | None, ...]]:
    """The variables a template's own source reads from its context, and the templates it extends or includes
    (None for a name computed while rendering). Worked out once per source text: the preview asks at every save,
    and parsing is most of the cost."""
    ast = env.parse(source, name)
    return frozenset(meta.find_undeclared_variables(ast)), tuple(meta.find_referenced_templates(ast))


def _relative(filename: str | None, templates: Path) -> str | None:
    if not filename:
        return None
    try:
        return str(Path("templates") / Path(filename).resolve().relative_to(templates.resolve()))
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
