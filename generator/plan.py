"""Which pages exist, what each one shows, and exactly which records and templates it depends on."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from functools import cached_property

from generator.data import Placeholder
from generator.geo import KM_PER_MILE, bearing_deg, compass_point, distance_km, haversine
from generator.language import DAYS, HERE_KM
from generator.model import Location, PageKind, Premises, Project, Site, Treatment
from generator.text import APOSTROPHES, WORD_PART

NEIGHBOURS = 5  # nearby areas linked from each landing page


@dataclass(frozen=True, repr=False)
class Reach:
    """How an area relates to the nearest premises that offers a treatment: the page's local facts."""

    location: str        # location slug
    premises: str        # premises id
    km: float
    direction: str       # compass point from the premises to the area ("south-west")

    @property
    def miles(self) -> float:
        return self.km / KM_PER_MILE

    @property
    def here(self) -> bool:
        """The premises stands at the area's own map point (under 0.05 km): "0.0 km north" would say nothing true,
        so pages say the clinic is in the area instead."""
        return self.km < HERE_KM

    def __repr__(self) -> str:  # hashed for every page of every build: keep it cheap
        return self._repr

    @cached_property
    def _repr(self) -> str:   # once per object: 10,000 pages name 1,500 reaches 60,000 times
        return f"Reach({self.location!r}, {self.premises!r}, {self.km!r}, {self.direction!r})"


@dataclass(frozen=True, repr=False, slots=True)
class Page:
    """One output page: where it goes, which template draws it, and what it depends on. (Slots: a site of 100,000
    pages keeps as many, in the plan the preview keeps between saves.)"""

    kind: PageKind
    url_path: str                  # "/jaw-fillers/east-horsley/"
    file: str                      # "jaw-fillers/east-horsley/index.html"
    template: str
    treatment: str | None = None
    location: str | None = None
    reach: Reach | None = None
    neighbours: tuple[Reach, ...] = ()
    deps: tuple[str, ...] = ()     # record keys, see `fingerprints` below
    indexable: bool = True
    own: tuple[str, ...] = ()      # what on it is written for it alone (see `own_sources`)

    def __repr__(self) -> str:  # every field, generically (so a new field joins the page's digest), but fast
        return "Page(" + ", ".join(repr(getattr(self, name)) for name in _PAGE_FIELDS) + ")"


_PAGE_FIELDS = tuple(Page.__dataclass_fields__)


@dataclass(frozen=True)
class Plan:
    pages: tuple[Page, ...]
    served: dict[str, tuple[Reach, ...]]          # treatment slug -> areas served, nearest first
    areas: dict[str, tuple[tuple[str, Reach], ...]]  # location slug -> (treatment slug, reach), by name
    nearest: dict[str, Reach]                     # location slug -> its nearest premises offering any treatment
    skipped: tuple[Page, ...] = ()                # pages with nothing of their own, not built (policy `skip`)
    places: Places | None = None                  # the places the project knows (`known_places`)
    drawn: Drawn | None = field(default=None, compare=False, repr=False)   # what the next plan may start from

    def page(self, url_path: str) -> Page:
        return next(p for p in self.pages if p.url_path == url_path)


@dataclass(frozen=True)
class Drawn:
    """What a plan was drawn from, so that the next plan can start from it (`plan_site(project, last)`): the
    records, and every page before offers were credited (`credit_offers`) and doorways skipped."""

    site: Site
    treatments: tuple[Treatment, ...]
    locations: tuple[Location, ...]
    pages: tuple[Page, ...]


# What the plan reads of a treatment record: a change to any other field (its texts, price, pictures) leaves the
# plan as it was. Of a place, every field but its own text (`own_sources`: drawn again) and where it stands in
# its file counts.
TREATMENT_PLANNED = ("slug", "name", "related")
LOCATION_TEXT = ("notes", "faqs", "landing_pages", "line")


def premises_for(project: Project, treatment: str) -> list[Premises]:
    return [p for p in project.site.premises if p.treatments is None or treatment in p.treatments]


def page_disclaimers(project: Project, page: Page) -> tuple[str, ...]:
    """The ids of the disclaimers a page shows: the site's required ones, then its treatment's own; none on the
    404 page. (The pages show them; `check` requires them.)"""
    if page.kind == PageKind.NOT_FOUND:
        return ()
    ids = list(project.site.required_disclaimers)
    if page.treatment:
        ids += [d for d in project.treatment(page.treatment).disclaimers if d not in ids]
    return tuple(ids)


