"""gunicorn settings for HTTP mode (`--config python:bot.gunicorn_conf`).

One process: the dedup memory that keeps Slack retries from being answered
twice lives in it. Threads give concurrency; answers run in the bot's own pool.
"""
from __future__ import annotations

from typing import Any

workers = 1
threads = 8
worker_class = "gthread"
timeout = 30
# Longer than SLACK_SHUTDOWN_GRACE_SECONDS so in-flight answers can finish.
graceful_timeout = 15
accesslog = None


def worker_exit(server: Any, worker: Any) -> None:
    """SIGTERM: the server stopped taking requests; let in-flight answers finish (bounded)."""
    from bot.wsgi import drain_all

    drain_all()
