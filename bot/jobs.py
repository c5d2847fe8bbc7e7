"""One question to answer and where its answer goes."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Mapping

Surface = Literal["command", "mention", "dm", "thread", "assistant"]


@dataclass
class Job:
    channel: str
    user: str
    question: str
    message_ts: str  # the user's message (for the reaction)
    thread_ts: str | None  # where to reply; None = top level (plain DMs)
    surface: Surface
    team: str | None = None
    history: str = "none"  # "replies" (thread), "history" (DM channel) or "none"
    assistant_thread: bool = False  # the assistant pane shows a status instead of a reaction
    first_in_thread: bool = False
    started: float = field(default=0.0)

    @classmethod
    def from_event(
        cls, event: Mapping[str, Any], context: Mapping[str, Any], *, question: str, thread_ts: str | None,
        history: str, surface: Surface, **extra: Any
    ) -> "Job":
        """The job for a message event: every surface fills channel, user, team and ts the same way."""
        return cls(
            channel=event["channel"],
            user=event.get("user", ""),
            team=event.get("team") or context.get("team_id"),
            question=question,
            message_ts=event["ts"],
            thread_ts=thread_ts,
            history=history,
            surface=surface,
            **extra,
        )
