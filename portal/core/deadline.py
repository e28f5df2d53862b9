"""Reading the database within a deadline: a server that stops answering (its host gone, a
network dropping packets) would hold a request for as long as TCP waits; what must answer at
once (the health check, the catalogue version that every cached page needs) asks in a thread
of its own and gives up after a fraction of a second."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitedTooLong
from typing import Generic, TypeVar

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

T = TypeVar("T")


class DatabaseAway(SQLAlchemyError):
    """The database did not answer within the deadline."""


class Deadline(Generic[T]):
    """Runs `read` (a function reading the database) in a thread with the app's context,
    waiting at most `seconds` for it. While one read is under way no second one starts: the
    next callers wait for that one, as long as their own deadline allows."""

    def __init__(self, app: Flask, read: Callable[[], T], seconds: float, name: str) -> None:
        self.app = app
        self.read = read
        self.seconds = seconds
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.pending: Future[T] | None = None
        self.lock = threading.Lock()

    def __call__(self) -> T:
        with self.lock:
            pending = self.pending
            if pending is None or pending.done():
                self.pending = pending = self.pool.submit(self._in_context)
        # A caller that finds a read under way waits for that one (within its own deadline):
        # another thread of the worker asking at the same moment gets the same answer, not an
        # error while the database is fine (found under load at start, when nothing was known).
        try:
            return pending.result(timeout=self.seconds)
        except WaitedTooLong:
            raise DatabaseAway(f"the database did not answer within {self.seconds:g} s") from None

    def _in_context(self) -> T:
        from portal.extensions import db

        with self.app.app_context():
            try:
                return self.read()
            finally:
                with contextlib.suppress(SQLAlchemyError):  # the connection may be gone
                    db.session.remove()
