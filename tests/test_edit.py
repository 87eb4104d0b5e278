"""The editing page's API (generator/edit/), over real HTTP on 127.0.0.1: who may read and write, what a save writes
(only the change, comments kept, the last version in backup/), and what it refuses. The page itself, driven as a
marketer would drive it, is tested in tests/browser/test_editor.py."""

from __future__ import annotations

import difflib
import http.client
import json
import re
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.styles import PatternFill

from generator.data import parse_document
from generator.edit.convert import same_values
from generator.edit.files import project_path, save_file
from generator.edit.form import describe_file, label
from generator.edit.yamltext import new_yaml, patch_yaml
from generator.errors import ClinicPagesError
from generator.model import SCHEMAS
from generator.serve import PreviewServer
from tests.projects import sample_subset
from tests.test_convert import locations
from tests.test_sheets import write_form


@pytest.fixture
def editor(tmp_path: Path):
    server = PreviewServer(sample_subset(tmp_path / "p", treatments=3, locations=5), port=0).start()
    yield server
    server.stop()


def request(server: PreviewServer, method: str, path: str, body=None, headers: dict | None = None,
            token: bool = True) -> tuple[int, dict | str]:
    host, port = server.httpd.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=30)
    sent = {"Host": f"127.0.0.1:{port}"}
    if method == "POST":
        sent.update({"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json"})
    if token:
        sent["X-Clinic-Pages-Token"] = server.preview.editor.token
    sent.update(headers or {})
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, "/__clinic-pages/edit/" + path, body=data, headers={k: v for k, v in sent.items() if v})
    response = conn.getresponse()
    text = response.read().decode()
    conn.close()
    try:
        return response.status, json.loads(text)
    except ValueError:
        return response.status, text


def state(server: PreviewServer) -> dict:
    code, body = request(server, "GET", "api/state")
    assert code == 200
    return body


