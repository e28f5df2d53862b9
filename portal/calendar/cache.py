"""Rendered feeds, kept until the catalogue changes: in this process, and in Redis when
`PORTAL_CACHE_REDIS_URL` is set so that every worker and host shares one rendering."""

from __future__ import annotations

import hashlib
import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock

from flask import Flask, current_app

log = logging.getLogger(__name__)

PREFIX = "portal:feed:"
# Keys carry the catalogue version and the day, so old ones are never read again: they only
# have to expire. Give Redis a maxmemory with an LRU policy all the same (see the README).
TTL_SECONDS = 6 * 3600
SHARED_MAX_BYTES = 8 * 1024 * 1024  # larger feeds stay in the process that rendered them
# What an entry costs besides its body and key: the Rendered object, its ETag and date, the
# LRU's node and dictionary slot (tracemalloc on CPython 3.11: about 330 bytes, so the bound
# is kept with room to spare; tests/test_feed_cache.py measures it).
ENTRY_OVERHEAD = 480


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> Rendered:
        return cls(body, hashlib.sha256(body).hexdigest()[:32], last_modified)


def cost(key: str, rendered: Rendered) -> int:
    """The memory one entry takes, as the bound counts it: body, key and overhead."""
    return len(rendered.body) + len(key) + ENTRY_OVERHEAD


class FeedCache:
    """Least recently used feeds, bounded by what they cost in memory (bodies, keys and their
    bookkeeping): anyone can ask for feeds with filters of their own making, and each costs
    memory until it is pushed out."""

    def __init__(
        self, max_bytes: int = 64 * 1024 * 1024, redis_url: str | None = None, namespace: str = ""
    ) -> None:
        self.max_bytes = max_bytes
        self.prefix = f"{PREFIX}{namespace}:"
        self._bytes = 0
        self._local: OrderedDict[str, Rendered] = OrderedDict()
        self._lock = Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5)

    def get(self, key: str) -> Rendered | None:
        with self._lock:
            found = self._local.get(key)
            if found is not None:
                self._local.move_to_end(key)
                return found
        found = self._get_shared(key)
        if found is not None:
            self._keep(key, found)
        return found

    def set(self, key: str, rendered: Rendered) -> None:
        self._keep(key, rendered)
        if self._redis is None or len(rendered.body) > SHARED_MAX_BYTES:
            return
        mapping = {
            "body": rendered.body,
            "etag": rendered.etag,
            "last_modified": rendered.last_modified.isoformat(),
        }
        try:
            pipe = self._redis.pipeline()
            pipe.hset(self.prefix + key, mapping=mapping)
            pipe.expire(self.prefix + key, TTL_SECONDS)
            pipe.execute()
        except Exception:  # a cache that is down must not take the feed down
            log.warning("feed cache: Redis unavailable for set", exc_info=True)

    def clear(self) -> None:
        with self._lock:
            self._local.clear()
            self._bytes = 0

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def _keep(self, key: str, rendered: Rendered) -> None:
        if cost(key, rendered) > self.max_bytes:
            return
        with self._lock:
            previous = self._local.pop(key, None)
            if previous is not None:
                self._bytes -= cost(key, previous)
            self._local[key] = rendered
            self._bytes += cost(key, rendered)
            while self._bytes > self.max_bytes:
                dropped_key, dropped = self._local.popitem(last=False)
                self._bytes -= cost(dropped_key, dropped)

    def _get_shared(self, key: str) -> Rendered | None:
        if self._redis is None:
            return None
        try:
            found = self._redis.hgetall(self.prefix + key)
        except Exception:
            log.warning("feed cache: Redis unavailable for get", exc_info=True)
            return None
        if not found:
            return None
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
