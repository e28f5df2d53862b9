"""What the alert tests share: an SMTP server, a morning to start from, the alert form posted,
a confirmed subscription, and the job and the deliverer run as a cron job would."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit

import pytest

MORNING = datetime(2024, 11, 20, 9, 0, tzinfo=UTC)
ADDRESS = "ada@example.org"
LINK = re.compile(r"https?://[^\s]+/alerts/(confirm|manage|unsubscribe)/[A-Za-z0-9_.\-]+")


@pytest.fixture
def settings(smtp_settings):
    return {
        **smtp_settings,
        "ALERTS_DIGEST_HOUR": 8,
        "ALERTS_RATELIMIT_PER_EMAIL": "1000 per hour",
        "ALERTS_RATELIMIT_PER_IP": "1000 per hour",
    }


@pytest.fixture
def clock(travel):
    travel(MORNING)
    return travel


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def links_in(message) -> dict[str, str]:
    return {found.group(1): found.group(0) for found in LINK.finditer(body(message))}


def path(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture
def ask(app, client, csrf):
    """ask(email, **filters): the alert form of /alerts/new?filters, posted; then the outbox
    delivered, as the worker would, in case the brief attempt at once timed out (a busy
    machine): tests read what the server received."""
    from portal.mail.delivery import deliver

    def post(email: str = ADDRESS, query: dict | None = None, **fields):
        form_path = "/alerts/new" + (f"?{urlencode(query)}" if query else "")
        token = csrf(form_path)
        data = {"csrf_token": token, "email": email, "consent": "y", **(query or {}), **fields}
        answer = client.post("/alerts", data={k: v for k, v in data.items() if v is not None})
        deliver(app, include_waiting=True)
        return answer

    return post


@pytest.fixture
def subscribed(ask, client, smtp_server):
    """subscribe(email, **query): asked, the confirmation received and followed; the mail of
    that confirmation is removed from what the server holds."""

    def subscribe(email: str = ADDRESS, **query):
        answer = ask(email, query)
        assert answer.status_code == 303
        confirmation = smtp_server.to(email)[-1]
        confirm = path(links_in(confirmation)["confirm"])
        page = client.get(confirm)
        assert page.status_code == 200 and "Yes, send me these alerts" in page.get_data(True)
        assert client.post(confirm).status_code == 200
        smtp_server.received.clear()
        return confirmation

    return subscribe


def send(runner, *extra: str) -> str:
    sent = runner.invoke(args=["alerts", "send"])
    assert sent.exit_code == 0, sent.output
    delivered = runner.invoke(args=["outbox", "deliver", *extra])
    assert delivered.exit_code == 0, delivered.output
    return sent.output
