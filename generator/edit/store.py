"""What the editing form reads and writes: the data files' values, checked as the build checks them, and saved
with only what changed rewritten (YAML comments and layout kept; a workbook's formatting kept), each file's last
version in backup/. A save is refused when the file changed on disk since it was read, or when the new values have
problems: the files on disk are always ones the build accepts or ones the person wrote by hand."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.data import DATA_FILES, Document, Placeholder, parse_document
from generator.edit.convert import same_values, target_files
from generator.edit.files import save_file
from generator.edit.yamltext import patch_yaml
from generator.errors import ClinicPagesError, Problem
from generator.model import SCHEMAS
from generator.sheets import load_data, present_forms
from generator.slugs import slugify
from generator.validate import Kept, check_documents

log = logging.getLogger(__name__)

STEMS = tuple(name.removesuffix(".yaml") for name in DATA_FILES)   # site, treatments, locations

# Where a treatment's slug is named in the data (so that renaming or removing one carries through): a list of
# slugs ("item") or a mapping keyed by slug ("key"). Paths whose fields the schema does not have are skipped.
REFERENCES: dict[str, list[tuple[str, tuple[str, ...], str]]] = {
    "treatments": [("site", ("premises", "*", "treatments"), "item"),
                   ("treatments", ("treatments", "*", "related"), "item"),
                   ("locations", ("locations", "*", "landing_pages"), "key")],
    "locations": [],
}


class Conflict(ClinicPagesError):
    """The file changed on disk since the form read it."""


class Invalid(ClinicPagesError):
    """The new values have problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); nothing was written")


@dataclass
class Loaded:
    stem: str
    form: str                  # yaml, csv or xlsx
    files: list[Path]
    data: Any
    version: str               # a digest of the files' bytes
    problems: list[Problem] = field(default_factory=list)   # what stops the file being read at all
    text: str = ""             # a YAML file's text


def version_of(files: list[Path]) -> str:
    h = hashlib.blake2b(digest_size=12)
    for path in files:
        h.update(path.name.encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            h.update(b"<missing>")
    return h.hexdigest()


def to_json(value: Any) -> Any:
    """Values as the browser holds them: a placeholder is {"$placeholder": label}."""
    if isinstance(value, Placeholder):
        return {"$placeholder": str(value)}
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)   # a date YAML made of unquoted text: the form shows it as text


