"""The one runtime both entry points share: clients, store, claims, executor, and the Bolt app.

`create_app` builds everything from settings and an answer function (the
knowledge chain's `ask`, a fake in tests); `socket_mode.py` and `http_mode.py`
only feed it requests. Nothing here lives at module level: every piece hangs
off the `Runtime` of one app.
"""
from __future__ import annotations

import collections
import logging
import os
import socket
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterator, Sequence

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.listener.listener_completion_handler import ListenerCompletionHandler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from knowledge.corpus import CorpusInfo
from bot.claims import Leases, Watcher
from bot.delivery import Delivery
from bot.indicator import Indicator
from bot.settings import BotSettings
from bot.state import Claim, Store, make_store
from knowledge.models import Answer, Turn

log = logging.getLogger("bot.runtime")

AnswerFn = Callable[[str, Sequence[Turn]], Answer]
StreamFn = Callable[[str, Sequence[Turn]], Iterator["str | Answer"]]
OutcomeHook = Callable[[dict[str, Any]], Any]
FeedbackHook = Callable[[str, str, str], Any]
# `report_for(user, days) -> str`: the admin-only `/lg-ai report` (bot.outcomes.Outcomes).
ReportFn = Callable[[str, int], str]

# Request kinds that start work; while draining they are refused so Slack redelivers them elsewhere.
_WORK = ("event_callback", "block_actions")


def make_web_client(settings: BotSettings) -> WebClient:
    """The Web API client: custom base URL, a call timeout, and Retry-After honoured on 429.

    Connection errors are not retried here: a post that timed out may have
    landed, so `Delivery` decides (it checks the thread first).
    """
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=max(1, round(settings.api_timeout_seconds)),
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=settings.rate_limit_retries)],
    )


def make_indicator_client(settings: BotSettings) -> WebClient:
    """A client that gives up quickly: the ⏳ must never hold an answer up."""
    return WebClient(token=settings.bot_token, base_url=settings.api_url,
                     timeout=max(1, round(settings.indicator_timeout_seconds)), retry_handlers=[])


class DrainingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting what runs so SIGTERM can wait for it (bounded)."""

    def __init__(self, max_workers: int):
        super().__init__(max_workers=max_workers, thread_name_prefix="listener")
        self._inflight = 0
        self._cond = threading.Condition()
        self.draining = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:  # type: ignore[override]
        with self._cond:
            self._inflight += 1

        def run() -> Any:
            try:
                return fn(*args, **kwargs)
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

        return super().submit(run)

    @property
    def inflight(self) -> int:
        with self._cond:
            return self._inflight

    def drain(self, timeout: float) -> bool:
        """Refuse new work and wait up to `timeout` s for the running listeners; True if all finished."""
        with self._cond:
            self.draining = True
            finished = self._cond.wait_for(lambda: self._inflight == 0, timeout=timeout)
        self.shutdown(wait=False, cancel_futures=True)
        return finished


class Runtime:
    """Everything one app needs at run time, built once at start-up."""

    def __init__(
        self,
        settings: BotSettings,
        answer_fn: AnswerFn,
        client: WebClient,
        *,
        stream_fn: StreamFn | None = None,
        streams: bool = False,
        store: Store | None = None,
        on_outcome: OutcomeHook | None = None,
        on_feedback: FeedbackHook | None = None,
        indicator_client: WebClient | None = None,
        report_fn: ReportFn | None = None,
    ):
        self.settings = settings
        self.answer_fn = answer_fn
        self.corpus = CorpusInfo()  # replaced by the corpus profile in create_app
        self.stream_fn = stream_fn
        self.client = client
        self.stream = settings.stream == "always" or (settings.stream == "auto" and streams)
        self.store = store if store is not None else make_store(settings.redis_url)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.leases = Leases(self.store, self.owner, settings.claim_lease_seconds)
        # Listener threads: room for acks even while `answer_workers` answers run.
        self.executor = DrainingExecutor(settings.answer_workers * 4)
        self.answer_slots = threading.BoundedSemaphore(settings.answer_workers)
        self.indicator = Indicator(indicator_client or make_indicator_client(settings), settings.thinking_reaction,
                                   retry_for=settings.delivery_deadline_seconds)
        self.delivery = Delivery(client, deadline=settings.delivery_deadline_seconds,
                                 api_timeout=settings.api_timeout_seconds)
        self.on_outcome = on_outcome
        self.on_feedback = on_feedback
        self.report_fn = report_fn
        self.outcomes: collections.Counter[str] = collections.Counter()
        self._outcomes_lock = threading.Lock()
        self.app: App | None = None
        self.watcher = Watcher(self.store, self.redispatch, max_wait=max(60.0, 6 * settings.claim_lease_seconds))

    @property
    def draining(self) -> bool:
        return self.executor.draining

    # ------------------------------------------------------------------ claims

    def claim_message(self, channel: str, ts: str, context: dict[str, Any]) -> bool:
        """One answer per message (it can arrive as app_mention and as message); the claim joins the request's."""
        key = f"msg:{channel}:{ts}"
        if self.leases.claim(key) is not Claim.CLAIMED:
            return False
        context.setdefault("claims", []).append(key)
        return True

    def settle(self, context: Any) -> None:
        """The listener finished (answered, apologised or ignored): its claims are done."""
        keys = list(context.get("claims") or []) if context is not None else []
        if keys:
            self.leases.finish(keys)
            context["claims"] = []

    def redispatch(self, body: dict[str, Any], headers: dict[str, Any]) -> None:
        """Run an event again here (its first claimant died before answering)."""
        if self.app is None or self.draining:
            return
        self.app.dispatch(BoltRequest(body=body, mode="socket_mode", headers=headers))

    # ------------------------------------------------------------------ outcomes

    def record(self, record: dict[str, Any]) -> None:
        """Log, count and hand on one question's outcome (exactly once per question)."""
        with self._outcomes_lock:
            self.outcomes[record["outcome"]] += 1
        log.info("outcome=%s surface=%s channel=%s latency_ms=%.0f answer_id=%s",
                 record["outcome"], record["surface"], record["channel"], record["latency_ms"], record["answer_id"])
        if self.on_outcome is not None:
            try:
                self.on_outcome(record)
            except Exception:
                log.exception("on_outcome hook failed")

    def feedback(self, answer_id: str, vote: str, user: str) -> None:
        if self.on_feedback is not None:
            try:
                self.on_feedback(answer_id, vote, user)
            except Exception:
                log.exception("on_feedback hook failed")

    # ------------------------------------------------------------------ lifecycle

    def drain(self, timeout: float) -> bool:
        """Stop new work, wait (bounded) for running answers, release what is left for other workers."""
        finished = self.executor.drain(timeout)
        left = self.leases.held
        if left:
            log.warning("releasing %d unfinished claim(s) so another worker can answer them", len(left))
            self.leases.release(left)
        self.leases.stop()
        self.watcher.stop()
        self.indicator.shutdown(wait=finished)
        return finished

    def close(self) -> None:
        self.store.close()


