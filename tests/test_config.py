"""Configuration read once from the environment: the base URL follows PORT, vendor, logs and proxy settings."""
from __future__ import annotations

import pytest

from addon import create_app
from addon.config import load
from addon.extensions import db


def test_base_url_follows_port_when_unset(tmp_path) -> None:
    assert load(str(tmp_path), environ={})["APP_BASE_URL"] == "http://localhost:3000"
    config = load(str(tmp_path), environ={"PORT": "3100"})
    assert (config["PORT"], config["APP_BASE_URL"]) == (3100, "http://localhost:3100")
    # An empty variable counts as unset, as for every other setting.
    assert load(str(tmp_path), environ={"PORT": "3100", "APP_BASE_URL": ""})["APP_BASE_URL"] == "http://localhost:3100"


def test_an_explicit_base_url_wins_over_port(tmp_path) -> None:
    config = load(str(tmp_path), environ={"PORT": "3100", "APP_BASE_URL": "https://skills.example.com/"})
    assert config["APP_BASE_URL"] == "https://skills.example.com"


def test_descriptor_of_an_app_on_another_port_names_that_port(monkeypatch, app_config) -> None:
    monkeypatch.setenv("PORT", "3100")
    monkeypatch.delenv("APP_BASE_URL", raising=False)
    app = create_app({k: v for k, v in app_config.items() if k != "APP_BASE_URL"})
    try:
        assert app.test_client().get("/atlassian-connect.json").json["baseUrl"] == "http://localhost:3100"
    finally:
        with app.app_context():
            db.engine.dispose()


def test_vendor_comes_from_configuration(tmp_path, monkeypatch, app_config) -> None:
    defaults = load(str(tmp_path), environ={"APP_BASE_URL": "https://skills.example.com"})
    assert defaults["APP_VENDOR_URL"] == "https://skills.example.com"
    assert defaults["APP_VENDOR_NAME"] and "github" not in defaults["APP_VENDOR_URL"]
    monkeypatch.setenv("APP_VENDOR_NAME", "Example Corp IT")
    monkeypatch.setenv("APP_VENDOR_URL", "https://it.example.com/skills")
    app = create_app(app_config)
    try:
        vendor = app.test_client().get("/atlassian-connect.json").json["vendor"]
    finally:
        with app.app_context():
            db.engine.dispose()
    assert vendor == {"name": "Example Corp IT", "url": "https://it.example.com/skills"}


def test_log_format_and_proxy_settings(tmp_path) -> None:
    defaults = load(str(tmp_path), environ={})
    assert (defaults["LOG_FORMAT"], defaults["TRUST_PROXY"]) == ("json", 0)
    chosen = load(str(tmp_path), environ={"LOG_FORMAT": "TEXT", "TRUST_PROXY": "1"})
    assert (chosen["LOG_FORMAT"], chosen["TRUST_PROXY"]) == ("text", 1)
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        load(str(tmp_path), environ={"LOG_FORMAT": "xml"})


def test_forge_environment_is_optional_and_checked(tmp_path) -> None:
    assert load(str(tmp_path), environ={})["FORGE_ENVIRONMENT"] == ""  # any environment's FITs
    assert load(str(tmp_path), environ={"FORGE_ENVIRONMENT": " production "})["FORGE_ENVIRONMENT"] == "PRODUCTION"
    with pytest.raises(ValueError, match="FORGE_ENVIRONMENT"):
        load(str(tmp_path), environ={"FORGE_ENVIRONMENT": "prod"})
