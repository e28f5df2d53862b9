"""The mail an inquiry causes: a notification to each routed contact, with every field and
Reply-To set to the submitter, and an acknowledgement to the submitter; then staff's replies
(threaded to the acknowledgement) and the reminders and escalations of inquiries left new."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portal.accounts.models import StaffUser
from portal.core import i18n
from portal.core.urls import external_url
from portal.inquiries.models import Inquiry, InquiryKind, NudgeKind, StaffContact
from portal.mail.messages import Envelope, build_message, mailbox, parse_mailbox


def _sender():
    return parse_mailbox(current_app.config["MAIL_DEFAULT_SENDER"])


def _message_id_domain() -> str | None:
    """Message-IDs name the portal's own host when it is known, else the sender's domain."""
    base = current_app.config.get("BASE_URL")
    return urlsplit(base).hostname if base else None


def page_url(inquiry: Inquiry) -> str:
    """Where the inquiry was sent from: the tier on /membership, or the event's sponsor page."""
    if inquiry.kind is InquiryKind.MEMBERSHIP:
        anchor = f"#tier-{inquiry.tier.slug}" if inquiry.tier else ""
        return external_url("inquiries.membership") + anchor
    if inquiry.event is None:  # its event was deleted since
        return external_url("events.index")
    return external_url("inquiries.sponsor", slug=inquiry.event.slug)


def who_answers(contacts: list[StaffContact]) -> str:
    """The contacts' labels as a sentence names them, for the visitor: "A", "A and B",
    "A, B and C"."""
    labels = [contact.label for contact in contacts]
    if len(labels) == 1:
        return labels[0]
    # Translators: the people who answer an inquiry; `first` is a comma-separated list.
    return _("%(first)s and %(last)s", first=", ".join(labels[:-1]), last=labels[-1])


def back_office_url(inquiry: Inquiry) -> str | None:
    """The inquiry's page in the back office, for staff's mail: only from PORTAL_BASE_URL (a
    Host header is the client's to choose, and this link is followed by staff signed in)."""
    base = current_app.config.get("BASE_URL")
    if not base:
        return None
    # Built from the URL map alone: the outbox worker (reminders) runs outside any request,
    # where url_for would answer with SERVER_NAME's address, or not at all.
    root = current_app.config.get("APPLICATION_ROOT") or "/"
    adapter = current_app.url_map.bind("localhost", script_name=root)
    return base.rstrip("/") + adapter.build("staff_inquiries.detail", {"inquiry_id": inquiry.id})


def notification(inquiry: Inquiry, contact: StaffContact) -> Envelope:
    subject = f"[{inquiry.kind.label} inquiry] {inquiry.topic} — {inquiry.organization}"
    body = render_template(
        "inquiries/mail/notification.txt",
        inquiry=inquiry,
        contact=contact,
        url=page_url(inquiry),
        event_url=inquiry.event and external_url("events.detail", slug=inquiry.event.slug),
        staff_url=back_office_url(inquiry),
    )
    return build_message(
        sender=_sender(),
        to=mailbox(contact.name, contact.email),
        reply_to=[mailbox(inquiry.name, inquiry.email)],
        subject=subject,
        body=body,
        domain=_message_id_domain(),
    )


def acknowledgement(inquiry: Inquiry, contacts: list[StaffContact]) -> Envelope:
    """Quotes nothing the visitor typed: whoever enters someone else's address in the form
    cannot use this message to send them text of their own."""
    # The form's address only when it comes from configuration: taken from the request, the
    # Host header would let anyone put a link of their choosing in mail to any address.
    url = page_url(inquiry) if current_app.config.get("BASE_URL") else None
    body = render_template(
        "inquiries/mail/acknowledgement.txt", inquiry=inquiry, who=who_answers(contacts), url=url
    )
    return build_message(
        sender=_sender(),
        to=mailbox(None, inquiry.email),
        # Answering the acknowledgement reaches the people who will answer the inquiry.
        reply_to=[mailbox(contact.name, contact.email) for contact in contacts],
        subject=acknowledgement_subject(inquiry),
        body=body,
        domain=_message_id_domain(),
    )


def acknowledgement_subject(inquiry: Inquiry) -> str:
    """In the visitor's language when sent from the form (a reply's "Re:" quotes it as staff's
    screen builds it: in English)."""
    if inquiry.kind is InquiryKind.MEMBERSHIP:
        return _("We received your membership inquiry: %(topic)s", topic=inquiry.topic)
    return _("We received your sponsorship inquiry: %(topic)s", topic=inquiry.topic)


def reply(inquiry: Inquiry, body: str, author: StaffUser, thread: list[str]) -> Envelope:
    """A staff member's answer: from the portal's sender (whose domain may send mail), Reply-To
    the staff member (the answer reaches them), threaded to `thread` (the acknowledgement's
    Message-ID first, then earlier replies'). What staff typed is the body alone; the rest is
    in the language the visitor wrote in."""
    with force_locale(i18n.language_of(inquiry.language).locale):
        return _reply(inquiry, body, author, thread)


def _reply(inquiry: Inquiry, body: str, author: StaffUser, thread: list[str]) -> Envelope:
    return build_message(
        sender=_sender(),
        to=mailbox(inquiry.name, inquiry.email),
        reply_to=[mailbox(author.name, author.email)],
        subject=f"Re: {acknowledgement_subject(inquiry)}",
        body=render_template("inquiries/mail/reply.txt", inquiry=inquiry, body=body, author=author),
        domain=_message_id_domain(),
        in_reply_to=thread[0] if thread else None,
        references=thread or None,
        automatic=False,
    )


def nudge(inquiry: Inquiry, contact: StaffContact, kind: NudgeKind, hours: int) -> Envelope:
    """A reminder (to a routed contact) or an escalation (to the default contact) about an
    inquiry still new after `hours`."""
    word = "Reminder" if kind is NudgeKind.REMINDER else "Escalation"
    return build_message(
        sender=_sender(),
        to=mailbox(contact.name, contact.email),
        subject=f"[{word}] {inquiry.kind.label} inquiry {inquiry.number} waits: {inquiry.topic}",
        body=render_template(
            "inquiries/mail/nudge.txt",
            inquiry=inquiry,
            contact=contact,
            kind=kind,
            hours=hours,
            staff_url=back_office_url(inquiry),
        ),
        domain=_message_id_domain(),
    )
