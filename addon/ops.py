"""Operations: health probes for load balancers and orchestrators, and life behind a TLS proxy."""
from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db

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


def strict_transport_security(response: Response) -> Response:
    """On HTTPS answers only: over plain http the header is meaningless and browsers ignore it."""
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security",
                                    f"max-age={current_app.config['HSTS_MAX_AGE_SECONDS']}")
    return response


def init_app(app: Flask) -> None:
    """The probes, HSTS, and X-Forwarded-* honoured only from the TRUST_PROXY proxies in front."""
    app.register_blueprint(bp)
    app.after_request(strict_transport_security)
    trusted = app.config["TRUST_PROXY"]
    if trusted > 0:
        # Each proxy appends to X-Forwarded-*: trust only the last `trusted` values, which our own
        # proxies wrote; anything further left came from the client and could be forged.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted, x_host=trusted)  # type: ignore[method-assign]
