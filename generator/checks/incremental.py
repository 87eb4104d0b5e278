"""The checks of a build (and of `check`), page by page as pages are rendered, with what unchanged pages left
behind kept.

A build checks each page it renders right away, in the process that rendered it, from the HTML in memory: no
re-reading, and the work is shared among the render workers. A page that was not rendered (its inputs did not
change) needs no checking again: its findings and its duplicate-check signature (the blocks of its main text)
are kept in a cache file beside the project, `.clinic-pages-checks.npz`, under the digest of its HTML and of the
facts it was checked against. Only the site-wide part (duplicates across pages, demotions) runs over every page
at every build, and it works on those stored signatures; the cache also keeps the exact similarity of each pair of
pages it compared, under a key of the two pages' content sets, so a pair whose content did not change is not
compared again.

The cache is only a cache: missing, unreadable or written by other code, settings or rules, it is ignored and
each page is read from the output folder and checked again. It is git-ignored; the build state stays in
`.clinic-pages-state.json`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from generator.checks.duplicates import BINS, BlockBatch, Prepared, distinct, lookup
from generator.checks.duplicates.spun import Discounted
from generator.checks.engine import CheckRun
from generator.checks.finding import Finding
from generator.checks.html import parse_html
from generator.checks.results import CheckResult, PageResult
from generator.checks.site import read_sitemap
from generator.data import output_folder
from generator.digests import code_digest, digest
from generator.errors import ClinicPagesError
from generator.paths import first_link, is_plain_relative, read_no_link, shown
from generator.workers import collector_paused

if TYPE_CHECKING:
    from generator.checks.facts import SiteFacts
    from generator.model import Project
    from generator.plan import Page, Plan

log = logging.getLogger(__name__)

CACHE_FILE = ".clinic-pages-checks.npz"
CACHE_VERSION = 5


def config_digest(project, run: CheckRun, facts: SiteFacts) -> str:
    """Everything besides a page's own HTML and facts (`facts.pages`) that its checks depend on."""
    h = hashlib.blake2b(f"{CACHE_VERSION}\0{code_digest()}\0".encode(), digest_size=16)
    settings = project.site.checks
    h.update(repr(dataclasses.replace(settings, policy_lines={})).encode())   # every setting, wherever written
    for rule in run.claims.rules:
        h.update(repr(rule.id).encode())
    for name in settings.rules:
        try:
            h.update((Path(project.root) / name).read_bytes())
        except OSError:
            h.update(b"<missing>")
    h.update(repr((facts.base_url, facts.clinic, facts.disclaimer_texts, facts.area_names)).encode())
    h.update(run.masker.digest.encode() if run.masker is not None else b"")   # the masked shingles depend on it
    return h.hexdigest()


def facts_digest(page_facts, memo: dict[int, tuple[object, bytes]] | None = None) -> str:
    """A digest of what the checks know of a page (the text of the premises and of the disclaimers, shared by
    many pages, is worked out once per object)."""
    if memo is None:
        memo = {}

    def text(value) -> bytes:
        known = memo.get(id(value))
        if known is None or known[0] is not value:   # the object is kept with its text: its id stays its own
            shown = repr(value).encode("utf-8", "surrogatepass")
            known = memo[id(value)] = (value, f"{len(shown)}:".encode() + shown)
        return known[1]

    fields = (page_facts.url_path, page_facts.file, page_facts.kind, page_facts.canonical, page_facts.indexable,
              page_facts.hub, page_facts.treatment, page_facts.area, page_facts.county, page_facts.location,
              page_facts.treatment_slug, page_facts.own, page_facts.own_text is None)
    h = hashlib.blake2b(repr(fields).encode(), digest_size=12)
    # the long texts as bytes, each after its length (and a written text after its kind): not within the repr of
    # the fields, which would look at every character of them again for every page (10,293 pages with pair
    # notes: 0.18-0.20 -> 0.09-0.11 s)
    h.update(text(page_facts.premises))
    h.update(text(page_facts.disclaimers))
    for written in page_facts.own_text or ():
        data = written.encode("utf-8", "surrogatepass")
        h.update(f"{type(written).__name__}:{len(data)}:".encode() + data)
    return h.hexdigest()


