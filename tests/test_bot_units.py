"""In-process tests of the Slack layer: settings, dedup, history, and listeners with a recording client."""
from __future__ import annotations

import json
import time
from typing import Any, Iterator

import pytest
from slack_bolt import BoltRequest
from slack_sdk import WebClient

from bot.logs import redact
from bot.answering import ask
from bot.messages import clean_question, history_from_messages
from bot.runtime import DrainingExecutor, create_app
from bot.settings import BotSettings, SettingsError
from bot.state import Claim, MemoryStore
from tests.bot_fixtures import RecordingClient, fake_answer

ENV = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test"}


def test_settings_modes_and_errors() -> None:
    assert BotSettings.from_env(ENV).mode == "socket"
    http = BotSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "8080"})
    assert http.mode == "http" and http.port == 8080
    assert BotSettings.from_env({**ENV, "SLACK_API_BASE_URL": "http://127.0.0.1:1/api"}).api_url == "http://127.0.0.1:1/api/"
    assert BotSettings.from_env({**ENV, "SLACK_COMMAND": "ask-lg"}).command == "/ask-lg"
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        BotSettings.from_env({"SLACK_APP_TOKEN": "xapp-1"})
    with pytest.raises(SettingsError, match="SLACK_APP_TOKEN.*SLACK_SIGNING_SECRET"):
        BotSettings.from_env({"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(SettingsError, match="PORT"):
        BotSettings.from_env({**ENV, "PORT": "abc"})
    assert "xoxb" not in repr(BotSettings.from_env(ENV)) and "xapp" not in repr(BotSettings.from_env(ENV))


def test_redact_tokens() -> None:
    assert redact("token xoxb-123-abc and xapp-1-A-2") == "token xoxb-*** and xapp-***"


def test_memory_store_claims_are_bounded_and_expire() -> None:
    now = [0.0]
    store = MemoryStore(capacity=3, clock=lambda: now[0])
    assert store.claim("a", "w1", 10) is Claim.CLAIMED and store.claim("a", "w2", 10) is Claim.BUSY
    for key in "bcd":
        store.claim(key, "w1", 10)
    assert len(store.claims) == 3 and store.peek("a") is None  # oldest dropped
    now[0] = 100
    assert store.claim("b", "w2", 10) is Claim.CLAIMED  # w1's lease expired


def test_clean_question() -> None:
    text = "<@UBOT> LG &amp; <https://lg.com|LG> 전략 &lt;b&gt; <@U2> <!here>"
    assert clean_question(text) == "LG & LG 전략 <b>"
    assert clean_question("엑사원 딥은? cc <@U024BE7LH|kim>") == "엑사원 딥은? cc"


def test_history_pairs_questions_and_answers() -> None:
    messages = [
        {"ts": "1", "user": "U1", "text": "<@UBOT> first?"},
        {"ts": "2", "user": "UBOT", "bot_id": "BBOT", "text": "first answer &amp; more"},
        {"ts": "3", "user": "U1", "text": "edited", "subtype": "message_changed"},
        {"ts": "4", "bot_id": "BOTHER", "text": "other bot"},
        {"ts": "5", "user": "U1", "text": "second?"},
        {"ts": "6", "user": "U1", "text": "current"},
    ]
    turns = history_from_messages(messages, bot_user_id="UBOT", bot_id="BBOT", exclude_ts="6", limit=5)
    assert [(t.question, t.answer) for t in turns] == [("first?", "first answer & more"), ("second?", "")]
    assert len(history_from_messages(messages, bot_user_id="UBOT", bot_id="BBOT", exclude_ts="6", limit=1)) == 1


def test_executor_drains_running_work() -> None:
    pool = DrainingExecutor(2)
    done = []
    pool.submit(lambda: (time.sleep(0.05), done.append(1)))
    assert pool.inflight == 1
    assert pool.drain(2.0) and done == [1] and pool.draining


# ------------------------------------------------------------------ listeners, in process


def event_body(event: dict[str, Any], event_id: str = "Ev1") -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                       "event_time": 1, "event": event, "authorizations": [{"user_id": "UBOT", "is_bot": True}]})


