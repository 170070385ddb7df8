"""Responsive mentor photos: pelican-image-process makes the variants; templates get the srcset."""

from __future__ import annotations

from typing import Any

from pelican.plugins.image_process.image_process import build_srcset, compute_paths
from PIL import Image

DERIVATIVE = "mentor-photo"


def photo_variants(photo: str, alt: str, settings: dict[str, Any]) -> dict[str, Any]:
    """Resize `content/images/<photo>` into the `mentor-photo` srcset; return what <img> needs.

    URLs come back relative to the site root, like every URL in the template context.
    """
    img: dict[str, Any] = {"src": f"/images/{photo}"}
    build_srcset(img, settings, DERIVATIVE)
    paths = compute_paths(f"/images/{photo}", settings, DERIVATIVE)
    default = settings["IMAGE_PROCESS"][DERIVATIVE]["default"]
    width = height = None
    try:
        with Image.open(f"{paths.base_path}/{default}/{img['src'].rsplit('/', 1)[-1]}") as opened:
            width, height = opened.size
    except OSError:
        pass
    srcset = ", ".join(part.strip().lstrip("/") for part in img.get("srcset", "").split(","))
    return {
        "src": img["src"].lstrip("/"),
        "srcset": srcset,
        "sizes": img.get("sizes", ""),
        "width": width,
        "height": height,
        "alt": alt,
    }
