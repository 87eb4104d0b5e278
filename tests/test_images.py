"""Pictures: read and checked with the data (a missing one, or one with no alt text, is a data error at its line),
made into WebP widths with srcset, width, height and alt on the page, cached and encoded again only when the
source changes, a favicon made from the logo, and incremental builds byte-equal to clean ones."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from generator import images
from generator.build import build
from generator.errors import DataError
from generator.images import ImageProblem, picture, read_image, variants, write_variants
from generator.validate import load_project
from tests.projects import complete_project, edit, tree_bytes


@pytest.fixture
def complete(tmp_path: Path) -> Path:
    return complete_project(tmp_path / "complete")


def pages(output: Path):
    for path in sorted(output.rglob("*.html")):
        yield path.relative_to(output).as_posix(), lxml.html.document_fromstring(path.read_text("utf-8"))


def test_every_picture_on_every_page_has_width_height_alt_and_srcset(built_complete: Path) -> None:
    output = built_complete
    seen = set()
    for rel, doc in pages(output):
        for img in doc.xpath("//img"):
            src = img.get("src")
            seen.add(src)
            assert img.get("alt"), (rel, src)
            assert int(img.get("width")) > 0 and int(img.get("height")) > 0, (rel, src)
            candidates = [c.strip().split(" ") for c in img.get("srcset").split(",")]
            assert candidates and all(re.fullmatch(r"\d+w", w) for _, w in candidates), (rel, img.get("srcset"))
            assert img.get("sizes"), (rel, src)
            for url, width in candidates:      # every width exists, as WebP, as wide as it says
                with Image.open(output / url.lstrip("/")) as made:
                    assert made.format == "WEBP" and made.width == int(width[:-1]), url
            if "logo" in src:
                assert img.get("loading") is None      # in view at once: not lazy
            else:
                assert img.get("loading") == "lazy", (rel, src)
    assert {"/images/logo-160.webp", "/images/front-400.webp", "/images/sam-ellis-112.webp"} <= seen


def test_the_alt_text_is_what_the_data_says(built_complete: Path) -> None:
    home = lxml.html.document_fromstring((built_complete / "index.html").read_text("utf-8"))
    alts = {img.get("alt") for img in home.xpath("//img")}
    assert {"Complete Clinic", "The clinic's front door, between a bakery and a bookshop",
            "A treatment room with a reclining chair", "Dr Sam Ellis, smiling, in a blue top"} <= alts


def test_a_missing_alt_is_a_data_error_at_its_line(complete: Path) -> None:
    edit(complete / "site.yaml", "        alt: A treatment room with a reclining chair\n", "")
    with pytest.raises(DataError) as caught:
        load_project(complete)
    (problem,) = caught.value.problems
    assert str(problem).startswith("site.yaml:")
    assert problem.field == "premises[0].photos[1]" and "`alt` is missing" in problem.message
    lines = (complete / "site.yaml").read_text().splitlines()
    assert lines[problem.line - 1].strip() == "- src: images/room.jpg"


@pytest.mark.parametrize(("src", "message"), [
    ("images/nothere.jpg", "no such picture: images/nothere.jpg"),
    ("../secret.png", "expected a picture under images/, found '../secret.png'"),
    ("/etc/passwd", "expected a picture under images/, found '/etc/passwd'"),
    ("images/notes.txt", "expected a picture under images/"),
])
def test_a_picture_that_cannot_be_used_is_a_data_error_at_its_line(complete: Path, src: str, message: str) -> None:
    edit(complete / "site.yaml", "src: images/room.jpg", f"src: {src}")
    with pytest.raises(DataError) as caught:
        load_project(complete)
    (problem,) = caught.value.problems
    assert problem.field == "premises[0].photos[1].src" and message in problem.message and problem.hint
    assert (complete / "site.yaml").read_text().splitlines()[problem.line - 1].strip() == f"- src: {src}"


def test_a_file_that_is_not_a_picture_is_refused(complete: Path) -> None:
    (complete / "images/room.jpg").write_bytes(b"this is not a JPEG")
    with pytest.raises(ImageProblem, match="not a picture that can be read"):
        read_image(complete, "images/room.jpg")


def test_a_picture_claiming_a_huge_size_is_refused_before_it_is_decoded(complete: Path, monkeypatch) -> None:
    """A small file can say it is 100,000 pixels square: refused as a data error, never decoded (a warning or a
    traceback from Pillow otherwise)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 64)   # the sample pictures are larger than 64 x 64
    Image.new("RGB", (100, 100)).save(complete / "images/room.jpg")
    with pytest.raises(ImageProblem, match="larger than 4,096 pixels"):
        read_image(complete, "images/room.jpg")
    Image.new("RGB", (200, 200)).save(complete / "images/room.jpg")     # over twice the limit: Pillow's error
    with pytest.raises(ImageProblem, match="larger than"):
        read_image(complete, "images/room.jpg")


