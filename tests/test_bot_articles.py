"""End to end with two articles indexed: the real worker (the Procfile's line) against the fake Slack.

Each answer names the article it comes from in its Block Kit context line, and a
question about the second article is answered from it, not from the first.
"""
from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.bot_fixtures import BotProcess, run_worker
from tests.fakes.fake_slack import FakeSlack

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    with FakeSlack(redeliver_after=None) as fake:
        yield fake


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    tmp = tmp_path_factory.mktemp("two-articles")
    seeds = tmp / "seeds"
    seeds.mkdir()
    shutil.copy(ROOT / "seeds" / "lg-ai-strategy-exaone-deep.md", seeds)
    shutil.copy(DATA / "multidoc" / "seeds" / "samsung-gauss-ai.md", seeds)
    yield from run_worker(fake, tmp, SEEDS_DIR=str(seeds))


def _ask(fake: FakeSlack, text: str) -> dict[str, Any]:
    ch = "C" + uuid.uuid4().hex[:8].upper()
    fake.push_event({"type": "app_mention", "channel": ch, "user": "U1", "text": f"<@UBOT> {text}"})
    return fake.wait_for_call("chat.postMessage", lambda c: c.params.get("channel") == ch and c.status == 200,
                              timeout=30).params


def _context_lines(message: dict[str, Any]) -> list[str]:
    return [e.get("text", "") for b in message.get("blocks", []) if b.get("type") == "context" for e in b.get("elements", [])]


def test_the_context_line_names_the_article_the_quote_comes_from(fake: FakeSlack, bot: BotProcess) -> None:
    samsung = _ask(fake, "삼성 가우스가 처음 공개된 행사는 언제였어?")
    lines = " ".join(_context_lines(samsung))
    assert "테크브리프" in lines and "*삼성전자, 자체 생성형 AI" in lines  # its own '#' title, in bold
    assert "청년일보" not in lines
    body = json.dumps(samsung, ensure_ascii=False)
    assert "2023년 11월 8일" in body

    lg = _ask(fake, "엑사원 딥의 수능 수학 점수는?")
    lines = " ".join(_context_lines(lg))
    assert "청년일보" in lines and "테크브리프" not in lines
    # The original article has no '#' title: its first words name it, never as a bold title.
    assert "“구광모 LG그룹 회장이" in lines and "*구광모" not in lines
    assert "94.5" in json.dumps(lg, ensure_ascii=False)


def test_sources_lists_both_articles(fake: FakeSlack, bot: BotProcess) -> None:
    reply = json.dumps(_ask(fake, "어떤 기사들을 알아?"), ensure_ascii=False)
    assert "lg-ai-strategy-exaone-deep.md" in reply and "samsung-gauss-ai.md" in reply
