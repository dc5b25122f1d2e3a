"""The project as an installed wheel: built, installed (not editable) in a fresh virtualenv, run from elsewhere.

The wheel must carry what the app reads at run time (descriptor template, templates, static files,
migrations). Its dependencies are not downloaded again: the new virtualenv sees the test
virtualenv's packages through a .pth file, which does not run that virtualenv's editable hook, so
`addon` can only come from the wheel.
"""
from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from .conftest import APP_BASE_URL, JiraActions, jira_token
from .live import REPO, free_port, serve


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with the project's wheel installed; returns its python."""
    work = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"), str(REPO)],
        cwd=work)
    [wheel] = (work / "dist").glob("jira_user_skills-*.whl")
    run([sys.executable, "-m", "venv", str(work / "venv")], cwd=work)
    python = work / "venv" / "bin" / "python"
    purelib = run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=work).strip()
    Path(purelib, "test-dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)], cwd=work)
    return python


def test_the_wheel_carries_what_the_app_reads(installed: Path, tmp_path: Path) -> None:
    where = run([str(installed), "-c", "import addon, os; print(os.path.dirname(addon.__file__))"], cwd=tmp_path).strip()
    package = Path(where)
    assert REPO not in package.parents and "site-packages" in package.parts
    for part in ("connect/atlassian-connect.json", "templates/finder.html", "pages/static/finder.js",
                 "templates/home.html", "templates/demo/shell.html", "demo/static/host-demo.js",
                 "migrations/env.py", "migrations/alembic.ini", "migrations/script.py.mako"):
        assert (package / part).is_file(), part
    assert list((package / "migrations" / "versions").glob("*.py"))


def test_the_installed_app_migrates_and_serves_from_any_directory(installed: Path, tmp_path: Path, another_app,
                                                                 install_key, fake_jira) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = f"sqlite:///{tmp_path}/installed.sqlite3"
    env = {"DATABASE_URL": database, "APP_BASE_URL": APP_BASE_URL, "LOG_FORMAT": "text"}
    run([str(installed), "-m", "flask", "--app", "addon", "db", "upgrade"], cwd=elsewhere, env=env)

    # A tenant installed as Jira installs it, by an app on the database the wheel's migrations made.
    local = another_app(DATABASE_URL=database, SQLALCHEMY_DATABASE_URI=None)
    jira = JiraActions(local.test_client(), install_key, fake_jira)
    tenant = jira.install("tenant-wheel", admins={"u-1"})

    port = free_port()
    command = [str(installed), "-m", "gunicorn", "-c", str(REPO / "gunicorn.conf.py"), "addon:create_app()"]
    with serve(command, {**env, "PORT": str(port), "WEB_CONCURRENCY": "1"}, port, tmp_path / "gunicorn.log",
               cwd=elsewhere) as server:
        descriptor = requests.get(server.url + "/atlassian-connect.json", timeout=10)
        assert descriptor.status_code == 200 and descriptor.json()["baseUrl"] == APP_BASE_URL
        assert descriptor.json()["modules"]["generalPages"]
        assert requests.get(server.url + "/readyz", timeout=10).status_code == 200
        static = requests.get(server.url + "/pages/static/finder.js", timeout=10)
        assert static.status_code == 200 and "javascript" in static.headers["Content-Type"]
        url = "/pages/finder?xdm_e=x"
        token = jira_token("GET", url, tenant.client_key, tenant.secret, sub="u-1")
        page = requests.get(f"{server.url}{url}&jwt={token}", timeout=10)
        assert page.status_code == 200, page.text
        assert "<html" in page.text.lower() and "finder.js" in page.text
    with local.app_context():
        from addon.extensions import db
        db.engine.dispose()
