"""Fixtures: an app on a freshly migrated database (SQLite, or PostgreSQL when
PORTAL_TEST_DATABASE_URL names one), its client and CLI runner, a frozen clock and factories.

Each test gets a new app on a database of its own: a copy of a SQLite file migrated once per
process, or, on PostgreSQL, the process's database (one per xdist worker) emptied after the
test. Helpers that are not fixtures live in tests/helpers.py; the markers are in pyproject.toml
and CONTRIBUTING.md says which a test takes."""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from datetime import date, datetime
from urllib.parse import urlencode

import pytest
import time_machine
import werkzeug.routing.rules
from flask import g
from flask_migrate import upgrade
from helpers import (  # noqa: F401  (the names tests once imported from here)
    CSRF_INPUT,
    FROZEN_NOW,
    PG_URL,
    REDIS_URL,
    STAFF_PASSWORD,
    SMTPServer,
    base_settings,
    csrf_token,
    explain,
    free_port,
    inquire,
    worker_database_url,
)
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.core import version
from portal.events.models import Event, EventFormat, EventKind, EventLink, EventStatus, Project
from portal.extensions import db

pytest_plugins = ["browser"]  # live_server, chromium and page: tests/browser.py

_settings = base_settings  # the name an older test may still import


# --- Speed ---------------------------------------------------------------------------------
# Werkzeug compiles a URL builder (Python source, through ast and compile()) for every rule of
# every app: four fifths of create_app, which runs once per test. The code depends only on the
# rule's text, its parts, its defaults and its converters' types, and the function is bound to
# each Rule afterwards, so one compiled builder serves every app's copy of a rule.
_compile_builder = werkzeug.routing.rules.Rule._compile_builder
_builders: dict[tuple, object] = {}


def _shared_builder(self, append_unknown: bool = True):
    defaults = self.defaults or {}
    key = (
        self.rule,
        tuple(self._trace),
        append_unknown,
        repr(sorted(defaults.items())),
        tuple(sorted((name, type(value).__name__) for name, value in self._converters.items())),
    )
    found = _builders.get(key)
    if found is None:
        found = _builders[key] = _compile_builder(self, append_unknown)
    return found


werkzeug.routing.rules.Rule._compile_builder = _shared_builder


class SharedBytecode(BytecodeCache):
    """Compiled templates kept across the process's apps (keyed by name and source checksum,
    so an edited template compiles again): each test builds a fresh app, and compiling every
    template it renders again per test would make up much of the run. What renders is
    unchanged."""

    compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


BYTECODE = SharedBytecode()


# --- Markers -------------------------------------------------------------------------------


def pytest_collection_modifyitems(config, items) -> None:
    """`postgres` and `redis` tests skip without their server; `redis` tests share one xdist
    worker (the page cache's keys in Redis are the same for every process); a test that
    drives Chromium is a `browser` test even if it forgot to say so."""
    no_postgres = pytest.mark.skip(reason="PORTAL_TEST_DATABASE_URL names no PostgreSQL")
    no_redis = pytest.mark.skip(reason="PORTAL_TEST_REDIS_URL names no Redis")
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "page" in fixtures or "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("postgres") and not PG_URL:
            item.add_marker(no_postgres)
        if item.get_closest_marker("redis"):
            item.add_marker(pytest.mark.xdist_group("redis"))
            if not REDIS_URL:
                item.add_marker(no_redis)


# --- The database and the app --------------------------------------------------------------


def _create_database(url: str) -> None:
    """Create the PostgreSQL database of `url` if it is missing (CI's role may)."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory) -> str:
    """Migrate once per process: a SQLite file to copy, or this worker's PostgreSQL database
    (test_gw0, test_gw1... beside the one PORTAL_TEST_DATABASE_URL names)."""
    if PG_URL:
        uri = worker_database_url(PG_URL)
        _create_database(uri)
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = f"sqlite:///{tmp_path_factory.mktemp('template') / 'portal.db'}"
    app = create_app(base_settings(uri), instance_path=str(tmp_path_factory.mktemp("instance")))
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
    config = {**base_settings(database_uri), **settings}
    app = create_app(config, instance_path=str(tmp_path / "inst"))
    app.jinja_env.bytecode_cache = BYTECODE

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
        g.pop("_flask_babel", None)  # Flask-Babel's locale of the request before

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
    from portal.offer.models import MembershipTier

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
    from portal.offer.models import Member

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
    from portal.offer.models import SponsorshipPackage
    from portal.offer.operations import offer_sponsorship

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

    # The catalogue version is read again once CALENDAR_VERSION_TTL (1 s) has passed: on a
    # loaded machine a render can take that long and add a statement. A change made in this
    # process still makes the next request read it (catalogue_changed), which is what the
    # counts are about.
    app.extensions[version.EXTENSION].ttl = float("inf")

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


@pytest.fixture
def submit(client):
    """submit(path, **fields): GET the form, then POST it with its CSRF token and the fields
    (complete, valid values unless overridden; pass None to leave a field out)."""

    def post(path: str, **fields):
        page = client.get(path)
        assert page.status_code == 200, page.status_code
        token = csrf_token(page.get_data(as_text=True))
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


@pytest.fixture
def csrf(client):
    """`csrf(path)`: the CSRF token of the form on that page, as a browser would read it."""

    def token(path: str = "/staff/login", client=client) -> str:
        page = client.get(path, follow_redirects=True).get_data(as_text=True)
        found = csrf_token(page)
        assert found, f"no CSRF token on {path}"
        return found

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
