"""Logs fit for operations: an X-Request-ID on every response, whoever answers it, the same id
on every line logged for the request, text or JSON lines with their time and level, and the
back office's query strings kept out of them (gunicorn's own lines and access log included)."""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from flask import Response

from portal import create_app
from portal.core import logs

ROOT = Path(__file__).resolve().parent.parent
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
TEXT_LINE = re.compile(rf"^{STAMP} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \[\d+\] \[([^\]]+)\] \S+: ")
NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def probe(app):
    """A view that logs one line while it runs and one while its body streams."""
    log = logging.getLogger("portal.probe")

    def view():
        log.warning("looking for ada@example.org")

        def body():
            log.warning("streaming")
            yield b"ok"

        return Response(body())

    app.add_url_rule("/probe", "probe", view)
    return "/probe"


def err_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line]


# --- the request id -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "given", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e", "v1.req_2", "a" * 128]
)
def test_a_well_formed_incoming_id_is_kept(client, given):
    response = client.get("/events", headers={"X-Request-ID": given})
    assert response.headers["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given", ["", "a" * 129, "two words", "a,b", "Root=1-6789", "caf\xe9", 'x"y', "<script>"]
)
def test_a_malformed_incoming_id_is_replaced_by_a_new_one(client, given):
    response = client.get("/events", headers={"X-Request-ID": given})
    assert NEW_ID.fullmatch(response.headers["X-Request-ID"])


def test_each_request_without_an_id_gets_its_own(client):
    ids = {client.get("/events").headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3 and all(NEW_ID.fullmatch(found) for found in ids)


def test_the_host_checks_refusal_carries_an_id(client):
    response = client.get("/events", headers={"Host": "bad..host", "X-Request-ID": "lb-7"})
    assert response.status_code == 400
    assert response.headers.getlist("X-Request-ID") == ["lb-7"]


def test_a_page_from_the_fast_path_carries_an_id(app, make_event):
    flask_ran = []
    app.before_request(lambda: flask_ran.append(True))
    make_event()
    first = app.test_client().get("/events")  # rendered by Flask, then cached
    second = app.test_client().get("/events", headers={"X-Request-ID": "from-the-cache"})
    assert first.status_code == second.status_code == 200
    assert len(flask_ran) == 1, "the second answer should come from the fast path"
    assert second.headers.getlist("X-Request-ID") == ["from-the-cache"]


def test_the_app_sees_the_id_it_answers_with(app):
    seen = []

    def view():
        from flask import request

        seen.append((request.headers["X-Request-ID"], logs.request_id()))
        return "ok"

    app.add_url_rule("/seen", "seen", view)
    response = app.test_client().get("/seen", headers={"X-Request-ID": "x y"})
    assert seen == [(response.headers["X-Request-ID"],) * 2]


def test_the_id_is_forgotten_once_the_body_is_sent_or_closed():
    def wsgi_app(environ, start_response):
        start_response(
            "200 OK", [("X-Request-ID", "the app's own"), ("Content-Type", "text/plain")]
        )
        # Read while the server iterates: a streamed body's lines carry the id too.
        return (logs.request_id().encode() for _ in range(2))

    answered = {}
    middleware = logs.RequestId(wsgi_app)

    def serve():  # as a server's thread does, from a context of its own
        body = middleware({"HTTP_X_REQUEST_ID": "r-1"}, lambda s, h, e=None: answered.update(h))
        assert b"".join(body) == b"r-1r-1"
        assert logs.request_id() is None
        body.close()
        cut = middleware({"HTTP_X_REQUEST_ID": "r-2"}, lambda s, h, e=None: None)
        assert next(iter(cut)) == b"r-2"
        cut.close()  # the client went away mid-body
        assert logs.request_id() is None

    contextvars.Context().run(serve)
    assert answered == {"X-Request-ID": "r-1", "Content-Type": "text/plain"}


# --- lines in text and JSON -----------------------------------------------------------------


def test_every_line_of_a_request_carries_its_id_time_and_level(client, probe, capsys):
    capsys.readouterr()
    response = client.get(probe, headers={"X-Request-ID": "req-77"})
    assert response.get_data() == b"ok"
    lines = [line for line in err_lines(capsys) if "portal.probe" in line]
    assert len(lines) == 2, lines
    for line in lines:
        found = TEXT_LINE.match(line)
        assert found, line
        assert found.group(1) == "WARNING" and found.group(2) == "req-77"
    assert lines[1].endswith("portal.probe: streaming")  # logged while the body streamed


def test_a_traceback_has_the_head_on_every_line(app, capsys):
    capsys.readouterr()

    def fail():
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            logging.getLogger("portal.test").exception("it failed")

    contextvars.Context().run(fail)  # outside any request, as a command or a worker logs
    lines = err_lines(capsys)
    assert len(lines) >= 4 and all(TEXT_LINE.match(line) for line in lines), lines
    assert lines[0].endswith("portal.test: it failed")
    assert lines[-1].endswith("| RuntimeError: boom")
    assert all("[-]" in line for line in lines)


class TestJson:
    @pytest.fixture
    def settings(self):
        return {"LOG_FORMAT": "json"}

    def test_each_line_is_one_object_with_the_request_id(self, client, probe, capsys):
        capsys.readouterr()
        response = client.get(probe, headers={"X-Request-ID": "json-1"})
        assert response.get_data() == b"ok"
        entries = [json.loads(line) for line in err_lines(capsys)]
        mine = [entry for entry in entries if entry["logger"] == "portal.probe"]
        assert [entry["message"] for entry in mine] == [
            "looking for ada@example.org",
            "streaming",
        ]
        for entry in mine:
            assert entry["level"] == "WARNING" and entry["request_id"] == "json-1"
            assert re.fullmatch(STAMP, entry["time"]) and entry["process"] == os.getpid()

    def test_a_traceback_and_extra_fields_stay_on_one_line(self, app, capsys):
        capsys.readouterr()

        def fail():
            try:
                raise ValueError("bad\nvalue")
            except ValueError:
                log = logging.getLogger("portal.test")
                log.exception("failed %s", "here", extra={"count": 3})

        contextvars.Context().run(fail)
        (line,) = err_lines(capsys)
        entry = json.loads(line)
        assert entry["message"] == "failed here" and entry["count"] == 3
        assert entry["request_id"] is None
        assert entry["exception"].startswith("Traceback")
        assert "ValueError: bad" in entry["exception"]


@pytest.mark.parametrize(
    ("value", "kind"), [(None, "text"), ("", "text"), ("JSON", "json"), ("text", "text")]
)
def test_the_format_setting(value, kind):
    assert logs.log_format(value) == kind


def test_an_unknown_format_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="PORTAL_LOG_FORMAT must be text or json"):
        create_app({"LOG_FORMAT": "xml", "SECRET_KEY": "x"}, instance_path=str(tmp_path))


