"""Entry point for `flask --app app` and `gunicorn app:app`."""

from portal import create_app
from portal.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:  # one line that names the variable, not a traceback
    raise SystemExit(f"Configuration error: {error}") from None
