"""The embeddable listing: which origins may frame it (its Content-Security-Policy), the
origins as browsers compare them, the writes of them, and the snippets a project's site
copies."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask_babel import lazy_gettext as _l
from markupsafe import escape
from sqlalchemy import select

from portal.core import audit
from portal.core.errors import Refused
from portal.core.security import is_valid_host
from portal.extensions import db
from portal.publish.models import EmbedOrigin

DEFAULT_LIMIT, MAX_LIMIT = 10, 50
# What a framed listing may load: its own stylesheet and images, nothing else; no script.
POLICY = "; ".join(
    ["default-src 'none'", "style-src 'self'", "img-src 'self' data:", "base-uri 'none'",
     "form-action 'none'"]
)  # fmt: skip
MAX_ORIGINS = 100
SCHEMES = ("https", "http")
LABEL_MAX = 200
SAFE = re.compile(r"[^\x00-\x1f\x7f]*")


def normal_origin(text: str) -> str | None:
    """`https://katacontainers.io` from what staff typed (`https://KataContainers.io/`), or
    None: an http(s) scheme, a valid host, an optional port and nothing after."""
    text = text.strip()
    if not text or len(text) > 200 or not SAFE.fullmatch(text):
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() not in SCHEMES or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password or "@" in parts.netloc:
        return None
    host = parts.netloc.lower()
    try:
        port = parts.port
    except ValueError:
        return None
    if not host or not is_valid_host(host) or "*" in host:
        return None
    default = {"https": 443, "http": 80}[parts.scheme.lower()]
    if port == default:
        host = host.rsplit(":", 1)[0]
    return f"{parts.scheme.lower()}://{host}"


LIMIT_REASON = _l("A whole number from 1 to %(max)d.", max=MAX_LIMIT)


def read_limit(value: str | None) -> int | None:
    """The listing's length (DEFAULT_LIMIT when not given), or None when unreadable."""
    if value is None:
        return DEFAULT_LIMIT
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_LIMIT:
        return None
    return int(value)


def allowed_origins() -> list[str]:
    return list(db.session.scalars(select(EmbedOrigin.origin).order_by(EmbedOrigin.origin)))


def content_security_policy(origins: list[str]) -> str:
    """The embed's own policy: framed by `origins` only ('none' when staff allowed none)."""
    ancestors = " ".join(origins) if origins else "'none'"
    return f"{POLICY}; frame-ancestors {ancestors}"


def add_origin(text: str, label: str, actor: audit.Actor) -> EmbedOrigin:
    origin = normal_origin(text)
    if origin is None:
        raise Refused({"origin": "An address such as https://katacontainers.io: "
                                 "http or https, a host, an optional port, no path."})  # fmt: skip
    if db.session.scalar(select(EmbedOrigin.id).where(EmbedOrigin.origin == origin)):
        raise Refused({"origin": f"{origin} is allowed already."})
    if len(allowed_origins()) >= MAX_ORIGINS:
        raise Refused(f"At most {MAX_ORIGINS} sites may frame the listing.")
    row = EmbedOrigin(origin=origin, label=label.strip()[:LABEL_MAX])
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "embed_origin.create", row, origin, after={"origin": origin,
                 "label": row.label})  # fmt: skip
    return row


def remove_origin(row: EmbedOrigin, actor: audit.Actor) -> None:
    audit.record(actor, "embed_origin.delete", row, row.origin, before={"origin": row.origin})
    db.session.delete(row)
    db.session.flush()


def snippets(base: str, filters: dict[str, str], title: str, language: str = "") -> dict[str, str]:
    """What a project's site pastes: one iframe (in a language of the portal's: `ja` frames
    `/ja/embed/events`), or one fetch of the API (the same in every language)."""
    query = urlencode(filters)
    prefix = f"/{language}" if language else ""
    embed = f"{base}{prefix}/embed/events" + (f"?{query}" if query else "")
    api = f"{base}/api/events" + (f"?{query}" if query else "")
    iframe = (
        f'<iframe src="{escape(embed)}" title="{escape(title)}" width="100%" height="420"\n'
        '        style="border:0" loading="lazy"></iframe>'
    )
    fetch = f"""<ul id="upcoming-events"></ul>
<script type="module">
  const list = document.getElementById("upcoming-events");
  const answer = await fetch("{api}");
  const {{ events }} = await answer.json();
  for (const event of events) {{
    const item = list.appendChild(document.createElement("li"));
    const link = item.appendChild(document.createElement("a"));
    link.href = event.url;
    link.textContent = event.title;
    const day = new Date(event.start.slice(0, 10) + "T12:00:00");
    const state = event.status === "published" ? "" : ` (${{event.status}})`;
    item.append(" · " + day.toLocaleDateString(undefined, {{ dateStyle: "medium" }})
      + (event.city ? " · " + event.city : "") + state);
  }}
</script>"""
    return {"iframe": iframe, "fetch": fetch, "embed_url": embed, "api_url": api}
