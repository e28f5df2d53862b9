"""The page cache: public responses (pages, feeds, calendar files) rendered once per state of
the catalogue and served to every anonymous visitor, in this process and, with
`PORTAL_CACHE_REDIS_URL`, through Redis for every worker and host; with strong ETags and 304s.

A view says what its response depends on with `@cached(Policy(...))`: the query parameters it
reads (every other one is left out, each kept once, so the view renders from exactly what
the key holds), whether it is the same for signed-in staff (feeds) or personal to them
(pages), and how long clients may keep it. Whether a request may be answered from the cache,
and under which key, is decided in one place, `decide()`, for the three places that ask:

1. the WSGI fast path (core/fastpath.py), before Flask, for requests that carry no cookie
   (a new visitor of a page with a form gets a session and a token there too) and for
   responses that are the same for everyone, whatever cookie they carry;
2. `serve_from_cache`, the first of Flask's request hooks (core/__init__.py registers it
   before the rate limits and CSRF), for visitors with a session: a page with a form gets
   the visitor's own CSRF token;
3. the decorated view, which renders what is not in the cache yet and stores it.

A form's CSRF token is rendered as a placeholder no one can type (random for each rendering),
whose places in the hidden fields are kept with the page; each visitor's own token is put at
those places alone, so the rest of the page is shared, no visitor ever receives another's
token or session, and text that looks like a placeholder stays text. Signed-in staff always
get a fresh page, never stored. Calendars are kept gzipped beside the plain bytes too, for
clients that ask for it, and while the database is away what is cached is still served.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import ImmutableMultiDict

from portal.core import i18n, metrics, version
from portal.core.cached import Cached, Store, answer

log = logging.getLogger(__name__)
# A page with a visitor's own token (and perhaps a new session cookie): for that visitor only.
PERSONAL = "private, no-cache"
# The stores: pages (PAGE_CACHE_BYTES, only with PAGE_CACHE on) and calendars (feeds and
# event files, CALENDAR_CACHE_BYTES, always on), each under its own Redis prefix.
PAGES, CALENDARS = "pages", "calendars"
PREFIXES = {PAGES: "portal:page:", CALENDARS: "portal:feed:"}
EXTENSION = "portal.page_cache"  # app.extensions key of this app's Stores
# Response headers a cached response keeps from its rendering (the rest is the policy's).
# The API's CORS header and the embed's own frame-ancestors are kept the same way.
KEPT_HEADERS = (
    "Content-Type",
    "Last-Modified",
    "Content-Disposition",
    "Access-Control-Allow-Origin",
    "Content-Security-Policy",
)
# Calendar files over this size stay in the process that rendered them (not in Redis).
SHARED_MAX_BYTES = 8 * 1024 * 1024


def first_values(names: tuple[str, ...], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The first non-empty value of each of `names` in `pairs`, as a form reads it."""
    first: dict[str, str] = {}
    for key, value in pairs:
        if key in names and key not in first and value:
            first[key] = value
    return first


