"""Renditions: what is served in place of an uploaded file.

Every rendition is decoded from the original and encoded anew with no metadata: no EXIF (GPS
position, camera serial numbers, the photographer's software), no XMP, no text chunks. The
orientation EXIF asked for is applied to the pixels first, and a colour profile is converted
to sRGB, so the picture looks as it did without carrying either.

    mail-600.jpg, mail-1200.jpg     the lead image in mail, and its copy for high-density screens
    w400/w800/w1600 .webp and .jpg  the newsroom's responsive srcset (WebP, with JPEG fallback)
    full.<jpg|png|webp>             the full-resolution download, in the original's format
    cover-300.jpg, cover-600.jpg    a PDF's first page, for the documents block
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from core.settings import get_settings
from media.checks import PDF, FileType, pillow_limit

MAIL_WIDTHS = (600, 1200)
WEB_WIDTHS = (400, 800, 1600)
COVER_WIDTHS = (300, 600)
MAX_COVER_SIDE = 4000  # pixels of the longest side of a rendered first page
JPEG_QUALITY = 85
WEBP_QUALITY = 80


@dataclass(frozen=True)
class Made:
    """One rendition's bytes and facts."""

    name: str
    data: bytes
    mime: str
    width: int
    height: int


def planned(file_type: FileType) -> list[str]:
    """The names of the renditions a file of this type gets, in the order they are made."""
    if file_type.kind.value == "image":
        names = [f"mail-{width}.jpg" for width in MAIL_WIDTHS]
        for width in WEB_WIDTHS:
            names += [f"w{width}.webp", f"w{width}.jpg"]
        return [*names, f"full.{file_type.extension}"]
    if file_type is PDF:
        return [f"cover-{width}.jpg" for width in COVER_WIDTHS]
    return []


def make(data: bytes, file_type: FileType, progress: Callable[[int, int], None] | None = None) -> Iterator[Made]:
    """The renditions of `data`, one at a time; `progress(done, total)` after each."""
    names = planned(file_type)
    if not names:
        return
    if file_type is PDF:
        picture = _first_page(data)
    else:
        picture = _decoded(data)
    for done, name in enumerate(names, start=1):
        yield _render(picture, name, file_type)
        if progress is not None:
            progress(done, len(names))


def _decoded(data: bytes) -> Any:
    """The picture of an image file: decoded once, turned upright, in sRGB, stripped of info."""
    from PIL import Image, ImageCms, ImageOps

    with pillow_limit(get_settings().media_max_pixels):
        opened = Image.open(io.BytesIO(data))
        opened.load()
    image: Image.Image = ImageOps.exif_transpose(opened)
    profile = image.info.get("icc_profile")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if has_alpha else "RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            srgb = ImageCms.createProfile("sRGB")
            image = ImageCms.profileToProfile(image, source, srgb, outputMode=image.mode) or image
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # an unreadable profile is dropped; the pixels stay as they are
    image.info = {}
    return image


def _first_page(data: bytes) -> Any:
    """The first page of a PDF as a picture, rendered by PDFium at 1200 px wide."""
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        page = document[0]
        width, height = max(page.get_width(), 1.0), max(page.get_height(), 1.0)
        # Wide enough for the largest cover, but never more pixels than an image may have: a
        # page of 10 × 3000 points would otherwise ask for a bitmap of gigabytes.
        scale = min(max(COVER_WIDTHS) * 2 / width, MAX_COVER_SIDE / max(width, height),
                    math.sqrt(get_settings().media_max_pixels / (width * height)))
        picture = page.render(scale=scale).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    picture.info = {}
    return picture


def _render(picture: Any, name: str, file_type: FileType) -> Made:
    from PIL import Image

    stem, _, extension = name.partition(".")
    if stem == "full":
        image = picture
    else:
        target = int(stem.rsplit("-", 1)[-1]) if "-" in stem else int(stem[1:])
        image = picture
        if picture.width > target:
            height = max(1, round(picture.height * target / picture.width))
            image = picture.resize((target, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    if extension == "jpg":
        flat = image
        if image.mode == "RGBA":  # JPEG has no transparency: lay the picture on white
            flat = Image.new("RGB", image.size, (255, 255, 255))
            flat.paste(image, mask=image.getchannel("A"))
        flat.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        mime = "image/jpeg"
    elif extension == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
        mime = "image/webp"
    else:
        image.save(out, "PNG", optimize=False)
        mime = "image/png"
    return Made(name, out.getvalue(), mime, image.width, image.height)
