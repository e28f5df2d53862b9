"""Share cards: the 1200×630 PNG that an event page names as its og:image, drawn with Pillow
from the event's title, its dates and times in its own zone, its place and its state (a
cancelled event's card says so). Drawn once per change of the event: the card's key is what
it shows, and each process keeps the latest cards it drew."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import os
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from flask_babel import gettext as _
from PIL import Image, ImageDraw, ImageFont

from portal.events import display
from portal.events.models import Event, EventStatus

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BRAND = (218, 26, 50)
INK, PAPER, MUTED = (24, 24, 24), (255, 255, 255), (90, 90, 90)
STATE_COLOURS = {EventStatus.CANCELLED: (160, 20, 20), EventStatus.POSTPONED: (170, 100, 0)}
KEPT = 256  # cards kept by each process


@dataclass(frozen=True)
class CardText:
    """What a card shows, as text: the key of the card too."""

    site: str
    title: str
    when: str
    times: str
    place: str
    state: str | None

    @classmethod
    def of(cls, event: Event, site: str) -> CardText:
        state = event.status.label if event.status in STATE_COLOURS else None
        if event.status is EventStatus.POSTPONED and event.status_reason:
            # Translators: on a share card: the status ("Postponed") and why.
            state = _("%(status)s: %(reason)s", status=state, reason=event.status_reason)
        return cls(
            site=site,
            title=event.title,
            when=plain(display.event_when(event, long=True)),
            times=plain(display.event_times(event)) if event.shows_dates else "",
            place=plain(display.place(event)),
            state=state if event.status is not EventStatus.CANCELLED else _("Cancelled"),
        )


# Babel's thin and narrow spaces, which not every font draws.
SPACES = str.maketrans({"\u2009": " ", "\u202f": " ", "\u00a0": " "})
# Fonts tried in order (PORTAL_CARD_FONT first): Debian's fonts-dejavu-core and
# fonts-liberation. Pillow's own font has no accents and no dashes: the last resort, with the
# text reduced to ASCII.
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def plain(text: str) -> str:
    return text.translate(SPACES)


@functools.cache
def font_file(configured: str | None) -> str | None:
    for path in (configured, *FONTS):
        if path and os.path.isfile(path):
            return path
    return None


def ascii_only(text: str) -> str:
    text = text.replace("–", "-").replace("—", "-").replace("…", "...")
    decomposed = unicodedata.normalize("NFKD", text)
    return decomposed.encode("ascii", "ignore").decode()


def wrap(draw: ImageDraw.ImageDraw, text: str, face, width: int, lines: int) -> list[str]:
    """`text` in at most `lines` lines of at most `width` pixels, the last cut with '…'."""
    found: list[str] = []
    line = ""
    for word in text.split():
        attempt = f"{line} {word}".strip()
        if draw.textlength(attempt, font=face) <= width or not line:
            line = attempt
            continue
        found.append(line)
        line = word
    if line:
        found.append(line)
    if len(found) > lines:
        found = found[:lines]
        while found[-1] and draw.textlength(found[-1] + "…", font=face) > width:
            found[-1] = found[-1][:-1]
        found[-1] = found[-1].rstrip() + "…"
    return found


def draw_card(text: CardText, font_path: str | None = None) -> bytes:
    """The card's PNG, in the font at `font_path` (Pillow's own when None)."""
    if font_path is None:
        text = CardText(*(ascii_only(v) if v else v for v in dataclasses.astuple(text)))

    def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        if font_path is None:
            return ImageFont.load_default(size)
        return ImageFont.truetype(font_path, size)

    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 18), fill=BRAND)
    y = 60
    draw.text((MARGIN, y), text.site, font=font(34), fill=BRAND)
    y += 70
    if text.state:
        colour = next(
            (c for status, c in STATE_COLOURS.items() if text.state.startswith(status.label)),
            STATE_COLOURS[EventStatus.CANCELLED],
        )
        face = font(40)
        label = wrap(draw, text.state.upper(), face, WIDTH - 2 * MARGIN - 40, 1)[0]
        box = draw.textbbox((MARGIN + 20, y + 10), label, font=face)
        draw.rectangle((MARGIN, y, box[2] + 20, box[3] + 14), fill=colour)
        draw.text((MARGIN + 20, y + 10), label, font=face, fill=PAPER)
        y = int(box[3]) + 40
    face = font(68)
    for line in wrap(draw, text.title, face, WIDTH - 2 * MARGIN, 3 if not text.state else 2):
        draw.text((MARGIN, y), line, font=face, fill=INK)
        y += 86
    y += 20
    for line, size in ((text.when, 40), (text.times, 30), (text.place, 40)):
        if line:
            face = font(size)
            draw.text((MARGIN, y), wrap(draw, line, face, WIDTH - 2 * MARGIN, 1)[0], font=face,
                      fill=MUTED if size < 40 else INK)  # fmt: skip
            y += size + 22
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class Card:
    png: bytes
    etag: str


_cards: OrderedDict[tuple, Card] = OrderedDict()
_lock = Lock()


def card(event: Event, site: str, configured_font: str | None = None) -> Card:
    """The event's card, drawn only when what it shows is not among the cards kept."""
    text = CardText.of(event, site)
    path = font_file(configured_font)
    key = (text, path)  # what is drawn: an edit that changes none of it draws nothing
    with _lock:
        found = _cards.get(key)
        if found is not None:
            _cards.move_to_end(key)
            return found
    png = draw_card(text, path)
    made = Card(png, hashlib.sha256(png).hexdigest()[:32])
    with _lock:
        _cards[key] = made
        while len(_cards) > KEPT:
            _cards.popitem(last=False)
    return made
