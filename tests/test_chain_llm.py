"""The whole chain with an LLM configured, over real HTTP to a scripted OpenAI-compatible server."""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator

import pytest

from knowledge.chain import AnswerChain, build_chain
from knowledge.models import Turn
from tests.fakes.fake_openai import FakeOpenAI


@pytest.fixture()
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def _chain(kb, server: FakeOpenAI, timeout: float = 3.0) -> AnswerChain:
    settings = kb.settings.with_(
        llm_model="openai:test-model", llm_base_url=server.base_url, llm_api_key="sk-test-secret", llm_timeout=timeout
    )
    return build_chain(settings, kb=kb)


def _sentence_ids(server: FakeOpenAI, needle: str) -> str:
    """The id the prompt gave the sentence containing `needle` (e.g. "S2")."""
    prompt = server.prompt_text(-1)
    for line in prompt.splitlines():
        if needle in line:
            m = re.search(r"\[?(S\d+)\]?", line)
            if m:
                return m.group(1)
    raise AssertionError(f"{needle!r} not in prompt:\n{prompt}")


def test_llm_writes_the_answer_and_quotes_are_cut_from_the_source(kb, server) -> None:
    chain = _chain(kb, server)
    assert chain.streams
    # First call: find which id the 94.5 sentence gets, by recording the prompt.
    server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
    chain.ask("엑사원 딥은 수능 수학에서 몇 점을 받았나?")
    sid = _sentence_ids(server, "94.5점")
    server.push(json.dumps({"answer": "엑사원 딥은 2025학년도 수능 수학에서 94.5점을 받았습니다.", "found": True, "citations": [sid]}))
    answer = chain.ask("엑사원 딥은 수능 수학에서 몇 점을 받았나?")
    assert answer.found and answer.answerer == "llm:test-model" and answer.fallback_reason is None
    assert answer.text.startswith("엑사원 딥은 2025학년도")
    (quote,) = answer.quotes
    assert kb.source_text(quote.source)[quote.start : quote.end] == quote.text
    assert "94.5점을 기록" in quote.text


def test_citation_of_a_sentence_never_retrieved_falls_back_to_offline(kb, server) -> None:
    chain = _chain(kb, server)
    server.push(json.dumps({"answer": "LG is bankrupt.", "found": True, "citations": ["S99"]}))
    answer = chain.ask("LG AI연구원 인원은 몇 명인가요?")
    assert answer.answerer == "offline" and answer.fallback_reason == "bad_citation"
    assert "bankrupt" not in answer.text and answer.quotes  # the offline answer, whatever it cites


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("this is not json", "unparsable"),
        (json.dumps({"answer": "94.5", "found": True, "citations": []}), "no_citation"),
        (("status", 500), "error:"),
    ],
)
def test_broken_llm_output_falls_back(kb, server, reply, reason) -> None:
    chain = _chain(kb, server)
    server.push(reply)
    answer = chain.ask("What score did EXAONE Deep get on the Korean SAT math section?")
    assert answer.answerer == "offline" and answer.fallback_reason.startswith(reason)
    assert answer.found and "94.5" in answer.quotes[0].text


def test_slow_llm_falls_back_within_the_timeout(kb, server) -> None:
    chain = _chain(kb, server, timeout=0.5)
    server.push(("delay", 5, json.dumps({"answer": "late", "found": True, "citations": ["S1"]})))
    started = time.monotonic()
    answer = chain.ask("LG 에이머스 누적 참가자 수는?")
    assert time.monotonic() - started < 2.0
    assert answer.fallback_reason == "timeout" and "1만2천명" in answer.quotes[0].text


def test_llm_decline_is_a_decline(kb, server) -> None:
    chain = _chain(kb, server)
    server.push(json.dumps({"answer": "", "found": False, "citations": []}))
    answer = chain.ask("엑사원 딥의 출시 가격은 얼마인가요?")
    assert not answer.found and answer.text  # the chain words the decline when the model gives none
    assert not answer.quotes or answer.closest_only


