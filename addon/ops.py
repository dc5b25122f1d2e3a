"""Operations: health probes for load balancers and orchestrators, and life behind a TLS proxy."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Iterable

from flask import Blueprint, Flask, Response, current_app, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

bp = Blueprint("ops", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Response:
    """Liveness: the process serves requests. No database call, so a database outage restarts nothing."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """Readiness: the database answers a query; otherwise 503, so a load balancer sends traffic elsewhere."""
    try:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar()
    except Exception as err:  # noqa: BLE001 - any failure to answer means not ready
        # The type only: driver messages can quote the database URL, password included.
        log.warning("not ready: the database did not answer (%s)", type(err).__name__)
        response = jsonify(status="unavailable", database="unreachable")
        response.status_code = 503
        response.headers["Retry-After"] = str(current_app.config["READY_RETRY_AFTER_SECONDS"])
        return response
    return jsonify(status="ok", database="ok")


class StrictTransportSecurity:
    """WSGI middleware: HSTS on every answer over HTTPS, errors included; a header the app set is kept.

    Over plain http the header is meaningless and browsers ignore it, so it is left out there.
    Middleware rather than an after_request hook: Flask's dispatch of a hook cost the hot read about
    20,000 CPU instructions (callgrind) to find most answers plain http; this costs it a dict lookup.
    """

    def __init__(self, app: WSGIApplication, max_age_seconds: int) -> None:
        self.app = app
        self.header = ("Strict-Transport-Security", f"max-age={max_age_seconds}")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        # The scheme werkzeug's request.is_secure reads, as ProxyFix (outside this) left it.
        if environ.get("wsgi.url_scheme") not in ("https", "wss"):
            return self.app(environ, start_response)

        def start_with_hsts(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if not any(name.lower() == "strict-transport-security" for name, _ in headers):
                headers = [*headers, self.header]
            return start_response(status, headers, exc_info)
        return self.app(environ, start_with_hsts)


def init_app(app: Flask) -> None:
    """The probes, HSTS, and X-Forwarded-* honoured only from the TRUST_PROXY proxies in front."""
    app.register_blueprint(bp)
    app.wsgi_app = StrictTransportSecurity(app.wsgi_app, app.config["HSTS_MAX_AGE_SECONDS"])  # type: ignore[method-assign]
    trusted = app.config["TRUST_PROXY"]
    if trusted > 0:
        # Each proxy appends to X-Forwarded-*: trust only the last `trusted` values, which our own
        # proxies wrote; anything further left came from the client and could be forged. Outermost,
        # so that HSTS sees the scheme it gives.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)  # type: ignore[method-assign]
