"""Signing in and out of the back office, and the `staff` commands."""

import re

import pytest

from portal.accounts.models import StaffUser
from portal.accounts.operations import by_email
from portal.extensions import db

WRONG = "Wrong email or password."


def test_staff_signs_in_and_lands_on_the_dashboard(client, make_staff, login):
    user = make_staff("editor")
    response = login(user)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"
    page = client.get("/staff/").get_data(as_text=True)
    assert "Dashboard" in page and user.name in page
    assert db.session.get(StaffUser, user.id).last_login_at is not None


def test_email_is_matched_without_regard_to_case(client, make_staff, csrf):
    make_staff("editor", email="Grace@Example.org")
    data = {"email": " GRACE@example.ORG ", "password": "a long enough password"}
    response = client.post("/staff/login", data={**data, "csrf_token": csrf()})
    assert response.status_code == 303


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_staff, csrf):
    make_staff("editor", email="known@example.org")
    answers = []
    for email, password in [
        ("known@example.org", "not the password"),
        ("nobody@example.org", "not the password"),
    ]:
        data = {"email": email, "password": password, "csrf_token": csrf()}
        response = client.post("/staff/login", data=data)
        page = response.get_data(as_text=True)
        answers.append((response.status_code, WRONG in page, page.replace(email, "")))
    assert answers[0][:2] == answers[1][:2] == (422, True)
    assert answers[0][2] == answers[1][2]  # the pages differ only by the email typed


