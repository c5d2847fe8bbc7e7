"""Multi-part questions: each part is answered by its own sentence, and the best sentence answers the part
it fits best, not always the first."""
from __future__ import annotations

import pytest


ARTICLE = """# 별가람헬스, 안저 판독 AI '아이가드 3' 출시

[서울=헬스오늘] 최다온 기자 = 의료 AI 기업 별가람헬스가 안저 사진 판독 AI '아이가드 3'를 출시했다고 3일 밝혔다.

아이가드 3는 당뇨망막병증 검출 민감도가 96.1%로, 전작보다 3.4%포인트 높아졌다.

별가람헬스는 2019년 안과 전문의 출신 윤서진 대표가 세웠다.

창업 당시 5명이던 임직원은 현재 약 210명으로 늘었고, 이 가운데 절반이 연구개발 인력이다.

회사는 올해 AI 엔지니어와 임상 전문가 등 80명을 새로 뽑을 계획이다.

지난해 미국 샌디에이고에 첫 해외 법인을 세웠고, 현지 인력은 12명이다.

별가람헬스는 올해 2월 시리즈B 투자에서 300억 원을 유치했다.

아이가드 3는 국내 안과 병원 140곳이 쓰고 있으며, 다문화 환자 1천200명이 9개 언어로 검사 안내를 받는다.
"""


@pytest.fixture(scope="module")
def chain(chain_over):
    return chain_over({"byeolgaram.md": ARTICLE})


def test_best_sentence_answering_the_second_part_leaves_the_first_its_own(chain) -> None:
    # The hiring sentence fits "how many are they hiring" best; the headcount must still be quoted.
    answer = chain.ask("How many people work at Byeolgaram Health now, and how many are they hiring this year?")
    quoted = " ".join(q.text for q in answer.quotes)
    assert answer.found
    assert "80명을 새로 뽑을" in quoted
    assert "210명" in quoted


def test_one_sentence_answering_both_parts_is_not_replaced(chain) -> None:
    # "1천200명이 9개 언어로" answers both parts: no other sentence of people takes its place.
    answer = chain.ask("How many multicultural patients get exam guidance from EyeGuard 3, and in how many languages?")
    assert answer.found
    assert "1천200명이 9개 언어로" in answer.quotes[0].text


def test_two_metrics_joined_are_asked_one_by_one() -> None:
    from knowledge.question import question_parts

    assert question_parts("코어브릿지 작년 매출이랑 영업손실 얼마야?") == ("코어브릿지 작년 매출 얼마야?", "코어브릿지 작년 영업손실 얼마야?")
    assert len(question_parts("What were revenue and net profit last year?")) == 2
    # Two words of one metric are one question.
    assert question_parts("가격과 요금 차이") == ("가격과 요금 차이",)
