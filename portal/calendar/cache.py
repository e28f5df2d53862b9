"""Rendered feeds, kept until the catalogue changes: in this process, and in Redis when
`PORTAL_CACHE_REDIS_URL` is set so that every worker and host shares one rendering."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app

from portal.core.cache import BoundedCache

PREFIX = "portal:feed:"
# Keys carry the catalogue version and the day, so old ones are never read again: they only
# have to expire. Give Redis a maxmemory with an LRU policy all the same (see the README).
SHARED_MAX_BYTES = 8 * 1024 * 1024  # larger feeds stay in the process that rendered them


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> Rendered:
        return cls(body, hashlib.sha256(body).hexdigest()[:32], last_modified)


class FeedCache(BoundedCache[Rendered]):
    """Rendered feeds, least recently used first out (core.cache): anyone can ask for feeds
    with filters of their own making, and each costs memory until it is pushed out."""

    name = "feed cache"
    shared_max_bytes = SHARED_MAX_BYTES

    def __init__(
        self, max_bytes: int = 64 * 1024 * 1024, redis_url: str | None = None, namespace: str = ""
    ) -> None:
        super().__init__(max_bytes, redis_url, prefix=f"{PREFIX}{namespace}:")

    def to_shared(self, rendered: Rendered) -> dict:
        return {
            "body": rendered.body,
            "etag": rendered.etag,
            "last_modified": rendered.last_modified.isoformat(),
        }

    def from_shared(self, found: dict[bytes, bytes]) -> Rendered:
        last_modified = datetime.fromisoformat(found[b"last_modified"].decode())
        return Rendered(found[b"body"], found[b"etag"].decode(), last_modified.astimezone(UTC))


def init_app(app: Flask) -> None:
    # Portals sharing one Redis (staging and production, say) must not read each other's
    # feeds: keys are namespaced by the database they were rendered from.
    database = app.config["SQLALCHEMY_DATABASE_URI"].encode()
    app.extensions["feed_cache"] = FeedCache(
        max_bytes=app.config["CALENDAR_CACHE_BYTES"],
        redis_url=app.config.get("CACHE_REDIS_URL"),
        namespace=hashlib.sha256(database).hexdigest()[:12],
    )


def feed_cache() -> FeedCache:
    return current_app.extensions["feed_cache"]
