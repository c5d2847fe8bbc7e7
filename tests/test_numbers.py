"""Figures as values: Korean and English scales, thresholds, figures the article lacks."""
from __future__ import annotations

import pytest

from knowledge.numbers import figures, figures_with_units, kinded_values, unknown_figures, values

ARTICLE = ["누적 참가자는 5기까지 1만2천명을 넘어섰다.", "320억개 매개변수의 '엑사원 딥-32B', 경량 모델 '7.8B'",
           "딥시크 R1(6710억 개 매개변수)의 5% 수준", "2025학년도 수능 수학영역에서 94.5점"]
KNOWN = values(ARTICLE)


def test_a_thousands_group_before_eok_or_man_is_scaled_by_it() -> None:
    # 1천200억 is (1천 + 200)억, not 1천 and 200억; the same for 만 and after a larger unit (2조1천500억).
    assert [v for v, _, _ in figures("1천200억 원, 6천500억 원, 2조1천500억 원, 3천5백만 원, 2억1천300만 원, 4천860명")] == [
        1.2e11, 6.5e11, 2.15e12, 3.5e7, 2.13e8, 4860]
    assert [(v, k) for v, _, _, k in figures_with_units("1천200억 원 규모의 시리즈B")] == [(1.2e11, "money"), (2.0, "round")]
    from knowledge.offline import english_figure

    assert english_figure(1.2e11, "1천200억 원", "money") == "120 billion won"


def test_korean_compounds_and_scales_become_values() -> None:
    assert [v for v, _, _ in figures("5기까지 1만2천명, 1만 2천, 320억개, 6710억 개, 94.5점")] == [
        5, 12000, 12000, 32e9, 671e9, 94.5]
    assert [v for v, _, _ in figures("12,000 people, 12k, 32B, 7.8 billion, 3 million")] == [
        12000, 12000, 32e9, 7.8e9, 3e6]


@pytest.mark.parametrize("question, unknown", [
    ("LG 에이머스 6기 모집은 언제야?", ["6"]),
    ("엑사원 3.5 성능은?", ["3.5"]),
    ("How many participants were there in 2023?", ["2023"]),
    ("Has LG Aimers passed 12,000 participants?", []),
    ("1만 2천명 맞아?", []),
    ("Is the 32B model 32 billion parameters?", []),
    ("딥시크 R1은 6710억개야?", []),
    ("671 billion parameters for R1?", []),
    ("Did it score over 90 points?", []),  # a threshold, not a claim
    ("80점 이상이야?", []),
    ("@U024BE7LH 가 물어본 엑사원 딥 점수, GPT-4o 말고", []),  # ids and model names are not figures
    ("엑사원3.5는?", ["3.5"]),
])
def test_unknown_figures(question: str, unknown: list[str]) -> None:
    assert unknown_figures(question, KNOWN) == unknown


KINDED_ARTICLE = ["2022년 8월 1기를 모집한 뒤 7기까지 이어졌다.", "스냅드래곤 8 칩과 엑시노스 2400이 들어갔다.",
                  "수능 수학에서 94.5점을 받았고 300명이 일한다."]


@pytest.mark.parametrize("question, unknown", [
    ("8기 해커톤 주제는?", ["8"]),  # 8 is stated, but as a month and a chip name, never as a cohort
    ("7기 참가자는?", []),
    ("7th cohort size?", []),
    ("94.5 points on the math test?", []),
    ("Did it score 300점?", ["300"]),  # 300 is a head count, not a score
    ("300 researchers?", []),
    ("8월에 모집했어?", []),  # dates keep the loose check
])
def test_a_figure_of_a_strict_kind_must_be_stated_with_that_kind(question: str, unknown: list[str]) -> None:
    known = values(KINDED_ARTICLE)
    assert unknown_figures(question, known, kinded_values(KINDED_ARTICLE)) == unknown
    assert unknown_figures(question, known) == []  # without kinds every one of them passes


@pytest.mark.parametrize("korean, english", [
    ("2025년 3월 12일", "March 12, 2025"),
    ("2025년 3월", "March 2025"),
    ("3월 12일", "March 12"),
    ("13일", "the 13th"),
    ("2025학년도", "the 2025 school year"),
    ("2024년", "2024"),
])
def test_korean_dates_in_english_answers(korean: str, english: str) -> None:
    from knowledge.offline import english_date

    assert english_date(korean) == english


