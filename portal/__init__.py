"""The events and membership portal of an open-source foundation."""

import zoneinfo

from flask import Flask

from portal import config
from portal.core import database, i18n, limits, pages, version
from portal.extensions import csrf, db, limiter, migrate

# The zone database is the pinned tzdata package, not whatever files the machine has: zoneinfo
# reads /usr/share/zoneinfo first, which may be years older (and then events in Vancouver,
# Havana or Casablanca would move with the host).
zoneinfo.reset_tzpath(to=())
zoneinfo.ZoneInfo.clear_cache()


def create_app(overrides: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.configure(app, overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    # The catalogue version, then the page cache, whose request hook must come before those of
    # CSRF and the rate limits: a cached answer needs neither (core/pages.py).
    version.init_app(app)
    pages.init_app(app)
    i18n.init_app(app)  # the language layer around the fast path: it sees /ja/… as …
    csrf.init_app(app)
    limiter.init_app(app)
    limits.init_app(app)
    database.init_app(app)

    from portal import (
        accounts,
        alerts,
        api,
        audit,
        backoffice,
        calendar,
        core,
        events,
        inquiries,
        mail,
        offer,
        publish,
    )
    from portal.demo import seed_demo

    # Lowest layer first: each feature registers its blueprints, commands, template filters,
    # dashboard panels and navigation entries.
    features = (core, accounts, audit, events, calendar, mail, offer, inquiries, api, publish)
    for feature in (*features, alerts, backoffice):
        feature.init_app(app)
    app.cli.add_command(seed_demo)
    return app
