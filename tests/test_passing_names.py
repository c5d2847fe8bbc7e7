"""Names that stand for a thing, and things an article mentions only in passing.

A company is asked by the first word of its name ("Moa" for Moa Robotics) when the articles never write that
word alone; a figure asked of a second product is not read off a paragraph about the first; a baseline in
brackets ("전년(50억 원)보다") is not the answer; and a measure with its own unit (a model's size) may come
from another article when the question names nothing."""
from __future__ import annotations

import pytest


HAEDAM = """# 물류 로봇 스타트업 오다로보틱스, 차세대 로봇 '오다카트 K2' 공개

물류 로봇 스타트업 오다로보틱스(Oda Robotics)가 차세대 자율주행 물류로봇 '오다카트 K2'를 공개했다.

오다카트 K2는 2021년 출시된 전작 오다카트 K1의 후속 모델이다. 새 모델에는 회사가 자체 개발한 50억 개 매개변수 규모의 비전-언어 모델이 탑재됐다. 주행 속도는 초속 1m에서 1.6m로 빨라졌다.

함께 공개한 피킹 로봇 팔 '오다암(OdaArm)'은 상품 집기 정확도 98.7%를 기록했다.

지난해 매출은 120억 원으로 전년(50억 원)보다 두 배 넘게 늘었다.

최고운영책임자(COO)는 "올해 하반기 일본 오사카에 첫 해외 거점을 열 계획"이라고 밝혔다.

오다로보틱스는 2019년 로봇공학 박사 출신 대표가 세웠다. 현재 임직원은 160명이며, 이 중 90명이 소프트웨어 개발자다.

오다로보틱스의 로봇은 현재 국내 물류센터 40곳에서 900대가 운영되고 있다. 회사는 2027년까지 누적 보급 대수를 3,000대로 늘린다는 목표를 세웠다.

업계에 따르면 국내 물류로봇 시장은 2023년 약 5,000억 원에서 2030년 2조 원 규모로 성장할 전망이다. 다만 대형 유통사들이 자체 로봇을 개발하고 있어 경쟁은 더 치열해질 것으로 보인다.

회사는 2026년 말 유가증권시장 상장을 목표로 하고 있다.
"""

TERNION = """# Chip startup Ternion ships its T2 inference card

SEOUL, Sept. 24 (Pacific Ledger) - Ternion, a Korean designer of AI inference chips, began shipping its T2 card on Wednesday.

Ternion says the T2 delivers 2.5 times the performance per watt of the T1.

It has signed supply agreements with nine customers, including Oda Robotics, a Korean warehouse-robot maker that uses T1 chips to run its vision models.

The company now employs 180 people.

Chief executive Dana Reyes said the money would pay for a second design centre in Daejeon.

Analyst Mira Holt at Kestan Research said Ternion's edge lies in its compiler, which ports models in days.

The T2 is built on a 5-nanometer process and succeeds the T1, a 7-nanometer chip launched in 2023.

Ternion will sell the T2 card for about $8,000, roughly a third of the price of a comparable GPU.

Revenue reached 21 billion won last year, most of it from T1 evaluation boards.

The company has booked 3,000 wafer starts for 2026 at a foundry partner it declined to name.

South Korea's government has pledged 1.2 trillion won over five years to support domestic AI chip designers.

Ternion plans to open an office in Tokyo next year.
"""


@pytest.fixture(scope="module")
def chain(chain_over):
    return chain_over({"oda.md": HAEDAM, "ternion.md": TERNION})


def test_a_names_first_word_names_it_when_never_written_alone(chain) -> None:
    assert "oda robotics" in chain.kb.retriever.prepare("Where is Oda setting up its first foothold abroad?").entities
    answer = chain.ask("Where is Oda setting up its first foothold abroad?")
    assert answer.quotes and answer.quotes[0].source == "oda.md" and "오사카" in answer.quotes[0].text


def test_a_figure_of_a_thing_mentioned_in_passing_is_not_read_off_another_things_paragraph(chain) -> None:
    answer = chain.ask("How many parameters does the OdaArm picking arm have?")
    assert not answer.found


def test_a_baseline_in_brackets_is_not_the_answer_and_top_line_is_revenue(chain) -> None:
    answer = chain.ask("What was the top line at Oda Robotics last year?")
    assert answer.found and "12 billion won" in answer.text and "5 billion" not in answer.text


def test_power_efficiency_is_performance_per_watt() -> None:
    from knowledge.lexical import analyse

    forms = {f for u in analyse("How much more power-efficient is the new chip than its predecessor?") for f in u.forms}
    assert {"performance per watt", "전력 효율"} <= forms