class BuildChecks:
    """The checks of one build: `rendered` for each page checked as it was rendered, `kept` for each page left
    as it was, then `finish`."""

    def __init__(self, project, plan, project_dir: Path, indexing: bool = False, cache: bool = True,
                 previous: BuildChecks | None = None, warm: bool = False):
        """`cache`: read the check cache file; `previous`: the checks of the last build in this process, whose
        results stand in for the cache file's (the preview keeps them in memory between saves); `warm`: a next
        build in this process will start from these checks (the duplicate analysis keeps its tables for it)."""
        from generator.checks.facts import site_facts
        self.project_dir = Path(project_dir)
        self.facts = site_facts(project, plan)
        self.page_file: Callable[[Page], Path] | None = None   # where pages are, once `finish` is told
        self._by_url: dict[str, Page] = {}
        self.run = CheckRun(project.site.checks, self.facts, reload=self._reload, project_dir=project.root,
                            indexing=indexing, settle=False)
        self.config = config_digest(project, self.run, self.facts)
        self.plan = plan
        self.results: dict[str, PageResult] = {}       # by URL path
        self.shas: dict[str, str] = {}                 # file -> digest of the HTML that was checked
        self.unread: dict[str, str] = {}                # URL path -> digest, of kept pages the cache lacked
        self.run.index.keep = warm
        if previous is not None:
            self.cached = _carry(previous, self.config, self.run)
        else:
            self.cached = _load(self.project_dir / CACHE_FILE, self.config, self.run, self.facts) if cache else {}
        self.run.settle_written()   # worked out now unless the cache held them for these texts
        memo: dict[int, tuple[object, bytes]] = {}
        held = self.run.held_before   # a page held back before any comparison keeps no signature
        self.digests = {url: facts_digest(f, memo) + ("-held" if url in held else "")
                        for url, f in self.facts.pages.items()}

    def inspect(self, file: str, html: bytes) -> PageResult:
        """The per-page checks of a page just rendered (in a render worker, or in this process)."""
        return self.run.inspect(parse_html(file, html, links=False))

    def rendered(self, page: Page, sha: str, result: PageResult) -> None:
        # a render worker's result comes with copies of strings this process holds or repeats on every page: the
        # URL path is the plan's, the robots value one of a few (the preview keeps a result per page)
        result.url = page.url_path
        if result.indexing is not None:
            result.indexing = (result.indexing[0], sys.intern(result.indexing[1]))
        self.results[page.url_path] = result
        self.shas[page.file] = sha

    def kept(self, page: Page, sha: str) -> None:
        entry = self.cached.get(page.file)
        if entry is not None and entry[0] == sha and entry[1] == self.digests[page.url_path]:
            self.results[page.url_path] = entry[2]
            self.shas[page.file] = sha
        else:
            self.unread[page.url_path] = sha

    def _reload(self, url: str):
        """A page read again from where it is published, to say why it is alike another (duplicate clusters):
        the checks keep no page's text."""
        page = self._by_url.get(url)
        if page is None or self.page_file is None:
            return None
        try:
            return parse_html(page.file, self.page_file(page).read_bytes())
        except OSError:
            return None

    def forget(self, page: Page) -> None:
        """Keep no cache entry for a page (rendered again after the checks: its stored result is stale)."""
        self.shas.pop(page.file, None)

    def finish(self, page_file: Callable[[Page], Path], jobs: int | None = None,
               progress: Callable[[int, int], None] | None = None) -> CheckResult:
        """Check the kept pages the cache did not know (telling `progress(done, total)`), then the whole site.
        `page_file(page)` is where a page's HTML is as it will be published."""
        self._by_url = by_url = {p.url_path: p for p in self.plan.pages}
        self.page_file = page_file
        if self.unread:
            log.debug("checks: %d page(s) not in the check cache, read from disk", len(self.unread))
            files = [(by_url[url].file, str(page_file(by_url[url]))) for url in self.unread]
            for result in self.run.inspect_files(files, jobs, progress):
                self.rendered(by_url[result.url], self.unread[result.url], result)
        self.cached, self.unread = {}, {}   # every page's result is in `results` now (the preview keeps these checks)
        for page in self.plan.pages:   # in plan order, whatever order they were checked in
            checked = self.results.get(page.url_path)
            if checked is not None:
                self.run.absorb(checked)
        return self.run.finish()

    def keep_for_next(self) -> None:
        """Once the build is over and a next build in this process is to start from these checks (`_carry`): let go
        of what only this build needed. The next build works out its own facts of every page, and reads pages where
        it puts them (this build's reader holds its output transaction); the preview keeps these checks until the
        next save, and the next build's are made while they are still held."""
        self.facts.pages, self.facts.skipped = {}, {}
        self._by_url, self.page_file = {}, None

    def save(self) -> None:
        """Write the cache for the pages as they are now (best effort: a cache that cannot be written is
        only a slower next build)."""
        try:
            _save(self.project_dir / CACHE_FILE, self.config, self.digests, self.plan, self.results, self.shas,
                  self.run)
        except OSError as exc:
            log.debug("checks: could not write %s (%s)", CACHE_FILE, exc)


