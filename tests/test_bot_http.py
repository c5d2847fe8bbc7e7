"""End to end, HTTP mode: the Procfile's `web:` line (gunicorn) with real signed requests."""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, bot_env, free_port, procfile_command, wait_until
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.signing import sign

SECRET = "test-signing-secret"

@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


@pytest.fixture(scope="module")
def server(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("http")
    port = free_port()
    env = bot_env(fake.base_url, str(tmp / "chroma"), SLACK_APP_TOKEN="", SLACK_SIGNING_SECRET=SECRET, PORT=str(port))
    process = BotProcess(procfile_command("web", port), env, tmp / "web.log")
    url = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        if not process.alive():
            raise AssertionError("server exited:\n" + process.output()[-4000:])
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:
                return response.status == 200
        except OSError:
            return False

    wait_until(healthy, timeout=120, message="GET /healthz")
    yield url
    assert process.terminate() == 0, process.output()[-3000:]
    assert "xoxb-test" not in process.output()


def post(url: str, body: str, headers: dict[str, str]) -> int:
    request = urllib.request.Request(url + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def mention(fake: FakeSlack, ch: str, text: str, event_id: str) -> str:
    event = {"type": "app_mention", "channel": ch, "user": "U1", "text": text, "ts": fake.add_message(ch, text), "team": "T1"}
    return json.dumps(fake.event_payload(event, event_id=event_id))


def test_healthz(server: str) -> None:
    with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
        assert response.status == 200 and response.read() == b"ok"


def test_signed_event_is_answered_and_a_retry_is_not(fake: FakeSlack, server: str) -> None:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    body = mention(fake, ch, "<@UBOT> HTTP question", "EvHTTP1")
    assert post(server, body, sign(SECRET, body)) == 200
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch)
    assert post(server, body, {**sign(SECRET, body), "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}) == 200
    body2 = mention(fake, ch, "<@UBOT> second", "EvHTTP2")
    assert post(server, body2, sign(SECRET, body2)) == 200
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch, count=2)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch, count=2)
    posts = [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == ch]
    asked = {json.loads(b)["event"]["ts"] for b in (body, body2)}
    assert len(posts) == 2 and {p.params["thread_ts"] for p in posts} == asked


def test_bad_signature_and_stale_timestamp_are_rejected(fake: FakeSlack, server: str) -> None:
    body = mention(fake, "CBAD", "<@UBOT> forged", "EvBAD1")
    assert post(server, body, sign("wrong-secret", body)) == 401
    assert post(server, body, sign(SECRET, body, timestamp=int(time.time()) - 600)) == 401
    assert post(server, body, {}) == 401


def test_slash_command_over_http_acks_with_usage(server: str, fake: FakeSlack) -> None:
    from urllib.parse import urlencode

    body = urlencode(fake.slash_command_payload("help"))
    request = urllib.request.Request(server + "/slack/events", data=body.encode(), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)})
    started = time.monotonic()
    with urllib.request.urlopen(request, timeout=10) as response:
        payload = json.loads(response.read())
    assert time.monotonic() - started < 1.0
    assert "/lg-ai" in json.dumps(payload, ensure_ascii=False)
