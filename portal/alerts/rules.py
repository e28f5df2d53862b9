"""What a subscription follows, as one value: its canonical key, its words for people, and the
event query it stands for."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from flask_babel import gettext as _

from portal.core.countries import country_name
from portal.core.regions import region_name
from portal.events.models import EventFormat, LinkKind
from portal.events.queries import EventQuery
from portal.events.words import label

# Filters of /events that alerts follow; `from`, `to`, `past` and `page` are about a reading of
# the list, not about which new events are wanted.
FILTER_FIELDS = ("q", "project", "format", "country", "region")


@dataclass(frozen=True)
class Followed:
    """The filters of a subscription (all empty: every new event), or one event and the link
    it waits for."""

    q: str | None = None
    project: str | None = None
    format: str | None = None
    country: str | None = None
    region: str | None = None
    event_id: int | None = None
    link: str | None = None

    @property
    def key(self) -> str:
        """The same for the same filters whatever their order or case: one subscription per
        address and key."""
        if self.event_id is not None:
            return urlencode([("event", str(self.event_id)), ("link", self.link or "")])
        pairs = [(name, getattr(self, name)) for name in FILTER_FIELDS if getattr(self, name)]
        return urlencode([(name, str(value).lower()) for name, value in pairs]) or "all"

    def query(self) -> EventQuery:
        return EventQuery(
            q=self.q or "",
            project=self.project,
            format=EventFormat(self.format) if self.format else None,
            country=self.country,
            region=self.region,
        )

    @classmethod
    def of(cls, subscription) -> Followed:
        return cls(
            q=subscription.q,
            project=subscription.project,
            format=subscription.format,
            country=subscription.country,
            region=subscription.region,
            event_id=subscription.event_id,
            link=subscription.link,
        )


def describe(followed: Followed, project_name: str | None = None, event_title: str = "") -> str:
    """The filters as the portal states them: the only thing of the visitor's a mail quotes."""
    if followed.event_id is not None:
        if followed.link:
            link = label(LinkKind(followed.link))
            # Translators: what an alert follows: a link of one event ("Register of OpenInfra …").
            return _("%(link)s of %(title)s", link=link, title=event_title).strip()
        return event_title.strip()
    if followed.format:
        parts = [_("%(format)s events", format=label(EventFormat(followed.format)))]
    else:
        parts = [_("Events")]
    if followed.project:
        parts.append(_("of %(project)s", project=project_name or followed.project))
    if followed.country:
        parts.append(_("in %(place)s", place=country_name(followed.country)))
    if followed.region:
        parts.append(_("in %(place)s", place=region_name(followed.region)))
    if followed.q:
        parts.append(_('matching "%(words)s"', words=followed.q))
    return " ".join(parts) if len(parts) > 1 or followed.format else _("All events")
