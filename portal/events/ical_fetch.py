"""Fetching an iCalendar file from an http(s) address for an import: short timeout, size cap,
and no requests to the portal's own network unless allowed (staff could otherwise make the
server read internal addresses)."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from portal.events.rules import is_http_url


class FetchFailed(ValueError):
    """The address could not be read; the message says why, for people."""


def normalise(url: str) -> str:
    """webcal:// is how calendar links are often given: it means https://."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    return url


# IPv6 forms that carry or reach an IPv4 address, which `is_global` judges as IPv6 only:
# NAT64 (64:ff9b::169.254.169.254 reaches the cloud metadata service), 6to4, Teredo,
# IPv4-compatible and IPv4-mapped addresses. No calendar needs them.
TRANSLATED = [
    ipaddress.ip_network(network)
    for network in ("64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96",
                    "::ffff:0:0/96")
]  # fmt: skip


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the portal may fetch from `address`: a global unicast address that is no IPv6
    translation of another."""
    if not address.is_global or address.is_multicast:
        return False
    return not (address.version == 6 and any(address in net for net in TRANSLATED))


def check_address(url: str, allow_private: bool) -> None:
    if not is_http_url(url):
        raise FetchFailed("Give an http:// or https:// address.")
    if allow_private:
        return
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise FetchFailed(f"The host {host} is unknown.") from None
    for info in infos:
        if not is_public(ipaddress.ip_address(info[4][0])):
            raise FetchFailed(f"{host} is a private address; only public addresses are fetched.")


def _public_address(host: str, port: int) -> str:
    """One address of `host` that is public, chosen once: the connection goes to that very
    address, so a name that answers differently the second time (DNS rebinding) gains
    nothing."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchFailed(f"The host {host} is unknown.") from None
    for info in infos:
        if not is_public(ipaddress.ip_address(info[4][0])):
            raise FetchFailed(f"{host} is a private address; only public addresses are fetched.")
    return infos[0][4][0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def connect(self) -> None:
        address = _public_address(self.host, self.port)
        self.sock = socket.create_connection((address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def connect(self) -> None:
        address = _public_address(self.host, self.port)
        sock = socket.create_connection((address, self.port), self.timeout)
        # The certificate is still checked against the name asked for (SNI and hostname).
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


class _PinnedHTTP(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(_PinnedHTTPConnection, req)


class _PinnedHTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(_PinnedHTTPSConnection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 3

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_address(newurl, self.allow_private)  # a redirect must not reach inside either
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, max_bytes: int, timeout: float, allow_private: bool = False) -> bytes:
    url = normalise(url)
    check_address(url, allow_private)
    handlers = [_CheckedRedirects(allow_private)]
    if not allow_private:
        handlers += [_PinnedHTTP(), _PinnedHTTPS()]
    opener = urllib.request.build_opener(*handlers)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
        url, headers={"User-Agent": "events-portal-import/1", "Accept": "text/calendar, */*"}
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except FetchFailed:
        raise
    except urllib.error.HTTPError as error:
        raise FetchFailed(f"The address answered {error.code} {error.reason}.") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise FetchFailed(f"The address could not be read ({reason}).") from None
    if len(data) > max_bytes:
        raise FetchFailed(f"The file is larger than {max_bytes // 1024} KiB.")
    return data
