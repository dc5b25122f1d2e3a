"""The demo's fixtures, shared by its tests (test_demo.py) and its walk in a browser (test_demo_pages.py)."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from flask import Flask
from flask_migrate import upgrade

from addon import create_app
from addon.demo import Started, start
from addon.extensions import db

from .conftest import empty_all_tables, make_config

DEMO_BASE_URL = "http://localhost:3000"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated SQLite file: the demo runs on SQLite only, whichever database the suite runs on."""
    url = "sqlite:///" + str(tmp_path_factory.mktemp("demo") / "demo.sqlite3")
    app = create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": None})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def demo_config(database: str, key_server: Any, **overrides: Any) -> dict[str, Any]:
    return make_config(database, key_server.url, **{"APP_BASE_URL": DEMO_BASE_URL, "DEMO_MODE": True, **overrides})


@pytest.fixture
def made(demo_database: str) -> Iterator[list[Flask]]:
    """Apps a test makes on the demo database; their tables emptied and engines closed afterwards."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        with app.app_context():
            db.session.remove()
            empty_all_tables()
            db.engine.dispose()


@pytest.fixture
def demo(demo_database: str, key_server: Any, made: list[Flask]) -> tuple[Flask, Started]:
    app = create_app(demo_config(demo_database, key_server))
    made.append(app)
    return app, start(app)
