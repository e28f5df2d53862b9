"""Who may reach each back-office route: every /staff rule of the app's URL map, for an
anonymous visitor, an editor and an admin, read from the map so a new route cannot escape."""

import tempfile
from datetime import date

import pytest

from portal import create_app
from portal.staff.models import StaffRole

PUBLIC = {"staff.login"}  # the one staff page anonymous visitors may use


def _staff_rules() -> list[tuple[str, str, str]]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"},
        instance_path=tempfile.mkdtemp(),
    )
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


RULES = _staff_rules()
IDS = [f"{method} {path}" for _, method, path in RULES]


def test_the_matrix_covers_the_whole_back_office():
    endpoints = {endpoint for endpoint, _, _ in RULES}
    assert {"staff.home", "staff_events.publish", "audit.index", "staff_import.apply"} <= endpoints
    assert len(RULES) >= 25


@pytest.fixture
def url_for_rule(app, make_event, make_project, make_staff):
    """The rule's path with real ids in it: a draft event, a project, another account."""
    event = make_event(status="draft", starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    values = {
        "event_id": event.id,
        "project_id": make_project("zuul").id,
        "user_id": make_staff("editor", email="other@example.org").id,
    }

    def build(endpoint: str) -> str:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        return app.url_for(endpoint, **{k: values[k] for k in rule.arguments if k in values})

    return build


def _required_role(app, endpoint):
    role = getattr(app.view_functions[endpoint], "required_role", None)
    assert role is not None or endpoint in PUBLIC, f"{endpoint} has no role check"
    return role


@pytest.mark.parametrize(("endpoint", "method", "path"), RULES, ids=IDS)
def test_anonymous_visitors_are_sent_to_sign_in(
    app, client, csrf, url_for_rule, endpoint, method, path
):
    url = url_for_rule(endpoint)
    if endpoint in PUBLIC:
        return
    _required_role(app, endpoint)
    if method == "GET":
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")
    else:
        response = client.post(url, data={"csrf_token": csrf()})
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/login"


@pytest.mark.parametrize("role", ["editor", "admin"])
@pytest.mark.parametrize(("endpoint", "method", "path"), RULES, ids=IDS)
def test_staff_reach_what_their_role_allows(
    app, client, csrf, make_staff, login, url_for_rule, endpoint, method, path, role
):
    url = url_for_rule(endpoint)
    user = make_staff(role)
    assert login(user).status_code == 303
    required = _required_role(app, endpoint)
    allowed = required is None or user.may(required)
    if method == "GET":
        response = client.get(url)
        expected = (302,) if endpoint in PUBLIC else (200,) if allowed else (403,)
        assert response.status_code in expected
    else:
        response = client.post(url, data={"csrf_token": csrf()})
        if allowed:
            assert response.status_code < 500 and response.status_code not in (401, 403)
        else:
            assert response.status_code == 403
    if required is StaffRole.ADMIN and role == "editor":
        assert "does not have access" in response.get_data(as_text=True)


POSTS = [(endpoint, path) for endpoint, method, path in RULES if method == "POST"]


@pytest.mark.parametrize(("endpoint", "path"), POSTS, ids=[path for _, path in POSTS])
def test_every_staff_form_refuses_a_post_without_csrf_token(
    client, admin, url_for_rule, endpoint, path
):
    response = client.post(url_for_rule(endpoint), data={"title": "x", "email": "x@example.org"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/events/?page=%C2%B2",
        "/staff/audit/?page=%C2%B2",
        "/staff/audit/?object_id=%C2%B2",
        "/staff/audit/?object_id=999999999999",
        "/staff/events/?page=99999999999999999999",
    ],
)
def test_odd_numbers_in_staff_lists_are_ignored(client, admin, path):
    assert client.get(path).status_code == 200