def test_follow_up_history_reaches_the_model(kb, server) -> None:
    chain = _chain(kb, server)
    server.push(json.dumps({"answer": "7.8B입니다.", "found": False, "citations": []}))
    chain.ask("그럼 경량 모델은?", history=[Turn("엑사원 딥의 가장 큰 모델은?", "320억개 매개변수의 32B입니다.")])
    prompt = server.prompt_text(-1)
    assert "엑사원 딥의 가장 큰 모델은?" in prompt and "경량 모델" in prompt


def test_api_key_is_sent_but_never_in_the_answer(kb, server) -> None:
    chain = _chain(kb, server)
    server.push("garbage")
    answer = chain.ask("Is EXAONE Deep open source?")
    assert "sk-test-secret" not in json.dumps(answer.to_dict(), ensure_ascii=False)


def test_summary_request_is_answered_from_the_key_sentences_without_the_model(kb, server) -> None:
    """Summaries are the chain's own (lede plus central sentences, all verbatim): the model is not asked."""
    chain = _chain(kb, server)
    lede = kb.documents[0].sentences[0].text
    answer = chain.ask("Summarize the article")
    assert answer.found and server.requests == []
    assert answer.quotes[0].text == lede
    streamed = list(chain.stream("Summarize the article"))
    assert streamed[-1].quotes == answer.quotes and server.requests == []


# --------------------------------------------------------------------------- streaming through the chain


def _tokens(text: str, size: int = 4) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _collect(chain: AnswerChain, question: str):
    deltas, stamps, final = [], [], None
    started = time.monotonic()
    for item in chain.stream(question):
        if isinstance(item, str):
            deltas.append(item)
            stamps.append(time.monotonic() - started)
        else:
            final = item
    return deltas, stamps, time.monotonic() - started, final


def test_stream_shows_text_before_the_model_has_finished(kb, server) -> None:
    chain = _chain(kb, server)
    question = "엑사원 딥은 수능 수학에서 몇 점을 받았나?"
    server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
    chain.ask(question)
    sid = _sentence_ids(server, "94.5점")
    text = "엑사원 딥은 2025학년도 수능 수학영역에서 94.5점을 기록했습니다. 이는 상위권 성적입니다."
    reply = json.dumps({"answer": text, "found": True, "citations": [sid]}, ensure_ascii=False)
    server.push(("tokens", _tokens(reply), 0.04))
    deltas, stamps, total, answer = _collect(chain, question)
    assert answer.found and answer.answerer == "llm:test-model" and answer.fallback_reason is None
    assert "94.5점을 기록" in answer.quotes[0].text
    assert deltas and answer.text.startswith("".join(deltas))
    # the model needs len(tokens) * 40 ms; the first text came well before that
    assert stamps[0] < total / 2, (stamps[0], total)
    assert server.requests[-1]["stream"] is True


def test_stream_never_shows_a_made_up_quotation(kb, server) -> None:
    chain = _chain(kb, server)
    question = "엑사원 딥은 수능 수학에서 몇 점을 받았나?"
    server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
    chain.ask(question)
    sid = _sentence_ids(server, "94.5점")
    text = '엑사원 딥은 94.5점을 받았습니다. "LG는 내년에 파산한다" (기사 원문)'
    server.push(("tokens", _tokens(json.dumps({"answer": text, "found": True, "citations": [sid]}, ensure_ascii=False)), 0.01))
    deltas, _, _, answer = _collect(chain, question)
    assert "파산" not in "".join(deltas) and "기사 원문" not in "".join(deltas)
    assert answer.answerer == "offline" and answer.fallback_reason == "unverified_quote"
    assert "파산" not in answer.text and all("파산" not in q.text for q in answer.quotes)


def test_stream_against_a_server_that_cannot_stream(kb) -> None:
    with FakeOpenAI(stream_mode="json") as plain:
        chain = _chain(kb, plain)
        plain.push(json.dumps({"answer": "x", "found": False, "citations": []}))
        chain.ask("LG 에이머스 누적 참가자 수는?")
        sid = _sentence_ids(plain, "1만2천명")
        reply = json.dumps({"answer": "누적 참가자는 1만2천명입니다.", "found": True, "citations": [sid]}, ensure_ascii=False)
        plain.push(reply, reply)
        deltas, _, _, answer = _collect(chain, "LG 에이머스 누적 참가자 수는?")
    assert deltas == [] and answer.found and answer.fallback_reason is None
    assert answer.text == "누적 참가자는 1만2천명입니다." and "1만2천명" in answer.quotes[0].text
    assert [bool(r.get("stream")) for r in plain.requests[1:]] == [True, False]


