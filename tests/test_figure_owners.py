"""Whose figure is it: names that do not own the figures near them, and units and words read the same way
in both languages."""
from __future__ import annotations

from dataclasses import replace

from knowledge.numbers import figures_with_units, unknown_figures
from knowledge.question import asks_amount, read_question
from knowledge.scoping import compared, tied_figures


def _asked(text: str, entities: tuple[str, ...], versions: tuple[str, ...] = ()):
    return replace(read_question(text, len(text) + 1), entities=entities, versions=versions)


def test_a_funding_round_a_weekday_or_a_party_after_the_sum_does_not_own_it() -> None:
    sentence = ("Aurelian Robotics, a Dutch maker of AI-driven warehouse robots, said on Tuesday it had raised €420 million "
                "in a Series D round led by Lisbon-based fund Atlantico Growth Partners.")
    question = _asked("How much did Aurelian Robotics raise?", ("aurelian robotics",))
    names = ("aurelian robotics", "tuesday", "series d", "atlantico growth partners")
    assert [v for v, *_ in tied_figures(question, sentence, names)] == [420e6]
    # Asked by its round, the round still owns its sum.
    by_round = _asked("시리즈D로 얼마 받았어?", ("series d",))
    assert [v for v, *_ in tied_figures(by_round, "It had raised $650 million in a Series D round led by Northgate Capital.",
                                        ("series d", "northgate capital"))] == [650e6]


def test_a_version_named_only_as_what_is_compared_with_is_not_the_subject() -> None:
    sentence = ("its successor, the strider s2, went on sale in january and can lift up to 35 kilograms while "
                            "running for 11 hours, compared with seven hours for the s1")
    assert compared(sentence, "s1") and not compared(sentence, "s2")
    assert compared("판매 가격은 대당 4,500만 원으로, m1(3,800만 원)보다 700만 원 비싸다.", "m1")


def test_units_and_prices_read_in_either_language() -> None:
    assert [(v, k) for v, _, _, k in figures_with_units("could lift up to 20 kilograms, a 1.8메가와트(MW)급 crane")] == [
        (20.0, "weight"), (1.8, "power")]
    assert read_question("크레인에는 몇 MW급 전력 설비가 들어가?", 100).wants == ("power",)
    ipo = read_question("나스닥 상장 공모가 얼마였어?", 100)
    assert ipo.wants[:1] == ("money",) and asks_amount(ipo.folded, ipo.asks)


def test_a_decimal_version_after_a_name_is_no_unknown_figure() -> None:
    # "누리 2.0 매개변수는 몇 개": 2.0 is the model's version, not a parameter count of 2.
    assert unknown_figures("누리 2.0 매개변수는 몇 개고 문맥 길이는?", frozenset({2.0}), frozenset()) == []


def test_two_metrics_asked_together_need_one_in_the_sentence() -> None:
    from knowledge.gate import metric_missing
    from knowledge.lexical import analyse
    from knowledge.models import Passage, Sentence

    question = read_question("코어브릿지 작년 매출이랑 영업손실 얼마야?", 100)
    question = replace(question, units=tuple(analyse(question.text)))
    loss = Sentence(text="다만 영업손실은 지난해 198억 원으로 아직 흑자 전환에는 이르지 못했다.", source="a.md", start=0, end=40,
                    paragraph=1, title="", index=0)
    assert metric_missing(question, Passage(sentence=loss, score=1.0, dense=1.0, lexical=1.0, rank=1)) == 0.0


def test_general_vocabulary_of_accuracy_founding_funding_and_ports() -> None:
    from knowledge.lexical import analyse

    def forms(text: str) -> set[str]:
        return {f for u in analyse(text) for f in u.forms}

    assert "correctly" in forms("피킹 정확도 몇 퍼임?")
    assert "설립" in forms("LG AI연구원 처음 만들 때 몇 명이었어?")
    assert "국비" in forms("How is the budget split between state money and its own coffers?")
    assert "선석" in forms("How long do ships wait for a berth?")


def test_a_question_word_inside_a_verb_phrase_does_not_split_it_and_no_ending_is_left_over() -> None:
    from knowledge.lexical import analyse

    labels = [u.label for u in analyse("오린반도체 이번에 투자 얼마 받았어?")]
    assert "투자 받" in labels and "았어" not in labels
    assert "raised" in next(u.forms for u in analyse("투자 얼마 받았어?") if u.label == "투자 받")


def test_a_subscription_price_is_the_price_asked_and_a_version_may_be_named_by_its_number() -> None:
    from knowledge.gate import metric_missing
    from knowledge.lexical import analyse
    from knowledge.models import Passage, Sentence
    from knowledge.retrieval import _names_version

    question = read_question("What does the Lite edition cost?", 100)
    question = replace(question, units=tuple(analyse(question.text)))
    lite = Sentence(text="의원급을 겨냥한 라이트 에디션은 월 39만 원 구독형이며, 하루 판독 건수가 300건으로 제한된다.", source="a.md",
                    start=0, end=50, paragraph=1, title="", index=0)
    assert metric_missing(question, Passage(sentence=lite, score=1.0, dense=1.0, lexical=1.0, rank=1)) == 0.0
    assert _names_version("윈드캐스트 4.0", "오차율은 3.2 버전의 6.9%에서 4.0 버전 4.3%로 낮아졌다.")
    assert not _names_version("윈드캐스트 4.0", "오차율은 3.2 버전의 6.9%에서 4.3%로 낮아졌다.")
    assert "품목" in {f for u in analyse("How many SKUs can it identify?") for f in u.forms}


def test_hangul_loanword_spellings_of_english_names() -> None:
    # ㄹㄹ is ll (탈리 talli); Hangul writes a y after a consonant as i, a soft g as j and drops an r before a consonant.
    from knowledge.translit import romanize, same_name

    assert romanize("탈리") == "talli" and romanize("달러") == "dalleo"
    assert same_name("tallyforge", "탈리포지") and same_name("kawabe", "가와베")
    assert not same_name("go", "고") and not same_name("nuri", "너른")


def test_vocabulary_of_turnaround_forecast_error_and_fees() -> None:
    from knowledge.lexical import analyse

    def forms(text: str) -> set[str]:
        return {f for u in analyse(text) for f in u.forms}

    assert "걸리는 시간" in forms("does the new reader cut turnaround per scan?")
    assert "오차율" in forms("What is the day-ahead forecast error?")
    assert "수수료" in forms("What does the Trading plan charge?")
