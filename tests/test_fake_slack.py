"""Self-tests for the fake Slack: the *real* slack_sdk / slack_bolt clients must work against it.

If these pass, a bot failing an end-to-end test against the fake is (very
likely) a bot bug, not a fake bug.  Everything waits on the fake's condition
variable — no fixed sleeps.
"""
from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from typing import Iterator

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.webhook import WebhookClient

from tests.fakes.fake_slack import FakeSlack, block_errors
from tests.fakes.signing import sign, signature

BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(valid_tokens={BOT_TOKEN, APP_TOKEN}) as f:
        yield f


def _client(fake: FakeSlack, **kwargs: object) -> WebClient:
    return WebClient(token=BOT_TOKEN, base_url=fake.base_url, **kwargs)  # type: ignore[arg-type]


def _close(client: object, fake: FakeSlack) -> None:
    """Close a Socket Mode client quickly.

    The builtin client's close() waits for its reader thread, which sits in a
    blocking recv() with a 3 s timeout; having the server close the socket first
    (with auto-reconnect off) wakes it immediately.
    """
    client.auto_reconnect_enabled = False  # type: ignore[attr-defined]
    fake.drop_connections(code=1000)
    client.close()  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- Web API


def test_web_api_round_trip(fake: FakeSlack) -> None:
    client = _client(fake)
    auth = client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == ("UBOT", "BBOT", "T1")

    parent = fake.add_message("C1", "LG의 AI 전략은?", user="U7")
    posted = client.chat_postMessage(channel="C1", thread_ts=parent, text="answer")
    assert posted["ts"] > parent and posted["message"]["user"] == "UBOT"
    client.chat_postMessage(channel="C1", text="top level")

    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["LG의 AI 전략은?", "answer"]
    assert replies[0]["reply_count"] == 1 and replies[1]["bot_id"] == "BBOT"

    call = fake.wait_for_call("chat.postMessage", lambda c: c.params["thread_ts"] == parent)
    assert call.token == BOT_TOKEN and "token" not in call.params
    assert call.headers["authorization"] == f"Bearer {BOT_TOKEN}"
    history = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in history] == ["top level", "LG의 AI 전략은?"]


def test_json_and_form_bodies_are_decoded_the_same(fake: FakeSlack) -> None:
    client = _client(fake)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    client.chat_postMessage(channel="C1", text="form", blocks=blocks)  # form-encoded, blocks as JSON string
    client.api_call("chat.postMessage", json={"channel": "C1", "text": "json", "blocks": blocks})
    first, second = fake.calls_to("chat.postMessage")
    assert first.params["blocks"] == second.params["blocks"] == blocks


def test_message_edits_reactions_and_streaming(fake: FakeSlack) -> None:
    client = _client(fake)
    q = fake.add_message("C1", "question")
    client.reactions_add(channel="C1", timestamp=q, name="eyes")
    assert fake.messages("C1")[0]["reactions"][0]["name"] == "eyes"
    with pytest.raises(SlackApiError) as err:
        client.reactions_add(channel="C1", timestamp=q, name="eyes")
    assert err.value.response["error"] == "already_reacted"
    client.reactions_remove(channel="C1", timestamp=q, name="eyes")
    assert "reactions" not in fake.messages("C1")[0]

    ts = client.chat_postMessage(channel="C1", thread_ts=q, text="thinking…")["ts"]
    client.chat_update(channel="C1", ts=ts, text="done")
    assert fake.messages("C1", thread_ts=q)[-1]["text"] == "done"

    stream = client.chat_stream(channel="C1", thread_ts=q, recipient_team_id="T1", recipient_user_id="U1", buffer_size=4)
    stream.append(markdown_text="Hello ")
    stream.append(markdown_text="world")
    stream.stop(blocks=[{"type": "context", "elements": [{"type": "mrkdwn", "text": "src"}]}])
    streamed = fake.messages("C1", thread_ts=q)[-1]
    assert streamed["text"] == "Hello world" and streamed["blocks"][-1]["type"] == "context"
    assert [c.method for c in fake.calls if c.method.endswith("Stream")][:1] == ["chat.startStream"]
    with pytest.raises(SlackApiError) as err:
        client.chat_appendStream(channel="C1", ts=streamed["ts"], markdown_text="late")
    assert err.value.response["error"] == "message_not_in_streaming_state"

    client.assistant_threads_setStatus(channel_id="D1", thread_ts=q, status="is thinking…")
    client.assistant_threads_setSuggestedPrompts(
        channel_id="D1", thread_ts=q, prompts=[{"title": "요약", "message": "요약해 줘"}]
    )
    client.assistant_threads_setTitle(channel_id="D1", thread_ts=q, title="LG AI")
    state = fake.assistant_thread("D1", q)
    assert state["status"] == "is thinking…" and state["title"] == "LG AI" and len(state["prompts"]) == 1


