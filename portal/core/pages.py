"""Public pages rendered once per state of what they show and served to every anonymous
visitor, in this process and, with `PORTAL_CACHE_REDIS_URL`, in Redis for every worker and
host; with strong ETags and 304s.

The features say what a page depends on: the view's arguments that matter (`args`: every other
query parameter is left out, each kept once, so the view renders from exactly what the key
holds) and a state string registered as `app.extensions["page_cache_state"]` (the events
register the catalogue version and the next moment a page changes by itself). A form's CSRF
token is rendered as a placeholder and each visitor's own put in its place, so the rest of
the page is shared and no visitor ever receives another's token or session. Signed-in staff
always get a fresh page, never stored.
"""

from __future__ import annotations

import functools
import hashlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from flask import Flask, Response, current_app, g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException

from portal.core.cache import BoundedCache
from portal.core.security import HEADERS as SECURITY_HEADERS
from portal.core.security import HSTS

PREFIX = "portal:page:"
PLACEHOLDER = "csrf-token-of-this-visitor-9d1c4e"
PLACEHOLDER_BYTES = PLACEHOLDER.encode()


@dataclass(frozen=True)
class Page:
    body: bytes
    etag: str

    @property
    def has_token(self) -> bool:
        return PLACEHOLDER_BYTES in self.body

    @classmethod
    def of(cls, body: bytes) -> Page:
        return cls(body, hashlib.sha256(body).hexdigest()[:32])


class PageCache(BoundedCache[Page]):
    """Rendered pages, least recently used first out (core.cache): anyone can ask for pages
    with filters of their own making."""

    name = "page cache"

    def __init__(self, max_bytes: int, redis_url: str | None = None, namespace: str = "") -> None:
        super().__init__(max_bytes, redis_url, prefix=f"{PREFIX}{namespace}:")

    def to_shared(self, page: Page) -> dict:
        return {"body": page.body, "etag": page.etag}

    def from_shared(self, found: dict[bytes, bytes]) -> Page:
        return Page(found[b"body"], found[b"etag"].decode())


def canonical_args(names: tuple[str, ...], given=None) -> tuple[tuple[str, str], ...]:
    """The query parameters a page reads, each once (its first value, as forms read it),
    empty ones and every other parameter left out, in `names` order."""
    first: dict[str, str] = {}
    for key, value in (request.args if given is None else given).items(multi=True):
        if key in names and key not in first and value:
            first[key] = value
    return tuple((key, first[key]) for key in names if key in first)


def page_key(state: str, args: tuple[tuple[str, str], ...], of=None) -> str:
    """The state, then a digest of the address the page is served at (its absolute links),
    the endpoint, its path arguments and query, each part length-prefixed so that no two
    pages share a key. `of`: (scheme, host, endpoint, view_args) when not the request's."""
    scheme, host, endpoint, view_args = of or (
        request.scheme,
        request.host,
        request.endpoint,
        request.view_args,
    )
    # The day too: a page may say what "this month" or "today" is.
    today = datetime.now(UTC).date().isoformat()
    parts = [today, scheme, host, endpoint or ""]
    parts += [f"{k}={v}" for k, v in sorted((view_args or {}).items())]
    parts += [part for pair in args for part in pair]
    digest = hashlib.sha256("".join(f"{len(p)}:{p}" for p in parts).encode()).hexdigest()
    return f"{state}:{digest}"


def may_be_staff() -> bool:
    """The request carries a sign-in, valid or not (the user is not loaded to know)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    return "_user_id" in session or remember in request.cookies


def is_staff() -> bool:
    """A signed-in member of staff. Anonymous visitors' users are never loaded: Flask-Login
    would clear a 'remember me' cookie on every page (see accounts/auth.py)."""
    return may_be_staff() and bool(current_user.is_authenticated)


def serve_cached_page() -> Response | None:
    """Answer a page already in the cache before the app's other request hooks (rate limits,
    CSRF, input checks), which a cached anonymous GET does not need. Anything else (a miss, a
    visitor who may be signed in, a NUL anywhere) goes the usual way, through the view."""
    if request.method not in ("GET", "HEAD"):
        return None
    view = current_app.view_functions.get(request.endpoint)
    args = getattr(view, "page_cache_args", None)
    state = current_app.extensions.get("page_cache_state")
    if args is None or state is None or "\x00" in request.path or b"%00" in request.query_string:
        return None
    if may_be_staff():
        return None
    key = page_key(state(), canonical_args(args))
    page = current_app.extensions["page_cache"].get(key)
    return None if page is None else serve(page)


def cached_page(args: tuple[str, ...] = ()):
    """Serve the decorated GET view from the page cache to anonymous visitors."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(*a, **kw):
            if request.method in ("GET", "HEAD"):
                # The view sees only its own parameters, each once, whoever asks: the page it
                # renders is the one its key names, and a parameter named like one of
                # url_for's own (`endpoint`, `_method`) never reaches a link it builds.
                request.args = ImmutableMultiDict(canonical_args(args))
            state = current_app.extensions.get("page_cache_state")
            if request.method not in ("GET", "HEAD") or state is None:
                return view(*a, **kw)
            if is_staff():
                response = make_response(view(*a, **kw))
                response.headers["Cache-Control"] = "private, no-store"
                return response
            key = page_key(state(), canonical_args(args))
            cache: PageCache = current_app.extensions["page_cache"]
            page = cache.get(key)
            if page is None:
                response = render_shared(view, a, kw)
                if response.status_code != 200:
                    return personal(response)
                page = Page.of(response.get_data())
                cache.set(key, page)
            return serve(page)

        wrapper.page_cache_args = args
        return wrapper

    return decorate


