"""The event catalogue: events, projects and links; its public pages, its back office
(events, projects, imports) and `flask events ...`."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.events import cli, display, localized, views, words
    from portal.events.admin import events, imports, languages, projects

    app.register_blueprint(views.bp)
    for module in (events, projects, imports, languages):
        app.register_blueprint(module.bp)
    app.cli.add_command(cli.events_cli)
    app.jinja_env.filters.update(
        markdown=display.render_markdown,
        country_name=display.country_name,
        date_range=display.date_range,
        label=words.label,
    )
    app.jinja_env.globals.update(display=display, localized=localized)
