"""`python -m bot`: the Slack worker (Socket Mode, or HTTP mode behind gunicorn).

Start-up fails fast, with a message that says what to fix, when a token is
missing or Slack rejects it. SIGTERM stops new work, lets in-flight answers
finish (bounded by SLACK_SHUTDOWN_GRACE_SECONDS) and exits 0.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.logs import configure_logging, redact
from bot.settings import BotSettings, SettingsError

if TYPE_CHECKING:
    from slack_bolt import App

    from bot.pool import AnswerPool

log = logging.getLogger("bot.worker")


class StartupError(RuntimeError):
    """Start-up cannot continue; the message is shown to the operator as-is."""


def check_auth(client: WebClient, settings: BotSettings) -> dict[str, Any]:
    """auth.test, turned into an operator-readable error."""
    try:
        response = client.auth_test()
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_BOT_TOKEN (auth.test: {exc.response.get('error')}). "
            "Reinstall the app and copy the current Bot User OAuth Token."
        ) from None
    except (SlackClientError, OSError) as exc:
        raise StartupError(f"Could not reach Slack at {settings.api_url} for auth.test: {redact(str(exc))}") from None
    return dict(response.data) if isinstance(response.data, dict) else {}


def build_answerer(environ: Mapping[str, str]) -> tuple[Any, bool]:
    """The knowledge chain's `ask` and whether it streams (LLM configured)."""
    try:
        from knowledge.chain import build_chain
        from knowledge.settings import KnowledgeSettings
    except ImportError as exc:
        raise StartupError(f"The knowledge package is not available: {exc}") from None
    chain = build_chain(KnowledgeSettings.from_env(environ))
    return chain.ask, bool(getattr(chain, "streams", False))


def build_bolt_app(settings: BotSettings, environ: Mapping[str, str]) -> tuple[App, WebClient, AnswerPool]:
    """(app, client, pool), the same in both modes: client checked by auth.test, chain, answer pool, Bolt app."""
    from bot.app import create_app, make_web_client
    from bot.pool import AnswerPool

    client = make_web_client(settings)
    identity = check_auth(client, settings)
    log.info("authenticated as %s in team %s", identity.get("user"), identity.get("team"))
    answer_fn, streams = build_answerer(environ)
    pool = AnswerPool(settings.answer_workers)
    return create_app(settings, answer_fn, client, streams=streams, pool=pool), client, pool


def run_socket_mode(settings: BotSettings, environ: Mapping[str, str]) -> int:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    app, client, pool = build_bolt_app(settings, environ)
    handler = SocketModeHandler(app, settings.app_token, web_client=client, logger=logging.getLogger("bot.socket"))

    stop = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        log.info("received %s: finishing in-flight answers", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise StartupError(
            f"Slack rejected SLACK_APP_TOKEN (apps.connections.open: {exc.response.get('error')}). "
            "Create an app-level token with the connections:write scope."
        ) from None
    log.info("connected in Socket Mode; answering questions")
    while not stop.wait(1.0):
        pass
    started = time.monotonic()
    try:
        handler.close()  # no new envelopes; unacked ones are redelivered elsewhere by Slack
    except Exception:
        log.exception("error while closing the Socket Mode connection")
    finished = pool.drain(settings.shutdown_grace_seconds)
    log.info(
        "shutdown %s after %.1fs", "clean" if finished else "with answers still running", time.monotonic() - started
    )
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Unfinished answer threads must not keep the process alive past the grace period.
    os._exit(0)


def run_http_mode(settings: BotSettings) -> int:
    from bot.wsgi import check_startup, run_gunicorn

    check_startup(settings)
    return run_gunicorn(settings)


def main(argv: Sequence[str] | None = None) -> int:
    from dotenv import load_dotenv

    load_dotenv()
    configure_logging(os.environ.get("LOG_LEVEL", "INFO").upper())
    args = list(argv or [])
    if args and args[0] in ("-h", "--help", "help"):
        print("usage: python -m bot            run the Slack worker (Socket Mode or HTTP mode, from the environment)\n"
              "       python -m bot ask|eval   command-line jobs")
        return 0
    if args:
        print(f"error: unknown command {args[0]!r} (try: python -m bot --help)", file=sys.stderr)
        return 2
    try:
        settings = BotSettings.from_env(os.environ)
        configure_logging(settings.log_level)
        log.info("starting in %s mode with %s", settings.mode, settings)
        if settings.mode == "socket":
            return run_socket_mode(settings, os.environ)
        return run_http_mode(settings)
    except (SettingsError, StartupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