@pytest.fixture()
def recorder(monkeypatch: pytest.MonkeyPatch) -> RecordingClient:
    """Bolt copies the client per request, so route every WebClient's calls to one recorder."""
    client = RecordingClient()
    monkeypatch.setattr(WebClient, "api_call", lambda self, method, **kw: client.api_call(method, **kw))
    return client


@pytest.fixture()
def bot(recorder: RecordingClient) -> Iterator[tuple[Any, RecordingClient]]:
    app = create_app(BotSettings.from_env(ENV), fake_answer, recorder)
    yield app, recorder
    assert app.runtime.executor.drain(5)  # every listener has finished...
    assert app.runtime.leases.held == []  # ...and settled its claims: none is renewed forever
    app.runtime.drain(5)  # indicator calls finish while the recorder is still in place


def dispatch(app: Any, body: str, headers: dict[str, str] | None = None) -> Any:
    return app.dispatch(BoltRequest(body=body, mode="socket_mode", headers=headers or {}))


def test_mention_answers_in_thread_with_indicator(bot) -> None:
    app, client = bot
    resp = dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "10.1",
                                      "text": "<@UBOT> What is EXAONE? <!channel>"}))
    assert resp.status == 200
    post = client.wait_for("chat.postMessage")[0]
    assert post["thread_ts"] == "10.1" and "What is EXAONE?" in post["text"]
    assert "<!channel>" not in json.dumps(post, ensure_ascii=False)
    client.wait_for("reactions.remove")
    assert client.calls_to("reactions.add")[0]["timestamp"] == "10.1"


def test_same_event_id_is_answered_once_and_mention_plus_message_once(bot) -> None:
    app, client = bot
    ev = {"type": "app_mention", "channel": "C1", "user": "U1", "ts": "11.1", "text": "<@UBOT> hi"}
    dispatch(app, event_body(ev, "EvA"))
    dispatch(app, event_body(ev, "EvA"), {"x-slack-retry-num": "1"})
    dispatch(app, event_body({**ev, "type": "message", "channel_type": "channel", "thread_ts": "11.1"}, "EvB"))
    client.wait_for("reactions.remove")
    app.runtime.executor.drain(5)
    assert len(client.calls_to("chat.postMessage")) == 1


def test_only_private_answers_are_kept_for_share(bot) -> None:
    """Public answers are not copied into memory (flat RSS); Share needs the private ones."""
    app, client = bot
    for i in range(3):
        dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": f"12.{i}",
                                  "text": f"<@UBOT> question {i}"}, f"EvK{i}"))
    client.wait_for("chat.postMessage", count=3)
    store = app.runtime.store
    assert len(store.answers) == 0
    answer, answer_id = ask(app.runtime, "private question", shareable=True)
    assert store.get_answer(answer_id) is answer and len(store.answers) == 1


def test_follow_up_in_bot_thread_without_mention_uses_context(bot) -> None:
    app, client = bot
    client.replies["20.1"] = [
        {"ts": "20.1", "user": "U1", "text": "<@UBOT> first question"},
        {"ts": "20.2", "user": "UBOT", "bot_id": "BBOT", "text": "first answer"},
        {"ts": "20.3", "user": "U1", "text": "and then?"},
    ]
    dispatch(app, event_body({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1",
                              "ts": "20.3", "thread_ts": "20.1", "text": "and then?"}))
    post = client.wait_for("chat.postMessage")[0]
    assert post["thread_ts"] == "20.1" and "history=1" in post["text"]


