"""The page cache's WSGI fast path: cached responses answered before Flask's request machinery
for visitors without a cookie (core/pages.py decides what may be)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import dump_cookie

from portal.core import metrics
from portal.core.cached import Cached, answer
from portal.core.i18n import DEFAULT, ENVIRON_KEY
from portal.core.pages import PERSONAL, Asked, Decision, decide, own_etag, stores
from portal.core.security import HSTS, missing_headers


class FastPath:
    """WSGI middleware: a GET of a response already in the cache by a visitor who sends no
    cookie at all (or of one that is the same for everyone, such as a feed) is answered from
    the cache without Flask's request machinery, as decide() says; a page with a form gets
    the new visitor's session and token (new_visitor). Everything else, and every miss, goes
    to the app. It sits inside the Host check and the proxy fix, and adds the headers every
    response carries."""

    def __init__(self, wsgi_app: Callable, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            found = self.answer(environ)
            if found is not None:
                status, headers, body = found
                present = {name.lower() for name, _ in headers}
                headers += missing_headers(present)
                if environ["wsgi.url_scheme"] == "https":
                    headers.append(("Strict-Transport-Security", HSTS))
                if body:
                    headers.append(("Content-Length", str(len(body))))
                start_response("304 Not Modified" if status == 304 else "200 OK", headers)
                return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]
        return self.wsgi_app(environ, start_response)

    def answer(self, environ: dict[str, Any]) -> tuple[int, list, bytes] | None:
        app = self.app
        try:
            endpoint, view_args = app.url_map.bind_to_environ(environ, server_name=None).match()
        except HTTPException:
            return None
        environ["portal.endpoint"] = endpoint  # for the metrics (core/metrics.py)
        raw_query = environ.get("QUERY_STRING", "")
        asked = Asked(
            method=environ["REQUEST_METHOD"],
            endpoint=endpoint,
            view_args=view_args,
            scheme=environ["wsgi.url_scheme"],
            host=environ.get("HTTP_HOST", ""),
            query=tuple(parse_qsl(raw_query, keep_blank_values=True)),
            signed_in="HTTP_COOKIE" in environ,
            has_nul="%00" in raw_query or "\x00" in environ.get("PATH_INFO", ""),
            language=environ.get(ENVIRON_KEY, DEFAULT.code),
        )
        with app.app_context():
            try:
                found = decide(app, asked)
            except SQLAlchemyError:  # the database is away and nothing is known: Flask says so
                return None
            if found is None:
                return None
            entry = stores(app).of(found.policy).get(found.key)
        if entry is None:
            return None
        metrics.cache_answer("fast")
        if entry.has_token:
            return self.new_visitor(entry, found, environ)
        status, headers, body = answer(entry, found.cache_control, environ)
        if not found.policy.shared:
            headers.append(("Vary", "Cookie"))  # a visitor with a session is served otherwise
        return status, headers, body

    def new_visitor(
        self, entry: Cached, found: Decision, environ: dict[str, Any]
    ) -> tuple[int, list, bytes]:
        """A page with a form for a visitor without a session: a new CSRF secret in a new
        session cookie, and the token signed from it in the page, as Flask-WTF and Flask's
        session would make them (tests/test_page_cache.py holds the two to the same)."""
        app = self.app
        config = app.config
        field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        secret = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324  # nosec B324 (Flask-WTF's)
        key = config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
        assert key is not None  # nosec B101 (the configuration always sets one)
        signer = URLSafeTimedSerializer(key, salt="wtf-csrf-token")
        token = signer.dumps(secret).encode()
        interface = app.session_interface
        assert isinstance(interface, SecureCookieSessionInterface)  # nosec B101
        serializer = interface.get_signing_serializer(app)
        assert serializer is not None  # nosec B101 (it has a secret key)
        value = serializer.dumps({field: secret})
        cookie = dump_cookie(
            interface.get_cookie_name(app),
            value,
            domain=interface.get_cookie_domain(app),
            path=interface.get_cookie_path(app),
            secure=interface.get_cookie_secure(app),
            httponly=interface.get_cookie_httponly(app),
            samesite=interface.get_cookie_samesite(app),
            partitioned=interface.get_cookie_partitioned(app),
        )
        with app.app_context():
            etag = own_etag(entry, secret)
        _, headers, body = answer(
            entry, PERSONAL, environ, entry.with_token(token), etag, conditional=False
        )
        return 200, [*headers, ("Vary", "Cookie"), ("Set-Cookie", cookie)], body
