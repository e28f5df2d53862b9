"""Configuration defaults, environment overrides and the instance-folder secret key."""

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

DEFAULTS = {
    "SQLALCHEMY_TRACK_MODIFICATIONS": False,
    "MAIL_BACKEND": "file",
    "MAIL_SERVER": "localhost",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USE_SSL": False,
    "MAIL_USERNAME": None,
    "MAIL_DEFAULT_SENDER": "OpenInfra Foundation <no-reply@openinfra.dev>",
    "MAIL_TIMEOUT": 10,  # seconds, for `flask outbox deliver`
    # Right after a form is stored its mail is tried at once, briefly; the outbox keeps the rest.
    "MAIL_DELIVER_INLINE": True,
    "MAIL_INLINE_TIMEOUT": 3,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # A shared store (Redis) that is away: limits are counted in each process meanwhile, and
    # its client waits half a second at most for an answer (core/limits.py does the same).
    "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    "INQUIRY_RATELIMIT_PER_EMAIL": "5 per hour",
    "INQUIRY_RATELIMIT_PER_IP": "20 per hour",
    "INQUIRY_RETENTION_DAYS": None,  # days an inquiry that is over keeps its personal data
    "INQUIRY_REMINDER_HOURS": 48,  # new for this long: a reminder; twice as long: escalation
    # Email alerts (alerts/): on or off, the hour (UTC, 0-23) from which the daily alerts about
    # filters go out, and the alert form's limits.
    "ALERTS_ENABLED": True,
    "ALERTS_DIGEST_HOUR": 8,
    "ALERTS_RATELIMIT_PER_EMAIL": "5 per hour",
    "ALERTS_RATELIMIT_PER_IP": "30 per hour",
    # Seconds between two runs of the outbox worker's periodic jobs (the alerts).
    "OUTBOX_PERIODIC_SECONDS": 300,
    "BASE_URL": None,
    "TRUSTED_PROXIES": 0,
    "EVENTS_PER_PAGE": 20,
    "SITE_NAME": "OpenInfra Foundation",
    "CARD_FONT": None,  # a TrueType file for share cards (else DejaVu Sans, Liberation Sans)
    "ORGANIZER_NAME": "OpenInfra Foundation",
    "ORGANIZER_URL": "https://openinfra.dev",
    "CONTACT_EMAIL": "events@openinfra.dev",
    "CACHE_REDIS_URL": None,
    "CALENDAR_CACHE_BYTES": 64 * 1024 * 1024,  # rendered feeds kept by each process
    "CALENDAR_FEED_MAX_EVENTS": 2000,
    "CALENDAR_VERSION_TTL": 1.0,
    # Public pages rendered once per catalogue version for anonymous visitors (core/pages.py).
    "PAGE_CACHE": True,
    "PAGE_CACHE_BYTES": 64 * 1024 * 1024,  # rendered pages kept by each process
    # Renders of feeds not in the cache, per client address (feeds in the cache are free).
    "CALENDAR_RENDER_LIMIT": "30 per minute",
    # Back office: sign-in limits, password hashing, session cookies (accounts), import (events).
    "STAFF_LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "STAFF_LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    # Failures from a browser that signed in to the account before (accounts/devices.py).
    "STAFF_LOGIN_LIMIT_PER_DEVICE": "10 per 15 minutes",
    "STAFF_SESSION_HOURS": 12,  # a sign-in ends this long after it began, whatever happens
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    "IMPORT_MAX_BYTES": 2 * 1024 * 1024,
    "IMPORT_FETCH_TIMEOUT": 10,
    "IMPORT_ALLOW_PRIVATE_URLS": False,
    # PostgreSQL: seconds to open a connection, for one statement, and for which a connection
    # the server refuses (a restart) is tried again (core/database.py).
    "DATABASE_CONNECT_TIMEOUT": 2,
    "DATABASE_STATEMENT_TIMEOUT": 30,
    "DATABASE_CONNECT_RETRY": 3,
    # Who may read /metrics (client addresses): this machine alone unless told otherwise.
    "METRICS_ALLOW": ["127.0.0.1", "::1"],
    # Logs (core/logs.py): `text` or `json`, and the level.
    "LOG_FORMAT": "text",
    "LOG_LEVEL": "INFO",
}
# No mail password by default (PORTAL_MAIL_PASSWORD sets it); argon2id's work factors, RFC
# 9106's low-memory profile (memory in KiB). Set apart from the dict, where bandit's B105 would
# read these keys as hard-coded passwords.
DEFAULTS["MAIL_PASSWORD"] = None
DEFAULTS["PASSWORD_HASH_TIME_COST"] = 3
DEFAULTS["PASSWORD_HASH_MEMORY_COST"] = 65536
DEFAULTS["PASSWORD_HASH_PARALLELISM"] = 4

# What a deployment that names neither PORTAL_BASE_URL nor PORTAL_TRUSTED_HOSTS answers to: this
# machine. Anything else would let the client's Host header write the portal's absolute links.
LOCAL_HOSTS = ["localhost", ".localhost", "127.0.0.1"]

