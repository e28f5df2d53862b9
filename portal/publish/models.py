"""The origins staff allow to frame the embeddable listing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import utcnow
from portal.core.version import shown_to_visitors
from portal.extensions import Model


class EmbedOrigin(Model):
    """A site (scheme, host and port, as browsers compare them) whose pages may show
    /embed/events in a frame: `https://katacontainers.io`."""

    __tablename__ = "embed_origin"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(200), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    def __repr__(self) -> str:
        return f"<EmbedOrigin {self.origin}>"


# The embed's cached responses carry the allowed origins (their frame-ancestors): a change of
# them raises the catalogue version, so none is served with the list it replaced.
shown_to_visitors(EmbedOrigin)
