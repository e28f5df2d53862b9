"""Issue 24, times in the visitor's zone, without a browser: each instant a page shows is a
`<time datetime>` with the offset of the event's zone at that instant (across a change of
daylight saving time too), all-day dates stay dates, the text is the same as before, and the
script that reads them is served under its digest, kept for good and allowed by the CSP."""

import hashlib
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from portal.events import display
from portal.events.models import LinkKind, LinkState
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20
LA = ZoneInfo("America/Los_Angeles")
SCRIPT = re.compile(r'<script src="(/assets/localtime\.([0-9a-f]{16})\.js)" defer></script>')


def strip_tags(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def test_an_instant_carries_the_offset_its_zone_has_then():
    assert display.instant_attribute(datetime(2025, 3, 6, 9, tzinfo=LA)) == (
        "2025-03-06T09:00:00-08:00"
    )
    # The clocks went forward on March 9 2025 in Los Angeles.
    assert display.instant_attribute(datetime(2025, 3, 10, 9, tzinfo=LA)) == (
        "2025-03-10T09:00:00-07:00"
    )
    tokyo = datetime(2025, 3, 7, 2, 0, 0, 123456, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert display.instant_attribute(tokyo) == "2025-03-07T02:00:00+09:00"


def test_a_timed_event_is_dated_by_its_first_instant_an_all_day_one_by_its_first_day(
    make_event,
):
    timed = make_event(start_time=time(9), end_time=time(17), timezone="America/Los_Angeles")
    all_day = make_event(timezone="America/Los_Angeles")
    assert display.when_attribute(timed) == "2025-03-06T09:00:00-08:00"
    assert display.when_attribute(all_day) == "2025-03-06"


def test_times_across_the_change_to_summer_time_each_carry_their_own_offset(client, make_event):
    make_event(
        slug="over-the-change",
        starts_on=date(2025, 3, 8),
        ends_on=date(2025, 3, 10),
        start_time=time(9),
        end_time=time(17),
        timezone="America/Los_Angeles",
    )
    html = client.get("/events/over-the-change").get_data(as_text=True)
    times = re.search(r'<span class="muted event-times">(.*?)</span>', html)[1]
    assert times == (
        '<time datetime="2025-03-08T09:00:00-08:00">9:00\u202fAM</time> PST – '
        '<time datetime="2025-03-10T17:00:00-07:00">5:00\u202fPM</time> PDT '
        "(America/Los_Angeles)"
    )
    listed = client.get("/").get_data(as_text=True)  # the home page says what is open
    assert '<time datetime="2025-03-08T09:00:00-08:00">' in listed


def test_the_pages_read_as_before_without_script(app, client, make_event):
    event = make_event(
        slug="pasadena", start_time=time(9), end_time=time(17), timezone="America/Los_Angeles"
    )
    html = client.get("/events/pasadena").get_data(as_text=True)
    times = re.search(r'<span class="muted event-times">(.*?)</span>', html)[1]
    with app.app_context():
        assert strip_tags(times) == display.event_times(event)
    # The script's words are in the page (for it to use), never in what the page says.
    assert "your time" not in re.sub(r"<[^>]*>", "", html)


def test_an_all_day_event_page_has_no_instant(client, make_event):
    make_event(slug="all-day", timezone="America/Los_Angeles")
    html = client.get("/events/all-day").get_data(as_text=True)
    assert '<time datetime="2025-03-06">' in html
    assert not re.search(r'<time datetime="[^"]*T', html)
    assert '<span class="muted event-times">All day</span>' in html


def test_the_script_is_named_by_its_digest_kept_for_good_and_allowed_by_the_csp(
    app, client, make_event
):
    make_event(slug="pasadena", start_time=time(9), end_time=time(17))
    for path in ("/", "/events", "/events/pasadena", "/events/month"):
        page = client.get(path)
        found = SCRIPT.search(page.get_data(as_text=True))
        assert found, path
        url, digest = found.groups()
        policy = dict(
            part.strip().split(" ", 1)
            for part in page.headers["Content-Security-Policy"].split(";")
        )
        # Same-origin scripts only, none inline, no eval: the script's address is the site's own.
        allowed = policy.get("script-src", policy["default-src"])
        assert allowed == "'self'"
        inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page.get_data(as_text=True))
        assert all('type="application/ld+json"' in attrs for attrs in inline)

    script = client.get(url)
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert hashlib.sha256(script.data).hexdigest()[:16] == digest
    control = script.headers["Cache-Control"]
    assert "public" in control and "immutable" in control
    assert int(re.search(r"max-age=(\d+)", control)[1]) >= 365 * 24 * 3600
    assert "eval(" not in script.get_data(as_text=True)
    # Revalidation by its digest answers 304.
    again = client.get(url, headers={"If-None-Match": script.headers["ETag"]})
    assert again.status_code == 304


def test_a_name_of_other_bytes_is_sent_on_to_the_current_one_and_kept_by_no_one(client):
    current = SCRIPT.search(client.get("/events").get_data(as_text=True))[1]
    old = client.get("/assets/localtime.0123456789abcdef.js")
    assert old.status_code == 302
    assert old.headers["Location"].endswith(current)
    assert "no-cache" in old.headers["Cache-Control"]
    for name in ("localtime.js", "missing.0123456789abcdef.js", "..%2Fapp.0123456789abcdef.py"):
        assert client.get(f"/assets/{name}").status_code == 404


def test_a_deadline_is_an_instant_and_an_open_until_day_a_date(client, make_event):
    """Link deadlines are instants too: "closes Mar 1 at <time …>11:59 PM PST</time>" on the
    event page, "open until <time datetime="2025-03-01">Mar 1</time>" on the lists."""
    event = make_event(
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        timezone="America/Los_Angeles",
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),),
    )
    event.link(LinkKind.REGISTER).deadline = datetime(2025, 3, 2, 7, 59)  # 23:59 PST, in UTC
    db.session.commit()
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert (
        'Register (closes Mar 1 at <time datetime="2025-03-01T23:59:00-08:00">'
        "11:59\u202fPM PST</time>)"
    ) in page
    listed = client.get("/").get_data(as_text=True)  # the home page says what is open
    assert 'Registration open until <time datetime="2025-03-01">Mar 1</time>' in listed


def test_a_deadline_is_one_time_element_and_nothing_else_is_markup(app, make_event):
    """The message is HTML only for its <time>: the words around it are escaped text."""
    event = make_event(
        timezone="America/Los_Angeles",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),),
    )
    link = event.link(LinkKind.REGISTER)
    link.deadline = datetime(2025, 3, 2, 7, 59)
    with app.test_request_context("/"):
        text = display.link_text(link, datetime(2024, 11, 20, tzinfo=UTC))
    assert str(text).count("<") == 2 and "<time " in str(text)
