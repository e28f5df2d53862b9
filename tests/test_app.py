"""Configuration, the instance folder, health, and the schema that migrations build."""

import stat

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.extensions import _include_object, db


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    instance = tmp_path / "instance"
    first = create_app(instance_path=str(instance)).config["SECRET_KEY"]
    second = create_app(instance_path=str(instance)).config["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert create_app(instance_path=str(tmp_path / "other")).config["SECRET_KEY"] != first


def test_environment_overrides_defaults_and_stays_a_string(tmp_path, monkeypatch):
    digits = "1234567890" * 4  # JSON reads it as a number; it must stay the key as written
    monkeypatch.setenv("PORTAL_SECRET_KEY", digits)
    monkeypatch.setenv("PORTAL_MAIL_PORT", "2525")
    monkeypatch.setenv("PORTAL_BASE_URL", '"https://events.example.org/"')
    app = create_app(instance_path=str(tmp_path))
    assert app.config["SECRET_KEY"] == digits
    assert app.config["MAIL_PORT"] == 2525
    assert app.config["BASE_URL"] == "https://events.example.org"
    assert app.config["MAIL_BACKEND"] == "file"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json
    assert body["status"] == "ok"
    assert {body[name] for name in ("database", "redis", "rate_limit_store", "outbox")} == {"ok"}
    assert body["outbox_details"] == {
        "pending": 0,
        "oldest_pending_seconds": None,
        "failed": 0,
        "oldest_claim_seconds": None,
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
            "SECRET_KEY": "k" * 32,
            "DATABASE_CONNECT_RETRY": 0,
        },
        instance_path=str(tmp_path),
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_migrations_build_exactly_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _include_object}
        )
        assert compare_metadata(context, db.metadata) == []


def test_migrations_downgrade_to_nothing_and_up_again(app):
    downgrade(revision="base")
    assert set(db.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert "event" in db.inspect(db.engine).get_table_names()


@pytest.mark.parametrize("path", ["/", "/events", "/healthz"])
def test_pages_answer_head_requests(client, path):
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.data == b""  # the headers of the GET, no body
    assert head.headers["Content-Type"] == got.headers["Content-Type"]


def test_responses_carry_security_headers(client):
    response = client.get("/events")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_behind_a_trusted_proxy_the_forwarded_scheme_and_host_are_used(tmp_path):
    app = create_app(
        {
            "TRUSTED_PROXIES": 1,
            "TRUSTED_HOSTS": ["events.example.org"],
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x" * 32,
        },
        instance_path=str(tmp_path),
    )

    @app.get("/where")
    def where():
        from flask import request

        return f"{request.scheme} {request.host} {request.remote_addr}"

    headers = {
        "X-Forwarded-For": "203.0.113.9",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "events.example.org",
    }
    assert app.test_client().get("/where", headers=headers).text == (
        "https events.example.org 203.0.113.9"
    )
    untrusting = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32},
        instance_path=str(tmp_path),
    )
    untrusting.add_url_rule("/where", view_func=where)
    assert untrusting.test_client().get("/where", headers=headers).text.startswith("http localhost")


def test_an_https_base_url_makes_the_session_cookie_secure(tmp_path):
    settings = {"BASE_URL": "https://events.example.org", "SECRET_KEY": "k" * 32}
    app = create_app(settings, instance_path=str(tmp_path))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/events/a%00b", 404),
        ("GET", "/events/a%00b.ics", 404),
        ("GET", "/events?q=a%00b", 400),
        ("GET", "/events.ics?project=%00", 400),
        ("POST", "/staff/login", 400),
        ("POST", "/membership", 400),
    ],
)
def test_nul_bytes_are_refused_before_any_query(client, method, path, status):
    data = {"email": "a\x00@example.org", "password": "x"} if method == "POST" else None
    assert client.open(path, method=method, data=data).status_code == status


def test_ids_beyond_the_database_integer_match_no_route(app):
    adapter = app.url_map.bind("portal.test")
    matched = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert matched, "no route takes an integer"
    rule = matched[0]
    path = rule.rule.split("<int:")[0] + "99999999999999999999"
    from werkzeug.exceptions import NotFound

    with pytest.raises(NotFound):
        adapter.match(path + rule.rule.split(">", 1)[1], method=sorted(rule.methods)[0])


@pytest.mark.parametrize("value", ["False", "no", "OFF", "0"])
def test_switches_in_the_environment_read_as_booleans(tmp_path, monkeypatch, value):
    monkeypatch.setenv("PORTAL_MAIL_USE_TLS", value)
    monkeypatch.setenv("PORTAL_RATELIMIT_ENABLED", value)
    app = create_app(instance_path=str(tmp_path))
    assert app.config["MAIL_USE_TLS"] is False
    assert app.config["RATELIMIT_ENABLED"] is False


def test_a_switch_it_cannot_read_stops_the_start(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_MAIL_USE_TLS", "maybe")
    with pytest.raises(ValueError, match="PORTAL_MAIL_USE_TLS must be true or false"):
        create_app(instance_path=str(tmp_path))
