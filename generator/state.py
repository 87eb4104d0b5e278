"""The project's build state: for each page, the hash of its content and the date that content last changed.

Kept in one file in the project (`.clinic-pages-state.json`), to be committed with the data, so that `lastmod`
in the sitemap is the same on every machine for the same history and changes exactly when a page changes.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

STATE_FILE = ".clinic-pages-state.json"
STATE_VERSION = 1


@dataclass
class State:
    pages: dict[str, dict[str, str]] = field(default_factory=dict)   # file -> {"sha": ..., "lastmod": ...}
    problem: str | None = None   # why a stored state was not used, if it was not

    def lastmod(self, file: str, sha: str, today: str) -> str:
        """The page's lastmod: kept while its content hash is unchanged, today's date when it changed."""
        old = self.pages.get(file)
        if old and old.get("sha") == sha and old.get("lastmod"):
            return old["lastmod"]
        return today

    def to_bytes(self, pages: dict[str, dict[str, str]]) -> bytes:
        return (json.dumps({"version": STATE_VERSION, "generator": "clinic-pages", "pages": pages},
                           indent=1, sort_keys=True) + "\n").encode()


def load_state(project: Path) -> State:
    path = Path(project) / STATE_FILE
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return State()
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        return State(problem=f"{STATE_FILE} is unreadable ({exc}); lastmod dates start again from today")
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or not isinstance(data.get("pages"), dict):
        return State(problem=f"{STATE_FILE} is from another version of clinic-pages; starting a fresh history")
    return State(pages={k: v for k, v in data["pages"].items() if isinstance(v, dict)})
