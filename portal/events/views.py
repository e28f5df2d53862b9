"""Public pages of the catalogue: home, the event list and the event page."""

from datetime import UTC, datetime
from types import SimpleNamespace

from flask import Blueprint, abort, current_app, render_template, request, url_for

from portal.core import credits, version
from portal.core.pages import cached_page
from portal.core.urls import external_url
from portal.events import queries
from portal.events.forms import EventFilterForm
from portal.events.month import month_grid, parse_month
from portal.events.structured import event_json_ld, open_graph

bp = Blueprint("events", __name__)
MONTH_FILTERS = ("q", "project", "format", "country", "region")
LIST_ARGS = ("q", "project", "format", "country", "region", "from", "to", "past", "page")


def filter_form(now: datetime | None = None) -> EventFilterForm:
    """The filter form bound to the query string, with the choices a page shows (read once
    per catalogue version): on an upcoming list (`now` given), only the countries that have
    upcoming events (kept until an event ends)."""
    projects, countries = version.memo().remembered("filter_choices", filter_choices)
    if now is not None and not request.args.get("past"):
        countries = version.memo().until_change(
            "upcoming_countries", now, lambda: queries.countries_with_events(now)
        )
    return EventFilterForm(request.args, projects=projects, countries=countries)


def filter_choices() -> tuple[list[SimpleNamespace], list[str]]:
    projects = [SimpleNamespace(slug=p.slug, name=p.name) for p in queries.projects()]
    return projects, queries.countries_with_events()


@bp.get("/")
@cached_page()
def home():
    now = datetime.now(UTC)
    events, upcoming = queries.upcoming_or_latest(now, limit=6)
    return render_template("events/home.html", events=events, upcoming=upcoming, now=now)


@bp.get("/events")
@cached_page(args=LIST_ARGS)
def index():
    now = datetime.now(UTC)
    form = filter_form(now)
    if not form.validate():
        return render_template("events/list.html", form=form, pagination=None, now=now), 400
    query = form.to_query()
    pagination = queries.event_page(
        query, now, page=form.page_number, per_page=current_app.config["EVENTS_PER_PAGE"]
    )
    next_month = queries.next_month_with_events(now) if not pagination.total else None
    return render_template(
        "events/list.html",
        form=form,
        query=query,
        pagination=pagination,
        now=now,
        next_month=next_month,
    )


@bp.get("/events/<slug>")
@cached_page()
def detail(slug: str):
    event = queries.event_by_slug(slug)
    if event is None:
        abort(404, description="There is no published event at this address.")
    return render_template("events/detail.html", **page_context(event))


def page_context(event) -> dict:
    """What events/detail.html needs; the staff preview renders the page with it too."""
    now = datetime.now(UTC)
    url = external_url("events.detail", slug=event.slug)
    config = current_app.config
    organizer = {"name": config["ORGANIZER_NAME"], "url": config["ORGANIZER_URL"]}
    sponsors = credits.sponsors_of([event.id]).get(event.id, [])
    next_edition = queries.next_edition(event) if event.is_over(now) else None
    return dict(
        event=event,
        now=now,
        url=url,
        json_ld=event_json_ld(event, url, organizer, now, sponsors),
        sponsor_groups=credits.groups(sponsors),
        next_edition=next_edition,
        **sponsor_links(event, next_edition, now),
        previous_editions=queries.previous_editions(event),
        open_graph=open_graph(event, url, config["SITE_NAME"]),
    )


def sponsor_links(event, next_edition, now: datetime) -> dict:
    """One answer about the next edition: a past event that sold sponsorship on this site
    sends sponsors to its next edition's sponsorship page, and an edition whose packages are
    still to be announced takes inquiries on its own (events.queries.takes_sponsors_early)."""
    sponsor = "inquiries.sponsor"  # the page is the inquiries feature's, above this one
    next_url = early_url = None
    here = queries.sold_sponsorship_here(event)
    if next_edition is not None and here and not next_edition.closed_because(now):
        next_url = url_for(sponsor, slug=next_edition.slug)
    if not here and queries.takes_sponsors_early(event, now):
        early_url = url_for(sponsor, slug=event.slug)
    return {"next_sponsor_url": next_url, "early_sponsor_url": early_url}


@bp.get("/events/month", defaults={"month": None})
@bp.get("/events/month/<month>")
@cached_page(args=MONTH_FILTERS)
def month(month: str | None):
    """A month as a calendar grid; the list's filters apply (`past`, `from`, `to` aside)."""
    now = datetime.now(UTC)
    first = parse_month(month, now.date())
    if first is None:
        abort(404, description="Months read like 2025-03.")
    form = filter_form()
    if not form.validate():
        return render_template("events/month.html", form=form, month=None, filters={}, now=now), 400
    grid = month_grid(first, form.to_query(), today=now.date())
    filters = {key: request.args[key] for key in MONTH_FILTERS if request.args.get(key)}
    return render_template("events/month.html", form=form, month=grid, filters=filters, now=now)
