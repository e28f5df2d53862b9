"""Where delivered messages go: `.eml` files, an SMTP server, or standard output.

A backend's `send` either returns (the message is delivered) or raises TemporaryFailure or
PermanentFailure, so the deliverer can decide between a retry and giving up.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import sys
import tempfile
from pathlib import Path
from typing import Protocol

from flask import Flask


class DeliveryFailure(Exception):
    """The server's answer (or the local error), kept on the outbox row."""


class TemporaryFailure(DeliveryFailure):
    """Worth another try later: 4xx answers, refused or dropped connections, timeouts."""

    def __init__(self, answer: str, server_unreachable: bool = False) -> None:
        super().__init__(answer)
        # No point trying the next message on a server we cannot reach at all.
        self.server_unreachable = server_unreachable


class PermanentFailure(DeliveryFailure):
    """5xx: the server will never take this message."""


class Backend(Protocol):
    def send(self, message_id: str, sender: str, recipient: str, raw: bytes) -> None: ...

    def close(self) -> None: ...


class FileBackend:
    """Each message an `.eml` file in the instance folder's `mail/` (the default backend)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def send(self, message_id: str, sender: str, recipient: str, raw: bytes) -> None:
        name = message_id.strip("<>").replace("@", "_").replace("/", "_") + ".eml"
        # Written aside and renamed, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".eml")
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        os.replace(tmp, self.folder / name)

    def close(self) -> None:
        pass


class ConsoleBackend:
    """Prints each message, for development."""

    def send(self, message_id: str, sender: str, recipient: str, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").replace("\r\n", "\n")
        sys.stdout.write(f"----- mail from {sender} to {recipient}\n{text}\n-----\n")
        sys.stdout.flush()

    def close(self) -> None:
        pass


class SMTPBackend:
    """One SMTP connection, opened on the first message and reused for the batch."""

    def __init__(self, config: dict, timeout: float) -> None:
        self.host = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.use_ssl:
                context = ssl.create_default_context()
                connection: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=context
                )
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.use_tls:
                connection.starttls(context=ssl.create_default_context())
            if self.username:
                connection.login(self.username, self.password or "")
        except (OSError, smtplib.SMTPException) as error:
            # Authentication and TLS trouble are settings to fix, not reasons to drop mail.
            raise TemporaryFailure(_describe(error), server_unreachable=True) from error
        return connection

    def send(self, message_id: str, sender: str, recipient: str, raw: bytes) -> None:
        if self.connection is None:
            self.connection = self._connect()
        try:
            refused = self.connection.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as error:
            code, answer = error.recipients.get(recipient, (550, b"recipient refused"))
            self._fail(code, f"{code} {_text(answer)}")
        except smtplib.SMTPResponseException as error:
            self._fail(error.smtp_code, f"{error.smtp_code} {_text(error.smtp_error)}")
        except (UnicodeError, ValueError) as error:
            # An address smtplib cannot write: trying again would fail again.
            self.close()
            raise PermanentFailure(f"unsendable: {_describe(error)}") from error
        except (OSError, smtplib.SMTPException) as error:
            self.close()
            raise TemporaryFailure(_describe(error)) from error
        if refused:  # only possible with several recipients; kept for completeness
            code, answer = refused[recipient]
            self._fail(code, f"{code} {_text(answer)}")

    def _fail(self, code: int, answer: str) -> None:
        """smtplib has already reset the transaction; only the verdict is left to give."""
        if 500 <= code < 600:
            raise PermanentFailure(answer)
        # 421 and friends often come with a closed connection: start afresh next time.
        self.close()
        raise TemporaryFailure(answer)

    def close(self) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except (OSError, smtplib.SMTPException):
            self.connection.close()
        self.connection = None


def _text(answer: bytes | str) -> str:
    return answer.decode("utf-8", "replace") if isinstance(answer, bytes) else str(answer)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def open_backend(app: Flask, timeout: float | None = None) -> Backend:
    config = app.config
    name = config["MAIL_BACKEND"]
    if name == "file":
        return FileBackend(Path(app.instance_path) / "mail")
    if name == "console":
        return ConsoleBackend()
    if name == "smtp":
        return SMTPBackend(config, timeout or config["MAIL_TIMEOUT"])
    raise ValueError(f"PORTAL_MAIL_BACKEND must be file, smtp or console, not {name!r}")
