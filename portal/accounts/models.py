"""Staff accounts of the back office."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import LabelledEnum, enum_column, utcnow
from portal.extensions import Model


class StaffRole(LabelledEnum):
    ADMIN = "admin"  # everything, staff accounts and the audit log included
    EDITOR = "editor"  # the catalogue and, later, the inquiries


class StaffUser(UserMixin, Model):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so the unique constraint is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[StaffRole] = mapped_column(enum_column(StaffRole, "staff_role"))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    def __repr__(self) -> str:
        return f"<StaffUser {self.email} {self.role}>"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    # The sign-in this object was loaded for (set by auth.load_user and at sign-in). Its type
    # is told to mypy alone: the ORM would take an annotation in the class for a column.
    if TYPE_CHECKING:
        session_token: str | None
    session_token = None  # a str once signed in

    def get_id(self) -> str:
        """What the session cookie holds: the account and its sign-in's token, which only the
        database can vouch for (StaffSession). Signing out, a new password or deactivation
        delete the sign-in, and every copy of the cookie with it."""
        return f"{self.id}:{self.session_token or ''}"

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    def may(self, role: StaffRole) -> bool:
        """Whether this account may do what `role` is required for (admins may do all)."""
        return self.is_admin or self.role is role


class StaffSession(Model):
    """One sign-in of a staff account, kept on the server: the cookie holds its token, the
    database only the token's SHA-256, so a copy of this table signs nobody in."""

    __tablename__ = "staff_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    expires_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_staff_session_user", "user_id"),)

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
