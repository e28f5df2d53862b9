"""Files of static/ served under a name that holds a digest of their bytes
(`/assets/localtime.3f9a0c2be41d7a65.js`), so browsers and proxies keep them for good: new bytes
get a new name, and every page names the bytes it was rendered with (`asset_url`)."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, redirect, send_file, url_for

bp = Blueprint("assets", __name__)

YEAR = 365 * 24 * 3600
DIGEST_LENGTH = 16  # hex digits of SHA-256: 64 bits, no two versions of a file share them
# `stem.digest.ext`: no slash and no other dot, so a name only ever reaches a file of static/.
HASHED_NAME = re.compile(rf"([A-Za-z0-9_-]+)\.([0-9a-f]{{{DIGEST_LENGTH}}})\.([a-z0-9]+)")
_digests: dict[tuple[str, int, int], str] = {}


def digest_of(path: Path) -> str:
    """The first hex digits of the file's SHA-256, read once per version of the file (its
    modification time and size say when it changed, as under `flask run`)."""
    found = path.stat()
    key = (str(path), found.st_mtime_ns, found.st_size)
    if key not in _digests:
        _digests[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:DIGEST_LENGTH]
    return _digests[key]


def static_path(filename: str) -> Path | None:
    folder = current_app.static_folder
    if folder is None or os.sep in filename or "/" in filename:
        return None
    path = Path(folder) / filename
    return path if path.is_file() else None


def hashed_name(filename: str) -> str:
    """'localtime.js' → 'localtime.3f9a0c2be41d7a65.js'."""
    path = static_path(filename)
    if path is None:
        raise LookupError(f"static/{filename} does not exist")
    stem, _, extension = filename.rpartition(".")
    return f"{stem}.{digest_of(path)}.{extension}"


def asset_url(filename: str) -> str:
    """The address of a file of static/ that may be cached forever (templates call it)."""
    return url_for("assets.asset", name=hashed_name(filename))


@bp.get("/assets/<name>")
def asset(name: str):
    parts = HASHED_NAME.fullmatch(name)
    path = static_path(f"{parts[1]}.{parts[3]}") if parts else None
    if parts is None or path is None:
        abort(404)
    if parts[2] != digest_of(path):
        # A page rendered before a release names the bytes of then: it gets today's, by a
        # redirect no one keeps (the name it asked for may never be served other bytes).
        response = redirect(url_for("assets.asset", name=hashed_name(path.name)))
        response.cache_control.no_cache = True
        return response
    response = send_file(path, max_age=YEAR, etag=parts[2], conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals["asset_url"] = asset_url