def test_an_answered_date_is_the_whole_date_written_together() -> None:
    from knowledge.offline import answer_figures
    from knowledge.question import read_question

    sentence = "착공식은 2025년 3월 12일 오창 부지에서 열렸고, 회사는 13일 이를 밝혔다."
    figures = answer_figures(read_question("착공식은 언제 열렸어?", 2000), sentence)
    assert [text for _, text, _ in figures] == ["2025년 3월 12일"]


def test_an_english_ordinal_cohort_is_the_korean_cohort_figure() -> None:
    from knowledge.numbers import figures_with_units, kinded_values, unknown_figures, values

    article = ["The fourth cohort drew 3,140 applicants for 120 places."]
    assert (4.0, 4, 17, "cohort") in figures_with_units(article[0])
    # "4기" asked of an English article that writes "the fourth cohort" is a stated figure; "5기" is not.
    assert unknown_figures("Fellows 4기 지원자 수는?", values(article), kinded_values(article)) == []
    assert unknown_figures("Fellows 5기 지원자 수는?", values(article), kinded_values(article)) == ["5"]


@pytest.mark.parametrize("text, value, span, kind", [
    ("매출은 128억원으로 늘었다", 128e8, "128억원", "money"),  # 원 before 으로
    ("모두 6천여만원이 지급됐다", 6e7, "6천여만원", "money"),  # 여 ("some") inside a Korean numeral
    ("100달러까지 오른다", 100.0, "100달러", "money"),
    ("12개국에서 쓴다", 12.0, "12개국", "count"),
])
def test_korean_amounts_with_particles_keep_their_unit(text: str, value: float, span: str, kind: str) -> None:
    from knowledge.numbers import figures_with_units

    (found, start, end, got_kind), = figures_with_units(text)
    assert (found, text[start:end], got_kind) == (value, span, kind)


def test_counters_before_particles_and_english_plurals_are_counts() -> None:
    from knowledge.numbers import figures_with_units

    assert [(v, k) for v, _, _, k in figures_with_units("로봇을 연간 1천500대까지 만든다")] == [(1500.0, "count")]
    assert [(v, k) for v, _, _, k in figures_with_units("training took 3,800 GPUs and 41 days")] == [
        (3800.0, "count"), (41.0, "duration")]
    # A year before a noun is still a year, and a number after a name is its version, not a count.
    assert [k for *_, k in figures_with_units("in 2025 sales rose 3 percent")] == ["date", "percent"]
    assert [k for *_, k in figures_with_units("unlike 1.0, ixi-O 2.0 handles all calls")] == ["", ""]
    assert [k for *_, k in figures_with_units("대기 5대를 놓았다")] == ["count"]


def test_stages_and_generations_are_a_strict_kind_of_their_own() -> None:
    from knowledge.numbers import figures_with_units, unknown_figures

    text = "누리 1단계 성과 보고회를 열고 2단계 사업 계획을 발표했다. 2차 사업은 3세대 모델로 간다."
    assert [(v, k) for v, _, _, k in figures_with_units(text)] == [
        (1.0, "phase"), (2.0, "phase"), (2.0, "phase"), (3.0, "phase")]
    assert [(v, k) for v, _, _, k in figures_with_units("the first phase and second-generation robots, phase 3")] == [
        (1.0, "phase"), (2.0, "phase"), (3.0, "phase")]
    known = {v for v, *_ in figures_with_units(text)}
    kinded = frozenset((v, k) for v, _, _, k in figures_with_units(text))
    assert unknown_figures("누리 3단계 예산은?", frozenset(known), kinded) == []  # 3 is stated, as 3세대
    assert unknown_figures("누리 4단계 예산은?", frozenset(known), kinded) == ["4"]


def test_an_english_cohort_before_its_number_is_a_cohort() -> None:
    from knowledge.numbers import figures_with_units, unknown_figures

    text = "Cohort 4 had 64 participants. The fifth intake starts in May."
    assert [(v, k) for v, _, _, k in figures_with_units(text)][:2] == [(4.0, "cohort"), (64.0, "people")]
    kinded = frozenset((v, k) for v, _, _, k in figures_with_units(text))
    known = frozenset(v for v, *_ in figures_with_units(text))
    assert unknown_figures("아카데미 4기는 몇 명이었어?", known, kinded) == []  # 4기 is "Cohort 4"
    assert (5.0, "cohort") in kinded  # "the fifth intake"


