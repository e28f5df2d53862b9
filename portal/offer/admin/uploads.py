"""A logo posted with a back-office form: read (at most a little over the limit) and checked by
offer/logos.py; a body too large for the application at all is answered here, on the form's
own screens, with what a logo may be (nothing is stored either way)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from wtforms import FileField

from portal.offer import logos

HINT = "PNG, JPEG or WebP, at most 1 MB; it is resized and its metadata dropped. No SVG."


def logo_field() -> FileField:
    return FileField("Logo", description=HINT)


def posted_logo(name: str = logos.FIELD) -> logos.Logo | None:
    """The logo of the posted form, or None when none was sent; Refused when it is no logo."""
    upload = request.files.get(name)
    if upload is None or not upload.filename:
        return None
    data = upload.stream.read(logos.MAX_BYTES + 1)
    return logos.read(data, upload.filename)


def answer_too_large(bp: Blueprint) -> None:
    @bp.errorhandler(413)
    def too_large(error):
        message = "The upload is far larger than 1 MB, the most a logo may be; nothing was stored."
        return render_template("offer/admin/too_large.html", message=message, hint=HINT), 413
