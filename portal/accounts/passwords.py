"""Password hashing with argon2id (memory-hard), parameters from the app's configuration."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app


@functools.cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


@functools.cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    return hasher.hash("an account that does not exist is checked against this")


def hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(
        int(config["PASSWORD_HASH_TIME_COST"]),
        int(config["PASSWORD_HASH_MEMORY_COST"]),
        int(config["PASSWORD_HASH_PARALLELISM"]),
    )


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether `password` matches. Without a hash (no such account) a dummy hash is checked
    all the same, so an unknown email takes as long to refuse as a wrong password."""
    current = hasher()
    try:
        return current.verify(stored_hash or _dummy_hash(current), password) and bool(stored_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than the configured ones."""
    return hasher().check_needs_rehash(stored_hash)