# -- the cache, in memory or in a file ---------------------------------------------------------------------------

def _carry(previous: BuildChecks, config: str, run: CheckRun) -> dict[str, tuple[str, str, PageResult]]:
    """What `_load` gives from the cache file, taken from the last build's checks in this process instead: file ->
    (HTML digest, facts digest, result) of each page it checked, with the blocks those pages name put in the
    index. Nothing is carried from checks made with other code, settings or rules."""
    run.settle_written()   # (the last run's, when the texts are the same: duplicates/spun.py keeps it in memory)
    if previous.config != config:
        return {}
    out = {}
    blocks = []
    for page in previous.plan.pages:
        result, sha = previous.results.get(page.url_path), previous.shas.get(page.file)
        if result is None or not sha:
            continue
        out[page.file] = (sha, previous.digests[page.url_path], result)
        if result.prepared is not None:
            blocks.append(result.prepared.blocks)
    if previous.run.index.analysis is not None:   # its whole table, with the sets worked out from it
        run.index.carry_from(previous.run.index)
    else:
        if blocks:
            run.index.receive(previous.run.index.export(distinct(np.concatenate(blocks))))
        run.index.carry_from(previous.run.index)
    run.index.known_similarities = previous.run.index.similarities
    return out


def _save(path: Path, config: str, digests: dict[str, str], plan, results: dict[str, PageResult], shas: dict[str, str],
          run: CheckRun) -> None:
    pages = {}
    blocks: list[np.ndarray] = []
    offset = 0
    for page in plan.pages:
        result = results.get(page.url_path)
        sha = shas.get(page.file)
        if result is None or not sha:
            continue
        prepared = result.prepared
        entry: list[Any] = [sha, digests[page.url_path],
                 [[f.rule, f.severity, f.page, f.message, f.evidence, f.hint, f.source] for f in result.findings],
                 list(result.indexing) if result.indexing is not None else None, None, result.words]
        if prepared is not None:
            entry[4] = [prepared.key.hex(), prepared.words, offset, len(prepared.blocks)]
            blocks.append(prepared.blocks)
            offset += len(prepared.blocks)
        pages[page.file] = entry
    page_blocks = np.concatenate(blocks) if blocks else np.empty(0, np.uint64)
    batch = run.index.export(distinct(page_blocks))
    masked = batch.masked if batch.masked is not None else batch.shingles
    written = run.index.written_shingles()
    signatures = run.index.signatures or (np.empty(0, np.uint64), np.empty((0, BINS), np.uint32))
    meta = json.dumps({"version": CACHE_VERSION, "config": config, "pages": pages,
                       "written": _written_entry(run)}).encode()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")   # two writers never share a temporary file
    try:
        with open(tmp, "wb") as fh:
            np.savez(fh, meta=np.frombuffer(meta, np.uint8), page_blocks=page_blocks, block_hash=batch.hashes,
                     block_words=batch.words, block_len=batch.lengths, block_shingles=batch.shingles,
                     block_masked=masked,
                     similar_keys=run.index.similarities[0], similar_values=run.index.similarities[1],
                     written_keys=written[0], written_ptr=written[1], written_values=written[2],
                     signature_keys=signatures[0], signature_values=signatures[1])
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _load(path: Path, config: str, run: CheckRun, facts: SiteFacts) -> dict[str, tuple[str, str, PageResult]]:
    """file -> (HTML digest, facts digest, result) from the cache, with its blocks put in the index. A cache that
    cannot be read, or whose parts do not agree with each other, is ignored whole."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(data["meta"].tobytes())
            if meta.get("version") != CACHE_VERSION or meta.get("config") != config:
                log.debug("checks: %s is from other code, settings or rules; checking every page", CACHE_FILE)
                return {}
            page_blocks = data["page_blocks"]
            blocks = BlockBatch(data["block_hash"], data["block_words"], data["block_len"], data["block_shingles"],
                                data["block_masked"] if run.masker is not None else None)
            similar = (data["similar_keys"], data["similar_values"])
            written = (data["written_keys"], data["written_ptr"], data["written_values"])
            signatures = (data["signature_keys"], data["signature_values"])
        _check_packed(page_blocks, blocks, similar)
        _check_derived(written, signatures)
        discounted = _read_written_entry(meta.get("written"), run)
        url_of = {f.file: f.url_path for f in facts.pages.values()}
        out = {}
        for file, (sha, fdigest, findings, indexing, prep, page_words) in meta["pages"].items():
            if not is_plain_relative(file) or not all(
                    isinstance(f, list) and len(f) == 7 and all(isinstance(x, str) for x in f) for f in findings):
                raise ValueError(f"the entry for {shown(file)} is not one the checks wrote")
            if file not in url_of:
                continue
            prepared = None
            if prep is not None:
                key, words, start, count = prep
                if not 0 <= start <= start + count <= len(page_blocks):
                    raise ValueError(f"the blocks of {file} are not in the cache")
                prepared = Prepared(bytes.fromhex(key), int(words), page_blocks[start:start + count])
            result = PageResult(url_of[file], [Finding(*f) for f in findings],
                                tuple(indexing) if indexing is not None else None, prepared, None, int(page_words))
            out[file] = (sha, fdigest, result)
    except FileNotFoundError:
        return {}
    except (OSError, EOFError, ValueError, KeyError, TypeError, AttributeError) as exc:   # damaged: start again
        log.debug("checks: %s unreadable or damaged (%s); checking every page", CACHE_FILE, exc)
        return {}
    run.settle_written(discounted)   # before the index takes the shingles of the texts written for its pages
    run.index.receive(blocks)
    run.index.known_similarities = similar
    run.index.take_written_shingles(*written)
    run.index.known_signatures = signatures
    return out


def _written_entry(run: CheckRun) -> dict[str, Any]:
    """What the filler and spin of the texts written for pages took out (duplicates/spun.py), for the cache: under
    the digest of those texts, each text as it was kept for the pages that lost a sentence, and what they lost."""
    given = {url: texts for url, _, texts in run.written_pages}
    return {"key": run.written_key,
            "kept": {url: list(texts) for url, texts in run.written.items() if texts != given.get(url)},
            "found": {url: [list(d.filler), [list(pair) for pair in d.spun]] for url, d in run.discounted.items()}}


def _read_written_entry(entry: Any, run: CheckRun
                        ) -> tuple[dict[str, tuple[str, ...]], dict[str, Discounted]] | None:
    """`_written_entry` read back, when it was written for the texts of this run (None otherwise: they are worked
    out again); ValueError when it is not one the checks wrote."""
    if not isinstance(entry, dict) or entry.get("key") != run.written_key:
        return None
    kept_in, found_in = entry.get("kept"), entry.get("found")
    kept = {url: texts for url, _, texts in run.written_pages}
    if not isinstance(kept_in, dict) or not isinstance(found_in, dict) or not set(kept_in) | set(found_in) <= set(
            kept):
        raise ValueError("written texts of pages that are not in the site")

    def strings(value: Any, length: int | None = None) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value) or \
                (length is not None and len(value) != length):
            raise ValueError("a written text that is not text")
        return value

    for url, texts in kept_in.items():
        kept[url] = tuple(strings(texts, len(kept[url])))
    found = {}
    for url, parts in found_in.items():
        if not isinstance(parts, list) or len(parts) != 2 or not isinstance(parts[1], list):
            raise ValueError("filler and spin the checks did not write")
        found[url] = Discounted(strings(parts[0]), [(pair[0], pair[1]) for pair in map(strings, parts[1], [2] * len(
            parts[1]))])
    return kept, found


def _check_derived(written: tuple[np.ndarray, np.ndarray, np.ndarray],
                   signatures: tuple[np.ndarray, np.ndarray]) -> None:
    """Raise ValueError unless the shingles of written texts and the page signatures are as `_save` writes them:
    keys in rising order, each text's shingles within the values, a signature of BINS values per key."""
    keys, ptr, values = written
    sig_keys, sig_values = signatures
    kinds = ((keys, np.uint64, 1), (ptr, np.int64, 1), (values, np.uint32, 1), (sig_keys, np.uint64, 1),
             (sig_values, np.uint32, 2))
    if any(a.dtype != kind or a.ndim != ndim for a, kind, ndim in kinds):
        raise ValueError("arrays of the wrong kind")
    if (keys[1:] <= keys[:-1]).any() or (sig_keys[1:] <= sig_keys[:-1]).any():
        raise ValueError("keys out of order")
    if len(ptr) != len(keys) + 1 or ptr[0] != 0 or ptr[-1] != len(values) or (ptr[1:] < ptr[:-1]).any():
        raise ValueError("written texts whose shingles are not in the cache")
    if sig_values.shape != (len(sig_keys), BINS):
        raise ValueError("signatures of the wrong size")


