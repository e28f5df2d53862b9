"""An event's title and summary in the language a page is served in, where staff wrote them
(issue 24): `Event.localized` holds `{"ja": {"title": "…", "summary": "…"}}`. English, and
every language staff did not write, read the event's own `title` and `summary`: the portal never
translates what staff wrote. Staff edit them at /staff/events/<id>/languages."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from portal.core import i18n
from portal.core.audit import record
from portal.core.errors import Refused
from portal.core.text import clean_line, has_control
from portal.events.models import Event

FIELDS = {"title": 200, "summary": 500}  # as long as the English column allows
DEFAULT_CODE = i18n.DEFAULT.code  # English: the event's own title and summary


def languages() -> tuple[i18n.Language, ...]:
    """The languages staff may write an event in: every planned one but English, offered yet
    or not, so a title can be ready on the day its language is offered."""
    return tuple(language for language in i18n.PLANNED if language is not i18n.DEFAULT)


def field_name(name: str, code: str) -> str:
    """`title_zh_hans`: the name of a text of a language, the same in Python and in HTML."""
    return f"{name}_{code.replace('-', '_')}"


def written(event: Event, name: str, code: str) -> str | None:
    """The `title` or `summary` staff wrote in that language, if they did."""
    return (event.localized or {}).get(code, {}).get(name)


def text_of(event: Event, name: str, code: str | None = None) -> str:
    """The event's `title` or `summary` in the language served (or `code`), else its own."""
    return written(event, name, code or i18n.language().code) or getattr(event, name) or ""


def title(event: Event) -> str:
    return text_of(event, "title")


def summary(event: Event) -> str:
    return text_of(event, "summary")


def _html(event: Event, name: str) -> Markup:
    """The text as HTML: in a page of another language, the English text staff did not write
    in it is marked `lang="en"`, for screen readers' voices and for hyphenation."""
    code = i18n.language().code
    text = text_of(event, name, code)
    if code == DEFAULT_CODE or not text or written(event, name, code):
        return escape(text)
    return Markup('<span lang="en">{}</span>').format(text)


def title_html(event: Event) -> Markup:
    return _html(event, "title")


def summary_html(event: Event) -> Markup:
    return _html(event, "summary")


def errors_of(values: dict[str, dict[str, str]]) -> dict[str, str]:
    """By field (field_name), what is wrong: a line break or control character, or too long."""
    errors: dict[str, str] = {}
    for code, texts in values.items():
        for name, text in texts.items():
            if has_control(text):
                errors[field_name(name, code)] = (
                    "One line, without line breaks or control characters."
                )
            elif len(text) > FIELDS[name]:
                errors[field_name(name, code)] = f"At most {FIELDS[name]} characters."
    return errors


def set_localized(event: Event, values: dict[str, dict[str, Any]], actor) -> bool:
    """Store the texts staff wrote (empty ones are dropped: that language reads the English
    again), with an audit entry of what changed. False when nothing did."""
    wanted: dict[str, dict[str, str]] = {}
    known = {language.code for language in languages()}
    for code, texts in values.items():
        if code not in known:
            raise Refused({"": f"Not a language of the portal: {code}."})
        kept = {name: str(texts.get(name) or "").strip() for name in FIELDS}
        kept = {name: text for name, text in kept.items() if clean_line(text)}
        if kept:
            wanted[code] = kept
    errors = errors_of(wanted)
    if errors:
        raise Refused(errors)
    before = dict(event.localized or {})
    if wanted == before:
        return False
    event.localized = wanted  # a new object: SQLAlchemy sees the change
    event.refresh_derived()  # the search finds the event by its other titles too
    changed = sorted(c for c in {*before, *wanted} if before.get(c) != wanted.get(c))
    record(
        actor,
        "event.localize",
        event,
        event.title,
        before={code: before.get(code) for code in changed},
        after={code: wanted.get(code) for code in changed},
    )
    return True
