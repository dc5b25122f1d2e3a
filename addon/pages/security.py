"""Security headers for the pages Jira frames: who may frame them and where their scripts come from."""
from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def frame_ancestors(tenant_hosts: Iterable[str], allow_http: bool = False) -> list[str]:
    """CSP sources for the Jira sites of TENANT_HOSTS: `*.atlassian.net` becomes `https://*.atlassian.net`."""
    sources = ["'self'"]
    for pattern in tenant_hosts:
        sources.append(f"https://{pattern}")
        if allow_http:  # tests only: a fake Jira on loopback http, on any port
            sources.append(f"http://{pattern}:*")
    return sources


def content_security_policy(connect_js_url: str, tenant_hosts: Iterable[str], allow_http: bool = False) -> str:
    """Scripts only from ourselves and the host of all.js; framed only by Jira sites and ourselves.

    Our own styles are all in pages.css; inline styles stay allowed only because all.js is
    Atlassian's code, loaded from their CDN, and may style the page it runs in (a stricter rule could
    break it in Jira, where no test of ours runs). No inline script is ever allowed: page data
    travels in a JSON block the browser does not run.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", origin_of(connect_js_url)],
        "style-src": ["'self'", "'unsafe-inline'"],
        # Avatars come from Atlassian's avatar service or Gravatar, whichever Jira names.
        "img-src": ["'self'", "https:", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": frame_ancestors(tenant_hosts, allow_http),
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())