@dataclass(frozen=True)
class Policy:
    """What a cached view's response depends on, and how it is served.

    `args`: the query parameters it reads; `normalise(name, value)` their canonical spelling
    (an empty result leaves the parameter out); `store`: PAGES or CALENDARS; `shared`: the
    same for signed-in staff (else they get a fresh, unstored response); `timeless`: valid
    for a whole day until the catalogue changes (else also until the next instant pages change
    by themselves); `max_age`: seconds clients and proxies may keep it (None: revalidate each
    time); `on_miss`: run before a response not in the cache is rendered (a budget);
    `compress`: keep it gzipped too, for clients that ask for it."""

    args: tuple[str, ...] = ()
    normalise: Callable[[str, str], str] | None = None
    store: str = PAGES
    shared: bool = False
    timeless: bool = False
    max_age: int | None = None
    on_miss: Callable[[], None] | None = None
    compress: bool = False

    def canonical(self, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """The parameters the view reads, each once, in `args` order, canonically spelled."""
        first = first_values(self.args, pairs)
        if self.normalise is not None:
            first = {key: self.normalise(key, value) for key, value in first.items()}
        return tuple((key, first[key]) for key in self.args if first.get(key))

    @property
    def cache_control(self) -> str:
        return "no-cache" if self.max_age is None else f"public, max-age={self.max_age}"


@dataclass(frozen=True)
class Asked:
    """What the decision reads of a request, from Flask's request or a bare WSGI environ."""

    method: str
    endpoint: str | None
    view_args: Mapping[str, Any]
    scheme: str
    host: str
    query: tuple[tuple[str, str], ...]
    signed_in: bool  # may be signed-in staff (the WSGI path: carries a cookie at all)
    has_nul: bool
    language: str = "en"  # the language the path named (core/i18n.py)


@dataclass(frozen=True)
class Decision:
    """A request the page cache answers: the view's policy, the key, and whether the key is
    the last one known because the database cannot be read now (`stale`)."""

    policy: Policy
    key: str
    stale: bool = False

    @property
    def cache_control(self) -> str:
        # A stale answer is for now: no cache should keep it as if it were current.
        return "no-cache" if self.stale else self.policy.cache_control


def decide(app: Flask, asked: Asked) -> Decision | None:
    """The one answer to "may this request be served from the page cache, and under which
    key?", or None (not a GET or HEAD, a view that is not cached, a visitor who may be signed
    in to a personal page, a NUL anywhere, or pages with the page cache off). Needs an app
    context (the catalogue version); while the database is away, the last version known."""
    if asked.method not in ("GET", "HEAD") or asked.has_nul or asked.endpoint is None:
        return None
    policy: Policy | None = getattr(app.view_functions.get(asked.endpoint), "cache_policy", None)
    if policy is None or (asked.signed_in and not policy.shared):
        return None
    if policy.store not in stores(app).enabled:
        return None
    base = app.config.get("BASE_URL") or f"{asked.scheme}://{asked.host}"
    # The day too: a page may say what "this month" or "today" is, and a feed starts a year
    # before today.
    parts = [datetime.now(UTC).date().isoformat(), base, asked.language, asked.endpoint]
    parts += [f"{k}={v}" for k, v in sorted(asked.view_args.items())]
    parts += [part for pair in policy.canonical(asked.query) for part in pair]
    # Each part length-prefixed, so that no two requests share a key (`q=x%26to%3D...` is
    # not `q=x&to=...`), and every key has the same length whatever it names.
    digest = hashlib.sha256("".join(f"{len(p)}:{p}" for p in parts).encode()).hexdigest()
    state, stale = version.page_state_or_last(policy.timeless)
    return Decision(policy, f"{state}:{digest}", stale)


def may_be_staff() -> bool:
    """The request carries a sign-in, valid or not (the user is not loaded to know)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember in request.cookies


def is_staff() -> bool:
    """A signed-in member of staff. Anonymous visitors' users are never loaded: Flask-Login
    would clear a 'remember me' cookie on every page (see accounts/auth.py)."""
    return may_be_staff() and bool(current_user.is_authenticated)


def asked_of_request(signed_in: bool) -> Asked:
    return Asked(
        method=request.method,
        endpoint=request.endpoint,
        view_args=request.view_args or {},
        scheme=request.scheme,
        host=request.host,
        query=tuple(request.args.items(multi=True)),
        signed_in=signed_in,
        has_nul="\x00" in request.path or b"%00" in request.query_string,
        language=request.environ.get(i18n.ENVIRON_KEY, i18n.DEFAULT.code),
    )


def serve_from_cache() -> Response | None:
    """Answer a response already in the cache before the app's other request hooks (rate
    limits, CSRF, input checks), which a cached anonymous GET does not need. Anything else
    (a miss, a visitor who may be signed in, a NUL anywhere) goes the usual way, to the view."""
    if request.endpoint is None or request.method not in ("GET", "HEAD"):
        return None
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = decide(app, asked_of_request(signed_in=may_be_staff()))
    if found is None:
        return None
    entry = stores(app).of(found.policy).get(found.key)
    if entry is None:
        return None
    metrics.cache_answer("hook")
    return serve(entry, found)


def cached(policy: Policy) -> Callable:
    """Serve the decorated GET view from the page cache, as `policy` says."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*a: Any, **kw: Any) -> Any:
            if request.method not in ("GET", "HEAD"):
                return view(*a, **kw)
            # The view sees only its own parameters, each once, whoever asks: the response it
            # renders is the one its key names, and a parameter named like one of url_for's
            # own (`endpoint`, `_method`) never reaches a link it builds.
            request.args = ImmutableMultiDict(policy.canonical(request.args.items(multi=True)))
            # current_app is a LocalProxy, which Flask types as the Flask it stands for.
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            staff = not policy.shared and is_staff()
            found = decide(app, asked_of_request(signed_in=staff))
            if found is None:
                response = make_response(view(*a, **kw))
                if staff:
                    response.headers["Cache-Control"] = "private, no-store"
                return response
            store = stores(app).of(policy)
            entry = store.get(found.key)
            if entry is None:
                if policy.on_miss is not None:
                    policy.on_miss()
                response, placeholder, nonce = render_shared(view, a, kw)
                if response.status_code != 200:
                    return personal(response, placeholder, nonce)
                kept = [(n, v) for n in KEPT_HEADERS if (v := response.headers.get(n))]
                entry = Cached.of(response.get_data(), kept, placeholder, policy.compress, nonce)
                store.set(found.key, entry)
                metrics.cache_answer("rendered")
            else:
                metrics.cache_answer("view")
            return serve(entry, found)

        wrapper.cache_policy = policy  # type: ignore[attr-defined]
        return wrapper

    return decorate


