"""Building messages with `email.message.EmailMessage`: headers that user input cannot break."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from portal.core.errors import Refused
from portal.core.text import clean_line, clean_text

# Headers are bounded (subjects and names below), so they never need folding; CPython's folder
# adds a stray space where it folds next to an encoded word ("Coffee  — ACME"). Pythons with
# the fix of CVE-2024-6923 can also refuse to write a header that would break out of its line.
HEADER_POLICY = policy.SMTP.clone(max_line_length=998)
if hasattr(policy.SMTP, "verify_generated_headers"):
    HEADER_POLICY = HEADER_POLICY.clone(verify_generated_headers=True)
SUBJECT_LIMIT = 150
NAME_LIMIT = 100
# The only headers a message of ours has, each once (the last three are the MIME ones).
HEADERS = {
    "from", "to", "reply-to", "subject", "date", "message-id", "auto-submitted",
    "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
    "list-unsubscribe", "list-unsubscribe-post",
}  # fmt: skip
MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,200}@[!-;=?-~]{1,200}>")  # RFC 5322 3.6.4, no spaces
FIELD_NAME = re.compile(rb"[!-9;-~]+")  # RFC 5322 3.6.8: printable ASCII but the colon
FULLWIDTH_QUESTION_MARK = "\uff1f"


class UnsafeMessage(Refused):
    """The message would not be what we wrote: a header broke out of its line."""


def header_text(text: str | None, limit: int | None = None) -> str:
    """Text for a header: one line (see clean_line), with every `=?` that could open an RFC 2047
    encoded word written `=？`. Python's email package decodes encoded words in the text it is
    given, and before the fix of CVE-2024-6923 wrote what they decoded to, line breaks included:
    a name of `=?utf-8?q?=0D=0ABcc:...?=` would add a header. The look-alike reads the same."""
    return clean_line(text, limit).replace("=?", "=" + FULLWIDTH_QUESTION_MARK)


def verified(raw: bytes) -> bytes:
    """`raw` when its header section is exactly the headers we write, each on its own line or
    folded onto the next; UnsafeMessage otherwise, so nothing else can enter the outbox."""
    head, blank, _ = raw.partition(b"\r\n\r\n")
    names: list[str] = []
    for line in head.split(b"\r\n") if blank else [b""]:
        if b"\r" in line or b"\n" in line:
            raise UnsafeMessage("A header of this message holds a line break.")
        if line[:1] in (b" ", b"\t") and names:
            continue  # a folded line goes on with the header above it
        name, colon, _ = line.partition(b":")
        if not colon or not FIELD_NAME.fullmatch(name):
            raise UnsafeMessage("A line of this message's header is not a header.")
        names.append(name.decode().lower())
    if len(names) != len(set(names)) or not set(names) <= HEADERS:
        raise UnsafeMessage("This message would carry headers we did not write.")
    return raw


def is_writable_address(address: str) -> bool:
    """Whether `address` can stand in a header as it is. Some addresses valid by RFC 5322, such
    as a local part that looks like an RFC 2047 encoded word (`=?utf-8?q?x?=@example.org`), make
    the email package raise when it writes them: forms refuse those."""
    try:
        return bool(str(Address(addr_spec=address)))
    except (ValueError, TypeError, errors.MessageError):
        return False


def mailbox(name: str | None, address: str) -> Address:
    """`Name <address>` as a header object; the name is cleaned and bounded, and quoting or
    RFC 2047 encoding is left to the email package."""
    return Address(display_name=header_text(name, NAME_LIMIT), addr_spec=address)


def parse_mailbox(text: str) -> Address:
    """The configured sender, 'Name <address>' or a bare address."""
    name, address = parseaddr(text)
    if "@" not in address:
        raise ValueError(f"MAIL_DEFAULT_SENDER is not an address: {text!r}")
    return mailbox(name, address)


@dataclass(frozen=True)
class Envelope:
    """What the outbox stores: the message bytes and the SMTP envelope."""

    message_id: str
    sender: str
    recipient: str
    subject: str
    raw: bytes


def build_message(
    *,
    sender: Address,
    to: Address,
    subject: str,
    body: str,
    reply_to: list[Address] | None = None,
    domain: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    automatic: bool = True,
    unsubscribe: str | None = None,
) -> Envelope:
    """A message of ours. `in_reply_to` and `references` (Message-IDs the outbox made) thread
    it to earlier mail; `automatic` False for what a person wrote (no Auto-Submitted).
    `unsubscribe`, an https address, gives the message `List-Unsubscribe` (RFC 2369) and
    `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): a POST to it must end the
    subscription with no further question."""
    threading = [in_reply_to] if in_reply_to else []
    threading += references or []
    if any(not MESSAGE_ID.fullmatch(value) for value in threading):
        raise UnsafeMessage("A message can only refer to a Message-ID.")
    message = EmailMessage(policy=policy.SMTP)  # the body wraps at 78
    message["From"] = sender
    message["To"] = to
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = header_text(subject, SUBJECT_LIMIT)
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message_id = make_msgid(domain=domain or sender.domain)
    message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = " ".join(references)
    if automatic:
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: autoresponders must not answer
    if unsubscribe:
        if any(char in unsubscribe for char in "<>\r\n \t,"):
            raise UnsafeMessage("An unsubscribe address must be one plain URL.")
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(clean_text(body), cte="quoted-printable")
    return Envelope(
        message_id=message_id,
        sender=sender.addr_spec,
        recipient=to.addr_spec,
        subject=str(message["Subject"]),
        raw=verified(message.as_bytes(policy=HEADER_POLICY)),
    )
