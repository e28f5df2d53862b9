"""Fixtures: an app on a freshly migrated database (SQLite, or PostgreSQL when
PORTAL_TEST_DATABASE_URL names one), its client and CLI runner, a frozen clock and factories."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import threading
from contextlib import contextmanager
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from urllib.parse import urlencode

import pytest
import time_machine
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, inspect, select, text

from portal import create_app
from portal.events.models import Event, EventFormat, EventKind, EventLink, EventStatus, Project
from portal.extensions import db

pytest_plugins = ["browser"]  # live_server, chromium and page: tests/browser.py

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
# The demo catalogue is of 2024-2025: tests look at it from a fixed day.
FROZEN_NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)


def _settings(uri: str) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests post many forms from one address; the rate-limit tests set their own limits.
        "INQUIRY_RATELIMIT_PER_EMAIL": "1000 per hour",
        "INQUIRY_RATELIMIT_PER_IP": "1000 per hour",
        "CALENDAR_RENDER_LIMIT": "100000 per minute",
        "SERVER_NAME": "portal.test",
        # Cheap argon2 parameters: tests sign in hundreds of times.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
    }


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per session: a SQLite file to copy, or the PostgreSQL schema to reuse."""
    if PG_URL:
        engine = create_engine(PG_URL)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        uri = PG_URL
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('template') / 'portal.db'}"
    app = create_app(_settings(uri), instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


def _truncate_all(uri: str) -> None:
    engine = create_engine(uri)
    kept = {"alembic_version", "catalogue_state"}  # rows the migrations put there
    tables = [t for t in inspect(engine).get_table_names() if t not in kept]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(text("UPDATE catalogue_state SET version = 0"))
    engine.dispose()


@pytest.fixture
def database_uri(database_template, tmp_path) -> str:
    if PG_URL:
        yield database_template
        _truncate_all(database_template)
        return
    copy = tmp_path / "portal.db"
    shutil.copy(database_template.removeprefix("sqlite:///"), copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def settings() -> dict:
    """Extra configuration for one test: override this fixture or update the dict."""
    return {}


@pytest.fixture
def app(database_uri, tmp_path, settings):
    app = create_app({**_settings(database_uri), **settings}, instance_path=str(tmp_path / "inst"))

    # The test keeps an app context pushed, so its requests share the test's session. In
    # production each request starts a fresh one: start each request from expired objects so
    # it reads what the database holds now, as a fresh session would.
    @app.before_request
    def _fresh_session() -> None:
        db.session.expire_all()
        # The shared app context also shares `g`: forget the signed-in user and the CSRF token
        # that Flask-Login and Flask-WTF keep there, as a new request's context would.
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def frozen_now():
    with time_machine.travel(FROZEN_NOW, tick=False):
        yield FROZEN_NOW


@pytest.fixture
def travel():
    """Move the clock to a given instant for the rest of the test: travel(datetime(...))."""
    travellers = []

    def go(moment: datetime):
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield go
    for traveller in reversed(travellers):
        traveller.stop()


@pytest.fixture
def make_project(app):
    def make(slug: str = "openstack", name: str | None = None) -> Project:
        project = db.session.scalar(select(Project).where(Project.slug == slug))
        if project is None:
            project = Project(slug=slug, name=name or slug.replace("-", " ").title())
            db.session.add(project)
            db.session.commit()
        return project

    return make


@pytest.fixture
def make_event(app, make_project):
    counter = iter(range(1, 1_000_000))

    def make(projects: tuple[str, ...] = (), links: tuple[tuple, ...] = (), **overrides) -> Event:
        number = next(counter)
        values = dict(
            slug=f"event-{number}",
            title=f"Event {number}",
            summary="",
            kind=EventKind.OPENINFRA_DAYS,
            format=EventFormat.IN_PERSON,
            status=EventStatus.PUBLISHED,
            starts_on=date(2025, 3, 6),
            ends_on=date(2025, 3, 6),
            timezone="UTC",
            city="Springfield",
            country="US",
        )
        values.update(overrides)
        event_ = Event(**values)
        event_.projects = [make_project(slug) for slug in projects]
        event_.links = [
            EventLink(kind=kind, state=state, url=url, position=position)
            for position, (kind, state, url) in enumerate(links)
        ]
        db.session.add(event_)
        db.session.commit()
        return event_

    return make


@pytest.fixture
def make_tier(app):
    """`make_tier("gold", annual_fee=15_000_000)`: a membership tier (fees in cents)."""
    from portal.inquiries.models import MembershipTier

    positions = iter(range(1_000_000))

    def make(slug: str = "gold", **overrides) -> MembershipTier:
        values = dict(slug=slug, name=slug.replace("-", " ").title(), position=next(positions))
        tier = MembershipTier(**{**values, **overrides})
        db.session.add(tier)
        db.session.commit()
        return tier

    return make


@pytest.fixture
def make_member(app, make_tier):
    """`make_member("Rackspace", tier)`: a company in the member directory."""
    from portal.inquiries.models import Member

    def make(name: str = "Rackspace", tier=None, **overrides) -> Member:
        member = Member(name=name, tier=tier or make_tier(), **overrides)
        db.session.add(member)
        db.session.commit()
        return member

    return make


@pytest.fixture
def make_package(app):
    """`make_package(event, "coffee", price=250_000, available=2)`: a sponsorship package on
    sale through the portal (the event's Sponsor link then leads to its sponsorship page)."""
    from portal.core.saving import saving
    from portal.inquiries.models import SponsorshipPackage
    from portal.inquiries.operations import offer_sponsorship

    positions = iter(range(1_000_000))

    def make(event, slug: str = "coffee", **overrides) -> SponsorshipPackage:
        values = dict(slug=slug, name=slug.replace("-", " ").title(), position=next(positions))
        package = SponsorshipPackage(**{**values, **overrides})
        with saving():
            offer_sponsorship(event, [package])
        return package

    return make


@pytest.fixture
def make_contact(app):
    """`make_contact("events@example.org", is_default=True)`: someone who answers inquiries."""
    from portal.inquiries.models import StaffContact

    def make(email: str = "events@example.org", **overrides) -> StaffContact:
        values = dict(name=email.split("@")[0].title(), email=email, team="Events")
        contact = StaffContact(**{**values, **overrides})
        db.session.add(contact)
        db.session.commit()
        return contact

    return make


@pytest.fixture
def make_rule(app):
    """`make_rule("Sponsorship", InquiryKind.SPONSORSHIP, [contact], event=event)`: a routing
    rule sending inquiries of a kind (about an event, tier or package) to contacts."""
    from portal.inquiries.models import RoutingRule

    def make(name: str, kind, contacts: list, **criteria) -> RoutingRule:
        rule = RoutingRule(name=name, kind=kind, contacts=list(contacts), **criteria)
        db.session.add(rule)
        db.session.commit()
        return rule

    return make


@pytest.fixture
def seeded(app):
    from portal.events.demo import seed_events

    seed_events()


@pytest.fixture
def count_queries(app):
    """`with count_queries() as counted: ...` then `counted.total`: SQL statements run."""

    class Counted:
        total = 0
        statements: list[str] = []

    @contextmanager
    def counting():
        counted = Counted()
        counted.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            counted.total += 1
            counted.statements.append(statement)

        # The test and its requests share one app context and so one session: start the
        # request from an empty identity map, as a fresh worker would.
        db.session.expunge_all()
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counted
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives. `answer` makes
    it refuse messages ("451 ..." or "550 ..."); stop() leaves nothing listening on the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, list[str], bytes]] = []
        self.answer: str | None = None
        self.delay = 0.0  # seconds per message, to let concurrent deliverers overlap
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer:
            return self.answer
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [
                BytesParser(policy=policy.default).parsebytes(content)
                for _, _, content in self.received
            ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_settings(smtp_server) -> dict:
    return {
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_server.port,
        "MAIL_TIMEOUT": 5,
        "MAIL_INLINE_TIMEOUT": 2,
    }


CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def submit(client):
    """submit(path, **fields): GET the form, then POST it with its CSRF token and the fields
    (complete, valid values unless overridden; pass None to leave a field out)."""

    def post(path: str, **fields):
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        token = CSRF_INPUT.search(page.get_data(as_text=True)).group(1)
        data = {
            "csrf_token": token,
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "organization": "Analytical Engines Ltd",
            "message": "We would like to know more, please.",
            "consent": "y",
        }
        data.update(fields)
        return client.post(path, data={k: v for k, v in data.items() if v is not None})

    return post


# --- Back office (staff) -------------------------------------------------------------------

STAFF_PASSWORD = "a long enough password"
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


@pytest.fixture
def csrf(client):
    """`csrf(path)`: the CSRF token of the form on that page, as a browser would read it."""

    def token(path: str = "/staff/login", client=client) -> str:
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        found = CSRF_INPUT.search(page)
        assert found, f"no CSRF token on {path}"
        return next(group for group in found.groups() if group)

    return token


@pytest.fixture
def make_staff(app):
    from portal.accounts.models import StaffRole
    from portal.accounts.operations import add_staff
    from portal.core.saving import saving

    counter = iter(range(1, 1_000_000))

    def make(role: str = "editor", email: str | None = None, password: str = STAFF_PASSWORD):
        number = next(counter)
        address = email or f"{role}{number}@example.org"
        with saving():
            return add_staff(address, f"{role.title()} {number}", StaffRole(role), password)

    return make


@pytest.fixture
def login(client, csrf):
    """`login(user)` signs `user` in through /staff/login; returns the response."""

    def sign_in(user, password: str = STAFF_PASSWORD, client=client, next_: str | None = None):
        path = "/staff/login" + (f"?{urlencode({'next': next_})}" if next_ else "")
        data = {"email": user.email, "password": password, "csrf_token": csrf(client=client)}
        return client.post(path, data=data)

    return sign_in


@pytest.fixture
def editor(make_staff, login):
    user = make_staff("editor")
    assert login(user).status_code == 303
    return user


@pytest.fixture
def admin(make_staff, login):
    user = make_staff("admin")
    assert login(user).status_code == 303
    return user


@pytest.fixture
def routed_gold(make_tier, make_contact, make_rule):
    """The Gold tier, whose membership inquiries a rule routes to the default contact."""
    from portal.inquiries.models import InquiryKind

    contact = make_contact("members@example.org", is_default=True)
    make_rule("Membership", InquiryKind.MEMBERSHIP, [contact])
    return make_tier("gold")


def explain(statement, *switches: str) -> str:
    """PostgreSQL's plan for `statement` with the planner's `switches` off (enable_seqscan,
    enable_sort, ...): a test's few rows would rather be read whole, so the way an index can
    answer a statement shows only with the alternatives priced out."""
    compiled = statement.compile(db.engine)
    with db.engine.connect() as connection:
        for switch in switches:
            connection.execute(text(f"SET {switch} = off"))
        # Planned with its parameters' values, as the portal's statements are.
        plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        return "\n".join(plan.scalars())


def inquire(applicant, kind, **about):
    """Submit an inquiry as the public forms do: stored and committed, its mail tried at once."""
    from flask import current_app

    from portal.core.saving import saving
    from portal.inquiries.operations import submit_inquiry
    from portal.mail.delivery import deliver_now

    with saving():
        submitted = submit_inquiry(applicant, kind, **about)
    deliver_now(current_app._get_current_object(), submitted.message_ids)
    return submitted
