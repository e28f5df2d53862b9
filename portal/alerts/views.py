"""/alerts: the alert form, the page saying a confirmation was sent, and the pages the signed
links of alert mail open (confirm, manage, leave). None of them is cached: each is about one
visitor, or carries their CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from portal.alerts import links, operations
from portal.alerts.forms import AlertForm, ManageForm
from portal.alerts.limits import limit_per_email, limit_per_ip
from portal.alerts.models import AlertSubscription
from portal.alerts.rules import FILTER_FIELDS, Followed
from portal.core.saving import attempt, saving
from portal.events.models import Event
from portal.extensions import csrf, db
from portal.mail.delivery import deliver_now

bp = Blueprint("alerts", __name__)

# Filters of /events that an alert does not follow: said on the form when a link brings them.
LEFT_OUT = ("from", "to", "past")
INVALID_LINK = _l(
    "This link is not valid: it was changed, has expired, or its alerts have already ended."
)


@bp.before_request
def enabled() -> None:
    """Alerts switched off: no form and no confirmation; leaving works whatever the setting."""
    if not current_app.config["ALERTS_ENABLED"] and request.endpoint != "alerts.unsubscribe":
        abort(404)


def _app():
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    return current_app._get_current_object()  # type: ignore[attr-defined]


def _form_page(form: AlertForm, status: int):
    event = form.followed_event
    return render_template(
        "alerts/new.html",
        form=form,
        event=event,
        left_out=[name for name in LEFT_OUT if request.args.get(name)],
    ), status


@bp.get("/alerts/new")
def new():
    values = {name: request.args.get(name, "") for name in (*FILTER_FIELDS, "event", "link")}
    form = AlertForm(formdata=None, data=values)
    if values["event"] or values["link"]:
        try:
            form.validate_event(form.event)
            form.validate_link(form.link)
        except ValidationError as error:
            abort(404, description=str(error))
    return _form_page(form, 200)


@bp.post("/alerts")
@limit_per_ip
@limit_per_email
def subscribe():
    form = AlertForm()
    if form.is_bot:
        return redirect(url_for("alerts.sent"), code=303)  # as for a person; nothing stored
    if not form.validate():
        return _form_page(form, 422)
    email = form.email.data or ""
    asked, _ = attempt(lambda: operations.subscribe(email, form.followed(), datetime.now(UTC)))
    if asked is None:
        # Asked twice at the same moment: the other request stored it, and the answer is the
        # same either way.
        return redirect(url_for("alerts.sent"), code=303)
    deliver_now(_app(), asked.message_ids)
    return redirect(url_for("alerts.sent"), code=303)


@bp.get("/alerts/sent")
def sent():
    return render_template("alerts/sent.html")


def _subscription(token: str, confirming: bool = False) -> AlertSubscription:
    found = links.from_confirm_token(token) if confirming else links.from_manage_token(token)
    if found is None:
        abort(404, description=str(INVALID_LINK))
    return found


def _followed_words(subscription: AlertSubscription) -> str:
    return operations.followed_words(Followed.of(subscription))


def _event(subscription: AlertSubscription) -> Event | None:
    return db.session.get(Event, subscription.event_id) if subscription.event_id else None


# The signed token in the address is what proves the visitor may do this: it reaches them by
# mail only. A CSRF token would add nothing (no one else can make the request) and would stop
# the one-click POST of mail clients (RFC 8058), which carry no cookie.
@bp.route("/alerts/confirm/<token>", methods=["GET", "POST"])
@csrf.exempt
def confirm(token: str):
    subscription = _subscription(token, confirming=True)
    words = _followed_words(subscription)
    if request.method == "GET" and not subscription.is_confirmed:
        # A button, not a confirmation on GET: mail scanners open every link they see.
        return render_template("alerts/confirm.html", followed=words, token=token)
    if not subscription.is_confirmed:
        with saving():
            operations.confirm(subscription, datetime.now(UTC))
    return render_template(
        "alerts/confirmed.html",
        followed=words,
        manage_url=url_for("alerts.manage", token=links.manage_token(subscription)),
    )


@bp.route("/alerts/manage/<token>", methods=["GET", "POST"])
def manage(token: str):
    subscription = _subscription(token)
    form = ManageForm(data={name: getattr(subscription, name) or "" for name in FILTER_FIELDS})
    status, changed = 200, False
    if not subscription.follows_event and form.validate_on_submit():
        _, problem = attempt(lambda: operations.change(subscription, form.followed()))
        if problem:
            form.form_errors.append(problem)
            status = 409
        else:
            changed = True
    elif form.is_submitted():
        status = 422
    return render_template(
        "alerts/manage.html",
        form=None if subscription.follows_event else form,
        subscription=subscription,
        followed=_followed_words(subscription),
        event=_event(subscription),
        changed=changed,
        token=token,
    ), status


@bp.route("/alerts/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    """GET: the page with the button. POST (the button, or a mail client's one-click
    `List-Unsubscribe=One-Click`): the subscription ends, no question asked."""
    subscription = _subscription(token)
    if request.method == "GET":
        return render_template(
            "alerts/unsubscribe.html", followed=_followed_words(subscription), token=token
        )
    subscription = _subscription(token)
    words = _followed_words(subscription)
    with saving():
        operations.unsubscribe(subscription)
    return render_template("alerts/left.html", followed=words)