def test_ignores_threads_without_bot_other_bots_and_edits(bot) -> None:
    app, client = bot
    client.replies["30.1"] = [{"ts": "30.1", "user": "U1", "text": "people talking"}]
    base = {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "thread_ts": "30.1"}
    dispatch(app, event_body({**base, "ts": "30.2", "text": "hello"}, "E1"))
    dispatch(app, event_body({**base, "ts": "30.3", "text": "bot", "bot_id": "BOTHER"}, "E2"))
    dispatch(app, event_body({**base, "ts": "30.4", "subtype": "message_changed", "message": {"text": "x"}}, "E3"))
    dispatch(app, event_body({"type": "message", "channel_type": "channel", "channel": "C1", "user": "U1", "ts": "30.5", "text": "top"}, "E4"))
    app.runtime.executor.drain(5)
    assert client.calls_to("chat.postMessage") == []


def test_dm_answered_directly_with_history(bot) -> None:
    app, client = bot
    dispatch(app, event_body({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "ts": "40.1", "text": "DM question"}))
    post = client.wait_for("chat.postMessage")[0]
    assert post["channel"] == "D1" and post.get("thread_ts") is None
    assert client.calls_to("conversations.history")


def test_assistant_thread_uses_status_and_title(bot) -> None:
    app, client = bot
    dispatch(app, event_body({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U1", "channel_id": "D1", "thread_ts": "50.1", "context": {}}, "event_ts": "50.2"}, "E10"))
    client.wait_for("assistant.threads.setSuggestedPrompts")
    dispatch(app, event_body({"type": "message", "channel_type": "im", "channel": "D1", "user": "U1", "ts": "50.3",
                              "thread_ts": "50.1", "text": "assistant question"}, "E11"))
    post = client.wait_for("chat.postMessage", count=2)[-1]
    assert post["thread_ts"] == "50.1" and "assistant question" in post["text"]
    statuses = [c["status"] for c in client.wait_for("assistant.threads.setStatus", count=2)]
    assert statuses[0] and statuses[-1] == ""
    assert client.calls_to("assistant.threads.setTitle")[0]["title"] == "assistant question"
    assert client.calls_to("reactions.add") == []


def test_failure_posts_apology(recorder: RecordingClient) -> None:
    client = recorder

    def broken(question: str, history: Any) -> Any:
        raise RuntimeError("boom")

    app = create_app(BotSettings.from_env(ENV), broken, client)
    dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "60.1", "text": "<@UBOT> q"}))
    client.wait_for("reactions.remove")
    assert "Sorry" in client.calls_to("chat.postMessage")[0]["text"]
    app.runtime.drain(5)
    assert app.runtime.outcomes == {"failed": 1}


def test_streaming_when_configured_and_fallback_when_refused(recorder: RecordingClient) -> None:
    client = recorder
    app = create_app(BotSettings.from_env({**ENV, "SLACK_STREAM_CHUNK_CHARS": "10"}), fake_answer, client, streams=True)
    dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "70.1", "text": "<@UBOT> stream me"}))
    stop = client.wait_for("chat.stopStream")[0]
    assert stop["blocks"] and client.calls_to("chat.startStream")[0]["thread_ts"] == "70.1"
    assert client.calls_to("chat.postMessage") == []
    client.failures["chat.startStream"] = "not_allowed"
    dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "71.1", "text": "<@UBOT> again"}, "E2"))
    assert client.wait_for("chat.postMessage")[0]["thread_ts"] == "71.1"
    app.runtime.drain(5)


def test_lone_surrogates_and_unencodable_code_points_are_dropped() -> None:
    assert clean_question("엑사원 딥\ud800은? \udfff\ue000\U0010fffe ok") == "엑사원 딥은? ok"
    clean_question("\ud83d").encode("utf-8")  # encodable whatever came in