def test_a_link_among_the_pictures_is_refused_wherever_it_points(complete: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    Image.new("RGB", (64, 64)).save(outside)
    (complete / "images/linked.png").symlink_to(outside)
    Image.new("RGB", (64, 64)).save(complete / "images/real.png")
    (complete / "images/inside.png").symlink_to(complete / "images/real.png")
    for name in ("linked.png", "inside.png"):
        with pytest.raises(ImageProblem, match=f"images/{name} is a symbolic link"):
            read_image(complete, f"images/{name}")


def test_a_picture_cache_that_is_a_link_is_neither_read_nor_written(complete: Path, tmp_path: Path) -> None:
    Image.new("RGB", (64, 64)).save(complete / "images/real.png")
    info = read_image(complete, "images/real.png")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    cache = complete / "cache"
    cache.symlink_to(elsewhere)
    variants = dict(write_variants(complete, [(info, "photo")], cache=cache))
    assert variants and not list(elsewhere.iterdir())
    assert variants == dict(write_variants(complete, [(info, "photo")], cache=tmp_path / "real-cache"))


def test_widths_are_never_wider_than_the_source(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    Image.new("RGB", (500, 250)).save(tmp_path / "images/small.png")
    info = read_image(tmp_path, "images/small.png")
    assert [v.width for v in variants(info, "photo")] == [400]
    Image.new("RGB", (300, 200)).save(tmp_path / "images/tiny.png")
    tiny = read_image(tmp_path, "images/tiny.png")
    assert [(v.width, v.height) for v in variants(tiny, "photo")] == [(300, 200)]
    shown = picture(info, "A small one", "photo")
    assert (shown.width, shown.height, shown.src) == (400, 200, "/images/small-400.webp")


def test_a_photo_taken_on_its_side_is_measured_upright(tmp_path: Path) -> None:
    (tmp_path / "images").mkdir()
    exif = Image.Exif()
    exif[0x0112] = 6      # rotate 90 degrees to show
    Image.new("RGB", (400, 300)).save(tmp_path / "images/side.jpg", exif=exif)
    assert (read_image(tmp_path, "images/side.jpg").width, read_image(tmp_path, "images/side.jpg").height) == (300, 400)


def test_the_favicon_is_made_from_the_logo(built_complete: Path) -> None:
    output = built_complete
    with Image.open(output / "favicon.ico") as icon:
        assert icon.format == "ICO" and (48, 48) in icon.info["sizes"]
    with Image.open(output / "apple-touch-icon.png") as touch:
        assert touch.size == (180, 180)
    head = (output / "index.html").read_text()
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in head


def test_without_a_logo_no_favicon_is_requested(mini_project: Path) -> None:
    build(mini_project)
    head = (mini_project / "output/index.html").read_text()
    assert '<link rel="icon" href="data:,">' in head and not (mini_project / "output/favicon.ico").exists()


def test_pictures_are_encoded_once_and_again_only_when_the_source_changes(complete: Path, monkeypatch) -> None:
    encoded: list[str] = []
    real = images._encode

    def counting(source, variant, kind):
        encoded.append(f"{Path(source).name}:{variant.width if variant else kind}")
        return real(source, variant, kind)

    monkeypatch.setattr(images, "_encode", counting)
    build(complete, checks=False)
    first = sorted(encoded)
    assert len(first) == 13 and "front.jpg:1200" in first and "logo.png:ico" in first
    encoded.clear()
    build(complete, clean=True, checks=False)         # a clean build reads every variant from the cache
    assert encoded == []
    Image.new("RGB", (1000, 700), (10, 120, 90)).save(complete / "images/room.jpg")
    build(complete, checks=False)
    assert sorted(encoded) == ["room.jpg:400", "room.jpg:800"]   # 1200 is wider than the new source


def test_an_edited_picture_gives_the_same_site_incrementally_as_clean(complete: Path, tmp_path: Path) -> None:
    build(complete, checks=False)
    Image.new("RGB", (900, 900), (200, 40, 40)).save(complete / "images/sam-ellis.jpg")
    report = build(complete, checks=False)           # (the checks are not what is tested here: left out, for speed)
    assert report.rendered > 0                        # the pages that show it (all: the JSON-LD names the clinic)
    incremental = tree_bytes(complete / "output")
    clean = complete_project(tmp_path / "clean")
    Image.new("RGB", (900, 900), (200, 40, 40)).save(clean / "images/sam-ellis.jpg")
    build(clean, checks=False)
    assert tree_bytes(clean / "output") == incremental
    assert (complete / "output/images/sam-ellis-336.webp").exists()


def test_an_unchanged_project_with_pictures_is_up_to_date(complete: Path) -> None:
    build(complete, checks=False)
    assert build(complete, checks=False).up_to_date
    (complete / "images/front.jpg").write_bytes((complete / "images/room.jpg").read_bytes())
    assert not build(complete, checks=False).up_to_date