def from_json(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$placeholder"}:
            return Placeholder(str(value["$placeholder"]))
        return {str(k): from_json(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [from_json(v) for v in value]
    return value


class Store:
    """The project's data files, as the form edits them."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.kept = Kept()   # the documents read: a file not changed since is not read again

    def read(self, stem: str) -> Loaded:
        forms = present_forms(self.root, stem)
        doc, problems = load_data(self.root, stem, SCHEMAS[f"{stem}.yaml"], self.kept.documents)
        form, files = next(iter(forms.items())) if len(forms) == 1 else ("yaml", [self.root / f"{stem}.yaml"])
        text = ""
        if form == "yaml" and not problems:
            text = files[0].read_text("utf-8")
        return Loaded(stem, form, files, doc.data if doc is not None and not problems else None,
                      version_of(files), problems if doc is None or problems else [], text)

    def state(self) -> dict[str, Any]:
        out = {}
        for stem in STEMS:
            loaded = self.read(stem)
            out[stem] = {"form": loaded.form, "files": [p.name for p in loaded.files], "version": loaded.version,
                         "data": to_json(loaded.data), "problems": [problem_json(p) for p in loaded.problems]}
        return out

    def check(self, changed: dict[str, Any]) -> list[Problem]:
        """Every problem of the project with `changed` (stem -> new values) in place of those files' values."""
        docs: dict[str, Document] = {}
        problems: list[Problem] = []
        for stem in STEMS:
            name = f"{stem}.yaml"
            if stem in changed:
                loaded_form = next(iter(present_forms(self.root, stem)), "yaml")
                docs[name] = Document(f"{stem}.{loaded_form}", changed[stem])
            else:
                doc, found = load_data(self.root, stem, SCHEMAS[name], self.kept.documents)
                problems += found
                if doc is not None:
                    docs[name] = doc
        return problems + check_documents(docs, self.kept)

    def save(self, stem: str, data: Any, version: str, origins: list[int | None] | None = None) -> dict[str, Any]:
        """Write the new values of `stem`, and carry a renamed or removed record's new slug into the references
        to it (`origins`: for each record of the file's list, its position when the form read it; None for a new
        one). Returns the files written, their backups and the new versions."""
        current = self.read(stem)
        if current.version != version:
            raise Conflict(f"{', '.join(p.name for p in current.files)} changed on disk since this page read it")
        renamed, removed = identity_changes(stem, current.data, data, origins)
        changed: dict[str, Any] = {stem: data}
        if renamed or removed:
            for other, path, how in REFERENCES.get(stem, []):
                base = changed.get(other)
                if base is None:
                    base = self.read(other).data
                    if base is None:
                        continue
                new = _carry_refs(_copy(base), path, how, renamed, removed)
                if other in changed or new != base:
                    changed[other] = new
        problems = self.check(changed)
        if problems:
            raise Invalid(problems)
        written, backups = [], []
        for other, new in changed.items():
            loaded = current if other == stem else self.read(other)
            if loaded.data == new:
                continue
            for rel, backup in self._write(loaded, new):
                written.append(rel)
                if backup:
                    backups.append(backup)
        return {"written": written, "backups": backups,
                "versions": {s: self.read(s).version for s in STEMS}}

    def _write(self, loaded: Loaded, data: Any) -> list[tuple[str, str | None]]:
        schema = SCHEMAS[f"{loaded.stem}.yaml"]
        if loaded.form == "yaml":
            name = loaded.files[0].name
            if loaded.data is not None and loaded.text:
                text = patch_yaml(loaded.text, loaded.data, data)
            else:
                text = target_files(loaded.stem, "yaml", data, schema)[name].decode("utf-8")
            doc, problems = parse_document(text, name)
            if doc is None or problems or not same_values(doc.data, data):   # never write what reads back wrong
                raise ClinicPagesError(f"could not write {name} without changing other values; nothing was written")
            return [(name, save_file(self.root, name, text.encode("utf-8")))]
        if loaded.form == "xlsx":
            from generator.edit.workbook import update_workbook

            name = loaded.files[0].name
            return [(name, save_file(self.root, name, update_workbook(loaded.files[0], data, schema, loaded.stem)))]
        return [(rel, save_file(self.root, rel, content))
                for rel, content in target_files(loaded.stem, "csv", data, schema).items()]


def identity_changes(stem: str, old: Any, new: Any, origins: list[int | None] | None) -> tuple[
        dict[str, str], list[str]]:
    """The records of `stem` whose slug changed (old -> new) and those removed, from where each new record was."""
    if origins is None or not REFERENCES.get(stem) or not isinstance(old, dict) or not isinstance(new, dict):
        return {}, []
    old_list, new_list = old.get(stem) or [], new.get(stem) or []
    if not isinstance(new_list, list) or len(origins) != len(new_list):
        return {}, []
    old_slugs = [_slug(r) for r in old_list]
    kept: dict[int, str] = {}
    for record, origin in zip(new_list, origins, strict=True):
        if isinstance(origin, int) and 0 <= origin < len(old_list) and origin not in kept:
            kept[origin] = _slug(record)
    renamed = {old_slugs[i]: slug for i, slug in kept.items() if slug and old_slugs[i] and slug != old_slugs[i]}
    removed = [slug for i, slug in enumerate(old_slugs) if i not in kept and slug]
    return renamed, removed


def _slug(record: Any) -> str:
    if not isinstance(record, dict):
        return ""
    if isinstance(record.get("slug"), str) and record["slug"]:
        return record["slug"]
    return slugify(record["name"]) if isinstance(record.get("name"), str) else ""


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _carry_refs(data: Any, path: tuple[str, ...], how: str, renamed: dict[str, str], removed: list[str]) -> Any:
    if not path:
        if how == "item" and isinstance(data, list):
            return [renamed.get(v, v) for v in data if v not in removed]
        if how == "key" and isinstance(data, dict):
            return {renamed.get(k, k): v for k, v in data.items() if k not in removed}
        return data
    head, rest = path[0], path[1:]
    if head == "*":
        return [_carry_refs(v, rest, how, renamed, removed) for v in data] if isinstance(data, list) else data
    if isinstance(data, dict) and head in data:
        data = dict(data)
        data[head] = _carry_refs(data[head], rest, how, renamed, removed)
    return data


def problem_json(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "where": str(problem).split(": ", 1)[0], "field": problem.field,
            "message": problem.message, "hint": problem.hint, "text": str(problem)}
