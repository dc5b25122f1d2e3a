"""Access logs without tokens: Jira puts `jwt=` in iframe URLs, and servers log request lines."""
from __future__ import annotations

import logging
import re

_TOKEN_IN_URL = re.compile(r"(?i)([?&]jwt=)[^&\s\"']*")
# Loggers that write request lines: Werkzeug's dev server, gunicorn's access and error logs.
ACCESS_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


def redact(text: str) -> str:
    return _TOKEN_IN_URL.sub(r"\1[redacted]", text)


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
