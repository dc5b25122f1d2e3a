"""Flask's side of the database: Flask-SQLAlchemy's `db` and Flask-Migrate, created unbound.

The models are plain SQLAlchemy on `Base` (addon.models), so the domain imports them without Flask;
`db` is built over that same Base, so `db.session` and `db.metadata` see the same tables.
"""
from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from .models import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()

__all__ = ["Base", "db", "migrate"]
