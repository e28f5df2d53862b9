"""Event addresses (slugs): made from a title and a year, moved on to the next year for a next
edition, and numbered (`-2`, `-3`...) when taken. The one place slugs are made."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.core.text import fold
from portal.events.models import Event
from portal.extensions import db

YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def slug_for(title: str, year: int) -> str:
    """'OpenInfra Days Berlin', 2025 -> 'openinfra-days-berlin-2025' (the year once)."""
    base = "-".join(re.findall(r"[a-z0-9]+", fold(title)))[:100].strip("-") or "event"
    return base if base.endswith(str(year)) else f"{base}-{year}"


def next_year_slug(slug: str, year: int) -> str:
    """The address of an edition in `year` after the one at `slug`: its year moved on, or
    the year added ('summit-2025' -> 'summit-2026'; 'ptg' -> 'ptg-2026')."""
    return YEAR.sub(str(year), slug) if YEAR.search(slug) else f"{slug}-{year}"


def next_year_title(title: str, year: int) -> str:
    """The title of an edition in `year`: its year moved on, or added where the series' title
    has none ('OpenInfra Day Sweden' -> 'OpenInfra Day Sweden 2027'), so two editions never
    read alike. The first year only: 'Summit 2025 (since 2011)' -> 'Summit 2026 (since 2011)'."""
    return YEAR.sub(str(year), title, count=1) if YEAR.search(title) else f"{title} {year}"


def unique_slug(base: str, taken: SlugPool | None = None) -> str:
    """`base`, or `base-2`, `base-3`... whichever no event has yet. With a pool (one import),
    the slugs taken under each base are read once, not again for every event."""
    return (taken or SlugPool()).take(base)


class SlugPool:
    """The slugs taken under each base, read once from the database and kept up to date
    with the slugs handed out since, so thousands of same-title events are numbered
    without re-reading every taken slug each time. `expect(bases)` first asks in a few
    statements which bases are free as they are; only the others read their numbered slugs."""

    def __init__(self) -> None:
        self.stored: dict[str, set[str]] = {}
        self.next_number: dict[str, int] = {}
        self.given: set[str] = set()
        self.free_as_is: set[str] = set()

    @staticmethod
    def normal(base: str) -> str:
        return base[:110].strip("-") or "event"

    def expect(self, bases: list[str]) -> None:
        wanted = sorted({self.normal(base) for base in bases} - set(self.stored))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with db.session.no_autoflush:
                taken = set(db.session.scalars(select(Event.slug).where(Event.slug.in_(chunk))))
            self.free_as_is.update(set(chunk) - taken)

    def take(self, base: str) -> str:
        base = self.normal(base)
        if base in self.free_as_is and base not in self.given:
            self.given.add(base)
            return base
        stored = self.stored.get(base)
        if stored is None:
            stmt = select(Event.slug).where(Event.slug.startswith(base, autoescape=True))
            with db.session.no_autoflush:  # what is not flushed yet is in self.given
                stored = self.stored[base] = set(db.session.scalars(stmt))

        def free(slug: str) -> bool:
            return slug not in stored and slug not in self.given

        if free(base):
            slug = base
        else:
            number = self.next_number.get(base, 2)
            while not free(f"{base}-{number}"):
                number += 1
            self.next_number[base] = number + 1
            slug = f"{base}-{number}"
        self.given.add(slug)
        return slug