NONCE = "portal_submission_placeholder"  # g's name for the submission key's placeholder


def submission_key() -> str:
    """The submission key of a form being rendered: a placeholder when the page is rendered to
    be shared (each visitor's copy gets a new key, core/cached.py), a new key otherwise."""
    return g.get(NONCE) or secrets.token_urlsafe(18)


def render_shared(view: Callable, a: tuple, kw: dict) -> tuple[Response, bytes, bytes]:
    """The view's response with placeholders where a token and a submission key go, and the
    placeholders: random for each rendering, so that no text of the page (a query, an event's
    description) can hold them."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    placeholder = f"token-{secrets.token_hex(16)}"
    nonce = f"nonce-{secrets.token_hex(16)}"
    saved = g.pop(field, None)
    setattr(g, field, placeholder)  # Flask-WTF's generate_csrf returns what g holds
    setattr(g, NONCE, nonce)
    try:
        return make_response(view(*a, **kw)), placeholder.encode(), nonce.encode()
    finally:
        g.pop(field, None)
        g.pop(NONCE, None)
        if saved is not None:
            setattr(g, field, saved)


def personal(response: Response, placeholder: bytes, nonce: bytes) -> Response:
    """A response not shared (an error page, say): the visitor's own token in it."""
    body = response.get_data()
    if placeholder in body or nonce in body:
        body = body.replace(placeholder, generate_csrf().encode())
        response.set_data(body.replace(nonce, secrets.token_urlsafe(18).encode()))
    return response


def token_window() -> int:
    """A page with a form keeps its ETag (and so may be revalidated with a 304, keeping the
    token it has) only within half the token's lifetime, so that the token is still valid."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    return int(time.time() // max(limit // 2, 1)) if limit else 0


def serve(entry: Cached, decision: Decision) -> Response:
    """The cached response for this visitor, from Flask: a page with a form gets the visitor's
    own token, and an ETag of its own (so only that visitor's copy is ever answered 304)."""
    if not entry.has_token:
        status, headers, payload = answer(entry, decision.cache_control, request.environ)
        return Response(payload, status=status, headers=headers)
    control = PERSONAL
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    secret = session.get(field)
    if secret is not None:
        status, headers, _ = answer(entry, control, request.environ, etag=own_etag(entry, secret))
        if status == 304:
            return Response(status=304, headers=headers)
    g.pop(field, None)  # a token for this visitor's session, whatever came before
    body = entry.with_token(generate_csrf().encode())
    etag = own_etag(entry, session[field])
    _, headers, payload = answer(entry, control, request.environ, body, etag, conditional=False)
    return Response(payload, headers=headers)


def own_etag(entry: Cached, secret: str) -> str:
    own = f"{entry.etag}:{secret}:{token_window()}".encode()
    return hashlib.sha256(own).hexdigest()[:32]


class Stores:
    """This app's stores of cached responses, by Policy.store."""

    def __init__(self, app: Flask) -> None:
        # Portals sharing one Redis (staging and production, say) must not read each other's
        # responses: keys are namespaced by the database they were rendered from.
        database = app.config["SQLALCHEMY_DATABASE_URI"].encode()
        namespace = hashlib.sha256(database).hexdigest()[:12]
        redis_url = app.config.get("CACHE_REDIS_URL")
        self.by_name = {
            PAGES: Store(
                app.config["PAGE_CACHE_BYTES"], redis_url, f"{PREFIXES[PAGES]}{namespace}:"
            ),
            CALENDARS: Store(
                app.config["CALENDAR_CACHE_BYTES"],
                redis_url,
                f"{PREFIXES[CALENDARS]}{namespace}:",
                name="feed cache",
                shared_max_bytes=SHARED_MAX_BYTES,
            ),
        }
        self.enabled = {CALENDARS, PAGES} if app.config["PAGE_CACHE"] else {CALENDARS}

    def of(self, policy: Policy) -> Store:
        return self.by_name[policy.store]

    def clear(self) -> None:
        for store in self.by_name.values():
            store.clear()


def stores(app: Flask | None = None) -> Stores:
    return (app or current_app).extensions[EXTENSION]


def init_app(app: Flask) -> None:
    """The stores, the fast path (inside whatever WSGI middleware is added later) and the
    hook that answers from the cache: call it before any other extension adds a request
    hook, so that a cached answer skips them (core/__init__.py and portal/__init__.py)."""
    app.extensions[EXTENSION] = Stores(app)
    from portal.core.fastpath import FastPath

    app.before_request(serve_from_cache)
    app.wsgi_app = FastPath(app.wsgi_app, app)  # type: ignore[method-assign]


def cached_page(args: tuple[str, ...] = ()) -> Callable:
    """A public page, personal to signed-in staff, revalidated on each visit."""
    return cached(Policy(args=args))
