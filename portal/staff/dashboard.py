"""The dashboard is a column of panels; each feature adds its own with `@panel(...)`, e.g.
the inbox (staff/inbox.py):

    @dashboard.panel("inquiries", "staff/inbox/_dashboard.html", order=10)
    def inquiries_panel(now): return {"new_by_kind": ..., "latest": ...}

A panel's context function runs on every visit: keep it to a few aggregate queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import render_template
from markupsafe import Markup

Context = Callable[[datetime], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    context: Context


_panels: dict[str, Panel] = {}


def panel(key: str, template: str, order: int = 50) -> Callable[[Context], Context]:
    """Register a panel; a later registration under the same key replaces the earlier one."""

    def register(context: Context) -> Context:
        _panels[key] = Panel(template, order, context)
        return context

    return register


def render_panels(now: datetime) -> list[Markup]:
    ordered = sorted(_panels.values(), key=lambda p: p.order)
    # Each panel is rendered by Jinja with autoescape on: it is already safe HTML.
    return [Markup(render_template(p.template, now=now, **p.context(now))) for p in ordered]  # noqa: S704
