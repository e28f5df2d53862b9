"""The embed in Chromium, as a project's site shows it: a page served from an allowed origin
shows the listing in its iframe, and a link opens in the top window; the same page from
another origin gets a refused frame (frame-ancestors). Three servers on loopback: the portal
and two partner sites, each an origin of its own."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from portal.extensions import db
from portal.publish.models import EmbedOrigin

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def partner_site():
    """`partner_site(embed_url)`: the origin of a new site whose home page frames it."""
    servers = []

    def start(embed_url: str) -> str:
        page = f"""<!doctype html><html lang="en"><head><title>Kata Containers</title></head>
<body><h1>Kata Containers</h1>
<iframe src="{embed_url}" title="Upcoming events" width="600" height="400"
        onload="document.body.dataset.framed = 'yes'"></iframe></body></html>"""

        def site(environ, start_response):
            return Response(page, mimetype="text/html")(environ, start_response)

        server = make_server("127.0.0.1", 0, site, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def kata(make_event):
    make_event(slug="kata-day", title="Kata Day", projects=("kata-containers",),
               starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))  # fmt: skip


def test_the_embed_shows_on_an_allowed_site_and_is_refused_on_another(
    page, live_server, partner_site, kata
):
    embed_url = f"{live_server}/embed/events?project=kata-containers"
    allowed, other = partner_site(embed_url), partner_site(embed_url)
    db.session.add(EmbedOrigin(origin=allowed, label="Kata Containers"))
    db.session.commit()

    refusals = []
    page.on("console", lambda message: refusals.append(message.text))
    page.goto(other)
    page.wait_for_selector("body[data-framed='yes']")
    frame = page.frames[1]
    assert "Kata Day" not in frame.content()
    assert any("frame-ancestors" in text for text in refusals), refusals

    page.goto(allowed)
    listing = page.frame_locator("iframe")
    link = listing.get_by_role("link", name="Kata Day")
    link.wait_for()
    assert page.frames[1].url == embed_url
    link.click()  # target=_top: the whole window goes to the event's page
    page.wait_for_url(f"{live_server}/events/kata-day")
    assert page.locator("h1").inner_text().startswith("Kata Day")
