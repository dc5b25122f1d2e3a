"""Logs: one line per request and per unexpected error, JSON or text, and never a token.

Jira puts a `jwt` in the query string of every iframe URL, and servers write request lines, so
request lines are redacted whatever logger writes them (Werkzeug's dev server, gunicorn).
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, g, has_request_context, request

# Loggers that write request lines: Werkzeug's dev server, gunicorn's access and error logs.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
APP_LOGGER = "addon"
REQUEST_ID_HEADER = "X-Request-Id"

# A query parameter: its name, `=`, its value (up to the next `&`, white space or quote).
_QUERY_PARAMETER = re.compile(r"(?P<start>[?&;])(?P<name>[^=&;\s\"'?#]{1,64})=(?P<value>[^&;\s\"'#]*)")
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}\Z")


def _is_token_name(encoded: str) -> bool:
    """Whether a parameter name is `jwt` once decoded, as Werkzeug decodes it (`%6Awt`, `JWT`, `j%77t`...)."""
    if len(encoded) > 3 * 3 + 6:
        return False
    return unquote(encoded.replace("+", " ")).strip().lower() == "jwt"


def redact(text: str) -> str:
    """`text` with the value of every `jwt` query parameter replaced, however its name is spelled."""
    if "=" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        if not _is_token_name(match["name"]):
            return match[0]
        return f"{match['start']}{match['name']}=[redacted]"

    return _QUERY_PARAMETER.sub(replace, text)


class RedactTokens(logging.Filter):
    """Rewrites a record's message with any `jwt=` value replaced, before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_redaction() -> None:
    """Idempotent: adds the filter once to each access logger."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


# ---------------------------------------------------------------------------------------------
# Request ids and the request line

def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


def caller_tenant_id() -> Any:
    """The authenticated caller's tenant id, if any; the one place that knows where the caller is kept."""
    caller = g.get("caller") or g.get("auth")
    return getattr(getattr(caller, "tenant", None), "id", None)


def _start_request() -> None:
    g.request_started = time.perf_counter()
    given = request.headers.get(REQUEST_ID_HEADER, "")
    # A proxy's id ties our line to its own; anything long or odd could forge log content: replaced.
    g.request_id = given if _SAFE_REQUEST_ID.match(given) else uuid.uuid4().hex


def _finish_request(response: Response) -> Response:
    started = g.get("request_started")
    if g.get("request_id") is None:  # an earlier before_request answered first
        g.request_id = uuid.uuid4().hex
    response.headers[REQUEST_ID_HEADER] = g.request_id
    rule = request.url_rule
    fields = {
        "method": request.method,
        "route": rule.rule if rule is not None else None,  # the rule, never the raw path or query
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3) if started else None,
        "tenant": caller_tenant_id(),
    }
    logging.getLogger("addon.requests").info("request", extra={"fields": fields})
    return response


# ---------------------------------------------------------------------------------------------
# Formatting

class _RequestContext(logging.Filter):
    """Puts the request id on every record logged while a request is handled."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    fields = dict(getattr(record, "fields", None) or {})
    if getattr(record, "request_id", None):
        fields["request_id"] = record.request_id
    return fields


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": _time(record), "level": record.levelname.lower(),
                                "logger": record.name, "message": redact(record.getMessage())}
        line.update(_fields(record))
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`, for people reading a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        return f"{_time(record)} {record.levelname} {record.name} {redact(record.getMessage())} {pairs}".rstrip()


class _AppHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The add-on's own log handler (standard error), replaced rather than doubled by a second app."""


def configure(log_format: str) -> None:
    """The `addon` loggers write to standard error in `log_format` (json or text)."""
    logger = logging.getLogger(APP_LOGGER)
    for handler in [h for h in logger.handlers if isinstance(h, _AppHandler)]:
        logger.removeHandler(handler)
    handler = _AppHandler(sys.stderr)
    handler.setFormatter(TextFormatter() if log_format == "text" else JsonFormatter())
    handler.addFilter(_RequestContext())
    logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def init_app(app: Flask) -> None:
    """Log configuration, request ids, the request line, and redaction of servers' request lines."""
    configure(app.config["LOG_FORMAT"])
    install_redaction()
    # Registered first: its before_request runs before any that could answer early, and its
    # after_request runs last, seeing the final status.
    app.before_request(_start_request)
    app.after_request(_finish_request)
