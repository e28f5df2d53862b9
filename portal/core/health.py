"""What /healthz says: whether this instance can serve (its database answers, within a second
whatever the database does), and how each thing it depends on is: "ok", "degraded" (working,
less well) or "unreachable". Only the database decides the status code: with Redis away the
portal still serves (from each process's own caches and limits), and a load balancer that took
it out then would take the site down."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.core import signals
from portal.core.deadline import DatabaseAway, Deadline

EXTENSION = "portal.health"  # app.extensions key of this app's Checker
DEADLINE = 0.9  # seconds the database check may take before it is reported unreachable
OK, DEGRADED, UNREACHABLE = "ok", "degraded", "unreachable"


class Checker:
    """This app's health checks: the database within DEADLINE (core/deadline.py: a database
    that hangs holds a thread of its own, not the request), and a client per Redis, with
    short timeouts."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.select_one: Deadline[bool] = Deadline(app, _select_one, DEADLINE, "healthz")
        self.redis: dict[str, Any] = {}

    def database(self) -> str:
        try:
            return OK if self.select_one() else UNREACHABLE
        except DatabaseAway:
            return UNREACHABLE

    def redis_state(self, url: str) -> str:
        if url not in self.redis:
            import redis

            self.redis[url] = redis.Redis.from_url(
                url, socket_timeout=0.5, socket_connect_timeout=0.5
            )
        try:
            return OK if self.redis[url].ping() else UNREACHABLE
        except Exception:  # any failure of the client is a Redis that does not answer
            return UNREACHABLE


def _select_one() -> bool:
    from portal.extensions import db

    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        return False


def redis_urls(config: dict[str, Any]) -> dict[str, str]:
    """The Redis servers the portal is configured with, by what they are for."""
    found = {}
    if config.get("CACHE_REDIS_URL"):
        found["redis"] = config["CACHE_REDIS_URL"]
    limits = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if limits.startswith(("redis://", "rediss://")):
        found["rate_limit_store"] = limits
    return found


def report(app: Flask) -> tuple[dict[str, Any], int]:
    """The body of /healthz and its status code: 200 while the database answers, else 503."""
    checker: Checker = app.extensions[EXTENSION]
    found: dict[str, Any] = {"database": checker.database()}
    urls = redis_urls(app.config)
    states = {url: checker.redis_state(url) for url in set(urls.values())}
    # Without a Redis configured the caches and limits are each process's own, as designed.
    found["redis"] = states[urls["redis"]] if "redis" in urls else OK
    found["rate_limit_store"] = (
        states[urls["rate_limit_store"]] if "rate_limit_store" in urls else OK
    )
    if found["database"] == OK:
        for name, state, details in _answers(app):
            found[name] = state
            if details:
                found[f"{name}_details"] = details
    serving = found["database"] == OK
    others = [value for key, value in found.items() if not key.endswith("_details")]
    if not serving:
        status = "unavailable"
    else:
        status = OK if all(value == OK for value in others) else DEGRADED
    return {"status": status, **found}, 200 if serving else 503


def _answers(app: Flask) -> list[tuple[str, str, dict | None]]:
    answers = []
    for _, answer in signals.health_report.send(app):
        if answer:
            answers.append(answer)
    return answers


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Checker(app)
