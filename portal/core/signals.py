"""The portal's named signals: how one feature reacts to another's change without importing it.

Every cross-feature reaction is one of these blinker signals (as Flask's own
`template_rendered`), declared here with who sends it, when, and what receivers get. A
feature connects its receivers in its `init_app` (or with `@signal.connect` at import, for
module-level functions); the sender never knows who listens.

    from portal.core import signals

    @signals.edition_made.connect
    def copy_packages(previous, edition, actor): ...

Receivers run in the sender's transaction and request, synchronously: keep them short, and let
them raise only what the sender can answer (an operation's `Refused`).
"""

from __future__ import annotations

from blinker import Namespace

_portal = Namespace()

catalogue_changed = _portal.signal("catalogue-changed")
"""Sent after a commit that changed what visitors see (an event, its links or projects, a
tier, member, package or contact: anything that raised the catalogue version, see
core/version.py). Sender: the app. The version memo of this process forgets what it read, so
the next request reads the new version and every cached page and feed keyed by the old one
is left behind."""

next_public_change = _portal.signal("next-public-change")
"""Sent when the catalogue version needs the first instant after `now` at which public pages
change with no edit at all (an event ends, a link's deadline passes): once per version, and
again once that instant has passed. Sender: the app; keyword `now` (an aware UTC datetime).
Each receiver returns such an instant (aware) or None; the earliest of them counts. The
events feature answers it (events/queries.py)."""

edition_made = _portal.signal("edition-made")
"""Sent by `events.operations.next_edition` once the new edition is flushed, before the
caller commits. Sender: the edition it follows (an Event); keywords `edition` (the new
Event) and `actor` (a StaffUser, or None for commands). The offer copies the sponsorship
packages of the previous edition (offer/operations.py)."""

daily_job_due = _portal.signal("daily-job-due")
"""Sent by the outbox worker (`flask outbox deliver --loop`) for each receiver once a day:
in its first round, then 24 hours after that receiver last ran (an hour after it failed).
Sender: the app. Each receiver is called on its own (mail/cli.py), so one that fails does not
stop the others; it returns a line for the worker's log, or None when it had nothing to do.
The inquiries' retention purge is one (inquiries/cli.py), the deletion of old sent mail
another (mail/retention.py)."""

hourly_job_due = _portal.signal("hourly-job-due")
"""As daily_job_due, once an hour: sent by the outbox worker for each receiver in its first
round, then an hour after that receiver last ran (failures are tried again the next hour).
Sender: the app; each receiver returns a line for the worker's log, or None. The inquiries'
reminders and escalations are one (inquiries/reminders.py)."""

health_report = _portal.signal("health-report")
"""Sent by /healthz (core/health.py) to ask features for their part of the report. Sender:
the app. Each receiver returns (name, state, details): a state of "ok", "degraded" or
"unreachable", and a dict of figures for people (or None). Receivers must be quick and must
not raise; the outbox answers it (mail/health.py)."""

sponsors_wanted = _portal.signal("sponsors-wanted")
"""Sent when an event's page, its JSON-LD or its calendar text names the event's sponsors
(core/credits.py `sponsors_of`). Sender: the app; keyword `event_ids` (a list of ints). Each
receiver returns {event id: [core.credits.Credit, ...]} in the order they are shown (by
package, then name), in a fixed number of statements; the offer answers it
(offer/sponsors.py)."""

periodic_job_due = _portal.signal("periodic-job-due")
"""Sent by the outbox worker (`flask outbox deliver --loop`) for each receiver every few
minutes (PORTAL_OUTBOX_PERIODIC_SECONDS, 300 by default): in its first round, then that long
after the receiver last ran. Sender: the app. Called like `daily_job_due`'s receivers (each on
its own, a failure logged and tried again next time); returns a line for the log or None. The
alerts' `alerts send` is one (alerts/cli.py)."""

address_erased = _portal.signal("address-erased")
"""Sent by `inquiries.privacy.erase` (the `privacy erase` command and the privacy screen) in
its transaction, before the caller commits. Sender: None; keywords `emails` (the lower-cased
forms of the address, a set) and `actor` (a StaffUser, or None for commands). Each feature
that keeps an address removes what it holds of it and returns (what, how many), which the
erasure reports; the alerts delete its subscriptions and their mail (alerts/__init__.py)."""

address_exported = _portal.signal("address-exported")
"""Sent by `inquiries.privacy.export` (`privacy export` and the privacy screen). Sender: None;
keyword `emails` (the lower-cased forms of the address, a set). Each feature that keeps an
address returns (key, list of dicts) for the export's JSON object, or None; the alerts answer
`alert_subscriptions` (alerts/__init__.py)."""
