"""The catalogue as iCalendar: one event's file, the subscribable feed, their cache, and the
Add-to-calendar and Subscribe links."""

from flask import Flask, request


def init_app(app: Flask) -> None:
    from portal.calendar import cache, links, views
    from portal.extensions import limiter

    app.register_blueprint(views.bp)
    # Feeds are polled, cached and cheap to answer: no limits on them.
    limiter.request_filter(lambda: request.blueprint == views.bp.name)
    cache.init_app(app)
    views.init_app(app)
    app.jinja_env.globals.update(calendar_links=links)