# from_prefixed_env parses values as JSON, so PORTAL_SECRET_KEY=123 arrives as an int.
STRING_KEYS = (
    "SECRET_KEY",
    "SQLALCHEMY_DATABASE_URI",
    "MAIL_SERVER",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_DEFAULT_SENDER",
    "RATELIMIT_STORAGE_URI",
    "BASE_URL",
    "CACHE_REDIS_URL",
    "STAFF_LOGIN_LIMIT_PER_ACCOUNT",
    "STAFF_LOGIN_LIMIT_PER_ADDRESS",
    "STAFF_LOGIN_LIMIT_PER_DEVICE",
    "CALENDAR_RENDER_LIMIT",
    "ALERTS_RATELIMIT_PER_EMAIL",
    "ALERTS_RATELIMIT_PER_IP",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


# Switches: PORTAL_MAIL_USE_TLS=False would otherwise arrive as the (true) string "False".
BOOL_KEYS = (
    "MAIL_USE_TLS",
    "MAIL_USE_SSL",
    "MAIL_DELIVER_INLINE",
    "RATELIMIT_ENABLED",
    "SESSION_COOKIE_SECURE",
    "IMPORT_ALLOW_PRIVATE_URLS",
    "PAGE_CACHE",
    "ALERTS_ENABLED",
)
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def as_bool(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise ConfigurationError(f"PORTAL_{key} must be true or false, not {value!r}")


def configure(app: Flask, overrides: dict | None) -> None:
    """Apply defaults, then `PORTAL_*` variables, then explicit overrides (tests)."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.update(overrides)
    for key in STRING_KEYS:
        if app.config.get(key) is not None:
            app.config[key] = str(app.config[key])
    for key in BOOL_KEYS:
        if key in app.config:
            app.config[key] = as_bool(key, app.config[key])
    if app.config.get("BASE_URL"):
        app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
        explicit = "PORTAL_SESSION_COOKIE_SECURE" in os.environ or (
            overrides and "SESSION_COOKIE_SECURE" in overrides
        )
        if app.config["BASE_URL"].startswith("https://") and not explicit:
            app.config["SESSION_COOKIE_SECURE"] = True  # served over https: never send it in clear

    if app.config.get("TRUSTED_HOSTS") is None and not app.config.get("BASE_URL"):
        # Absolute links then come from the Host header: answer only to this machine (and to
        # SERVER_NAME), so a client cannot choose the links others receive. Deployments set
        # PORTAL_BASE_URL or PORTAL_TRUSTED_HOSTS.
        own = (
            [str(app.config["SERVER_NAME"]).split(":")[0]] if app.config.get("SERVER_NAME") else []
        )
        app.config["TRUSTED_HOSTS"] = [*LOCAL_HOSTS, *own]

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "portal.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = url_for_psycopg(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Bounded waits and a ping at each checkout (a local file needs neither, and the ping
        # would cost every request a statement): core/database.py.
        app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    check_secret_key(app)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(Path(app.instance_path))
    if app.config["MAIL_BACKEND"] == "file" and "PORTAL_MAIL_SERVER" in os.environ:
        log.warning(
            "PORTAL_MAIL_SERVER is set but PORTAL_MAIL_BACKEND is %r: mail is written to files "
            "in the instance folder, not sent. Set PORTAL_MAIL_BACKEND=smtp to send it.",
            app.config["MAIL_BACKEND"],
        )


class ConfigurationError(ValueError):
    """A setting the portal cannot start with; the message names the variable (one line)."""


# Shortest secret key accepted in production (bytes): 32, as secrets.token_hex(32) gives 64.
MIN_SECRET_BYTES = 32


def is_production(config: dict[str, Any]) -> bool:
    """Served for real: a database server rather than a local file, or an https address."""
    database = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    return not database.startswith("sqlite") or str(config.get("BASE_URL") or "").startswith(
        "https://"
    )


def check_secret_key(app: Flask) -> None:
    """In production the key must be given, the same on every host (a key generated on each
    host breaks every form posted to another behind a load balancer), and long enough."""
    if app.config.get("TESTING") or not is_production(app.config):
        return
    key = app.config.get("SECRET_KEY")
    how = 'make one with: python -c "import secrets; print(secrets.token_hex(32))"'
    if not key:
        raise ConfigurationError(
            f"PORTAL_SECRET_KEY is not set; in production every host needs the same one ({how})"
        )
    if len(str(key).encode()) < MIN_SECRET_BYTES:
        raise ConfigurationError(
            f"PORTAL_SECRET_KEY is too short ({len(str(key).encode())} bytes, at least "
            f"{MIN_SECRET_BYTES}): {how}"
        )


def load_or_create_secret_key(instance: Path) -> str:
    """Read the instance folder's secret key, creating it once.

    Several gunicorn workers may start at the same moment: the key is written to a temporary
    file and linked into place, which fails for every worker but the first, so all of them end
    up reading the same complete key.
    """
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    fd, tmp = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        os.chmod(tmp, 0o600)
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_text().strip()


def url_for_psycopg(url: str) -> str:
    """`postgresql://` and `postgres://` (as hosting platforms write them) mean psycopg 3,
    which is the driver the portal ships with (SQLAlchemy would look for psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """The engine options of a PostgreSQL database: a server may drop idle connections or
    restart, so each checkout is pinged first and a dead pool replaced; a connection is given
    DATABASE_CONNECT_TIMEOUT seconds to open and each statement DATABASE_STATEMENT_TIMEOUT;
    and a network that stops answering (the server's host gone, a firewall dropping packets)
    fails a connection within seconds rather than the system's minutes (TCP keepalives and
    tcp_user_timeout). Per process: pool_size connections, more when busy, none kept past
    pool_recycle seconds."""
    statement_ms = int(float(config["DATABASE_STATEMENT_TIMEOUT"]) * 1000)
    return {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 10,
        "pool_timeout": 10,
        "pool_recycle": 1800,
        "connect_args": {
            "connect_timeout": max(1, round(float(config["DATABASE_CONNECT_TIMEOUT"]))),
            "options": f"-c statement_timeout={statement_ms}",
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 2,
            "keepalives_count": 3,
            "tcp_user_timeout": 5000,
        },
    }
