"""Membership and sponsorship: what is on offer, the inquiry forms, routing to staff contacts,
and the back office's inbox, sales and routing screens."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.inquiries import views
    from portal.inquiries.admin import contacts, inbox, members, packages, routing, tiers

    app.register_blueprint(views.bp)
    for module in (inbox, tiers, members, packages, contacts, routing):
        app.register_blueprint(module.bp)
