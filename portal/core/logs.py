"""Logs fit for operations: a request id on every response and in every line logged while the
request runs, each line with its time and level, as text or as JSON (PORTAL_LOG_FORMAT), and
the query strings of /staff/ kept out of them.

At import this module needs the standard library only: gunicorn.conf.py loads it by its path,
so that gunicorn's own lines (and its access log) are written the same way without importing
the app into gunicorn's master process.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar, Token
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

HEADER = "X-Request-ID"
ENVIRON_KEY = "HTTP_X_REQUEST_ID"
# A client's or a proxy's own id is kept when it is a plain token: it then ties our lines to
# theirs. Anything else (too long, spaces, quotes, several joined by commas) is replaced.
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}")
SETTINGS = ("LOG_FORMAT", "LOG_LEVEL")  # PORTAL_LOG_FORMAT, PORTAL_LOG_LEVEL
FORMATS = ("text", "json")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
REDACTED = "[redacted]"
# The back office's query strings carry what staff searched for (addresses, names): in a log
# line, a /staff path (in a request line, a referrer, a message) keeps its path and loses them.
STAFF_QUERY = re.compile(r"(/staff(?:/[^\s?#\"'<>]*)?)\?[^\s#\"'<>]*")

_request_id: ContextVar[str | None] = ContextVar("portal_request_id", default=None)


def request_id() -> str | None:
    """The id of the request this code runs for, or None outside a request."""
    return _request_id.get()


def accepted_id(given: str | None) -> str:
    """The incoming id when it is well formed, else a new one."""
    if given and WELL_FORMED.fullmatch(given):
        return given
    return uuid.uuid4().hex


def is_staff_path(path: str) -> bool:
    return path == "/staff" or path.startswith("/staff/")


def redact(text: str) -> str:
    """`text` with the query string of every /staff path in it replaced by [redacted]."""
    if "/staff" not in text:
        return text
    return STAFF_QUERY.sub(rf"\1?{REDACTED}", text)


class RequestId:
    """WSGI middleware, outermost: takes the request's id (a well-formed `X-Request-ID`, else
    a new one), puts it in the environ for the app, in a context variable for the log lines
    while the request runs, and on the response, whoever answers it (the Host check, the page
    cache's fast path, Flask)."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        rid = accepted_id(environ.get(ENVIRON_KEY))
        environ[ENVIRON_KEY] = rid
        token = _request_id.set(rid)

        def start(status: str, headers: list[tuple[str, str]], exc_info=None):
            headers = [(name, value) for name, value in headers if name.lower() != "x-request-id"]
            headers.append((HEADER, rid))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, start)
        except BaseException:
            _forget(token)
            raise
        file_wrapper = environ.get("wsgi.file_wrapper")
        if isinstance(file_wrapper, type) and isinstance(body, file_wrapper):
            # The server sends such a file itself (sendfile): keep it recognisable.
            _forget(token)
            return body  # type: ignore[return-value]  # a file_wrapper is an iterable of bytes
        return _Body(body, token)


class _Body:
    """The app's response body, iterated by the server: the lines logged while it streams
    (a long CSV export) still carry the id, which is forgotten once the body is sent or
    closed, whichever comes first (a test client may never close it)."""

    def __init__(self, body: Iterable[bytes], token: Token) -> None:
        self.body = body
        self.token: Token | None = token

    def __iter__(self) -> Iterator[bytes]:
        yield from self.body
        self._forget()

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self._forget()

    def _forget(self) -> None:
        if self.token is not None:
            _forget(self.token)
            self.token = None


def _forget(token: Token) -> None:
    try:
        _request_id.reset(token)
    except ValueError:  # closed in another context than it was opened in
        _request_id.set(None)


class RequestIdFilter(logging.Filter):
    """Gives each record the id of the request it was logged for (or None), unless the record
    already has one (gunicorn's access lines carry it from the response)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        return True


def _stamp(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """`2026-05-10T09:30:00.123Z INFO [1234] [<request id>] portal.mail.delivery: message`; a
    message or traceback of several lines repeats the head on each, so that every line has
    its time, level and request (and grep finds a whole traceback by its request id)."""

    def format(self, record: logging.LogRecord) -> str:
        rid = getattr(record, "request_id", None) or "-"
        head = f"{_stamp(record)} {record.levelname} [{record.process}] [{rid}] {record.name}:"
        lines = redact(record.getMessage()).splitlines() or [""]
        for extra in _extras(record):
            lines.extend(redact(extra).splitlines())
        return "\n".join(
            f"{head} {line}" if number == 0 else f"{head} | {line}"
            for number, line in enumerate(lines)
        )


def _extras(record: logging.LogRecord) -> list[str]:
    found = []
    if record.exc_info:
        found.append(logging.Formatter().formatException(record.exc_info))
    elif record.exc_text:
        found.append(record.exc_text)
    if record.stack_info:
        found.append(record.stack_info)
    return found


# What every LogRecord has: anything else on a record was passed as `extra=` and is written too.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, process, request_id, message, the
    traceback as `exception`, and the fields passed with `extra=`."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": _stamp(record),
            "level": record.levelname,
            "logger": record.name,
            "process": record.process,
            "request_id": getattr(record, "request_id", None),
            "message": redact(record.getMessage()),
        }
        extras = _extras(record)
        if extras:
            entry["exception"] = redact("\n".join(extras))
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = redact(value) if isinstance(value, str) else value
        return json.dumps(entry, ensure_ascii=False, default=str)


def log_format(value: Any) -> str:
    """PORTAL_LOG_FORMAT: `text` (the default) or `json`."""
    kind = "text" if value in (None, "") else str(value).strip().lower()
    if kind not in FORMATS:
        raise ValueError(f"PORTAL_LOG_FORMAT must be text or json, not {value!r}")
    return kind


def log_level(value: Any) -> str:
    """PORTAL_LOG_LEVEL: a level's name in any case (the default INFO)."""
    level = "INFO" if value in (None, "") else str(value).strip().upper()
    if level not in LEVELS:
        raise ValueError(f"PORTAL_LOG_LEVEL must be one of {', '.join(LEVELS)}, not {value!r}")
    return level


def formatter(kind: str) -> logging.Formatter:
    return JsonFormatter() if kind == "json" else TextFormatter()


class StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is written: a test runner or a CLI
    runner that swaps it gets the lines, and no line goes to a stream closed since."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(kind: str = "text", level: str = "INFO") -> logging.Handler:
    """One handler on the root logger, to standard error, in `kind`'s format, with the request
    ids; called again (another app in the same process), it replaces its own handler."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(formatter(kind))
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(level)
    return handler


def init_app(app: Flask) -> None:
    """Configure logging from PORTAL_LOG_FORMAT and PORTAL_LOG_LEVEL, and wrap the app in the
    request id middleware. Call it after every other middleware is in place: it must be the
    outermost, so that even the Host check's 400 carries an id."""
    from flask.logging import default_handler

    kind = app.config["LOG_FORMAT"] = log_format(app.config.get("LOG_FORMAT"))
    level = app.config["LOG_LEVEL"] = log_level(app.config.get("LOG_LEVEL"))
    configure(kind, level)
    app.logger.removeHandler(default_handler)  # the root handler writes the app's lines
    # In a gunicorn worker: gunicorn's own lines logged during a request get its id too.
    gunicorn_errors = logging.getLogger("gunicorn.error")
    if not any(isinstance(f, RequestIdFilter) for f in gunicorn_errors.filters):
        gunicorn_errors.addFilter(RequestIdFilter())
    app.wsgi_app = RequestId(app.wsgi_app)  # type: ignore[method-assign]