class _SettleClaims(ListenerCompletionHandler):
    """After every listener (Bolt calls this even when it raised): settle the request's claims."""

    def __init__(self, runtime: Runtime, inner: ListenerCompletionHandler):
        self.runtime = runtime
        self.inner = inner

    def handle(self, request: BoltRequest, response: BoltResponse | None) -> None:
        try:
            self.runtime.settle(request.context)
        finally:
            self.inner.handle(request, response)


def _drop_token_warning(record: logging.LogRecord) -> bool:
    """Bolt reads SLACK_BOT_TOKEN itself and warns that our client wins; it does, by design."""
    return "`token` will be unused" not in record.getMessage()


def _claim_once(runtime: Runtime) -> Callable[..., Any]:
    """Global middleware: each event/command/click is handled by one worker, once."""

    def claim_once(body: dict[str, Any], request: BoltRequest, context: Any, logger: logging.Logger,
                   next: Callable[[], Any]) -> BoltResponse | None:
        if runtime.draining and (body.get("type") in _WORK or body.get("command")):
            # Not acked with 200: Slack redelivers to an instance that is not shutting down.
            return BoltResponse(status=503, body="shutting down")
        key = body.get("event_id") or body.get("trigger_id")
        if key:
            state = runtime.leases.claim(f"ev:{key}")
            if state is not Claim.CLAIMED:
                retry = (request.headers.get("x-slack-retry-num") or [None])[0]
                if state is Claim.BUSY and body.get("type") == "event_callback":
                    # Another worker is on it; if it dies before answering, answer here.
                    runtime.watcher.watch(f"ev:{key}", dict(body), {k: v for k, v in request.headers.items()})
                logger.info("ignoring repeated delivery %s (retry %s, %s)", key, retry, state.value)
                return BoltResponse(status=200, body="")
            context["claims"] = [f"ev:{key}"]
        next()
        return None

    return claim_once


