"""Counting what a limit counts outside Flask-Limiter's decorators (renders of feeds, sign-in
attempts), with the same storage; and, while that storage (Redis) is away, in this process.

Flask-Limiter's own decorators fall back to memory by themselves
(RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, on by default here); `hit` and `clear` do the same for
the counts the portal makes itself, so a Redis outage never answers a request with a 500.
Per-process counts are looser (each worker counts apart): a deployment with several processes
names a shared store, and the docs say why (docs/operations.md).
"""

from __future__ import annotations

from flask import Flask, current_app
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from portal.core.cache import Breaker
from portal.extensions import limiter

EXTENSION = "portal.limits"  # app.extensions key of the in-process fallback


class Fallback:
    """The in-process counter used while the shared one fails, and the breaker that says so."""

    def __init__(self) -> None:
        self.limiter = FixedWindowRateLimiter(MemoryStorage())
        self.breaker = Breaker("rate-limit store")


def _fallback() -> Fallback:
    return current_app.extensions[EXTENSION]


def _item(limit: str | RateLimitItem) -> RateLimitItem:
    return parse(limit) if isinstance(limit, str) else limit


def hit(limit: str | RateLimitItem, *keys: str) -> bool:
    """Count one against `limit` for `keys`, atomically (the store increments, then compares):
    False when that is past the limit. Several requests at once cannot all slip under it."""
    item, fallback = _item(limit), _fallback()
    if not fallback.breaker.is_open:
        try:
            allowed = limiter.limiter.hit(item, *keys)
        except Exception as error:  # the shared store is away: count here meanwhile
            fallback.breaker.failed(error)
        else:
            fallback.breaker.succeeded()
            return allowed
    return fallback.limiter.hit(item, *keys)


def clear(limit: str | RateLimitItem, *keys: str) -> None:
    """Forget what was counted against `limit` for `keys`, wherever it was counted."""
    item, fallback = _item(limit), _fallback()
    fallback.limiter.clear(item, *keys)
    if fallback.breaker.is_open:
        return
    try:
        limiter.limiter.clear(item, *keys)
    except Exception as error:
        fallback.breaker.failed(error)


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Fallback()
    # Flask-Limiter's Limiter is one object per process (portal.extensions), and its init_app
    # keeps what an earlier app set: the key prefix (so an app without one would count under
    # another's, and `clear` would miss its keys) and the "store is dead" mark. Each app
    # starts from its own configuration; Flask-Limiter marks the store dead again on a failure.
    limiter._key_prefix = app.config.get("RATELIMIT_KEY_PREFIX") or ""
    limiter._storage_dead = False
