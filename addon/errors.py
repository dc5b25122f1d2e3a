"""One error type, one JSON shape for every error: {"error", "message", "details"?}."""
from __future__ import annotations

import logging
import traceback
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from .database import database_unavailable
from .extensions import db
from .skills.errors import DomainError, InvalidInput, NotFound, TooLarge

log = logging.getLogger(__name__)

# Werkzeug's own errors get a stable machine code from their status.
_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 429: "too_many_requests", 500: "internal_error",
    502: "bad_gateway", 503: "service_unavailable",
}


class ApiError(Exception):
    """An answer that is an error; raised anywhere below a view, turned into JSON by the handler."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 details: list[Any] | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details = details
        self.headers = headers or {}


def error_response(err: ApiError) -> Response:
    body: dict[str, Any] = {"error": err.code, "message": err.message}
    if err.details:
        body["details"] = err.details
    response = jsonify(body)
    response.status_code = err.status
    for name, value in err.headers.items():
        response.headers[name] = value
    return response


# The status of each kind of domain refusal (addon.skills.errors), most specific first.
_DOMAIN_STATUS: tuple[tuple[type[DomainError], int], ...] = ((NotFound, 404), (TooLarge, 413), (InvalidInput, 400))


def from_domain(err: DomainError) -> ApiError:
    """The contract's error for a refusal of the domain's rules."""
    status = next((status for kind, status in _DOMAIN_STATUS if isinstance(err, kind)), 400)
    return ApiError(status, err.message, code=err.code, details=err.details)


def size_text(limit: int) -> str:
    """A byte limit (MAX_CONTENT_LENGTH) as people read it: "5 MB", or the bytes when not whole megabytes."""
    mb = 1024 * 1024
    return f"{limit // mb} MB" if limit % mb == 0 else f"{limit:,} bytes"


def too_large_message(limit: int) -> str:
    return f"The request body is larger than {size_text(limit)}."


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_oversized_bodies() -> None:
        # Before authentication or parsing: a declared body over the limit is never read.
        declared = request.content_length
        if declared is not None and declared > app.config["MAX_CONTENT_LENGTH"]:
            raise ApiError(413, too_large_message(app.config["MAX_CONTENT_LENGTH"]))

    @app.errorhandler(DomainError)
    def _domain_error(err: DomainError) -> Response:
        db.session.rollback()
        return error_response(from_domain(err))

    @app.errorhandler(ApiError)
    def _api_error(err: ApiError) -> Response:
        db.session.rollback()
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException) -> Response:
        db.session.rollback()
        status = err.code or 500
        headers = {}
        if status == 405 and err.get_response().headers.get("Allow"):
            headers["Allow"] = err.get_response().headers["Allow"]
        message = {
            404: "No such resource.",
            405: "This method is not allowed here.",
            413: too_large_message(app.config["MAX_CONTENT_LENGTH"]),
        }.get(status, err.description or "Request failed.")
        return error_response(ApiError(status, message, headers=headers))

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        db.session.rollback()
        if database_unavailable(err, db.engine):
            # Lost or refused connections, lock and statement timeouts: the transaction was rolled back.
            log.warning("database unavailable (%s) on %s %s", type(err).__name__, request.method, request.path)
            return error_response(ApiError(503, "The database could not be reached; nothing was changed. "
                                                "Try again in a moment.", headers={"Retry-After": "1"}))
        # The type and the stack only: messages of driver errors can quote bound values (secrets).
        where = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(err.__traceback__))
        log.error("unhandled %s on %s %s\n%s", type(err).__name__, request.method, request.path, where)
        return error_response(ApiError(500, "Something went wrong on our side; nothing was changed."))

