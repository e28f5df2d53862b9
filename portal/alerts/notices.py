"""The mail of alerts: the confirmation of a subscription, the reminder sent to an address
that asks again, and the alert (a digest of what is new or changed). Each quotes nothing the
visitor typed but the filters, as the portal states them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import ngettext

from portal.alerts import links
from portal.alerts.models import AlertSubscription, ChangeKind
from portal.core.urls import external_url
from portal.events.models import Event, LinkKind
from portal.events.words import label
from portal.mail.messages import Envelope, build_message, mailbox, parse_mailbox


def _sender():
    return parse_mailbox(current_app.config["MAIL_DEFAULT_SENDER"])


def _domain() -> str | None:
    base = current_app.config.get("BASE_URL")
    return urlsplit(base).hostname if base else None


def confirmation(subscription: AlertSubscription, followed: str) -> Envelope:
    body = render_template(
        "alerts/mail/confirm.txt",
        followed=followed,
        confirm_url=links.confirm_url(subscription),
    )
    return build_message(
        sender=_sender(),
        to=mailbox(None, subscription.email),
        subject=_("Confirm your event alerts: %(followed)s", followed=followed),
        body=body,
        domain=_domain(),
    )


def reminder(subscription: AlertSubscription, followed: str) -> Envelope:
    """To an address already confirmed that subscribes again: where to manage it."""
    body = render_template(
        "alerts/mail/reminder.txt", followed=followed, manage_url=links.manage_url(subscription)
    )
    return build_message(
        sender=_sender(),
        to=mailbox(None, subscription.email),
        subject=_("You already receive these event alerts: %(followed)s", followed=followed),
        body=body,
        domain=_domain(),
        unsubscribe=links.unsubscribe_url(subscription),
    )


@dataclass
class Item:
    """One event in an alert, with what happened to it."""

    event: Event
    kinds: set[ChangeKind]
    opened: set[str]

    @property
    def url(self) -> str:
        return external_url("events.detail", slug=self.event.slug)

    def opened_links(self) -> list[tuple[str, str | None]]:
        """(label, address) of each link that opened."""
        found = []
        for kind in sorted(self.opened):
            link = self.event.link(LinkKind(kind))
            found.append((label(LinkKind(kind)), link.url if link else None))
        return found

    @property
    def what(self) -> str:
        if ChangeKind.NEW in self.kinds:
            # Translators: an event in an alert mail that is new since the last one.
            return _("New")
        words = []
        if ChangeKind.STATUS in self.kinds:
            words.append(label(self.event.status))
        if ChangeKind.DATES in self.kinds:
            words.append(_("new dates"))
        if ChangeKind.PLACE in self.kinds:
            words.append(_("new place"))
        if self.opened:
            # Translators: `link` is a link's label, such as "Registration".
            opened = [_("%(link)s open", link=label) for label, _url in self.opened_links()]
            words.append(", ".join(opened))
        text = ", ".join(words)
        return text[:1].upper() + text[1:]


def alert(subscription: AlertSubscription, followed: str, items: list[Item]) -> Envelope:
    new = sum(1 for item in items if ChangeKind.NEW in item.kinds)
    if subscription.follows_event:
        # Translators: an alert mail's subject: the event, then what changed ("New dates").
        subject = _("%(title)s: %(what)s", title=items[0].event.title, what=items[0].what)
    elif new == len(items):
        subject = ngettext(
            "%(num)d new event: %(followed)s",
            "%(num)d new events: %(followed)s",
            new,
            followed=followed,
        )
    else:
        subject = _("Events news: %(followed)s", followed=followed)
    token = links.manage_token(subscription)  # signed once: the mail's two links share it
    unsubscribe = external_url("alerts.unsubscribe", token=token)
    body = render_template(
        "alerts/mail/alert.txt",
        subscription=subscription,
        followed=followed,
        items=items,
        manage_url=external_url("alerts.manage", token=token),
        unsubscribe_url=unsubscribe,
    )
    return build_message(
        sender=_sender(),
        to=mailbox(None, subscription.email),
        subject=subject,
        body=body,
        domain=_domain(),
        unsubscribe=unsubscribe,
    )