def reach_of(location: Location, premises: list[Premises]) -> Reach | None:
    """The nearest premises to a location, or None when no premises offers the treatment."""
    best = None
    for p in premises:
        km = distance_km(p.lat, p.lon, location.lat, location.lon)
        if best is None or (km, p.id) < (best.km, best.premises):
            direction = compass_point(bearing_deg(p.lat, p.lon, location.lat, location.lon))
            best = Reach(location.slug, p.id, km, direction)
    return best


def neighbour_table(project: Project, served: tuple[Reach, ...]) -> dict[str, tuple[Reach, ...]]:
    """For every served area, the nearest other served areas, with distance and direction from it.

    Distances are compared as a matrix with numpy, a block of rows at a time, so that 1,000 areas take
    milliseconds rather than a million Python-level haversines; ties go to the slug first in the alphabet.
    """
    import numpy as np

    slugs = sorted(r.location for r in served)
    premises = {r.location: r.premises for r in served}
    places = [project.location(s) for s in slugs]
    lat = np.radians([p.lat for p in places])
    lon = np.radians([p.lon for p in places])
    table: dict[str, tuple[Reach, ...]] = {}
    block = 512
    for start in range(0, len(slugs), block):
        rows = slice(start, start + block)
        h = haversine(lat[rows, None], lat[None, :], lon[None, :] - lon[rows, None], np.sin, np.cos)
        for i, row in enumerate(h, start):
            row[i] = np.inf
            order = np.argsort(row, kind="stable")[:NEIGHBOURS]   # slugs are sorted: equal rows keep that order
            origin = places[i]
            found = []
            for j in order.tolist():
                if not np.isfinite(row[j]):
                    break
                other = places[j]
                km = distance_km(origin.lat, origin.lon, other.lat, other.lon)
                direction = compass_point(bearing_deg(origin.lat, origin.lon, other.lat, other.lon))
                found.append(Reach(other.slug, premises[other.slug], km, direction))
            table[origin.slug] = tuple(found)
    return table


SITE_DEPS = ("site", "index:treatments", "attribution", "images")
DOORWAY_RULE = "duplicates.doorway"   # a local page with nothing written for it alone


# A name's words are split at every other mark, apostrophes and hyphens too (not as generator/text.py WORD or the
# duplicate check's words): "Walton-on-Thames" and "Walton on Thames" are one name here, and `Places._pattern`
# finds names with `\b`, at whose bounds these, the word characters of `re` without "_", end a word.
_NAME_WORD = re.compile(WORD_PART)
# A possessive 's, one expression for each apostrophe: one that starts with its character is searched for at C speed
# (one that starts with a set of characters is tried at every letter), and only in text that holds that apostrophe:
# `_words_text` of 10,000 notes, 262 M instructions before, 73 M after (callgrind).
_POSSESSIVES = tuple((apostrophe, re.compile(re.escape(apostrophe) + r"s\b")) for apostrophe in APOSTROPHES)


def _name_words(text: str) -> list[str]:
    """Words for matching names: lower case, without a possessive 's ("Esher's" names Esher), hyphens and other
    marks as spaces."""
    return _NAME_WORD.findall(_words_text(text))


@dataclass(frozen=True)
class Places:
    """The places a project knows, to find in text: its places' names (published or not), their stations and the
    premises' towns. Case, a possessive 's ("Esher's") and a space or hyphen between the words of a name are not
    told apart."""

    by_first: dict[str, tuple[tuple[str, ...], ...]]   # first word -> the rest of each name that starts with it
    seen: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)   # the plan and the checks ask

    def named_in(self, text: str) -> bool:
        """Whether the words of a name stand one after another among the text's words (`_name_words`)."""
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = self._pattern.search(_words_text(text)) is not None
        return found

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        """The names as one expression that the text is searched with once, in C, stopping at the first name (10,000
        landing pages' notes: 0.35 s of CPU as Python loops over their words): the names' words as a tree of their
        letters (a long list of alternatives would be tried one by one at every letter of the text), between word
        boundaries, with any run of other marks between the words. On `_words_text`, whose word characters are
        exactly `_name_words`'s, this finds what a search of the word list would."""
        names = sorted(" ".join((first, *rest)) for first, rests in self.by_first.items() for rest in rests)
        if not names:
            return re.compile(r"(?!)")
        return re.compile(r"\b(?:" + _trie_expression(names) + r")\b")


