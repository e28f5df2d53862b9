"""The mail an inquiry causes: a notification to each routed contact, with every field and
Reply-To set to the submitter, and an acknowledgement to the submitter."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, render_template

from portal.core.urls import external_url
from portal.inquiries.models import Inquiry, InquiryKind, StaffContact
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
    return external_url("inquiries.sponsor", slug=inquiry.event.slug)


def who_answers(contacts: list[StaffContact]) -> str:
    labels = [contact.label for contact in contacts]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def notification(inquiry: Inquiry, contact: StaffContact) -> Envelope:
    subject = f"[{inquiry.kind.label} inquiry] {inquiry.topic} — {inquiry.organization}"
    body = render_template(
        "inquiries/mail/notification.txt",
        inquiry=inquiry,
        contact=contact,
        url=page_url(inquiry),
        event_url=inquiry.event and external_url("events.detail", slug=inquiry.event.slug),
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
        subject=f"We received your {inquiry.kind.value} inquiry: {inquiry.topic}",
        body=body,
        domain=_message_id_domain(),
    )
