"""Validate: the data files, as the load phase read them (`data`, `sheets`), checked against the schemas that
`model` declares and then against each other (unique slugs, known references, someone to provide every treatment),
and made into the `Project` the rest of the pipeline reads. Every problem is collected before stopping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.data import (
    DATA_FILES,
    LOCATIONS_FILE,
    SITE_FILE,
    TREATMENTS_FILE,
    Document,
    KeptDocuments,
    ParseCache,
    Placeholder,
    load_document,
    placeholders,
)
from generator.errors import DataError, Problem
from generator.images import ImageInfo, ImageProblem, read_image
from generator.model import (
    MAX_SLUG,
    PATTERN_NAMES,
    RESERVED_SLUGS,
    SCHEMAS,
    CheckSettings,
    PageKind,
    Project,
    slug_of,
)
from generator.paths import first_link, link_problem
from generator.registers import REGISTERS
from generator.schema import construct, construct_splice, describe, schema_of, validate, validate_splice
from generator.sheets import data_files, load_data, present_forms
from generator.text import did_you_mean
from generator.theme import theme_problems


def load_project(root: Path, kept: Kept | None = None) -> Project:
    """Load and validate the three data files; raise DataError with every problem found. `kept`: what the last
    load of this same project left (the preview's, between saves), so that only what changed is read, checked and
    made again; it is updated."""
    root = Path(root)
    if not any(present_forms(root, name.removesuffix(".yaml")) for name in DATA_FILES):
        what = "no such folder" if not root.is_dir() else "no site.yaml, treatments.yaml or locations.yaml here"
        raise DataError([Problem(str(root), None, None, "", f"not a clinic-pages project ({what})",
                                 "run the command in the project folder, or pass --project DIR")])
    docs: dict[str, Document] = {}
    problems: list[Problem] = []
    parsed = ParseCache(root)   # the YAML files as last parsed, by their bytes (locations.yaml: 0.5 s to parse)
    for name, schema in SCHEMAS.items():
        stem = name.removesuffix(".yaml")
        linked = [path.name for path in data_files(root, stem) if first_link(root, path.name)]
        if linked:   # a data file (in any of its forms) that is a symbolic link is never read
            problems += [link_problem(file) for file in linked]
            continue
        doc, found = load_data(root, stem, schema, kept.documents if kept is not None else None, parsed)
        problems += found
        if doc is not None and not found:
            docs[name] = doc
    parsed.save()
    problems += check_documents(docs, kept, remember=True)
    images: dict[str, ImageInfo] = {}
    if not problems:
        images, found = _read_images(root, docs[SITE_FILE])
        problems += found
    if problems:
        raise DataError(problems)
    return _make_project(root, docs, images, kept)


@dataclass
class _Made:
    """What was last worked out from a data file's Document: its problems against its schema, and its record."""

    doc: Document
    problems: list[Problem]
    record: Any = None


@dataclass
class Kept:
    """What the loads of one project keep for the next load of the same project: the documents read (`data`), and
    for each file the last document checked (`check_documents`) and made (`_make_project`), so that a document read
    again whole or in part (`data.reparse`) is checked and made again only in what it does not share with the last
    one. Whoever loads a project again and again owns one (the preview's build `memory.Memory`, the editing form's
    `edit.store.Store`): a new one, or none, reads, checks and makes everything afresh, and two projects never meet
    in one."""

    documents: KeptDocuments = field(default_factory=KeptDocuments)
    made: dict[str, _Made] = field(default_factory=dict)   # file name -> the last of its documents checked


def _schema_problems(name: str, doc: Document, kept: Kept | None, remember: bool) -> list[Problem]:
    known = kept.made.get(name) if kept is not None else None
    if known is not None and known.doc is doc:
        return known.problems
    found: list[Problem] | None = None
    record = None
    if known is not None and doc.splice is not None and doc.splice.base is known.doc and not known.problems:
        found = validate_splice(doc, SCHEMAS[name])
        if found == [] and known.record is not None:
            record = construct_splice(SCHEMAS[name], doc, known.record)
    if found is None:
        found = validate(doc, SCHEMAS[name])
    if remember and kept is not None:
        kept.made[name] = _Made(doc, found, record)
    return found


def _record_of(name: str, doc: Document, kept: Kept | None) -> Any:
    known = kept.made.get(name) if kept is not None else None
    if known is not None and known.doc is doc and known.record is not None:
        return known.record
    record = construct(SCHEMAS[name], doc.data, doc)
    if known is not None and known.doc is doc:
        known.record = record
    return record


def check_documents(docs: dict[str, Document], kept: Kept | None = None, remember: bool = False) -> list[Problem]:
    """Every problem of the data files read (by file name), as a build finds them: each file against its schema,
    then, when all three are valid, the rules across records and files. The editing form checks unsaved values
    with it. `kept`: what the last load of the project checked, not checked again. `remember`: the documents are the
    project's files as loaded (`load_project`), kept there as the last ones checked, so that the next load checks
    only what changed (not an unsaved form's values)."""
    problems: list[Problem] = []
    valid = 0
    for name, doc in docs.items():
        found = _schema_problems(name, doc, kept, remember)
        problems += found
        valid += not found
    if valid == len(SCHEMAS) == len(docs):
        problems += _cross_check(docs)
    return problems


def load_check_settings(root: Path) -> CheckSettings:
    """site.yaml's `checks:` section alone (for `audit --project`): the rest of the project need not be valid."""
    doc, problems = load_document(Path(root) / SITE_FILE, SITE_FILE)
    if doc is not None and not problems:
        section = doc.data.get("checks") if isinstance(doc.data, dict) else None
        if section is None:
            return CheckSettings()
        problems = validate(doc, schema_of(CheckSettings), at=("checks",))
        if not problems:
            return construct(schema_of(CheckSettings), section, doc, ("checks",))
    raise DataError(problems)


def _problem(doc: Document, path: tuple, message: str, hint: str = "") -> Problem:
    return doc.problem(path, message, hint)


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
    for i, entry in enumerate(treatments.data["treatments"]):
        for j, ref in enumerate(entry.get("disclaimers") or []):
            if ref not in disclaimer_ids:
                problems.append(_problem(treatments, ("treatments", i, "disclaimers", j),
                                         f"unknown disclaimer `{ref}`", _suggest(ref, disclaimer_ids, SITE_FILE)))
        for j, ref in enumerate(entry.get("related") or []):
            if ref not in known:
                problems.append(_problem(treatments, ("treatments", i, "related", j),
                                         f"unknown treatment `{ref}`", _suggest(ref, known, TREATMENTS_FILE)))
            elif ref == t_slugs[i]:
                problems.append(_problem(treatments, ("treatments", i, "related", j),
                                         "a treatment cannot be related to itself", "remove it"))
    for i, entry in enumerate(locations.data["locations"]):
        for ref, pair in (entry.get("landing_pages") or {}).items():
            if ref not in known:
                problems.append(_problem(locations, ("locations", i, "landing_pages", ref),
                                         f"unknown treatment `{ref}`", _suggest(ref, known, TREATMENTS_FILE)))
            elif not (pair or {}).get("note") and not (pair or {}).get("faqs"):
                problems.append(_problem(locations, ("locations", i, "landing_pages", ref),
                                         "expected a `note:` or `faqs:` written for this treatment here",
                                         "write the text, or remove the entry"))
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
    offered = set().union(*((known if prem.get("treatments") is None else set(prem["treatments"]))
                            for prem in site.data["premises"]))
    for i, slug in enumerate(t_slugs):
        if slug not in offered:
            problems.append(_problem(treatments, ("treatments", i), f"no premises offers `{slug}`",
                                     f"add `{slug}` to the `treatments:` of a premises in {SITE_FILE}, or remove "
                                     "the treatment"))
    problems += _check_patterns(site)
    problems += _check_deploy(site)
    problems += _check_people(site, t_slugs)
    theme = site.data.get("theme")
    if theme:
        for name, message, hint in theme_problems(theme["brand_colour"], theme.get("tint_colour")):
            problems.append(_problem(site, ("theme", name), message, hint))
    return problems


def _check_people(site: Document, treatments: list[str]) -> list[Problem]:
    """Practitioners: numbers of the shape their register uses, known treatments and premises, and someone to
    provide every treatment at every premises that offers it."""
    problems = []
    premises = [p["id"] for p in site.data["premises"]]
    people = site.data["practitioners"]
    for i, person in enumerate(people):
        number, register = person["registration_number"], REGISTERS[person["register"]]
        if not isinstance(number, Placeholder) and not register.accepts(number):
            problems.append(_problem(site, ("practitioners", i, "registration_number"),
                                     f"expected a {register.number_name} such as {register.example}, found "
                                     f"{describe(number)}", f"check the number, and that `register:` is the "
                                     f"register it belongs to (now {register.id})"))
        for j, ref in enumerate(person.get("treatments") or []):
            if ref not in treatments:
                problems.append(_problem(site, ("practitioners", i, "treatments", j), f"unknown treatment `{ref}`",
                                         _suggest(ref, set(treatments), TREATMENTS_FILE)))
        for j, place in enumerate(person.get("works_at") or []):
            if place["premises"] not in premises:
                problems.append(_problem(site, ("practitioners", i, "works_at", j, "premises"),
                                         f"unknown premises `{place['premises']}`",
                                         _suggest(place["premises"], set(premises), SITE_FILE)))
    if problems:
        return problems
    for i, prem in enumerate(site.data["premises"]):
        for slug in prem.get("treatments") or treatments:
            if not any((not p.get("treatments") or slug in p["treatments"])
                       and (not p.get("works_at") or any(w["premises"] == prem["id"] for w in p["works_at"]))
                       for p in people):
                problems.append(_problem(site, ("premises", i, "id"), f"no practitioner provides `{slug}` here",
                                         "add it to the `treatments` of a practitioner who works here (and this "
                                         "premises to their `works_at`), or stop offering it here"))
    return problems


def _read_images(root: Path, site: Document) -> tuple[dict[str, ImageInfo], list[Problem]]:
    """Read every picture site.yaml names (the logo, premises photos, practitioner photos), once each."""
    named: list[tuple[tuple, str]] = []
    if site.data.get("logo"):
        named.append((("logo", "src"), site.data["logo"]["src"]))
    for i, prem in enumerate(site.data["premises"]):
        named += [(("premises", i, "photos", j, "src"), photo["src"])
                  for j, photo in enumerate(prem.get("photos") or [])]
    for i, person in enumerate(site.data["practitioners"]):
        if person.get("photo"):
            named.append((("practitioners", i, "photo", "src"), person["photo"]["src"]))
    images: dict[str, ImageInfo] = {}
    problems = []
    for path, src in named:
        if src in images:
            continue
        try:
            images[src] = read_image(root, src)
        except ImageProblem as exc:
            problems.append(_problem(site, path, exc.message, exc.hint))
    return dict(sorted(images.items())), problems


def _check_patterns(site: Document) -> list[Problem]:
    problems = []
    for section in ("titles", "descriptions"):
        for kind, pattern in site.data[section].items():
            for name in re.findall(r"\{([^{}]*)\}", pattern):
                if name not in PATTERN_NAMES[PageKind(kind)]:
                    allowed = ", ".join("{" + n + "}" for n in sorted(PATTERN_NAMES[PageKind(kind)]))
                    problems.append(_problem(site, (section, kind), f"unknown name {{{name}}} in the pattern",
                                             f"use only {allowed}"))
    return problems


def _check_deploy(site: Document) -> list[Problem]:
    deploy = site.data.get("deploy") or {}
    default, targets = deploy.get("default"), deploy.get("targets") or {}
    if default and default not in targets:
        return [_problem(site, ("deploy", "default"), f"unknown target `{default}`",
                         did_you_mean(default, targets) or f"name one of: {', '.join(sorted(targets))}")]
    return []


def _suggest(ref: str, known: set[str], file: str) -> str:
    return did_you_mean(ref, known) or f"define it in {file} or remove the reference"


def _unique(doc: Document, key: str, problems: list[Problem], what: str) -> list[str]:
    slugs: list[str] = []
    seen_slug: dict[str, int] = {}
    seen_name: dict[str, int] = {}
    for i, entry in enumerate(doc.data[key]):
        slug = slug_of(entry)
        slugs.append(slug)
        if not slug:
            problems.append(_problem(doc, (key, i, "name"), f"cannot make a slug from {describe(entry['name'])}",
                                     "add `slug:` with lower-case letters, digits and hyphens"))
        elif len(slug) > MAX_SLUG and "slug" not in entry:
            problems.append(_problem(doc, (key, i, "name"), f"the name makes a slug of {len(slug)} characters, "
                                     f"and a slug (a folder of the site) holds at most {MAX_SLUG}",
                                     "add a shorter `slug:`, or shorten the name"))
        elif slug in seen_slug:
            field = "slug" if "slug" in entry else "name"
            first = doc.where((key, seen_slug[slug]))[0]
            problems.append(_problem(doc, (key, i, field), f"duplicate {what} slug `{slug}` (first used at line "
                                     f"{first})", "give each one a different slug"))
        else:
            seen_slug[slug] = i
        name = entry["name"].strip().casefold()
        if name in seen_name:
            first = doc.where((key, seen_name[name]))[0]
            problems.append(_problem(doc, (key, i, "name"), f"duplicate {what} name {entry['name']!r} (first used "
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


def _make_project(root: Path, docs: dict[str, Document], images: dict[str, ImageInfo], kept: Kept | None) -> Project:
    site = _record_of(SITE_FILE, docs[SITE_FILE], kept)
    treatments = _record_of(TREATMENTS_FILE, docs[TREATMENTS_FILE], kept)
    locations = _record_of(LOCATIONS_FILE, docs[LOCATIONS_FILE], kept)
    return Project(root=root, site=site, treatments=treatments.treatments, locations=locations.locations,
                   attribution=locations.attribution, unfilled=tuple(placeholders(docs[SITE_FILE])), images=images)
