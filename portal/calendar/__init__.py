"""The catalogue as iCalendar: one event's file, the subscribable feed, their cache, and the
Add-to-calendar and Subscribe links."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.calendar import links, views
    from portal.extensions import limiter

    app.register_blueprint(views.bp)
    # Feeds are polled, cached and cheap to answer: no limits on them.
    limiter.exempt(views.bp)
    app.jinja_env.globals.update(calendar_links=links)
