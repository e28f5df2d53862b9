"""What a feature adds to the back office without importing it: a panel on the dashboard and
an entry in the staff navigation. The back-office shell (portal/backoffice) shows them.

    @backoffice.panel("inquiries", "inquiries/admin/_panel.html", order=10)
    def inquiries_panel(now): return {"new_by_kind": ..., "latest": ...}

    backoffice.menu("Inquiries", "staff_inquiries.index", order=40)

A panel's context function runs on every visit: keep it to a few aggregate queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Context = Callable[[datetime], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    template: str
    order: int
    context: Context


@dataclass(frozen=True)
class MenuEntry:
    """A link of the staff navigation. It marks the current page when the request's
    blueprint is among `blueprints` (the endpoint's own, and those of the screens it leads
    to); `admin_only` entries are shown to admins only."""

    label: str
    endpoint: str
    order: int
    admin_only: bool
    blueprints: tuple[str, ...]


panels: dict[str, Panel] = {}
menu_entries: dict[str, MenuEntry] = {}


def panel(key: str, template: str, order: int = 50) -> Callable[[Context], Context]:
    """Register a panel; a later registration under the same key replaces the earlier one."""

    def register(context: Context) -> Context:
        panels[key] = Panel(template, order, context)
        return context

    return register


def menu(
    label: str,
    endpoint: str,
    order: int = 50,
    admin_only: bool = False,
    also: tuple[str, ...] = (),
) -> None:
    """Register a navigation entry (by endpoint: registering it again replaces it); `also`
    names the blueprints of further screens it stands for."""
    blueprints = (endpoint.rpartition(".")[0], *also)
    menu_entries[endpoint] = MenuEntry(label, endpoint, order, admin_only, blueprints)


def ordered_panels() -> list[Panel]:
    return sorted(panels.values(), key=lambda p: p.order)


def ordered_menu() -> list[MenuEntry]:
    return sorted(menu_entries.values(), key=lambda entry: entry.order)
