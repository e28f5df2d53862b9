"""The names of the catalogue's kinds, formats, states and links as visitors read them, in the
page's language (the back office keeps the enums' own English labels)."""

from __future__ import annotations

from enum import Enum

from flask_babel import lazy_gettext as _l

from portal.events.models import EventFormat, EventKind, EventStatus, LinkKind

WORDS = {
    EventKind.SUMMIT: _l("Summit"),
    EventKind.OPENINFRA_DAYS: _l("OpenInfra Days"),
    EventKind.PTG: _l("PTG"),
    EventKind.MEETUP: _l("Meetup"),
    EventKind.COMMUNITY_EVENT: _l("Community event"),
    EventFormat.IN_PERSON: _l("In person"),
    EventFormat.VIRTUAL: _l("Virtual"),
    EventFormat.HYBRID: _l("Hybrid"),
    EventStatus.DRAFT: _l("Draft"),
    EventStatus.PUBLISHED: _l("Published"),
    EventStatus.CANCELLED: _l("Cancelled"),
    EventStatus.POSTPONED: _l("Postponed"),
    LinkKind.REGISTER: _l("Register"),
    LinkKind.SPONSOR: _l("Sponsor"),
    LinkKind.SCHEDULE: _l("Schedule"),
    LinkKind.CFP: _l("Call for papers"),
}


def label(member: Enum) -> str:
    """'In person' ('対面' in Japanese): the public name of a kind, format,
    status or link; the enum's own label for anything else."""
    word = WORDS.get(member)  # type: ignore[call-overload]
    return str(word) if word is not None else str(getattr(member, "label", member))
