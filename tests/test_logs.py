"""Log lines: one per request with its route and request id, one per unexpected error, never a token."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import pytest
from flask import Blueprint

from addon.logs import JsonFormatter, TextFormatter, redact

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJ0In0.c2lnbmF0dXJl"


@pytest.mark.parametrize("name", ["jwt", "JWT", "Jwt", "%6Awt", "%6awt", "%4Awt", "j%77t", "j%57t", "jw%74",
                                  "%6A%77%74", "%4a%57%54", "jw%54"])
@pytest.mark.parametrize("template", ["GET /pages/finder?{p}&xdm_e=x HTTP/1.1", "GET /x?a=1&{p} HTTP/1.1",
                                      '"GET /x?{p}" 200', "/x?{p}"])
def test_the_token_parameter_is_redacted_however_its_name_is_spelled(name, template) -> None:
    line = template.format(p=f"{name}={TOKEN}")
    assert redact(line) == template.format(p=f"{name}=[redacted]")


def test_what_werkzeug_reads_as_jwt_is_always_redacted() -> None:
    # Every name the query parser decodes to `jwt` (the token the app reads) is one redact() knows.
    for name in ("jwt", "%6Awt", "%6awt", "j%77t", "jw%74", "%6A%77%74", "j%77%74"):
        assert parse_qsl(f"{name}=x") == [("jwt", "x")]
        assert TOKEN not in redact(f"GET /p?{name}={TOKEN} HTTP/1.1")


def test_other_parameters_are_left_alone() -> None:
    line = "GET /api/user-skills?accountId=abc&jwtx=1&xjwt=2&q=jwt%3Dnot HTTP/1.1"
    assert redact(line) == line


@pytest.fixture
def extra_blueprints():
    bp = Blueprint("log_probe", __name__)

    @bp.get("/probe/boom/<int:number>")
    def boom(number: int):
        raise RuntimeError("driver said: do-not-log-this-secret-value")

    return [bp]


def records(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def test_one_json_line_a_request_with_its_route_and_no_query(client, jira, caplog) -> None:
    caplog.set_level("INFO")
    tenant = jira.install("tenant-a")
    caplog.clear()
    url = "/api/user-skills?accountId=u-1"
    response = jira.request(tenant, "GET", url, headers={"X-Request-Id": "abc-123"})
    assert response.status_code == 200 and response.headers["X-Request-Id"] == "abc-123"
    [record] = records(caplog, "addon.requests")
    line = JsonFormatter().format(record)
    assert "\n" not in line and "u-1" not in line and "accountId" not in line
    fields = json.loads(line)
    assert fields["route"] == "/api/user-skills" and fields["method"] == "GET" and fields["status"] == 200
    assert fields["request_id"] == "abc-123" and isinstance(fields["tenant"], int)
    text = TextFormatter().format(record)
    assert "route=/api/user-skills status=200" in text and "request_id=abc-123" in text


def test_the_route_is_the_rule_not_the_path(client, caplog) -> None:
    caplog.set_level("INFO")
    client.get("/probe/boom/42")
    [record] = records(caplog, "addon.requests")
    assert record.fields["route"] == "/probe/boom/<int:number>" and record.fields["status"] == 500


@pytest.mark.parametrize("given", ["", "x" * 129, "has space", "tab\tin", "quote\"d", "é", "a;b=c"])
def test_an_unsafe_or_missing_request_id_is_replaced(client, given) -> None:
    response = client.get("/healthz", headers={"X-Request-Id": given} if given else {})
    made = response.headers["X-Request-Id"]
    assert made != given and len(made) == 32 and made.isalnum()


def test_an_unexpected_error_is_one_line_with_the_request_id_and_no_secret(client, caplog) -> None:
    caplog.set_level("INFO")
    response = client.get("/probe/boom/1", headers={"X-Request-Id": "err-1"})
    assert response.status_code == 500
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    line = JsonFormatter().format(error)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "error" and fields["request_id"] == "err-1"
    assert "RuntimeError" in fields["message"] and "do-not-log-this-secret-value" not in line


def test_a_request_answered_before_the_view_still_gets_an_id_and_a_line(client, caplog) -> None:
    caplog.set_level("INFO")
    response = client.post("/lifecycle/installed", data=b"x" * (5 * 1024 * 1024 + 1),
                           headers={"Content-Type": "application/json", "X-Request-Id": "big-1"})
    assert response.status_code == 413 and response.headers["X-Request-Id"] == "big-1"
    [record] = records(caplog, "addon.requests")
    assert record.fields["status"] == 413


def test_a_line_s_time_is_utc_to_the_millisecond_across_seconds() -> None:
    formatter, text = JsonFormatter(), TextFormatter()
    # The same formatter, seconds apart, back in time, and within one second.
    for created in (1764000000.123, 1764000000.9994, 1764000000.9999996, 1764000001.0005, 1700000000.5,
                    1764000001.25, 1764000001.0):
        record = logging.makeLogRecord({"name": "addon.requests", "levelno": logging.INFO, "levelname": "INFO",
                                        "msg": "request", "created": created})
        expected = datetime.fromtimestamp(created, timezone.utc).isoformat(timespec="milliseconds")
        assert json.loads(formatter.format(record))["time"] == expected
        assert text.format(record).startswith(expected + " INFO addon.requests request")


def test_no_request_line_is_built_when_its_logger_is_off(client, caplog) -> None:
    caplog.set_level("INFO")
    quiet = logging.getLogger("addon.requests")
    quiet.setLevel(logging.WARNING)
    try:
        response = client.get("/healthz", headers={"X-Request-Id": "quiet-1"})
    finally:
        quiet.setLevel(logging.NOTSET)
    assert response.headers["X-Request-Id"] == "quiet-1"
    assert records(caplog, "addon.requests") == []
    client.get("/healthz", headers={"X-Request-Id": "loud-1"})
    [record] = records(caplog, "addon.requests")
    assert record.request_id == "loud-1" and record.fields["route"] == "/healthz"


def test_the_request_line_comes_from_the_record_factory(client, caplog) -> None:
    # Tracing libraries put their ids on every record through the factory: the request line has them.
    caplog.set_level("INFO")
    original = logging.getLogRecordFactory()

    def traced(*args, **kwargs):
        record = original(*args, **kwargs)
        record.trace_id = "t-1"
        return record

    logging.setLogRecordFactory(traced)
    try:
        client.get("/healthz")
    finally:
        logging.setLogRecordFactory(original)
    [record] = records(caplog, "addon.requests")
    assert record.trace_id == "t-1" and record.getMessage() == "request"


def test_each_request_has_its_own_id_and_duration_within_one_app_context(app, client, caplog) -> None:
    # A test (or a script) may hold an app context around several requests: they then share `g`.
    caplog.set_level("INFO")
    with app.app_context():
        first, second = client.get("/healthz"), client.get("/healthz")
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]
    lines = records(caplog, "addon.requests")
    assert [r.request_id for r in lines] == [first.headers["X-Request-Id"], second.headers["X-Request-Id"]]
    assert all(isinstance(r.fields["duration_ms"], float) and r.fields["duration_ms"] >= 0 for r in lines)


@pytest.mark.parametrize("hostile, shown", [
    ("a\nb", "a\\nb"), ("a\r\nb", "a\\r\\nb"), ("tab\there", "tab\\there"), ("\x1b[31mred", "\\x1b[31mred"),
    ("nul\x00", "nul\\x00"), ("c1\x85", "c1\\x85"), ("ls\u2028ps\u2029", "ls\\u2028ps\\u2029"),
    ("bidi\u202egnp.exe", "bidi\\u202egnp.exe"), ("café ✓", "café ✓"), ("back\\slash", "back\\slash"),
])
def test_the_text_format_escapes_control_characters(hostile, shown) -> None:
    """One record, one line: a value holding a newline or a terminal escape cannot fake another line."""
    record = logging.LogRecord("addon.x", logging.INFO, __file__, 1, "event %s seen", (hostile,), None)
    record.fields = {"route": hostile}
    line = TextFormatter().format(record)
    assert line.endswith(f" INFO addon.x event {shown} seen route={shown}")
    # The JSON format escapes them by being JSON, and says the same thing.
    assert json.loads(JsonFormatter().format(record))["message"] == f"event {hostile} seen"
