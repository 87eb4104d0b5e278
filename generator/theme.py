"""The clinic's colours: checked for contrast when the data is loaded (WCAG 2.2: 4.5:1 for text), and turned into
the CSS custom properties that templates/assets/style.css reads."""

from __future__ import annotations

from collections.abc import Iterable

TEXT = "#1f2328"          # the stylesheet's body text colour
MUTED = "#4d5560"         # and its quieter text
WHITE = "#ffffff"
MIN_CONTRAST = 4.5        # WCAG 2.2 success criterion 1.4.3, normal text


def rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def hex_colour(channels: Iterable[float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(c))):02x}" for c in channels)


def luminance(colour: str) -> float:
    """Relative luminance, as WCAG defines it."""
    def linear(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`share` of `other` mixed into `colour`."""
    return hex_colour(tuple(c * (1 - share) + o * share for c, o in zip(rgb(colour), rgb(other), strict=True)))


def default_tint(brand: str) -> str:
    return mix(brand, WHITE, 0.92)


def theme_problems(brand: str, tint: str | None) -> list[tuple[str, str, str]]:
    """(field, message, hint) for each theme colour the stylesheet cannot use. `brand_colour` carries white text
    (buttons) and is the colour of links, on white and on the tint; `tint_colour` is the background of bands that
    carry body text and links."""
    problems = []
    if tint:
        ratio = min(contrast(tint, TEXT), contrast(tint, MUTED))
        if ratio < MIN_CONTRAST:
            problems.append(("tint_colour", f"{tint} is too dark to put text on (contrast {ratio:.1f}:1, "
                             f"{MIN_CONTRAST}:1 needed)",
                             "use a pale colour, such as a light tint of the brand colour"))
            tint = None

    def worst(shade: str) -> float:
        return min(contrast(shade, WHITE), contrast(shade, tint or default_tint(shade)))

    if worst(brand) < MIN_CONTRAST:
        darker = next((shade for shade in (mix(brand, "#000000", k / 100) for k in range(1, 101))
                       if worst(shade) >= MIN_CONTRAST), "#000000")
        problems.insert(0, ("brand_colour", f"{brand} is too light for links and for white text on buttons "
                            f"(contrast {worst(brand):.1f}:1, {MIN_CONTRAST}:1 needed)",
                            f"use a darker shade, such as \"{darker}\""))
    return problems


def css_variables(brand: str, tint: str | None = None) -> str:
    """The custom properties a theme sets: "--brand:#0b5a8a;--brand-dark:#08476d;--tint:#eef4f8"."""
    brand = hex_colour(rgb(brand))
    tint = hex_colour(rgb(tint)) if tint else default_tint(brand)
    return f"--brand:{brand};--brand-dark:{mix(brand, '#000000', 0.2)};--tint:{tint}"
