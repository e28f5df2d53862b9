"""Email alerts, end to end over HTTP and a real SMTP server (aiosmtpd): subscribe, confirm,
one alert a day through the outbox, one-click leaving, signed links, hostile input."""

# ruff: noqa: F403, F405
from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_support import *  # the fixtures and helpers of alert tests
from sqlalchemy import func, select

from portal.alerts.models import AlertSubscription
from portal.events.models import EventFormat, EventStatus, LinkKind, LinkState
from portal.extensions import db
from portal.mail.models import OutboxMessage


def test_form_posts_with_its_filters_and_answers_303_to_the_confirmation_page(
    app, ask, client, smtp_server, clock
):
    page = client.get("/alerts/new?format=virtual&country=ke&from=2025-01-01")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="virtual" selected' in text or 'selected value="virtual"' in text
    assert "left out" in text  # `from` is not followed, and the form says so

    answer = ask(query={"format": "virtual", "country": "KE"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/alerts/sent")
    assert "Check your mail" in client.get("/alerts/sent").get_data(as_text=True)

    [confirmation] = smtp_server.to(ADDRESS)
    assert "Virtual events in Kenya" in confirmation["Subject"]
    assert "confirm" in links_in(confirmation)
    assert confirmation["List-Unsubscribe"] is None  # nothing to leave yet


def test_confirmed_alert_names_only_the_matching_event_with_unsubscribe_headers(
    app, subscribed, make_event, runner, smtp_server, clock
):
    subscribed(format="virtual")
    make_event(title="Zuul Virtual Meetup", format=EventFormat.VIRTUAL)
    make_event(title="Berlin Day", format=EventFormat.IN_PERSON)
    send(runner)

    [alert] = smtp_server.to(ADDRESS)
    text = body(alert)
    assert "Zuul Virtual Meetup" in text and "Berlin Day" not in text
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = alert["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    assert "/alerts/unsubscribe/" in unsubscribe
    for url in [unsubscribe, *links_in(alert).values()]:
        assert "ada" not in url and "example.org" not in url  # no address in clear
    assert set(links_in(alert)) == {"manage", "unsubscribe"}


def test_an_alert_follows_a_region_from_the_list_to_the_mail(
    app, ask, client, subscribed, make_event, runner, smtp_server, clock
):
    """`/events?region=north-america` → "Email me new events like these" → an alert that names
    Pasadena and not Berlin, and says "in North America"."""
    listed = client.get("/events?region=north-america").get_data(as_text=True)
    assert "/alerts/new?region=north-america" in listed
    form = client.get("/alerts/new?region=north-america").get_data(as_text=True)
    assert 'value="north-america" selected' in form or 'selected value="north-america"' in form
    assert "left out" not in form  # the region is followed: nothing to say

    confirmation = subscribed(region="north-america")
    assert "Events in North America" in confirmation["Subject"]
    make_event(title="Day Pasadena", city="Pasadena", country="US")
    make_event(title="Day Berlin", city="Berlin", country="DE")
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    assert "Day Pasadena" in body(alert) and "Day Berlin" not in body(alert)
    [held] = db.session.scalars(select(AlertSubscription)).all()
    assert held.region == "north-america" and held.filter_key == "region=north-america"


def test_nothing_but_the_confirmation_goes_out_before_it_is_followed(
    app, ask, make_event, runner, smtp_server, clock
):
    assert ask(query={"format": "virtual"}).status_code == 303
    make_event(format=EventFormat.VIRTUAL)
    send(runner)
    [only] = smtp_server.to(ADDRESS)
    assert "Confirm" in only["Subject"]


def test_asking_again_within_the_hour_sends_nothing_more_and_answers_the_same(
    app, ask, smtp_server, clock
):
    first, second = ask(query={"project": ""}), ask(query={"project": ""})
    assert (first.status_code, first.headers["Location"]) == (
        second.status_code,
        second.headers["Location"],
    )
    assert len(smtp_server.to(ADDRESS)) == 1
    clock(MORNING + timedelta(hours=1, minutes=1))
    ask()
    assert len(smtp_server.to(ADDRESS)) == 2
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 1


def test_an_unconfirmed_subscription_is_forgotten_after_a_week_and_its_link_with_it(
    app, ask, client, runner, smtp_server, clock
):
    ask()
    confirm = path(links_in(smtp_server.to(ADDRESS)[0])["confirm"])
    clock(MORNING + timedelta(days=7, hours=1))
    send(runner)
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0
    assert client.post(confirm).status_code == 404


def test_at_most_one_alert_a_day_and_the_rest_the_next_day(
    app, subscribed, make_event, runner, smtp_server, clock
):
    subscribed()
    make_event(title="First Of The Day")
    send(runner)
    clock(MORNING + timedelta(hours=3))
    make_event(title="Second Of The Day")
    send(runner)
    assert [m["Subject"] for m in smtp_server.to(ADDRESS)] == ["1 new event: All events"]

    clock(MORNING + timedelta(days=1, hours=-2))  # 07:00, before the digest hour
    send(runner)
    assert len(smtp_server.to(ADDRESS)) == 1
    clock(MORNING + timedelta(days=1))
    send(runner)
    later = smtp_server.to(ADDRESS)
    assert len(later) == 2
    assert "Second Of The Day" in body(later[1]) and "First Of The Day" not in body(later[1])
    send(runner)
    assert len(smtp_server.to(ADDRESS)) == 2  # running again queues nothing


def test_one_click_post_ends_the_subscription_and_nothing_more_arrives(
    app, subscribed, make_event, runner, smtp_server, client, clock
):
    subscribed()
    make_event()
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    target = path(alert["List-Unsubscribe"].strip("<>"))
    # As a mail client does it (RFC 8058): no cookie, no CSRF token, just this body.
    answer = app.test_client().post(target, data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    clock(MORNING + timedelta(days=1))
    make_event()
    smtp_server.received.clear()
    send(runner)
    assert smtp_server.to(ADDRESS) == []
    assert client.post(target).status_code == 404  # gone: the link is no longer valid


def test_the_body_link_shows_a_page_with_the_same_button(
    app, subscribed, make_event, runner, smtp_server, client, clock
):
    subscribed(country="DE")
    make_event(country="DE")
    send(runner)
    unsubscribe = path(links_in(smtp_server.to(ADDRESS)[0])["unsubscribe"])
    page = client.get(unsubscribe)
    assert page.status_code == 200 and "Stop these alerts" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 1
    assert client.post(unsubscribe).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0


def test_manage_page_changes_the_filters(
    app, subscribed, make_event, runner, smtp_server, client, csrf, clock
):
    subscribed(format="virtual")
    make_event(format=EventFormat.VIRTUAL)
    send(runner)
    manage = path(links_in(smtp_server.to(ADDRESS)[0])["manage"])
    page = client.get(manage)
    assert page.status_code == 200 and "Virtual events" in page.get_data(as_text=True)
    token = csrf(manage)
    assert client.post(manage, data={"format": "hybrid"}).status_code == 400  # no token
    changed = client.post(manage, data={"csrf_token": token, "format": "hybrid"})
    assert changed.status_code == 200 and "Hybrid events" in changed.get_data(as_text=True)
    refused = client.post(manage, data={"csrf_token": token, "project": "no-such"})
    assert refused.status_code == 422


@pytest.mark.parametrize("which", ["confirm", "manage", "unsubscribe"])
def test_a_tampered_link_is_refused(
    app, ask, subscribed, client, smtp_server, runner, make_event, clock, which
):
    if which == "confirm":
        ask()
        url = path(links_in(smtp_server.to(ADDRESS)[0])["confirm"])
    else:
        subscribed()
        make_event()
        send(runner)
        url = path(links_in(smtp_server.to(ADDRESS)[0])[which])
    head, _, token = url.rpartition("/")
    payload, _, signature = token.rpartition(".")
    forged = [
        f"{head}/{token[:-2]}{'AA' if token[-2:] != 'AA' else 'BB'}",
        f"{head}/WzEsIngiXQ.{signature}",  # another payload, the same signature
        f"{head}/{payload}",
        f"{head}/%0d%0aX",
    ]
    for bad in forged:
        assert client.get(bad).status_code == 404, bad
        assert "not valid" in client.get(bad).get_data(as_text=True)
        # The manage form wants its CSRF token first (400); the other two take no token.
        assert client.post(bad).status_code == (400 if which == "manage" else 404), bad
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 1


def test_a_manage_link_does_not_confirm_and_a_confirm_link_does_not_manage(
    app, ask, client, smtp_server, clock
):
    ask()
    confirm = path(links_in(smtp_server.to(ADDRESS)[0])["confirm"])
    token = confirm.rpartition("/")[2]
    assert client.post(f"/alerts/unsubscribe/{token}").status_code == 404
    assert client.get(f"/alerts/manage/{token}").status_code == 404


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"email": "ada@example.org\r\nBcc: eve@example.org"}, "email"),
        ({"email": "not an address"}, "email"),
        ({"consent": None}, "agree"),
        ({"consent": "0"}, "agree"),
        ({"project": "no-such-project"}, "no such project"),
        ({"project": "../etc"}, "no such project"),
        ({"format": "telepathic"}, "Not a valid choice"),
        ({"country": "XX"}, "ISO 3166"),
        ({"country": "D\r\nE"}, "ISO 3166"),
        ({"region": "atlantis"}, "not a region"),
        ({"region": "europe\r\nBcc: eve@example.org"}, "not a region"),
        ({"q": "zuul\r\nBcc: eve@example.org"}, "line breaks"),
        ({"q": "x" * 201}, "200"),
        ({"event": "no-such-event"}, "no such event"),
        ({"link": "register"}, "belongs to an event"),
    ],
)
def test_hostile_input_gets_the_form_again_with_its_error(
    app, ask, smtp_server, clock, fields, error
):
    answer = ask(**fields)
    assert answer.status_code == 422
    assert error.lower() in answer.get_data(as_text=True).lower()
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0
    assert smtp_server.received == []


