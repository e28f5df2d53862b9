"""The URL map as the contract and the staff know it: every rule, its methods and the role it
requires. A move of code cannot drop a route or open one wider without this list changing."""

import tempfile

from portal import create_app

# (rule, methods, who may use it): "public", or the staff role the view requires.
ROUTES = {
    ("/", "GET", "public"),
    ("/alerts", "POST", "public"),
    ("/alerts/confirm/<token>", "GET,POST", "public"),  # the signed token is the key
    ("/alerts/manage/<token>", "GET,POST", "public"),
    ("/alerts/new", "GET", "public"),
    ("/alerts/sent", "GET", "public"),
    ("/alerts/unsubscribe/<token>", "GET,POST", "public"),  # RFC 8058 one-click POST
    ("/events", "GET", "public"),
    ("/api/events", "GET", "public"),
    ("/api/events/<slug>", "GET", "public"),
    ("/api/openapi.json", "GET", "public"),
    ("/events.ics", "GET", "public"),
    ("/events.atom", "GET", "public"),
    ("/embed/events", "GET", "public"),
    ("/sitemap.xml", "GET", "public"),
    ("/robots.txt", "GET", "public"),
    ("/favicon.ico", "GET", "public"),
    ("/apple-touch-icon.png", "GET", "public"),
    ("/assets/<name>", "GET", "public"),  # static files by digest (core/assets.py)
    ("/events/<slug>", "GET", "public"),
    ("/events/<slug>.ics", "GET", "public"),
    ("/events/<slug>/card.png", "GET", "public"),
    ("/events/<slug>/sponsor", "GET,POST", "public"),
    ("/events/<slug>/sponsor/thanks", "GET", "public"),
    ("/events/month", "GET", "public"),
    ("/events/month/<month>", "GET", "public"),
    ("/healthz", "GET", "public"),
    ("/membership", "GET,POST", "public"),
    ("/membership/thanks", "GET", "public"),
    ("/metrics", "GET", "public"),  # the machine itself only (PORTAL_METRICS_ALLOW)
    ("/static/<path:filename>", "GET", "public"),
    ("/staff/login", "GET,POST", "public"),
    ("/staff/logout", "POST", "editor"),
    ("/staff/", "GET", "editor"),
    ("/staff/accounts/", "GET", "admin"),
    ("/staff/accounts/<int:user_id>/activate", "POST", "admin"),
    ("/staff/accounts/<int:user_id>/deactivate", "POST", "admin"),
    ("/staff/accounts/new", "GET,POST", "admin"),
    ("/staff/alerts/", "GET", "editor"),
    ("/staff/audit/", "GET", "admin"),
    ("/staff/contacts/", "GET", "admin"),
    ("/staff/contacts/<int:contact_id>/edit", "GET,POST", "admin"),
    ("/staff/contacts/<int:contact_id>/restore", "POST", "admin"),
    ("/staff/contacts/<int:contact_id>/retire", "POST", "admin"),
    ("/staff/contacts/new", "GET,POST", "admin"),
    ("/staff/embed/", "GET", "editor"),
    ("/staff/embed/origins", "POST", "admin"),
    ("/staff/embed/origins/<int:origin_id>/delete", "POST", "admin"),
    ("/staff/events/", "GET", "editor"),
    ("/staff/events/<int:event_id>/cancel", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/delete", "POST", "editor"),
    ("/staff/events/<int:event_id>/duplicate", "POST", "editor"),
    ("/staff/events/<int:event_id>/edit", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/languages", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/packages", "GET", "editor"),
    ("/staff/events/<int:event_id>/packages/new", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/postpone", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/next-edition", "GET,POST", "editor"),
    ("/staff/events/<int:event_id>/preview", "GET", "editor"),
    ("/staff/events/<int:event_id>/publish", "POST", "editor"),
    ("/staff/events/<int:event_id>/publish-again", "GET,POST", "editor"),
    ("/staff/events/new", "GET,POST", "editor"),
    ("/staff/import/", "GET,POST", "editor"),
    ("/staff/import/apply", "POST", "editor"),
    ("/staff/inquiries/", "GET", "editor"),
    ("/staff/inquiries/<int:inquiry_id>", "GET", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/assign", "POST", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/notes", "POST", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/reply", "POST", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/merge", "POST", "editor"),
    ("/staff/inquiries/bulk", "POST", "editor"),
    ("/staff/inquiries/templates/", "GET", "admin"),
    ("/staff/inquiries/templates/", "POST", "admin"),
    ("/staff/inquiries/templates/<int:template_id>", "POST", "admin"),
    ("/staff/inquiries/templates/<int:template_id>/delete", "POST", "admin"),
    ("/staff/inquiries/<int:inquiry_id>/status", "POST", "editor"),
    ("/staff/inquiries/export.csv", "GET", "editor"),
    ("/staff/members/", "GET", "editor"),
    ("/staff/members/<int:member_id>/edit", "GET,POST", "editor"),
    ("/staff/members/new", "GET,POST", "editor"),
    ("/staff/outbox/", "GET", "editor"),
    ("/staff/outbox/<int:message_id>/retry", "POST", "editor"),
    ("/staff/outbox/retry-failed", "POST", "editor"),
    ("/staff/packages/", "GET", "editor"),
    ("/staff/packages/<int:package_id>/edit", "GET,POST", "editor"),
    ("/staff/packages/<int:package_id>/restore", "POST", "editor"),
    ("/staff/packages/<int:package_id>/retire", "POST", "editor"),
    ("/staff/projects/", "GET", "editor"),
    ("/staff/projects/<int:project_id>/edit", "GET,POST", "editor"),
    ("/staff/projects/<int:project_id>/restore", "POST", "editor"),
    ("/staff/projects/<int:project_id>/retire", "POST", "editor"),
    ("/staff/projects/new", "GET,POST", "editor"),
    ("/staff/privacy/", "GET", "admin"),
    ("/staff/privacy/erase", "POST", "admin"),
    ("/staff/privacy/export", "POST", "admin"),
    ("/staff/privacy/purge", "POST", "admin"),
    ("/staff/routing/", "GET", "admin"),
    ("/staff/routing/<int:rule_id>/edit", "GET,POST", "admin"),
    ("/staff/routing/<int:rule_id>/restore", "POST", "admin"),
    ("/staff/routing/<int:rule_id>/retire", "POST", "admin"),
    ("/staff/routing/new", "GET,POST", "admin"),
    ("/staff/tiers/", "GET", "editor"),
    ("/staff/tiers/<int:tier_id>/edit", "GET,POST", "editor"),
    ("/staff/tiers/<int:tier_id>/restore", "POST", "editor"),
    ("/staff/tiers/<int:tier_id>/retire", "POST", "editor"),
    ("/staff/tiers/new", "GET,POST", "editor"),
    # Sponsors, benefits and confirming won inquiries (issue 21).
    ("/events/<slug>/sponsor/prospectus", "GET", "public"),
    ("/media/logos/<name>", "GET", "public"),
    ("/staff/benefits/", "GET", "editor"),
    ("/staff/benefits/new", "GET,POST", "editor"),
    ("/staff/benefits/<int:benefit_id>/edit", "GET,POST", "editor"),
    ("/staff/packages/<int:package_id>/benefits", "GET,POST", "editor"),
    ("/staff/sponsors/", "GET", "editor"),
    ("/staff/events/<int:event_id>/sponsors", "GET", "editor"),
    ("/staff/events/<int:event_id>/sponsors/new", "GET,POST", "editor"),
    ("/staff/sponsors/<int:sponsor_id>/edit", "GET,POST", "editor"),
    ("/staff/sponsors/<int:sponsor_id>/remove", "POST", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/confirm-sponsor", "GET,POST", "editor"),
    ("/staff/inquiries/<int:inquiry_id>/confirm-member", "GET,POST", "editor"),
    ("/staff/members/<int:member_id>/logo", "GET,POST", "editor"),
    ("/staff/members/<int:member_id>/remove", "POST", "editor"),
}


def url_map() -> set[tuple[str, str, str]]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32},
        instance_path=tempfile.mkdtemp(),
    )
    found = set()
    for rule in app.url_map.iter_rules():
        role = getattr(app.view_functions[rule.endpoint], "required_role", None)
        methods = ",".join(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        found.add((rule.rule, methods, role.value if role else "public"))
    return found


def test_the_url_map_is_the_one_the_contract_and_the_staff_know():
    found = url_map()
    assert found - ROUTES == set(), "routes added or widened: add them to ROUTES on purpose"
    assert ROUTES - found == set(), "routes dropped or narrowed"


def test_every_staff_route_but_sign_in_requires_a_role():
    open_staff = {
        rule for rule, _, role in url_map() if rule.startswith("/staff") and role == "public"
    }
    assert open_staff == {"/staff/login"}