def diff(before: str, after: str) -> list[str]:
    """The changed lines, as `git diff` shows them (without context)."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def test_the_page_and_its_api_answer_only_their_own_origin_with_the_token(editor: PreviewServer) -> None:
    code, page = request(editor, "GET", "", token=False)
    assert code == 200 and f'content="{editor.preview.editor.token}"' in page
    port = editor.httpd.server_address[1]
    refused = [
        ("GET", "", None, {"Host": f"evil.example:{port}"}, False),              # DNS rebinding
        ("GET", "api/state", None, {}, False),                                 # no token
        ("GET", "api/state", None, {"X-Clinic-Pages-Token": "guess"}, False),  # a wrong token
        ("GET", "api/state", None, {"Sec-Fetch-Site": "cross-site"}, True),     # another site's script
        ("POST", "api/save", {"file": "site"}, {"Origin": "http://evil.example"}, True),
        ("POST", "api/save", {"file": "site"}, {"Origin": ""}, True),           # a change with no origin
        ("POST", "api/save", {"file": "site"}, {"Content-Type": "text/plain"}, True),   # a plain form post
    ]
    for method, path, body, headers, token in refused:
        code, answer = request(editor, method, path, body, headers, token)
        assert code == 403, (method, path, headers, code, answer)
    assert request(editor, "GET", "api/state")[0] == 200


def test_the_editor_runs_only_on_a_loopback_address(tmp_path: Path) -> None:
    server = PreviewServer(sample_subset(tmp_path / "p", treatments=2, locations=3), host="0.0.0.0", port=0)
    try:
        assert server.preview.editor is None
    finally:
        server.httpd.server_close()


def test_the_form_is_made_from_the_declarations() -> None:
    treatments = describe_file(SCHEMAS["treatments.yaml"])
    record = treatments["fields"][0]["item"]["fields"]
    price = next(f for f in record if f["name"] == "price_from")
    assert price["kind"] == "number" and price["required"] is False and price["help"].startswith("the lowest price")
    assert [f["name"] for f in record][:3] == ["slug", "name", "summary"]
    faqs = next(f for f in record if f["name"] == "faqs")
    assert faqs["kind"] == "records" and [f["name"] for f in faqs["item"]["fields"]] == ["question", "answer"]
    assert label("price_from") == "Price from" and label("faqs") == "FAQs"


def test_saving_a_price_changes_one_line_and_keeps_the_last_version(editor: PreviewServer) -> None:
    root = editor.preview.project
    before = (root / "treatments.yaml").read_text("utf-8")
    now = state(editor)
    data = now["files"]["treatments"]["data"]
    data["treatments"][1]["price_from"] = 250
    code, result = request(editor, "POST", "api/save", {"file": "treatments", "data": data,
                                                        "version": now["files"]["treatments"]["version"]})
    assert code == 200 and result["written"] == ["treatments.yaml"] and result["backups"] == ["backup/treatments.yaml"]
    after = (root / "treatments.yaml").read_text("utf-8")
    indent = re.search(r"^( *)name: Lip Fillers", before, re.MULTILINE).group(1)
    assert diff(before, after) == [f"+{indent}price_from: 250"]
    assert (root / "backup" / "treatments.yaml").read_text("utf-8") == before
    code, again = request(editor, "POST", "api/save", {"file": "treatments", "data": data,
                                                       "version": now["files"]["treatments"]["version"]})
    assert code == 409 and "changed on disk" in again["error"]


def test_a_new_area_is_appended_and_comments_stay(editor: PreviewServer) -> None:
    root = editor.preview.project
    (root / "locations.yaml").write_text("# Our places.\n" + (root / "locations.yaml").read_text("utf-8"), "utf-8")
    before = (root / "locations.yaml").read_text("utf-8")
    now = state(editor)
    data = now["files"]["locations"]["data"]
    data["locations"].append({"name": "Claygate", "lat": 51.36106, "lon": -0.34197})
    code, result = request(editor, "POST", "api/save", {"file": "locations", "data": data,
                                                        "version": now["files"]["locations"]["version"],
                                                        "origins": [*range(5), None]})
    assert code == 200, result
    item = re.search(r"^( *- )name: ", before, re.MULTILINE).group(1)
    assert diff(before, (root / "locations.yaml").read_text("utf-8")) == [
        f"+{item}name: Claygate", f"+{' ' * len(item)}lat: 51.36106", f"+{' ' * len(item)}lon: -0.34197"]


def test_values_with_problems_are_refused_with_the_clis_messages(editor: PreviewServer) -> None:
    root = editor.preview.project
    before = (root / "locations.yaml").read_text("utf-8")
    now = state(editor)
    data = now["files"]["locations"]["data"]
    data["locations"][0]["lat"] = "fifty"
    code, checked = request(editor, "POST", "api/validate", {"file": "locations", "data": data})
    assert code == 200 and [(p["field"], p["message"]) for p in checked["problems"]] == [
        ("locations[0].lat", "expected a number between -90 and 90, found text 'fifty'")]
    code, refused = request(editor, "POST", "api/save", {"file": "locations", "data": data,
                                                         "version": now["files"]["locations"]["version"]})
    assert code == 422 and refused["problems"][0]["hint"] == "write digits without quotes"
    assert (root / "locations.yaml").read_text("utf-8") == before


def test_renaming_and_removing_a_treatment_carries_into_its_references(editor: PreviewServer) -> None:
    root = editor.preview.project
    now = state(editor)
    data = now["files"]["treatments"]["data"]
    slugs = [t["slug"] for t in data["treatments"]]
    referenced = next(s for s in slugs if any(s in (t.get("related") or []) for t in data["treatments"]))
    i = slugs.index(referenced)
    data["treatments"][i]["slug"] = referenced + "-treatment"
    code, result = request(editor, "POST", "api/save", {"file": "treatments", "data": data, "origins": [0, 1, 2],
                                                        "version": now["files"]["treatments"]["version"]})
    assert code == 200, result
    text = (root / "treatments.yaml").read_text("utf-8")
    assert f"{referenced}-treatment" in re.sub(r"slug: .*", "", text)   # in a `related:` list too
    now = state(editor)
    data = now["files"]["treatments"]["data"]
    del data["treatments"][i]
    code, result = request(editor, "POST", "api/save", {"file": "treatments", "data": data,
                                                        "origins": [j for j in range(3) if j != i],
                                                        "version": now["files"]["treatments"]["version"]})
    assert code == 200, result
    assert f"{referenced}-treatment" not in (root / "treatments.yaml").read_text("utf-8")


def test_claims_are_found_in_a_text_as_it_is_typed(editor: PreviewServer) -> None:
    code, result = request(editor, "POST", "api/claims", {"text": "Guaranteed results with no side effects."})
    assert code == 200
    assert {f["rule"] for f in result["findings"]} >= {"claims.guarantee"}
    assert all(f["hint"] for f in result["findings"])
    assert request(editor, "POST", "api/claims", {"text": "Results vary from person to person."})[1] == \
        {"findings": []}


def test_a_workbook_keeps_its_formatting_when_a_value_is_saved(editor: PreviewServer) -> None:
    root = editor.preview.project
    write_form(root, "locations", "xlsx", state(editor)["files"]["locations"]["data"])
    book = openpyxl.load_workbook(root / "locations.xlsx")
    book["Locations"]["A3"].fill = PatternFill("solid", fgColor="FFFF00")
    book.save(root / "locations.xlsx")
    now = state(editor)
    assert now["files"]["locations"]["form"] == "xlsx"
    data = now["files"]["locations"]["data"]
    data["locations"][2]["notes"] = "A new note."
    code, result = request(editor, "POST", "api/save", {"file": "locations", "data": data,
                                                        "version": now["files"]["locations"]["version"]})
    assert code == 200 and result["written"] == ["locations.xlsx"]
    sheet = openpyxl.load_workbook(root / "locations.xlsx")["Locations"]
    assert sheet["A3"].fill.fgColor.rgb.endswith("FFFF00")
    notes = [c.value for c in sheet[1]].index("notes") + 1
    assert sheet.cell(row=4, column=notes).value == "A new note."
    assert state(editor)["files"]["locations"]["data"] == data


def test_files_are_written_only_inside_the_project(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "outside").mkdir()
    (tmp_path / "p" / "link").symlink_to(tmp_path / "outside")
    for rel in ("../x.yaml", "/etc/x.yaml", "a/../../x.yaml", "link/x.yaml", "a\\b.yaml", ""):
        with pytest.raises(ClinicPagesError):
            project_path(tmp_path / "p", rel)
    assert save_file(tmp_path / "p", "site.yaml", b"a: 1\n") is None
    assert save_file(tmp_path / "p", "site.yaml", b"a: 2\n") == "backup/site.yaml"
    assert (tmp_path / "p" / "backup" / "site.yaml").read_bytes() == b"a: 1\n"
    assert list((tmp_path / "outside").iterdir()) == []


@pytest.mark.parametrize("text", ["a\x99b\nc", "bell\x07", "a\x85b", "a\u2028b", "a\r\nb", "\ufeffx",
                                  "line\n\tindented", "\tfirst", "ok\nfine"])
def test_text_with_characters_yaml_holds_only_as_escapes_reads_back_as_itself(text: str) -> None:
    """Control characters, YAML 1.1's other line breaks and a line that starts with a tab are written in double
    quotes as escapes, by a new file and by a patch alike: in a block or plain they would be refused by the reader
    or read back as something else (NEL and U+2028 as a line feed)."""
    data = {"locations": [{"name": "Esher", "lat": 51.37, "lon": -0.36, "notes": "x"}]}
    old = parse_document(new_yaml(data), "locations.yaml")[0].data
    new = {"locations": [dict(old["locations"][0], notes=text)]}
    for written in (patch_yaml(new_yaml(data), old, new), new_yaml(new)):
        doc, problems = parse_document(written, "locations.yaml")
        assert problems == [] and doc.data["locations"][0]["notes"] == text, written


@settings(max_examples=40, deadline=None)
@given(data=locations(), style=st.sampled_from(["pyyaml", "ours"]), change=st.data())
def test_a_patched_yaml_file_holds_exactly_the_new_values(data: dict, style: str, change) -> None:
    """Whatever the file's layout (PyYAML's plain text over several lines, or ours), patching it to new values
    gives a file that reads back as exactly those values, and patching it to the same values changes nothing."""
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if style == "pyyaml" else new_yaml(data)
    old = parse_document(text, "locations.yaml")[0].data
    assert patch_yaml(text, old, old) == text
    new = json.loads(json.dumps(old))
    places = new["locations"]
    what = change.draw(st.sampled_from(["edit", "add", "remove"]))
    if what == "edit":
        place = places[change.draw(st.integers(0, len(places) - 1))]
        place[change.draw(st.sampled_from(["name", "notes", "lat"]))] = change.draw(
            st.one_of(st.floats(-90, 90), st.text(min_size=1).filter(str.strip)))
    elif what == "add":
        places.insert(change.draw(st.integers(0, len(places))), change.draw(locations())["locations"][0])
    elif len(places) > 1:
        del places[change.draw(st.integers(0, len(places) - 1))]
    patched = patch_yaml(text, old, new)
    doc, problems = parse_document(patched, "locations.yaml")
    assert problems == [] and same_values(doc.data, new)


def test_a_picture_is_uploaded_under_images_with_a_safe_name(editor: PreviewServer) -> None:
    import base64

    root = editor.preview.project
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    code, result = request(editor, "POST", "api/upload", {"name": "../../Clinic Front Door.PNG",
                                                          "data": base64.b64encode(png).decode()})
    assert code == 200 and result == {"src": "images/clinic-front-door.png"}
    assert (root / "images" / "clinic-front-door.png").read_bytes() == png
    code, refused = request(editor, "POST", "api/upload", {"name": "x.png",
                                                           "data": base64.b64encode(b"<svg onload=...>").decode()})
    assert code == 400 and "not a JPEG, PNG" in refused["error"]
    assert request(editor, "POST", "api/upload", {"name": "x.png", "data": "not base64!"}, token=False)[0] == 403


def test_the_sample_site_yaml_keeps_its_comments_when_a_disclaimer_changes(tmp_path: Path) -> None:
    from generator.edit.store import Store, from_json, to_json
    from tests.projects import REPO, copy_project

    root = copy_project(REPO, tmp_path / "sample")
    before = (root / "site.yaml").read_text("utf-8")
    store = Store(root)
    loaded = store.read("site")
    data = from_json(to_json(loaded.data))
    data["disclaimers"]["results-vary"] = "Results vary from person to person."
    store.save("site", data, loaded.version)
    lines = diff(before, (root / "site.yaml").read_text("utf-8"))
    assert lines[-1] == "+    Results vary from person to person." and all(line.startswith("-") for line in lines[:-1])
    assert before.count("#") == (root / "site.yaml").read_text("utf-8").count("#")


def test_text_for_one_treatment_in_one_area_is_edited_in_the_form_and_follows_a_renamed_treatment(
        editor: PreviewServer) -> None:
    """locations.yaml's `faqs` and `landing_pages` (the doorway gate's fields) are in the form, are saved like any
    other value, and a treatment renamed in the form is renamed in the keys of `landing_pages` too."""
    fields = next(f for f in describe_file(SCHEMAS["locations.yaml"])["fields"] if f["name"] == "locations")
    place = {f["name"]: f for f in fields["item"]["fields"]}
    assert place["faqs"]["kind"] == "records"
    pair = place["landing_pages"]
    assert pair["kind"] == "map" and [f["name"] for f in pair["value"]["fields"]] == ["note", "faqs"]
    root = editor.preview.project
    now = state(editor)
    treatments = now["files"]["treatments"]["data"]["treatments"]
    slug = treatments[0]["slug"]
    data = now["files"]["locations"]["data"]
    data["locations"][0]["landing_pages"] = {slug: {"note": "Written for this treatment in this place."}}
    code, result = request(editor, "POST", "api/save", {"file": "locations", "data": data,
                                                        "version": now["files"]["locations"]["version"],
                                                        "origins": list(range(len(data["locations"])))})
    assert code == 200, result
    saved = yaml.safe_load((root / "locations.yaml").read_text("utf-8"))["locations"][0]
    assert saved["landing_pages"] == {slug: {"note": "Written for this treatment in this place."}}
    now = state(editor)
    data = now["files"]["treatments"]["data"]
    data["treatments"][0]["slug"] = slug + "-renamed"
    code, result = request(editor, "POST", "api/save", {"file": "treatments", "data": data,
                                                        "origins": list(range(len(data["treatments"]))),
                                                        "version": now["files"]["treatments"]["version"]})
    assert code == 200, result
    saved = yaml.safe_load((root / "locations.yaml").read_text("utf-8"))["locations"][0]
    assert list(saved["landing_pages"]) == [slug + "-renamed"]
