"""What every response says to browsers about itself, and trusting a reverse proxy."""

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

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
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


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


def init_app(app: Flask) -> None:
    app.session_interface = SessionInterface()
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind N proxies the client's address and scheme come from their X-Forwarded-*
        # headers: rate limits count real clients, and absolute URLs say https.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    @app.after_request
    def _security_headers(response: Response) -> Response:
        present = {name.lower() for name, _ in response.headers}
        for name, value in HEADERS.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        return response
