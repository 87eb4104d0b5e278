"""Reading again only the records that a save changed (`data.reparse`): whatever the edit, the document it gives is
the one a whole read gives, or it gives none and the whole file is read."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bench.synth import synth_data, write_data, write_project
from generator import data, validate
from generator.build import build
from generator.data import Document, KeptDocuments, load_document, parse_document, reparse
from generator.errors import DataError
from generator.memory import Memory
from generator.validate import Kept, load_project


def record(n: int, indent: int) -> list[str]:
    pad = " " * indent
    lines = [f"{pad}- name: Place {n}", f"{pad}  slug: place-{n}", f"{pad}  lat: 51.{n}", f"{pad}  notes: |",
             f"{pad}    Notes on place {n}, near the A{n}.", f"{pad}    A second line: with a colon."]
    if n % 2:
        lines += [f"{pad}  landing_pages:", f"{pad}    lip-fillers:", f"{pad}      note: 'Place {n}: quoted'",
                  f"{pad}    peels:", f"{pad}      faqs:", f"{pad}      - question: Why {n}?",
                  f"{pad}        answer: !placeholder Because"]
    if n % 3 == 0:
        lines += ["", f"{pad}# a comment between records"]
    return lines


def document(records: int, indent: int, after: bool) -> str:
    lines = ["# the places", "attribution: Made up", "locations:"]
    for n in range(records):
        lines += record(n, indent)
    if after:
        lines += ["", "extra:", "  key: value"]
    return "\n".join(lines) + "\n"


# Lines an edit puts in, good and hostile: items at other indents, document markers, open quotes and brackets,
# anchors and aliases, tabs, comments, block scalars, keys at the top level, duplicate keys.
_LINES = ["- name: New", "  - name: Nested", "    notes: changed", "  notes: |", "      deeper", "  notes: >-",
          "---", "...", "\t- name: Tab", "# comment", "", "   ", "  name: 'open", '  x: "a', "  - &a anchor",
          "- *a", "  y: *a", "-", "- [a, b]", "- {a: 1}", "  key: value # c", "  k: !placeholder X", "  dup: 1",
          "  dup: 2", "locations:", "extra: 2", " - name: Odd", "  - ]", "  ? complex", "  : value", "- !!set {}",
          "%YAML 1.1", "  lat: .nan", "  lat: 51.5", "    Another line of notes.", "  faqs: []", "- |", "  text",
          "  lat: 0x1F", "- 'a", "  b'", "  <<: *a", "\ufeff- name: Bom"]


@st.composite
def edits(draw, text: str) -> str:
    """`text` with a run of its lines replaced by others, or characters typed into one line."""
    lines = text.split("\n")
    start = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        end = draw(st.integers(start, min(len(lines), start + 12)))
        pool = st.sampled_from(_LINES) | st.sampled_from(lines)
        lines[start:end] = draw(st.lists(pool, max_size=8))
    else:
        line = lines[start]
        at = draw(st.integers(0, len(line)))
        typed = draw(st.text(alphabet=" :'\"#-|>{}[]&*!?,%@`\tabc1", max_size=4))
        lines[start] = line[:at] + typed + line[at + draw(st.integers(0, 3)):]
    return "\n".join(lines)


def same_document(got: Document, want: Document) -> None:
    assert got.data == want.data
    assert got.marks == want.marks
    assert got.keys == want.keys
    assert got.aliases == want.aliases
    assert got.where(("locations", 0)) == want.where(("locations", 0))


@st.composite
def sequences(draw) -> list[str]:
    """A document and two edits of it, one after the other."""
    text = document(draw(st.integers(1, 7)), draw(st.sampled_from([0, 2, 4])), draw(st.booleans()))
    first = draw(edits(text))
    return [text, first, draw(edits(first))]


@settings(deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(sequences())
@example([document(3, 0, False), document(3, 0, False).replace("near the A1.", "near the A1 and A3."),
          document(3, 0, False).replace("near the A1.", "near the A1 and A3.\n    More.")])
def test_a_document_read_again_in_part_is_the_document_read_whole(texts: list[str]) -> None:
    doc, problems = parse_document(texts[0], "locations.yaml")
    assert doc is not None and problems == []
    old_text = texts[0]
    for text in texts[1:]:
        whole, problems = parse_document(text, "locations.yaml")
        part = reparse(old_text, doc, text, "locations.yaml")
        if part is not None:
            assert problems == [] and whole is not None, "read in part where a whole read finds problems"
            same_document(part, whole)
        if whole is None or problems:
            return
        doc, old_text = (part if part is not None else whole), text


def test_an_edit_inside_records_reads_only_them_with_their_lines() -> None:
    text = document(40, 2, True)
    doc = parse_document(text, "locations.yaml")[0]
    assert doc is not None
    cases = {   # edit -> (first item read again, items read, items replaced, lines moved)
        "same lines": (text.replace("near the A5.", "near the M25."), 5, 1, 1, 0),
        "a line more": (text.replace("near the A7.", "near the A7.\n      And the A8."), 7, 1, 1, 1),
        "a record added": (text.replace("  - name: Place 10\n", "  - name: Added\n    lat: 51.0\n  - name: Place 10\n"),
                           10, 2, 1, 2),
        "the last record": (text.replace("near the A39.", "near the A40."), 39, 1, 1, 0),
    }
    for name, (edited, start, added, removed, shift) in cases.items():
        part = reparse(text, doc, edited, "locations.yaml")
        assert part is not None and part.splice is not None, name
        assert (part.splice.start, part.splice.added, part.splice.removed, part.splice.shift) == \
            (start, added, removed, shift), name
        whole = parse_document(edited, "locations.yaml")[0]
        assert whole is not None
        same_document(part, whole)
    moved = reparse(text, doc, cases["a line more"][0], "locations.yaml")
    assert moved is not None and moved.where(("locations", 8, "lat")) == (doc.where(("locations", 8, "lat"))[0] + 1, 5)
    assert moved.where(("extra", "key")) == (doc.where(("extra", "key"))[0] + 1, 3)


def test_an_edit_outside_the_records_or_with_an_error_reads_the_whole_file() -> None:
    text = document(5, 0, True)
    doc = parse_document(text, "locations.yaml")[0]
    for edited in (text.replace("attribution: Made up", "attribution: Made up again"),   # not in a record
                   text.replace("  key: value", "  key: other"),                          # after the list
                   text.replace("near the A2.", "near the A2.\n  lat: 1"),                 # a duplicate key
                   text.replace("  lat: 51.3", "  lat: 51.3\n  x: *nowhere"),            # an unknown alias
                   text.replace("- name: Place 3", "- name: Place 3\n---"),                # a second document
                   text.replace("- name: Place 3", "\ufeff- name: Place 3")):              # a byte-order mark
        assert reparse(text, doc, edited, "locations.yaml") is None


def test_loading_a_saved_file_again_reads_only_what_changed(tmp_path: Path) -> None:
    path = tmp_path / "locations.yaml"
    text = document(30, 0, False)
    path.write_text(text, "utf-8")
    kept = KeptDocuments()
    first, problems = load_document(path, kept=kept)
    assert first is not None and problems == [] and first.splice is None
    path.write_text(text.replace("near the A12.", "near the A12 (now with a bypass)."), "utf-8")
    second, problems = load_document(path, kept=kept)
    assert problems == [] and second is not None and second.splice is not None and second.splice.base is first
    assert second.data["locations"][12]["notes"].startswith("Notes on place 12, near the A12 (now with a bypass).")
    assert second.data["locations"][11] is first.data["locations"][11]   # the records not read again are kept
    broken = text.replace("- name: Place 4", "- name: Place 4\n  lat: x\n  lat: y")
    path.write_text(broken, "utf-8")
    third, problems = load_document(path, kept=kept)
    assert [(p.line, p.message) for p in problems] == [(48, "`lat` is given twice (first at line 47)"),
                                                       (50, "`lat` is given twice (first at line 47)")]
    assert third is not None and third.splice is None   # read whole
    assert second.splice is None   # no chain of earlier versions is kept


def test_the_parser_keeps_nothing_of_a_document_once_read() -> None:
    parse_document(document(20, 0, False), "locations.yaml")
    assert not data._CONSTRUCTOR.constructed_objects


# -- the project made from documents read in part -------------------------------------------------------------

@st.composite
def data_edits(draw, locations: int, treatments: int):
    """A change a person makes to the records: (file, change) applied to the synthetic data by `apply`."""
    kind = draw(st.sampled_from(["notes", "paragraph", "lat", "pair", "drop_pair", "add_place", "unpublish",
                                 "summary", "waiver", "bad_lat", "unknown_field"]))
    return kind, draw(st.integers(0, max(locations, treatments) - 1)), draw(st.text("abc .:'", max_size=12))


def apply(synth, change) -> str:
    kind, n, words = change
    places, cures = synth.locations["locations"], synth.treatments["treatments"]
    place, cure = places[n % len(places)], cures[n % len(cures)]
    if kind == "notes":
        place["notes"] = place["notes"] + f" Edited {words!r}."
    elif kind == "paragraph":
        place["notes"] = place["notes"] + f"\n\nA new paragraph {words!r}.\nOn two lines."
    elif kind == "lat":
        place["lat"] = round(place["lat"] + 0.01, 5) if isinstance(place["lat"], float) else 51.3   # after bad_lat
    elif kind == "pair":
        slug = cure["slug"] if "slug" in cure else cure["name"].lower().replace(" ", "-")
        place.setdefault("landing_pages", {})[slug] = {"note": f"{place['name']}: written {words!r}."}
    elif kind == "drop_pair" and place.get("landing_pages"):
        place["landing_pages"].pop(sorted(place["landing_pages"])[0])
    elif kind == "add_place":
        places.insert(n % len(places), {**place, "name": f"{place['name']} Green", "slug": f"{place['slug']}-green"})
    elif kind == "unpublish":
        place["publish"] = not place.get("publish", True)
    elif kind == "summary":
        cure["summary"] = cure["summary"] + f" Reviewed {words!r}.\n\nAnd again."
        return "treatments.yaml"
    elif kind == "waiver":
        cure["waivers"] = [{"rule": "claims.hype", "reason": f"A reason {words!r}."}]
        return "treatments.yaml"
    elif kind == "bad_lat":
        place["lat"] = "north"
    elif kind == "unknown_field":
        place["colour"] = "blue"
    return "locations.yaml"


def load_cold(root: Path, kept: Kept):
    """The project loaded with nothing kept; `kept` is emptied, then keeps what this load read."""
    kept.documents, kept.made = KeptDocuments(), {}
    return load_or_problems(root, kept)


def load_or_problems(root: Path, kept: Kept):
    try:
        return load_project(root, kept)
    except DataError as exc:
        return [str(p) for p in exc.problems]


@settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(data_edits(6, 3), min_size=1, max_size=5))
def test_a_project_loaded_after_edits_is_the_project_loaded_afresh(changes) -> None:
    synth = synth_data(3, 6, pair_notes=0.5)
    with tempfile.TemporaryDirectory() as folder:
        root = write_project(synth, Path(folder))
        kept = Kept()
        load_cold(root, kept)
        for change in changes:
            write_data(synth, root, only=(apply(synth, change),))
            warm = load_or_problems(root, kept)
            assert warm == load_cold(root, kept)   # and the next edit starts from a warm state again


def test_an_edit_of_one_place_makes_only_its_record_again(tmp_path: Path) -> None:
    synth = synth_data(3, 6, pair_notes=0.5)
    root = write_project(synth, tmp_path)
    kept = Kept()
    before = load_cold(root, kept)
    apply(synth, ("paragraph", 2, "x"))
    write_data(synth, root, only=("locations.yaml",))
    after = load_or_problems(root, kept)
    assert after == load_cold(root, Kept())
    assert after.locations[2] != before.locations[2]
    assert after.locations[1] is before.locations[1]                       # the same record, not made again
    assert after.locations[3].line == before.locations[3].line + 3        # moved down by the new lines
    assert after.treatments[0] is before.treatments[0]                     # treatments.yaml was not touched


def test_a_clean_build_reads_the_files_afresh_whatever_the_process_kept(tmp_path: Path) -> None:
    synth = synth_data(2, 3, pair_notes=1.0)
    root = write_project(synth, tmp_path / "p")
    memory = Memory()
    build(root, memory=memory)
    documents = memory.kept().documents.by_name
    digest, text, (doc, problems) = documents["locations.yaml"]
    assert doc is not None
    place = doc.data["locations"][0]
    kept = Document(doc.file, {**doc.data, "locations": [{**place, "notes": "Kept in memory only."}]
                               + doc.data["locations"][1:]}, doc.marks, doc.keys)
    documents["locations.yaml"] = (digest, text, (kept, problems))   # as if what the memory kept were wrong
    build(root, clean=True, memory=memory)
    page = (root / "output" / "areas" / place["slug"] / "index.html").read_text("utf-8")
    assert "Kept in memory only." not in page and place["notes"][:30] in page


def test_checking_a_forms_unsaved_values_leaves_the_loaded_records_kept(tmp_path: Path) -> None:
    synth = synth_data(3, 6, pair_notes=0.5)
    root = write_project(synth, tmp_path)
    kept = Kept()
    before = load_cold(root, kept)
    unsaved = {name: doc for name in ("site.yaml", "treatments.yaml", "locations.yaml")
               if (doc := load_document(root / name, kept=kept.documents)[0]) is not None}
    unsaved["locations.yaml"] = Document("locations.yaml", synth.files()["locations.yaml"])   # as the form has it
    assert validate.check_documents(unsaved, kept) == []
    apply(synth, ("notes", 2, "x"))
    write_data(synth, root, only=("locations.yaml",))
    after = load_or_problems(root, kept)
    assert after.locations[1] is before.locations[1] and after.locations[2] != before.locations[2]


def test_two_projects_loaded_in_one_process_do_not_meet(tmp_path: Path) -> None:
    """Each loader keeps its own project's documents and records (`validate.Kept`, owned by the preview's
    `Memory`): a second project whose files differ from the first's in one place is read whole, and made of
    records of its own, not of the first project's."""
    synth = synth_data(3, 6, pair_notes=0.5)
    first_root = write_project(synth, tmp_path / "first")
    apply(synth, ("notes", 2, "x"))
    second_root = write_project(synth, tmp_path / "second")
    first_memory, second_memory = Memory(), Memory()
    first = load_project(first_root, first_memory.kept())
    second = load_project(second_root, second_memory.kept())
    for _ in range(2):   # and again, each after the other's load
        assert second == load_project(second_root, Kept()) and first == load_project(first_root, Kept())
        assert second.locations[2] != first.locations[2]
        assert not {id(r) for r in first.locations + first.treatments} & {id(r) for r in second.locations
                                                                           + second.treatments}
        doc = second_memory.kept().documents.by_name["locations.yaml"][2][0]
        assert doc is not None and doc.splice is None   # read whole, not as an edit of the first project's file
        first = load_project(first_root, first_memory.kept())
        second = load_project(second_root, second_memory.kept())
    assert first.locations[1] is load_project(first_root, first_memory.kept()).locations[1]   # each keeps its own
