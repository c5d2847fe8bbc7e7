"""End to end: the worker records every question's outcome and 👍/👎, and `/lg-ai report` is admin-only.

`python -m bot` (the Procfile's worker line) against the fake Slack, with its
outcomes in a SQLite file that the test reads with the standard library.
"""
from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.outcomes import NOT_ADMIN
from tests.bot_fixtures import BotProcess, run_worker, wait_until
from tests.fakes.fake_slack import FakeSlack

ADMIN = "UADMIN"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(redeliver_after=None) as fake:
        yield fake


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("outcomes") / "o.sqlite3"


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("bot")
    yield from run_worker(fake, tmp, OUTCOMES_PATH=str(db), REPORT_ADMINS=f"UOTHER,{ADMIN}")


def rows(db: Path, sql: str, *args: Any) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


def channel() -> str:
    return "C" + uuid.uuid4().hex[:8].upper()


def ask(fake: FakeSlack, text: str, ch: str, user: str = "U1") -> dict[str, Any]:
    fake.wait_for_ack(fake.push_slash_command(text, channel_id=ch, user_id=user))
    reply = fake.wait_for_call("response_url", lambda c: c.params.get("blocks") and text[:10] in json.dumps(c.params, ensure_ascii=False))
    return reply.params


def test_questions_and_feedback_are_recorded(fake: FakeSlack, bot: BotProcess, db: Path) -> None:
    ch = channel()
    reply = ask(fake, "엑사원 딥의 수능 수학 점수는?", ch)
    wait_until(lambda: rows(db, "select count(*) from lg_ai_questions where channel = ?", ch)[0][0] == 1,
               message="the outcome row")
    (row,) = rows(db, "select question, outcome, source, surface, user_id, answer_id, latency_ms "
                      "from lg_ai_questions where channel = ?", ch)
    question, outcome, source, surface, user, answer_id, latency = row
    assert (question, outcome, surface, user) == ("엑사원 딥의 수능 수학 점수는?", "answered", "command", "U1")
    assert source and source.endswith(".md") and latency > 0

    # 👍 on that answer, by the button the answer carries
    actions = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"]
    up = next(a for a in actions if a["action_id"] == "feedback_up")
    assert answer_id in up["value"]
    fake.wait_for_ack(fake.push_interactive({
        "type": "block_actions", "user": {"id": "U1"}, "channel": {"id": ch},
        "container": {"type": "message", "channel_id": ch, "is_ephemeral": True, "message_ts": "1.1"},
        "actions": [{**up, "type": "button", "block_id": "b", "action_ts": "1"}],
    }))
    wait_until(lambda: rows(db, "select vote, user_id from lg_ai_feedback where answer_id = ?", answer_id) == [("up", "U1")],
               message="the feedback row")


def test_report_is_private_and_for_admins_only(fake: FakeSlack, bot: BotProcess, db: Path) -> None:
    ch = channel()
    ask(fake, "LG전자 주가는 얼마인가요?", ch, user="U2")
    wait_until(lambda: rows(db, "select outcome from lg_ai_questions where channel = ?", ch) != [],
               message="the outcome row")
    assert rows(db, "select outcome from lg_ai_questions where channel = ?", ch)[0][0] in {"declined", "uncertain"}

    refused = fake.wait_for_ack(fake.push_slash_command("report", channel_id=ch, user_id="U2"))
    assert refused.payload["text"] == NOT_ADMIN and refused.payload.get("response_type") == "ephemeral"

    ack = fake.wait_for_ack(fake.push_slash_command("report 7", channel_id=ch, user_id=ADMIN))
    text = ack.payload["text"]
    assert ack.payload.get("response_type") == "ephemeral"
    assert text.startswith("```") and "(7 days, UTC)" in text and "declined:" in text
    assert "LG전자 주가는 얼마인가요?" in text  # among the questions the articles could not answer
    # the report commands themselves are not questions
    assert rows(db, "select count(*) from lg_ai_questions where question like 'report%'")[0][0] == 0
    # and no answer was posted for them
    assert not [c for c in fake.calls_to("response_url") if "report" == (c.params.get("text") or "")]
