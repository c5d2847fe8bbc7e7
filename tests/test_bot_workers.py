"""Two real workers (the Procfile's worker line) sharing one Redis, against one fake Slack.

Slack delivers each envelope to one of the connected sockets; the fake lets
a test choose which (`push_event(to=...)`), so duplicates, retries that reach
the other worker, and a worker stopped or killed mid-answer are all played
out between real processes. Each case must end with exactly one answer.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.bot_fixtures import BotProcess, RedisServer, bot_env, procfile_command, wait_until
from tests.fakes.fake_slack import FakeSlack

LEASE = "2"


def start_worker(fake: FakeSlack, redis: RedisServer, tmp: Path, name: str, **extra: str) -> tuple[BotProcess, int]:
    """Start a worker and return it with the id of its Socket Mode connection."""
    before = set(fake.connection_ids())
    env = bot_env(fake.base_url, str(tmp / f"chroma-{name}"), REDIS_URL=redis.url, SLACK_CLAIM_LEASE_SECONDS=LEASE, **extra)
    process = BotProcess(procfile_command("worker"), env, tmp / f"{name}.log")
    try:
        wait_until(lambda: set(fake.connection_ids()) - before, timeout=120, message=f"worker {name} to connect")
    except AssertionError:
        process.terminate()
        raise AssertionError(f"worker {name} did not connect:\n" + process.output()[-3000:])
    (conn,) = set(fake.connection_ids()) - before
    return process, conn


def channel() -> str:
    return "C" + uuid.uuid4().hex[:8].upper()


def answers_in(fake: FakeSlack, ch: str, thread_ts: str) -> list[dict]:
    return [m for m in fake.messages(ch) if m.get("bot_id") and m.get("thread_ts") == thread_ts]


def settle(fake: FakeSlack, ch: str, *, to: int) -> None:
    """A fresh question answered afterwards: the workers have moved on, a late duplicate would be visible."""
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> marker question"}, to=to)
    ts = next(m["ts"] for m in fake.messages(ch) if "marker" in (m.get("text") or ""))
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("thread_ts") == ts and c.status == 200, timeout=30)


@pytest.fixture(scope="module")
def cluster(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FakeSlack, list[tuple[BotProcess, int]]]]:
    redis_server.flush()
    tmp = tmp_path_factory.mktemp("workers")
    with FakeSlack() as fake:
        workers = [start_worker(fake, redis_server, tmp, "a"), start_worker(fake, redis_server, tmp, "b")]
        yield fake, workers
        for process, _ in workers:
            output = process.output()
            assert process.terminate() == 0, output[-3000:]
            assert "shared state in Redis" in output


def test_same_event_to_both_workers_is_answered_once(cluster) -> None:
    fake, [(a, conn_a), (b, conn_b)] = cluster
    ch = channel()
    event = {"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> 엑사원 딥은?", "ts": "1800000100.000100"}
    envs = [fake.push_event(event, event_id="EvTWIN1", to=conn_a), fake.push_event(event, event_id="EvTWIN1", to=conn_b)]
    for env in envs:
        assert fake.wait_for_ack(env).latency < 1.0
    settle(fake, ch, to=conn_b)
    assert len(answers_in(fake, ch, event["ts"])) == 1
    delivered = {d["envelope_id"] for d in fake.deliveries}
    assert set(envs) <= delivered  # each worker really got its copy


def test_retry_reaching_the_other_worker_is_answered_once(cluster) -> None:
    fake, [(a, conn_a), (b, conn_b)] = cluster
    ch = channel()
    event = {"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> What is EXAONE Deep?", "ts": "1800000200.000100"}
    fake.wait_for_ack(fake.push_event(event, event_id="EvRETRY1", to=conn_a))
    fake.wait_for_ack(fake.push_event(event, event_id="EvRETRY1", to=conn_b, retry_attempt=1, retry_reason="timeout"))
    # and the same message arriving as a `message` event on the other worker
    fake.wait_for_ack(fake.push_event({**event, "type": "message"}, event_id="EvRETRY1m", to=conn_b))
    settle(fake, ch, to=conn_a)
    assert len(answers_in(fake, ch, event["ts"])) == 1


def test_worker_stopped_mid_answer_and_retry_to_the_other_is_answered_once(redis_server: RedisServer, tmp_path: Path) -> None:
    redis_server.flush()
    with FakeSlack() as fake:
        a, conn_a = start_worker(fake, redis_server, tmp_path, "a")
        b, conn_b = start_worker(fake, redis_server, tmp_path, "b")
        try:
            ch = channel()
            event = {"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> LG의 AI 전략은?", "ts": "1800000300.000100"}
            fake.delay_next("chat.postMessage", 3.0)  # A's answer is in flight when SIGTERM comes
            fake.wait_for_ack(fake.push_event(event, event_id="EvTERM1", to=conn_a))
            fake.wait_for_call("reactions.add", lambda c: c.params.get("channel") == ch)
            stopping = threading.Thread(target=lambda: a.terminate(timeout=30))
            stopping.start()
            fake.wait_for_ack(fake.push_event(event, event_id="EvTERM1", to=conn_b, retry_attempt=1, retry_reason="timeout"))
            stopping.join(40)
            assert a.proc.returncode == 0, a.output()[-3000:]
            settle(fake, ch, to=conn_b)
            assert len(answers_in(fake, ch, event["ts"])) == 1, a.output()[-2000:] + b.output()[-2000:]
        finally:
            assert b.terminate() == 0


def test_worker_killed_mid_answer_its_claim_expires_and_the_retry_is_answered(redis_server: RedisServer, tmp_path: Path) -> None:
    redis_server.flush()
    with FakeSlack() as fake:
        a, conn_a = start_worker(fake, redis_server, tmp_path, "a")
        b, conn_b = start_worker(fake, redis_server, tmp_path, "b")
        try:
            ch = channel()
            root = fake.add_message(ch, "<@UBOT> first question")
            event = {"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> 경량 모델은?",
                     "thread_ts": root, "ts": "1800000400.000100"}
            fake.delay_next("conversations.replies", 60.0)  # A hangs reading the thread
            fake.wait_for_ack(fake.push_event(event, event_id="EvKILL1", to=conn_a))
            wait_until(lambda: any(c.params.get("channel") == ch for c in list(fake.stalled)), timeout=10,
                       message="worker A to be stuck reading the thread")
            a.proc.kill()  # no goodbye, no release: only the lease can tell
            a.proc.wait(10)
            fake.wait_for_ack(fake.push_event(event, event_id="EvKILL1", to=conn_b, retry_attempt=1, retry_reason="timeout"))
            fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=30)
            settle(fake, ch, to=conn_b)
            assert len(answers_in(fake, ch, root)) == 1
            assert "expired without an answer" in b.output()
        finally:
            if a.alive():  # the test failed before the kill: do not leave the worker behind
                a.proc.kill()
                a.proc.wait(10)
            a._log.close()
            assert b.terminate() == 0


def test_follow_up_reaching_the_other_worker_knows_the_thread_and_share_works_across(cluster) -> None:
    fake, [(a, conn_a), (b, conn_b)] = cluster
    ch = channel()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> 엑사원 딥은 어떤 모델인가요?"}, to=conn_a)
    first = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=30)
    thread = first.params["thread_ts"]
    replies_before = len(fake.calls_to("conversations.replies"))
    fake.push_event({"type": "message", "channel": ch, "user": "U1", "text": "그럼 경량 모델은?", "thread_ts": thread}, to=conn_b)
    fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, count=2, timeout=30)
    # B knew the thread from Redis: it read the thread once, for context, not to find out whether it belongs there.
    lookups = [c for c in fake.calls_to("conversations.replies")[replies_before:] if c.params.get("channel") == ch]
    assert len(lookups) == 1

    # A private answer from A is shared by a click that reaches B: B posts exactly what A showed.
    env = fake.push_slash_command("What is EXAONE Deep?", channel_id=ch, to=conn_a)
    reply = fake.wait_for_call("response_url", lambda c: c.params.get("blocks") and "Share" in str(c.params["blocks"]), timeout=30)
    share = next(e for blk in reply.params["blocks"] if blk["type"] == "actions" for e in blk["elements"]
                 if e["action_id"] == "share_answer")
    asked_before = len([c for c in fake.calls_to("chat.postMessage") if c.params.get("channel") == ch])
    fake.wait_for_ack(env)
    click = {"type": "block_actions", "user": {"id": "U1"}, "channel": {"id": ch},
             "container": {"type": "message", "channel_id": ch, "is_ephemeral": True, "message_ts": "1.1"},
             "actions": [{**share, "type": "button", "block_id": "b", "action_ts": "1"}]}
    fake.wait_for_ack(fake.push_interactive(click, to=conn_b))
    public = fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200,
                                count=asked_before + 1, timeout=30)
    assert json.loads(share["value"])["a"] in json.dumps(public.params["blocks"])  # the stored answer, not a new one


def test_redis_going_away_is_one_log_line_and_answers_go_on(tmp_path: Path) -> None:
    redis = RedisServer(tmp_path).start()
    with FakeSlack() as fake:
        worker, conn = start_worker(fake, redis, tmp_path, "solo")
        try:
            ch = channel()
            fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> before"}, to=conn)
            fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, timeout=30)
            redis.stop()
            for i in range(3):
                fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> during {i}"}, to=conn)
            fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, count=4, timeout=30)
            output = worker.output()
            assert output.count("is unreachable") == 1, output[-3000:]
            redis.start()
            time.sleep(5.5)  # the store retries Redis every 5 s
            fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": "<@UBOT> after"}, to=conn)
            fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200, count=5, timeout=30)
            wait_until(lambda: "reachable again" in worker.output(), timeout=10, message="the all-clear line")
        finally:
            assert worker.terminate() == 0
            redis.stop()