def _words_text(text: str) -> str:
    """The text as `named_in` searches it: lower case, without possessive 's, and `_` (a word character to `re`, a
    mark between words to `_name_words`) as a space."""
    words = text.lower()
    for apostrophe, possessive in _POSSESSIVES:
        if apostrophe in words:
            words = possessive.sub("", words)
    return words.replace("_", " ")


def _trie_expression(names: list[str]) -> str:
    """One expression for sorted names of lower-case words joined by single spaces, which match any run of
    non-word characters; alternatives that share a start share its letters, so each letter of the text is tried
    against a few branches only."""
    tree: dict[str, dict] = {}
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}   # a name ends here

    def expression(node: dict[str, dict]) -> str:
        branches = []
        for char in sorted(node):
            if char == "":
                continue
            head = r"\W+" if char == " " else re.escape(char)
            branches.append(head + expression(node[char]))
        if "" in node:   # a name ends here, and may go on
            return "(?:" + "|".join(branches) + ")?" if branches else ""
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return expression(tree)


def known_places(project: Project) -> Places:
    names = {loc.name for loc in project.locations} | {loc.nearest_station for loc in project.locations
                                                       if loc.nearest_station}
    names |= {p.address.locality for p in project.site.premises}
    by_first: dict[str, set[tuple[str, ...]]] = {}
    for name in names:
        words = _name_words(name)
        if words:
            by_first.setdefault(words[0], set()).add(tuple(words[1:]))
    places = Places({first: tuple(sorted(by_first[first])) for first in sorted(by_first)})
    if _LAST_PLACES and _LAST_PLACES[0].by_first == places.by_first:
        return _LAST_PLACES[0]   # with what it found in the text of the pages planned before
    _LAST_PLACES[:] = [places]
    return places


# The places of the last plan: the preview plans again at every save, and the same names find the same places in
# the same text (the text written for 10,000 landing pages, searched again at each save: 0.3 s)
_LAST_PLACES: list[Places] = []


def forget() -> None:
    """Drop the places of the last plan (`known_places`): the next plan finds them afresh in the text."""
    _LAST_PLACES.clear()


def written_units(kind: PageKind, location: Location | None, treatment: str | None,
                  places: Places | None) -> tuple[tuple[str, ...], ...]:
    """The text written for a local page alone, in the units it was written in (a note; a question with its
    answer), as `locations.yaml` gives it: for a landing page, its treatment's text in its area (`landing_pages`);
    for an area page, the area's notes and questions.

    On a landing page, a unit that names no place the project knows (`places`: not its area, nor another place, a
    station or the clinic's town) is left out: it is about the treatment in general, not about it for people from
    one place, and such text written afresh for page after page is the scaled content of Google's spam policies,
    which belongs in the treatment's guide. (An area page's notes often say where the clinic is without naming the
    town, and are judged on all their text.)"""
    if location is None:
        return ()
    if kind == PageKind.LANDING and treatment is not None:
        pair = location.pair(treatment)
        if pair is None:
            return ()
        units: tuple[tuple[str, ...], ...] = ((pair.note,),) if pair.note else ()
        units += tuple((f.question, f.answer) for f in pair.faqs)
        return placed_units(kind, units, places)
    if kind == PageKind.AREA:
        units = ((location.notes,),) if location.notes else ()
        return units + tuple((f.question, f.answer) for f in location.faqs)
    return ()


def placed_units(kind: PageKind, units: tuple[tuple[str, ...], ...],
                 places: Places | None) -> tuple[tuple[str, ...], ...]:
    """Of the units of text written for a page (`written_units` without `places`), those that count: on a landing
    page, those that name a place the project knows (all, without `places`); on an area page, all."""
    if places is None or kind != PageKind.LANDING:
        return units
    return tuple(u for u in units if any(places.named_in(text) for text in u))


def own_sources(kind: PageKind, location: Location | None, treatment: str | None,
                places: Places | None = None) -> tuple[str, ...]:
    """What on a local page is written for it alone, rather than repeated from records that have pages of their
    own (the treatment's guide, the area's page, the site): "pair" for a landing page with text written for its
    treatment in its area (locations.yaml `landing_pages`) that names a place (`written_units`), "area" for an
    area page with notes or questions of its own. A landing or area page without any adds nothing to the site's
    other pages (the check holds it back).

    A landing page may also have its offer as its own ("offer"): see `credit_offers`, which needs every page.
    """
    if kind in (PageKind.LANDING, PageKind.AREA) and written_units(kind, location, treatment, places):
        return ("pair",) if kind == PageKind.LANDING else ("area",)
    return ()


