"""Illustrated mentor avatars drawn with Pillow.

Sample profiles need pictures, but never a photo of a real person: each avatar
is an abstract geometric bust (a head, shoulders, a hair shape) on a two-tone
background, fully determined by a seed so the sample site and benchmark
corpora are reproducible. `describe` returns an alt text that says what the
picture actually shows.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw

SIZE = 320

# (name fr, name en, RGB) — named so the alt text can say which colour it is.
BACKGROUNDS = [
    ("bleu", "blue", (58, 110, 165)),
    ("vert sapin", "fir green", (46, 110, 84)),
    ("ocre", "ochre", (196, 140, 52)),
    ("prune", "plum", (120, 64, 110)),
    ("turquoise", "turquoise", (38, 140, 140)),
    ("corail", "coral", (222, 110, 90)),
    ("ardoise", "slate", (80, 92, 110)),
    ("moutarde", "mustard", (200, 170, 60)),
]
SKIN = [
    (241, 204, 170),
    (224, 172, 128),
    (190, 130, 90),
    (150, 98, 64),
    (110, 70, 46),
    (84, 54, 38),
]
HAIR = [(30, 24, 20), (80, 50, 30), (150, 100, 50), (200, 170, 110), (120, 120, 120), (60, 30, 60)]
CLOTHES = [
    (235, 235, 230),
    (40, 60, 90),
    (150, 40, 50),
    (70, 120, 70),
    (230, 190, 70),
    (60, 60, 60),
]
# (fr, en) names of the hair shapes drawn below.
HAIR_STYLES = [
    ("cheveux courts", "short hair"),
    ("cheveux longs", "long hair"),
    ("chignon", "a bun"),
    ("cheveux frisés", "curly hair"),
    ("crâne rasé", "a shaved head"),
    ("foulard", "a headscarf"),
]
PATTERNS = [("cercles", "circles"), ("bandes", "stripes"), ("triangles", "triangles")]


@dataclass(frozen=True)
class Avatar:
    """The choices behind one drawing, kept to describe it in words."""

    background: int
    pattern: int
    skin: int
    hair_color: int
    hair_style: int
    clothes: int


def choose(seed: str) -> Avatar:
    """Pick the drawing's features from a stable hash of `seed` (not Python's hash())."""
    digest = hashlib.sha256(seed.encode("utf-8")).digest()
    rng = random.Random(int.from_bytes(digest[:8], "big"))
    return Avatar(
        background=rng.randrange(len(BACKGROUNDS)),
        pattern=rng.randrange(len(PATTERNS)),
        skin=rng.randrange(len(SKIN)),
        hair_color=rng.randrange(len(HAIR)),
        hair_style=rng.randrange(len(HAIR_STYLES)),
        clothes=rng.randrange(len(CLOTHES)),
    )


def _shade(rgb: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(c * factor))) for c in rgb)


def draw(avatar: Avatar, size: int = SIZE) -> Image.Image:
    """Render the avatar as an RGB image of `size` × `size` pixels."""
    s = size / 320
    bg = BACKGROUNDS[avatar.background][2]
    img = Image.new("RGB", (size, size), bg)
    d = ImageDraw.Draw(img)
    light = _shade(bg, 1.25)
    if avatar.pattern == 0:
        for i, r in enumerate((150, 110, 70)):
            d.ellipse(
                [(-r + 40) * s, (-r + 40) * s, (r + 40) * s, (r + 40) * s],
                outline=light,
                width=int(10 * s) + i,
            )
    elif avatar.pattern == 1:
        for x in range(-320, 320, 60):
            d.polygon(
                [
                    ((x) * s, 320 * s),
                    ((x + 30) * s, 320 * s),
                    ((x + 350) * s, 0),
                    ((x + 320) * s, 0),
                ],
                fill=light,
            )
    else:
        for x in range(0, 320, 80):
            d.polygon([(x * s, 0), ((x + 40) * s, 50 * s), ((x + 80) * s, 0)], fill=light)

    skin = SKIN[avatar.skin]
    hair = HAIR[avatar.hair_color]
    clothes = CLOTHES[avatar.clothes]
    style = avatar.hair_style
    cx = 160 * s

    if style == 1:  # long hair falls behind the shoulders
        d.rounded_rectangle(
            [cx - 78 * s, 90 * s, cx + 78 * s, 260 * s], radius=int(50 * s), fill=hair
        )
    if style == 5:  # headscarf drapes around the head
        d.ellipse([cx - 82 * s, 60 * s, cx + 82 * s, 250 * s], fill=clothes)
        clothes = _shade(clothes, 0.75)

    d.ellipse([cx - 130 * s, 230 * s, cx + 130 * s, 440 * s], fill=clothes)  # shoulders
    d.rectangle([cx - 24 * s, 190 * s, cx + 24 * s, 250 * s], fill=_shade(skin, 0.9))  # neck
    d.ellipse([cx - 62 * s, 80 * s, cx + 62 * s, 215 * s], fill=skin)  # head

    if style == 0:
        d.chord([cx - 66 * s, 70 * s, cx + 66 * s, 170 * s], 180, 360, fill=hair)
    elif style == 1:
        d.chord([cx - 68 * s, 68 * s, cx + 68 * s, 180 * s], 180, 360, fill=hair)
    elif style == 2:
        d.chord([cx - 64 * s, 74 * s, cx + 64 * s, 160 * s], 180, 360, fill=hair)
        d.ellipse([cx - 30 * s, 40 * s, cx + 30 * s, 96 * s], fill=hair)
    elif style == 3:
        for dx, dy in ((-50, 100), (-25, 82), (0, 76), (25, 82), (50, 100), (-62, 125), (62, 125)):
            d.ellipse(
                [cx + (dx - 26) * s, (dy - 26) * s, cx + (dx + 26) * s, (dy + 26) * s], fill=hair
            )
    elif style == 4:
        d.chord([cx - 62 * s, 80 * s, cx + 62 * s, 150 * s], 180, 360, fill=_shade(skin, 0.85))
    elif style == 5:
        d.chord([cx - 70 * s, 62 * s, cx + 70 * s, 170 * s], 180, 360, fill=CLOTHES[avatar.clothes])
    return img


def describe(avatar: Avatar, lang: str = "fr") -> str:
    """An alt text for the drawing, in `lang` ('fr' or 'en')."""
    bg_fr, bg_en, _ = BACKGROUNDS[avatar.background]
    hair_fr, hair_en = HAIR_STYLES[avatar.hair_style]
    pat_fr, pat_en = PATTERNS[avatar.pattern]
    if lang == "en":
        article = "an" if bg_en[0] in "aeiou" else "a"
        return (
            f"Illustrated avatar: a geometric figure with {hair_en} "
            f"on {article} {bg_en} background with {pat_en}"
        )
    return (
        f"Avatar illustré : silhouette géométrique, {hair_fr}, sur fond {bg_fr} à motif de {pat_fr}"
    )


def write(seed: str, path: Path, size: int = SIZE, quality: int = 80) -> Avatar:
    """Draw the avatar for `seed` into a small JPEG at `path`; return its features."""
    avatar = choose(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    draw(avatar, size).save(path, "JPEG", quality=quality, optimize=True, progressive=True)
    return avatar
