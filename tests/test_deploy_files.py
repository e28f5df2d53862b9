"""The deployment files read as their tools read them, without a Docker engine or a systemd at
hand: compose.yaml and the Dockerfile parsed, the systemd units parsed (and verified by
`systemd-analyze` where it is installed), every command they run a command of the app's CLI,
every variable they set one that the portal, Flask, Flask-SQLAlchemy, Flask-Limiter or
gunicorn.conf.py reads, every file they copy one the repository has."""

from __future__ import annotations

import configparser
import fnmatch
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from flask import Flask
from flask.cli import FlaskGroup, ScriptInfo
from flask_limiter.constants import ConfigVars

from portal import config
from portal.core import logs
from portal.mail import retention

ROOT = Path(__file__).resolve().parent.parent
UNITS = ROOT / "deploy" / "systemd"
# What the image sets for Python and pip, not for the portal.
IMAGE_VARIABLES = {
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUNBUFFERED",
    "PIP_NO_CACHE_DIR",
    "PIP_DISABLE_PIP_VERSION_CHECK",
    "VIRTUAL_ENV",
    "PATH",
}


# --- readers --------------------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (INSTRUCTION, arguments), continuations joined."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        whole = pending + stripped
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


def exec_form(arguments: str) -> list[str]:
    """CMD ["a", "b"] (exec form) as a list; the shell form is refused."""
    parsed = json.loads(arguments)
    assert isinstance(parsed, list) and all(isinstance(part, str) for part in parsed), arguments
    return parsed


def env_instruction(arguments: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in shlex.split(arguments))


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read(UNITS / name)
    return parser


def env_file(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, equals, value = line.partition("=")
            assert equals, f"not VARIABLE=value: {line!r}"
            found[name.strip()] = value
    return found


def as_list(command) -> list[str]:
    return command if isinstance(command, list) else shlex.split(command)


# --- what the app knows ---------------------------------------------------------------------


def known_settings() -> set[str]:
    """The keys a PORTAL_ variable may set: portal/config.py's, those features read
    themselves, Flask's own, Flask-SQLAlchemy's and Flask-Limiter's."""
    limiter = {value for name, value in vars(ConfigVars).items() if not name.startswith("_")}
    sqlalchemy = {
        "SQLALCHEMY_DATABASE_URI",
        "SQLALCHEMY_ENGINE_OPTIONS",
        "SQLALCHEMY_ECHO",
        "SQLALCHEMY_BINDS",
        "SQLALCHEMY_RECORD_QUERIES",
        "SQLALCHEMY_TRACK_MODIFICATIONS",
    }
    return (
        set(config.DEFAULTS)
        | set(config.STRING_KEYS)
        | set(config.BOOL_KEYS)
        | {"TRUSTED_HOSTS"}
        | set(logs.SETTINGS)
        | {retention.SETTING}
        | set(Flask.default_config)
        | sqlalchemy
        | limiter
    )


def gunicorn_variables() -> set[str]:
    return set(
        re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "gunicorn.conf.py").read_text())
    )


def assert_known(variables: dict, where: str) -> None:
    known = known_settings()
    for name in variables:
        if name.startswith("PORTAL_"):
            assert name.removeprefix("PORTAL_") in known, f"{where}: {name} is read by nothing"
        else:
            assert name in gunicorn_variables() | IMAGE_VARIABLES, f"{where}: {name} is unknown"