@dataclass(frozen=True)
class Offer:
    """What a landing page offers besides its text, from the records that say who gives its treatment where: the
    premises that serves the pair (its address), who gives the treatment there and on which days. Only what the data
    says: a value still marked `!placeholder` is None (unknown, so never a difference). Not its phone number, email or
    name: a premises that differs only by those offers what the other offers."""

    address: tuple[str | None, ...]               # street, locality, postcode
    people: tuple[tuple[str, tuple[str, ...]], ...]   # (name, days there) of each who gives the treatment there
    days: tuple[str, ...]                         # the days it is given there: the people's, else the opening days

    def same_as(self, other: Offer) -> bool:
        """Whether the pages could not show a difference: every part of the address given in both is the same (a
        part still unknown is no difference), and the same people give it on the same days."""
        return (all(a == b for a, b in zip(self.address, other.address, strict=True) if a is not None and b is not None)
                and (self.people, self.days) == (other.people, other.days))


def _given(value: object) -> str | None:
    return value if isinstance(value, str) and not isinstance(value, Placeholder) else None


def offer_of(project: Project, treatment: str, premises: Premises) -> Offer:
    """The offer of a treatment at a premises (`Offer`)."""
    people: list[tuple[str, tuple[str, ...]]] = []
    stated: set[str] = set()
    for person in project.site.practitioners:
        if not person.provides(treatment):
            continue
        there = [w for w in person.works_at if w.premises == premises.id] if person.works_at is not None else None
        if there == []:
            continue
        days = {d for w in there for d in w.days} if there else set()
        stated |= days
        name = _given(person.name)
        if name is not None:
            people.append((name, tuple(d for d in DAYS if d in days)))
    opening = stated or {d for hours in premises.opening_hours for d in hours.days}
    address = premises.address
    return Offer((_given(address.street), _given(address.locality), _given(address.postcode)),
                 tuple(sorted(people)), tuple(d for d in DAYS if d in opening))


def offer_groups(project: Project, pages: list[Page]) -> list[list[int]]:
    """The landing pages (indices into `pages`) of each offer worth a page: for each treatment whose landing pages
    show more than one offer (another premises, another practitioner, other days: a different clinic is a different
    page), the pages of each offer that is not the guide's (the one at the first premises of site.yaml that gives the
    treatment, where the guide books first: a page with that offer repeats the guide)."""
    premises = {p.id: p for p in project.site.premises}
    by_premises: dict[str, dict[str, list[int]]] = {}   # treatment -> premises id -> its landing pages
    for i, page in enumerate(pages):
        if page.kind == PageKind.LANDING and page.reach is not None and page.treatment is not None:
            by_premises.setdefault(page.treatment, {}).setdefault(page.reach.premises, []).append(i)
    found = []
    for treatment, served in by_premises.items():
        if len(served) < 2:   # one premises serves every landing page of the treatment: its guide's offer
            continue
        groups: list[tuple[list[Offer], list[int]]] = []   # premises whose offers cannot be told apart, merged
        for pid in sorted(served):
            offer = offer_of(project, treatment, premises[pid])
            alike = [g for g in groups if any(offer.same_as(o) for o in g[0])]
            merged = ([offer] + [o for g in alike for o in g[0]], served[pid] + [i for g in alike for i in g[1]])
            groups = [g for g in groups if g not in alike] + [merged]
        if len(groups) < 2:
            continue
        guide = offer_of(project, treatment, premises_for(project, treatment)[0])   # its first premises'
        found += [sorted(members) for offers, members in groups if not any(guide.same_as(o) for o in offers)]
    return found


def credit_offers(project: Project, pages: list[Page]) -> None:
    """Give a landing page its offer as what it has of its own ("offer"), where the offer is worth a page
    (`offer_groups`) and it is the only one of the pages with that offer that has no text written for it. Several
    such pages share the offer, and none has it as its own (as two pages that share a note are held back together);
    a page with text of its own stands on that text, not on the offer."""
    for members in offer_groups(project, pages):
        plain = [i for i in members if not pages[i].own]
        if len(plain) == 1:
            pages[plain[0]] = replace(pages[plain[0]], own=("offer",))


