"""A corpus of calendar files in the shapes their producers write (tests/calendars/, written
here after the public test calendars of icalendar, ical.js, node-ical, recurring-ical-events
and khal), each with the instants it must give, imported through the command and the back
office."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from portal.events import ical
from portal.events.models import Event, EventFormat, EventStatus
from portal.extensions import db

pytestmark = pytest.mark.usefixtures(
    "frozen_now"
)  # 2024-11-20: the window is 2023-11-21..2026-11-20

CORPUS = Path(__file__).parent / "calendars"
V, H, P = EventFormat.VIRTUAL, EventFormat.HYBRID, EventFormat.IN_PERSON

# file: [(uid, start, end, zone, {field: value})]; a start and end "YYYY-MM-DDTHH:MMZ" are UTC
# instants, "YYYY-MM-DD" the first and last day of an all-day event.
EXPECTED: dict[str, list[tuple]] = {
    "google_utc_with_calendar_zone.ics": [
        ("4kqv0q8d3l6ak1m2r2m5n0s7gh@google.com", "2025-05-12T14:00Z", "2025-05-12T15:00Z",
         "America/Chicago", {}),
    ],
    "google_floating_with_calendar_zone.ics": [
        ("floating-1@google.com", "2025-05-12T14:00Z", "2025-05-12T15:00Z", "America/Chicago",
         {"note": "calendar's zone"}),
    ],
    "google_all_day.ics": [
        ("allday-1@google.com", "2025-06-02", "2025-06-04", "Europe/Berlin",
         {"city": "Berlin", "country": "DE", "venue": "Messe Berlin"}),
    ],
    "google_weekly_with_exdate_and_override.ics": [
        ("weekly-ny@google.com#20250303T150000Z", "2025-03-03T15:00Z", "2025-03-03T16:00Z",
         "America/New_York", {}),
        ("weekly-ny@google.com#20250310T140000Z", "2025-03-10T14:00Z", "2025-03-10T15:00Z",
         "America/New_York", {}),
        ("weekly-ny@google.com#20250324T140000Z", "2025-03-24T18:00Z", "2025-03-24T19:00Z",
         "America/New_York", {"title": "Office hours (moved)"}),
        ("weekly-ny@google.com#20250331T140000Z", "2025-03-31T14:00Z", "2025-03-31T15:00Z",
         "America/New_York", {}),
        ("weekly-ny@google.com#20250407T140000Z", "2025-04-07T14:00Z", "2025-04-07T15:00Z",
         "America/New_York", {}),
    ],
    "google_meet_conference.ics": [
        ("meet-1@google.com", "2025-05-12T14:00Z", "2025-05-12T15:00Z", "UTC",
         {"format": V, "description": "https://meet.google.com/abc-defg-hij"}),
    ],
    "google_yearly_holidays.ics": [
        ("may-day@holiday.calendar.google.com#20250501", "2025-05-01", "2025-05-01",
         "Europe/Berlin", {}),
        ("may-day@holiday.calendar.google.com#20260501", "2026-05-01", "2026-05-01",
         "Europe/Berlin", {}),
    ],
    "outlook_windows_zone_names.ics": [
        ("040000008200E00074C5B7101A82E00800000000A0F1@outlook", "2025-07-16T07:00Z",
         "2025-07-16T08:30Z", "Europe/Berlin", {"note": "was read as Europe/Berlin"}),
    ],
    "outlook_eastern_standard_time.ics": [
        ("040000008200E00074C5B7101A82E00800000000B1A2@outlook", "2025-01-15T14:00Z",
         "2025-01-15T15:00Z", "America/New_York",
         {"city": "Boston", "region": "MA", "country": "US", "street": "02108"}),
    ],
    "outlook_teams_meeting.ics": [
        ("040000008200E00074C5B7101A82E00800000000C3D4@outlook", "2025-02-04T14:00Z",
         "2025-02-04T15:00Z", "Europe/Berlin", {"format": V, "city": None}),
    ],
    "outlook_all_day_as_midnights.ics": [
        ("040000008200E00074C5B7101A82E00800000000D5E6@outlook", "2025-06-10", "2025-06-11",
         "Europe/Berlin", {}),
    ],
    "apple_calendar.ics": [
        ("6F7A2B1C-1111-4C3D-9E8F-ABCDEF012345", "2025-09-20T12:00Z", "2025-09-20T16:00Z",
         "Europe/Paris",
         {"city": "Paris", "country": "FR", "venue": "Station F", "latitude": 48.834}),
    ],
    "thunderbird_lightning.ics": [
        ("8c7b2f5e-6a1d-4d6b-9a5e-1d2f3a4b5c6d", "2025-10-30T14:00Z", "2025-10-30T15:00Z",
         "Europe/Helsinki", {"city": "Helsinki", "country": "FI"}),
    ],
    "sunbird_mozilla_tzid.ics": [
        ("sunbird-1", "2025-08-01T22:00Z", "2025-08-02T00:00Z", "America/New_York", {}),
    ],
    "lotus_notes_custom_zone.ics": [
        ("C1257F0A00300C2B-Lotus_Notes_Generated", "2025-08-20T08:00Z", "2025-08-20T10:00Z",
         "Europe/Berlin", {"note": "which has the same offsets", "city": "Vienna"}),
    ],
    "custom_zone_eastern.ics": [
        ("zimbra-7f3a@mail.example.org", "2025-09-10T17:00Z", "2025-09-10T18:00Z",
         "America/New_York", {"note": "was read as America/New_York"}),  # a display name
    ],
    "unknown_zone_without_vtimezone.ics": [
        ("mars-1@example.org", "2025-04-05T10:00Z", "2025-04-05T11:00Z", "UTC",
         {"note": "'Mars/Olympus_Mons' is not one we know: times were read in UTC"}),
    ],
    "duplicate_dtstart.ics": [
        ("dup-start@example.org", "2025-06-10T09:00Z", "2025-06-10T10:00Z", "UTC",
         {"note": "It has 2 DTSTART properties: the first was used."}),
    ],
    "duplicate_dtend.ics": [
        ("dup-end@example.org", "2025-06-10T09:00Z", "2025-06-10T10:00Z", "UTC",
         {"note": "It has 2 DTEND properties"}),
    ],
    "duplicate_geo.ics": [
        ("dup-geo@example.org", "2025-07-01", "2025-07-01", "UTC",
         {"latitude": 52.52, "longitude": 13.405, "note": "It has 2 GEO properties"}),
    ],
    "duplicate_summary_uid_location.ics": [
        ("dup-text@example.org", "2025-07-02", "2025-07-02", "UTC",
         {"title": "First title", "city": "Lisbon", "note": "It has 2 SUMMARY properties"}),
    ],
    "date_without_end.ics": [
        ("date-no-end@example.org", "2025-08-01", "2025-08-01", "UTC", {"note": "one day"}),
    ],
    "datetime_without_end.ics": [
        ("time-no-end@example.org", "2025-08-01T15:00Z", "2025-08-01T16:00Z", "UTC",
         {"note": "one hour long"}),
    ],
    "duration_instead_of_dtend.ics": [
        # 01:30 EST plus an exact hour, across the spring change: 03:30 EDT.
        ("duration@example.org", "2025-03-09T06:30Z", "2025-03-09T07:30Z", "America/New_York", {}),
    ],
    "duration_days_all_day.ics": [
        ("duration-days@example.org", "2025-09-05", "2025-09-07", "UTC", {}),
    ],
    "zero_length.ics": [
        ("zero@example.org", "2025-09-15T23:59Z", "2025-09-16T00:59Z", "UTC",
         {"note": "It ends when it starts"}),
    ],
    "mixed_date_start_datetime_end.ics": [
        ("mixed-1@example.org", "2025-09-20", "2025-09-21", "UTC", {"note": "all-day"}),
    ],
    "mixed_datetime_start_date_end.ics": [
        ("mixed-2@example.org", "2025-09-20", "2025-09-20", "UTC", {"note": "all-day"}),
    ],
    "floating_start_zoned_end.ics": [
        ("floating-zoned@example.org", "2025-06-10T13:00Z", "2025-06-10T15:00Z",
         "America/New_York", {}),
    ],
    "broken_valarm.ics": [
        ("alarm@example.org", "2025-06-12T09:00Z", "2025-06-12T10:00Z", "UTC", {}),
    ],
    "broken_vtodo.ics": [
        ("beside-todo@example.org", "2025-06-13", "2025-06-13", "UTC", {}),
    ],
    "utf8_bom.ics": [
        ("bom@example.org", "2025-06-14", "2025-06-14", "UTC", {"title": "Café numérique"}),
    ],
    "latin1.ics": [
        ("latin1@example.org", "2025-06-15", "2025-06-15", "UTC",
         {"title": "Journée Résilience", "city": "Genève", "file_note": "Windows-1252"}),
    ],
    "windows1252.ics": [
        ("cp1252@example.org", "2025-06-16", "2025-06-16", "UTC",
         {"title": "“Open” days – 5 € entry", "file_note": "Windows-1252"}),
    ],
    "lf_only.ics": [
        ("lf@example.org", "2025-06-17T09:00Z", "2025-06-17T10:00Z", "UTC", {}),
    ],
    "unfolded_long_lines.ics": [
        ("unfolded@example.org", "2025-06-18", "2025-06-18", "UTC",
         {"city": "Madrid", "country": "ES"}),
    ],
    "no_uid.ics": [
        (None, "2025-06-19", "2025-06-19", "UTC", {"title": "Without an identity"}),
        (None, "2025-06-20T09:00Z", "2025-06-20T10:00Z", "UTC", {"title": "Another without"}),
    ],
    "zoom_url_location.ics": [
        ("zoom-1@zoom.us", "2025-06-23T16:00Z", "2025-06-23T17:00Z", "UTC",
         {"format": V, "city": None, "description": "https://us02web.zoom.us/j/81234567890"}),
    ],
    "online_word_location.ics": [
        ("online@example.org", "2025-06-24T16:00Z", "2025-06-24T17:00Z", "UTC",
         {"format": V, "city": None}),
    ],
    "hybrid_place_and_url.ics": [
        ("hybrid@example.org", "2025-06-25T16:00Z", "2025-06-25T18:00Z", "UTC",
         {"format": H, "city": "Berlin", "venue": "c-base", "country": "DE"}),
    ],
    "postcode_germany.ics": [
        ("postcode-de@example.org", "2025-06-26", "2025-06-26", "UTC",
         {"city": "Berlin", "street": "Alexanderstraße 11, 10178", "country": "DE"}),
    ],
    "postcode_us.ics": [
        ("postcode-us@example.org", "2025-06-27", "2025-06-27", "UTC",
         {"city": "Pasadena", "region": "CA", "country": "US", "street": "300 E Green St, 91101"}),
    ],
    "postcode_uk.ics": [
        ("postcode-uk@example.org", "2025-06-28", "2025-06-28", "UTC",
         {"city": "London", "country": "GB", "street": "Royal Victoria Dock, E16 1XL"}),
    ],
    "meetup.ics": [
        ("event_301234567@meetup.com", "2025-07-10T01:30Z", "2025-07-10T03:30Z",
         "America/Los_Angeles",
         {"venue": "Example HQ", "city": "San Francisco", "region": "CA", "country": "US",
          "latitude": 37.7898, "format": P}),
    ],
    "cancelled.ics": [
        ("cancelled@example.org", "2025-07-10", "2025-07-10", "UTC",
         {"cancelled": True, "city": "Oslo"}),
    ],
    "sabredav_rdate.ics": [
        ("rdate@cloud.example.org#20250203T170000Z", "2025-02-03T17:00Z", "2025-02-03T18:00Z",
         "Europe/Berlin", {}),
        ("rdate@cloud.example.org#20250505T160000Z", "2025-05-05T16:00Z", "2025-05-05T17:00Z",
         "Europe/Berlin", {}),
        ("rdate@cloud.example.org#20250804T160000Z", "2025-08-04T16:00Z", "2025-08-04T17:00Z",
         "Europe/Berlin", {}),
        ("rdate@cloud.example.org#20251103T170000Z", "2025-11-03T17:00Z", "2025-11-03T18:00Z",
         "Europe/Berlin", {}),
    ],
    "nextcloud_monthly_until.ics": [
        ("a1b2c3d4-nextcloud#20250109T220000Z", "2025-01-09T22:00Z", "2025-01-09T23:00Z",
         "Australia/Sydney", {}),
        ("a1b2c3d4-nextcloud#20250209T220000Z", "2025-02-09T22:00Z", "2025-02-09T23:00Z",
         "Australia/Sydney", {}),
        ("a1b2c3d4-nextcloud#20250309T220000Z", "2025-03-09T22:00Z", "2025-03-09T23:00Z",
         "Australia/Sydney", {}),
        # Sydney leaves summer time on April 6: 09:00 is 23:00 UTC the day before from then.
        ("a1b2c3d4-nextcloud#20250409T230000Z", "2025-04-09T23:00Z", "2025-04-10T00:00Z",
         "Australia/Sydney", {}),
        ("a1b2c3d4-nextcloud#20250509T230000Z", "2025-05-09T23:00Z", "2025-05-10T00:00Z",
         "Australia/Sydney", {}),
        ("a1b2c3d4-nextcloud#20250609T230000Z", "2025-06-09T23:00Z", "2025-06-10T00:00Z",
         "Australia/Sydney", {}),
    ],
    "override_without_master.ics": [
        ("series-elsewhere@example.org#20250715T090000Z", "2025-07-15T13:00Z",
         "2025-07-15T14:00Z", "UTC", {}),
    ],
    "khal.ics": [
        (f"V042MJ8B3SJNFXQOJL6P53OFMHJE8Z3VZWOU#{stamp}", f"{day}T{hour}:00Z",
         f"{day}T{int(hour) + 1}:00Z", "Europe/London", {})
        for stamp, day, hour in [
            ("20250305T190000Z", "2025-03-05", "19"),
            ("20250312T190000Z", "2025-03-12", "19"),
            ("20250319T190000Z", "2025-03-19", "19"),
            ("20250326T190000Z", "2025-03-26", "19"),
            ("20250402T180000Z", "2025-04-02", "18"),  # British Summer Time from March 30
        ]
    ],
    "tripit.ics": [
        ("item-2f8b@tripit.com", "2025-09-30", "2025-10-02", "UTC",
         {"title": "Lisbon, Portugal, September 2025", "city": "Lisbon", "latitude": 38.7223}),
        ("item-3a9c@tripit.com", "2025-09-30T07:15Z", "2025-09-30T10:10Z", "UTC", {}),
    ],
    "discourse_event.ics": [
        ("post_event_1234@meta.example.org", "2025-10-15T17:00Z", "2025-10-15T18:00Z", "UTC",
         {"format": V, "links": "https://meta.example.org/t/monthly-call/1234"}),
    ],
    "synology_two_calendars.ics": [
        ("syno-1", "2025-10-20", "2025-10-20", "UTC", {}),
        ("syno-2", "2025-10-21", "2025-10-21", "UTC", {}),
    ],
    # Issue 17's cases, each a file of our own.
    "owa_display_name_zones.ics": [
        ("owa-1@exchange.example", "2025-05-12T14:00Z", "2025-05-12T15:00Z", "America/New_York",
         {"note": "was read as America/New_York"}),
        ("owa-2@exchange.example", "2025-05-12T00:00Z", "2025-05-12T01:00Z", "Australia/Sydney",
         {"note": "was read as Australia/Sydney"}),
    ],
    "vtimezone_two_tzids.ics": [
        ("two-tzids@example.org", "2025-05-12T08:00Z", "2025-05-12T09:00Z", "Europe/Berlin",
         {"file_note": "Europe/Berlin / Europe/Paris could not be read and was left out"}),
    ],
    "vtimezone_bad_offset.ics": [
        ("bad-offset@example.org", "2025-05-12T10:00Z", "2025-05-12T11:00Z", "UTC",
         {"file_note": "Broken/Zone could not be read"}),
    ],
    "vtimezone_with_rdate.ics": [
        ("rdate-zone@example.org", "2025-05-12T10:00Z", "2025-05-12T11:00Z", "UTC",
         {"file_note": "Odd/Zone could not be read"}),
    ],
    "no_uid_weekly.ics": [
        (None, "2025-05-05T09:00Z", "2025-05-05T10:00Z", "UTC", {"note": "has no UID"}),
        (None, "2025-05-12T09:00Z", "2025-05-12T10:00Z", "UTC", {"note": "has no UID"}),
        (None, "2025-05-19T09:00Z", "2025-05-19T10:00Z", "UTC", {"note": "has no UID"}),
        (None, "2025-06-01T09:00Z", "2025-06-01T10:00Z", "UTC", {"note": "has no UID"}),
    ],
    "same_uid_sequence.ics": [
        ("twice@example.org", "2025-05-12T14:00Z", "2025-05-12T15:00Z", "UTC",
         {"title": "Moved (sequence 2)", "note": "highest SEQUENCE"}),
        ("thrice@example.org", "2025-05-13T12:00Z", "2025-05-13T13:00Z", "UTC",
         {"title": "Later stamp"}),
    ],
    "no_summary.ics": [
        ("no-summary@example.org", "2025-05-12T10:00Z", "2025-05-12T11:00Z", "UTC",
         {"title": "Untitled event", "note": "has no SUMMARY"}),
    ],
}  # fmt: skip


def _instant(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def test_the_corpus_has_every_file_and_every_file_an_expectation():
    files = {path.name for path in CORPUS.glob("*.ics")}
    assert files == set(EXPECTED)
    assert len(files) >= 40


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_file_gives_the_instants_its_producer_meant(app, name):
    reading = ical.read((CORPUS / name).read_bytes())
    rows = ical.plan(reading.rows)
    expected = EXPECTED[name]
    assert len(rows) == len(expected), [row.uid for row in rows]
    for row, (uid, start, end, zone, extra) in zip(rows, expected, strict=True):
        assert row.action == "create", (row.uid, row.problems)
        if uid is not None:
            assert row.uid == uid
        values = row.values
        assert values["timezone"] == zone, row.uid
        if "T" in start:
            tz = ZoneInfo(zone)
            first = datetime.combine(values["starts_on"], values["start_time"], tz)
            last = datetime.combine(values["ends_on"], values["end_time"], tz)
            assert (first.astimezone(UTC), last.astimezone(UTC)) == (
                _instant(start),
                _instant(end),
            ), row.uid
        else:
            assert values["start_time"] is None and values["end_time"] is None
            assert (values["starts_on"], values["ends_on"]) == (
                date.fromisoformat(start),
                date.fromisoformat(end),
            )
        for key, wanted in extra.items():
            if key == "note":
                assert any(wanted in note for note in row.notes), row.notes
            elif key == "file_note":
                assert any(wanted in note for note in reading.notes), reading.notes
            elif key == "title":
                assert row.title == wanted
            elif key == "cancelled":
                assert row.cancelled is wanted
            elif key == "description":
                assert wanted in values["summary"] + values["description"]
            elif key == "links":
                assert [link.url for link in values["links"]] == [wanted]
            else:
                assert values.get(key) == wanted, (key, values.get(key))
        for text in (row.title, values.get("summary", ""), values.get("city") or ""):
            assert "vText(" not in text and "[" not in text  # never a Python object's text


@pytest.mark.slow
def test_the_whole_corpus_imports_with_a_reason_for_anything_skipped_and_again_changes_nothing(
    runner,
):
    total = sum(len(rows) for rows in EXPECTED.values())
    created = 0
    for name in sorted(EXPECTED):
        path = str(CORPUS / name)
        result = runner.invoke(args=["events", "import", path, "--apply", "--json"])
        assert result.exit_code == 0, (name, result.output)
        report = json.loads(result.stdout)
        assert report["skipped"] == [], (name, report["skipped"])
        created += len(report["created"])
    assert created == total
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == total
    for name in sorted(EXPECTED):
        result = runner.invoke(args=["events", "import", str(CORPUS / name), "--apply", "--json"])
        report = json.loads(result.stdout)
        assert report["created"] == report["updated"] == report["skipped"] == [], name
    cancelled = db.session.scalar(
        db.select(Event).where(Event.import_uid == "cancelled@example.org")
    )
    assert cancelled.status is EventStatus.DRAFT
    assert cancelled.summary.startswith("Cancelled in the source calendar.")


def test_the_preview_shows_each_guess_and_says_a_cancelled_draft_stays_a_draft(
    client, editor, csrf
):
    from io import BytesIO

    for name, wanted in [
        ("duplicate_summary_uid_location.ics", "It has 2 SUMMARY properties: the first was used."),
        ("cancelled.ics", "a draft marked cancelled"),
        ("windows1252.ics", "read as Windows-1252"),
        ("google_weekly_with_exdate_and_override.ics", "from 2023-11-21 to 2026-11-20"),
        ("unknown_zone_without_vtimezone.ics", "is not one we know: times were read in UTC"),
    ]:
        form = {
            "csrf_token": csrf("/staff/import/"),
            "file": (BytesIO((CORPUS / name).read_bytes()), name),
        }
        preview = client.post("/staff/import/", data=form, content_type="multipart/form-data")
        assert preview.status_code == 200
        text = " ".join(preview.get_data(as_text=True).replace("&#39;", "'").split())
        assert wanted in text, name
        assert "vText" not in text
