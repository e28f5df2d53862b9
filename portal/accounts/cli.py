"""`flask --app app staff ...`: staff accounts from the command line (the first admin)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.accounts import operations
from portal.accounts.models import StaffRole, StaffUser
from portal.core.errors import Refused
from portal.core.saving import saving
from portal.extensions import db

staff_cli = AppGroup("staff", help="Staff accounts of the back office (/staff).")


def _account(email: str) -> StaffUser:
    user = operations.by_email(email)
    if user is None:
        raise click.ClickException(f"There is no staff account for {email}.")
    return user


@staff_cli.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as staff pages show it.")
@click.option(
    "--role",
    type=click.Choice([role.value for role in StaffRole]),
    required=True,
    help="admin: everything, staff accounts and the audit log included; "
    "editor: events, projects, imports (and inquiries).",
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help=f"At least {operations.MIN_PASSWORD} characters; asked for (hidden) when not given.",
)
def add(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account for EMAIL."""
    try:
        with saving():
            user = operations.add_staff(email, name, StaffRole(role), password)
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"Created {user.role.value} account {user.email}.")


@staff_cli.command("list")
def list_accounts() -> None:
    """List the staff accounts."""
    for user in db.session.scalars(select(StaffUser).order_by(StaffUser.email)):
        state = "active" if user.active else "deactivated"
        click.echo(f"{user.email}\t{user.name}\t{user.role.value}\t{state}")


@staff_cli.command("deactivate")
@click.argument("email")
def deactivate(email: str) -> None:
    """Stop EMAIL from signing in; its sessions end at their next request."""
    with saving():
        operations.set_active(_account(email), False)
    click.echo(f"Deactivated {email}.")


@staff_cli.command("set-password")
@click.argument("email")
@click.password_option(help="Asked for (hidden) when not given.")
def set_password(email: str, password: str) -> None:
    """Give EMAIL a new password; its other sessions end."""
    try:
        with saving():
            operations.set_password(_account(email), password)
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    click.echo(f"New password set for {email}.")
