"""What other sites read of the catalogue, apart from the API: the Atom feed, the embeddable
listing (and the origins staff let frame it), the sitemap, robots.txt, the icons and the
events' share cards."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.extensions import limiter
    from portal.publish import admin, views

    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    # Read by machines, cached and cheap to answer (renders of feeds are charged on a miss).
    limiter.exempt(views.bp)