def test_english_places_in_a_ranking_are_ranks() -> None:
    from knowledge.numbers import figures_with_units

    def ranks(text: str) -> set[float]:
        return {v for v, *_, kind in figures_with_units(text) if kind == "rank"}

    assert ranks("Which team took second place?") == ranks("the runner-up") == ranks("it came second of 17") == {2.0}
    assert ranks("the 3rd-place team") == ranks("Zeta ranked third among 42 labs") == {3.0}
    assert ranks("2위에 올랐다") == {2.0} and ranks("in the second round") == set()


def test_a_competition_rate_is_a_ratio_and_asked_as_one() -> None:
    from knowledge.numbers import figures_with_units
    from knowledge.question import read_question

    def ratios(text: str) -> list[float]:
        return [v for v, *_, kind in figures_with_units(text) if kind == "ratio"]

    assert ratios("약 25대 1의 경쟁률을 뚫었다") == [25.0] and ratios("a ratio of about 26 to 1") == [26.0]
    assert ratios("정확도 25%") == []
    assert read_question("2기 경쟁률은?", 2000).wants == ("ratio",)
    assert read_question("How competitive was admission?", 2000).wants == ("ratio",)
    assert read_question("성공률은 얼마야?", 2000).wants[:1] != ("ratio",)
    assert "percent" not in read_question("How do firms train the shared model?", 2000).wants


def test_an_age_is_a_kind_of_its_own_and_asked_as_one() -> None:
    from knowledge.numbers import figures_with_units
    from knowledge.question import read_question

    def ages(text: str) -> list[float]:
        return [v for v, *_, kind in figures_with_units(text) if kind == "age"]

    assert ages("만 34세 이하 청년") == [34.0] and ages("그는 54세다") == [54.0] and ages("a 54-year-old engineer") == [54.0]
    assert ages("2세대 모델") == [] and ages("세계 1위") == []
    assert read_question("대표는 올해 몇 살이야?", 2000).wants == ("age",)
    assert read_question("How old is the CEO?", 2000).wants == ("age",)


@pytest.mark.parametrize("text, expected", [
    ("after more than three years of development", [(3.0, "three years", "duration")]),
    ("plans to buy the rest within three years; the layer", [(3.0, "three years", "duration")]),
    ("a three-year partnership and a 14-month trial", [(3.0, "three-year", "duration"), (14.0, "14-month", "duration")]),
    ("three times faster, with ten teams", [(3.0, "three times", "times"), (10.0, "ten teams", "people")]),
    ("해커톤에 앞서 한 달 동안, 석 달 만에 세 시간", [(1.0, "한 달", "duration"), (3.0, "석 달", "duration"), (3.0, "세 시간", "duration")]),
    ("one of the firms, the one model", []),  # "one" as a pronoun is no count
])
def test_numbers_in_words_with_what_they_count(text: str, expected: list) -> None:
    got = [(v, text[s:e], k) for v, s, e, k in figures_with_units(text)]
    assert got == expected


def test_native_korean_ordinals_before_a_stage_or_cohort() -> None:
    assert [(v, k) for v, *_, k in figures_with_units("두 번째 단계에서 쓰는 플랫폼")] == [(2.0, "phase")]
    assert [(v, k) for v, *_, k in figures_with_units("첫 번째 기수 참가자")] == [(1.0, "cohort")]
    assert [(v, k) for v, *_, k in figures_with_units("1년에 두 번 열렸다")] == [(1.0, "date"), (2.0, "count")]


@pytest.mark.parametrize(
    "text, value, kind",
    [("runs on a 72-billion-parameter model", 72e9, "size"), ("a $4.2-million licence", 4.2e6, "money"),
     ("a 10-person team", 10, "people"), ("the 2-year plan", 2, "duration")],
)
def test_a_scale_or_unit_joined_by_a_hyphen(text: str, value: float, kind: str) -> None:
    assert [(v, k) for v, _, _, k in figures_with_units(text)] == [(value, kind)]


