"""gunicorn's settings for the portal (`gunicorn app:app` reads this file from the working
directory; `make serve` and the README use it). Each can be overridden from the environment."""

import multiprocessing
import os

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
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'
# Behind a proxy on this host its X-Forwarded-* headers are read by the portal itself
# (PORTAL_TRUSTED_PROXIES), not by gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
