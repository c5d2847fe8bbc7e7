"""Slack request signing for HTTP-mode tests.

Slack signs every request it sends to an app with HMAC-SHA256 over
``v0:{timestamp}:{raw body}`` keyed by the app's signing secret; Bolt rejects
requests whose signature does not match or whose timestamp is more than five
minutes off.  Tests use :func:`sign` to build *real* signed requests (and, by
passing an old ``timestamp`` or a wrong secret, real *bad* ones).
"""
from __future__ import annotations

import hashlib
import hmac
import time

__all__ = ["sign", "signature"]


def signature(signing_secret: str, body: str | bytes, timestamp: int) -> str:
    """Return the ``v0=<hex>`` signature Slack would send for ``body`` at ``timestamp``."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    base = b"v0:" + str(int(timestamp)).encode("ascii") + b":" + raw
    digest = hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign(signing_secret: str, body: str | bytes, timestamp: int | None = None) -> dict[str, str]:
    """Headers that make ``body`` a correctly signed Slack request.

    ``timestamp`` defaults to now; pass e.g. ``int(time.time()) - 600`` to build
    a request Bolt must refuse as a replay.
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(signing_secret, body, ts),
    }
