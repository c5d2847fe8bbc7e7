"""Answers that state figures as the articles give them.

Two articles may give one figure at different dates (a running total in March, another in October): the
answer states the best one and says what the other article gives, quoting both. A figure of another thing
(a different programme's total) is never offered as a rival."""
from __future__ import annotations


import pytest

from knowledge.locale.ko import particle_ro

MARCH = """# 한솔그룹, AI 인재 양성 '해온 아카데미' 확대

【 미래경제 】 한솔그룹이 청년 AI 인재 양성 프로그램 '해온 아카데미'를 키우고 있다.

해온 아카데미는 2022년 문을 연 무료 교육 과정으로, 대학생과 취업 준비생이 6개월 동안 AI 실무를 배운다.

해온 아카데미의 누적 수료생은 3기까지 2천400명을 넘어섰다.

한솔그룹은 올해 교육 예산으로 45억 원을 배정했다.
"""

OCTOBER = """# 해온 아카데미 5기 수료식…"수료생 절반이 AI 직무로"

[서울=테크오늘] 김하늘 기자 = 한솔그룹의 청년 AI 교육 프로그램 '해온 아카데미'가 5기 수료식을 열었다.

이번 5기에는 지원자 4천명 가운데 620명이 선발됐다.

해온 아카데미는 2022년 1기를 시작한 이래 5기까지 누적 수료생 3천100명을 배출했다.

수료생의 52%는 AI 관련 직무로 취업했다.
"""

CAMP = """# 별빛시, 청소년 코딩 캠프 '별빛 캠프' 3년째

【 지역일보 】 별빛시가 운영하는 청소년 코딩 캠프 '별빛 캠프'가 올해로 3년째를 맞았다.

별빛 캠프의 누적 수료생은 900명이다.

캠프는 매년 여름 2주 동안 열린다.

온라인 접수를 도입한 뒤 캠프 신청 대기 시간은 평균 42분에서 9분으로 줄었고, 참가자 만족도도 21% 높아졌다.
"""


@pytest.fixture(scope="module")
def chain(chain_over):
    return chain_over({"haeon-march.md": MARCH, "haeon-october.md": OCTOBER, "camp.md": CAMP})


def test_another_articles_figure_for_the_same_total_is_shown_and_quoted(chain) -> None:
    answer = chain.ask("해온 아카데미 누적 수료생은 몇 명이야?")
    assert answer.found
    figures = {"2천400명", "3천100명"}
    assert all(f in answer.text for f in figures), answer.text
    # Both sentences are quoted, each from its own article, and the answer names the second article.
    assert {q.source for q in answer.quotes[:2]} == {"haeon-march.md", "haeon-october.md"}
    second = answer.quotes[1]
    assert second.label in answer.text and answer.text.index(second.label) > answer.text.index("다만")
    english = chain.ask("How many graduates has the Haeon Academy had in total?")
    assert english.found and "Another article gives" in english.text, english.text
    assert "2,400" in english.text and "3,100" in english.text, english.text


def test_a_total_of_another_programme_is_no_rival(chain) -> None:
    answer = chain.ask("별빛 캠프 누적 수료생은 몇 명이야?")
    assert answer.found and "900명" in answer.text
    assert "다만" not in answer.text and {q.source for q in answer.quotes} == {"camp.md"}, answer.text


def test_a_figure_only_one_article_gives_has_no_rival(chain) -> None:
    answer = chain.ask("해온 아카데미 5기 수료생 중 AI 직무로 취업한 비율은?")
    assert answer.found and "52%" in answer.text and "다만" not in answer.text, answer.text


def test_the_particle_after_a_figure_follows_its_last_sound() -> None:
    assert [particle_ro(w) for w in ("1만2천명", "5개", "94.5%", "3", "7", "GPT")] == ["으로", "로", "로", "으로", "로", "(으)로"]


def test_a_change_is_stated_from_one_figure_to_the_other(chain) -> None:
    # The 21% is another measure of the same sentence; the question's words sit next to the change.
    answer = chain.ask("별빛 캠프 신청 대기 시간은 얼마나 줄었어?")
    assert answer.found and answer.text.startswith("42분에서 9분으로 바뀌었습니다."), answer.text
    english = chain.ask("How much did the application wait time for the Byeolbit camp drop?")
    assert english.found and "from 42 minutes to 9 minutes" in english.text, english.text
    assert chain.ask("별빛 캠프 참가자 만족도는 얼마나 높아졌어?").text.startswith("21%"), "a share asked is still the share"
