"""Which Host headers the portal answers to, and what it says about https (issue 9, findings 6
and 7): a malformed Host answers 400 with the usual headers, never a 500; a deployment that
names neither PORTAL_BASE_URL nor PORTAL_TRUSTED_HOSTS answers only to this machine, so no
client chooses the portal's absolute links; HSTS under https."""

import pytest
from werkzeug.test import create_environ, run_wsgi_app

from portal import create_app

MALFORMED = [
    "a" * 64 + ".example.org",  # a label over 63 characters
    "ex..ample.org",
    "example.org:99999",
    "example.org:0",
    "exa mple.org",
    "xn--.org",
    "évents.example.org",  # IDNA names come as xn--
    "example.org\r\nX-Evil: 1",
    "-example.org",
    "example-.org",
    "",
    "a." * 127 + "org",  # over 253 characters
]


def call(app, path: str, host: str, scheme: str = "http"):
    environ = create_environ(path, f"{scheme}://localhost/")
    environ["HTTP_HOST"] = host
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), headers, b"".join(body)


@pytest.mark.parametrize("host", MALFORMED)
@pytest.mark.parametrize("path", ["/events", "/events.ics", "/staff/login", "/nowhere"])
def test_a_malformed_host_answers_400_with_the_security_headers(app, host, path):
    status, headers, _ = call(app, path, host)
    assert status == 400
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


@pytest.fixture
def unconfigured(tmp_path, database_uri):
    """A deployment that set neither PORTAL_BASE_URL nor PORTAL_TRUSTED_HOSTS."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_uri, "SECRET_KEY": "x" * 32},
        instance_path=str(tmp_path / "instance"),
    )
    return app


@pytest.mark.parametrize("host", ["evil.example", "events.example.org", "10.0.0.7"])
def test_without_base_url_or_trusted_hosts_only_this_machine_is_answered(unconfigured, host):
    status, headers, _ = call(unconfigured, "/events", host)
    assert status == 400 and headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["localhost:5000", "127.0.0.1:8000", "portal.localhost"])
def test_this_machine_is_answered_when_nothing_is_configured(unconfigured, host):
    status, _, body = call(unconfigured, "/events.ics", host)
    assert status == 200 and f"//{host}/".encode() in body


def test_with_a_base_url_links_never_come_from_the_host_header(tmp_path, database_uri):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": "x" * 32,
            "BASE_URL": "https://events.example.org",
        },
        instance_path=str(tmp_path / "instance"),
    )
    status, _, body = call(app, "/events.ics", "evil.example")
    assert status == 200
    assert b"evil.example" not in body and b"https://events.example.org/events.ics" in body


def test_https_responses_carry_hsts_and_http_ones_do_not(app):
    _, secure, _ = call(app, "/events", "portal.test", scheme="https")
    assert secure["Strict-Transport-Security"] == "max-age=63072000"
    _, plain, _ = call(app, "/events", "portal.test")
    assert "Strict-Transport-Security" not in plain


@pytest.mark.parametrize("path", ["/staff/", "/staff/inquiries/", "/staff/audit/", "/staff/login"])
def test_back_office_pages_are_never_stored_by_a_cache(client, admin, path):
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert response.headers["Cache-Control"] == "no-store"


def test_public_pages_keep_their_own_caching(client):
    assert "no-store" not in client.get("/events.ics").headers["Cache-Control"]
    assert "no-store" not in (client.get("/events").headers.get("Cache-Control") or "")
