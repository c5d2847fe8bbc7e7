"""gunicorn settings for HTTP mode (`--config python:bot.gunicorn_conf`).

The asyncio ("asgi") worker: a slow or idle client holds a coroutine, not one
of a handful of threads. With REDIS_URL set, several processes (or hosts)
share dedup, so `workers` can grow; without it keep one process.
"""
from __future__ import annotations

from typing import Any

workers = 1
worker_class = "asgi"
worker_connections = 1000
timeout = 30
keepalive = 5
# Longer than SLACK_SHUTDOWN_GRACE_SECONDS so in-flight answers can finish.
graceful_timeout = 15
accesslog = None
asgi_lifespan = "off"
# No control socket under $HOME/.gunicorn (read-only or shared homes on a PaaS).
control_socket_disable = True

SETTINGS = ("workers", "worker_class", "worker_connections", "timeout", "keepalive", "graceful_timeout",
            "accesslog", "asgi_lifespan", "control_socket_disable", "worker_exit")


def worker_exit(server: Any, worker: Any) -> None:
    """SIGTERM: the server stopped taking requests; the app drains its in-flight answers (bounded)."""
    app = getattr(worker, "asgi", None) or getattr(worker, "wsgi", None)  # the asgi worker keeps it in .asgi
    drain = getattr(app, "drain", None)
    if drain is not None:
        drain()
