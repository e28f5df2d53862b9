"""Who supports an event, as the pages below the offer show it (the event page, its JSON-LD,
its calendar text): asked through the `sponsors_wanted` signal, which the offer answers, so
the catalogue names sponsors without importing what sells them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import current_app

from portal.core import signals


@dataclass(frozen=True)
class Credit:
    """A sponsor as shown: its name, its site, its logo's address, the package it bought."""

    name: str
    url: str | None
    logo_url: str | None
    group: str  # the package's name, which the page groups by
    group_slug: str


def sponsors_of(event_ids: Sequence[int]) -> dict[int, list[Credit]]:
    """The shown sponsors of each event (by id), in the order pages list them."""
    found: dict[int, list[Credit]] = {}
    if not event_ids:
        return found
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for _, answer in signals.sponsors_wanted.send(app, event_ids=list(event_ids)):
        for event_id, credits in (answer or {}).items():
            found.setdefault(event_id, []).extend(credits)
    return found


def groups(credits: Sequence[Credit]) -> list[tuple[str, str, list[Credit]]]:
    """(package name, slug, its sponsors) in the order given."""
    out: list[tuple[str, str, list[Credit]]] = []
    for credit in credits:
        if not out or out[-1][1] != credit.group_slug:
            out.append((credit.group, credit.group_slug, []))
        out[-1][2].append(credit)
    return out
