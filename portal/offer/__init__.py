"""What the foundation offers: membership tiers and the member directory, and the sponsorship
packages events sell, with their benefits and sponsors; the back office's screens of them.
The inquiries about them (the forms, routing, the inbox) are the inquiries feature's, above
this one."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.offer import cli, display, operations, sponsors, views  # noqa: F401 (signals)
    from portal.offer.admin import benefits, members, packages, tiers
    from portal.offer.admin import sponsors as staff_sponsors

    for module in (tiers, members, packages, benefits, staff_sponsors):
        app.register_blueprint(module.bp)
    app.register_blueprint(views.bp)
    app.cli.add_command(cli.sponsors_cli)
    app.cli.add_command(cli.members_cli)
    app.jinja_env.filters["money"] = display.money
