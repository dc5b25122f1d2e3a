"""Production settings for gunicorn, read from the working directory: `gunicorn app:app` needs no flags.

Every value can be overridden on the command line or with GUNICORN_CMD_ARGS. The choices were
measured on the read that every Jira issue view makes (bench/README.md, "Serving").
"""
import os

# All interfaces on PORT (the same variable the app reads for its default base URL).
bind = [f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '3000')}"]
wsgi_app = "app:app"  # so that a bare `gunicorn` works too

# One worker per core this process may run on (cgroup and affinity limits included); threads
# cover the waits on the database and on Jira. WEB_CONCURRENCY and GUNICORN_THREADS override.
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
