"""End to end, Socket Mode: `python -m bot` (the Procfile's worker line) against the fake Slack.

One bot subprocess serves the whole module; each test uses its own channel or
thread so they do not interfere. Waits use the fake's helpers, never sleeps.
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

import pytest

from tests.bot_fixtures import BotProcess, bot_env, start_worker
from tests.fakes.fake_slack import FakeSlack

@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(redeliver_after=None) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("bot")
    process = start_worker(fake, bot_env(fake.base_url, str(tmp / "chroma")), tmp / "bot.log")
    yield process
    code = process.terminate()
    output = process.output()
    assert code == 0, output[-3000:]
    assert "xoxb-test" not in output and "xapp-test" not in output  # tokens never logged


def corpus_profile():
    from knowledge.corpus import CorpusInfo
    from knowledge.settings import PROJECT_ROOT

    return CorpusInfo.load(PROJECT_ROOT / "seeds")


def channel() -> str:
    return "C" + uuid.uuid4().hex[:8].upper()


def texts(message: dict[str, Any]) -> str:
    return json.dumps({"text": message.get("text"), "blocks": message.get("blocks")}, ensure_ascii=False)


def asked(fake: FakeSlack, ch: str, text: str) -> str:
    """The ts of the stored question whose text contains `text` (answers reply in its thread)."""
    return next(m["ts"] for m in fake.messages(ch) if text in (m.get("text") or "") and not m.get("bot_id"))


def replies_to(fake: FakeSlack, ch: str, text: str):
    ts = asked(fake, ch, text)
    return lambda c: c.params.get("channel") == ch and c.params.get("thread_ts") == ts and c.status == 200


def answer_posts(fake: FakeSlack, ch: str) -> list[Any]:
    return [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == ch and c.status == 200 and not c.error]


# ------------------------------------------------------------------ slash command


def test_slash_command_acks_fast_and_answers_privately_with_share(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    env_id = fake.push_slash_command("What is EXAONE Deep? <!channel>", channel_id=ch)
    ack = fake.wait_for_ack(env_id)
    assert ack.latency < 1.0
    reply = fake.wait_for_call("response_url", lambda c: c.params.get("blocks") and ch in str(fake.ephemeral_messages(ch)))
    body = texts(reply.params)
    assert "What is EXAONE Deep?" in body  # the question is restated
    assert "<!channel>" not in body
    assert reply.params.get("response_type", "ephemeral") == "ephemeral"
    actions = [b for b in reply.params["blocks"] if b["type"] == "actions"][0]["elements"]
    ids = [a["action_id"] for a in actions]
    assert {"share_answer", "dismiss_answer", "feedback_up", "feedback_down"} <= set(ids)

    share = next(a for a in actions if a["action_id"] == "share_answer")
    env_id = fake.push_interactive({
        "type": "block_actions", "user": {"id": "U1"}, "channel": {"id": ch},
        "container": {"type": "message", "channel_id": ch, "is_ephemeral": True, "message_ts": "1.1"},
        "actions": [{**share, "type": "button", "block_id": "b", "action_ts": "1"}],
    })
    assert fake.wait_for_ack(env_id).latency < 1.0
    public = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
    assert "What is EXAONE Deep?" in texts(public.params)
    fake.wait_for_call("response_url", lambda c: c.params.get("delete_original") in (True, "true"))


def test_slash_command_help_and_empty_show_usage(fake: FakeSlack, bot: BotProcess) -> None:
    for text in ("", "help"):
        ack = fake.wait_for_ack(fake.push_slash_command(text, channel_id=channel()))
        body = json.dumps(ack.payload, ensure_ascii=False)
        profile = corpus_profile()
        assert "/lg-ai" in body and profile.examples_in("ko")[0] in body and profile.examples_in("en")[0] in body


def test_dismiss_deletes_the_private_answer(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    env_id = fake.push_interactive({
        "type": "block_actions", "user": {"id": "U1"}, "channel": {"id": ch},
        "container": {"type": "message", "channel_id": ch, "is_ephemeral": True, "message_ts": "2.2"},
        "actions": [{"action_id": "dismiss_answer", "type": "button", "block_id": "b", "value": "{}", "action_ts": "1"}],
    })
    fake.wait_for_ack(env_id)
    call = fake.wait_for_call("response_url", lambda c: c.params.get("delete_original") in (True, "true")
                              and c.headers.get("content-type", "").startswith("application/json"))
    assert call.status == 200


def test_feedback_is_logged_and_acknowledged(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    ts = fake.add_message(ch, "answer", user="UBOT", bot_id="BBOT")
    value = json.dumps({"a": "abc123", "q": "피드백 질문"}, ensure_ascii=False)
    env_id = fake.push_interactive({
        "type": "block_actions", "user": {"id": "U7"}, "channel": {"id": ch},
        "container": {"type": "message", "channel_id": ch, "message_ts": ts},
        "message": {"ts": ts, "text": "answer"},
        "actions": [{"action_id": "feedback_down", "type": "button", "block_id": "b", "value": value, "action_ts": "1"}],
    })
    fake.wait_for_ack(env_id)
    thanks = fake.wait_for_call("chat.postEphemeral", lambda c: c.params.get("channel") == ch)
    assert thanks.params["user"] == "U7"
    log = bot.output()
    assert '"vote": "down"' in log and "abc123" in log


# ------------------------------------------------------------------ mentions and threads


def test_mention_is_answered_in_thread_with_thinking_reaction(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    env_id = fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> LG의 AI 전략은?"})
    assert fake.wait_for_ack(env_id).latency < 1.0
    post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
    question_ts = post.params["thread_ts"]
    assert fake.messages(ch)[0]["ts"] == question_ts
    assert post.params.get("blocks") and post.params.get("text")
    fake.wait_for_call("reactions.add", lambda c: c.params.get("channel") == ch)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch)
    assert "reactions" not in fake.messages(ch)[0]


def test_follow_up_in_thread_without_mention_uses_the_thread(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> first question"})
    first = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
    thread = first.params["thread_ts"]
    fake.push_event({"type": "message", "channel": ch, "user": "U1", "text": "and a follow-up?", "thread_ts": thread})
    second = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch, count=2)
    assert second.params["thread_ts"] == thread
    fake.wait_for_call("conversations.replies", lambda c: c.params.get("channel") == ch)


def test_threads_without_the_bot_other_bots_and_edits_are_ignored(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    # Two human threads. The bot's own message goes in its own thread: a bot message in
    # `people` would make the bot a participant there, and the human reply would then
    # rightly be answered whenever the bot happened to look at the thread after it.
    people = fake.add_message(ch, "people talking")
    own_thread = fake.add_message(ch, "another human thread")
    ignored = [
        # a human reply in a thread the bot is not part of
        fake.push_event({"type": "message", "channel": ch, "user": "U2", "text": "not for the bot", "thread_ts": people}),
        # another bot mentioning us (as a message and as an app_mention, like Slack sends both)
        fake.push_event({"type": "message", "channel": ch, "bot_id": "BOTHER", "text": "<@UBOT> from a bot"}),
    ]
    other_bot_ts = next(m["ts"] for m in fake.messages(ch) if m.get("bot_id") == "BOTHER")
    ignored += [
        fake.push_event({"type": "app_mention", "channel": ch, "bot_id": "BOTHER", "text": "<@UBOT> from a bot",
                         "ts": other_bot_ts}),
        # an edit
        fake.push_event({"type": "message", "channel": ch, "subtype": "message_changed",
                         "message": {"type": "message", "user": "U1", "text": "<@UBOT> edit", "ts": people}}),
        # the bot's own message (in a thread it thereby belongs to)
        fake.push_event({"type": "message", "channel": ch, "user": "UBOT", "bot_id": "BBOT", "text": "own",
                         "thread_ts": own_thread}),
    ]
    ignored_ts = {m["ts"] for m in fake.messages(ch)}
    # All of them reached the bot, and the thread lookup for the human reply has been made.
    for env_id in ignored:
        fake.wait_for_ack(env_id)
    fake.wait_for_call("conversations.replies", lambda c: c.params.get("channel") == ch and c.params.get("ts") == people)

    # A question pushed after them is answered; answers to the others would have started first.
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> marker"})
    marker = asked(fake, ch, "marker")
    fake.wait_for_call("chat.postMessage", replies_to(fake, ch, "marker"))
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch and c.params.get("timestamp") == marker)
    posts = answer_posts(fake, ch)
    assert [p.params.get("thread_ts") for p in posts] == [marker], [p.params for p in posts]
    reacted = {c.params.get("timestamp") for c in fake.calls_to("reactions.add") if c.params.get("channel") == ch}
    assert reacted == {marker}, reacted  # no answer to an ignored message was even started
    assert not ignored_ts & reacted


def test_dm_is_answered_directly_with_history(fake: FakeSlack, bot: BotProcess) -> None:
    dm = "D" + uuid.uuid4().hex[:8].upper()
    fake.add_message(dm, "earlier question")
    fake.push_event({"type": "message", "channel": dm, "user": "U1", "text": "DM 질문입니다"})
    post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == dm)
    assert not post.params.get("thread_ts") and post.params.get("blocks")
    fake.wait_for_call("conversations.history", lambda c: c.params.get("channel") == dm)


def test_assistant_pane_greets_suggests_and_answers_with_status(fake: FakeSlack, bot: BotProcess) -> None:
    dm = "D" + uuid.uuid4().hex[:8].upper()
    thread = fake.add_message(dm, "", user="UBOT", bot_id="BBOT")
    fake.push_event({"type": "assistant_thread_started", "assistant_thread": {
        "user_id": "U1", "channel_id": dm, "thread_ts": thread, "context": {}}})
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == dm)
    prompts = fake.wait_for_call("assistant.threads.setSuggestedPrompts", lambda c: c.params.get("channel_id") == dm)
    messages = [p["message"] for p in prompts.params["prompts"]]
    profile = corpus_profile()  # the prompts come from seeds/profile.toml, in Korean and English
    assert profile.examples_in("ko")[0] in messages and profile.examples_in("en")[0] in messages

    fake.push_event({"type": "message", "channel": dm, "user": "U1", "text": "엑사원 딥은?", "thread_ts": thread})
    answer = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == dm and c.params.get("blocks"))
    assert answer.params["thread_ts"] == thread
    fake.wait_for_call("assistant.threads.setStatus", lambda c: c.params.get("channel_id") == dm and c.params.get("status") == "")
    state = fake.assistant_thread(dm, thread)
    assert state.get("title") == "엑사원 딥은?"
    assert any(s for s in state.get("status_history", []))


# ------------------------------------------------------------------ reliability


def test_same_event_id_is_answered_once(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    event = {"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> once please", "ts": "1800000000.000100"}
    first = fake.push_event(event, event_id="EvDEDUP1")
    second = fake.push_event(event, event_id="EvDEDUP1", retry_attempt=1, retry_reason="timeout")
    fake.wait_for_ack(first), fake.wait_for_ack(second)
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch)
    # a fresh question afterwards proves the bot moved on
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> after"})
    fake.wait_for_call("chat.postMessage", replies_to(fake, ch, "after"))
    assert len([c for c in answer_posts(fake, ch) if c.params.get("thread_ts") == "1800000000.000100"]) == 1


def test_rate_limited_post_is_retried_after_retry_after(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    fake.fail_next("chat.postMessage", status=429, retry_after=1)
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> rate limited"})
    post = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=15)
    limited = [c for c in fake.calls if c.method == "chat.postMessage" and c.status == 429]
    assert limited and post.time - limited[-1].time >= 0.9
    assert len(answer_posts(fake, ch)) == 1


def test_server_error_on_post_is_retried_and_answered_once(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    fake.fail_next("chat.postMessage", status=500, times=2)
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> server error"})
    answer = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=15)
    assert "Sorry" not in answer.params["text"] and "죄송" not in answer.params["text"]
    fake.wait_for_call("reactions.remove", lambda c: c.params.get("channel") == ch)
    failed = [c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == ch and c.status == 500]
    assert len(failed) == 2 and len(answer_posts(fake, ch)) == 1
    assert bot.alive() and "retrying" in bot.output()


def test_burst_of_questions_each_answered_once(fake: FakeSlack, bot: BotProcess) -> None:
    ch = channel()
    envs = [fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> burst {i}"}) for i in range(20)]
    assert max(fake.wait_for_ack(e).latency for e in envs) < 1.0
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch, count=20, timeout=30)
    posts = answer_posts(fake, ch)
    questions = [m["ts"] for m in fake.messages(ch) if not m.get("thread_ts") or m.get("thread_ts") == m["ts"]]
    assert len(questions) == 20
    assert sorted(p.params["thread_ts"] for p in posts) == sorted(questions)  # each exactly once


def test_disconnect_then_reconnect(fake: FakeSlack, bot: BotProcess) -> None:
    opened = fake.connections_opened
    fake.disconnect()
    fake.wait_for_connection(count=opened + 1, timeout=20)
    ch = channel()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> after reconnect"})
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch)
