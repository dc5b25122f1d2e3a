"""Configuration read once: what depends on the database chosen."""
from __future__ import annotations

from addon.config import load


def test_server_connections_are_checked_before_use_sqlite_files_are_not(tmp_path) -> None:
    postgres = load(str(tmp_path), environ={"DATABASE_URL": "postgres://u:p@db.example/skills"})
    assert postgres["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert postgres["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_pre_ping": True}
    sqlite = load(str(tmp_path), environ={})
    assert sqlite["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert sqlite["SQLALCHEMY_ENGINE_OPTIONS"] == {}
    chosen = load(str(tmp_path), {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 3}}, environ={})
    assert chosen["SQLALCHEMY_ENGINE_OPTIONS"] == {"pool_size": 3}
