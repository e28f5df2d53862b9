"""Staff accounts: who they are, their passwords and roles, signing in, the accounts screens
and `flask staff ...`."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.accounts import admin, auth, cli, views

    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.staff_cli)
