"""Reads within a deadline (portal/core/deadline.py), as the health check and the page cache's
catalogue version make them from several threads of one worker."""

from __future__ import annotations

import threading
import time

import pytest

from portal.core.deadline import DatabaseAway, Deadline


def test_callers_at_the_same_moment_share_one_read_and_all_get_its_answer(app):
    reads = []

    def read() -> int:
        reads.append(1)
        time.sleep(0.2)  # a read that takes a while, but answers
        return 42

    deadline = Deadline(app, read, seconds=2, name="test-read")
    answers: list[object] = []

    def ask() -> None:
        try:
            answers.append(deadline())
        except DatabaseAway as error:  # what gunicorn's second thread got before the fix
            answers.append(error)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [42, 42, 42, 42]
    assert len(reads) == 1


def test_a_read_that_hangs_is_given_up_after_the_deadline_and_not_started_twice(app):
    release = threading.Event()
    reads = []

    def read() -> int:
        reads.append(1)
        release.wait(5)
        return 1

    deadline = Deadline(app, read, seconds=0.2, name="test-hang")
    try:
        for _ in range(3):
            started = time.monotonic()
            with pytest.raises(DatabaseAway):
                deadline()
            assert time.monotonic() - started < 1
        assert len(reads) == 1  # the hung read is waited on, never stacked
    finally:
        release.set()
    time.sleep(0.05)
    assert deadline() == 1  # once it answers, the next call reads again