def offer_sharers(project: Project, pages: list[Page]) -> dict[str, tuple[str, ...]]:
    """For each landing page with nothing written for it that shares an offer worth a page with other such pages
    (so none of them has it as its own), the URL paths of those others."""
    out: dict[str, tuple[str, ...]] = {}
    for members in offer_groups(project, pages):
        plain = [pages[i].url_path for i in members if not pages[i].own]
        if len(plain) > 1:
            out.update({url: tuple(u for u in plain if u != url) for url in plain})
    return out


def skips_doorways(project: Project) -> bool:
    """Whether site.yaml says pages with nothing of their own are not built at all (`duplicates.doorway: skip`)."""
    policies = project.site.checks.policies
    return (policies.get(DOORWAY_RULE) or policies.get("duplicates")) == "skip"


def plan_site(project: Project, last: Plan | None = None) -> Plan:
    """Every page of the site, in a stable order. `last`: the plan of the same project before a save (the
    preview's), which the plan starts from where the save leaves it valid (`_replanned`); the plan is the same.
    """
    if last is not None:
        replanned = _replanned(project, last)
        if replanned is not None:
            return replanned
    radius = project.site.service_radius_km
    places = known_places(project)
    served: dict[str, tuple[Reach, ...]] = {}
    offered_by: dict[str, tuple[str, ...]] = {}
    by_premises: dict[tuple[str, ...], tuple[Reach, ...]] = {}  # treatments from the same premises share areas
    for t in project.treatments:
        offering = premises_for(project, t.slug)
        ids = offered_by[t.slug] = tuple(p.id for p in offering)
        if ids not in by_premises:
            reaches = [reach_of(loc, offering) for loc in project.locations if loc.publish]
            by_premises[ids] = tuple(sorted((r for r in reaches if r and r.km <= radius),
                                            key=lambda r: (r.km, r.location)))
        served[t.slug] = by_premises[ids]

    by_area: dict[str, list[tuple[str, Reach]]] = {}
    for t in project.treatments:
        for r in served[t.slug]:
            by_area.setdefault(r.location, []).append((t.slug, r))

    pages: list[Page] = [
        Page(PageKind.HOME, "/", "index.html", "home.html", deps=SITE_DEPS + ("index:areas",)),
        Page(PageKind.AREAS, "/areas/", "areas/index.html", "areas.html", deps=SITE_DEPS + ("index:areas",)),
        Page(PageKind.NOT_FOUND, "/404.html", "404.html", "404.html", deps=SITE_DEPS, indexable=False),
    ]
    for t in project.treatments:
        pages.append(Page(PageKind.TREATMENT, f"/{t.slug}/", f"{t.slug}/index.html", "treatment.html", treatment=t.slug,
                          deps=SITE_DEPS + (f"treatment:{t.slug}", "index:areas")
                          + tuple(f"treatment:{r}" for r in t.related)))
    for loc in sorted((project.location(s) for s in by_area), key=lambda loc: loc.slug):
        pages.append(Page(PageKind.AREA, f"/areas/{loc.slug}/", f"areas/{loc.slug}/index.html", "area.html",
                          location=loc.slug, deps=SITE_DEPS + (f"location:{loc.slug}", "index:areas")
                          + tuple(f"card:{slug}" for slug, _ in by_area[loc.slug]),   # its treatments' prices
                          own=own_sources(PageKind.AREA, loc, None, places)))
    tables: dict[tuple[str, ...], dict[str, tuple[Reach, ...]]] = {}   # one per set of premises
    local_deps: dict[tuple[str, ...], dict[str, tuple[str, ...]]] = {}
    for t in project.treatments:
        ids = offered_by[t.slug]
        if ids not in tables:
            tables[ids] = neighbour_table(project, served[t.slug])
        table = tables[ids]
        if ids not in local_deps:
            local_deps[ids] = {slug: (f"location:{slug}",) + tuple(f"location:{n.location}" for n in near)
                               for slug, near in table.items()}
        deps, local = SITE_DEPS + (f"treatment:{t.slug}",), local_deps[ids]
        for r in served[t.slug]:
            location = project.location(r.location)
            own = own_sources(PageKind.LANDING, location, t.slug, places)
            pages.append(Page(
                PageKind.LANDING, f"/{t.slug}/{r.location}/", f"{t.slug}/{r.location}/index.html", "landing.html",
                treatment=t.slug, location=r.location, reach=r, neighbours=table[r.location],
                deps=deps + local[r.location] + _pair_dep(location, t.slug), own=own,
            ))
    areas = {slug: tuple(sorted(items, key=lambda it: project.treatment(it[0]).name))
             for slug, items in by_area.items()}
    nearest = {slug: min((r for _, r in items), key=lambda r: (r.km, r.premises)) for slug, items in areas.items()}
    return _finished(project, pages, served, areas, nearest, places)


