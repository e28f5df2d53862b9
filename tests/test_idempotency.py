"""Submitting twice stores once: each form shown carries a key of its own, and the same form
posted again (a visitor whose first post was stored but who got an error, or who pressed twice)
answers the first one's thank-you page and stores nothing."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.inquiries.models import Inquiry
from portal.mail.models import OutboxMessage

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission" type="hidden" value="([^"]+)"')


def form_of(client, path: str = "/membership") -> dict[str, str]:
    page = client.get(path).get_data(as_text=True)
    return {
        "csrf_token": TOKEN.search(page).group(1),
        "submission": KEY.search(page).group(1),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organization": "Analytical Engines",
        "tier": "gold",
        "message": "We would like to join, please.",
        "consent": "y",
    }


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_each_form_shown_has_a_key_of_its_own(app, client, routed_gold):
    keys = {KEY.search(client.get("/membership").text).group(1) for _ in range(3)}
    keys |= {KEY.search(app.test_client().get("/membership").text).group(1) for _ in range(3)}
    assert len(keys) == 6  # through Flask and on the fast path alike
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", key) for key in keys)


def test_the_same_form_posted_twice_is_stored_once(client, routed_gold):
    fields = form_of(client)
    first = client.post("/membership", data=fields)
    reference = client.get("/membership/thanks").get_data(as_text=True)
    again = client.post("/membership", data=fields)  # the visitor sends it again
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert count(Inquiry) == 1
    assert count(OutboxMessage) == 2  # one notification, one acknowledgement: not four
    number = re.search(r"Q-\d{6}", reference).group(0)
    assert number in client.get("/membership/thanks").get_data(as_text=True)


def test_another_form_is_another_inquiry(client, routed_gold):
    client.post("/membership", data=form_of(client))
    client.post("/membership", data=form_of(client))
    assert count(Inquiry) == 2


def test_a_key_sent_with_another_address_stores_a_submission_of_its_own(client, routed_gold):
    fields = form_of(client)
    client.post("/membership", data=fields)
    other = {**fields, "email": "grace@example.org"}
    assert client.post("/membership", data=other).status_code == 303
    assert count(Inquiry) == 2
    assert (
        db.session.scalar(
            select(Inquiry.submission_key).where(Inquiry.email == "grace@example.org")
        )
        is None
    )


@pytest.mark.parametrize("key", ["x" * 65, "a b", "<script>", "key\r\nX: 1"])
def test_a_malformed_key_is_refused_with_the_form(client, routed_gold, key):
    response = client.post("/membership", data={**form_of(client), "submission": key})
    assert response.status_code == 422
    assert count(Inquiry) == 0


def test_the_same_form_posted_at_once_twice_is_stored_once(app, live_server, routed_gold):
    import http.cookiejar
    import urllib.parse
    import urllib.request

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{live_server}/membership").read().decode()
    fields = {
        "csrf_token": TOKEN.search(page).group(1), "submission": KEY.search(page).group(1),
        "name": "Ada", "email": "ada@example.org", "organization": "Engines",
        "tier": "gold", "message": "We would like to join, please.", "consent": "y",
    }  # fmt: skip
    data = urllib.parse.urlencode(fields).encode()
    statuses = []

    def post() -> None:
        statuses.append(opener.open(f"{live_server}/membership", data=data).status)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [200] * 4  # each followed its 303 to a thank-you page
    db.session.expire_all()
    assert count(Inquiry) == 1
