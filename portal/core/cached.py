"""A cached response and how it is answered: its bytes without any visitor's token (and where
tokens go), its gzipped twin, its validators, and the 200 or 304 a request gets of it."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from werkzeug.http import is_resource_modified, parse_accept_header, quote_etag

from portal.core.cache import BoundedCache

# Where a form's token may be put: the value of its hidden csrf_token field, as WTForms and the
# templates write it (the field's name within the 80 bytes before the value).
TOKEN_FIELD = re.compile(rb'name="csrf_token"[^<>]{0,60}value="$')
# The same for a form's submission key (a random key of each form shown, so that the same form
# posted twice is stored once: inquiries/operations.py).
NONCE_FIELD = re.compile(rb'name="submission"[^<>]{0,60}value="$')
# Smaller bodies are not worth compressing.
COMPRESS_FROM = 1024


@dataclass(frozen=True)
class Cached:
    """A rendered response: its body (without any token), its ETag (a digest of the body and
    of where tokens go), the headers of KEPT_HEADERS it was rendered with, the offsets in the
    body where a visitor's CSRF token goes and where a form's submission key goes, and its
    gzipped body (for calendars)."""

    body: bytes
    etag: str
    headers: tuple[tuple[str, str], ...] = ()
    token_offsets: tuple[int, ...] = ()
    gzipped: bytes | None = None
    nonce_offsets: tuple[int, ...] = ()

    @property
    def has_token(self) -> bool:
        return bool(self.token_offsets)

    @classmethod
    def of(
        cls,
        body: bytes,
        headers: Iterable[tuple[str, str]] = (),
        placeholder: bytes | None = None,
        compress: bool = False,
        nonce_placeholder: bytes | None = None,
    ) -> Cached:
        """The entry of a rendered body; `placeholder`: what stands for the token in it, and
        `nonce_placeholder` for a form's submission key."""
        pairs = ((placeholder, TOKEN_FIELD), (nonce_placeholder, NONCE_FIELD))
        wanted = {key: field for key, field in pairs if key}
        body, found = without_placeholders(body, wanted)
        tokens = tuple(offset for offset, key in found if key == placeholder)
        nonces = tuple(offset for offset, key in found if key == nonce_placeholder)
        digest = hashlib.sha256(body)
        digest.update(repr((tokens, nonces)).encode())
        packed = None
        if compress and not tokens and len(body) >= COMPRESS_FROM:
            packed = gzip.compress(body, compresslevel=6, mtime=0)  # the same bytes each time
        etag = digest.hexdigest()[:32]
        return cls(body, etag, tuple(headers), tokens, packed, nonces)

    def with_token(self, token: bytes) -> bytes:
        """The body with `token` at each place a token goes, and a new submission key at
        each place one goes (so each form shown is a submission of its own)."""
        fills = [(offset, token) for offset in self.token_offsets]
        fills += [(offset, secrets.token_urlsafe(18).encode()) for offset in self.nonce_offsets]
        parts, start = [], 0
        for offset, value in sorted(fills):
            parts += [self.body[start:offset], value]
            start = offset
        parts.append(self.body[start:])
        return b"".join(parts)


def without_placeholders(
    body: bytes, wanted: dict[bytes, re.Pattern[bytes]]
) -> tuple[bytes, list[tuple[int, bytes]]]:
    """The body with every placeholder of `wanted` taken out, and the offsets (in the result)
    of those that stood as the value of their hidden field (`wanted[placeholder]` reads the
    bytes before it): a value goes there, and nowhere else (placeholders are random, so any
    other copy was put there by the page itself)."""
    if not wanted or not any(key in body for key in wanted):
        return body, []
    pattern = re.compile(b"|".join(re.escape(key) for key in wanted))
    parts: list[bytes] = []
    offsets: list[tuple[int, bytes]] = []
    length = start = 0
    for match in pattern.finditer(body):
        parts.append(body[start : match.start()])
        length += match.start() - start
        if wanted[match.group()].search(body, max(match.start() - 80, 0), match.start()):
            offsets.append((length, match.group()))
        start = match.end()
    parts.append(body[start:])
    return b"".join(parts), offsets


class Store(BoundedCache[Cached]):
    """Rendered responses, least recently used first out (core.cache): anyone can ask for
    pages and feeds with filters of their own making."""

    def __init__(
        self,
        max_bytes: int,
        redis_url: str | None = None,
        prefix: str = "",
        name: str = "page cache",
        shared_max_bytes: int | None = None,
    ) -> None:
        self.name = name  # before the breaker is made, which is named after it
        self.shared_max_bytes = shared_max_bytes
        super().__init__(max_bytes, redis_url, prefix=prefix)

    @staticmethod
    def cost(key: str, entry: Any) -> int:
        return BoundedCache.cost(key, entry) + len(entry.gzipped or b"")

    def to_shared(self, entry: Cached) -> dict[str, Any]:
        shared = {
            "body": entry.body,
            "etag": entry.etag,
            "headers": json.dumps(entry.headers),
            "tokens": json.dumps(entry.token_offsets),
            "nonces": json.dumps(entry.nonce_offsets),
        }
        if entry.gzipped is not None:
            shared["gzipped"] = entry.gzipped
        return shared

    def from_shared(self, found: dict[bytes, bytes]) -> Cached:
        headers = tuple(tuple(pair) for pair in json.loads(found.get(b"headers", b"[]")))
        return Cached(
            found[b"body"],
            found[b"etag"].decode(),
            headers,
            tuple(json.loads(found.get(b"tokens", b"[]"))),
            found.get(b"gzipped"),
            tuple(json.loads(found.get(b"nonces", b"[]"))),
        )


def accepts_gzip(environ: dict[str, Any]) -> bool:
    """Whether the client takes a gzipped body (`Accept-Encoding: gzip`, not at q=0)."""
    header = environ.get("HTTP_ACCEPT_ENCODING", "")
    if "gzip" not in header:
        return False
    accepted = parse_accept_header(header)
    return accepted["gzip"] > 0 or (accepted["*"] > 0 and "gzip" not in accepted)


def answer(
    entry: Cached,
    cache_control: str,
    environ: dict[str, Any],
    body: bytes | None = None,
    etag: str | None = None,
    conditional: bool = True,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body of a cached response for the request of `environ`: the
    gzipped twin to a client that takes it (with an ETag of its own), 304 when the client's
    copy is current (by ETag, or else by date), the whole response otherwise. `body` and
    `etag`: this visitor's own, for a page with a form."""
    etag = etag or entry.etag
    payload = entry.body if body is None else body
    headers = [("Cache-Control", cache_control)]
    if entry.gzipped is not None:
        headers.append(("Vary", "Accept-Encoding"))
        if accepts_gzip(environ):
            etag, payload = f"{etag}-gzip", entry.gzipped
            headers.append(("Content-Encoding", "gzip"))
    headers.insert(0, ("ETag", quote_etag(etag)))
    if conditional:
        modified = next((v for n, v in entry.headers if n == "Last-Modified"), None)
        if not is_resource_modified(environ, etag=etag, last_modified=modified):
            kept = [(n, v) for n, v in entry.headers if n != "Content-Type"]
            return 304, [h for h in headers if h[0] != "Content-Encoding"] + kept, b""
    return 200, headers + list(entry.headers), payload
