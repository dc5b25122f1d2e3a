"""The Forge tests: the helpers of tests/fits.py (the fixtures `forge`, `jwks_server` and `forge_key`
are in tests/conftest.py, as every /api test may play Forge)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.fits import (APP_ARI, APP_UUID, ForgeActions, ForgeSite, JwksServer, fit_claims,  # noqa: F401
                        public_jwk, sign_fit, snapshot)


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """The same-site tests ask a Connect site's /_edge/tenant_info on the fake Jira."""
    return {**app_config, "TENANT_INFO_TIMEOUT_SECONDS": 2.0}