def test_a_deactivated_account_cannot_sign_in_and_its_sessions_end(
    client, app, make_staff, login, runner
):
    user = make_staff("editor")
    assert login(user).status_code == 303
    assert runner.invoke(args=["staff", "deactivate", user.email]).exit_code == 0
    response = client.get("/staff/events/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert login(user).status_code == 422


def test_a_new_password_ends_other_sessions(client, app, make_staff, login, runner):
    user = make_staff("editor")
    login(user)
    result = runner.invoke(
        args=["staff", "set-password", user.email], input="another long password\n" * 2
    )
    assert result.exit_code == 0, result.output
    assert client.get("/staff/").status_code == 302
    assert login(user, password="another long password").status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "https://evil.example/",
        "/\\evil.example",
        "/\\/evil.example",
        "/ok\r\nLocation: https://evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leads_off_the_site(client, make_staff, login, target):
    response = login(make_staff("editor"), next_=target)
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/"


def test_next_leads_back_to_the_page_asked_for(client, make_staff, login):
    first = client.get("/staff/events/?status=draft")
    assert first.status_code == 302
    assert "next=/staff/events/?status%3Ddraft" in first.headers["Location"].replace("%2F", "/")
    response = login(make_staff("editor"), next_="/staff/events/?status=draft")
    assert response.headers["Location"] == "/staff/events/?status=draft"


def test_sign_out_needs_a_post_with_a_csrf_token(client, editor, csrf):
    assert client.get("/staff/logout").status_code == 405
    assert client.post("/staff/logout").status_code == 400
    assert client.get("/staff/").status_code == 200  # still signed in
    response = client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 302


def test_failed_sign_ins_are_limited_per_account(client, make_staff, csrf, login):
    user = make_staff("editor")
    for _ in range(5):
        data = {"email": user.email, "password": "wrong password!", "csrf_token": csrf()}
        assert client.post("/staff/login", data=data).status_code == 422
    blocked = login(user)  # even the right password waits now
    assert blocked.status_code == 429
    assert "Too many failed sign-ins for this account" in blocked.get_data(as_text=True)
    other = make_staff("editor")
    assert login(other).status_code == 303  # other accounts are not locked out


def test_sign_ins_are_limited_per_address(app, client, make_staff, csrf):
    app.config["STAFF_LOGIN_LIMIT_PER_ADDRESS"] = "3 per minute"
    for number in range(3):
        data = {"email": f"x{number}@example.org", "password": "x", "csrf_token": csrf()}
        assert client.post("/staff/login", data=data).status_code == 422
    data = {"email": "y@example.org", "password": "x", "csrf_token": csrf()}
    response = client.post("/staff/login", data=data)
    assert response.status_code == 429
    assert "Too many sign-in attempts from your address" in response.get_data(as_text=True)
    other = client.post("/staff/login", data=data, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 422


def test_limits_can_be_switched_off(app, client, make_staff, csrf):
    from portal import create_app

    off = create_app({**app.config, "RATELIMIT_ENABLED": False}, instance_path=app.instance_path)
    other = off.test_client()
    for _ in range(8):
        data = {"email": "x@example.org", "password": "x", "csrf_token": csrf(client=other)}
        assert other.post("/staff/login", data=data).status_code == 422


def test_a_hash_made_with_old_parameters_is_renewed_at_sign_in(app, make_staff, login):
    user = make_staff("editor")
    old = user.password_hash
    app.config["PASSWORD_HASH_MEMORY_COST"] = 2048
    assert login(user).status_code == 303
    renewed = db.session.get(StaffUser, user.id).password_hash
    assert renewed != old and "m=2048" in renewed and renewed.startswith("$argon2id$")


def test_hostile_sign_in_input_is_refused_without_error(client, csrf):
    for email in ["a" * 10_000, "x@example.org\r\nBcc: y@example.org", "<script>@x"]:
        data = {"email": email, "password": "p" * 10_000, "csrf_token": csrf()}
        response = client.post("/staff/login", data=data)
        assert response.status_code == 422
        assert "<script>@x" not in response.get_data(as_text=True)


# The command line


def test_staff_add_creates_an_account_that_can_sign_in(runner, client, login):
    result = runner.invoke(
        args=[
            "staff",
            "add",
            "Ops@Example.org",
            "--name",
            "Ops Person",
            "--role",
            "admin",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = by_email("ops@example.org")
    assert user.role.value == "admin" and user.name == "Ops Person"
    assert login(user).status_code == 303


def test_staff_add_prompts_for_the_password_twice_without_echo(runner):
    result = runner.invoke(
        args=["staff", "add", "ed@example.org", "--name", "Ed", "--role", "editor"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "a long enough password" not in result.output
    assert by_email("ed@example.org").role.value == "editor"


def test_staff_add_refuses_a_duplicate_email_with_exit_code_1(runner, make_staff):
    make_staff("editor", email="taken@example.org")
    result = runner.invoke(
        args=[
            "staff",
            "add",
            "TAKEN@example.org",
            "--name",
            "T",
            "--role",
            "editor",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 1
    assert "already a staff account for taken@example.org" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["not-an-email", "--name", "N", "--role", "editor", "--password", "a long enough password"],
        ["n@example.org", "--name", "N", "--role", "editor", "--password", "short"],
        ["n@example.org", "--name", "N", "--role", "owner", "--password", "a long enough password"],
    ],
)
def test_staff_add_refuses_bad_input_clearly(runner, args):
    result = runner.invoke(args=["staff", "add", *args])
    assert result.exit_code in (1, 2)
    assert "Traceback" not in result.output
    assert by_email("n@example.org") is None


def test_staff_add_explains_itself(runner):
    result = runner.invoke(args=["staff", "add", "--help"])
    assert result.exit_code == 0
    assert "--role [admin|editor]" in result.output and "--password" in result.output


def test_an_attacker_elsewhere_does_not_lock_the_owner_out_of_their_own_browser(
    app, client, make_staff, login, csrf
):
    """Finding 10: ten wrong passwords used to lock the account for everyone, its owner too.
    Failures from a browser that signed in to the account before count apart."""
    user = make_staff("editor")
    assert login(user).status_code == 303  # the owner's browser has signed in before
    client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    attacker = app.test_client()
    for _ in range(8):
        data = {
            "email": user.email,
            "password": "guess!guess!",
            "csrf_token": csrf(client=attacker),
        }
        attacker.post("/staff/login", data=data, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    locked = login(user, client=attacker)
    assert locked.status_code == 429  # the attacker's browser waits, even with the password
    assert login(user).status_code == 303  # the owner's does not


def test_failures_from_the_owners_own_browser_are_limited_too(app, client, make_staff, login, csrf):
    app.config["STAFF_LOGIN_LIMIT_PER_DEVICE"] = "3 per 15 minutes"
    user = make_staff("editor")
    login(user)
    client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    for _ in range(3):
        data = {"email": user.email, "password": "wrong password!", "csrf_token": csrf()}
        assert client.post("/staff/login", data=data).status_code == 422
    blocked = login(user)
    assert blocked.status_code == 429
    assert "Too many failed sign-ins from this browser" in blocked.get_data(as_text=True)


@pytest.mark.parametrize("forge", [False, True])
def test_a_device_cookie_of_another_account_or_forged_counts_for_nothing(
    app, client, make_staff, login, csrf, forge
):
    owner, other = make_staff("editor"), make_staff("editor")
    assert login(other).status_code == 303  # this browser knows `other`, not `owner`
    client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    if forge:
        cookie = client.get_cookie("staff_device", domain="portal.test", path="/staff")
        client.set_cookie(
            "staff_device", cookie.value[:-2] + "xx", domain="portal.test", path="/staff"
        )
    for _ in range(5):
        data = {"email": owner.email, "password": "wrong password!", "csrf_token": csrf()}
        client.post("/staff/login", data=data)
    assert login(owner).status_code == 429


def test_wrong_passwords_sent_at_once_are_counted_before_they_are_tried(
    app, live_server, make_staff, monkeypatch
):
    """Twelve wrong passwords at once from twelve browsers: each is counted before its
    password is checked, atomically, so no more than the limit (5) are ever tried."""
    import http.cookiejar
    import threading
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    from portal.accounts import views

    email = make_staff("editor").email
    tried = []
    real = views.authenticate

    def slow(email, password):
        tried.append(email)
        time.sleep(0.2)  # a wide window for the others to slip in, were they not counted
        return real(email, password)

    monkeypatch.setattr(views, "authenticate", slow)
    openers = []
    for _ in range(12):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(f"{live_server}/staff/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        openers.append((opener, token))
    statuses = []

    def attempt(opener, token):
        data = urllib.parse.urlencode(
            {"email": email, "password": "wrong password!", "csrf_token": token}
        ).encode()
        try:
            statuses.append(opener.open(f"{live_server}/staff/login", data=data).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    threads = [threading.Thread(target=attempt, args=pair) for pair in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(tried) == 5
    assert sorted(statuses) == [422] * 5 + [429] * 7
