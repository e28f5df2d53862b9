"""An editor in a real browser, without JavaScript: sign in, open the inbox and an inquiry,
move it to "in progress" and add a note."""

import re

import pytest
from helpers import inquire
from playwright.sync_api import expect

from portal.inquiries.models import InquiryKind
from portal.inquiries.operations import Applicant

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


def test_an_editor_works_an_inquiry_through_the_inbox(
    chromium, live_server, make_staff, make_contact
):
    editor = make_staff("editor", password=PASSWORD)
    make_contact("members@example.org", team="Membership", is_default=True)
    inquire(
        Applicant("Grace Hopper", "grace@example.org", "Navy", "We would like to join."),
        InquiryKind.MEMBERSHIP,
    )
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/staff/inquiries/")
        page.get_by_label("Email").fill(editor.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/staff/inquiries/")
        page.get_by_role("link", name="Grace Hopper").click()
        heading = page.get_by_role("heading", level=1).inner_text()
        assert re.fullmatch(r"Membership inquiry Q-\d{6} from Grace Hopper", heading), heading
        page.get_by_role("button", name="Mark in progress").click()
        # A click returns before the next page loads: wait for it (a loaded machine is slow).
        page.get_by_text("The inquiry is now in progress.").wait_for()
        page.get_by_label("Add a note").fill("Called Grace; sending the agreement.")
        page.get_by_role("button", name="Add note").click()
        page.get_by_text("Note added.").wait_for()
        note = page.get_by_role("listitem").get_by_text("Called Grace; sending the agreement.")
        expect(note).to_be_visible()  # among the notes (the history names it too)
        expect(page.get_by_role("button", name="Mark won")).to_be_visible()
    finally:
        context.close()
