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

A new route: a view on `bp` under `@require_auth`, acting for `caller().tenant.id`. It never
confirms its caller's tenant itself (addon.auth does: at the commit of a write, else after the
view, or at no cost through `tenant_read` for a read whose statement also reads the tenant's auth
epoch). List it in tests/test_api_auth.py's ROUTES and in OPENAPI_PATHS; then run
scripts/api_docs.py. A new whole-tenant answer is a kind in addon.skills.tenant_answers (a
`ByAccount` for {field: {account: value}}), its writers record their changes first
(skills.changes.record), and its route is `return tenant_answer(Kind)` (addon.api.answers).
"""
from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")

from . import issues, levels, openapi, tokens, tree, user_skills  # noqa: E402,F401  (registers the views on bp)


def init_app(app: Flask) -> None:
    """The /api routes, and the whole-tenant answers they keep per process (addon.api.answers)."""
    from ..skills.answer_cache import TenantAnswers
    from .issues import IssueJira

    app.extensions["answers"] = TenantAnswers(app.config["ANSWER_CACHE_BYTES"], app.json.dumps)
    app.extensions["issue_jira"] = IssueJira.for_app(app.config)
    app.register_blueprint(bp)
