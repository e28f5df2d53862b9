"""How the portal connects to its database: a connection retried for a few seconds while the
server restarts, and SQLite tuned for several workers on one host. The bounded waits on
PostgreSQL are engine options (portal/config.py engine_options)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

# Pauses between attempts to connect while the server restarts (seconds).
RETRY_PAUSE = 0.25


def retry_connections(engine: Engine, seconds: float) -> None:
    """A new connection that the server refuses is tried again for `seconds` (a PostgreSQL
    restart takes one or two), so that requests arriving meanwhile wait rather than fail."""
    if seconds <= 0:
        return

    @event.listens_for(engine, "do_connect")
    def _connect(dialect: Any, record: Any, cargs: tuple, cparams: dict) -> Any:
        deadline = time.monotonic() + seconds
        while True:
            try:
                return dialect.connect(*cargs, **cparams)
            except dialect.loaded_dbapi.OperationalError as error:
                if time.monotonic() + RETRY_PAUSE > deadline:
                    raise
                log.info("database refused a connection (%s); trying again", error)
                time.sleep(RETRY_PAUSE)


# environ keys: the error handler asks for a retry; the retry says it is one (once only).
RETRY, RETRIED = "portal.retry_lost_connection", "portal.retried"


class RetryLostConnection:
    """WSGI middleware around Flask: a GET or HEAD whose database connection the server cut
    while it was being answered (a restart) is answered again, once, on a new connection
    (the connect is retried while the server comes back: retry_connections), rather than
    with the 503 that core/views.py made of it. Reading is safe to do twice; a POST is not
    retried (its 503 gives the visitor's text back, and a form posted again is stored once)."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        started: list[Any] = []

        def hold(status: str, headers: list, exc_info: Any = None) -> Callable:
            started[:] = [status, headers, exc_info]
            return lambda data: None  # Flask never writes through it

        body = self.wsgi_app(environ, hold)
        if environ.pop(RETRY, False):
            if hasattr(body, "close"):
                body.close()
            environ[RETRIED] = True
            log.info(
                "answering %s again: its database connection was lost", environ.get("PATH_INFO")
            )
            return self.wsgi_app(environ, start_response)
        start_response(*started)
        return body


def tune_sqlite(engine: Engine) -> None:
    """Foreign keys on, WAL so several workers can read while one writes, and a busy wait."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


def init_app(app: Flask) -> None:
    from portal.extensions import db

    @app.teardown_appcontext
    def _give_back_the_connection(error: BaseException | None) -> None:
        """The session's end, which rolls back what is left: on a connection the server cut
        (a restart) that rollback fails, and would fail a request whose work was done.
        Registered after Flask-SQLAlchemy's own teardown, so it runs before it."""
        try:
            db.session.remove()
        except SQLAlchemyError as lost:
            log.info("the database connection was lost at the end of a request: %s", lost)
            db.session.registry.clear()

    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        tune_sqlite(engine)
    else:
        retry_connections(engine, float(app.config["DATABASE_CONNECT_RETRY"]))
        app.wsgi_app = RetryLostConnection(app.wsgi_app)  # type: ignore[method-assign]
