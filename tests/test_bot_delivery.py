"""Nothing lost, nothing contradicted: a worker with short timeouts against a stalling, failing fake Slack.

SLACK_API_TIMEOUT_SECONDS=1 and SLACK_DELIVERY_DEADLINE_SECONDS=8 shrink the
production defaults (10 s, 60 s) so each fault plays out in seconds.
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, run_worker, wait_until
from tests.fakes.fake_slack import FakeSlack


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("delivery")
    yield from run_worker(fake, tmp, SLACK_API_TIMEOUT_SECONDS="1", SLACK_DELIVERY_DEADLINE_SECONDS="8",
                          SLACK_INDICATOR_TIMEOUT_SECONDS="1")


def ask(fake: FakeSlack, text: str) -> tuple[str, str]:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {text}"})
    ts = next(m["ts"] for m in fake.messages(ch) if text in (m.get("text") or ""))
    return ch, ts


def bot_replies(fake: FakeSlack, ch: str, ts: str) -> list[dict]:
    return [m for m in fake.messages(ch) if m.get("bot_id") and m.get("thread_ts") == ts]


def is_apology(message: dict) -> bool:
    return "Sorry" in (message.get("text") or "") or "죄송" in (message.get("text") or "")


def test_slow_post_that_lands_late_is_not_posted_again_nor_apologised_for(fake: FakeSlack, bot: BotProcess) -> None:
    fake.delay_next("chat.postMessage", 2.5)  # longer than the 1 s client timeout
    ch, ts = ask(fake, "What is EXAONE Deep?")
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=20)
    time.sleep(1.0)  # a second post or an apology would have been sent by now
    replies = bot_replies(fake, ch, ts)
    assert len(replies) == 1 and not is_apology(replies[0]), replies
    assert fake.calls_to("conversations.replies")  # it looked before deciding


def test_slow_reaction_does_not_delay_the_answer_and_is_still_cleared(fake: FakeSlack, bot: BotProcess) -> None:
    fake.delay_next("reactions.add", 4.0)
    started = time.monotonic()
    ch, ts = ask(fake, "엑사원 딥의 수능 수학 점수는?")
    post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=10)
    assert post.time - started < 2.0  # not behind the 4 s reaction
    # The reaction lands at ~4 s; the bot keeps trying to clear it until it is gone.
    wait_until(lambda: [c for c in fake.calls_to("reactions.remove") if c.params.get("channel") == ch and c.status == 200],
               timeout=20, message="the late reaction to be removed")
    assert not fake.messages(ch)[0].get("reactions")


def test_server_errors_past_the_deadline_end_in_exactly_one_apology(fake: FakeSlack, bot: BotProcess) -> None:
    fake.fail_next("chat.postMessage", status=503, times=8)  # ~6 answer attempts in 8 s, then the apology
    ch, ts = ask(fake, "LG의 AI 전략은?")
    wait_until(lambda: bot_replies(fake, ch, ts), timeout=30, message="an answer or an apology")
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=20)
    time.sleep(1.0)
    replies = bot_replies(fake, ch, ts)
    assert len(replies) == 1 and is_apology(replies[0]), replies
    assert "outcome=failed" in bot.output()


def test_question_in_flight_survives_a_slack_outage(fake: FakeSlack, bot: BotProcess) -> None:
    fake.delay_next("chat.postMessage", 1.5)  # the answer is on its way when Slack goes away
    ch, ts = ask(fake, "What is LG's AI strategy?")
    fake.wait_for_call("reactions.add", lambda c: c.params.get("channel") == ch)
    fake.outage(3.0)
    wait_until(lambda: bot_replies(fake, ch, ts), timeout=30, message="the answer after the outage")
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=30)
    time.sleep(1.0)
    replies = bot_replies(fake, ch, ts)
    assert len(replies) == 1 and not is_apology(replies[0])
    assert not fake.messages(ch)[0].get("reactions")


def test_slash_command_answer_survives_response_url_server_errors(fake: FakeSlack, bot: BotProcess) -> None:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    fake.fail_next("response_url", status=502, times=2)
    fake.push_slash_command("What is EXAONE Deep?", channel_id=ch)
    answer = fake.wait_for_call("response_url", lambda c: c.status == 200 and c.params.get("blocks")
                                and "Share" in json.dumps(c.params["blocks"]), timeout=20)
    assert "Sorry" not in answer.params.get("text", "")
    assert len([c for c in fake.calls_to("response_url") if c.status == 502]) == 2
