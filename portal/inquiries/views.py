"""/membership and /events/<slug>/sponsor: what is on offer, the inquiry forms, thank-you pages."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from portal.core import metrics
from portal.core.pages import cached_page
from portal.core.saving import attempt
from portal.events import queries as event_queries
from portal.inquiries import operations, routing
from portal.inquiries.forms import (
    InquiryForm,
    MembershipInquiryForm,
    SponsorshipInquiryForm,
)
from portal.inquiries.limits import limit_per_email, limit_per_ip
from portal.inquiries.models import InquiryKind
from portal.inquiries.notifications import who_answers
from portal.mail.delivery import deliver_now
from portal.offer import queries

bp = Blueprint("inquiries", __name__)


def _thank(answered_by: str, endpoint: str, reference: int, email: str, **values):
    """To the thank-you page, which names who answers, the inquiry's reference and the
    address the acknowledgement went to."""
    session["inquiry_answered_by"] = answered_by
    session["inquiry_reference"] = f"Q-{reference:06d}"
    session["inquiry_email"] = email
    return redirect(url_for(endpoint, **values), code=303)


def _fool_bot(subject: routing.Subject, endpoint: str, email: str | None, **values):
    """A filled honeypot: answer exactly as for a real inquiry, store and send nothing."""
    found = routing.route(subject)
    fake = secrets.randbelow(900_000) + 1  # looks like a reference; no row has it
    return _thank(who_answers(found.contacts), endpoint, fake, email or "", **values)


def _submit(form: InquiryForm, kind: InquiryKind, **about):
    """The stored inquiry, its mail tried at once; or None with the reason among the form's
    errors."""
    key = form.submission.data or None
    submitted, problem = attempt(
        lambda: operations.submit_inquiry(form.applicant(), kind, submission_key=key, **about)
    )
    if problem or submitted is None:
        # Posted twice at once: the other one stored it (the key is unique), and answers.
        submitted = operations.earlier_submission(key, form.email.data or "")
        if submitted is not None:
            return submitted
        form.form_errors.append(problem or "")
        return None
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not submitted.repeated:
        metrics.inquiry_received(kind.value)
    deliver_now(app, submitted.message_ids)
    return submitted


def _status(form: InquiryForm) -> int:
    return 422 if form.is_submitted() else 200


@bp.route("/membership", methods=["GET", "POST"])
@limit_per_ip
@limit_per_email
@cached_page(args=("tier",))
def membership():
    tiers = queries.tiers_with_members()
    form = MembershipInquiryForm(tiers, data={"tier": request.args.get("tier", "")})
    if form.is_bot:
        subject = routing.Subject(InquiryKind.MEMBERSHIP)
        return _fool_bot(subject, "inquiries.membership_thanks", form.email.data)
    if form.validate_on_submit():
        submitted = _submit(form, InquiryKind.MEMBERSHIP, tier=form.chosen_tier())
        if submitted:
            return _thank(
                submitted.answered_by,
                "inquiries.membership_thanks",
                submitted.inquiry_id,
                form.email.data,
            )
    return render_template("inquiries/membership.html", tiers=tiers, form=form), _status(form)


@bp.get("/membership/thanks")
def membership_thanks():
    return render_template(
        "inquiries/thanks.html",
        kind=InquiryKind.MEMBERSHIP,
        answered_by=session.get("inquiry_answered_by"),
        reference=session.get("inquiry_reference"),
        email=session.get("inquiry_email"),
        back=url_for("inquiries.membership"),
    )


def _event_selling_sponsorship(slug: str, now: datetime):
    """The event and its packages on sale; an edition with none yet that takes inquiries
    early (events.queries.takes_sponsors_early) has an empty list; any other, a 404."""
    event = event_queries.event_by_slug(slug)
    packages = queries.packages_of(event.id) if event else []
    if event is None or (not packages and not event_queries.takes_sponsors_early(event, now)):
        abort(404, description=_("This event does not offer sponsorship through this site."))
    return event, packages


@bp.route("/events/<slug>/sponsor", methods=["GET", "POST"])
@limit_per_ip
@limit_per_email
@cached_page(args=("package",))
def sponsor(slug: str):
    now = datetime.now(UTC)
    event, packages = _event_selling_sponsorship(slug, now)
    # One answer about the next edition: once an event is over, sponsoring it means sponsoring
    # its next edition, whose own page (its packages, or "to be announced") takes the inquiry.
    next_edition = event_queries.next_edition(event) if event.is_over(now) else None
    if next_edition is not None and request.method == "GET" and _sponsorable(next_edition, now):
        return redirect(url_for("inquiries.sponsor", slug=next_edition.slug), code=303)
    closed = event.closed_because(now)
    form = SponsorshipInquiryForm(packages, data={"package": request.args.get("package", "")})
    if closed:
        status = 409 if request.method == "POST" else 200
        return render_template(
            "inquiries/sponsor.html", event=event, packages=packages, form=None, now=now,
            closed=closed, comparison=queries.comparison(packages),
        ), status  # fmt: skip
    if form.is_bot:
        subject = routing.Subject(InquiryKind.SPONSORSHIP, event_id=event.id)
        return _fool_bot(subject, "inquiries.sponsor_thanks", form.email.data, slug=slug)
    if form.validate_on_submit():
        package = form.chosen_package()
        submitted = _submit(form, InquiryKind.SPONSORSHIP, event=event, package=package)
        if submitted:
            return _thank(
                submitted.answered_by,
                "inquiries.sponsor_thanks",
                submitted.inquiry_id,
                form.email.data,
                slug=slug,
            )
    return render_template(
        "inquiries/sponsor.html", event=event, packages=packages, form=form, now=now,
        closed=None, comparison=queries.comparison(packages),
    ), _status(form)  # fmt: skip


def _sponsorable(event, now: datetime) -> bool:
    """Whether `event`'s own sponsorship page takes inquiries."""
    if event.closed_because(now):
        return False
    return bool(queries.packages_of(event.id)) or event_queries.takes_sponsors_early(event, now)


@bp.get("/events/<slug>/sponsor/thanks")
def sponsor_thanks(slug: str):
    event = event_queries.event_by_slug(slug)
    if event is None:
        abort(404)
    return render_template(
        "inquiries/thanks.html",
        kind=InquiryKind.SPONSORSHIP,
        event=event,
        answered_by=session.get("inquiry_answered_by"),
        reference=session.get("inquiry_reference"),
        email=session.get("inquiry_email"),
        back=url_for("inquiries.sponsor", slug=slug),
    )
