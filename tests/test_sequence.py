"""SEQUENCE and LAST-MODIFIED of a stored event (the before_flush listener in
portal/events/models.py): calendar clients notice an edit only when they move. A change to a
field people's calendars show raises SEQUENCE by one; every edit moves `updated_at`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from portal.events import models
from portal.events.models import EventFormat, EventLink, EventStatus, LinkKind, LinkState
from portal.extensions import db

CREATED = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)
EDITED = datetime(2025, 1, 12, 15, 30, tzinfo=UTC)

# Written out here, not read from the code: the fields whose change calendars must notice,
# each with a valid new value for the event `stored_event` makes.
SIGNIFICANT = {
    "title": "Event renamed",
    "dates_to_be_confirmed": True,
    "dates_to_be_announced": True,
    "status": EventStatus.CANCELLED,
    "format": EventFormat.HYBRID,
    "starts_on": date(2025, 3, 5),
    "ends_on": date(2025, 3, 7),
    "start_time": time(10, 0),
    "end_time": time(18, 0),
    "timezone": "Europe/Berlin",
    "start_fold": True,  # the second pass of a repeated hour: another instant
    "end_fold": True,
    "venue": "Hall 7",
    "street": "1 Main Street",
    "city": "Shelbyville",
    "region": "Illinois",
    "country": "CA",
    "latitude": 52.52,
    "longitude": 13.405,
}

# Edits calendars need not be told about (LAST-MODIFIED still moves). The slug is that of a
# draft: a published event's address does not change.
INSIGNIFICANT = {
    "summary": "A new summary.",
    "description": "# Programme\n\nTalks and workshops.",
    "contact_email": "events@example.org",
    "colocated_name": "Project Teams Gathering",
    "colocated_url": "https://ptg.example.org",
    "slug": "a-new-address",
}


@pytest.fixture
def stored_event(make_event, travel):
    """A published, timed event stored at CREATED, with the clock then moved to EDITED."""

    def store(**overrides):
        travel(CREATED)
        event = make_event(
            **{
                "status": EventStatus.PUBLISHED,
                "starts_on": date(2025, 3, 6),
                "ends_on": date(2025, 3, 6),
                "start_time": time(9, 0),
                "end_time": time(17, 0),
                **overrides,
            }
        )
        assert (event.sequence, event.updated_at) == (0, naive(CREATED))
        travel(EDITED)
        return event

    return store


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@pytest.mark.parametrize(("field", "value"), SIGNIFICANT.items(), ids=list(SIGNIFICANT))
def test_a_change_calendars_must_notice_raises_sequence_by_one(stored_event, field, value):
    event = stored_event()
    assert getattr(event, field) != value
    setattr(event, field, value)
    db.session.commit()

    db.session.expire_all()
    assert getattr(event, field) == value
    assert event.sequence == 1
    assert event.updated_at == naive(EDITED)
    assert event.created_at == naive(CREATED)


@pytest.mark.parametrize(("field", "value"), INSIGNIFICANT.items(), ids=list(INSIGNIFICANT))
def test_any_other_edit_moves_last_modified_but_not_sequence(stored_event, field, value):
    event = stored_event(status=EventStatus.DRAFT)
    assert getattr(event, field) != value
    setattr(event, field, value)
    db.session.commit()

    db.session.expire_all()
    assert getattr(event, field) == value
    assert event.sequence == 0
    assert event.updated_at == naive(EDITED)


def test_the_code_raises_sequence_for_exactly_these_fields():
    assert len(set(models.SIGNIFICANT_FIELDS)) == len(models.SIGNIFICANT_FIELDS)
    assert set(models.SIGNIFICANT_FIELDS) == set(SIGNIFICANT)


def test_one_edit_of_several_significant_fields_raises_sequence_once(stored_event):
    event = stored_event()
    event.title, event.city, event.start_time = "Event renamed", "Shelbyville", time(8, 0)
    db.session.commit()
    assert event.sequence == 1


def test_every_edit_raises_sequence_again(stored_event, travel):
    event = stored_event()
    event.title = "Event renamed"
    db.session.commit()
    later = datetime(2025, 1, 13, 8, 0, tzinfo=UTC)
    travel(later)
    event.city = "Shelbyville"
    db.session.commit()
    assert event.sequence == 2
    assert event.updated_at == naive(later)


def test_setting_a_field_to_the_value_it_has_is_no_edit(stored_event):
    event = stored_event(title="Same title")
    event.title = "Same title"
    db.session.commit()
    assert event.sequence == 0
    assert event.updated_at == naive(CREATED)


def test_a_change_to_a_link_moves_last_modified_of_its_event(stored_event):
    event = stored_event(links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),))
    event.link(LinkKind.REGISTER).state = LinkState.SOLD_OUT
    db.session.commit()

    db.session.expire_all()
    assert event.link(LinkKind.REGISTER).state is LinkState.SOLD_OUT
    assert event.updated_at == naive(EDITED)
    assert event.sequence == 0  # links are not among the fields calendars show


def test_a_new_link_moves_last_modified_of_its_event(stored_event):
    event = stored_event()
    db.session.add(EventLink(event=event, kind=LinkKind.CFP, state=LinkState.OPEN, position=0))
    db.session.commit()

    db.session.expire_all()
    assert [link.kind for link in event.links] == [LinkKind.CFP]
    assert event.updated_at == naive(EDITED)


def test_a_removed_link_moves_last_modified_of_its_event(stored_event):
    event = stored_event(links=((LinkKind.SCHEDULE, LinkState.OPEN, "https://example.org/s"),))
    event.links.remove(event.link(LinkKind.SCHEDULE))
    db.session.commit()

    db.session.expire_all()
    assert event.links == []
    assert event.updated_at == naive(EDITED)