def _check_packed(page_blocks: np.ndarray, blocks: BlockBatch, similar: tuple[np.ndarray, np.ndarray]) -> None:
    """Raise ValueError unless the arrays are those `_save` writes and agree with each other: a count per block,
    blocks in rising order of hash, counts that add up to the shingles, every block a page names stored, and
    similarities between 0 and 1 under keys in rising order."""
    keys, values = similar
    kinds: tuple[tuple[np.ndarray, type], ...] = (
        (page_blocks, np.uint64), (blocks.hashes, np.uint64), (blocks.words, np.int64),
        (blocks.lengths, np.int64), (blocks.shingles, np.uint32), (keys, np.uint64), (values, np.float64))
    if blocks.masked is not None:
        kinds += ((blocks.masked, np.uint32),)
    if any(a.dtype != kind or a.ndim != 1 for a, kind in kinds):
        raise ValueError("arrays of the wrong kind")
    if blocks.masked is not None and len(blocks.masked) != len(blocks.shingles):
        raise ValueError("masked shingles that do not match the shingles")
    if not len(blocks.hashes) == len(blocks.words) == len(blocks.lengths):
        raise ValueError("block tables of different lengths")
    if (blocks.lengths < 0).any() or int(blocks.lengths.sum()) != len(blocks.shingles):
        raise ValueError("shingle counts that do not add up")
    if (blocks.hashes[1:] <= blocks.hashes[:-1]).any():
        raise ValueError("blocks that are out of order")
    if not lookup(blocks.hashes, page_blocks)[1].all():   # a sorted search: twice as fast as np.isin
        raise ValueError("a page names a block that is not stored")
    if len(keys) != len(values) or (keys[1:] <= keys[:-1]).any() or not ((values >= 0) & (values <= 1)).all():
        raise ValueError("similarities that are out of order or out of range")


