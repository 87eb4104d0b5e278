"""What the generator knows about each page it made: the records behind it, what it must say, where it belongs.

`check` compares every built page with these facts (consistency, required disclaimers, waivers, demotion);
`audit` of a folder that clinic-pages did not make has no facts and skips those checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.data import Placeholder
from generator.model import PageKind, Premises, Project
from generator.plan import Plan, offer_sharers, page_disclaimers, placed_units, premises_for, written_units

# The order in which thin pages are judged and demoted: the most specific pages first, hubs last.
KIND_RANK = {PageKind.LANDING: 0, PageKind.AREA: 1, PageKind.TREATMENT: 2, PageKind.AREAS: 3, PageKind.HOME: 4,
             PageKind.NOT_FOUND: 5}


@dataclass(frozen=True)
class PageWaiver:
    rule: str
    reason: str
    origin: str          # "treatments.yaml:120: treatments[3].waivers[0]" or "site.yaml:80: checks.waivers[1]"


@dataclass(frozen=True)
class PageFacts:
    url_path: str
    file: str
    kind: PageKind
    canonical: str                       # the page's own absolute URL
    indexable: bool                      # made indexable by the plan (the 404 page is not)
    hub: str                             # where a demoted page points its canonical: its treatment, or /areas/
    treatment: str | None = None         # names, as shown
    area: str | None = None
    county: str | None = None
    premises: Premises | None = None
    disclaimers: tuple[tuple[str, str], ...] = ()    # (id, text) that must be visible
    waivers: tuple[PageWaiver, ...] = ()
    location: str | None = None          # slugs, for consistency of the URL
    treatment_slug: str | None = None
    own: tuple[str, ...] = ()            # what on it is written for it alone (plan.own_sources)
    own_text: tuple[str, ...] | None = None   # that text (a local page's only text that can be its own)
    unplaced: int = 0                    # units of text written for it that name no place (plan.written_units)
    offer_peers: tuple[str, ...] = ()    # the other pages with nothing written for them that show its offer, which
                                         # is then none's own (plan.offer_sharers)

    @property
    def rank(self) -> int:
        return KIND_RANK.get(self.kind, 0)


@dataclass
class SiteFacts:
    base_url: str
    clinic: str
    pages: dict[str, PageFacts]                        # by URL path
    disclaimer_texts: list[str] = field(default_factory=list)   # the whole library: claims never fire inside
    sitemap: set[str] | None = None                    # absolute URLs in the sitemap, when known
    area_names: tuple[str, ...] = ()
    inserted: tuple[str, ...] = ()       # every name the generator inserts into pages (masked when comparing)
    skipped: dict[str, PageFacts] = field(default_factory=dict)   # pages not built (policy skip), by URL path


def site_facts(project: Project, plan: Plan) -> SiteFacts:
    """The facts of every planned page, from the validated records and the plan."""
    site = project.site
    base = str(site.base_url)
    premises = {p.id: p for p in site.premises}
    site_waivers = tuple(_site_waivers(site.checks))
    pages: dict[str, PageFacts] = {}
    hubs: dict[str, str] = {}   # each hub's address kept once for 100,000 pages
    by_page: dict[str, list[PageWaiver]] = {}
    for w in site_waivers:
        by_page.setdefault(w.origin_page, []).append(PageWaiver(w.rule, w.reason, w.origin))
    per_treatment: dict[tuple[str | None, bool], tuple] = {}   # what every page of a treatment (and kind) shares
    sharers = offer_sharers(project, list(plan.pages + plan.skipped))
    for page in plan.pages + plan.skipped:
        treatment = project.treatment(page.treatment) if page.treatment else None
        location = project.location(page.location) if page.location else None
        if page.reach:
            near = premises[page.reach.premises]
        elif location is not None and page.location in plan.areas:
            near = premises[plan.nearest[page.location].premises]
        elif treatment is not None:   # its hub: the premises that offer it (as the page shows them)
            near = premises_for(project, treatment.slug)[0]
        else:
            near = site.premises[0]
        key = (page.treatment, page.kind == PageKind.NOT_FOUND)
        if key not in per_treatment:
            ids = page_disclaimers(project, page)
            waived = tuple(PageWaiver(w.rule, w.reason, f"treatments.yaml:{w.line or treatment.line}: treatment "
                                      f"`{treatment.slug}` waivers") for w in treatment.waivers) if treatment else ()
            per_treatment[key] = (tuple((i, site.disclaimers[i]) for i in ids), waived)
        disclaimers, waived = per_treatment[key]
        own = tuple(by_page.get(page.url_path, ())) + waived
        hub = f"/{treatment.slug}/" if treatment and page.kind == PageKind.LANDING else "/areas/" \
            if page.kind == PageKind.AREA \
            else "/"
        hub = hubs.setdefault(hub, hub)
        every = written_units(page.kind, location, page.treatment, None)
        placed = placed_units(page.kind, every, plan.places)
        pages[page.url_path] = PageFacts(
            url_path=page.url_path, file=page.file, kind=page.kind, canonical=f"{base}{page.url_path}",
            indexable=page.indexable, hub=hub,
            treatment=treatment.name if treatment else None, area=location.name if location else None,
            county=location.county if location else None, premises=near,
            disclaimers=disclaimers, waivers=own,
            location=location.slug if location else None, treatment_slug=treatment.slug if treatment else None,
            own=page.own, own_text=written_text(page.kind, location, page.treatment, plan.places, placed),
            unplaced=len(every) - len(placed), offer_peers=sharers.get(page.url_path, ()),
        )
    skipped = {p.url_path: pages.pop(p.url_path) for p in plan.skipped}
    return SiteFacts(base_url=base, clinic=site.name, pages=pages,
                     disclaimer_texts=list(site.disclaimers.values()),
                     area_names=tuple(sorted({loc.name for loc in project.locations})),
                     inserted=inserted_names(project), skipped=skipped)


def written_text(kind: PageKind, location, treatment: str | None, places=None,
                 placed: tuple[tuple[str, ...], ...] | None = None) -> tuple[str, ...] | None:
    """The text written for a local page alone, as it shows it (plan.written_units: on a landing page, only what
    names a place): for a landing page, its treatment's text in its area (`landing_pages`); for an area page, the
    area's notes and questions. None for the other pages, all of whose text is theirs (a treatment's guide, the
    home page). `placed`: the landing page's units that name a place, when already known."""
    if kind == PageKind.LANDING and location is not None and treatment:
        if placed is None:
            placed = written_units(PageKind.LANDING, location, treatment, places)
        return tuple(t for unit in placed for t in unit)
    if kind == PageKind.AREA and location is not None:
        return (location.notes or "",) + tuple(t for f in location.faqs for t in (f.question, f.answer))
    return None


def inserted_names(project: Project) -> tuple[str, ...]:
    """The names the generator inserts into pages (places, counties, stations, the premises' towns, treatments,
    practitioners): the values that make two pages look different without making them so."""
    site = project.site
    names = {n for loc in project.locations for n in (loc.name, loc.county, loc.nearest_station) if n}
    names |= {n for p in site.premises for n in (p.address.locality, p.address.region)}
    names |= {t.name for t in project.treatments}
    names |= {p.name for p in site.practitioners}
    return tuple(sorted(n for n in names if isinstance(n, str) and not is_placeholder(n)))


@dataclass(frozen=True)
class _SiteWaiver:
    origin_page: str
    rule: str
    reason: str
    origin: str


def _site_waivers(checks) -> list[_SiteWaiver]:
    """Waivers written in site.yaml `checks.waivers` (validated by the model)."""
    found = []
    for i, w in enumerate(getattr(checks, "waivers", ()) or ()):
        found.append(_SiteWaiver(w.page, w.rule, w.reason, f"site.yaml:{w.line}: checks.waivers[{i}]"
                                 if w.line else f"site.yaml: checks.waivers[{i}]"))
    return found


def is_placeholder(value) -> bool:
    return isinstance(value, Placeholder)
