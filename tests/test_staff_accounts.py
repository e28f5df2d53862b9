"""Staff accounts managed by admins, and what the audit log says about them."""

from portal.accounts.operations import by_email


def test_an_admin_creates_an_editor_who_can_sign_in(client, admin, csrf, login):
    data = {"email": "New@Example.org", "name": "New Editor", "role": "editor",
            "password": "a long enough password", "confirm": "a long enough password",
            "csrf_token": csrf("/staff/accounts/new")}  # fmt: skip
    assert client.post("/staff/accounts/new", data=data).status_code == 303
    again = client.post("/staff/accounts/new", data=data)
    assert again.status_code == 422 and "already a staff account" in again.get_data(as_text=True)
    audit = client.get("/staff/audit/?object_type=staff").get_data(as_text=True)
    assert "staff.add" in audit and "new@example.org" in audit and "argon2" not in audit
    client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    assert login(by_email("new@example.org")).status_code == 303


def test_an_admin_cannot_deactivate_themself_but_can_deactivate_others(
    client, admin, csrf, make_staff
):
    other = make_staff("editor")
    token = csrf("/staff/accounts/")
    client.post(f"/staff/accounts/{admin.id}/deactivate", data={"csrf_token": token})
    assert "cannot deactivate your own" in client.get("/staff/accounts/").get_data(as_text=True)
    assert by_email(admin.email).active
    client.post(f"/staff/accounts/{other.id}/deactivate", data={"csrf_token": token})
    assert not by_email(other.email).active
    client.post(f"/staff/accounts/{other.id}/activate", data={"csrf_token": token})
    assert by_email(other.email).active


def test_new_accounts_default_to_editor_and_a_forbidden_page_keeps_the_staff_menu(
    app, client, make_staff, login
):
    admin = make_staff("admin", email="root@example.org")
    assert login(admin).status_code == 303
    form = client.get("/staff/accounts/new").get_data(as_text=True)
    assert '<option selected value="editor">Editor</option>' in form
    other = app.test_client()
    editor = make_staff("editor", email="ed@example.org")
    assert login(editor, client=other).status_code == 303
    response = other.get("/staff/audit/")
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "Manage events" in page and "Sign out" in page


def test_the_audit_log_reads_in_words(client, admin, make_event):
    from portal.core.saving import saving
    from portal.events import operations

    event = make_event(status="published")
    with saving():
        operations.cancel(event, admin, "Rain.")
    page = client.get("/staff/audit/").get_data(as_text=True)
    assert "Event cancelled<br><code" in page
    assert "[" not in page.split("<table", 1)[1].split("</table>")[0].replace("[]", "")
