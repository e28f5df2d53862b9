"""The catalogues: every string of the public templates goes through gettext, every language's
catalogue holds every string the code and templates extract (translated, with the same
placeholders), and the compiled catalogues are those of the sources in the repository."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment

from portal.core.i18n import TRANSLATED

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CATALOGUES = ROOT / "translations"
# The back office stays in English: its templates (and the mails to staff) are not translated.
STAFF = ("backoffice/", "accounts/", "errors/staff_error.html")
STAFF_MAILS = ("inquiries/mail/notification.txt", "inquiries/mail/nudge.txt")
# Attributes people read (or hear): their values are text to translate.
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt")
GETTEXT = {"_", "gettext", "ngettext", "lazy_gettext"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def public_templates() -> list[Path]:
    found = []
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.suffix not in (".html", ".txt") or "/admin/" in f"/{name}":
            continue
        if name.startswith(STAFF) or name in STAFF_MAILS:
            continue
        found.append(path)
    return found


def words_outside_gettext(source: str) -> list[str]:
    """Text of a template that is not inside `_()`: literal text between the tags, the values
    of attributes people read, and string literals in expressions that read as words."""
    found: list[str] = []
    tokens = list(Environment(extensions=["jinja2.ext.i18n"]).lex(source))
    depth = 0
    inside: list[int] = []  # the depths at which a gettext call's arguments start
    previous = ""
    markup = []  # the literal text, with each tag or expression as one mark
    for _line, kind, value in tokens:
        if kind == "data":
            markup.append(value)
        elif kind.endswith("_begin"):
            markup.append("\x01")
        elif kind == "operator" and value in "([{":
            depth += 1
            if value == "(" and previous in GETTEXT:
                inside.append(depth)
        elif kind == "operator" and value in ")]}":
            if inside and inside[-1] == depth:
                inside.pop()
            depth -= 1
        elif kind == "string" and not inside and reads_as_words(value[1:-1]):
            found.append(value[1:-1])
        if kind != "whitespace":
            previous = value if kind == "name" else ""
    return words_in_markup("".join(markup)) + found


def words_in_markup(text: str) -> list[str]:
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    found = []
    for attribute in READ_ATTRIBUTES:
        for value in re.findall(rf'\s{attribute}="([^"]*)"', text):
            if re.search(r"[A-Za-z]{2,}", value):
                found.append(value)
    text = re.sub(r"<[^>]*>", " ", text)
    text = re.sub(r"&[a-z]+;|&#\d+;", " ", text)
    chunks = re.split(r"[\x01\n]", text)
    return found + [chunk.strip() for chunk in chunks if re.search(r"[A-Za-z]{2,}", chunk)]


def reads_as_words(value: str) -> bool:
    """'Tell me when it opens' or 'Cancelled': words; 'coming_soon', ' secondary', 'cfp',
    '%Y%m%d' and '/card.png?v=': code."""
    return bool(
        re.search(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}", value)
        or re.fullmatch(r"\s*[A-Z][a-z]+[.!?:]?\s*", value)
    )


@pytest.mark.parametrize("path", public_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_every_string_of_a_public_template_goes_through_gettext(path):
    assert words_outside_gettext(path.read_text()) == []


def test_the_check_finds_text_outside_gettext():
    source = (
        '<p>Upcoming events</p><a aria-label="Main menu">{{ _("Fine") }}</a>'
        '{{ "Cancelled" if x else _("Postponed") }}{{ x|replace("a", "b") }}'
    )
    assert words_outside_gettext(source) == ["Main menu", "Upcoming events", "Cancelled"]


def extracted() -> dict[str, set[str]]:
    """msgid → its plural forms' placeholders, as `make translations` extracts them."""
    method_map = [
        ("portal/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    found: dict[str, set[str]] = {}
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, keywords=keywords
    ):
        forms = message if isinstance(message, tuple) else (message,)
        found[forms[0]] = {name for form in forms if form for name in PLACEHOLDER.findall(form)}
    return found


@pytest.fixture(scope="module")
def messages() -> dict[str, set[str]]:
    return extracted()


def test_the_template_of_the_catalogues_is_up_to_date(messages):
    with open(CATALOGUES / "messages.pot", "rb") as handle:
        template = read_po(handle)
    assert {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id} == set(
        messages
    ), "run `make translations`"


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_each_catalogue_translates_every_string(language, messages):
    path = CATALOGUES / language.locale / "LC_MESSAGES" / "messages.po"
    with open(path, "rb") as handle:
        catalogue = read_po(handle)
    missing, broken = [], []
    for msgid, placeholders in messages.items():
        message = catalogue.get(msgid)
        if message is None:
            missing.append(msgid)
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(msgid)
        elif any(set(PLACEHOLDER.findall(text)) - placeholders for text in strings):
            broken.append(msgid)
    assert missing == [], f"{language.code}: not translated"
    assert broken == [], f"{language.code}: a placeholder the English does not have"


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_each_compiled_catalogue_is_its_source(language):
    folder = CATALOGUES / language.locale / "LC_MESSAGES"
    with open(folder / "messages.po", "rb") as handle:
        source = read_po(handle)
    compiled = BytesIO()
    write_mo(compiled, source)
    compiled.seek(0)
    with open(folder / "messages.mo", "rb") as handle:
        kept = read_mo(handle)
    expected = read_mo(compiled)

    def strings(catalogue):  # a plural's id and strings come back as lists
        def frozen(value):
            return tuple(value) if isinstance(value, (list, tuple)) else value

        return {frozen(m.id): frozen(m.string) for m in catalogue if m.id}

    assert strings(kept) == strings(expected), "run `make translations`"
