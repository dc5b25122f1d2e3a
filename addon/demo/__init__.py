"""The demo: the app with a Jira site of its own and no Jira (`scripts/run --demo`, that is `flask demo`).

The demo site (clientKey `demo`) is a Connect tenant like any other: its people's pages call the
real /api with Connect context JWTs signed with its shared secret, its API token is a real one, and
the app's calls to its Jira are answered in process by a stand-in (standin.py) that checks them as
Jira does. Its data is set anew at each start (site.py). Everything else is the app as it is.

Demo mode exists only on SQLite, with a loopback APP_BASE_URL, listening on 127.0.0.1 alone: on
only through `flask demo`, which binds that address itself, never from the environment. Any app
started without it on SQLite uninstalls the demo site, so its tokens get 401, and has no /demo/.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import click
from flask import Flask
from sqlalchemy import Engine, delete, exc, inspect, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import Base, Tenant
from ..skills import credentials
from .site import SITE, DemoSite, plant
from .standin import BASE_URL, StandInJira
from .views import CLIENT_KEY, bp, is_loopback

log = logging.getLogger(__name__)
HOST = "127.0.0.1"  # the one address a demo listens on


class DemoRefused(RuntimeError):
    """Demo mode cannot start with this configuration; the message says what to change."""


def refusal(config: dict[str, Any]) -> str | None:
    """Why demo mode may not start with `config`, or None when it may."""
    if not str(config["SQLALCHEMY_DATABASE_URI"]).startswith("sqlite:"):
        return ("The demo runs on SQLite only: unset DATABASE_URL (the demo then uses the SQLite file "
                "in the instance folder) or set it to a sqlite:/// URL.")
    if not is_loopback(urlsplit(config["APP_BASE_URL"]).hostname or ""):
        return (f"The demo runs only with a loopback APP_BASE_URL (localhost, 127.0.0.0/8 or ::1), not "
                f"{config['APP_BASE_URL']}: unset APP_BASE_URL for http://localhost:$PORT.")
    return None


def init_app(app: Flask) -> None:
    """In demo mode, the demo site's stand-in for Jira and its pages; otherwise, no demo site."""
    app.cli.add_command(demo_command)
    if not app.config["DEMO_MODE"]:
        with app.app_context():
            try:
                retire(db.engine)
            except exc.DBAPIError as err:
                # The app starts whatever the database's state (/readyz says it); the next start retires it.
                log.warning("could not look for a demo site to uninstall: %s", type(err).__name__)
        return
    reason = refusal(app.config)
    if reason:
        raise DemoRefused(reason)
    # A new secret at every start: the tokens of an earlier run, and their holders, are refused.
    standin = StandInJira(SITE, secrets.token_urlsafe(48), app.config["APP_KEY"], app.config["JWT_LEEWAY_SECONDS"])
    app.extensions["demo"] = standin
    app.extensions["connect"].permissions.client.mount(BASE_URL + "/", standin.transport())
    app.register_blueprint(bp)


def retire(engine: Engine) -> None:
    """Uninstall a demo site left by an earlier demo run (on SQLite, where one can be): its tokens get 401."""
    if engine.dialect.name != "sqlite" or not inspect(engine).has_table(Tenant.__tablename__):
        return
    with Session(engine) as session:
        tenant_id = session.execute(select(Tenant.id).where(
            Tenant.client_key == CLIENT_KEY, Tenant.base_url == BASE_URL, Tenant.installed)).scalar_one_or_none()
        if tenant_id is None:
            return
        session.execute(update(Tenant).where(Tenant.id == tenant_id).values(installed=False, enabled=False))
        credentials.revoke_credentials(session, tenant_id)
        session.commit()
    log.info("uninstalled the demo site of an earlier demo run")


@dataclass(frozen=True)
class Started:
    token: str  # the demo site's API token
    site: DemoSite


def start(app: Flask) -> Started:
    """Set the demo site up from scratch: installed with the stand-in's secret, its data planted."""
    standin: StandInJira = app.extensions["demo"]
    with app.app_context():
        session = db.session
        tenant = session.execute(select(Tenant).where(Tenant.client_key == CLIENT_KEY)).scalar_one_or_none()
        if tenant is None:
            tenant = Tenant(client_key=CLIENT_KEY)
            session.add(tenant)
            session.flush()
        # Everything the site had, in every table that belongs to a tenant (a feature's new table too).
        for table in reversed(Base.metadata.sorted_tables):
            if "tenant_id" in table.c:
                session.execute(delete(table).where(table.c.tenant_id == tenant.id))
        tenant.shared_secret = standin.shared_secret
        tenant.base_url = BASE_URL
        tenant.product_type = "jira"
        tenant.installed = tenant.enabled = True
        credentials.revoke_credentials(session, tenant.id)
        token = plant(session, tenant.id, standin.site)
        session.commit()
        session.remove()
    return Started(token, standin.site)


@click.command("demo")
def demo_command() -> None:
    """Serve the demo: a demo site with sample people and skills, and its pages at
    http://127.0.0.1:$PORT/demo/, without Jira. Its data is set anew at each start."""
    from werkzeug.serving import run_simple

    from .. import create_app

    try:
        app = create_app({"DEMO_MODE": True})
    except DemoRefused as err:
        raise click.ClickException(str(err)) from None
    with app.app_context():
        if not inspect(db.engine).has_table(Tenant.__tablename__):
            raise click.ClickException("The database has no tables yet: run `flask --app app db upgrade` first "
                                       "(scripts/run --demo does).")
    started = start(app)
    port = app.config["PORT"]
    skills = len(started.site.skills)
    click.echo(f"""
User Skills demo: the demo site "{CLIENT_KEY}", {len(started.site.people)} people, {skills} skills, \
{len(started.site.issues)} issues (set anew at each start).

  Its pages, outside Jira:  http://{HOST}:{port}/demo/

  Its API, with an API token of the demo site (it acts as the site's administrator):
    export SKILLS=http://{HOST}:{port} TOKEN={started.token}
    curl -s -H "Authorization: Bearer $TOKEN" "$SKILLS/api/skills-by-account"

  Stop it with Ctrl-C.
""")
    run_simple(HOST, port, app, threaded=True, use_reloader=False, use_debugger=False)
