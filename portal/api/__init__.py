"""The read-only JSON API: /api/events, /api/events/<slug> and their OpenAPI document."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.api import views
    from portal.extensions import csrf, limiter

    app.register_blueprint(views.bp)
    # Read-only and served from the page cache, as the pages are: nothing to protect.
    csrf.exempt(views.bp)
    limiter.exempt(views.bp)