# -- the built site ------------------------------------------------------------------------------------------

def read_sitemap_urls(output: Path) -> set[str] | None:
    """Every page URL in output/sitemap.xml (following a sitemap index to its parts), read as `audit` reads a
    sitemap (`site.read_sitemap`); None when absent. A part that is absent or not inside the output folder adds
    nothing."""
    try:
        top = read_sitemap("sitemap.xml", read_no_link(output / "sitemap.xml"))
    except OSError:
        return None
    if top.kind != "sitemapindex":
        return set(top.locs)
    urls: set[str] = set()
    for part in top.locs:
        name = part.rsplit("/", 1)[-1]
        if not is_plain_relative(name):
            continue
        try:
            urls.update(read_sitemap(name, read_no_link(output / name)).locs)
        except OSError:
            continue
    return urls


@collector_paused()   # as a build: the collector's walks over the project and results cost CPU and free nothing
def check_built_site(project_dir: Path, output_dir: Path | None = None, jobs: int | None = None,
                     cache: bool = True, progress: Callable[[int, int], None] | None = None,
                     planned: tuple[Project, Plan] | None = None) -> CheckResult:
    """`clinic-pages check`: every planned page as it is in the output folder, against the records. A page
    whose HTML and facts are those of the check cache keeps its stored results (`cache=False`: check all).
    `progress(done, total)` counts the pages read and checked. `planned`: the project and its plan, when the
    caller has them already (they are loaded otherwise)."""
    from generator.plan import plan_site
    from generator.validate import load_project

    project_dir = Path(project_dir)
    output = output_folder(project_dir, output_dir)
    if not output.is_dir():
        raise ClinicPagesError(f"{output}: no built site here; run `clinic-pages build` first")
    if planned is not None:
        project, plan = planned
    else:
        project = load_project(project_dir)
        plan = plan_site(project)
    real: set[str] = set()
    linked = [link for page in plan.pages if (link := first_link(output, page.file, real))]
    if linked:
        raise ClinicPagesError(f"{output / linked[0]} is a symbolic link; clinic-pages follows no links in the output "
                               "folder\n    hint: remove it and run `clinic-pages build`, which puts the page back")
    checks = BuildChecks(project, plan, project_dir, indexing=True, cache=cache)
    checks.facts.sitemap = read_sitemap_urls(output)
    for page in plan.pages:
        if cache:
            try:
                checks.kept(page, digest((output / page.file).read_bytes()))
            except OSError:
                continue   # reported as a missing page
        else:
            checks.unread[page.url_path] = ""
    result = checks.finish(lambda page: output / page.file, jobs, progress)
    if cache:
        checks.save()
    return result
