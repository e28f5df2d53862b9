"""Staff accounts of the back office."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import LabelledEnum, enum_column, utcnow
from portal.extensions import db


class StaffRole(LabelledEnum):
    ADMIN = "admin"  # everything, staff accounts and the audit log included
    EDITOR = "editor"  # the catalogue and, later, the inquiries


class StaffUser(UserMixin, db.Model):
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

    def get_id(self) -> str:
        """The session names the account and a fingerprint of its password hash: a new
        password ends every other session of the account (see auth.load_user)."""
        return f"{self.id}:{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def is_admin(self) -> bool:
        return self.role is StaffRole.ADMIN

    def may(self, role: StaffRole) -> bool:
        """Whether this account may do what `role` is required for (admins may do all)."""
        return self.is_admin or self.role is role
