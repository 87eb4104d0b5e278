"""The clinic's own pictures (logo, premises and practitioner photos): read and checked when the data is loaded,
made into a few widths of WebP when the site is written, and described to templates as `srcset`s.

Sources live under the project's `images/` folder. Each variant is cached in `.clinic-pages-images/` under the
digest of its source bytes and of the recipe (widths, format, quality, Pillow's version), so an unchanged picture
is never encoded twice; the pages depend on that same digest, so an incremental build stays byte-equal to a clean
one. WebP, not AVIF: measured on a 2400 x 1600 photo made into 400, 800 and 1200 px, AVIF (quality 60, speed 6)
was about 17 % smaller but took five times as long (1.65 s against 0.31 s), and every browser a patient uses shows
WebP without a `<picture>` fallback.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.paths import first_link, read_no_link

IMAGE_DIR = "images"                 # sources, under the project folder
CACHE_DIR = ".clinic-pages-images"   # encoded variants, beside the project's data (git-ignored)
OUTPUT_DIR = "images"                # where variants go in the site
FORMATS = ("JPEG", "PNG", "WEBP", "AVIF", "GIF")   # what a source may be
_NAME = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"   # a file or folder name that does not start with a dot or a hyphen
SRC_RE = re.compile(rf"^images/(?:{_NAME}/)*{_NAME}\.(?:jpe?g|png|webp|avif|gif)$", re.I)
WEBP = {"quality": 80, "method": 6}

# How each kind of picture is shown: the CSS width(s) it takes, and so the widths worth making (1x, 2x, 3x).
# `sizes` tells the browser which width to pick before the stylesheet has loaded.
ROLES: dict[str, tuple[tuple[int, ...], str]] = {
    "logo": ((), ""),                                           # by height, see LOGO_HEIGHT
    "portrait": ((112, 224, 336), "112px"),
    "photo": ((400, 800, 1200), "(min-width: 48rem) 15rem, (min-width: 31rem) calc(50vw - 1.5rem), "
              "calc(100vw - 2rem)"),    # .gallery: three across on a wide screen, two on a small tablet
}
LOGO_HEIGHT = 48          # CSS px: the logo's height in the header
FAVICON_SIZES = (16, 32, 48)
TOUCH_ICON = 180


class ImageProblem(Exception):
    """A picture the build cannot use: the message and a hint, for the data error of the field that names it."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


@dataclass(frozen=True)
class ImageInfo:
    """What the build knows of one source picture (read once, when the data is loaded)."""

    src: str          # "images/clinic-front.jpg", relative to the project
    width: int
    height: int
    digest: str       # of its bytes


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    path: str         # in the output folder: "images/clinic-front-800.webp"

    @property
    def url(self) -> str:
        return "/" + self.path


@dataclass(frozen=True)
class Picture:
    """An <img> as templates write it: `src`, `srcset`, `sizes`, `width`, `height` and `alt`."""

    src: str
    srcset: str
    sizes: str
    width: int
    height: int
    alt: str
    role: str


def read_image(root: Path, src: str) -> ImageInfo:
    """Open a source picture and read its size; raise ImageProblem when it is missing, outside images/ or not a
    picture Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    if not SRC_RE.match(src) or ".." in src.split("/"):
        raise ImageProblem(f"expected a picture under {IMAGE_DIR}/, found {src!r}",
                           f"put the file in the project's {IMAGE_DIR}/ folder and write its path, such as "
                           f"{IMAGE_DIR}/clinic-front.jpg (JPEG, PNG, WebP, AVIF or GIF)")
    if first_link(root, src):   # no link is followed inside the project (docs/security.md)
        raise ImageProblem(f"{src} is a symbolic link, and clinic-pages follows no links inside the project",
                           "replace the link with a copy of the picture")
    try:
        data = (Path(root) / src).read_bytes()
    except FileNotFoundError:
        raise ImageProblem(f"no such picture: {src}",
                           f"check the spelling, or copy the file into {IMAGE_DIR}/") from None
    except OSError as exc:
        raise ImageProblem(f"cannot read {src}: {exc.strerror}") from exc
    try:
        with warnings.catch_warnings():
            # Pillow warns of a picture over MAX_IMAGE_PIXELS and refuses one twice that size: both are refused
            # here, before anything decodes it (a small file can claim a huge size and take all memory).
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format not in FORMATS:
                    raise ImageProblem(f"{src} is a {img.format} file", "save it as JPEG, PNG or WebP")
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                width, height = _upright_size(img)
    except ImageProblem:
        raise
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ImageProblem(f"{src} is larger than {Image.MAX_IMAGE_PIXELS:,} pixels",
                           "save a smaller copy (2,400 pixels across is plenty for a web page)") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageProblem(f"{src} is not a picture that can be read ({exc.__class__.__name__})",
                           "open it in an image editor and save it again as JPEG or PNG") from exc
    if width < 16 or height < 16:
        raise ImageProblem(f"{src} is only {width} x {height} pixels", "use a larger picture")
    return ImageInfo(src, width, height, hashlib.blake2b(data, digest_size=16).hexdigest())


def _upright_size(img) -> tuple[int, int]:
    """The size as shown: a photo taken on its side (EXIF orientation 5-8) swaps width and height."""
    orientation = img.getexif().get(0x0112, 1)
    return (img.height, img.width) if orientation in (5, 6, 7, 8) else (img.width, img.height)


def _stem(src: str) -> str:
    """"images/team/jane smith.JPG" -> "team-jane-smith": the variants' name in the output folder."""
    rel = src.split("/", 1)[1]
    base = rel.rsplit(".", 1)[0]
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "image"


