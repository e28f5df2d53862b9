"""Sign-ins are on record on the server (issue 9, finding 5): signing out, a new password and
deactivation end every copy of the session cookie, and a sign-in ends by itself after
STAFF_SESSION_HOURS. The attack: a copy of the cookie taken before signing out."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from portal.accounts.models import StaffSession
from portal.extensions import db


def stolen_copy(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session", domain="portal.test")
    assert cookie is not None
    thief.set_cookie("session", cookie.value, domain="portal.test")
    return thief


def sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(StaffSession))


def test_a_copy_of_the_cookie_opens_nothing_after_signing_out(app, client, editor, csrf):
    thief = stolen_copy(app, client)
    assert thief.get("/staff/").status_code == 200  # a copy works while the sign-in lasts
    assert client.post("/staff/logout", data={"csrf_token": csrf("/staff/")}).status_code == 303
    assert thief.get("/staff/").status_code == 302
    assert thief.get("/staff/inquiries/").status_code == 302
    assert sessions() == 0


def test_signing_out_on_one_browser_leaves_the_others_signed_in(app, make_staff, login, csrf):
    user = make_staff("editor")
    laptop, phone = app.test_client(), app.test_client()
    assert login(user, client=laptop).status_code == 303
    assert login(user, client=phone).status_code == 303
    token = csrf("/staff/", client=laptop)
    assert laptop.post("/staff/logout", data={"csrf_token": token}).status_code == 303
    assert laptop.get("/staff/").status_code == 302
    assert phone.get("/staff/").status_code == 200


def test_a_new_password_ends_every_copy(app, client, make_staff, login, runner):
    user = make_staff("editor")
    login(user)
    thief = stolen_copy(app, client)
    result = runner.invoke(
        args=["staff", "set-password", user.email], input="another long password\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    assert thief.get("/staff/").status_code == 302


def test_deactivation_ends_every_copy_and_reactivation_does_not_revive_them(
    app, client, admin, make_staff, login, csrf
):
    user = make_staff("editor")
    other = app.test_client()
    login(user, client=other)
    thief = stolen_copy(app, other)
    token = csrf("/staff/accounts/")
    client.post(f"/staff/accounts/{user.id}/deactivate", data={"csrf_token": token})
    client.post(f"/staff/accounts/{user.id}/activate", data={"csrf_token": token})
    assert other.get("/staff/").status_code == 302
    assert thief.get("/staff/").status_code == 302


def test_a_sign_in_ends_by_itself_after_its_hours(app, client, make_staff, login, travel):
    travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    login(make_staff("editor"))
    hours = app.config["STAFF_SESSION_HOURS"]
    travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=hours, minutes=-1))
    assert client.get("/staff/").status_code == 200
    travel(datetime(2026, 3, 1, 9, 0, tzinfo=UTC) + timedelta(hours=hours, minutes=1))
    assert client.get("/staff/").status_code == 302


def test_the_database_holds_no_token_that_could_sign_in(app, client, editor):
    cookie_session = app.session_interface.get_signing_serializer(app).loads(
        client.get_cookie("session", domain="portal.test").value
    )
    token = cookie_session["_user_id"].split(":", 1)[1]
    stored = db.session.scalars(select(StaffSession.token_hash)).all()
    assert token not in stored and StaffSession.hash(token) in stored


@pytest.mark.parametrize("forged", ["1:", "1:abc", "1:" + "x" * 500, "x:y", "99999:abc", ":"])
def test_forged_session_ids_sign_nobody_in(app, client, editor, forged):
    serializer = app.session_interface.get_signing_serializer(app)
    data = serializer.loads(client.get_cookie("session", domain="portal.test").value)
    data["_user_id"] = forged
    client.set_cookie("session", serializer.dumps(data), domain="portal.test")
    assert client.get("/staff/").status_code == 302
