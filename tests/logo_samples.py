"""Logos for the sponsor and member tests: good images made with Pillow, and hostile uploads
with the words of the message that refuses each."""

from __future__ import annotations

import io
import re

from PIL import Image, PngImagePlugin


def png(size=(900, 300), color=(200, 30, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG", **save)
    return out.getvalue()


def png_with_metadata() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "secret-author-name")
    return png(pnginfo=info)


def bomb() -> bytes:
    """A small PNG that decodes to 400 million pixels."""
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, "PNG", optimize=True)
    return out.getvalue()


def squeeze(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# name: (bytes, file name, words of the refusal)
HOSTILE_UPLOADS = {
    "a script renamed .png": (b"<script>alert(1)</script>", "logo.png", "refused"),
    "a shell script renamed .png": (b"#!/bin/sh\nrm -rf /\n" * 10, "logo.png", "not a PNG"),
    "an SVG": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "logo.svg",
        "SVG",
    ),
    "a path in the file name": (png(), "../../../etc/logo.png", "path"),
    "a GIF": (b"GIF89a" + b"\x00" * 50, "logo.gif", "not a PNG"),
    "a 2 MB file": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2_000_000, "logo.png", "at most 1 MB"),
}