def variants(info: ImageInfo, role: str) -> list[Variant]:
    """The widths made of a picture in a role: never wider than the source; at least one."""
    if role == "logo":
        widths = tuple(round(LOGO_HEIGHT * k * info.width / info.height) for k in (1, 2))
    else:
        widths = ROLES[role][0]
    kept = sorted({w for w in widths if w <= info.width}) or [info.width]
    return [Variant(w, max(1, round(w * info.height / info.width)), f"{OUTPUT_DIR}/{_stem(info.src)}-{w}.webp")
            for w in kept]


def picture(info: ImageInfo, alt: str, role: str) -> Picture:
    """What a template needs to write the <img>: the smallest variant as `src` (for browsers without srcset), each
    width in `srcset`, and the displayed size as `width` and `height` (so the page does not jump as it loads)."""
    made = variants(info, role)
    if role == "logo":
        shown_w, shown_h = round(LOGO_HEIGHT * info.width / info.height), LOGO_HEIGHT
        sizes = f"{shown_w}px"
    else:
        shown_w, shown_h = made[-1].width, made[-1].height
        sizes = ROLES[role][1]
    return Picture(src=made[0].url, srcset=", ".join(f"{v.url} {v.width}w" for v in made), sizes=sizes,
                   width=shown_w, height=shown_h, alt=alt, role=role)


def recipe() -> str:
    """Everything besides the source that decides a variant's bytes: a new Pillow or new settings encode again."""
    import PIL

    return f"webp-q{WEBP['quality']}-m{WEBP['method']}-pillow{PIL.__version__}"


def write_variants(root: Path, uses: Iterable[tuple[ImageInfo, str]], favicon_from: ImageInfo | None = None,
                   cache: Path | None = None) -> Iterator[tuple[str, bytes]]:
    """(output path, bytes) of every variant of every picture in use, and the favicons made from the logo; each
    taken from the cache when it is there, encoded (and cached) when not. Sorted by output path."""
    cache = Path(cache) if cache is not None else Path(root) / CACHE_DIR
    wanted: dict[str, tuple[ImageInfo, Variant | None, str]] = {}
    for info, role in uses:
        for v in variants(info, role):
            wanted[v.path] = (info, v, "webp")
    if favicon_from is not None:
        wanted["favicon.ico"] = (favicon_from, None, "ico")
        wanted["apple-touch-icon.png"] = (favicon_from, None, "touch")
    tag = recipe()
    linked = first_link(cache.parent, cache.name) is not None   # a cache that is a link is neither read nor written
    for path in sorted(wanted):
        info, variant, kind = wanted[path]
        key = hashlib.blake2b(f"{info.digest}\0{tag}\0{kind}\0{variant.width if variant else 0}".encode(),
                              digest_size=16).hexdigest()
        cached = cache / f"{key}.{'webp' if kind == 'webp' else 'ico' if kind == 'ico' else 'png'}"
        data = None if linked else _cached(cached)
        if data is None:
            data = _encode(Path(root) / info.src, variant, kind)
            if not linked:
                _store(cached, data)
        yield path, data


def _cached(path: Path) -> bytes | None:
    """A cache entry's bytes, or None when there is none (an entry that is a link is not read)."""
    try:
        return read_no_link(path)
    except OSError:
        return None


def _store(path: Path, data: bytes) -> None:
    """Write a cache entry atomically; a cache that cannot be written is only slower, never an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        pass


def _encode(source: Path, variant: Variant | None, kind: str) -> bytes:
    from PIL import Image, ImageOps

    with Image.open(source) as opened:
        upright = ImageOps.exif_transpose(opened)
        img = upright.convert("RGBA") if _has_alpha(upright) else upright.convert("RGB")
        out = io.BytesIO()
        if kind == "webp":
            assert variant is not None
            img.resize((variant.width, variant.height), Image.Resampling.LANCZOS).save(out, "WEBP", **WEBP)
        else:
            side = max(img.width, img.height)
            square = Image.new("RGBA", (side, side), (255, 255, 255, 0 if kind == "ico" else 255))
            square.alpha_composite(img.convert("RGBA"), ((side - img.width) // 2, (side - img.height) // 2))
            if kind == "ico":
                square.save(out, "ICO", sizes=[(s, s) for s in FAVICON_SIZES])
            else:
                square.convert("RGB").resize((TOUCH_ICON, TOUCH_ICON), Image.Resampling.LANCZOS).save(
                    out, "PNG", optimize=True)
        return out.getvalue()


def _has_alpha(img) -> bool:
    return img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
