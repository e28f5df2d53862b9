"""/metrics in Prometheus' text format (prometheus-client): requests by endpoint, method and
status, their latency, how the page cache answered, inquiries received, and at each scrape
what /healthz knows (the database, Redis, the outbox's queue).

Only the addresses of `PORTAL_METRICS_ALLOW` may read it (by default this machine alone), so
it stays off the public internet; a request relayed by a proxy the portal was not told of
(`X-Forwarded-For` with `PORTAL_TRUSTED_PROXIES` at 0) is refused whatever its address. Under
several gunicorn workers, set `PROMETHEUS_MULTIPROC_DIR` to an empty folder (gunicorn.conf.py
clears each dead worker's files) so that every worker's counts are added up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as prometheus_multiprocess

from portal.core import health

bp = Blueprint("metrics", __name__)
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
# In multiprocess mode the counters live in files, read at scrape time from every worker.
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "portal_http_requests_total",
    "Requests answered, by endpoint, method and status code.",
    ["endpoint", "method", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to the response's headers, by endpoint.",
    ["endpoint"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
CACHE = Counter(
    "portal_page_cache_answers_total",
    "How cached views were answered: fast (WSGI fast path), hook (first request hook), "
    "view (found by the view), rendered (a miss).",
    ["how"],
    registry=REGISTRY,
)
INQUIRIES = Counter(
    "portal_inquiries_received_total",
    "Inquiries stored, by kind.",
    ["kind"],
    registry=REGISTRY,
)


def cache_answer(how: str) -> None:
    CACHE.labels(how).inc()


def inquiry_received(kind: str) -> None:
    INQUIRIES.labels(kind).inc()


class Measure:
    """WSGI middleware: each request's endpoint, method, status and time to its headers."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        seen: dict[str, str] = {}

        def starting(status: str, headers: list, exc_info: Any = None) -> Callable:
            seen["status"] = status[:3]
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, starting)
        finally:
            endpoint = (
                environ.get("portal.endpoint")
                or _flask_endpoint(environ)
                or _matched(self.app, environ)
                or "none"
            )
            method = environ.get("REQUEST_METHOD", "")
            method = method if method in METHODS else "other"
            REQUESTS.labels(endpoint, method, seen.get("status", "500")).inc()
            LATENCY.labels(endpoint).observe(time.perf_counter() - started)


def _flask_endpoint(environ: dict[str, Any]) -> str | None:
    found = environ.get("werkzeug.request")
    rule = getattr(found, "url_rule", None)
    return rule.endpoint if rule is not None else None


def _matched(app: Flask, environ: dict[str, Any]) -> str | None:
    """The endpoint of the request's path, when nothing before said it (a request Flask
    answered: its own matching is not kept in the environ)."""
    try:
        endpoint, _ = app.url_map.bind_to_environ(environ, server_name=None).match()
    except Exception:  # a path that matches nothing, a method it does not take
        return None
    return str(endpoint)


def allowed() -> bool:
    """The scraper is among PORTAL_METRICS_ALLOW, and no unknown proxy relayed it."""
    config = current_app.config
    relayed = "X-Forwarded-For" in request.headers and not config.get("TRUSTED_PROXIES")
    return not relayed and request.remote_addr in set(config["METRICS_ALLOW"])


def dependency_lines(app: Flask) -> bytes:
    """What /healthz knows, as gauges: portal_up{dependency} (1 ok, 0.5 degraded, 0
    unreachable), and each feature's figures (portal_outbox_pending...)."""
    body, _ = health.report(app)
    value = {health.OK: 1, health.DEGRADED: 0.5, health.UNREACHABLE: 0}
    lines = [
        "# HELP portal_up How each dependency answers (1 ok, 0.5 degraded, 0 unreachable).",
        "# TYPE portal_up gauge",
    ]
    figures: list[str] = []
    for name, state in body.items():
        if name.endswith("_details") and isinstance(state, dict):
            feature = name.removesuffix("_details")
            for key, number in state.items():
                metric = f"portal_{feature}_{key}"
                figures += [
                    f"# TYPE {metric} gauge",
                    f"{metric} {'NaN' if number is None else number}",
                ]
        elif name != "status" and state in value:
            lines.append(f'portal_up{{dependency="{name}"}} {value[state]}')
    return ("\n".join(lines + figures) + "\n").encode()


@bp.get("/metrics")
def metrics() -> Response:
    if not allowed():
        abort(404)
    if MULTIPROCESS:
        registry = CollectorRegistry()
        prometheus_multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    body = generate_latest(registry) + dependency_lines(app)
    return Response(
        body, headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"}
    )


def init_app(app: Flask) -> None:
    """The /metrics view, and the measuring middleware (outermost but for the Host check, so
    what the fast path answers is counted too)."""
    app.register_blueprint(bp)
    app.wsgi_app = Measure(app.wsgi_app, app)  # type: ignore[method-assign]
