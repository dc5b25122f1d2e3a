"""The /api blueprint: parse, authorize, call the domain in addon.skills, shape JSON.

Every route checks in one order, so that a request with several faults always gets the same answer:
1. authenticate (`addon.auth.require_auth`): no valid credential, 401;
2. parse the query and the body: not JSON 415, over a limit 413, bad input 400, each saying what
   is wrong; the domain's own checks of a body (addon.skills) run here, before any permission check;
3. authorize (`addon.auth.require_*`): not allowed 403, Jira could not say 503;
4. act: the domain's changes in the request's one transaction, committed before the answer;
   refusals that need the data (an unknown category key 404, a rule of the tree 400) come here.
Domain refusals are exceptions of addon.skills.errors, turned into JSON by addon.errors alone.

Each route module registers its views on `bp` and declares its part of the OpenAPI document as
`OPENAPI_PATHS`, written with the helpers and schemas of addon.api.schemas (each schema declared once
there); addon.api.openapi puts the parts together.
"""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from . import insights, openapi, tokens, tree, user_skills  # noqa: E402,F401  (registers the views on bp)
