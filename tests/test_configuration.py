"""Configuration a deployer gets wrong gets one clear line: production without a secret key of
its own, or with a weak one, does not start; `postgresql://` URLs work; a mail server set with
no mail backend is said."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigurationError

ROOT = Path(__file__).resolve().parent.parent
PG = "postgresql+psycopg://nobody@127.0.0.1:9/none"


@pytest.mark.parametrize("key", [None, "a", "123", "changeme", "x" * 31])
@pytest.mark.parametrize(
    "settings",
    [{"SQLALCHEMY_DATABASE_URI": PG}, {"BASE_URL": "https://events.example.org"}],
    ids=["postgresql", "https"],
)
def test_production_refuses_a_missing_or_weak_secret_key(tmp_path, settings, key):
    given = {**settings, **({"SECRET_KEY": key} if key else {})}
    with pytest.raises(ConfigurationError, match="PORTAL_SECRET_KEY") as refused:
        create_app(given, instance_path=str(tmp_path))
    assert "\n" not in str(refused.value)
    assert "secrets.token_hex(32)" in str(refused.value)


def test_a_long_enough_key_starts_and_sqlite_needs_none(tmp_path):
    create_app({"SQLALCHEMY_DATABASE_URI": PG, "SECRET_KEY": "k" * 32}, str(tmp_path / "a"))
    local = create_app({}, instance_path=str(tmp_path / "b"))  # generated in the instance
    assert len(local.config["SECRET_KEY"]) == 64


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_plain_postgresql_urls_mean_psycopg(tmp_path, scheme):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"{scheme}://u:p@db.example.org/portal",
            "SECRET_KEY": "k" * 32,
        },
        instance_path=str(tmp_path),
    )
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example.org/portal"
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert options["connect_timeout"] == 2
    assert options["options"] == "-c statement_timeout=30000"


def flask_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_a_configuration_error_is_one_line_naming_the_variable(tmp_path):
    done = flask_command(
        {
            "PORTAL_SQLALCHEMY_DATABASE_URI": "postgres://u@127.0.0.1:9/x",
            "PORTAL_SECRET_KEY": "changeme",
        },
        "routes",
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("Configuration error: PORTAL_SECRET_KEY is too short")
    assert "Traceback" not in done.stderr
    # The database URL with postgres:// is understood: no "No such command 'db'".
    ok = flask_command(
        {
            "PORTAL_SQLALCHEMY_DATABASE_URI": "postgres://u@127.0.0.1:9/x",
            "PORTAL_SECRET_KEY": "k" * 32,
        },
        "db",
        "--help",
    )
    assert ok.returncode == 0, ok.stderr
    assert "upgrade" in ok.stdout


def test_a_mail_server_without_a_backend_is_said(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("PORTAL_MAIL_SERVER", "smtp.example.org")
    with caplog.at_level("WARNING", logger="portal.config"):
        create_app(instance_path=str(tmp_path))
    assert any("PORTAL_MAIL_BACKEND=smtp" in r.getMessage() for r in caplog.records)
