"""Back-office screens of the rows of core.rows (projects, tiers, members, packages, contacts,
routing rules): the page whose form creates or edits one, and the retire and restore routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template
from flask_login import current_user

from portal.core import rows
from portal.core.forms import StaffForm, saved
from portal.core.rows import RowKind
from portal.core.saving import attempt
from portal.extensions import db


def edit(kind: RowKind, form: StaffForm, row: Any, back: str, title: str, **values):
    """Save the posted form (with `values` the form does not carry, such as a package's
    event) and go `back`; or show the form, with its errors beside the fields (422) or the
    lost race above them (409)."""

    def save() -> str:
        if row is None:
            created = rows.create(kind, {**form.values(), **values}, current_user)
            return f"{kind.label(created)} created."
        changed = rows.update(kind, row, form.values(), current_user)
        return "Saved." if changed else "Nothing to save: no field changed."

    done = saved(form, save)
    if done is not None:
        flash(done, "info")
        return redirect(back, code=303)
    page = render_template("backoffice/row_form.html", form=form, title=title, back=back)
    return page, form.status


def set_retired(kind: RowKind, row: Any, retired: bool, back: str):
    label = kind.label(row)
    change = rows.retire if retired else rows.restore
    _, problem = attempt(lambda: change(kind, row, current_user))
    if problem:
        flash(problem, "error")
    else:
        flash(f"{label} is {'retired' if retired else 'active again'}.", "info")
    return redirect(back, code=303)


def add_retire_routes(
    bp: Blueprint,
    kind: RowKind,
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
            row: Any = db.get_or_404(kind.model, ids[arg])
            return set_retired(kind, row, retired, back(row))

        return view

    for action, retired in (("retire", True), ("restore", False)):
        bp.add_url_rule(
            f"{path}/<int:{arg}>/{action}",
            endpoint=action,
            view_func=make(retired),
            methods=["POST"],
        )
