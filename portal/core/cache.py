"""A cache of rendered bytes that anyone can fill with requests of their own making: least
recently used entries go first, bounded by what they really cost in memory (bodies, keys and
bookkeeping), and shared through Redis between workers and hosts when one is configured.

Subclasses say how an entry is written to and read from a Redis hash (`to_shared`,
`from_shared`); keys carry what they were rendered for, so old ones are never read again and
only have to expire in Redis.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from threading import Lock
from typing import Any, Generic, TypeVar

log = logging.getLogger(__name__)

# What an entry costs besides its body and key: its object, its ETag and date, the LRU's node
# and dictionary slot (tracemalloc on CPython 3.11: about 330 bytes, so the bound is kept with
# room to spare; tests/test_feed_cache.py measures it).
ENTRY_OVERHEAD = 480
TTL_SECONDS = 6 * 3600

E = TypeVar("E")


class BoundedCache(Generic[E]):
    """Entries (with a `body` of bytes) by key, at most `max_bytes` of them in this process;
    with a Redis URL also shared, each for TTL_SECONDS, unless over `shared_max_bytes`."""

    name = "cache"  # for log lines
    shared_max_bytes: int | None = None

    def __init__(self, max_bytes: int, redis_url: str | None = None, prefix: str = "") -> None:
        self.max_bytes = max_bytes
        self.prefix = prefix
        self._bytes = 0
        self._local: OrderedDict[str, E] = OrderedDict()
        self._lock = Lock()
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url, socket_timeout=0.5)

    @staticmethod
    def cost(key: str, entry: Any) -> int:
        """The memory one entry takes, as the bound counts it: body, key and overhead."""
        return len(entry.body) + len(key) + ENTRY_OVERHEAD

    def to_shared(self, entry: E) -> dict[str, Any]:
        raise NotImplementedError

    def from_shared(self, found: dict[bytes, bytes]) -> E:
        raise NotImplementedError

    def get(self, key: str) -> E | None:
        with self._lock:
            found = self._local.get(key)
            if found is not None:
                self._local.move_to_end(key)
                return found
        found = self._get_shared(key)
        if found is not None:
            self._keep(key, found)
        return found

    def set(self, key: str, entry: E) -> None:
        self._keep(key, entry)
        too_big = self.shared_max_bytes is not None and len(entry.body) > self.shared_max_bytes
        if self._redis is None or too_big:
            return
        try:
            pipe = self._redis.pipeline()
            pipe.hset(self.prefix + key, mapping=self.to_shared(entry))
            pipe.expire(self.prefix + key, TTL_SECONDS)
            pipe.execute()
        except Exception:  # a cache that is down must not take the answers down
            log.warning("%s: Redis unavailable for set", self.name, exc_info=True)

    def clear(self) -> None:
        with self._lock:
            self._local.clear()
            self._bytes = 0

    @property
    def size_in_bytes(self) -> int:
        return self._bytes

    def _keep(self, key: str, entry: E) -> None:
        if self.cost(key, entry) > self.max_bytes:
            return
        with self._lock:
            previous = self._local.pop(key, None)
            if previous is not None:
                self._bytes -= self.cost(key, previous)
            self._local[key] = entry
            self._bytes += self.cost(key, entry)
            while self._bytes > self.max_bytes:
                dropped_key, dropped = self._local.popitem(last=False)
                self._bytes -= self.cost(dropped_key, dropped)

    def _get_shared(self, key: str) -> E | None:
        if self._redis is None:
            return None
        try:
            found = self._redis.hgetall(self.prefix + key)
        except Exception:
            log.warning("%s: Redis unavailable for get", self.name, exc_info=True)
            return None
        return self.from_shared(found) if found else None