def create_app(
    settings: BotSettings,
    answer_fn: AnswerFn,
    client: WebClient | None = None,
    *,
    streams: bool = False,
    stream_fn: StreamFn | None = None,
    store: Store | None = None,
    on_outcome: OutcomeHook | None = None,
    on_feedback: FeedbackHook | None = None,
    indicator_client: WebClient | None = None,
    report_fn: ReportFn | None = None,
    corpus: CorpusInfo | None = None,
) -> App:
    """Assemble the Bolt app around a new `Runtime` (reachable as `app.runtime`).

    `answer_fn(question, history) -> Answer` is the chain's `ask`;
    `stream_fn` its `stream` (deltas, then the Answer); `streams` says an LLM
    writes the answers, which turns streaming on under SLACK_STREAM=auto.
    """
    from bot.listeners import register_listeners

    client = client or make_web_client(settings)
    runtime = Runtime(settings, answer_fn, client, stream_fn=stream_fn, streams=streams, store=store,
                      on_outcome=on_outcome, on_feedback=on_feedback, indicator_client=indicator_client,
                      report_fn=report_fn)
    # The bot's topic and example questions (help, greeting, suggested prompts): the corpus profile's.
    runtime.corpus = corpus or CorpusInfo()
    bolt_log = logging.getLogger("bot.bolt")
    bolt_log.addFilter(_drop_token_warning)  # same function each time: added once
    app = App(
        name="lg-ai-assistant",
        logger=bolt_log,
        client=client,
        signing_secret=settings.signing_secret or "unused-in-socket-mode",
        # The entry points already ran auth.test (and fail fast); Bolt would repeat it lazily.
        token_verification_enabled=False,
        # HTTP mode checks size, body and signature before Bolt sees the request (http_mode.py).
        request_verification_enabled=False,
        process_before_response=False,
        listener_executor=runtime.executor,
    )
    runner = app.listener_runner
    runner.listener_completion_handler = _SettleClaims(runtime, runner.listener_completion_handler)
    app.use(_claim_once(runtime))
    register_listeners(app, runtime)
    runtime.app = app
    app.runtime = runtime  # type: ignore[attr-defined]
    return app


def settle_unhandled(runtime: Runtime, body: dict[str, Any] | None) -> None:
    """No listener took the request (unknown event type...): its claim is done, nothing to answer."""
    if isinstance(body, dict):
        key = body.get("event_id") or body.get("trigger_id")
        if key and f"ev:{key}" in runtime.leases.held:
            runtime.leases.finish([f"ev:{key}"])


# ---------------------------------------------------------------------- start-up (both entry points)


def tune_process() -> None:
    """Process settings for a long-running worker, applied by both entry points before any thread starts.

    * A 1 ms GIL switch interval: acks pass through several threads (socket
      reader, queue, Bolt), and with answers busy on the CPU the default 5 ms
      is paid at every hand-off.
    * At most 2 glibc malloc arenas: every listener thread that runs the
      embedder otherwise gets an arena of its own, and RSS creeps up by
      several MB as more of them take turns (measured in bench_cluster.py's soak).
    """
    import ctypes
    import sys

    sys.setswitchinterval(0.001)
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


class StartupError(RuntimeError):
    """Start-up cannot continue; the message is shown to the operator as-is (exit 2)."""


def check_auth(client: WebClient, settings: BotSettings) -> dict[str, Any]:
    """auth.test, turned into an operator-readable error."""
    from slack_sdk.errors import SlackApiError, SlackClientError

    from bot.logs import redact

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


def build_chain(environ: Any) -> Any:
    """The knowledge chain; any failure to open it becomes one line for the operator."""
    try:
        from knowledge.chain import build_chain as build
        from knowledge.settings import KnowledgeSettings
    except ImportError as exc:
        raise StartupError(f"The knowledge package is not available: {exc}") from None
    knowledge_settings = KnowledgeSettings.from_env(environ)
    try:
        return build(knowledge_settings)
    except Exception as exc:
        host = getattr(knowledge_settings, "chroma_host", None)
        where = f"the Chroma server at {host}:{getattr(knowledge_settings, 'chroma_port', '')}" if host else "the knowledge base"
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise StartupError(f"Could not open {where} ({type(exc).__name__}: {reason}). "
                           "Start it (or fix CHROMA_HOST/CHROMA_PORT/CHROMA_PATH) and restart the worker.") from None


def start_app(settings: BotSettings, environ: Any, *, on_outcome: OutcomeHook | None = None,
              on_feedback: FeedbackHook | None = None) -> App:
    """What both entry points run at start-up: client checked by auth.test, chain, store, Bolt app."""
    client = make_web_client(settings)
    identity = check_auth(client, settings)
    log.info("authenticated as %s in team %s", identity.get("user"), identity.get("team"))
    chain = build_chain(environ)
    streams = bool(getattr(chain, "streams", False))
    stream_fn = getattr(chain, "stream", None)
    outcomes = open_outcomes(environ)
    return create_app(settings, chain.ask, client, streams=streams, stream_fn=stream_fn,
                      on_outcome=on_outcome or outcomes.on_outcome, on_feedback=on_feedback or outcomes.on_feedback,
                      report_fn=outcomes.report_for, corpus=getattr(chain, "corpus", None))


def open_outcomes(environ: Any) -> Any:
    """The question-outcomes store (bot.outcomes); a bad DATABASE_URL or setting is one line for the operator."""
    from bot.outcomes import OutcomeSettings, make_outcomes

    try:
        settings = OutcomeSettings.from_env(environ)
        return make_outcomes(settings)
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300] or type(exc).__name__
        raise StartupError(f"Could not open the outcomes store ({type(exc).__name__}: {reason}). "
                           "Fix DATABASE_URL / OUTCOMES_PATH / LOG_QUESTIONS (see .env.example).") from None
