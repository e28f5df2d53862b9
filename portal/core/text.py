"""Text as people type it, made safe to write where a line break or an invisible character
would change its meaning: one line for headers, names and titles; a body with plain line ends."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Control and format characters (C0, C1, DEL, zero-width and bidi marks), and Unicode's own
# line and paragraph separators.
UNSAFE = ("Cc", "Cf", "Zl", "Zp")


def clean_line(text: str | None, limit: int | None = None) -> str:
    """One line (of at most `limit` characters): CR, LF, tabs and other control or format
    characters become spaces, so nothing a visitor types can start a new header."""
    text = "".join(" " if unicodedata.category(char) in UNSAFE else char for char in text or "")
    text = _SPACES.sub(" ", text).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def has_control(text: str | None) -> bool:
    """Whether `text` holds a character clean_line would replace (a line break included)."""
    return any(unicodedata.category(char) in UNSAFE for char in text or "")


def clean_text(text: str | None) -> str:
    """A multi-line body: newlines normalised to LF, other control characters dropped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in UNSAFE
    )


def fold(text: str) -> str:
    """Lower case without accents: 'Türkiye' and 'turkiye' find the same events."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))
