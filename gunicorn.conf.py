"""Production settings for gunicorn, read from the working directory: `gunicorn app:app` needs no flags.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS. The choices were
measured on the read that every Jira issue view makes (bench/README.md, "Serving").
"""
import os
import re
from typing import Any, Callable

from gunicorn import glogging

# All interfaces on PORT (the same variable the app reads for its default base URL).
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '3000')}"]
wsgi_app = "app:app"  # so that a bare `gunicorn` works too

# One worker per core this process may run on (cgroup and affinity limits included); threads
# cover the waits on the database and on Jira. Four, not fewer: with two (or sync workers), two
# administrator checks waiting on a slow Jira stop every read of their worker, and two threads
# shortened the reads' tail in a noisy run only, not in quiet rounds (bench/README.md, "Serving").
# WEB_CONCURRENCY and GUNICORN_THREADS override.
workers = int(os.environ.get("WEB_CONCURRENCY") or len(os.sched_getaffinity(0)))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS") or 4)

# A worker that stops answering its arbiter for 30 s is replaced; on a restart or deploy, requests
# in flight get 30 s to finish. Keep-alive covers a proxy's connection reuse.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Heartbeat files in memory, not on a disk that may be slow (containers often have no tmpfs /tmp).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Access log on standard output, WITHOUT the query string: Jira puts a `jwt` there. %(U)s is the
# path alone; the request line (%(r)s), the query (%(q)s) and the referer (%(f)s) are left out.
# The X-Request-Id the app answers ties a line to the app's own JSON request line.
accesslog = "-"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'


def _status(resp: Any) -> Any:
    status = resp.status
    return status.split(None, 1)[0] if isinstance(status, str) else status


# The atoms of gunicorn's access log format that AccessLogger builds itself, as gunicorn's Logger.atoms
# builds them: (response, WSGI environ, request time) -> value.
_ATOMS: dict[str, Callable[[Any, dict[str, Any], Any], Any]] = {
    "h": lambda resp, environ, took: environ.get("REMOTE_ADDR", "-"),
    "l": lambda resp, environ, took: "-",
    "m": lambda resp, environ, took: environ.get("REQUEST_METHOD"),
    "U": lambda resp, environ, took: environ.get("PATH_INFO"),
    "q": lambda resp, environ, took: environ.get("QUERY_STRING"),
    "H": lambda resp, environ, took: environ.get("SERVER_PROTOCOL"),
    "s": lambda resp, environ, took: _status(resp),
    "b": lambda resp, environ, took: getattr(resp, "sent", None) is not None and str(resp.sent) or "-",
    "B": lambda resp, environ, took: getattr(resp, "sent", None),
    "f": lambda resp, environ, took: environ.get("HTTP_REFERER", "-"),
    "a": lambda resp, environ, took: environ.get("HTTP_USER_AGENT", "-"),
    "T": lambda resp, environ, took: took.seconds,
    "D": lambda resp, environ, took: took.seconds * 1000000 + took.microseconds,
    "M": lambda resp, environ, took: took.seconds * 1000 + int(took.microseconds / 1000),
}
_NAMED = re.compile(r"%\(([^)]*)\)")
_HEADER = re.compile(r"\{([^}]*)\}([ioe])\Z")


class AccessLogger(glogging.Logger):
    """gunicorn's logger; its access line is built from the atoms `access_log_format` names, and only those.

    gunicorn's own Logger.atoms builds every atom for every request (each request and response
    header and each WSGI environ variable among them) and then copies them all escaped: 170,000 CPU
    instructions of the 2,150,000 a read costs a worker, for a line that names eight (callgrind,
    bench/README.md "Serving"). The line is the same (tests/test_gunicorn_conf.py); a format naming
    an atom this does not know is built by gunicorn's code.
    """

    _plan: tuple[str, list[tuple[str, Any]] | None] = ("", None)

    def _names(self) -> list[tuple[str, Any]] | None:
        fmt = self.cfg.access_log_format
        if self._plan[0] != fmt:
            plan: list[tuple[str, Any]] | None = []
            for name in _NAMED.findall(fmt):
                header = _HEADER.match(name.lower())
                if header:
                    plan.append((name.lower(), (header.group(2), header.group(1))))
                elif name in _ATOMS:
                    plan.append((name, _ATOMS[name]))
                else:
                    plan = None
                    break
            self._plan = (fmt, plan)
        return self._plan[1]

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        plan = self._names()
        if plan is None:
            return super().atoms(resp, req, environ, request_time)
        atoms: dict[str, Any] = {}
        for key, build in plan:
            if not isinstance(build, tuple):
                atoms[key] = build(resp, environ, request_time)
                continue
            kind, wanted = build
            if kind == "e":
                pairs = [(name, value) for name, value in environ.items() if name.lower() == wanted]
            else:
                headers = resp.headers if kind == "o" else getattr(req, "headers", req)
                pairs = [(name, value) for name, value in (headers.items() if hasattr(headers, "items")
                                                           else headers) if name.lower() == wanted]
            if pairs:  # the last one, as gunicorn's dict of them keeps
                atoms[key] = pairs[-1][1]
        return atoms


logger_class = AccessLogger
errorlog = "-"
loglevel = "info"

# Request limits. gunicorn answers a request beyond them itself, before the app sees it, with a short
# HTML page (414 for the request line, 431 for headers), not the app's JSON (docs/operations.md,
# "Request limits"). The request line at gunicorn's maximum: its default of 4094 bytes turned a 6 KB
# query into that HTML 414. Header fields up to 16 KB each (the default 8190 did the same to a
# large Authorization or cookie header), at most 100 of them: about 1.6 MB of headers a request at
# most, which bounds a worker's memory however many arrive.
limit_request_line = 8190
limit_request_field_size = 16384
limit_request_fields = 100

# X-Forwarded-Proto is the app's business (TRUST_PROXY, through werkzeug's ProxyFix): gunicorn's own
# handling would trust it from any local process by default.
secure_scheme_headers: dict[str, str] = {}
forwarded_allow_ips = ""

# gunicorn's control socket (one path per user) is not used, and two servers would fight over it.
control_socket_disable = True