def test_an_unknown_level_stops_the_app_at_start(tmp_path):
    with pytest.raises(ValueError, match="PORTAL_LOG_LEVEL must be one of"):
        create_app({"LOG_LEVEL": "loud", "SECRET_KEY": "x"}, instance_path=str(tmp_path))


# --- /staff/ query strings ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"GET /staff/inbox?q=ada@example.org HTTP/1.1"', '"GET /staff/inbox?[redacted] HTTP/1.1"'),
        ("GET /staff?q=x", "GET /staff?[redacted]"),
        (
            "https://portal.test/staff/inbox/export.csv?q=a&status=new#top",
            "https://portal.test/staff/inbox/export.csv?[redacted]#top",
        ),
        ("GET /events?q=berlin", "GET /events?q=berlin"),
        ("GET /staffing?q=x", "GET /staffing?q=x"),
        ("/staff/inbox without a query", "/staff/inbox without a query"),
    ],
)
def test_staff_query_strings_are_redacted(text, expected):
    assert logs.redact(text) == expected


def test_a_logged_staff_address_loses_its_query(app, capsys):
    capsys.readouterr()
    logging.getLogger("werkzeug").info('"GET /staff/inbox?q=ada%40example.org HTTP/1.1" 200 -')
    (line,) = err_lines(capsys)
    assert "ada" not in line and "/staff/inbox?[redacted]" in line


# --- gunicorn -------------------------------------------------------------------------------


