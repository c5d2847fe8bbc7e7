"""End to end: the worker with an LLM configured streams the model's text to Slack while the model writes.

`python -m bot` (the Procfile's worker line) with `LLM_BASE_URL` pointing at the
scripted OpenAI-compatible server (SSE, tokens with a delay between them) and
Slack at the fake Slack, both on 127.0.0.1.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from tests.bot_fixtures import BotProcess, bot_env, start_worker
from tests.fakes.fake_openai import FakeOpenAI
from tests.fakes.fake_slack import FakeSlack

QUESTION = "엑사원 딥의 수능 수학 점수는?"
ANSWER = "엑사원 딥은 2025학년도 수능 수학영역에서 94.5점을 기록했습니다. 경량 모델과 온디바이스 모델로도 구성됩니다."
DELAY = 0.05  # seconds between two model tokens


@pytest.fixture(scope="module")
def llm() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(redeliver_after=None) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, llm: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("llm-stream")
    env = bot_env(fake.base_url, str(tmp / "chroma"), LLM_MODEL="openai:test-model", LLM_BASE_URL=llm.base_url,
                  LLM_API_KEY="sk-test-secret", LLM_TIMEOUT="20", SLACK_STREAM_CHUNK_CHARS="10")
    process = start_worker(fake, env, tmp / "bot.log")
    yield process
    assert process.terminate() == 0, process.output()[-3000:]
    assert "sk-test-secret" not in process.output()


def _mention(fake: FakeSlack, ch: str) -> None:
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {QUESTION}"})


def _text(params: dict) -> str:
    """Streamed text of a start/appendStream call (`markdown_text`, or `chunks` in newer SDKs)."""
    chunks = params.get("chunks") or []
    if isinstance(chunks, str):
        chunks = json.loads(chunks)
    return (params.get("markdown_text") or "") + "".join(c.get("text", "") for c in chunks if isinstance(c, dict))


def _sentence_id(llm: FakeOpenAI, needle: str) -> str:
    for line in llm.prompt_text(-1).splitlines():
        if needle in line:
            return re.search(r"(S\d+)", line).group(1)
    raise AssertionError(f"{needle!r} not in the prompt")


def test_first_text_reaches_slack_before_the_model_has_finished(fake: FakeSlack, llm: FakeOpenAI, bot: BotProcess) -> None:
    # A first question tells us which id the prompt gives the 94.5 sentence.
    llm.push(json.dumps({"answer": "", "found": False, "citations": []}))
    _mention(fake, "CPROBE")
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == "CPROBE", timeout=30)
    sid = _sentence_id(llm, "94.5점")

    reply = json.dumps({"answer": ANSWER, "found": True, "citations": [sid]}, ensure_ascii=False)
    tokens = [reply[i : i + 4] for i in range(0, len(reply), 4)]
    llm.push(("tokens", tokens, DELAY))
    _mention(fake, "CLLM")
    stop = fake.wait_for_call("chat.stopStream", lambda c: c.params.get("channel") == "CLLM", timeout=30)
    asked_at = llm.times[-1]
    model_done = asked_at + len(tokens) * DELAY
    texts = [c for c in fake.calls if c.method in ("chat.startStream", "chat.appendStream")
             and c.params.get("channel") == "CLLM" and _text(c.params)]
    assert texts, [c.method for c in fake.calls]
    first = texts[0].time
    print(f"\nmodel: {len(tokens)} tokens x {DELAY * 1000:.0f} ms; first text in Slack "
          f"{(first - asked_at) * 1000:.0f} ms after the request, model done at {(model_done - asked_at) * 1000:.0f} ms, "
          f"stopStream at {(stop.time - asked_at) * 1000:.0f} ms")
    assert first < model_done - 0.5, "the first text must reach Slack well before the model has finished"
    # the final message carries the verified quote and the buttons
    assert any(b["type"] == "actions" for b in stop.params.get("blocks") or [])
    streamed = "".join(_text(c.params) for c in texts)
    assert "94.5점을 기록" in streamed
