"""What a deploy must do: compare the files the build made with the manifest kept on the remote, and order the work.

The order keeps the live site whole at every moment: new pages and assets first, then changed ones (assets
before pages in each group, so a page never names a stylesheet that is not there yet), then the sitemap parts,
`sitemap.xml` and `robots.txt`, and deletions last, so the live sitemap never names a missing page.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from generator.deploy.target import DeployError
from generator.digests import digest
from generator.output import MANIFEST, find_foreign, read_manifest, staging_status
from generator.paths import first_link, is_plain_relative, read_no_link
from generator.sitemap import ROBOTS_FILE, SITEMAP_FILE, is_index_file

log = logging.getLogger(__name__)

REMOTE_MANIFEST = ".clinic-pages-deploy.json"


@dataclass(frozen=True)
class LocalSite:
    """The files of output/ that clinic-pages made, hashed as they are now."""

    root: Path
    files: dict[str, str]                 # path -> digest of its bytes now
    sizes: dict[str, int]
    foreign: list[str] = field(default_factory=list)   # in output/ but not made by clinic-pages: never deployed
    edited: list[str] = field(default_factory=list)    # made by clinic-pages, changed by hand since the build


def read_local(output: Path) -> LocalSite:
    """Read the build's manifest and hash each file it lists; refuse an output folder that is not a whole build."""
    output = Path(output)
    if staging_status(output) == "ours":
        raise DeployError(f"the last build of {output} did not finish\n    hint: run `clinic-pages build`, then "
                          "deploy")
    built = read_manifest(output)
    if not built:
        raise DeployError(f"{output} has no finished build ({MANIFEST} is missing or empty)\n    hint: run "
                          "`clinic-pages build` first")
    files, sizes, edited, missing = {}, {}, [], []
    real: set[str] = set()
    for rel in sorted(built):   # read_manifest refused any path that is not plain
        link = first_link(output, rel, real)
        if link:
            raise DeployError(f"{output / link} is a symbolic link; clinic-pages deploys only the files its build "
                              "wrote and follows no links in the output folder\n    hint: remove the link and run "
                              "`clinic-pages build`, which puts the file back, then deploy")
        try:
            data = read_no_link(output / rel)
        except FileNotFoundError:
            missing.append(rel)
            continue
        files[rel], sizes[rel] = digest(data), len(data)
        if files[rel] != built[rel]:
            edited.append(rel)
    if missing:
        listed = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise DeployError(f"{len(missing)} file(s) of the last build are missing from {output}: {listed}\n"
                          "    hint: run `clinic-pages build` again, then deploy")
    return LocalSite(output, files, sizes, sorted(find_foreign(output, built)), edited)


def parse_remote_manifest(data: bytes | None, where: str) -> dict[str, str | None]:
    """The files a previous deploy put on the remote: path -> digest, or None while an upload was unfinished."""
    if data is None:
        return {}
    try:
        doc = json.loads(data.decode("utf-8"))
        files = doc["files"]
        if doc.get("generator") != "clinic-pages" or not isinstance(files, dict) or not all(
                isinstance(k, str) and _plain_path(k) and (v is None or isinstance(v, str))
                for k, v in files.items()):
            raise ValueError
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, AttributeError):
        raise DeployError(f"{where}/{REMOTE_MANIFEST} is damaged, so it is not known which files there were put "
                          "by clinic-pages\n    hint: look at the folder on the server; delete that file to start "
                          "again (files already there will then be reported, never overwritten)") from None
    return dict(files)


def _plain_path(rel: str) -> bool:
    """A manifest from the server is trusted only with plain relative paths: nothing above the target folder."""
    return is_plain_relative(rel) and rel != REMOTE_MANIFEST


def remote_manifest_bytes(files: dict[str, str | None]) -> bytes:
    return json.dumps({"generator": "clinic-pages", "files": dict(sorted(files.items()))}, indent=0).encode()


@dataclass
class DeployPlan:
    added: list[str]
    changed: list[str]
    deleted: list[str]
    unchanged: int
    sizes: dict[str, int]
    remote: dict[str, str | None] = field(default_factory=dict)   # the remote manifest the plan was made from

    @property
    def partial(self) -> set[str]:
        """Remote paths an interrupted deploy may have left half-written."""
        return {rel for rel, sha in self.remote.items() if sha is None}

    @property
    def uploads(self) -> list[str]:
        return [rel for _, files in self.phases() for rel in files]

    @property
    def upload_bytes(self) -> int:
        return sum(self.sizes[rel] for rel in self.uploads)

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)

    def phases(self) -> list[tuple[str, list[str]]]:
        """The uploads in the order they must reach the server, as (label, paths)."""
        def assets_first(files: list[str]) -> list[str]:
            return sorted(files, key=lambda rel: (rel.endswith(".html"), rel))

        def index_order(rel: str) -> tuple[int, str]:
            return (2 if rel == ROBOTS_FILE else 1 if rel == SITEMAP_FILE else 0, rel)   # the parts first

        index = sorted((rel for rel in self.added + self.changed if is_index_file(rel)), key=index_order)
        return [(label, files) for label, files in (
            ("new", assets_first([rel for rel in self.added if not is_index_file(rel)])),
            ("changed", assets_first([rel for rel in self.changed if not is_index_file(rel)])),
            ("sitemap", index),
        ) if files]


    def lines(self, limit: int | None = 20) -> list[str]:
        """The plan for people, in the order the work is done: + new, ~ changed, - deleted."""
        steps = [(label, files) for label, files in self.phases()] + ([("deleted", self.deleted)] if self.deleted
                                                                      else [])
        out = []
        for label, files in steps:
            out.append(f"{label} ({len(files)}):" if label != "sitemap" else f"then the sitemap ({len(files)}):")
            for rel in files[:limit] if limit else files:
                mark = "-" if label == "deleted" else "+" if rel in self.added else "~"
                out.append(f"  {mark} {rel}" + ("" if label == "deleted" else f" ({self.sizes[rel]} bytes)"))
            if limit and len(files) > limit:
                out.append(f"  ... and {len(files) - limit} more (-v lists them all)")
        return out


def make_plan(local: LocalSite, remote: dict[str, str | None]) -> DeployPlan:
    added = sorted(rel for rel in local.files if rel not in remote)
    changed = sorted(rel for rel in local.files if rel in remote and remote[rel] != local.files[rel])
    deleted = sorted(rel for rel in remote if rel not in local.files)
    unchanged = len(local.files) - len(added) - len(changed)
    return DeployPlan(added, changed, deleted, unchanged, dict(local.sizes), dict(remote))