def _pair_dep(location: Location, treatment: str) -> tuple[str, ...]:
    """The record of the text written for a treatment in a place, which its landing page shows (whether or not
    the text counts as the page's own), as the page's last dependency; none when nothing is written."""
    return (f"pair:{treatment}/{location.slug}",) if location.pair(treatment) is not None else ()


def _finished(project: Project, drawn: list[Page], served: dict[str, tuple[Reach, ...]],
              areas: dict[str, tuple[tuple[str, Reach], ...]], nearest: dict[str, Reach], places: Places) -> Plan:
    """The plan of the pages drawn: offers credited, doorways skipped under the `skip` policy."""
    pages = list(drawn)
    credit_offers(project, pages)
    skipped: tuple[Page, ...] = ()
    if skips_doorways(project):
        waived = {w.page for w in project.site.checks.waivers if w.rule == DOORWAY_RULE}
        skipped = tuple(p for p in pages if p.kind in (PageKind.LANDING, PageKind.AREA) and not p.own
                        and p.url_path not in waived)
        gone = {p.url_path for p in skipped}
        pages = [p for p in pages if p.url_path not in gone]
    return Plan(tuple(pages), served, areas, nearest, skipped, places,
                Drawn(project.site, project.treatments, project.locations, tuple(drawn)))


def _same(new: object, old: object, names) -> bool:
    """Whether two records hold the same values in the fields `names` (a value marked !placeholder is not the
    same as the plain text)."""
    return all(type(a := getattr(new, n)) is type(b := getattr(old, n)) and a == b for n in names)


def _replanned(project: Project, last: Plan) -> Plan | None:
    """The plan of `project` drawn from `last`, the plan of the same project before a save, when the save changed
    only what the pages' plan does not read (a treatment's texts, price, ...) or a place's own text (its pages'
    `own` drawn again); None when the plan must be drawn afresh (site.yaml, a place added, removed or moved, a
    treatment renamed, ...)."""
    drawn = last.drawn
    if (drawn is None or last.places is None or project.site is not drawn.site
            or len(project.treatments) != len(drawn.treatments) or len(project.locations) != len(drawn.locations)):
        return None
    for t, old_t in zip(project.treatments, drawn.treatments, strict=True):
        if t is not old_t and not _same(t, old_t, TREATMENT_PLANNED):
            return None
    changed: dict[str, Location] = {}
    for loc, old_loc in zip(project.locations, drawn.locations, strict=True):
        if loc is not old_loc:
            if not _same(loc, old_loc, [n for n in loc.__dataclass_fields__ if n not in LOCATION_TEXT]):
                return None
            changed[loc.slug] = loc
    if not changed:
        return replace(last, drawn=Drawn(project.site, project.treatments, project.locations, drawn.pages))
    pages = list(drawn.pages)
    for i, page in enumerate(pages):
        place = changed.get(page.location) if page.location is not None else None
        if place is None:
            continue
        own = own_sources(page.kind, place, page.treatment, last.places)
        deps = page.deps
        if page.kind == PageKind.LANDING and page.treatment is not None:
            deps = tuple(d for d in deps if not d.startswith("pair:")) + _pair_dep(place, page.treatment)
        if own != page.own or deps != page.deps:
            pages[i] = replace(page, own=own, deps=deps)
    return _finished(project, pages, last.served, last.areas, last.nearest, last.places)


@dataclass(frozen=True)
class Unserved:
    """A published place of locations.yaml that gets no page, and why, in plain words."""

    place: str
    reason: str      # with the file and line: "locations.yaml:7: Hersham gets no pages: it is 54 km ..."
    suspect: bool    # its coordinates look mistaken (a guess at the mistake is in `reason`)


FAR_KM = 100   # a place this far from every premises is more likely a typing mistake than a real place to serve


