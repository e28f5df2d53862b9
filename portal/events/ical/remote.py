"""Fetching an iCalendar file from an http(s) address for an import: an overall deadline, size cap,
and no requests to the portal's own network unless allowed (staff could otherwise make the
server read internal addresses)."""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
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


# Where a calendar may be fetched from, decided by an allow-list rather than by `is_global`
# alone (Python 3.11's misjudges fec0::/10, ::ffff:0:0:0/96, 5f00::/16 and 3fff::/20): IPv4's
# unicast space, and IPv6's global unicast space (2000::/3, RFC 4291), each without the
# special-purpose blocks of IANA's registries that no calendar is served from.
GLOBAL_UNICAST = {
    4: [ipaddress.ip_network("0.0.0.0/0")],
    6: [ipaddress.ip_network("2000::/3")],
}
SPECIAL = [
    ipaddress.ip_network(network)
    for network in (
        # IPv4: this network, private, shared (CGN), loopback, link-local, IETF protocol,
        # documentation, 6to4 relay, benchmarking, multicast, reserved and broadcast.
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
        "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        # IPv6 inside 2000::/3: IETF protocol assignments (Teredo, ORCHID, ...), documentation
        # (2001:db8::/32 and 3fff::/20), 6to4 (which reaches an IPv4 address).
        "2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20",
    )
]  # fmt: skip


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether the portal may fetch from `address`: inside the global unicast space and in
    none of its special-purpose blocks (so no NAT64, IPv4-mapped, site-local, ULA, SRv6 SID
    or documentation address), and global by Python's judgement too."""
    if not any(address in network for network in GLOBAL_UNICAST[address.version]):
        return False
    if any(address.version == net.version and address in net for net in SPECIAL):
        return False
    return address.is_global and not address.is_multicast


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
    return str(infos[0][4][0])  # an address of AF_INET or AF_INET6: always a str


class Deadline:
    """The whole fetch's time, not each read's: when it is up, every socket the fetch opened
    is shut, which wakes a read that a server feeds a byte a second (or a TLS handshake, or
    headers that never end)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def left(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0 or self.expired:
            raise FetchFailed(f"The address took longer than {self.seconds:g} s to answer.")
        return left

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            if self.expired:
                sock.close()
                self.left()
            self._sockets.append(sock)
        return sock

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)


def _connection(base: type[http.client.HTTPConnection], deadline: Deadline, pinned: bool):
    class Connection(base):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            host = _public_address(self.host, self.port) if pinned else self.host
            timeout = min(self.timeout or deadline.seconds, deadline.left())
            sock = deadline.watch(socket.create_connection((host, self.port), timeout))
            if isinstance(self, http.client.HTTPSConnection):
                # The certificate is still checked against the name asked for (SNI).
                sock = self._context.wrap_socket(sock, server_hostname=self.host)
            self.sock = sock

    return Connection


class _Watched(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline, pinned: bool) -> None:
        super().__init__()
        self.connection = _connection(http.client.HTTPConnection, deadline, pinned)

    def http_open(self, req):
        return self.do_open(self.connection, req)


class _WatchedTLS(urllib.request.HTTPSHandler):
    _context: ssl.SSLContext | None  # set by HTTPSHandler; typeshed leaves private names out

    def __init__(self, deadline: Deadline, pinned: bool) -> None:
        super().__init__()
        self.connection = _connection(http.client.HTTPSConnection, deadline, pinned)

    def https_open(self, req):
        return self.do_open(self.connection, req, context=self._context)


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = 3

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_address(newurl, self.allow_private)  # a redirect must not reach inside either
        return super().redirect_request(req, fp, code, msg, headers, newurl)


CHUNK = 64 * 1024


def fetch(url: str, max_bytes: int, timeout: float, allow_private: bool = False) -> bytes:
    """The file at `url`, at most `max_bytes`, all of it within `timeout` seconds (connecting,
    redirects, headers and body together)."""
    url = normalise(url)
    check_address(url, allow_private)
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s)
        url, headers={"User-Agent": "events-portal-import/1", "Accept": "text/calendar, */*"}
    )
    with Deadline(timeout) as deadline:
        pinned = not allow_private
        opener = urllib.request.build_opener(
            _CheckedRedirects(allow_private),
            _Watched(deadline, pinned),
            _WatchedTLS(deadline, pinned),
        )
        try:
            with opener.open(request, timeout=timeout) as response:
                data = bytearray()
                while len(data) <= max_bytes:
                    deadline.left()
                    # read1: what one receive brings, so the deadline is looked at between
                    # them (read(n) would wait for n bytes).
                    chunk = response.read1(min(CHUNK, max_bytes + 1 - len(data)))
                    if not chunk:
                        break
                    data += chunk
                if deadline.expired:  # the shut socket read as the end of the file
                    deadline.left()
        except FetchFailed:
            raise
        except urllib.error.HTTPError as error:
            raise FetchFailed(f"The address answered {error.code} {error.reason}.") from None
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
            if deadline.expired:
                deadline.left()  # says so
            reason = getattr(error, "reason", error)
            raise FetchFailed(f"The address could not be read ({reason}).") from None
    if len(data) > max_bytes:
        raise FetchFailed(f"The file is larger than {max_bytes // 1024} KiB.")
    return bytes(data)
