"""The languages the portal writes in, each at its own address: `/ja/events` is the events
list in Japanese, `/events` in English (docs/adr/0007-languages-by-path.md says why a path and
not a header or a parameter).

`LanguagePrefix`, the outermost layer but the request id's, takes the prefix off the path and
adds it to SCRIPT_NAME, so that every view, the page cache and every `url_for` see the same
routes and the links of a page stay in its language; Flask-Babel's locale is the language the
path named. Dates, times, numbers, money and country names are formatted by Babel for it
(`locale()`). The back office stays in English."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from babel.core import get_global
from flask import Flask, current_app, has_app_context, has_request_context, request, url_for
from flask_babel import Babel, get_locale

from portal.core.assets import hashed_name

LOCALE = "en"  # the default language's Babel locale (and where there is no request)
ENVIRON_KEY = "portal.language"  # the environ's language tag, set by LanguagePrefix
ROOT_KEY = "portal.script_root"  # SCRIPT_NAME before the language was added to it


@dataclass(frozen=True)
class Language:
    """`code`: the path prefix (lower case); `tag`: the BCP 47 tag of `hreflang` and
    `<html lang>`; `locale`: Babel's (and the catalogue's) name; `name`: as its speakers
    write it, for the language menu."""

    code: str
    tag: str
    locale: str
    name: str


# Every language the portal is being translated into. A language is offered (at its address,
# in the menu and the alternates) only once its compiled catalogue is in the repository: a page
# never says `lang="ja"` over English words.
PLANNED = (
    Language("en", "en", "en", "English"),
    Language("de", "de", "de", "Deutsch"),
    Language("es", "es", "es", "Español"),
    Language("fr", "fr", "fr", "Français"),
    Language("id", "id", "id", "Bahasa Indonesia"),
    Language("pt-br", "pt-BR", "pt_BR", "Português (Brasil)"),
    Language("tr", "tr", "tr", "Türkçe"),
    Language("vi", "vi", "vi", "Tiếng Việt"),
    Language("ja", "ja", "ja", "日本語"),
    Language("ko", "ko", "ko", "한국어"),
    Language("zh-hans", "zh-Hans", "zh_Hans", "简体中文"),
)
CATALOGUES = Path(__file__).resolve().parents[2] / "translations"


def is_compiled(language: Language) -> bool:
    return (CATALOGUES / language.locale / "LC_MESSAGES" / "messages.mo").is_file()


LANGUAGES = tuple(
    language for language in PLANNED if language is PLANNED[0] or is_compiled(language)
)
DEFAULT = LANGUAGES[0]
BY_CODE = {language.code: language for language in LANGUAGES}
# The back office stays in English: `/ja/staff/…` redirects to `/staff/…`.
ENGLISH_ONLY = {"staff"}
TRANSLATED = tuple(language for language in LANGUAGES if language is not DEFAULT)


class LanguagePrefix:
    """WSGI middleware: `/ja/…` is served as `…` with `/ja` added to SCRIPT_NAME and the
    language in `environ["portal.language"]`; `/en/…` and `/ja/staff/…` redirect to `…`
    (English has one address, and the back office is English); any other path is English."""

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if ENVIRON_KEY in environ:  # seen already (a retry after a lost connection)
            return self.wsgi_app(environ, start_response)
        path = environ.get("PATH_INFO", "")
        first, slash, rest = path[1:].partition("/")
        language = BY_CODE.get(first)
        script = environ.get("SCRIPT_NAME", "")
        environ[ROOT_KEY] = script
        if language is None:
            environ[ENVIRON_KEY] = DEFAULT.code
            return self.wsgi_app(environ, start_response)
        if language is DEFAULT or rest.split("/", 1)[0] in ENGLISH_ONLY:
            query = environ.get("QUERY_STRING", "")
            # Re-encoded, and one leading slash only: `/en//elsewhere.example` stays on this
            # site, and a decoded line break never reaches a header.
            path = quote(rest.lstrip("/"), safe="/:@!$&'()*+,;=-._~")
            target = f"{script}/{path}" + (f"?{query}" if query else "")
            start_response("301 Moved Permanently", [("Location", target), ("Content-Length", "0")])
            return []
        environ[ENVIRON_KEY] = language.code
        environ["SCRIPT_NAME"] = f"{script}/{language.code}"
        environ["PATH_INFO"] = f"/{rest}" if slash else "/"
        return self.wsgi_app(environ, start_response)


def language() -> Language:
    """The language of the page being served: English outside a request."""
    if not has_request_context():
        return DEFAULT
    return BY_CODE.get(request.environ.get(ENVIRON_KEY, ""), DEFAULT)


def locale() -> str:
    """Babel's locale of what is being written, for format_date and its kin: the page's
    language, or the one a mail is written in (flask_babel.force_locale)."""
    if not has_app_context():
        return LOCALE
    found = get_locale()
    return str(found) if found is not None else LOCALE


def select_locale() -> str:
    """Flask-Babel's locale selector: the language the path named."""
    return language().locale


@cache
def og_locale(target: Language) -> str:
    """The form of a language that the Open Graph protocol (ogp.me) gives for og:locale,
    language_TERRITORY (`ja_JP`, `zh_CN`, `pt_BR`), from CLDR's likely subtags."""
    likely = get_global("likely_subtags")
    found = likely.get(target.locale) or likely.get(target.locale.split("_")[0]) or target.locale
    parts = found.split("_")
    return f"{parts[0]}_{parts[-1]}" if len(parts) > 1 else parts[0]


def language_of(code: str | None) -> Language:
    """The language of a stored code (an inquiry's, a subscription's): English if unknown."""
    return BY_CODE.get(code or "", DEFAULT)


def url_in(target: Language) -> str:
    """This page's address in `target`, with the parameters the view read (its canonical
    ones, when the page cache's decorator has set them: never a visitor's stray ones)."""
    root = request.environ.get(ROOT_KEY, request.script_root)
    prefix = "" if target is DEFAULT else f"/{target.code}"
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    query = urlencode(list(request.args.items(multi=True)))
    return f"{base}{root}{prefix}{request.path}" + (f"?{query}" if query else "")


def alternates() -> list[tuple[str, str]]:
    """(hreflang, address) of this page in every language, then `x-default` (English)."""
    found = [(target.tag, url_in(target)) for target in LANGUAGES]
    return [*found, ("x-default", url_in(DEFAULT))]


def static_url(filename: str) -> str:
    """The address of a file of static/ under its digest (core/assets.py: cached forever),
    outside any language prefix: one copy in every cache, whatever the page's language."""
    path = url_for("assets.asset", name=hashed_name(filename))
    if not has_request_context():
        return path
    script = request.script_root
    root = request.environ.get(ROOT_KEY, script)
    return root + path[len(script) :] if script and path.startswith(script) else path


def init_app(app: Flask) -> None:
    """Flask-Babel with the catalogues in translations/, the language layer around the page
    cache's fast path (call it just after core.pages.init_app), and the templates' names."""
    Babel(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/../translations"),
    )
    app.wsgi_app = LanguagePrefix(app.wsgi_app)  # type: ignore[method-assign]
    app.jinja_env.globals.update(
        current_language=language,
        languages=LANGUAGES,
        language_alternates=alternates,
        og_locale=og_locale,
        static_url=static_url,
    )
