"""The production path: /healthz reports the database and Redis apart, and the portal
survives a PostgreSQL restart without being restarted (on a cluster this test starts itself)."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from portal import create_app
from portal.extensions import db

PG_BIN = Path("/usr/lib/postgresql/15/bin")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
NO_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_reports_a_redis_that_does_not_answer_apart(app, tmp_path):
    broken = create_app({**app.config, "CACHE_REDIS_URL": NO_REDIS}, str(tmp_path / "b"))
    with broken.app_context():
        response = broken.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200  # Redis is a cache: the portal still serves
    assert response.json["status"] == "degraded"
    assert response.json["database"] == "ok" and response.json["redis"] == "unreachable"


def test_healthz_reports_a_rate_limit_store_that_does_not_answer(app, tmp_path):
    broken = create_app({**app.config, "RATELIMIT_STORAGE_URI": NO_REDIS}, str(tmp_path / "b"))
    with broken.app_context():
        response = broken.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200  # limits are counted in each process meanwhile
    assert response.json["rate_limit_store"] == "unreachable"
    assert response.json["database"] == "ok"


@pytest.mark.redis
def test_healthz_reports_redis_when_it_answers(app, tmp_path):
    other = create_app({**app.config, "CACHE_REDIS_URL": REDIS_URL}, str(tmp_path / "b"))
    with other.app_context():
        response = other.test_client().get("/healthz")
        db.session.remove()
        db.engine.dispose()
    assert response.status_code == 200
    assert response.json["status"] == "ok" and response.json["redis"] == "ok"


class Cluster:
    """A throwaway PostgreSQL cluster on a free port (as the `postgres` user when run as root:
    initdb refuses root)."""

    def __init__(self, root: Path) -> None:
        self.data = root / "data"
        self.log = root / "log"
        self.port = free_port()
        self.prefix = []
        if os.geteuid() == 0:
            self.prefix = ["runuser", "-u", "postgres", "--"]
            shutil.chown(root, "postgres")
        self.run(PG_BIN / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres")

    def run(self, *command) -> None:
        done = subprocess.run([*self.prefix, *map(str, command)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    def ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self.run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", action)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster():
    if not (PG_BIN / "initdb").exists() or (os.geteuid() == 0 and not shutil.which("runuser")):
        pytest.skip("no PostgreSQL 15 binaries to start a cluster with")
    # Not under pytest's root-only temporary folder: the postgres user must reach it.
    root = Path(tempfile.mkdtemp(prefix="portal-pg-"))
    try:
        found = Cluster(root)
        found.ctl("start")
        yield found
        found.ctl("stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow  # a cluster of its own, started three times
def test_the_portal_survives_a_postgresql_restart(cluster, tmp_path):
    from flask_migrate import upgrade

    settings = {"SQLALCHEMY_DATABASE_URI": cluster.url, "SECRET_KEY": "x" * 32, "TESTING": True}
    portal = create_app(settings, instance_path=str(tmp_path / "inst"))
    with portal.app_context():
        upgrade()
        db.session.remove()
    client = portal.test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/events").status_code == 200  # the pool now holds a connection

    cluster.ctl("stop")
    down = client.get("/healthz")
    assert down.status_code == 503
    assert down.json["status"] == "unavailable" and down.json["database"] == "unreachable"

    cluster.ctl("start")
    # The health check answers within a second whatever the database does, so on a loaded
    # machine its first look after the start may come too early: a load balancer asks again.
    deadline = time.monotonic() + 15
    while (health := client.get("/healthz")).status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health.status_code == 200
    assert client.get("/events").status_code == 200

    cluster.ctl("restart")  # no request in between: the pooled connections are all dead
    assert client.get("/events").status_code == 200
    assert client.get("/healthz").json["database"] == "ok"
    with portal.app_context():
        db.engine.dispose()
