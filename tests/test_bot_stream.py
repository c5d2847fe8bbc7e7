"""End to end, streaming: with SLACK_STREAM=always the worker streams the answer, then falls back when refused."""
from __future__ import annotations

import dataclasses
import time
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, run_worker
from tests.fakes.fake_slack import FakeSlack

@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("stream")
    yield from run_worker(fake, tmp, SLACK_STREAM="always", SLACK_STREAM_CHUNK_CHARS="20")


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


# ------------------------------------------------------------------ live deltas, in process against the fake Slack


def streaming_app(fake: FakeSlack, stream_fn, **env: str):
    from slack_sdk import WebClient

    from bot.runtime import create_app
    from bot.settings import BotSettings
    from tests.bot_fixtures import fake_answer

    settings = BotSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test",
                                     "SLACK_API_BASE_URL": fake.base_url, "SLACK_STREAM_CHUNK_CHARS": "10", **env})
    client = WebClient(token="xoxb-test", base_url=fake.base_url)
    return create_app(settings, fake_answer, client, streams=True, stream_fn=stream_fn)


def mention_body(fake: FakeSlack, ch: str, text: str) -> dict:
    ts = fake.add_message(ch, text)
    return fake.event_payload({"type": "app_mention", "channel": ch, "user": "U1", "text": text, "ts": ts, "team": "T1"})


def slow_stream(deltas: list[str], final_text: str, pause: float):
    from tests.bot_fixtures import fake_answer

    def stream(question, history):
        for delta in deltas:
            time.sleep(pause)
            yield delta
        yield dataclasses.replace(fake_answer(question, history), text=final_text)

    return stream


def test_live_deltas_reach_slack_before_the_answer_is_finished() -> None:
    from slack_bolt import BoltRequest

    deltas = ["EXAONE Deep ", "is LG's ", "reasoning ", "model, ", "released ", "in 2025. "]
    text = "".join(deltas).strip()
    with FakeSlack() as fake:
        app = streaming_app(fake, slow_stream(deltas, text, pause=0.3))
        started = time.monotonic()
        app.dispatch(BoltRequest(body=mention_body(fake, "CLIVE", "<@UBOT> what is EXAONE Deep?"), mode="socket_mode"))
        first = fake.wait_for_call("chat.startStream", lambda c: c.params.get("channel") == "CLIVE")
        stop = fake.wait_for_call("chat.stopStream", lambda c: c.params.get("channel") == "CLIVE", timeout=15)
        app.runtime.drain(5)
    to_first, total = first.time - started, stop.time - started
    print(f"\ntime to first chunk {to_first * 1000:.0f} ms, whole answer {total * 1000:.0f} ms")
    assert to_first < total / 2 and total >= 1.7  # text was shown while the answer was still being written
    streamed = "".join(c.params.get("markdown_text", "") + "".join(k.get("text", "") for k in c.params.get("chunks") or [])
                       for c in fake.calls if c.method in ("chat.startStream", "chat.appendStream", "chat.stopStream")
                       and c.params.get("channel") == "CLIVE")
    assert " ".join(streamed.split()) == text
    assert any(b["type"] == "actions" for b in stop.params["blocks"])  # quotes and buttons at the end
    assert not fake.calls_to("chat.update")


def test_final_answer_replaces_streamed_text_that_differs() -> None:
    from slack_bolt import BoltRequest

    deltas = ["The model ", "scored 100 ", "points. "]
    verified = "The model scored 94.5 points."
    with FakeSlack() as fake:
        app = streaming_app(fake, slow_stream(deltas, verified, pause=0.05))
        app.dispatch(BoltRequest(body=mention_body(fake, "CFIX", "<@UBOT> score?"), mode="socket_mode"))
        update = fake.wait_for_call("chat.update", lambda c: c.params.get("channel") == "CFIX", timeout=15)
        app.runtime.drain(5)
        message = [m for m in fake.messages("CFIX") if m.get("bot_id")][0]
    assert "94.5" in update.params["text"] and "94.5" in message["text"] and "100" not in message["text"]
    assert any(b["type"] == "actions" for b in update.params["blocks"])


def test_refused_live_stream_falls_back_to_one_post() -> None:
    from slack_bolt import BoltRequest

    with FakeSlack() as fake:
        fake.fail_next("chat.startStream", error="not_allowed_in_channel")
        app = streaming_app(fake, slow_stream(["Some ", "text ", "here. "], "Some text here.", pause=0.01))
        app.dispatch(BoltRequest(body=mention_body(fake, "CREF", "<@UBOT> q?"), mode="socket_mode"))
        post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == "CREF", timeout=15)
        app.runtime.drain(5)
        assert post.params["blocks"] and "Some text here." in post.params["text"]
        assert len([m for m in fake.messages("CREF") if m.get("bot_id")]) == 1
