"""The back-office shell: the dashboard at /staff/ with the panels features registered, and
the staff base template with their navigation entries. No feature imports it."""

from portal.backoffice.views import init_app

__all__ = ["init_app"]