@pytest.fixture(scope="module")
def flask_cli(tmp_path_factory):
    """`flask --app app ARGS --help`, as the `flask` command would run it (with the commands
    of Flask-Migrate and the other plugins): exit code 0 when ARGS name a command and take its
    options."""
    app = __import__("portal").create_app(
        {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"},
        instance_path=str(tmp_path_factory.mktemp("instance")),
    )

    def run(args: list[str]) -> int:
        group = FlaskGroup(create_app=lambda: app)
        result = CliRunner().invoke(
            group, [*args, "--help"], obj=ScriptInfo(create_app=lambda: app)
        )
        return result.exit_code

    return run


def flask_arguments(command: list[str]) -> list[str]:
    """`flask --app app outbox deliver --loop` → ["outbox", "deliver", "--loop"]."""
    assert Path(command[0]).name == "flask", command
    assert command[1:3] == ["--app", "app"], command
    return command[3:]


def test_the_cli_check_tells_a_missing_command(flask_cli):
    assert flask_cli(["outbox", "deliver", "--loop"]) == 0
    assert flask_cli(["db", "upgrade"]) == 0
    assert flask_cli(["outbox", "send"]) != 0
    assert flask_cli(["outbox", "deliver", "--forever"]) != 0


# --- the Dockerfile -------------------------------------------------------------------------


def test_the_image_is_python_311_slim_and_runs_as_a_user_of_its_own():
    instructions = dockerfile()
    keywords = [keyword for keyword, _ in instructions]
    assert keywords[0] == "FROM" and keywords.count("FROM") == 1
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", instructions[0][1])
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users == ["portal"]
    assert keywords.index("USER") < keywords.index("CMD")
    # Installing happens before USER: the app's user cannot change its own code.
    assert all(
        k != "RUN" or "pip install" not in a for k, a in instructions[keywords.index("USER") :]
    )


def test_requirements_are_installed_in_a_layer_of_their_own_before_the_code():
    instructions = dockerfile()
    copies = [arguments for keyword, arguments in instructions if keyword == "COPY"]
    first_copy = instructions.index(("COPY", copies[0]))
    install = next(
        position
        for position, (keyword, arguments) in enumerate(instructions)
        if keyword == "RUN" and "pip install -r /tmp/requirements.txt" in arguments
    )
    assert copies[0] == "requirements.txt /tmp/requirements.txt"
    assert first_copy < install < instructions.index(("COPY", "portal/ portal/"))


def test_every_file_the_image_copies_exists_and_is_not_ignored():
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for keyword, arguments in dockerfile():
        if keyword != "COPY":
            continue
        *sources, _target = arguments.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
            name = source.rstrip("/")
            assert not any(fnmatch.fnmatch(name, pattern) for pattern in ignored), name
    for needed in (".venv", "instance", ".git", "tests", ".env"):
        assert needed in ignored


def test_the_image_serves_with_gunicorn_and_checks_healthz():
    instructions = dict((k, a) for k, a in dockerfile() if k in ("CMD", "HEALTHCHECK", "WORKDIR"))
    assert exec_form(instructions["CMD"]) == ["gunicorn", "app:app"]
    assert instructions["WORKDIR"] == "/app"
    check = instructions["HEALTHCHECK"]
    command = exec_form(check.split("CMD", 1)[1].strip())
    assert command == ["python", "deploy/healthcheck.py"]
    assert "/healthz" in (ROOT / "deploy" / "healthcheck.py").read_text()
    assert re.search(r"--timeout=\d+s", check) and re.search(r"--interval=\d+s", check)


def test_the_images_variables_are_known():
    for keyword, arguments in dockerfile():
        if keyword == "ENV":
            assert_known(env_instruction(arguments), "Dockerfile")


# --- compose.yaml ---------------------------------------------------------------------------


def test_compose_starts_the_whole_portal():
    services = compose()["services"]
    assert {"postgres", "redis", "mailpit", "migrate", "web", "worker"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert "mailpit" in services["mailpit"]["image"]
    assert as_list(services["web"]["command"]) == ["gunicorn", "app:app"]
    assert as_list(services["worker"]["command"])[-3:] == ["outbox", "deliver", "--loop"]
    assert as_list(services["migrate"]["command"])[-2:] == ["db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
        assert services[name]["image"] == services["migrate"]["image"]  # one image
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["postgres"]["healthcheck"] and services["redis"]["healthcheck"]
    assert services["worker"]["healthcheck"] == {"disable": True}  # it serves no HTTP


def test_compose_connects_the_portal_to_its_services():
    services = compose()["services"]
    environment = services["web"]["environment"]
    assert "@postgres:5432/" in environment["PORTAL_SQLALCHEMY_DATABASE_URI"]
    assert environment["PORTAL_SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert environment["PORTAL_CACHE_REDIS_URL"].startswith("redis://redis:")
    assert environment["PORTAL_RATELIMIT_STORAGE_URI"] == environment["PORTAL_CACHE_REDIS_URL"]
    assert (environment["PORTAL_MAIL_BACKEND"], environment["PORTAL_MAIL_SERVER"]) == (
        "smtp",
        "mailpit",
    )
    assert services["worker"]["environment"] == {
        k: v for k, v in environment.items() if k != "WEB_CONCURRENCY"
    }
    # One instance folder for all: a generated secret key is then the same everywhere.
    for name in ("migrate", "web", "worker"):
        assert "instance:/app/instance" in services[name]["volumes"]


def test_every_flask_command_compose_runs_exists(flask_cli):
    for name, service in compose()["services"].items():
        command = as_list(service.get("command") or [])
        if command[:1] == ["flask"]:
            assert flask_cli(flask_arguments(command)) == 0, f"{name}: {command}"


def test_composes_variables_are_known():
    for name, service in compose()["services"].items():
        if name in ("web", "worker", "migrate", "seed"):
            assert_known(service["environment"], f"compose.yaml {name}")


# --- systemd --------------------------------------------------------------------------------


SANDBOX = {
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "PrivateTmp": "yes",
    "ProtectHome": "yes",
    "ReadWritePaths": "/srv/portal/instance",
}


@pytest.mark.parametrize("name", ["portal-web.service", "portal-worker.service"])
def test_the_units_run_as_the_portal_user_in_a_sandbox(name):
    service = unit(name)["Service"]
    assert service["User"] == "portal" and service["WorkingDirectory"] == "/srv/portal"
    assert service["EnvironmentFile"] == "/etc/portal/portal.env"
    for key, value in SANDBOX.items():
        assert service[key] == value, key
    assert service["CapabilityBoundingSet"] == ""
    assert unit(name)["Install"]["WantedBy"] == "multi-user.target"


def test_the_web_unit_reloads_its_own_gunicorn_through_its_pidfile():
    service = unit("portal-web.service")["Service"]
    assert service["ExecStart"] == "/srv/portal/.venv/bin/gunicorn app:app"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"
    assert service["Environment"] == f"GUNICORN_PIDFILE={service['PIDFile']}"
    assert service["PIDFile"].startswith(f"/run/{service['RuntimeDirectory']}/")
    assert service["Type"] == "notify"  # gunicorn says when it is ready
    assert service["KillMode"] == "mixed"


def test_the_worker_unit_runs_the_outbox_worker(flask_cli):
    service = unit("portal-worker.service")["Service"]
    command = shlex.split(service["ExecStart"])
    assert command[0] == "/srv/portal/.venv/bin/flask"
    assert flask_arguments(command) == ["outbox", "deliver", "--loop"]
    assert flask_cli(flask_arguments(command)) == 0
    assert service["Restart"] == "always"


def test_the_environment_file_sets_known_variables_only():
    variables = env_file(UNITS / "portal.env")
    assert_known(variables, "portal.env")
    assert "PORTAL_SECRET_KEY" in variables and "GUNICORN_PIDFILE" not in variables


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze here")
def test_systemd_verifies_the_units(tmp_path):
    """With the paths of this checkout, so that the commands they run exist; and each unit's
    exposure at most 3.0 of 10 (`systemd-analyze security`, whose threshold counts in tenths)."""
    for source in UNITS.glob("*.service"):
        text = source.read_text().replace("/srv/portal", str(ROOT))
        (tmp_path / source.name).write_text(text)
    units = sorted(str(path) for path in tmp_path.glob("*.service"))
    done = subprocess.run(
        ["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
    for path in units:
        scored = subprocess.run(
            ["systemd-analyze", "security", "--offline=yes", "--threshold=30", path],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert scored.returncode == 0, scored.stdout[-2000:] + scored.stderr


# --- the health check script ----------------------------------------------------------------


def healthcheck():
    import importlib.util

    spec = importlib.util.spec_from_file_location("healthcheck", ROOT / "deploy/healthcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("bind", "address"),
    [
        (None, "127.0.0.1:8000"),
        ("0.0.0.0:8000", "127.0.0.1:8000"),
        ("127.0.0.1:9000", "127.0.0.1:9000"),
        ("[::]:8000", "127.0.0.1:8000"),
        ("10.0.0.5:80, 127.0.0.1:81", "10.0.0.5:80"),
    ],
)
def test_the_health_check_asks_where_gunicorn_listens(bind, address):
    assert healthcheck().address(bind) == address


@pytest.mark.parametrize(
    ("trusted", "base_url", "host"),
    [
        (None, None, "localhost"),
        ('["events.example.org", "other.example.org"]', None, "events.example.org"),
        ('[".example.org"]', None, "example.org"),
        (None, "https://events.example.org", "events.example.org"),
        (None, "http://localhost:8000", "localhost:8000"),
    ],
)
def test_the_health_check_names_a_host_the_portal_answers_to(trusted, base_url, host):
    assert healthcheck().host_header(trusted, base_url) == host


# --- the restore drill ----------------------------------------------------------------------


def test_the_restore_drill_is_valid_bash():
    done = subprocess.run(["bash", "-n", "deploy/restore_drill.sh"], cwd=ROOT, capture_output=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("variable", ["DRILL_SOURCE", "DRILL_TARGET"])
def test_the_restore_drill_refuses_a_database_it_does_not_own(variable):
    """It drops its databases: it touches none but portal_drill_* (never `test`)."""
    done = subprocess.run(
        ["bash", "deploy/restore_drill.sh"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", variable: "test"},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and "refusing database 'test'" in done.stderr
