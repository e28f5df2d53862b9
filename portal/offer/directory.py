"""Members of the directory with their logos: a member recorded with one (from a won
inquiry, or `flask members add`), a logo replaced or taken off. The rest of a member's
fields are a row like any other (offer/operations.py MEMBER)."""

from __future__ import annotations

from typing import Any

from portal.core import rows
from portal.core.audit import Actor, record
from portal.core.errors import Refused
from portal.extensions import db
from portal.offer import logos, rules
from portal.offer.models import Member
from portal.offer.operations import MEMBER


def add_member(values: dict[str, Any], logo: logos.Logo | None, actor: Actor | None) -> Member:
    """A new member (MEMBER's fields), with its logo stored once the values are valid."""
    errors = rules.member_errors(values)
    if errors:
        raise Refused(errors)
    if logo is not None:
        values = {**values, "logo": logos.store(logo)}
    return rows.create(MEMBER, values, actor)


def set_logo(member: Member, logo: logos.Logo | None, actor: Actor | None) -> None:
    """Replace the member's logo (None: take it off); the old file is deleted."""
    old = member.logo
    member.logo = logos.store(logo) if logo is not None else None
    record(actor, "member.logo", member, member.name, {"logo": old}, {"logo": member.logo})
    db.session.flush()
    logos.delete(old)


def remove_member(member: Member, actor: Actor | None) -> None:
    """Delete the member from the directory, and its logo's file."""
    logo = member.logo
    record(actor, "member.delete", member, member.name, before=rows.snapshot(MEMBER, member))
    db.session.delete(member)
    db.session.flush()
    logos.delete(logo)