def unserved_places(project: Project, plan: Plan) -> list[Unserved]:
    """Every place of locations.yaml that is published but gets no page, with why; with a guess at the mistake
    when the coordinates look wrong (a longitude without its minus sign, lat and lon swapped)."""
    radius = project.site.service_radius_km
    premises = list(project.site.premises)
    names = {p.id: p.name for p in premises}
    out = []
    for loc in project.locations:
        if not loc.publish or loc.slug in plan.areas:
            continue
        nearest = reach_of(loc, premises)
        if nearest is None:
            continue
        text = (f"locations.yaml:{loc.line}: {loc.name} gets no pages: it is {_km(nearest.km)} from the nearest "
                f"premises ({names[nearest.premises]}), beyond the {_km(radius)} radius (service_radius_km in "
                "site.yaml)")
        suspect = False
        for guess, lat, lon in (("is the longitude's sign right?", loc.lat, -loc.lon),
                                ("are lat and lon swapped?", loc.lon, loc.lat),
                                ("is the latitude's sign right?", -loc.lat, loc.lon)):
            km = min(distance_km(p.lat, p.lon, lat, lon) for p in premises)
            if km <= radius and -90 <= lat <= 90:
                text += f"; {guess} With lat {lat:g}, lon {lon:g} it would be {_km(km)} away"
                suspect = True
                break
        else:
            if nearest.km > FAR_KM:
                text += "; check its lat and lon, or give site.yaml a premises near it"
                suspect = True
        out.append(Unserved(loc.name, text, suspect))
    return out


def _km(km: float) -> str:
    return f"{km:.0f} km" if km >= 10 else f"{km:.1f} km"


def _digest(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(repr(part).encode())
        h.update(b"\0")
    return h.hexdigest()


def _record(value: object, leave_out: tuple[str, ...] = ()) -> str:
    """Digest of a record's data, leaving out where it stands in its file (moving a record changes nothing)."""
    fields = getattr(value, "__dataclass_fields__", {})
    return _digest(*((k, getattr(value, k)) for k in fields if k != "line" and k not in leave_out))


def fingerprints(project: Project, plan: Plan, code: str) -> dict[str, str]:
    """A digest for every record key that pages depend on (`site`, `treatment:<slug>`, `index:areas`, ...),
    and `code`: the digest of the generator's own code (the build state's `code_digest`), on which every page
    depends (an upgrade renders every page again)."""
    site = project.site
    fps = {"code": code,
           "site": _digest(*((k, getattr(site, k)) for k in site.__dataclass_fields__ if k != "deploy")),
           "attribution": _digest(project.attribution),
           "images": _digest(sorted(project.images.items()))}   # the pictures' sizes and bytes, not only names
    for t in project.treatments:
        fps[f"treatment:{t.slug}"] = _record(t)
        fps[f"card:{t.slug}"] = _digest(t.name, t.price_from)   # what a list of treatments shows of it
    for loc in project.locations:
        fps[f"location:{loc.slug}"] = _record(loc, leave_out=("landing_pages",))   # each pair is its own record
        for treatment, content in loc.landing_pages.items():
            fps[f"pair:{treatment}/{loc.slug}"] = _digest(content)
    fps["treatments:all"] = _digest(*(fps[f"treatment:{t.slug}"] for t in project.treatments))
    fps["locations:all"] = _digest(*(fps[f"location:{loc.slug}"] for loc in project.locations))
    # Every page can name any treatment in a sentence ("Provides lip fillers and a chemical peel"): its grammar too.
    fps["index:treatments"] = _digest(*((t.slug, t.name, t.name_plural, t.name_article, t.name_in_text)
                                        for t in project.treatments))
    served_digest: dict[int, str] = {}   # treatments from the same premises share one tuple of areas
    for reaches in plan.served.values():
        if id(reaches) not in served_digest:
            served_digest[id(reaches)] = _digest(reaches)
    fps["index:areas"] = _digest(
        sorted((t, served_digest[id(r)]) for t, r in plan.served.items()),
        sorted((s, project.location(s).name, project.location(s).county) for s in plan.areas))
    return fps


def page_digest(page: Page, fps: dict[str, str], extra_deps: tuple[str, ...], template: str) -> str:
    """The digest of everything a page's content can depend on: its own plan data, records and templates, and
    the code that renders it."""
    h = hashlib.blake2b(repr(page).encode(), digest_size=16)
    h.update(template.encode())
    for key in sorted({*page.deps, *extra_deps, "index:areas", "code"}):
        h.update(f"\0{key}={fps[key]}".encode())
    return h.hexdigest()
