"""Following one event ("Tell me when it opens"), the links on cached public pages, the staff
counts, privacy erasure, and the outbox worker running the alerts by itself."""

# ruff: noqa: F403, F405
from __future__ import annotations

import json
from datetime import date, timedelta

from alerts_support import *  # the fixtures and helpers of alert tests
from sqlalchemy import func, select

from portal.alerts.models import AlertSubscription
from portal.events.models import EventStatus, LinkKind, LinkState
from portal.extensions import db
from portal.mail.cli import PeriodicJobs, _one_round
from portal.mail.models import OutboxMessage

SOON = ((LinkKind.REGISTER, LinkState.COMING_SOON, None),)


def staff_form(token: str, **overrides) -> dict:
    """The back office's event form for the event `soon` below, as an editor posts it."""
    data = {
        "csrf_token": token,
        "title": "Zuul Day",
        "slug": "soon",
        "kind": "openinfra_days",
        "format": "in_person",
        "summary": "",
        "description": "",
        "starts_on": "2025-03-06",
        "ends_on": "2025-03-06",
        "start_time": "",
        "end_time": "",
        "timezone": "UTC",
        "venue": "",
        "city": "Springfield",
        "country": "US",
        "register-state": "coming_soon",
        "register-url": "",
        "register-deadline": "",
        "sponsor-state": "",
        "schedule-state": "",
        "cfp-state": "",
    }
    data.update(overrides)
    return data


def test_follow_registration_coming_soon_then_one_mail_when_staff_open_it(
    app, subscribed, make_event, runner, smtp_server, client, csrf, make_staff, login, clock
):
    event = make_event(slug="soon", title="Zuul Day", links=SOON)
    page = client.get("/events/soon").get_data(as_text=True)
    assert "Tell me when it opens" in page
    assert "/alerts/new?event=soon&amp;link=register" in page
    form = client.get("/alerts/new?event=soon&link=register").get_data(as_text=True)
    assert "Tell me about Zuul Day" in form

    subscribed(event="soon", link="register")
    make_event(title="Unrelated")  # a new event is no news to who follows one event
    send(runner)
    assert smtp_server.to(ADDRESS) == []

    login(make_staff("editor"))
    token = csrf(f"/staff/events/{event.id}/edit")
    opened = staff_form(
        token, **{"register-state": "open", "register-url": "https://example.org/register"}
    )
    assert client.post(f"/staff/events/{event.id}/edit", data=opened).status_code == 303
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    assert alert["Subject"] == "Zuul Day: Register open"
    assert "https://example.org/register" in body(alert)
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    send(runner)  # nothing more: it was told once
    assert len(smtp_server.to(ADDRESS)) == 1


def test_dates_to_be_confirmed_offers_a_follow_that_hears_of_the_confirmation(
    app, subscribed, make_event, runner, smtp_server, client, clock
):
    event = make_event(slug="tbc", title="Maybe Day", dates_to_be_confirmed=True)
    page = client.get("/events/tbc").get_data(as_text=True)
    assert "Tell me when the dates are confirmed" in page
    subscribed(event="tbc")
    event.dates_to_be_confirmed = False
    event.starts_on = event.ends_on = date(2025, 4, 2)
    db.session.commit()
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    assert alert["Subject"] == "Maybe Day: New dates"


def test_a_followed_event_that_is_cancelled_tells_once_and_the_alert_ends_after_it(
    app, subscribed, make_event, runner, smtp_server, clock
):
    day = date(2024, 11, 21)
    event = make_event(slug="soon", title="Zuul Day", links=SOON, starts_on=day, ends_on=day)
    subscribed(event="soon", link="register")
    event.status = EventStatus.CANCELLED
    db.session.commit()
    send(runner)
    [alert] = smtp_server.to(ADDRESS)
    assert "Cancelled" in alert["Subject"]
    clock(MORNING + timedelta(days=2))
    send(runner)
    assert db.session.scalar(select(func.count()).select_from(AlertSubscription)) == 0


