"""Committing what operations did, once, in the view or the command that called them.

    with saving():
        event = operations.create_event(values, current_user)

Operations validate, change the models, write their audit entry and flush; `saving` commits.
A refusal rolls everything back and goes on up. So does a lost race, as `Conflict` (409): a
unique value someone else saved between our check and our write, or a row that changed or
went away under us.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import Conflict as HTTPConflict

from portal.core.errors import Refused
from portal.extensions import db

T = TypeVar("T")

CONFLICT = "Someone saved a conflicting change just now: check the page and try again."


class Conflict(HTTPConflict):
    """The save lost a race: nothing was written. Answered 409 wherever it is not caught."""

    description = CONFLICT


@contextmanager
def saving() -> Iterator[None]:
    try:
        yield
        db.session.commit()
    except (IntegrityError, StaleDataError) as error:
        db.session.rollback()
        raise Conflict() from error
    except BaseException:
        db.session.rollback()
        raise


def attempt(work: Callable[[], T]) -> tuple[T | None, str | None]:
    """Run `work` (an operation) and commit it: `(its result, None)`, or `(None, why not)` for
    people when it was refused or lost a race (nothing is written then)."""
    try:
        with saving():
            return work(), None
    except Refused as refused:
        return None, str(refused)
    except Conflict as conflict:
        return None, conflict.description
