"""HTTP mode: Bolt behind a production WSGI server (gunicorn), plus GET /healthz.

Procfile: `web: gunicorn --config python:bot.gunicorn_conf --bind 0.0.0.0:$PORT 'bot.wsgi:create_wsgi_app()'`.
`python -m bot` without SLACK_APP_TOKEN runs the same thing in-process
(`run_gunicorn`). Use one gunicorn worker process (threads for concurrency):
the "already answered" memory is per process.
"""
from __future__ import annotations

import logging
import os
from typing import Any, Callable, Iterable

from bot.pool import AnswerPool
from bot.settings import BotSettings

log = logging.getLogger("bot.wsgi")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# Pools of this process, drained by gunicorn's worker_exit hook on SIGTERM.
RUNNING: list[tuple[AnswerPool, float]] = []


def build_wsgi(app: Any) -> WsgiApp:
    """Bolt's WSGI adapter for Slack's POSTs (any path) and a health check for the platform."""
    from slack_bolt.adapter.wsgi import SlackRequestHandler

    handler = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in ("/healthz", "/health") and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return handler(environ, start_response)

    return application


def check_startup(settings: BotSettings) -> None:
    from bot.app import make_web_client
    from bot.worker import check_auth

    check_auth(make_web_client(settings), settings)


def create_wsgi_app() -> WsgiApp:
    """gunicorn's app factory: settings, auth.test, chain, Bolt app (runs in the worker process)."""
    from dotenv import load_dotenv

    from bot.logs import configure_logging
    from bot.worker import build_bolt_app

    load_dotenv()
    settings = BotSettings.from_env(os.environ)
    configure_logging(settings.log_level)
    if not settings.signing_secret:
        raise SystemExit("error: HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials)")
    app, _client, pool = build_bolt_app(settings, os.environ)
    RUNNING.append((pool, settings.shutdown_grace_seconds))
    log.info("HTTP mode ready: POST /slack/events, GET /healthz")
    return build_wsgi(app)


def drain_all() -> None:
    for pool, grace in RUNNING:
        finished = pool.drain(grace)
        log.info("answer pool drained %s", "cleanly" if finished else "with answers still running")


def run_gunicorn(settings: BotSettings) -> int:
    """Serve `create_wsgi_app()` with gunicorn on $HOST:$PORT, configured like the Procfile's web line."""
    from gunicorn.app.base import BaseApplication

    from bot import gunicorn_conf

    class Server(BaseApplication):
        def load_config(self) -> None:
            for key in ("workers", "threads", "worker_class", "graceful_timeout", "timeout", "accesslog", "worker_exit"):
                self.cfg.set(key, getattr(gunicorn_conf, key))
            self.cfg.set("bind", f"{settings.host}:{settings.port}")

        def load(self) -> WsgiApp:
            return create_wsgi_app()

    Server().run()
    return 0
