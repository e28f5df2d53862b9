"""A reading kept between the preview and the import, so a file is parsed once: its rows as
JSON (dates, times, the catalogue's enums, projects by id and links tagged), read back as the
same rows. Planning is not kept: the import plans again against the catalogue as it is then."""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from datetime import date, datetime, time
from typing import Any

from portal.events.ical.rows import Capped, ImportRow, Reading
from portal.events.models import EventFormat, EventKind, LinkKind, LinkState, Project
from portal.events.rules import LinkValues

ENUMS = {cls.__name__: cls for cls in (EventFormat, EventKind, LinkKind, LinkState)}
KEPT = [f.name for f in fields(ImportRow) if f.name not in ("action", "event_id", "outcome")]
VERSION = 1


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$t": value.isoformat()}
    for name, cls in ENUMS.items():
        if isinstance(value, cls):
            return {"$e": name, "v": value.value}
    if isinstance(value, Project):
        return {"$p": value.id}
    if isinstance(value, LinkValues):
        return {"$l": [_value(v) for v in (value.kind, value.state, value.url, value.deadline)]}
    if isinstance(value, list):
        return [_value(v) for v in value]
    return value


def _back(value: Any, projects: dict[int, Project]) -> Any:
    if isinstance(value, list):
        return [_back(v, projects) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$d" in value:
        return date.fromisoformat(value["$d"])
    if "$t" in value:
        return time.fromisoformat(value["$t"])
    if "$e" in value:
        return ENUMS[value["$e"]](value["v"])
    if "$p" in value:
        return projects.get(value["$p"])
    if "$l" in value:
        return LinkValues(*(_back(v, projects) for v in value["$l"]))
    raise ValueError(f"Not a value of a stashed reading: {value!r}")


def dumps(reading: Reading) -> bytes:
    rows = []
    for row in reading.rows:
        kept = {name: getattr(row, name) for name in KEPT}
        kept["values"] = {key: _value(v) for key, v in row.values.items()}
        rows.append(kept)
    whole = {
        "version": VERSION,
        "rows": rows,
        "notes": reading.notes,
        "window": [day.isoformat() for day in reading.window or ()],
        "series": reading.series,
        "capped": [asdict(capped) for capped in reading.capped],
    }
    return json.dumps(whole, ensure_ascii=False, separators=(",", ":")).encode()


def loads(data: bytes, projects: list[Project]) -> Reading:
    """The reading `dumps` kept; a project deleted meanwhile is left out of its rows."""
    whole = json.loads(data)
    if whole.get("version") != VERSION:
        raise ValueError("A reading kept by another version of the import.")
    by_id = {project.id: project for project in projects}
    rows = []
    for kept in whole["rows"]:
        values = {key: _back(v, by_id) for key, v in kept.pop("values").items()}
        if "projects" in values:
            values["projects"] = [p for p in values["projects"] if p is not None]
        rows.append(ImportRow(**kept, values=values))
    window = tuple(date.fromisoformat(day) for day in whole["window"])
    return Reading(
        rows=rows,
        notes=whole["notes"],
        window=(window[0], window[1]) if window else None,
        series=whole["series"],
        capped=[Capped(**capped) for capped in whole["capped"]],
    )
