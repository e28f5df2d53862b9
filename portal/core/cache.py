"""A cache of rendered bytes that anyone can fill with requests of their own making: least
recently used entries go first, bounded by what they really cost in memory (bodies, keys and
bookkeeping), and shared through Redis between workers and hosts when one is configured.

Subclasses say how an entry is written to and read from a Redis hash (`to_shared`,
`from_shared`); keys carry what they were rendered for, so old ones are never read again and
only have to expire in Redis.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from threading import Lock
from typing import Any, Generic, Protocol, TypeVar

log = logging.getLogger(__name__)

# What an entry costs besides its body and key: its object, its ETag and headers, the LRU's
# node and dictionary slot, with room to spare (tests/test_feed_cache.py measures what is
# really used against the bound).
ENTRY_OVERHEAD = 480
TTL_SECONDS = 6 * 3600


class Entry(Protocol):
    """What the cache holds: anything with a body of bytes."""

    @property
    def body(self) -> bytes: ...


E = TypeVar("E", bound=Entry)
# While Redis fails, it is left alone this long before it is tried again, and a failure is
# logged at most once in LOG_EVERY seconds, with how many there were.
RETRY_AFTER = 5.0
LOG_EVERY = 60.0


class Breaker:
    """What a process knows of a service that may be away (Redis): after a failure it is not
    tried again for RETRY_AFTER seconds, so no request waits for a timeout that will come;
    and failures are logged once a LOG_EVERY seconds with their count, not once each (a
    traceback a request would be gigabytes of log an hour)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.down_until = 0.0
        self.failures = 0
        self.logged_at = -LOG_EVERY
        self._lock = Lock()

    @property
    def is_open(self) -> bool:
        """The service failed a moment ago: do not try it now."""
        return time.monotonic() < self.down_until

    def failed(self, error: BaseException) -> None:
        now = time.monotonic()
        with self._lock:
            self.down_until = now + RETRY_AFTER
            self.failures += 1
            if now - self.logged_at < LOG_EVERY:
                return
            count, self.failures, self.logged_at = self.failures, 0, now
        log.warning(
            "%s: Redis unavailable (%d failure%s since the last report): %s: %s",
            self.name, count, "" if count == 1 else "s", type(error).__name__, error,
        )  # fmt: skip

    def succeeded(self) -> None:
        if self.down_until:
            with self._lock:
                self.down_until = 0.0


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
        self.breaker = Breaker(self.name)
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(
                redis_url, socket_timeout=0.5, socket_connect_timeout=0.5
            )

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
        if self._redis is None or too_big or self.breaker.is_open:
            return
        try:
            pipe = self._redis.pipeline()
            # redis types `mapping` with keys of exactly its own union (Mapping is invariant
            # in its keys), so it refuses the str keys it takes.
            pipe.hset(self.prefix + key, mapping=self.to_shared(entry))  # type: ignore[arg-type]
            pipe.expire(self.prefix + key, TTL_SECONDS)
            pipe.execute()
        except Exception as error:  # a cache that is down must not take the answers down
            self.breaker.failed(error)
        else:
            self.breaker.succeeded()

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
        if self._redis is None or self.breaker.is_open:
            return None
        try:
            found = self._redis.hgetall(self.prefix + key)
        except Exception as error:
            self.breaker.failed(error)
            return None
        self.breaker.succeeded()
        # redis types the answer bytes | str for both decode_responses; this client gets bytes.
        return self.from_shared(found) if found else None  # type: ignore[arg-type]
