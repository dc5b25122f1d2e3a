"""Everything Forge Remote: FIT verification (JWKS), lifecycle events, Jira calls with the system token.

A sibling of `connect/`: neither imports the other.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Forge's key cache and the lifecycle blueprint; with FORGE_APP_ID empty every FIT gets 401."""
    from .keys import ForgeKeys
    from .lifecycle import bp

    app.extensions["forge_keys"] = ForgeKeys(
        app.config["FORGE_JWKS_URL"], app.config["FORGE_JWKS_TIMEOUT_SECONDS"],
        app.config["FORGE_JWKS_MAX_AGE_SECONDS"], app.config["FORGE_JWKS_MIN_REFETCH_SECONDS"])
    app.register_blueprint(bp)
