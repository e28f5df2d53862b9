"""The lowest layer: database helpers, one refusal type, saving, lists, forms, URLs, security
headers, input hygiene, template filters and the back office's registry. It imports no
feature."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import filters, hygiene, pages, security
    from portal.core.views import bp

    pages.init_app(app)  # its fast path goes inside the Host check of security
    security.init_app(app)
    hygiene.init_app(app)
    filters.init_app(app)
    app.register_blueprint(bp)
