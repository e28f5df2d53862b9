"""The container's health check: GET /healthz from this host's gunicorn; exits 0 on a 200.

The Dockerfile's HEALTHCHECK runs it (`python deploy/healthcheck.py`). It asks with a Host
header the portal answers to: the first of PORTAL_TRUSTED_HOSTS, else the host of
PORTAL_BASE_URL, else `localhost` (the portal refuses other hosts with a 400). Standard
library only: it runs in the image without the app being imported.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit


def address(bind: str | None) -> str:
    """Where gunicorn listens (GUNICORN_BIND, as gunicorn.conf.py reads it), as seen from
    this host: `0.0.0.0:8000` is asked at 127.0.0.1:8000."""
    bind = (bind or "127.0.0.1:8000").split(",")[0].strip()
    host, _, port = bind.rpartition(":")
    if host in ("", "0.0.0.0", "[::]", "::"):  # noqa: S104 (a bind address, read, not bound)
        host = "127.0.0.1"
    return f"{host}:{port or 8000}"


def host_header(trusted: str | None, base_url: str | None) -> str:
    if trusted:
        try:
            hosts = json.loads(trusted)
        except ValueError:
            hosts = [trusted]
        if isinstance(hosts, str):
            hosts = [hosts]
        if hosts:
            return str(hosts[0]).lstrip(".")
    if base_url:
        return urlsplit(base_url).netloc or "localhost"
    return "localhost"


def main() -> int:
    env = os.environ
    url = f"http://{address(env.get('GUNICORN_BIND'))}/healthz"
    host = host_header(env.get("PORTAL_TRUSTED_HOSTS"), env.get("PORTAL_BASE_URL"))
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (our own http)
            print(response.status, response.read(500).decode("utf-8", "replace"))
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:
        print(error.code, error.read(500).decode("utf-8", "replace"))
    except OSError as error:
        print(f"{url}: {error}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