def test_a_post_without_csrf_token_answers_400(app, client, clock):
    answer = client.post("/alerts", data={"email": ADDRESS, "consent": "y"})
    assert answer.status_code == 400


def test_a_filled_honeypot_answers_like_a_success_and_stores_nothing(app, ask, smtp_server, clock):
    answer = ask(website="http://spam.example")
    assert answer.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0
    assert smtp_server.received == []


def test_unknown_event_or_link_on_the_form_is_404(app, client, make_event, clock):
    make_event(slug="real")
    assert client.get("/alerts/new?event=nope").status_code == 404
    assert client.get("/alerts/new?event=real&link=teleport").status_code == 404
    assert client.get("/alerts/new?event=real&link=register").status_code == 200


def test_the_address_rate_limit_answers_429(app, ask, clock):
    app.config["ALERTS_RATELIMIT_PER_EMAIL"] = "2 per hour"
    assert [ask().status_code for _ in range(3)] == [303, 303, 429]
    assert ask("other@example.org").status_code == 303


def test_a_mail_outage_delays_alerts_without_losing_or_doubling_them(
    app, subscribed, make_event, runner, smtp_server, clock
):
    subscribed()
    make_event(title="Through The Outage")
    smtp_server.answer = "451 4.3.0 try again later"
    send(runner)
    send(runner)
    assert smtp_server.received == []
    smtp_server.answer = None
    clock(MORNING + timedelta(hours=1))
    send(runner, "--all")
    send(runner, "--all")
    [alert] = smtp_server.to(ADDRESS)
    assert "Through The Outage" in body(alert)


def test_a_change_made_outside_the_back_office_counts(
    app, subscribed, make_event, runner, smtp_server, clock
):
    """Snapshots, not signals: an event changed by a plain write is found as well."""
    event = make_event(title="Quiet Change", country="DE")
    subscribed(country="DE")
    event.status = EventStatus.POSTPONED
    db.session.commit()
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    assert "Quiet Change: Postponed" in body(alert)


def test_disabled_alerts_hide_the_links_and_answer_404_but_leaving_still_works(
    app, subscribed, client, make_event, runner, smtp_server, clock
):
    make_event(slug="soon", links=((LinkKind.REGISTER, LinkState.COMING_SOON, None),))
    subscribed()
    make_event()
    send(runner)
    unsubscribe = path(links_in(smtp_server.to(ADDRESS)[0])["unsubscribe"])
    app.config["ALERTS_ENABLED"] = False
    assert client.post(unsubscribe).status_code == 200
    assert client.get("/alerts/new").status_code == 404
    assert "Email me new events" not in client.get("/events").get_data(as_text=True)
    assert "Tell me when it opens" not in client.get("/events/soon").get_data(as_text=True)