@pytest.mark.filterwarnings("ignore:The top-level .text. argument is missing:UserWarning")  # on purpose
def test_limits_and_errors_are_enforced(fake: FakeSlack) -> None:
    client = _client(fake)
    too_long = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="t", blocks=too_long)
    assert err.value.response["error"] == "invalid_blocks"
    assert block_errors([{"type": "divider"}] * 51)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1")
    assert err.value.response["error"] == "no_text"
    with pytest.raises(SlackApiError) as err:
        client.api_call("no.such.method")
    assert err.value.response["error"] == "unknown_method"
    with pytest.raises(SlackApiError) as err:
        WebClient(token="xoxb-wrong", base_url=fake.base_url).auth_test()
    assert err.value.response["error"] == "invalid_auth"
    assert fake.messages("C1") == []  # failed calls have no side effects


def test_ratelimited_call_is_retried_by_the_sdk(fake: FakeSlack) -> None:
    client = _client(fake, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    fake.fail_next("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="hi")["ok"]
    first, second = fake.calls_to("chat.postMessage")
    assert (first.status, first.error) == (429, "ratelimited") and second.status == 200
    assert len(fake.messages("C1")) == 1


def test_ratelimited_without_retry_handler_exposes_retry_after(fake: FakeSlack) -> None:
    fake.fail_next("chat.postMessage", retry_after=7)
    with pytest.raises(SlackApiError) as err:
        _client(fake).chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "7"


def test_ok_false_and_server_errors(fake: FakeSlack) -> None:
    client = _client(fake)
    fake.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response["error"] == "channel_not_found"

    fake.fail_next("chat.postMessage", status=500, times=2)
    with pytest.raises(SlackApiError) as err:
        client.chat_postMessage(channel="C1", text="hi")
    assert err.value.response.status_code == 500
    retrying = _client(
        fake,
        retry_handlers=[
            ServerErrorRetryHandler(max_retry_count=1, interval_calculator=FixedValueRetryIntervalCalculator(0.01))
        ],
    )
    assert retrying.chat_postMessage(channel="C1", text="hi")["ok"]  # 2nd injected 500, then success
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [200, 500, 500, 200]


def test_wait_for_call_times_out_with_a_listing(fake: FakeSlack) -> None:
    _client(fake).auth_test()
    with pytest.raises(AssertionError, match=r"auth\.test"):
        fake.wait_for_call("chat.postMessage", timeout=0.05)


def test_response_url_and_signing(fake: FakeSlack) -> None:
    url = fake.new_response_url("C1", "U1")
    WebhookClient(url).send(text="private", response_type="ephemeral")
    WebhookClient(url).send(text="public", response_type="in_channel")
    call = fake.wait_for_call("response_url", count=2)
    assert call.params["text"] == "public" and call.params["_response_id"] == url.rsplit("/", 1)[1]
    assert [m["text"] for m in fake.ephemeral_messages("C1", "U1")] == ["private"]
    assert [m["text"] for m in fake.messages("C1")] == ["public"]

    headers = sign("secret", "a=b", timestamp=1_700_000_000)
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"
    assert headers["X-Slack-Signature"] == signature("secret", b"a=b", 1_700_000_000)
    assert headers["X-Slack-Signature"] != sign("other", "a=b", timestamp=1_700_000_000)["X-Slack-Signature"]


def test_http_mode_bolt_accepts_signed_requests() -> None:
    """The signing helper matches what Bolt verifies (valid → 200, stale or wrong → 401)."""
    from slack_bolt.request import BoltRequest

    with FakeSlack() as fake:
        app = App(client=_client(fake), signing_secret="shh")
        app.event("app_mention")(lambda ack: ack())
        body = json.dumps(fake.event_payload({"type": "app_mention", "text": "hi", "channel": "C1", "ts": "1.2"}))
        ok = app.dispatch(BoltRequest(body=body, headers=sign("shh", body)))
        stale = app.dispatch(BoltRequest(body=body, headers=sign("shh", body, int(time.time()) - 600)))
        wrong = app.dispatch(BoltRequest(body=body, headers=sign("nope", body)))
        assert (ok.status, stale.status, wrong.status) == (200, 401, 401)


# --------------------------------------------------------------------------- Socket Mode


@pytest.fixture
def bolt(fake: FakeSlack) -> Iterator[tuple[FakeSlack, App, list[dict]]]:
    """A Bolt app on the builtin Socket Mode client, connected to the fake."""
    seen: list[dict] = []
    app = App(client=_client(fake))

    @app.event("app_mention")
    def on_mention(event: dict, say, request) -> None:  # type: ignore[no-untyped-def]
        seen.append({"event": event, "retry_num": request.headers.get("x-slack-retry-num")})
        say(text="hello", thread_ts=event["ts"])

    @app.command("/lg-ai")
    def on_command(ack, respond, command) -> None:  # type: ignore[no-untyped-def]
        ack()
        respond(text=f"you asked: {command['text']}")

    @app.action("share")
    def on_share(ack, respond) -> None:  # type: ignore[no-untyped-def]
        ack()
        respond(text="shared", response_type="in_channel", delete_original=True)

    handler = SocketModeHandler(app, app_token=APP_TOKEN)
    handler.connect()  # non-blocking, unlike start()
    try:
        fake.wait_for_connection()
        yield fake, app, seen
    finally:
        _close(handler.client, fake)


def test_bolt_socket_mode_event_command_and_action(bolt: tuple[FakeSlack, App, list[dict]]) -> None:
    fake, _, seen = bolt
    eid = fake.push_event({"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "channel": "C1"})
    ack = fake.wait_for_ack(eid)
    assert ack.payload is None and ack.latency < 3
    event_ts = seen[0]["event"]["ts"] if seen else fake.messages("C1")[0]["ts"]
    reply = fake.wait_for_call("chat.postMessage", lambda c: c.params["thread_ts"] == event_ts)
    assert reply.params["text"] == "hello"
    assert [m["text"] for m in fake.messages("C1", thread_ts=event_ts)] == ["<@UBOT> hi", "hello"]
    # Bolt >= 1.2x mirrors retry_attempt into the HTTP retry header, even on the first delivery.
    assert seen[0]["retry_num"] == ["0"]

    cid = fake.push_slash_command("LG 엑사원?")
    fake.wait_for_ack(cid)
    call = fake.wait_for_call("response_url")
    assert call.params["text"] == "you asked: LG 엑사원?"
    assert fake.ephemeral_messages("C1")[-1]["text"] == "you asked: LG 엑사원?"

    iid = fake.push_interactive(
        {
            "type": "block_actions",
            "user": {"id": "U1"},
            "channel": {"id": "C1"},
            "container": {"type": "message", "message_ts": "1700000001.000000", "channel_id": "C1", "is_ephemeral": True},
            "actions": [{"action_id": "share", "type": "button", "value": "x", "action_ts": "1"}],
        }
    )
    fake.wait_for_ack(iid)
    fake.wait_for_call("response_url", count=2)
    assert fake.messages("C1")[-1]["text"] == "shared"


def test_socket_mode_disconnect_reconnects(bolt: tuple[FakeSlack, App, list[dict]]) -> None:
    fake, _, _ = bolt
    fake.disconnect()
    fake.wait_for_connection(count=2)
    assert len(fake.calls_to("apps.connections.open")) >= 2
    eid = fake.push_event({"type": "app_mention", "user": "U1", "text": "<@UBOT> again", "channel": "C2"})
    fake.wait_for_ack(eid)
    fake.wait_for_call("chat.postMessage", lambda c: c.params["channel"] == "C2")


def test_burst_of_50_events_all_acked_and_answered_once(bolt: tuple[FakeSlack, App, list[dict]]) -> None:
    fake, _, _ = bolt
    ids = [
        fake.push_event({"type": "app_mention", "user": "U1", "text": f"<@UBOT> q{i}", "channel": f"CB{i}"})
        for i in range(50)
    ]
    acks = [fake.wait_for_ack(eid) for eid in ids]
    assert max(a.latency for a in acks) < 3
    fake.wait_for_call("chat.postMessage", count=50)
    assert sorted(c.params["channel"] for c in fake.calls_to("chat.postMessage")) == sorted(f"CB{i}" for i in range(50))


def test_unacked_event_is_redelivered_with_retry_attempt() -> None:
    with FakeSlack(redeliver_after=0.2) as fake:
        from slack_sdk.socket_mode import SocketModeClient

        received: list[SocketModeRequest] = []
        got = threading.Condition()

        def listener(client: SocketModeClient, req: SocketModeRequest) -> None:
            with got:
                received.append(req)
                got.notify_all()
            if req.retry_attempt:  # ignore the first delivery, ack the retry
                client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))

        client = SocketModeClient(app_token=APP_TOKEN, web_client=_client(fake))
        client.socket_mode_request_listeners.append(listener)
        client.connect()
        try:
            eid = fake.push_event({"type": "app_mention", "text": "hi", "channel": "C1"}, event_id="Ev1")
            ack = fake.wait_for_ack(eid)
            assert ack.retry_attempt == 1 and ack.envelope_id != eid
            with got:
                assert got.wait_for(lambda: len(received) >= 2, 5)
            first, retry = received[:2]
            assert (first.retry_attempt, retry.retry_attempt, retry.retry_reason) == (0, 1, "timeout")
            assert first.payload["event_id"] == retry.payload["event_id"] == "Ev1"
        finally:
            _close(client, fake)


def test_websocket_client_based_socket_mode_client(fake: FakeSlack) -> None:
    from slack_sdk.socket_mode.websocket_client import SocketModeClient

    def listener(client: SocketModeClient, req: SocketModeRequest) -> None:
        client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id, payload={"text": "ok"}))

    client = SocketModeClient(app_token=APP_TOKEN, web_client=_client(fake))
    client.socket_mode_request_listeners.append(listener)
    client.connect()
    try:
        eid = fake.push_slash_command("hi")  # queued until the socket is up
        assert fake.wait_for_ack(eid).payload == {"text": "ok"}
        fake.disconnect()
        # websocket-client quirk: its single runner thread can sit in the old session's
        # select() for up to 10 s (ping_timeout or 10) before starting the new one, which
        # happens under load — so allow for it instead of flaking.
        fake.wait_for_connection(count=2, timeout=25)
        eid = fake.push_slash_command("again")
        assert fake.wait_for_ack(eid).payload == {"text": "ok"}
    finally:
        _close(client, fake)


def test_apps_connections_open_needs_an_app_token(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as err:
        _client(fake).apps_connections_open(app_token=BOT_TOKEN)
    assert err.value.response["error"] in ("invalid_auth", "not_allowed_token_type")
    url = _client(fake).apps_connections_open(app_token=APP_TOKEN)["url"]
    assert url.startswith(f"ws://127.0.0.1:{fake.port}/link/?ticket=")
    # Tickets are single-use; a plain GET without the websocket upgrade is refused too.
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(url.replace("ws://", "http://").replace("ticket=", "ticket=bogus"), timeout=5)


logging.getLogger("slack_sdk.socket_mode").setLevel(logging.WARNING)
