"""/api routes: user_skills (being written)."""
from typing import Any

OPENAPI_PATHS: dict[str, Any] = {}
OPENAPI_SCHEMAS: dict[str, Any] = {}