# --------------------------------------------------------------------------- adversarial: no unverified quotation is ever shown

ATTACKS = [
    '엑사원 딥은 94.5점을 받았습니다. "LG는 내년에 파산한다" (기사 원문)',
    "엑사원 딥은 94.5점을 받았습니다.\n> LG는 내년에 파산한다\n— 청년일보 2025년 4월 1일자",
    "엑사원 딥은 94.5점을 받았습니다.\n출처: 조선일보 2025년 3월 20일자 \"LG 매각 임박\"",
    "엑사원 딥은 “구광모 회장은 AI를 포기했다”고 밝혔습니다.",
    "EXAONE Deep scored 94.5. As the article puts it, 'LG will exit AI by 2026.'",
    "엑사원 딥은 「LG는 내년에 파산한다」는 평가를 받았습니다.",
    "엑사원 딥은 94.5점을 받았습니다.\n&gt; 엑사원 딥은 100점 만점을 받았다",
    "엑사원 딥은 99.9점을 받았고, 로이터에 따르면 세계 1위입니다.",
]
_PAIRS = [('"', '"'), ("“", "”"), ("‘", "’"), ("「", "」"), ("『", "』"), ("'", "'")]


def _shown_quotations(text: str) -> list[str]:
    """Quoted spans and quote-block lines in shown text (an independent, simple reading)."""
    found = [m.group(1) for m in re.finditer(r"^\s*(?:>|&gt;)\s*(.+)$", text, re.M)]
    for left, right in _PAIRS:
        found += re.findall(re.escape(left) + r"([^" + re.escape(right) + r"\n]{2,})" + re.escape(right), text)
    return [q.strip(" .,") for q in found]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_unverified_quotation_is_shown_streamed_or_final(kb, server, attack: str) -> None:
    chain = _chain(kb, server)
    question = "엑사원 딥은 수능 수학에서 몇 점을 받았나?"
    server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
    chain.ask(question)
    sid = _sentence_ids(server, "94.5점")
    server.push(("tokens", _tokens(json.dumps({"answer": attack, "found": True, "citations": [sid]}, ensure_ascii=False)), 0.0))
    deltas, _, _, answer = _collect(chain, question)
    article = "\n".join(d.text for d in kb.documents)
    shown = ["".join(deltas), answer.text]
    # a title cut short ("…") is the article's words up to the cut
    unverified = [q for text in shown for q in _shown_quotations(text) if q.rstrip("…") not in article]
    assert unverified == [], (attack, shown)
    for bad in ("파산", "포기", "매각", "exit AI", "100점", "99.9", "로이터"):
        assert all(bad not in text for text in shown), (bad, shown)
    assert answer.quotes and all(kb.source_text(q.source)[q.start : q.end] == q.text for q in answer.quotes)


def test_the_article_outlet_and_byline_count_as_named_sources(kb, server) -> None:
    """'청년일보에 따르면' is fine when a sentence of that article is cited (outlet from the document)."""
    chain = _chain(kb, server)
    question = "엑사원 딥은 수능 수학에서 몇 점을 받았나?"
    server.push(json.dumps({"answer": "x", "found": False, "citations": []}))
    chain.ask(question)
    sid = _sentence_ids(server, "94.5점")
    doc = kb.documents[0]
    assert doc.outlet
    server.push(json.dumps({"answer": f"{doc.outlet}에 따르면 엑사원 딥은 94.5점을 기록했습니다.", "found": True,
                            "citations": [sid]}, ensure_ascii=False))
    answer = chain.ask(question)
    assert answer.fallback_reason is None and answer.answerer == "llm:test-model"
    assert answer.text.startswith(doc.outlet)
