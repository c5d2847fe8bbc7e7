"""End to end, streaming: with SLACK_STREAM=always the worker streams the answer, then falls back when refused."""
from __future__ import annotations

from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, bot_env, procfile_command
from tests.fakes.fake_slack import FakeSlack

@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("stream")
    env = bot_env(fake.base_url, str(tmp / "chroma"), SLACK_STREAM="always", SLACK_STREAM_CHUNK_CHARS="20")
    process = BotProcess(procfile_command("worker"), env, tmp / "bot.log")
    fake.wait_for_connection(timeout=120)
    yield process
    assert process.terminate() == 0, process.output()[-3000:]


def test_answer_is_streamed_then_quotes_and_buttons_added(fake: FakeSlack, bot: BotProcess) -> None:
    fake.push_event({"type": "app_mention", "channel": "CSTREAM", "user": "U1", "text": "<@UBOT> 엑사원 딥은 어떤 모델인가요?"})
    stop = fake.wait_for_call("chat.stopStream", lambda c: c.params.get("channel") == "CSTREAM")
    start = fake.calls_to("chat.startStream")[0]
    question_ts = fake.messages("CSTREAM")[0]["ts"]
    assert start.params["thread_ts"] == question_ts
    assert start.params.get("recipient_user_id") == "U1" and start.params.get("recipient_team_id") == "T1"
    assert any(b["type"] == "actions" for b in stop.params["blocks"])
    streamed = [m for m in fake.messages("CSTREAM") if m.get("bot_id")][0]
    assert streamed["text"] and not streamed.get("streaming")
    assert not [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == "CSTREAM"]


def test_refused_stream_falls_back_to_a_plain_post(fake: FakeSlack, bot: BotProcess) -> None:
    fake.fail_next("chat.startStream", error="not_allowed_in_channel")
    fake.push_event({"type": "app_mention", "channel": "CNOSTREAM", "user": "U1", "text": "<@UBOT> What is EXAONE Deep?"})
    post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == "CNOSTREAM")
    assert post.params["blocks"] and post.params["text"]