def render_shared(view, a, kw) -> Response:
    """The view's response with the CSRF placeholder where a token goes."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    saved = g.pop(field, None)
    setattr(g, field, PLACEHOLDER)  # Flask-WTF's generate_csrf returns what g holds
    try:
        return make_response(view(*a, **kw))
    finally:
        g.pop(field, None)
        if saved is not None:
            setattr(g, field, saved)


def personal(response: Response) -> Response:
    """A response not shared (an error page, say): the visitor's own token in it."""
    body = response.get_data()
    if PLACEHOLDER_BYTES in body:
        response.set_data(body.replace(PLACEHOLDER_BYTES, generate_csrf().encode()))
    return response


def token_window() -> int:
    """A page with a form keeps its ETag (and so may be revalidated with a 304, keeping the
    token it has) only within half the token's lifetime, so that the token is still valid."""
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    return int(time.time() // max(limit // 2, 1)) if limit else 0


def serve(page: Page) -> Response:
    etag = page.etag
    if page.has_token:
        field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = session.get(field)
        own = f"{page.etag}:{secret}:{token_window()}".encode()
        etag = hashlib.sha256(own).hexdigest()[:32] if secret else None
    headers = {"Cache-Control": "no-cache", "Content-Type": "text/html; charset=utf-8"}
    if etag is not None and etag in request.if_none_match:
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    body = page.body
    if page.has_token:
        g.pop(field, None)  # a token for this visitor's session, whatever came before
        body = body.replace(PLACEHOLDER_BYTES, generate_csrf().encode())
        secret = session[field]
        own = f"{page.etag}:{secret}:{token_window()}".encode()
        etag = hashlib.sha256(own).hexdigest()[:32]
    response = Response(body, headers=headers)
    response.set_etag(etag)
    return response


class CookielessFastPath:
    """WSGI middleware: a GET of a page without a form, already in the cache, by a visitor who
    sends no cookie at all (so no session, no sign-in) is answered from the cache without
    Flask's request machinery; so is what a feature registers in
    `app.extensions["fast_responders"]` (endpoint: a function of the WSGI environ giving
    status, headers and body, or None), such as rendered feeds. Everything else, and every
    miss, goes to the app. It sits inside the Host check and the proxy fix, and adds the
    headers every response carries."""

    def __init__(self, wsgi_app, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ, start_response):
        if (
            environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and "HTTP_COOKIE" not in environ
            and "%00" not in environ.get("QUERY_STRING", "")
        ):
            found = self.answer(environ)
            if found is not None:
                status, headers, body = found
                headers = [*headers, *SECURITY_HEADERS.items()]
                if environ["wsgi.url_scheme"] == "https":
                    headers.append(("Strict-Transport-Security", HSTS))
                if body:
                    headers.append(("Content-Length", str(len(body))))
                start_response(status, headers)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ):
        app = self.app
        try:
            endpoint, view_args = app.url_map.bind_to_environ(environ, server_name=None).match()
        except HTTPException:
            return None
        responder = app.extensions.get("fast_responders", {}).get(endpoint)
        if responder is not None:
            with app.app_context():
                return responder(environ)
        view = app.view_functions.get(endpoint)
        args = getattr(view, "page_cache_args", None)
        state = app.extensions.get("page_cache_state")
        if args is None or state is None:
            return None
        query = MultiDict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        of = (environ["wsgi.url_scheme"], environ.get("HTTP_HOST", ""), endpoint, view_args)
        with app.app_context():
            key = page_key(state(), canonical_args(args, query), of)
        page = app.extensions["page_cache"].get(key)
        if page is None or page.has_token:
            return None
        etag = f'"{page.etag}"'
        headers = [*FAST_HEADERS, ("ETag", etag)]
        wanted = environ.get("HTTP_IF_NONE_MATCH", "")
        if etag in wanted or wanted.strip() == "*":
            return "304 Not Modified", headers, b""
        return "200 OK", headers, page.body


FAST_HEADERS = (
    ("Content-Type", "text/html; charset=utf-8"),
    ("Cache-Control", "no-cache"),
    ("Vary", "Cookie"),
)


def init_app(app: Flask) -> None:
    database = app.config["SQLALCHEMY_DATABASE_URI"].encode()
    if not app.config["PAGE_CACHE"]:
        return
    app.before_request_funcs.setdefault(None, []).insert(0, serve_cached_page)
    app.wsgi_app = CookielessFastPath(app.wsgi_app, app)
    app.extensions["page_cache"] = PageCache(
        max_bytes=app.config["PAGE_CACHE_BYTES"],
        redis_url=app.config.get("CACHE_REDIS_URL"),
        namespace=hashlib.sha256(database).hexdigest()[:12],
    )
