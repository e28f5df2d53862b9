"""Share cards as social sites fetch them: a 1200×630 PNG named by the event page's og:image
and twitter:image, with a strong ETag, drawn again only when the event changed."""

from __future__ import annotations

import io
import re
from datetime import date

from PIL import Image

from portal.events.models import EventStatus
from portal.extensions import db
from portal.publish import cards

CANCELLED_RED = cards.STATE_COLOURS[EventStatus.CANCELLED]


def fetch(client, slug: str, **headers):
    return client.get(f"/events/{slug}/card.png", headers=headers)


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_the_page_names_its_card_and_the_card_is_a_1200x630_png(client, make_event, frozen_now):
    make_event(
        slug="kata-day",
        title="Kata Containers Day",
        city="München",
        country="DE",
        timezone="Europe/Berlin",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
    )
    page = client.get("/events/kata-day").get_data(as_text=True)
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    (image_url,) = re.findall(r'<meta property="og:image" content="([^"]+)">', page)
    assert image_url.startswith("http://portal.test/events/kata-day/card.png?v=")
    assert f'<meta name="twitter:image" content="{image_url}">' in page
    assert '<meta property="og:image:width" content="1200">' in page
    response = client.get(image_url.removeprefix("http://portal.test"))
    assert response.status_code == 200 and response.mimetype == "image/png"
    image = decoded(response.data)
    assert (image.format, image.size) == ("PNG", (1200, 630))


def test_a_new_title_makes_a_new_card_and_etag(client, make_event, frozen_now):
    event = make_event(slug="renamed", title="The first title")
    first = fetch(client, "renamed")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert fetch(client, "renamed", **{"If-None-Match": etag}).status_code == 304
    event.title = "A wholly different title"
    db.session.commit()
    second = fetch(client, "renamed", **{"If-None-Match": etag})
    assert second.status_code == 200
    assert second.headers["ETag"] != etag
    assert decoded(second.data).tobytes() != decoded(first.data).tobytes()
    assert decoded(second.data).size == (1200, 630)


def test_a_card_is_drawn_once_per_change(client, make_event, frozen_now, monkeypatch):
    drawn = []
    draw = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda *a: drawn.append(a) or draw(*a))
    event = make_event(slug="once", title="Drawn once")
    bodies = {fetch(client, "once").data for _ in range(3)}
    assert len(bodies) == 1 and len(drawn) == 1
    event.summary = "Another summary: a change of the event, but not of its card"
    db.session.commit()
    assert fetch(client, "once").data in bodies and len(drawn) == 1
    event.title = "Drawn twice"
    db.session.commit()
    assert fetch(client, "once").data not in bodies and len(drawn) == 2
    fetch(client, "once")
    assert len(drawn) == 2


def test_a_cancelled_events_card_says_so(client, make_event, frozen_now):
    event = make_event(slug="off", title="Called off")
    published = decoded(fetch(client, "off").data)
    assert CANCELLED_RED not in {colour for _, colour in published.getcolors(1 << 20)}
    event.status = EventStatus.CANCELLED
    db.session.commit()
    cancelled = decoded(fetch(client, "off").data)
    assert CANCELLED_RED in {colour for _, colour in cancelled.getcolors(1 << 20)}
    text = cards.CardText.of(event, "Site")
    assert text.state == "Cancelled"


def test_no_card_for_a_draft_or_an_unknown_event(client, make_event):
    make_event(slug="draft", status=EventStatus.DRAFT)
    assert fetch(client, "draft").status_code == 404
    assert fetch(client, "nothing").status_code == 404