def test_a_model_size_asked_without_names_may_come_from_another_article(chain) -> None:
    answer = chain.ask("How big is the vision-language model running on the new warehouse robot?")
    assert answer.found and answer.quotes[0].source == "oda.md" and "50억" in answer.quotes[0].text


def test_throughput_is_queries_per_second_and_deployment_is_installation() -> None:
    from knowledge.lexical import analyse

    forms = {f for u in analyse("Throughput of T2 vs T1, and how long does on-site deployment take?") for f in u.forms}
    assert {"queries per second", "처리량", "설치"} <= forms


def test_who_holds_a_role_at_a_firm_mentioned_in_passing_is_not_read_off_another_firms_sentence(chain) -> None:
    # The only chief executive named is Ternion's; Kestan Research is quoted once, its head never named.
    assert not chain.ask("Who is the CEO of Kestan Research?").found
    assert chain.ask("Who is the chief executive of Ternion?").found


INSTITUTE = """# 한솔그룹, AI 싱크탱크 '한솔AI연구원' 인력 400명으로 확대

한솔그룹이 2021년 세운 한솔AI연구원의 인력을 400명 규모로 늘렸다고 3일 밝혔다.

한솔AI연구원은 그룹의 언어모델과 신약 후보 물질 탐색 AI를 개발한다.

한솔그룹 관계자는 "설립 당시 인원은 50여명이었고 현재는 약 400명 규모"라면서 "대다수가 석·박사이며 해외 대학 출신도 많다"고 밝혔다.

한솔AI연구원은 올해 언어모델 '한솔-LM 2'를 공개할 계획이다.

한솔AI연구원은 서울 마곡과 미국 보스턴에 연구 거점을 두고 있다.

연구원장은 김도윤 박사가 맡고 있다.
"""

CAMP = """# 별빛 청년 AI 캠프 3기 마무리…수료생 420명

별빛재단의 청년 AI 교육 프로그램 '별빛 AI 캠프'가 3기 수료식을 열었다.

캠프는 6개월 동안 온라인 강의와 실전 과제를 제공한다.

지원 자격은 만 19세부터 29세까지의 청년으로, 코딩 능력만 있으면 학력이나 전공은 묻지 않는다.

수료생 가운데 우수자 30명은 협력사 채용 때 서류 전형을 면제받는다.

3기 시상식은 11월 서울 마곡의 한솔AI연구원에서 열린다.

캠프의 누적 수료생은 1천100명이다.

내년 4기 모집은 3월에 시작된다.

캠프 운영 예산은 연간 25억 원이다.

참가자 만족도는 5점 만점에 4.5점이었다.

우수 과제는 협력 기업의 사업부에 실제로 적용된다.
"""


def test_a_question_about_a_thing_goes_to_the_article_about_it(chain_over) -> None:
    # The camp article mentions the institute once, in a paragraph about applicants; the institute's own article
    # says what its researchers studied.
    chain = chain_over({"institute.md": INSTITUTE, "camp.md": CAMP})
    answer = chain.ask("한솔AI연구원 연구원들의 학력은?")
    assert answer.quotes and answer.quotes[0].source == "institute.md" and "석·박사" in answer.quotes[0].text
    # The rule itself: the camp's sentence first, the institute's close behind, as ranked on a larger corpus.
    from knowledge.models import Passage

    retriever = chain.kb.retriever
    question = retriever.prepare("한솔AI연구원 연구원들의 학력은?")
    camp = next(s for s in retriever.sentences if "학력이나 전공" in s.text)
    institute = next(s for s in retriever.sentences if "석·박사" in s.text)
    ranked = [Passage(sentence=camp, score=0.6, dense=0.8, lexical=1.0, rank=1, features={"coverage": 1.0}),
              Passage(sentence=institute, score=0.34, dense=0.7, lexical=1.0, rank=2, features={"coverage": 1.0})]
    assert retriever._prefer_article_about(question, ranked)[0].sentence is institute


def test_an_article_that_never_names_the_asked_thing_mentions_it_not_even_in_passing(chain) -> None:
    # "How many people work at Ternion?" is not answered by the Oda article's head count, which never names Ternion;
    # a model size taken for a name ("8B") is no thing of its own.
    retriever = chain.kb.retriever
    staff = next(s for s in retriever.sentences if "임직원은 160명" in s.text)
    assert retriever._minor_names(retriever.prepare("How many people work at Ternion?"), staff) == ["ternion"]
    assert retriever._minor_names(retriever.prepare("How fast does the T2 run an 8B model?"), staff) == ["t2"] or \
        "8b" not in retriever._minor_names(retriever.prepare("How fast does the T2 run an 8B model?"), staff)
