"""Abuse that the forms must answer right (issue 9): the per-address limit reads the address
as the form stores it, consent is only a yes, zones are IANA names, addresses with unbalanced
brackets are refused and not a 500."""

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def membership(make_tier, make_contact, make_rule):
    contact = make_contact("jimmy@openinfra.dev", name="Jimmy McArthur", team="Membership")
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [contact])
    return make_tier("gold", name="Gold")


def stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Inquiry))


class TestTheAddressLimitReadsTheStoredAddress:
    @pytest.fixture
    def settings(self):
        return {"INQUIRY_RATELIMIT_PER_EMAIL": "3 per hour"}

    @pytest.mark.parametrize(
        "variants",
        [
            [
                "\u200b",
                "\u2060",
                "\u00ad",
                "\ufeff",
            ],  # invisible: zero-width, joiner, soft hyphen, BOM
            [" ", "\t", "\u00a0", "  "],  # spaces around it
        ],
    )
    def test_invisible_characters_do_not_make_a_new_address(self, submit, membership, variants):
        statuses = [
            submit("/membership", email=f"target@example.com{mark}").status_code
            for mark in ["", *variants]
        ]
        assert statuses[:3] == [303, 303, 303]
        assert set(statuses[3:]) == {429}
        assert stored() == 3

    def test_case_and_an_idna_domain_do_not_make_a_new_address(self, submit, membership):
        addresses = ["ada@bücher.de", "ADA@BÜCHER.DE", "ada@xn--bcher-kva.de", "Ada@Bücher.de"]
        statuses = [submit("/membership", email=address).status_code for address in addresses]
        assert statuses == [303, 303, 303, 429]


@pytest.mark.parametrize("value", ["0", "off", "false", "no", "", "n", "maybe"])
def test_only_a_yes_counts_as_consent(submit, membership, value):
    response = submit("/membership", tier="gold", consent=value)
    assert response.status_code == 422
    assert "We can only answer if you agree to this." in response.get_data(as_text=True)
    assert stored() == 0


@pytest.mark.parametrize("value", ["y", "on"])
def test_the_checkbox_value_counts_as_consent(submit, membership, value):
    assert submit("/membership", tier="gold", consent=value).status_code == 303
    assert stored() == 1


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posixrules", "posix/Europe/Berlin"])
def test_only_iana_zone_names_are_accepted(client, editor, csrf, zone):
    from test_staff_events import form_data

    response = client.post(
        "/staff/events/new", data=form_data(csrf("/staff/events/new"), timezone=zone)
    )
    assert response.status_code == 422
    assert "Choose a time zone by its IANA name" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["https://[example.org/register", "http://]x", "http://[::1"])
def test_a_link_with_an_unbalanced_bracket_is_refused_beside_its_field(client, editor, csrf, url):
    from test_staff_events import form_data

    data = form_data(csrf("/staff/events/new"), **{"register-url": url})
    response = client.post("/staff/events/new", data=data)
    assert response.status_code == 422
    assert '<a href="#register-url">' in response.get_data(as_text=True)


@pytest.mark.parametrize("title", ["Line\nbreak", "Line\r\nbreak", "Tab\there", "Zero\u200bwidth"])
def test_titles_with_control_characters_are_refused_by_the_event_form(client, editor, csrf, title):
    from test_staff_events import form_data

    data = form_data(csrf("/staff/events/new"), title=title)
    response = client.post("/staff/events/new", data=data)
    assert response.status_code == 422
    assert "One line, without line breaks" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "field"),
    [("/staff/tiers/new", "name"), ("/staff/contacts/new", "team"), ("/staff/routing/new", "name")],
)
def test_one_line_fields_of_the_sales_forms_refuse_line_breaks(client, admin, csrf, path, field):
    data = {"name": "Gold", "slug": "gold", "currency": "USD", "email": "a@example.org"}
    data.update({field: "Evil\r\nBcc: victim@example.org", "csrf_token": csrf(path)})
    response = client.post(path, data=data)
    assert response.status_code == 422
    assert "One line, without line breaks" in response.get_data(as_text=True)


def test_a_title_with_a_line_break_already_stored_is_harmless_in_every_output(client, make_event):
    import icalendar

    make_event(slug="broken", title="First line\r\nX-Evil: 1\nSecond")
    single = client.get("/events/broken.ics")
    assert single.status_code == 200
    parsed = icalendar.Calendar.from_ical(single.data)
    assert "\n" not in str(parsed["NAME"]) and "X-EVIL" not in parsed
    [vevent] = parsed.walk("VEVENT")
    # The line breaks stay text inside SUMMARY (escaped), not new properties.
    assert str(vevent["SUMMARY"]).split() == ["First", "line", "X-Evil:", "1", "Second"]
    assert "X-EVIL" not in vevent
    assert client.get("/events.ics").status_code == 200
    assert client.get("/events/broken").status_code == 200


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254, the cloud metadata service
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b:1::a00:1",  # local-use NAT64
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::a9fe:a9fe",  # IPv4-compatible
        "::ffff:169.254.169.254",  # IPv4-mapped
        "ff02::1",  # multicast
        "ff0e::1",  # global-scope multicast
        "224.0.0.1",
        "10.0.0.1",
        "169.254.169.254",
        "::1",
        "fd00::1",
        "100.64.0.1",  # shared address space (carrier-grade NAT)
    ],
)
def test_the_import_fetches_from_no_address_that_is_not_plainly_global(address, monkeypatch):
    import socket

    from portal.events.ical import remote as ical_fetch

    def resolve(host, port, *args, **kwargs):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(ical_fetch.FetchFailed, match="private address"):
        ical_fetch.check_address("https://calendar.example.org/feed.ics", allow_private=False)
    with pytest.raises(ical_fetch.FetchFailed, match="private address"):
        ical_fetch.fetch("https://calendar.example.org/feed.ics", max_bytes=1000, timeout=1)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_global_addresses_pass_the_check(address):
    import ipaddress

    from portal.events.ical.remote import is_public

    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "query",
    ["endpoint=x", "_method=POST", "past=1&page=5&endpoint=x", "_anchor=x&_external=1", "q=a&q=b"],
)
@pytest.mark.parametrize("who", ["visitor", "editor"])
def test_parameters_named_like_url_fors_own_break_no_list(client, make_staff, login, query, who):
    """Found by the hostile suite: the list passed every query parameter to url_for."""
    if who == "editor":
        login(make_staff("editor"))  # signed in: the page is rendered afresh, not cached
    for path in ("/events", "/events/month/2025-03"):
        assert client.get(f"{path}?{query}").status_code == 200
