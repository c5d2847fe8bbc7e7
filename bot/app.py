"""`create_app`: the Bolt app, built on demand (never at import) from settings and an answerer."""
from __future__ import annotations

import logging
from typing import Any, Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler

from bot.conversation import AnswerFn, Responder
from bot.listeners import register_listeners
from bot.pool import AnswerPool
from bot.settings import BotSettings

log = logging.getLogger(__name__)


def make_web_client(settings: BotSettings) -> WebClient:
    """The one Web API client: custom base URL, and retries on 429 (Retry-After) and dropped connections."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=30,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=settings.rate_limit_retries),
        ],
    )


def _skip_repeats(responder: Responder) -> Callable[..., Any]:
    """Global middleware: answer each event/command/click once, and refuse new work while draining."""

    def skip_repeats(body: dict[str, Any], request: BoltRequest, logger: logging.Logger, next: Callable[[], Any]) -> BoltResponse | None:
        if responder.pool.draining and (body.get("type") in ("event_callback", "block_actions") or body.get("command")):
            # Not acked with 200: Slack redelivers to an instance that is not shutting down.
            return BoltResponse(status=503, body="shutting down")
        key = body.get("event_id") or body.get("trigger_id")
        if key and not responder.seen_requests.claim(key):
            retry = (request.headers.get("x-slack-retry-num") or [None])[0]
            logger.info("ignoring repeated delivery %s (retry %s)", key, retry)
            return BoltResponse(status=200, body="")
        next()
        return None

    return skip_repeats


def create_app(
    settings: BotSettings,
    answer_fn: AnswerFn,
    client: WebClient | None = None,
    *,
    streams: bool = False,
    pool: AnswerPool | None = None,
) -> App:
    """Assemble the Bolt app.

    `answer_fn(question, history) -> Answer` is the knowledge chain's `ask` (a
    fake in unit tests); `streams` says whether it is backed by an LLM, which
    turns on streamed replies (see `SLACK_STREAM`). Pass `pool` to drain it on
    shutdown.
    """
    client = client or make_web_client(settings)
    responder = Responder(settings, answer_fn, streams=streams, pool=pool)
    app = App(
        name="lg-ai-assistant",
        logger=logging.getLogger("bot.bolt"),
        client=client,
        signing_secret=settings.signing_secret or "unused-in-socket-mode",
        # worker.main already ran auth.test (and fails fast); Bolt repeats it lazily on the first request.
        token_verification_enabled=False,
        request_verification_enabled=settings.mode == "http",
        process_before_response=False,
    )
    app.use(_skip_repeats(responder))
    register_listeners(app, responder)
    app.responder = responder  # type: ignore[attr-defined]  # for the worker and tests
    return app
