"""gunicorn.conf.py's own code: the access logger writes the line gunicorn's logger writes."""
from __future__ import annotations

import runpy
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from .live import REPO

CONF = runpy.run_path(str(REPO / "gunicorn.conf.py"))

ENVIRON = {"REMOTE_ADDR": "10.1.2.3", "REQUEST_METHOD": "GET", "PATH_INFO": "/api/user-skills",
           "QUERY_STRING": "accountId=5b10&jwt=secret", "SERVER_PROTOCOL": "HTTP/1.1", "RAW_URI": "/api/user-skills?x",
           "HTTP_USER_AGENT": 'curl "quoted"', "HTTP_X_REQUEST_ID": "from-the-proxy", "wsgi.url_scheme": "http"}
REQ = SimpleNamespace(headers=[("HOST", "example.test"), ("X-REQUEST-ID", "from-the-proxy"), ("USER-AGENT", "curl")])


def response(status: object, headers: list[tuple[str, str]], sent: int | None) -> SimpleNamespace:
    return SimpleNamespace(status=status, headers=headers, sent=sent)


def line(logger_class: type, fmt: str, resp: SimpleNamespace, took: timedelta) -> str:
    cfg = Config()
    cfg.set("access_log_format", fmt)
    logger = logger_class(cfg)
    return fmt % logger.atoms_wrapper_class(logger.atoms(resp, REQ, ENVIRON, took))


FORMATS = [
    CONF["access_log_format"],  # production's
    '%(h)s %(l)s "%(m)s %(U)s?%(q)s %(H)s" %(s)s %(b)s %(B)s %(D)s %(T)s %(M)s "%(f)s" "%(a)s"',
    "%({X-Request-Id}o)s %({x-request-id}i)s %({user-agent}i)s %({remote_addr}e)s %({missing}o)s %({path_info}e)s",
    '%(h)s "%(r)s" %(p)s %(L)s %(u)s',  # atoms it leaves to gunicorn's code
]
RESPONSES = [
    response("200 OK", [("Content-Type", "application/json"), ("X-Request-Id", "abc123")], 208),
    response(403, [("X-Request-Id", 'with "quotes"'), ("x-request-id", "the second one")], 0),
    response("503 Service Unavailable", [], None),
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resp", RESPONSES)
def test_access_line_is_the_one_gunicorns_logger_writes(fmt: str, resp: SimpleNamespace) -> None:
    took = timedelta(seconds=1, microseconds=234_567)
    ours = line(CONF["logger_class"], fmt, resp, took)
    assert ours == line(glogging.Logger, fmt, resp, took)
    assert "secret" not in ours or "%(q)s" in fmt


def test_production_line_names_only_what_it_needs() -> None:
    cfg = Config()
    cfg.set("access_log_format", CONF["access_log_format"])
    atoms = CONF["logger_class"](cfg).atoms(RESPONSES[0], REQ, ENVIRON, timedelta(milliseconds=5))
    assert atoms == {"h": "10.1.2.3", "m": "GET", "U": "/api/user-skills", "H": "HTTP/1.1", "s": "200", "B": 208,
                     "M": 5, "{x-request-id}o": "abc123"}
