"""The /api blueprint: parse, authorize, call the domain in addon.skills, shape JSON.

Each route module registers its views on `bp` and declares its part of the OpenAPI document as
`OPENAPI_PATHS` (and `OPENAPI_SCHEMAS`); addon.api.openapi puts the parts together.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import openapi, tokens, tree, user_skills  # noqa: E402,F401  (registers the views on bp)