def test_list_and_event_pages_carry_the_same_links_for_every_visitor(
    app, make_event, make_project, clock
):
    make_project("zuul")
    make_event(slug="soon", links=SOON, projects=("zuul",))
    first, second = app.test_client(), app.test_client()
    for url in ("/events?project=zuul&format=in_person", "/events/soon", "/events/month"):
        one, two = first.get(url), second.get(url)
        assert one.status_code == two.status_code == 200
        assert one.data == two.data, url  # one cached page for all: nothing of a visitor
    listing = first.get("/events?project=zuul&format=in_person").get_data(as_text=True)
    assert "/alerts/new?project=zuul&amp;format=in_person" in listing
    assert "Email me new events like these" in first.get("/events/month").get_data(True)


def test_staff_see_counts_per_filter_and_only_admins_see_addresses(
    app, subscribed, ask, client, make_staff, login, clock
):
    subscribed("one@example.org", format="virtual")
    subscribed("two@example.org", format="virtual")
    ask("three@example.org", {"format": "virtual"})  # not confirmed
    login(make_staff("editor"))
    page = client.get("/staff/alerts/").get_data(as_text=True)
    assert "Virtual events" in page
    assert "<td>2</td>" in page and "<td>1</td>" in page
    assert "one@example.org" not in page and "Addresses are shown to admins only" in page

    admin_client = app.test_client()
    login(make_staff("admin"), client=admin_client)
    page = admin_client.get("/staff/alerts/").get_data(as_text=True)
    assert "one@example.org, two@example.org" in page
    assert "three@example.org" not in page


def test_privacy_export_lists_the_subscriptions_and_erase_removes_them_with_their_mail(
    app, subscribed, make_event, runner, smtp_server, clock
):
    subscribed("Ada@example.org", format="virtual")
    subscribed("other@example.org")
    make_event()
    send(runner)
    exported = runner.invoke(args=["privacy", "export", "ADA@example.org"])
    assert exported.exit_code == 0, exported.output
    [held] = json.loads(exported.stdout)["alert_subscriptions"]
    assert held["email"] == "Ada@example.org" and held["follows"] == "Virtual events"
    assert held["consented_at"] and held["confirmed_at"]
    erased = runner.invoke(args=["privacy", "erase", "ada@EXAMPLE.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert "1 alert subscription(s)" in erased.output
    left = db.session.scalars(select(AlertSubscription.email)).all()
    assert left == ["other@example.org"]
    recipients = db.session.scalars(select(OutboxMessage.recipient)).all()
    assert "Ada@example.org" not in recipients and "other@example.org" in recipients


def test_the_outbox_worker_runs_the_alerts_and_sends_them_in_the_same_round(
    app, subscribed, make_event, smtp_server, clock
):
    subscribed()
    make_event(title="Found By The Worker")
    periodic = PeriodicJobs(timedelta(minutes=5))
    _one_round(app, False, None, periodic)
    [alert] = smtp_server.to(ADDRESS)
    assert "Found By The Worker" in body(alert)
    make_event(title="The Next Day")
    _one_round(app, False, None, periodic)  # not due again for five minutes
    clock(MORNING + timedelta(days=1))
    _one_round(app, False, None, periodic)
    assert len(smtp_server.to(ADDRESS)) == 2


def test_an_import_counts_as_a_publication(app, subscribed, runner, smtp_server, tmp_path, clock):
    subscribed(country="KE")
    calendar = tmp_path / "nairobi.ics"
    calendar.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:nairobi-1@example.org\r\nDTSTAMP:20241101T000000Z\r\nDTSTART;VALUE=DATE:20250310\r\n"
        "DTEND;VALUE=DATE:20250311\r\nSUMMARY:OpenInfra Day Nairobi\r\n"
        "LOCATION:Nairobi, Kenya\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    imported = runner.invoke(args=["events", "import", str(calendar), "--apply", "--publish"])
    assert imported.exit_code == 0, imported.output
    send(runner)
    alerts = smtp_server.to(ADDRESS)
    assert len(alerts) == 1 and "OpenInfra Day Nairobi" in body(alerts[0])
