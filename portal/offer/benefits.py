"""What packages give: benefits staff write once ("Booth", "Passes") and the packages of any
event that give them, each with its detail ("4"). BENEFIT is a row like any other (core.rows);
`set_benefits` is the one write of what a package gives."""

from __future__ import annotations

from typing import Any

from portal.core.audit import Actor, record
from portal.core.errors import Refused
from portal.core.rows import Errors, RowKind, require, taken, values_getter
from portal.extensions import db
from portal.offer.models import PackageBenefit, SponsorshipBenefit, SponsorshipPackage

DETAIL_MAX = 60


def benefit_errors(values: dict[str, Any], benefit: SponsorshipBenefit | None = None) -> Errors:
    get = values_getter(values, benefit)
    errors: Errors = {}
    require(errors, get, "name", "benefit")
    if "name" not in errors and taken(
        SponsorshipBenefit, benefit, SponsorshipBenefit.name == get("name").strip()
    ):
        errors["name"] = "Another benefit already has this name."
    return errors


BENEFIT = RowKind(
    "benefit",
    SponsorshipBenefit,
    ("name", "position"),
    benefit_errors,
    lambda benefit: benefit.name,
    retirable=False,
)


def set_benefits(
    package: SponsorshipPackage, given: dict[SponsorshipBenefit, str], actor: Actor | None
) -> bool:
    """What `package` gives: each benefit of `given` with its detail ("" simply included);
    the others it gave are taken off. False when nothing changed."""
    for benefit, detail in given.items():
        if len(detail) > DETAIL_MAX:
            raise Refused({f"detail-{benefit.id}": f"At most {DETAIL_MAX} characters."})
    before = {pb.benefit.name: pb.detail for pb in package.benefits}
    after = {benefit.name: detail.strip() for benefit, detail in given.items()}
    if before == after:
        return False
    kept = {pb.benefit_id: pb for pb in package.benefits}
    package.benefits = [
        _given(kept.get(benefit.id), package, benefit, detail.strip())
        for benefit, detail in sorted(given.items(), key=lambda i: (i[0].position, i[0].name))
    ]
    label = f"{package.event.title}: {package.name}"
    record(actor, "package.benefits", package, label, {"benefits": before}, {"benefits": after})
    db.session.flush()
    return True


def _given(
    found: PackageBenefit | None, package: SponsorshipPackage, benefit: SponsorshipBenefit, detail
) -> PackageBenefit:
    given = found or PackageBenefit(package=package, benefit=benefit)
    given.detail, given.position = detail, benefit.position
    return given