@pytest.mark.parametrize(
    "question, asks, wants",
    [("What accuracy did Koyo 4 Mini hit on the benchmark?", "quantity", ("percent",)),
     ("코요4 프로 벤치마크 정확도 얼마야?", "quantity", ("percent",)),  # 얼마 of an accuracy is no sum of money
     ("How much time does HARAM 2 save when drafting a summary?", "quantity", ("duration",)),
     ("What price does the Pro edition sell at?", "quantity", ("money",))],
)
def test_a_measure_named_after_what_or_how_much_decides_the_kind(question: str, asks: str, wants: tuple[str, ...]) -> None:
    from knowledge.question import read_question

    q = read_question(question, 2000)
    assert (q.asks, q.wants) == (asks, wants)


def test_a_count_of_people_after_a_word_of_more() -> None:
    assert [(v, k) for v, _, _, k in figures_with_units("The bank plans to hire 150 more AI specialists by 2026.")][0] == (150, "people")
    assert [(v, k) for v, _, _, k in figures_with_units("It added 12 new devices.")] == [(12, "count")]


def test_a_score_not_asked_in_points_may_be_a_share_and_an_adverbial_word_is_not_counted() -> None:
    from knowledge.question import read_question

    assert read_question("How did the Lite edition score on the test?", 2000).wants == ("score", "percent")
    assert read_question("수능 수학 점수는?", 2000).wants == ("score",)
    assert read_question("2027년까지 공급 목표로 몇 곳을 말했어?", 2000).counted == ""
    assert read_question("언어는 몇 개 지원해?", 2000).counted == "언어는"


def test_a_weekday_dates_an_event() -> None:
    assert [(v, k) for v, _, _, k in figures_with_units("Tsubame Labs on Thursday released Koyo 4.")][0] == (4.0, "date")
    assert [(v, k) for v, _, _, k in figures_with_units("지난 목요일 공개했다.")] == [(4.0, "date")]
    assert figures_with_units("Monday Capital invested early.") == []  # a name, not a day


def test_an_investor_asked_for_is_no_sum_of_money() -> None:
    from knowledge.question import read_question

    assert "money" not in read_question("시리즈A 때 리드 투자자는 어디였어?", 2000).wants
    assert "money" not in read_question("투자사는 어디야?", 2000).wants
    assert read_question("투자 규모는 얼마야?", 2000).wants == ("money",)


def test_a_funding_round_is_a_stage_of_its_own() -> None:
    from knowledge.numbers import ordinal_places

    assert [(v, k) for v, _, _, k in figures_with_units("2023년에는 시리즈B 투자로 520억원을 유치했다.")][1] == (2.0, "round")
    assert ordinal_places("It raised $20 million in a Series C round.") == {(3.0, "round")}
    assert ordinal_places("The series continues.") == set()


def test_a_counter_before_the_copula_and_at_once_is_no_count() -> None:
    text = "전작이 동시에 처리할 수 있는 차량은 4천대였다."
    assert [(v, text[a:b], k) for v, a, b, k in figures_with_units(text)] == [(4000.0, "4천대", "count")]
    assert [(v, k) for v, *_, k in figures_with_units("고객사는 140곳이다.")] == [(140.0, "count")]
    # "한 번에" is "at once"; "두 번에 걸쳐" is a count.
    assert [v for v, *_ in figures_with_units("한 번에 최대 1만2천대의 화물차를 배차한다.")] == [12000.0]
    assert [v for v, *_ in figures_with_units("두 번에 걸쳐 나눠 지급한다.")] == [2.0]


def test_a_duration_in_korean_units_is_worded_in_english() -> None:
    from knowledge.offline import english_figure

    assert [english_figure(v, t, "duration") for v, t in ((42, "42분"), (6, "6개월"), (3, "3년간"))] == [
        "42 minutes", "6 months", "3 years"]


def test_a_date_before_a_particle_ends_at_its_unit() -> None:
    text = "지난 3월부터 시범 운영을 거쳐 오는 11월 1일부터 전면 적용한다."
    assert [text[a:b] for _, a, b, k in figures_with_units(text) if k == "date"] == ["3월", "11월", "1일"]


