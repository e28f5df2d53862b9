"""Flask extensions, created unbound and attached to the app in `create_app`."""

from typing import TYPE_CHECKING

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic drop and alter them on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Keep Alembic's autogenerate away from the full-text search objects, which differ by
    database and are written by hand in the migrations (SQLite's event_fts*, PostgreSQL's
    ix_event_search and ix_inquiry_search)."""
    return not (name and name.startswith(("event_fts", "ix_event_search", "ix_inquiry_search")))


db = SQLAlchemy(model_class=Base)
# The models' base. At run time it is db.Model, made from Base with Flask-SQLAlchemy's own
# (`query`, table names by convention, the bind); mypy cannot take a base class from an
# attribute (python/mypy#8603), so it is told Base, the declarative base db.Model derives from.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True, include_object=_include_object)
csrf = CSRFProtect()
login = LoginManager()
# Storage and switches come from the RATELIMIT_* keys (memory:// unless PORTAL_RATELIMIT_STORAGE_URI
# names a shared store); the limits themselves sit on the routes that need them.
limiter = Limiter(key_func=get_remote_address)
