"""Socket Mode against a misbehaving Slack: silent TCP drops, outages, envelopes nobody listens to.

The figures the issue asks for are printed (`pytest -s`): seconds from a
silent drop to the new connection, and from the end of an outage to it.
"""
from __future__ import annotations

import time
import uuid
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, run_worker
from tests.fakes.fake_slack import FakeSlack

RECONNECT_LIMIT = 15.0


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("socketfaults")
    yield from run_worker(fake, tmp)


def answered(fake: FakeSlack, text: str, timeout: float = 20.0) -> None:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {text}"})
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=timeout)


def test_envelopes_no_listener_handles_are_acked(fake: FakeSlack, bot: BotProcess) -> None:
    envs = [
        fake.push_event({"type": "reaction_added", "user": "U1", "reaction": "eyes",
                         "item": {"type": "message", "channel": "C1", "ts": "1.1"}}),
        fake.push_event({"type": "some_future_event", "x": 1}),
        fake.push_frame({"type": "events_api", "payload": {"type": "event_callback", "event_id": "EvNOEVENT", "team_id": "T1"}}),
        fake.push_frame({"type": "interactive", "payload": {"type": "shortcut", "callback_id": "unknown", "trigger_id": "1.2",
                                                            "user": {"id": "U1"}, "team": {"id": "T1"}}}),
    ]
    for env in envs:
        assert fake.wait_for_ack(env, timeout=5).latency < 1.0
    answered(fake, "still answering?")
    assert bot.alive()


def test_reconnects_within_15s_of_a_silent_tcp_drop(fake: FakeSlack, bot: BotProcess) -> None:
    opened = fake.connections_opened
    dropped_at = time.monotonic()
    fake.silence()
    # A question asked while the socket is dead waits for the new one, and is answered.
    ch = "C" + uuid.uuid4().hex[:8].upper()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> during the drop"})
    fake.wait_for_connection(count=opened + 1, timeout=RECONNECT_LIMIT + 5)
    took = time.monotonic() - dropped_at
    print(f"\nreconnected {took:.1f}s after a silent TCP drop")
    assert took <= RECONNECT_LIMIT
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=20)


def test_reconnects_within_15s_after_a_10s_outage(fake: FakeSlack, bot: BotProcess) -> None:
    opened = fake.connections_opened
    fake.outage(10.0)
    back = fake.outage_ended_at
    fake.wait_for_connection(count=opened + 1, timeout=10 + RECONNECT_LIMIT + 5)
    took = time.monotonic() - back
    print(f"\nreconnected {took:.1f}s after Slack came back from a 10 s outage")
    assert took <= RECONNECT_LIMIT
    answered(fake, "after the outage")