def test_an_english_sum_is_worded_in_korean_units_with_the_articles_wording() -> None:
    from knowledge.offline import korean_figure

    assert korean_figure(650e6, "$650 million", "money") == "6억5천만 달러($650 million)"
    assert korean_figure(389, "$389", "money") == "389달러"
    assert korean_figure(3.2e11, "320 billion won", "money") == "3천200억 원(320 billion won)"
    assert korean_figure(1.2e11, "1천200억 원", "money") == "1천200억 원"  # Korean already
    assert korean_figure(94.5, "94.5%", "percent") == "94.5%"


def test_an_answered_sum_keeps_its_currency_sign() -> None:
    from knowledge.offline import answer_figures

    from knowledge.question import read_question

    question = read_question("How much does it cost?", 2000)
    assert [t for _, t, _ in answer_figures(question, "Veridian will sell the K3 for $389 a chip.")] == ["$389"]


def test_a_digit_ordinal_names_a_cohort_or_stage() -> None:
    from knowledge.numbers import ordinal_places

    assert ordinal_places("How many people completed the 4th cohort of the academy?") == {(4.0, "cohort")}
    assert ordinal_places("a 2nd-generation robot") == {(2.0, "phase")}
    assert ordinal_places("the 5th floor") == set()


def test_a_rates_base_and_each_one_are_no_counts() -> None:
    text = "교사 1인당 주간 행정업무 시간은 9.5시간이다. 선박 1척당 월 90만원이다. 학생 한 명 한 명 곁에 머문다."
    assert [text[a:b] for _, a, b, _ in figures_with_units(text)] == ["9.5시간", "90만원"]


def test_units_of_measure_glued_to_figures_are_read_and_digits_are_never_split() -> None:
    # "75W" was read as a bare 7 (the 5 taken for a name's digit); weights and power have kinds of their own.
    assert figures_with_units("each card draws 75W of power") == [(75.0, 16, 19, "power")]
    assert [(v, k) for v, _, _, k in figures_with_units("소비전력은 45W로, 적재 중량은 600㎏에서 1.2톤으로")] == [
        (45.0, "power"), (600.0, "weight"), (1.2, "weight")]
    assert [(v, k) for v, _, _, k in figures_with_units("60 TOPS at 8 watts, 600kg payload")] == [
        (60.0, "count"), (8.0, "power"), (600.0, "weight")]
    assert figures("R2, GPT-4o, U024BE7LH, 5G") == []


@pytest.mark.parametrize("question, wants", [
    ("모아캐리 M2 몇키로까지 실을수 있어?", ("weight",)),
    ("What is the maximum payload of the new robot?", ("weight",)),
    ("R2 칩 하나 소비전력이 몇 와트야?", ("power",)),
    ("엑스레이 한 장 읽는 데 얼마나 걸려요?", ("duration",)),
])
def test_a_unit_of_measure_asked_is_the_kind_wanted(question: str, wants: tuple[str, ...]) -> None:
    from knowledge.question import read_question

    assert read_question(question, len(question) + 1).wants == wants


@pytest.mark.parametrize("question", ["모아픽 로봇 팔은 한 대에 얼마에 팔아?", "What valuation did the company get in its Series B?",
                                      "라온메디 기업가치는 얼마야?"])
def test_a_selling_price_or_a_valuation_asks_a_sum_of_money(question: str) -> None:
    from knowledge.question import asks_amount, read_question

    asked = read_question(question, len(question) + 1)
    assert asked.wants[:1] == ("money",) and asks_amount(asked.folded, asked.asks)


def test_korean_weeks_and_days_of_a_change_are_durations() -> None:
    # "3주에서 5일로 짧아졌다" is three weeks to five days; "3월 5일" stays a date and "100만주" shares.
    assert [(v, k) for v, _, _, k in figures_with_units("설치 기간이 기존 3주에서 5일로 짧아졌다")] == [(3.0, "duration"), (5.0, "duration")]
    assert [k for *_, k in figures_with_units("6주 동안, 10일 만에")] == ["duration", "duration"]
    assert "duration" not in [k for *_, k in figures_with_units("3월 5일로 연기됐다, 100만주를 매입")]


def test_how_much_less_time_asks_a_duration() -> None:
    from knowledge.question import read_question

    assert "duration" in read_question("How much less time do ships now spend waiting for a berth?", 100).wants