def test_gunicorns_settings_do_not_import_the_app():
    """The master must not hold the app's modules, or a HUP reload forks workers that run the
    code of the first start."""
    script = (
        "import runpy, sys; settings = runpy.run_path('gunicorn.conf.py'); "
        "print(sorted(m for m in sys.modules if m == 'portal' or m.startswith(('portal.', "
        "'flask', 'sqlalchemy')))); print(settings['logger_class'].__name__, settings['pidfile'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "PortalLogger None"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn app:app` with the repository's gunicorn.conf.py, one worker, on a database
    migrated for it; its standard output and error kept in files."""

    def __init__(self, folder: Path, database_uri: str, log_format: str) -> None:
        self.folder = folder
        self.port = free_port()
        self.pidfile = folder / "run" / "gunicorn.pid"
        self.pidfile.parent.mkdir()
        self.out, self.err = folder / "stdout", folder / "stderr"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PORTAL_"))}
        env.update(
            PORTAL_SQLALCHEMY_DATABASE_URI=database_uri,
            PORTAL_SECRET_KEY="k" * 64,
            PORTAL_LOG_FORMAT=log_format,
            PORTAL_PAGE_CACHE="false",
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            GUNICORN_PIDFILE=str(self.pidfile),
            WEB_CONCURRENCY="1",
        )
        self.env = env
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [str(Path(sys.executable).with_name("gunicorn")), "app:app"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=err,
            )
        self.wait_until(lambda: self.get("/healthz")[0] == 200, "gunicorn did not start")

    def get(self, path: str, **headers) -> tuple[int, dict]:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers)
        except OSError:
            return 0, {}

    def wait_until(self, condition, message: str, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            assert self.process.poll() is None, self.err.read_text()
            time.sleep(0.1)
        raise AssertionError(f"{message}:\n{self.err.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)


@pytest.fixture
def served(tmp_path, database_uri):
    started = []

    def start(log_format: str) -> Gunicorn:
        started.append(Gunicorn(tmp_path, database_uri, log_format))
        return started[-1]

    yield start
    for server in started:
        server.stop()


def test_gunicorn_writes_json_lines_with_the_request_id_and_redacts_staff_queries(served):
    server = served("json")
    status, headers = server.get(
        "/staff/login?next=/staff/inbox%3Fq%3Dada", **{"X-Request-ID": "lb-1234"}
    )
    assert status == 200 and headers["X-Request-ID"] == "lb-1234"
    status, headers = server.get("/events?q=berlin")
    assert status == 200
    public_id = headers["X-Request-ID"]
    server.stop()

    access = [json.loads(line) for line in server.out.read_text().splitlines()]
    staff = next(entry for entry in access if entry["path"] == "/staff/login")
    assert staff["request_id"] == "lb-1234" and staff["query"] == "[redacted]"
    assert "ada" not in json.dumps(staff) and staff["status"] == 200
    assert staff["method"] == "GET" and staff["logger"] == "gunicorn.access"
    public = next(entry for entry in access if entry["path"] == "/events")
    assert public["request_id"] == public_id and public["query"] == "q=berlin"
    errors = [json.loads(line) for line in server.err.read_text().splitlines()]
    assert any(entry["message"].startswith("Starting gunicorn") for entry in errors)
    assert all(entry["level"] and re.fullmatch(STAMP, entry["time"]) for entry in errors)


@pytest.mark.slow
def test_gunicorn_text_lines_and_a_reload_through_its_pidfile(served):
    server = served("text")
    master = int(server.pidfile.read_text())
    assert master == server.process.pid
    assert server.get("/events", **{"X-Request-ID": "before-reload"})[0] == 200
    os.kill(int(server.pidfile.read_text()), signal.SIGHUP)
    server.wait_until(lambda: server.err.read_text().count("Booting worker") >= 2, "no reload")
    server.wait_until(
        lambda: server.get("/events", **{"X-Request-ID": "after-reload"})[0] == 200, "no answer"
    )
    assert server.process.poll() is None and int(server.pidfile.read_text()) == master
    check = subprocess.run(  # the image's HEALTHCHECK, against this gunicorn
        [sys.executable, "deploy/healthcheck.py"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert check.returncode == 0 and check.stdout.startswith("200 "), check.stdout
    server.stop()
    assert not server.pidfile.exists()  # removed on a clean stop

    lines = server.out.read_text().splitlines() + server.err.read_text().splitlines()
    assert all(TEXT_LINE.match(line) for line in lines), lines
    access = server.out.read_text()
    assert '[before-reload] gunicorn.access: 127.0.0.1 "GET /events HTTP/1.1" 200' in access
    assert "[after-reload] gunicorn.access" in access
    assert "Handling signal: hup" in server.err.read_text()
