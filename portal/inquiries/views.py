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
from flask_limiter.util import get_remote_address

from portal.core.pages import cached_page
from portal.core.saving import attempt
from portal.events import queries as event_queries
from portal.extensions import limiter
from portal.inquiries import operations, queries, routing
from portal.inquiries.display import money
from portal.inquiries.forms import (
    InquiryForm,
    MembershipInquiryForm,
    SponsorshipInquiryForm,
    normalized_address,
)
from portal.inquiries.models import InquiryKind
from portal.inquiries.notifications import who_answers
from portal.mail.delivery import deliver_now

bp = Blueprint("inquiries", __name__)
bp.add_app_template_filter(money, "money")

TOO_MANY = (
    "We have received several inquiries from you in a short time. Please wait a while before "
    "sending another, or write to us directly."
)


def _submitter_key() -> str:
    """The address typed in the form, as the form stores it (cleaned of invisible characters,
    its domain in ASCII form, lower case): one address cannot flood staff (or its owner, with
    acknowledgements) by changing IP, nor by adding a zero-width space."""
    email = normalized_address(request.form.get("email") or "")
    return f"email:{email}" if email else f"ip:{get_remote_address()}"


# Both forms share these budgets: a limit per submitter address and one per client IP.
limit_per_email = limiter.shared_limit(
    lambda: current_app.config["INQUIRY_RATELIMIT_PER_EMAIL"],
    scope="inquiry-email",
    key_func=_submitter_key,
    methods=["POST"],
    error_message=TOO_MANY,
)
limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["INQUIRY_RATELIMIT_PER_IP"],
    scope="inquiry-ip",
    methods=["POST"],
    error_message=TOO_MANY,
)


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
    submitted, problem = attempt(lambda: operations.submit_inquiry(form.applicant(), kind, **about))
    if problem:
        form.form_errors.append(problem)
        return None
    deliver_now(current_app._get_current_object(), submitted.message_ids)
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


def _event_selling_sponsorship(slug: str):
    event = event_queries.event_by_slug(slug)
    packages = queries.packages_of(event.id) if event else []
    if not packages:
        abort(404, description="This event does not offer sponsorship through this site.")
    return event, packages


@bp.route("/events/<slug>/sponsor", methods=["GET", "POST"])
@limit_per_ip
@limit_per_email
@cached_page(args=("package",))
def sponsor(slug: str):
    event, packages = _event_selling_sponsorship(slug)
    now = datetime.now(UTC)
    # As the event page's Sponsor link says: closed when the event is cancelled, postponed or
    # over, unless it is over and has a next edition to sponsor.
    next_edition = event_queries.next_edition(event) if event.is_over(now) else None
    closed = event.closed_because(now) if next_edition is None else None
    form = SponsorshipInquiryForm(packages, data={"package": request.args.get("package", "")})
    if closed:
        status = 409 if request.method == "POST" else 200
        return render_template(
            "inquiries/sponsor.html", event=event, packages=packages, form=None, now=now,
            closed=closed, next_edition=None,
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
        closed=None, next_edition=next_edition,
    ), _status(form)  # fmt: skip


@bp.get("/events/<slug>/sponsor/thanks")
def sponsor_thanks(slug: str):
    event, _ = _event_selling_sponsorship(slug)
    return render_template(
        "inquiries/thanks.html",
        kind=InquiryKind.SPONSORSHIP,
        event=event,
        answered_by=session.get("inquiry_answered_by"),
        reference=session.get("inquiry_reference"),
        email=session.get("inquiry_email"),
        back=url_for("inquiries.sponsor", slug=slug),
    )
