"""The whole-tenant answers as /api routes give them: the caller's tenant's, from the app's TenantAnswers.

A route of a whole-tenant answer (skills.tenant_answers) is one line: `return tenant_answer(Kind)`.
The answers and their cache (skills.answer_cache) know no Flask; this is the glue.
"""
from __future__ import annotations

from flask import Response, current_app

from ..auth import caller, tenant_read
from ..extensions import db
from ..skills import versions
from ..skills.answer_cache import TenantAnswers
from ..skills.tenant_answers import Answer


def tenant_answers() -> TenantAnswers:
    return current_app.extensions["answers"]


def tenant_answer(kind: type[Answer]) -> Response:
    """The caller's tenant's answer `kind`: from memory, patched by what changed since, or built."""
    # The version is read before the answer is patched or built: an answer is never older than its version.
    version = tenant_read(versions.current_and_epoch)
    answer = tenant_answers().get(db.session, caller().tenant.id, kind, version)
    return current_app.response_class(answer.body, mimetype=current_app.json.mimetype)
