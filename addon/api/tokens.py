"""/api routes: tokens (being written)."""
from typing import Any

OPENAPI_PATHS: dict[str, Any] = {}
OPENAPI_SCHEMAS: dict[str, Any] = {}
