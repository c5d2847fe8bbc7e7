"""The Slack layer's settings: one frozen object, read from the environment once.

Nothing else in `bot/` reads `os.environ`; entry points call
`BotSettings.from_env(os.environ)` after `load_dotenv()` and hand the result
down. Tokens are kept out of `repr()` so a logged settings object never leaks
them.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

Mode = Literal["socket", "http"]
StreamPolicy = Literal["auto", "always", "never"]


class SettingsError(ValueError):
    """A required setting is missing or malformed; the message says which and how to fix it."""


T = TypeVar("T", int, float)


def _number(environ: Mapping[str, str], name: str, default: T, cast: Callable[[str], T]) -> T:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return cast(raw)
    except ValueError as exc:
        what = "an integer" if cast is int else "a number"
        raise SettingsError(f"{name} must be {what}, got {raw!r}") from exc


@dataclass(frozen=True)
class BotSettings:
    """Everything the Slack worker needs to know, validated at start-up."""

    bot_token: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    # Overrides https://slack.com/api/ for every Web API call (GovSlack, proxies, tests).
    api_base_url: str | None = None
    command: str = "/lg-ai"
    host: str = "0.0.0.0"
    port: int = 3000
    log_level: str = "INFO"
    # Threads answering questions; acks never wait for them.
    answer_workers: int = 8
    # How long SIGTERM waits for in-flight answers before exiting anyway.
    shutdown_grace_seconds: float = 10.0
    # Earlier exchanges of a thread or DM handed to the chain as context.
    history_turns: int = 6
    stream: StreamPolicy = "auto"
    stream_chunk_chars: int = 120
    thinking_reaction: str = "hourglass_flowing_sand"
    rate_limit_retries: int = 3
    # Shared state for several workers (dedup claims, thread memory, Share store); None = in memory.
    redis_url: str | None = field(default=None, repr=False)
    # A claim on an event lives this long unless its worker renews it (it does, while answering).
    claim_lease_seconds: float = 10.0
    # Seconds a Web API call may take before it counts as timed out.
    api_timeout_seconds: float = 10.0
    # How long an answer keeps being retried (connection errors, 5xx) before the apology.
    delivery_deadline_seconds: float = 60.0
    # The thinking indicator never waits longer than this.
    indicator_timeout_seconds: float = 3.0
    # HTTP mode: larger request bodies get 413 before they are parsed.
    max_body_bytes: int = 1_000_000
    # HTTP mode: a request whose body has not arrived in this many seconds gets 408.
    body_timeout_seconds: float = 10.0
    # Socket Mode: ping interval; a socket silent for 4 intervals is replaced.
    socket_ping_interval: float = 1.5

    @property
    def mode(self) -> Mode:
        """Socket Mode whenever an app token is present, HTTP mode otherwise."""
        return "socket" if self.app_token else "http"

    @property
    def api_url(self) -> str:
        """The Web API base URL with the trailing slash the SDK needs."""
        base = self.api_base_url or "https://slack.com/api/"
        return base if base.endswith("/") else base + "/"

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "BotSettings":
        """Build and validate the settings; raises `SettingsError` with a fix-it message."""
        command = environ.get("SLACK_COMMAND", "").strip() or "/lg-ai"
        if not command.startswith("/"):
            command = "/" + command
        stream = (environ.get("SLACK_STREAM", "").strip().lower() or "auto")
        if stream not in ("auto", "always", "never"):
            raise SettingsError(f"SLACK_STREAM must be auto, always or never, got {stream!r}")
        settings = cls(
            bot_token=environ.get("SLACK_BOT_TOKEN", "").strip(),
            app_token=environ.get("SLACK_APP_TOKEN", "").strip(),
            signing_secret=environ.get("SLACK_SIGNING_SECRET", "").strip(),
            api_base_url=environ.get("SLACK_API_BASE_URL", "").strip() or None,
            command=command,
            host=environ.get("HOST", "").strip() or "0.0.0.0",
            port=_number(environ, "PORT", 3000, int),
            log_level=(environ.get("LOG_LEVEL", "").strip() or "INFO").upper(),
            answer_workers=max(1, _number(environ, "SLACK_ANSWER_WORKERS", 8, int)),
            shutdown_grace_seconds=max(0.0, _number(environ, "SLACK_SHUTDOWN_GRACE_SECONDS", 10.0, float)),
            history_turns=max(0, _number(environ, "SLACK_HISTORY_TURNS", 6, int)),
            stream=stream,  # type: ignore[arg-type]
            stream_chunk_chars=max(10, _number(environ, "SLACK_STREAM_CHUNK_CHARS", 120, int)),
            thinking_reaction=environ.get("SLACK_THINKING_REACTION", "").strip() or "hourglass_flowing_sand",
            rate_limit_retries=max(0, _number(environ, "SLACK_RATE_LIMIT_RETRIES", 3, int)),
            redis_url=environ.get("REDIS_URL", "").strip() or None,
            claim_lease_seconds=max(1.0, _number(environ, "SLACK_CLAIM_LEASE_SECONDS", 10.0, float)),
            api_timeout_seconds=max(0.5, _number(environ, "SLACK_API_TIMEOUT_SECONDS", 10.0, float)),
            delivery_deadline_seconds=max(0.0, _number(environ, "SLACK_DELIVERY_DEADLINE_SECONDS", 60.0, float)),
            indicator_timeout_seconds=max(0.1, _number(environ, "SLACK_INDICATOR_TIMEOUT_SECONDS", 3.0, float)),
            max_body_bytes=max(1024, _number(environ, "SLACK_MAX_BODY_BYTES", 1_000_000, int)),
            body_timeout_seconds=max(0.5, _number(environ, "SLACK_BODY_TIMEOUT_SECONDS", 10.0, float)),
            socket_ping_interval=max(0.5, _number(environ, "SLACK_SOCKET_PING_INTERVAL", 1.5, float)),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Fail fast with a message that names the missing setting."""
        if not self.bot_token:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) "
                "from your app's OAuth & Permissions page into the environment or .env"
            )
        if not self.bot_token.startswith("xox"):
            raise SettingsError("SLACK_BOT_TOKEN does not look like a bot token (it should start with xoxb-)")
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN does not look like an app-level token (it should start with xapp-)")
        if self.redis_url and not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError("REDIS_URL must look like redis://host:6379/0 (or rediss://, unix://)")
        if not self.app_token and not self.signing_secret:
            raise SettingsError(
                "Set SLACK_APP_TOKEN (xapp-..., Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode): "
                "the bot needs one of them to receive events"
            )
