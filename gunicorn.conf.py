"""gunicorn's settings for the portal (`gunicorn app:app` reads this file from the working
directory; `make serve` and the README use it). Each can be overridden from the environment."""

import importlib.util
import multiprocessing
import os
import sys
import traceback
from pathlib import Path

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# The portal is CPU-bound (rendering) with short database waits: two workers a core, plus one.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Two threads a worker (gunicorn's gthread worker): its main loop keeps beating while a long
# response streams (the CSV export of a large inbox), so `timeout` does not cut it off.
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
# A request that takes this long is stuck: the worker is replaced. Form posts try the mail
# server inline for PORTAL_MAIL_INLINE_TIMEOUT (3 s) at most, well within it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On `kill -HUP <master>` (a reload) or TERM, workers finish what they serve for this long.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Workers are replaced now and then, staggered, so no slow leak grows for ever.
max_requests = 20000
max_requests_jitter = 2000
# Each worker imports the app itself, so a HUP reload serves new code.
preload_app = False
# Heartbeat files in memory, not on a disk that may stall (only gunicorn writes them there).
SHM = "/dev/shm"  # noqa: S108  # nosec B108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
# Access log to stdout (set GUNICORN_ACCESSLOG to a path, or to "off" for none), errors to stderr.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
if accesslog == "off":
    accesslog = None
errorlog = "-"
# Each line also says its time, level, process and request id (PortalLogger, below).
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Behind a proxy on this host its X-Forwarded-* headers are read by the portal itself
# (PORTAL_TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# A pidfile names this instance, so a reload (`kill -HUP "$(cat $GUNICORN_PIDFILE)"`, systemd's
# ExecReload) reaches its master and no other gunicorn on the host. None unless set.
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
# gunicorn's control socket (for `gunicornc`) beside the pidfile, for the same reason: by default
# every instance of a user would share $HOME/.gunicorn/gunicorn.ctl. "off" opens none.
_control = os.environ.get("GUNICORN_CONTROL_SOCKET") or (
    str(Path(pidfile).with_suffix(".ctl")) if pidfile else None
)
if _control == "off":
    control_socket_disable = True
elif _control:
    control_socket = _control


def _portal_logs():
    """portal/core/logs.py, read from its file. `import portal.core.logs` would import the
    `portal` package, and so the app, into the master: the workers it forks on a HUP reload
    would then run the code of the first start, not the new one."""
    path = Path(__file__).resolve().parent / "portal" / "core" / "logs.py"
    spec = importlib.util.spec_from_file_location("_portal_logs_for_gunicorn", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


_logs = _portal_logs()


class PortalLogger(Logger):
    """gunicorn's error and access lines in the portal's format (PORTAL_LOG_FORMAT, text or
    JSON, the same as the app's lines), each access line with the response's request id and
    its fields, and the query strings of /staff/ redacted."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        kind = _logs.log_format(os.environ.get("PORTAL_LOG_FORMAT"))
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if getattr(handler, "_gunicorn", False):
                    handler.setFormatter(_logs.formatter(kind))
                    handler.addFilter(_logs.RequestIdFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        if _logs.is_staff_path(environ.get("PATH_INFO") or "") and atoms.get("q"):
            atoms["q"] = atoms["{query_string}e"] = _logs.REDACTED
        return {
            key: _logs.redact(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        fields = {
            "request_id": atoms.get("{x-request-id}o"),
            "remote_addr": atoms["h"],
            "method": atoms["m"],
            "path": atoms["U"],
            "query": atoms["q"] or None,
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "duration_ms": atoms["M"],
            "user_agent": atoms["a"],
        }
        try:
            self.access_log.info(
                self.cfg.access_log_format, self.atoms_wrapper_class(atoms), extra=fields
            )
        except Exception:
            self.error(traceback.format_exc())


logger_class = PortalLogger
