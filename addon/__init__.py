"""The add-on's application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask

from . import config as config_module
from . import database, errors, logs, ops
from .extensions import db, migrate
from .jsonio import StrictJSONProvider

PACKAGE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(PACKAGE)


def bundled(name: str) -> str:
    """templates/ or migrations/: inside the package when installed from a wheel, else the checkout's."""
    inside = os.path.join(PACKAGE, name)
    return inside if os.path.isdir(inside) else os.path.join(ROOT, name)


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder=bundled("templates"))
    app.json = StrictJSONProvider(app)
    app.config.from_mapping(config_module.load(app.instance_path, test_config))
    os.makedirs(app.instance_path, exist_ok=True)
    logs.init_app(app)

    db.init_app(app)
    with app.app_context():
        database.configure_engine(db.engine, app.config["DATABASE_PING_IDLE_SECONDS"])
    migrate.init_app(app, db, directory=bundled("migrations"))

    from . import api, auth, cli, connect, forge, pages

    # The fronts: each adds its way in to those require_auth tries (Connect's JWT first, then
    # Forge's FIT, then the API token), and its own routes.
    auth.init_app(app)
    connect.init_app(app)
    forge.init_app(app)
    from . import demo
    demo.init_app(app)  # the demo site and /demo/ in demo mode (`flask demo`); otherwise no demo site

    api.init_app(app)
    app.register_blueprint(pages.bp)
    ops.init_app(app)
    errors.register(app)
    cli.register(app)
    return app
