"""Logs: one line per request and per unexpected error, JSON or text, and never a token.

Jira puts a `jwt` in the query string of every iframe URL, and servers write request lines, so
request lines are redacted whatever logger writes them (Werkzeug's dev server, gunicorn).
"""
from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Iterable
from urllib.parse import unquote

from flask import Flask, Response, g, has_request_context, request

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# Loggers that write request lines: Werkzeug's dev server, gunicorn's access and error logs.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")
APP_LOGGER = "addon"
REQUEST_ID_HEADER = "X-Request-Id"
_REQUEST_ID_ENVIRON = "HTTP_X_REQUEST_ID"  # the header as WSGI hands it over
# WSGI environ keys of ours: the request's id, and perf_counter() when the request reached the app.
_REQUEST_ID = "addon.request_id"
_STARTED = "addon.request_started"
_REQUESTS = logging.getLogger("addon.requests")

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
    """This request's id, made when first asked for; None outside a request."""
    return _request_id(request.environ) if has_request_context() else None


def _request_id(environ: dict[str, Any]) -> str:
    # Kept in the WSGI environ, which is the request's own (g can outlive a request in tests).
    rid = environ.get(_REQUEST_ID)
    if rid is None:
        given = environ.get(_REQUEST_ID_ENVIRON, "")
        # A proxy's id ties our line to its own; anything long or odd could forge log content: replaced.
        rid = environ[_REQUEST_ID] = given if _SAFE_REQUEST_ID.match(given) else _new_request_id()
    return rid


def _new_request_id() -> str:
    """32 random hex digits: what a uuid4 gave, without building a UUID object for it."""
    return os.urandom(16).hex()


def _caller_tenant_id() -> Any:
    """The authenticated caller's tenant id, if any; the one place that knows where the caller is kept."""
    return getattr(getattr(g.get("caller"), "tenant", None), "id", None)


class _NoteStart:
    """WSGI middleware: notes when a request reached the app, for its line's `duration_ms`.

    Not a before_request hook: the one that did this and made the request id cost the hot read
    33,000 CPU instructions (callgrind), most of them Flask's dispatch of a hook; this middleware
    and the id made when first asked for (request_id()) cost it 18,000.
    """

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ[_STARTED] = time.perf_counter()
        return self.app(environ, start_response)


def _finish_request(response: Response) -> Response:
    req = request._get_current_object()  # type: ignore[attr-defined]  # once, not once per attribute
    environ = req.environ
    rid = _request_id(environ)
    response.headers[REQUEST_ID_HEADER] = rid
    if not _REQUESTS.isEnabledFor(logging.INFO):
        return response
    started = environ.get(_STARTED)
    rule = req.url_rule
    fields = {
        "method": req.method,
        "route": rule.rule if rule is not None else None,  # the rule, never the raw path or query
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 3) if started else None,
        "tenant": _caller_tenant_id(),
    }
    _log_request(fields, rid)
    return response


def _log_request(fields: dict[str, Any], rid: str) -> None:
    """What `_REQUESTS.info("request", extra=...)` does, without its search of the stack for the caller.

    The record still comes from the record factory and goes through the logger's filters, handlers
    and propagation (pytest's caplog, a collector's handler on the root logger); only its file and
    line are this module's rather than looked up, and no formatter of ours prints them.
    """
    record = logging.getLogRecordFactory()(_REQUESTS.name, logging.INFO, __file__, 0, "request", None, None,
                                           "_finish_request")
    record.fields = fields
    record.request_id = rid
    _REQUESTS.handle(record)


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


class _Clock:
    """A record's time as ISO 8601 UTC to the millisecond; the part down to the second is made once a second."""

    def __init__(self) -> None:
        self._second: tuple[int, str] = (-1, "")

    def __call__(self, record: logging.LogRecord) -> str:
        second = int(record.created)
        # Rounded to the microsecond first, as datetime.fromtimestamp does (0.123 is 0.12299990654...).
        micro = round((record.created - second) * 1_000_000)
        if micro >= 1_000_000:
            second, micro = second + 1, micro - 1_000_000
        cached = self._second
        if cached[0] != second:  # threads may both rebuild it: same answer, one tuple swapped in
            cached = self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{cached[1]}.{micro // 1000:03d}+00:00"


# json.dumps with options builds a new JSONEncoder on every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def __init__(self) -> None:
        super().__init__()
        self._time = _Clock()

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {"time": self._time(record), "level": record.levelname.lower(),
                                "logger": record.name, "message": redact(record.getMessage())}
        line.update(_fields(record))
        return _ENCODE(line)


# What a terminal or a line-based reader acts on: C0 and C1 controls (newlines, carriage returns,
# escape sequences), DEL, the line and paragraph separators, and the bidirectional controls that
# reorder what is shown. A message quoting a caller's input (an event type) must not start a line.
_UNSAFE_IN_TEXT = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(text: str) -> str:
    """`text` with each unsafe character written as its Python escape (`\\n`, `\\x1b`, `\\u2028`)."""
    def spell(found: re.Match[str]) -> str:
        ch = found[0]
        return _ESCAPES.get(ch) or (f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")

    return _UNSAFE_IN_TEXT.sub(spell, text)


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`, for people reading a terminal: one record, one line."""

    def __init__(self) -> None:
        super().__init__()
        self._time = _Clock()

    def format(self, record: logging.LogRecord) -> str:
        pairs = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        # Escaped before trimming: str.rstrip() would drop a trailing U+0085 or U+2028 unseen.
        line = _escape(f"{redact(record.getMessage())} {pairs}").rstrip()
        return f"{self._time(record)} {record.levelname} {record.name} {line}"


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
    app.wsgi_app = _NoteStart(app.wsgi_app)  # type: ignore[method-assign]
    # Registered first: runs last of the after_request hooks, seeing the final status.
    app.after_request(_finish_request)
