"""Configuration defaults, environment overrides and the instance-folder secret key."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path

from flask import Flask

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
    "INQUIRY_RATELIMIT_PER_EMAIL": "5 per hour",
    "INQUIRY_RATELIMIT_PER_IP": "20 per hour",
    "INQUIRY_RETENTION_DAYS": None,  # days an inquiry that is over keeps its personal data
    "BASE_URL": None,
    "TRUSTED_PROXIES": 0,
    "EVENTS_PER_PAGE": 20,
    "SITE_NAME": "OpenInfra Foundation",
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
)
TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def as_bool(key: str, value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS | FALSE_WORDS:
        return word in TRUE_WORDS
    raise ValueError(f"PORTAL_{key} must be true or false, not {value!r}")


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
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # A server may drop idle connections, or restart: each checkout is pinged first, and a
        # dead pool is replaced (a local file is not, and the ping would cost every request a
        # statement). Per process: pool_size connections, more when busy, none kept past
        # pool_recycle seconds.
        app.config.setdefault(
            "SQLALCHEMY_ENGINE_OPTIONS",
            {
                "pool_pre_ping": True,
                "pool_size": 5,
                "max_overflow": 10,
                "pool_timeout": 10,
                "pool_recycle": 1800,
            },
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(Path(app.instance_path))


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
