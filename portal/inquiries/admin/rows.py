"""What the sales and routing screens share: a form that creates or edits one row through
sales_operations, and the retire and restore routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.inquiries import sales_operations as operations
from portal.inquiries.admin.forms import ManagedForm
from portal.inquiries.sales_operations import Managed


def edit(kind: Managed, form: ManagedForm, row: Any, back: str, title: str, **values):
    """Save the posted form (with `values` the form does not carry, such as a package's
    event) and go `back`; or show the form, with its errors beside the fields (422)."""
    if form.validate_on_submit():
        try:
            if row is None:
                row = operations.create(kind, {**form.values(), **values}, current_user)
                done = f"{kind.label(row)} created."
            else:
                changed = operations.update_row(kind, row, form.values(), current_user)
                done = "Saved." if changed else "Nothing to save: no field changed."
        except operations.Invalid as invalid:
            db.session.rollback()
            form.add_errors(invalid.errors)
        except IntegrityError:
            # Someone saved a clashing row (same name, another default) between our check and
            # our write: the database's constraint caught it.
            db.session.rollback()
            flash(
                "Someone saved a conflicting change just now: check the list and try again.",
                "error",
            )
            return render_template(
                "inquiries/admin/sales/form.html", form=form, title=title, back=back
            ), 409
        else:
            flash(done, "info")
            return redirect(back, code=303)
    status = 422 if form.errors else 200
    return render_template(
        "inquiries/admin/sales/form.html", form=form, title=title, back=back
    ), status


def set_retired(kind: Managed, row: Any, retired: bool, back: str):
    label = kind.label(row)
    try:
        if retired:
            operations.retire(kind, row, current_user)
        else:
            operations.restore(kind, row, current_user)
    except operations.Refused as refused:
        db.session.rollback()
        flash(str(refused), "error")
    else:
        flash(f"{label} is {'retired' if retired else 'active again'}.", "info")
    return redirect(back, code=303)


def add_retire_routes(
    bp: Blueprint,
    kind: Managed,
    arg: str,
    required: Callable,
    back: Callable[[Any], str],
    path: str = "",
) -> None:
    """POST `<path>/<int:arg>/retire` and `/restore` on `bp` (endpoints `retire`, `restore`),
    guarded by `required` (a role decorator), going `back(row)` after."""

    def make(retired: bool):
        @required
        def view(**ids: int):
            row = db.get_or_404(kind.model, ids[arg])
            return set_retired(kind, row, retired, back(row))

        return view

    for action, retired in (("retire", True), ("restore", False)):
        bp.add_url_rule(
            f"{path}/<int:{arg}>/{action}",
            endpoint=action,
            view_func=make(retired),
            methods=["POST"],
        )


def _form_page(form: ManagedForm, title: str, back: str) -> str:
    return render_template("inquiries/admin/sales/form.html", form=form, title=title, back=back)
