"""Logos of sponsors and members, taken safely: only PNG, JPEG or WebP of at most 1 MB, checked
by decoding them whole (Pillow), re-encoded at a bounded size without their metadata, and
stored under a random name in the media directory (PORTAL_MEDIA_DIR, else the instance
folder's media/logos). SVG is refused: it can carry script. What is served is only ever a file
this module wrote, by a name it made (`path_of` refuses any other)."""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from PIL import Image, ImageOps

from portal.core.errors import Refused

MAX_BYTES = 1_000_000
MAX_PIXELS = 16_000_000  # decoded size bound: a 1 MB file may claim gigapixels (a bomb)
MAX_SIDE = 480  # what a logo is shown at, with room for high-density screens
FORMATS = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "WEBP": ("webp", "image/webp"),
}
TYPES = {ext: mimetype for ext, mimetype in FORMATS.values()}
NAME = re.compile(r"\A[0-9a-f]{32}\.(png|jpg|webp)\Z")
FIELD = "logo"


@dataclass(frozen=True)
class Logo:
    """A logo read and re-encoded, not yet stored."""

    data: bytes
    ext: str


def refuse(why: str) -> Refused:
    return Refused({FIELD: why})


def _check_name(filename: str | None) -> None:
    name = filename or ""
    if "/" in name or "\\" in name or ".." in name or "\x00" in name:
        raise refuse("The file name must not contain a path; send the image file itself.")
    if name.lower().endswith((".svg", ".svgz")):
        raise refuse("SVG logos are refused (they can carry script): send PNG, JPEG or WebP.")


def read(data: bytes, filename: str | None = None) -> Logo:
    """The logo in `data` (uploaded as `filename`), decoded, resized and re-encoded; or
    Refused (on the field "logo") saying why."""
    _check_name(filename)
    if len(data) > MAX_BYTES:
        raise refuse(f"The logo is {len(data) / 1_000_000:.1f} MB; at most 1 MB is taken.")
    if not data:
        raise refuse("The logo file is empty.")
    if data.lstrip()[:1] == b"<":
        raise refuse("SVG and other text files are refused: send PNG, JPEG or WebP.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            if image.width * image.height > MAX_PIXELS:
                raise refuse(
                    f"The image claims {image.width}×{image.height} pixels, far more than a "
                    "logo needs; send one of at most 4,000×4,000."
                )
            image.load()
            kind = image.format
            image = ImageOps.exif_transpose(image)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise refuse("The image claims far more pixels than a logo needs.") from None
    except Exception:  # whatever Pillow cannot decode is not an image we take
        raise refuse("This file is not a PNG, JPEG or WebP image that can be read.") from None
    ext = FORMATS[kind][0] if kind in FORMATS else "png"
    return Logo(_encode(image, ext), ext)


def _encode(image: Image.Image, ext: str) -> bytes:
    """Pixels only: no EXIF, ICC, text chunks or comments survive re-encoding."""
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if ext == "jpg":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P", "PA") else "RGB"
        image.convert(mode).save(out, "PNG" if ext == "png" else "WEBP", optimize=True)
    return out.getvalue()


def directory() -> Path:
    configured = current_app.config.get("MEDIA_DIR")
    base = Path(configured) if configured else Path(current_app.instance_path) / "media"
    return base / "logos"


def store(logo: Logo) -> str:
    """Write the logo under a new random name, which is returned."""
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{logo.ext}"
    (folder / name).write_bytes(logo.data)
    return name


def path_of(name: str) -> Path | None:
    """The stored file of that name, or None for any name this module did not make."""
    if not NAME.match(name):
        return None
    folder = directory().resolve()
    path = (folder / name).resolve()
    if path.parent != folder or not path.is_file():
        return None
    return path


def delete(name: str | None) -> None:
    if name and (path := path_of(name)) is not None:
        path.unlink(missing_ok=True)


def stored_count() -> int:
    """How many logos are stored (for tests and the health of the media directory)."""
    folder = directory()
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0
