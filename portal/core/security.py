"""What every response says to browsers about itself, which Host headers are answered, and
trusting a reverse proxy."""

import re

from flask import Flask, Response, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

# Pages use no inline script or style: JSON-LD blocks are data, which CSP does not govern.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# No page of the portal uses the camera, the microphone, the place or payment: no script that
# found its way in may either.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
                    "microphone", "payment", "usb")
)  # fmt: skip
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    # A page opened from ours (or that opened ours) gets no handle on it (window.opener).
    "Cross-Origin-Opener-Policy": "same-origin",
}


def missing_headers(present: set[str]) -> list[tuple[str, str]]:
    """The headers of HEADERS a response (whose header names, lower-case, are `present`) does
    not set itself. A response with a policy of its own (the embeddable listing, framed by the
    origins staff allow) says who may frame it there: X-Frame-Options DENY would override it
    in browsers that read only that."""
    own_policy = "content-security-policy" in present
    return [
        (name, value)
        for name, value in HEADERS.items()
        if name.lower() not in present and not (own_policy and name == "X-Frame-Options")
    ]


# Two years, as the HSTS preload list asks; subdomains may be served by others, so not them.
HSTS = "max-age=63072000"
LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)")
PORT = re.compile(r"[0-9]{1,5}")
IPV6 = re.compile(r"\[[0-9A-Fa-f:.]{2,45}\]")


def is_valid_host(host: str) -> bool:
    """A Host header as RFC 9110 and DNS allow it: a name of labels of 1 to 63 letters, digits
    and inner hyphens (253 at most, ASCII: IDNA names come as `xn--`), an IPv4 or a bracketed
    IPv6 address, and an optional port. `xn--` labels must decode."""
    name, colon, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not colon:
        name = host
    elif not (PORT.fullmatch(port) and 0 < int(port) <= 65535):
        return False
    if IPV6.fullmatch(name):
        return True
    if not name or len(name) > 253 or not name.isascii():
        return False
    labels = name.removesuffix(".").split(".")
    if not all(LABEL.fullmatch(label) for label in labels):
        return False
    try:
        name.encode("ascii").decode("idna")
    except UnicodeError:
        return False
    return True


class HostCheck:
    """WSGI middleware: a malformed Host header, or one that is not among `trusted` (when
    given), answers 400 before the app reads it. Werkzeug would fail on a malformed one later,
    building a link, with a 500; and an error page needs a host to build its links."""

    def __init__(self, app, trusted: list[str] | None = None) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        if host is not None and not (
            is_valid_host(host) and (not self.trusted or host_is_trusted(host, self.trusted))
        ):
            body = b"400 Bad Request: this server does not answer to that Host.\n"
            headers = [("Content-Type", "text/plain; charset=utf-8"), *HEADERS.items()]
            headers.append(("Content-Length", str(len(body))))
            start_response("400 Bad Request", headers)
            return [body]
        return self.app(environ, start_response)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, minus `Vary: Cookie` on responses marked public.

    Flask-Login reads the session on every request, so every response would vary by cookie,
    and a shared cache would keep one copy of the calendar feed per visitor. A response that
    says `Cache-Control: public` is the same for everyone by its own declaration.
    """

    def save_session(self, app: Flask, session, response: Response) -> None:
        if not session.modified and "public" in response.headers.get("Cache-Control", ""):
            return  # nothing to write, and no Vary: Cookie
        super().save_session(app, session, response)
        if "Set-Cookie" in response.headers:
            # A response that gives this visitor a cookie is theirs alone: no shared cache may
            # keep it for another.
            control = response.headers.get("Cache-Control", "")
            if "private" not in control and "no-store" not in control:
                response.headers["Cache-Control"] = ", ".join(
                    part for part in ("private", control) if part
                )


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    # Flask types wsgi_app as a method, though wrapping it is how its docs add middleware.
    app.wsgi_app = HostCheck(  # type: ignore[method-assign]
        app.wsgi_app, app.config.get("TRUSTED_HOSTS")
    )
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind N proxies the client's address and scheme come from their X-Forwarded-*
        # headers: rate limits count real clients, and absolute URLs say https.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # the same
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    @app.after_request
    def _security_headers(response: Response) -> Response:
        present = {name.lower() for name, _ in response.headers}
        for name, value in missing_headers(present):
            response.headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            response.headers["Strict-Transport-Security"] = HSTS
        return response