def test_question_with_lone_surrogates_is_answered_not_apologised(recorder: RecordingClient, chain) -> None:
    """The real chain (embedder included) gets the cleaned question, so the user gets an answer."""
    app = create_app(BotSettings.from_env(ENV), chain.ask, recorder)
    dispatch(app, json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": "EvSUR",
                              "event_time": 1, "authorizations": [{"user_id": "UBOT", "is_bot": True}],
                              "event": {"type": "app_mention", "channel": "C9", "user": "U1", "ts": "90.1",
                                        "text": "<@UBOT> 엑사원 딥\\ud800의 수능 수학 점수는?\\udc00"}}))
    post = recorder.wait_for("chat.postMessage", timeout=30)[0]
    app.runtime.drain(10)
    assert "Sorry" not in post["text"] and "죄송" not in post["text"]
    assert app.runtime.outcomes.get("failed", 0) == 0


def test_manifest_asks_for_exactly_the_scopes_the_bot_uses() -> None:
    """Every bot scope is needed by a call or event in bot/, and every call in bot/ has its scope."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    manifest = json.loads((root / "manifest.json").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text() for p in (root / "bot").rglob("*.py"))
    needs = {  # Web API method (as called in bot/) -> scope
        r"chat_postMessage|chat\.postMessage|chat_stream|chat_update|say\(": {"chat:write"},
        r"chat_postEphemeral": {"chat:write"},
        r"reactions\.add|reactions\.remove": {"reactions:write"},
        r"assistant\.threads|Assistant\(": {"assistant:write"},
        r"conversations_replies|conversations_history": {"channels:history", "groups:history", "im:history", "mpim:history"},
        r"@app\.event\(\"app_mention\"\)": {"app_mentions:read"},
        r"@app\.command": {"commands"},
        r"channel_not_found|not_in_channel": {"chat:write.public"},  # Share where the bot is not a member
    }
    used = set().union(*(scope for pattern, scope in needs.items() if re.search(pattern, source)))
    assert used <= scopes, f"missing scopes: {used - scopes}"
    assert scopes <= used, f"unused scopes: {scopes - used}"


def test_outcome_hook_once_per_question_and_feedback_hook(recorder: RecordingClient) -> None:
    records: list[dict] = []
    votes: list[tuple] = []

    def on_outcome(record: dict) -> None:
        records.append(record)
        raise RuntimeError("a broken hook must not break answering")

    app = create_app(BotSettings.from_env(ENV), fake_answer, recorder, on_outcome=on_outcome,
                     on_feedback=lambda *args: votes.append(args))
    dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "80.1", "text": "<@UBOT> hook?"}, "EvH1"))
    dispatch(app, event_body({"type": "app_mention", "channel": "C1", "user": "U1", "ts": "80.1", "text": "<@UBOT> hook?"}, "EvH1"),
             {"x-slack-retry-num": "1"})
    dispatch(app, event_body({"type": "message", "channel_type": "im", "channel": "D1", "user": "U2", "ts": "80.2",
                              "text": "unknown thing"}, "EvH2"))
    recorder.wait_for("chat.postMessage", count=2)
    value = json.dumps({"a": "abc", "q": "hook?"})
    dispatch(app, json.dumps({"type": "block_actions", "user": {"id": "U3"}, "team": {"id": "T1"}, "api_app_id": "A1",
                              "trigger_id": "t1", "channel": {"id": "C1"}, "container": {"channel_id": "C1", "message_ts": "80.3"},
                              "actions": [{"action_id": "feedback_up", "value": value, "type": "button", "block_id": "b"}]}))
    recorder.wait_for("chat.postEphemeral")
    app.runtime.drain(5)
    assert sorted(r["surface"] for r in records) == ["dm", "mention"]
    mention = next(r for r in records if r["surface"] == "mention")
    assert set(mention) == {"question", "outcome", "source", "latency_ms", "surface", "user", "channel", "answer_id"}
    assert mention["outcome"] == "answered" and mention["source"] == "lg.md" and mention["question"] == "hook?"
    assert next(r for r in records if r["surface"] == "dm")["outcome"] == "declined"
    assert votes == [("abc", "up", "U3")]
