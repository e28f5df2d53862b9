"""The lowest layer: database helpers, one refusal type, saving, lists, forms, URLs, security
headers, input hygiene, template filters, static files by digest and the back office's
registry. It imports no feature."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.core import assets, filters, health, hygiene, logs, metrics, security
    from portal.core.views import bp

    metrics.init_app(app)  # its middleware wraps the fast path, inside the Host check
    # The Host check and the proxy fix wrap the page cache's fast path (portal/__init__.py).
    security.init_app(app)
    hygiene.init_app(app)
    health.init_app(app)
    filters.init_app(app)
    assets.init_app(app)
    app.register_blueprint(bp)
    logs.init_app(app)  # the request id, outermost: after every other middleware
