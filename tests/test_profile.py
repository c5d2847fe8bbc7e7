"""Per-document knowledge derived at index time: bylines, aliases, transliteration, figures, scoping."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase, build_knowledge_base
from knowledge.loading import parse_document
from knowledge.numbers import figures_with_units
from knowledge.profile import CorpusProfile, parenthetical_aliases
from knowledge.question import read_question
from knowledge.scoping import tied_figures
from knowledge.settings import KnowledgeSettings
from knowledge.translit import same_name, skeleton

def _knowledge_base(tmp_path: Path, articles: dict[str, str]) -> KnowledgeBase:
    """A knowledge base over these articles (file name -> text), built as the bot builds it."""

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name, text in articles.items():
        (seeds / name).write_text(text, encoding="utf-8")
    return build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))


TAG_STYLE = """【 가상일보 】 한빛전자가 새 AI 칩을 공개했다. 칩 이름은 '누리(Nuri)'다.
누리는 2026년 3월 출시된다.
【 가상일보=홍길동 기자 】
"""
DATELINE_STYLE = """# 두리그룹, AI 연구소 설립
[서울=테크가상] 김영희 기자 = 두리그룹이 AI 연구소를 세웠다. 연구 인력은 120명이다.
"""
ENGLISH_STYLE = """# Nuri chip ships

By Alex Kim, Imaginary Wire

SEOUL — Hanbit Electronics said its Nuri chip (누리) ships in March 2026. Chief executive Jamie Park (박재민) called it a milestone.
"""
FRONT_MATTER = """---
title: "A title from front matter"
outlet: Example Daily
author: Sam Lee
date: 2025-06-12
url: https://example.com/a
---
본문 첫 문장이다. 두 번째 문장이다.
"""


def test_tag_byline_and_no_promoted_title() -> None:
    doc = parse_document("a.md", TAG_STYLE)
    assert (doc.outlet, doc.byline, doc.author) == ("가상일보", "홍길동 기자", "홍길동")
    assert doc.title == ""  # no '#' title: the lede is not promoted
    assert doc.label.startswith("한빛전자가 새 AI 칩을")
    credit = [s for s in doc.sentences if s.credit]
    assert [s.text for s in credit] == ["가상일보=홍길동 기자"]
    assert all(TAG_STYLE[s.start:s.end] == s.text for s in doc.sentences)


def test_dateline_byline() -> None:
    doc = parse_document("b.md", DATELINE_STYLE)
    assert (doc.title, doc.outlet, doc.author) == ("두리그룹, AI 연구소 설립", "테크가상", "김영희")
    assert doc.sentences[0].credit and doc.sentences[0].text == "[서울=테크가상] 김영희 기자"
    assert doc.sentences[1].text == "두리그룹이 AI 연구소를 세웠다."


def test_wire_dateline_in_parentheses_and_a_closing_reporter_line() -> None:
    wire = parse_document("w.md", "# 두리그룹, AI 연구소 설립\n\n(서울=테크가상) 김영희 기자 = 두리그룹이 AI 연구소를 세웠다. 연구원은 40명이다.\n")
    assert (wire.outlet, wire.author) == ("테크가상", "김영희")
    assert wire.sentences[0].credit and wire.sentences[0].text == "(서울=테크가상) 김영희 기자"
    assert wire.sentences[1].text == "두리그룹이 AI 연구소를 세웠다."
    closing = parse_document("r.md", "두리그룹이 AI 연구소를 세웠다. 연구원은 40명이다.\n\n김영희 기자 younghee@example.com\n")
    assert (closing.byline, closing.author, closing.title) == ("김영희 기자", "김영희", "")
    assert [s.text for s in closing.sentences if s.credit] == ["김영희 기자 younghee@example.com"]
    assert [s.text for s in closing.sentences if not s.credit] == ["두리그룹이 AI 연구소를 세웠다.", "연구원은 40명이다."]


def test_a_line_newly_read_as_the_credit_is_another_record() -> None:
    from dataclasses import replace

    from knowledge.store import record_id

    closing = parse_document("r.md", "두리그룹이 AI 연구소를 세웠다.\n\n김영희 기자 younghee@example.com\n")
    credit = next(s for s in closing.sentences if s.credit)
    assert record_id(credit, closing.sha256) != record_id(replace(credit, credit=False), closing.sha256)


def test_english_by_line_and_language() -> None:
    doc = parse_document("c.md", ENGLISH_STYLE)
    assert (doc.title, doc.outlet, doc.author, doc.language) == ("Nuri chip ships", "Imaginary Wire", "Alex Kim", "en")
    assert doc.sentences[0].credit


def test_front_matter() -> None:
    doc = parse_document("d.md", FRONT_MATTER)
    assert (doc.title, doc.outlet, doc.author, doc.date, doc.url) == (
        "A title from front matter", "Example Daily", "Sam Lee", "2025-06-12", "https://example.com/a")
    assert [s.text for s in doc.sentences if not s.credit] == ["본문 첫 문장이다.", "두 번째 문장이다."]
    assert all(FRONT_MATTER[s.start:s.end] == s.text for s in doc.sentences)
    # The author line is the credit "who wrote this?" quotes, and the byline it names.
    assert [s.text for s in doc.sentences if s.credit] == ["author: Sam Lee"] and doc.byline == "Sam Lee"


def test_front_matter_takes_one_pair_of_quotes_off_a_value() -> None:
    doc = parse_document("q.md", FRONT_MATTER.replace('"A title from front matter"', "\"'Nuri 2' ships…in May\""))
    assert doc.title == "'Nuri 2' ships…in May"


@pytest.mark.parametrize(
    "text, pair",
    [
        ("LG AI연구원이 '엑사원 딥(EXAONE Deep)'을 공개했다.", ("엑사원 딥", "exaone deep")),
        ("The idea, Affectionate Intelligence (공감지능), is everywhere.", ("affectionate intelligence", "공감지능")),
        ("인공지능(AI) 역량", ("인공지능", "ai")),
        ("Chief executive William Cho (조주완) said", ("william cho", "조주완")),
    ],
)
def test_parenthetical_aliases(text: str, pair: tuple[str, str]) -> None:
    assert pair in parenthetical_aliases(text)


def test_parentheses_that_are_not_names_are_ignored() -> None:
    assert parenthetical_aliases("딥시크 R1(6710억 개 매개변수)의 5% 수준") == []
    assert parenthetical_aliases("MX사업부장(사장)") == []


@pytest.mark.parametrize(
    "a, b, same",
    [("딥시크", "DeepSeek", True), ("구광모", "Koo Kwang-mo", True), ("엑사원", "EXAONE", True),
     ("삼성", "Samsung", True), ("갤럭시", "Galaxy", True), ("해커톤", "hackathon", True),
     ("씽큐", "ThinQ", True), ("익시젠", "ixi-GEN", True), ("에너지솔루션", "EnergySolution", True),  # th, soft g, -tion
     ("앳홈", "Athom", True),  # ... and the other reading of th
     ("바다사이클", "Bada Cycle", True), ("해솔랩스", "Haesol Labs", True),  # romanised Korean + a loanword
     ("라이트", "Lite", True), ("사이트", "site", True), ("세일", "sale", True),  # a vowel before a silent e says its name
     ("츠바메", "Tsubame", True), ("스포츠", "sports", True), ("소트센스", "SortSense", True),  # ts as 츠, or as 트스
     ("코요", "Koyo", True), ("다온", "Daon", True), ("고", "go", False), ("키", "key", False),  # one consonant: the whole name
     ("해온", "Haeon", True), ("새봄", "Saebom", True), ("해온", "Hon", False),  # a Korean name romanised as written (ae, eo)
     ("브라이트워터", "Brightwater", True), ("나이트", "night", True),  # a silent gh; a long name's vowels written freely
     ("가우스는", "EXAONE", False), ("경험", "Koo Kwang-mo", False), ("모델", "market", False)],
)
def test_transliteration_matching(a: str, b: str, same: bool) -> None:
    assert same_name(a, b) is same


def test_skeleton_is_script_independent() -> None:
    assert skeleton("딥시크") == skeleton("deepseek") == "TPSK"


def test_corpus_profile_links_spellings_across_documents() -> None:
    docs = [parse_document("a.md", TAG_STYLE), parse_document("c.md", ENGLISH_STYLE)]
    profile = CorpusProfile.build(docs)
    assert "nuri" in profile.aliases_of("누리")
    assert profile.docs_naming("nuri") == {"a.md", "c.md"}
    assert "jamie park" in profile.profiles["c.md"].persons and "박재민" in profile.profiles["c.md"].persons
    assert "한빛전자" in profile.profiles["a.md"].entities


def test_a_size_noun_before_the_figure_makes_it_a_model_size() -> None:
    assert [(v, k) for v, _, _, k in figures_with_units("매개변수 720억개의 3세대 모델")] == [(72e9, "size"), (3.0, "phase")]
    assert [k for *_, k in figures_with_units("parameters: 72 billion")] == ["size"]
    assert figures_with_units("세대 교체") == []  # 세대 is a generation, not "세 대" (three units)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("수능 수학에서 94.5점을 기록했다", [(94.5, "94.5점", "score")]),
        ("모두 2천570명이 지원했다", [(2570.0, "2천570명", "people")]),
        ("1조2천억 원을 투자해 불량률을 35% 줄였다", [(1.2e12, "1조2천억 원", "money"), (35.0, "35%", "percent")]),
        ("320억개 매개변수를 가진 모델", [(3.2e10, "320억개 매개변수", "size")]),
        ("a total of 2,570 applicants", [(2570.0, "2,570 applicants", "people")]),
        ("the 7.8B model and a $3 billion deal", [(7.8e9, "7.8B", "size"), (3e9, "3 billion", "money")]),
        ("founded in 2020", [(2020.0, "2020", "date")]),
        ("기기 1억 대에 넣겠다", [(1e8, "1억 대", "count")]),
        ("1년에 두 차례, 모두 3회 열렸다", [(1.0, "1년", "date"), (2.0, "두 차례", "count"), (3.0, "3회", "count")]),
        ("GPU 2천장을 넣어 0.8초에서 0.3초로 줄였다", [(2000.0, "2천장", "count"), (0.8, "0.8초", "duration"), (0.3, "0.3초", "duration")]),
    ],
)
def test_figures_with_units_in_both_languages(text: str, expected: list) -> None:
    got = [(v, text[s:e], k) for v, s, e, k in figures_with_units(text)]
    assert got == expected


def test_entity_scoping_ties_a_figure_to_its_nearest_name() -> None:
    text = "특히 엑사원 딥-32B는 딥시크 R1(6710억 개 매개변수)의 5% 수준 매개변수로도 우수했다."
    from dataclasses import replace

    question = replace(read_question("엑사원 딥-32B의 매개변수는 몇 개야?", 2000),
                       entities=("엑사원 딥-32b",), versions=("32b",))
    names = ["딥시크", "r1", "엑사원 딥", "엑사원 딥-32b"]
    assert tied_figures(question, text, names) == []  # 6710억 belongs to R1; 32B is part of the asked name
    right = "엑사원 딥은 320억개 매개변수를 가진 '엑사원 딥-32B'를 비롯해 경량 모델 '7.8B' 등으로 구성된다."
    assert [right[s:e] for _, s, e, _ in tied_figures(question, right, names + ["7.8b"])] == ["320억개 매개변수"]

    # A name that the figure's own unit spells ("GPUs", named elsewhere in the corpus) does not own it.
    gpus = replace(read_question("How many GPUs trained CellFormer?", 2000), entities=("cellformer",))
    text = "The team trained CellFormer on 1,024 GPUs rented from Aurora Compute."
    assert [text[s:e] for _, s, e, _ in tied_figures(gpus, text, ["cellformer", "gpus", "aurora compute"])] == ["1,024 GPUs"]


def test_a_date_in_a_sentence_that_refers_back_is_about_its_subject() -> None:
    from dataclasses import replace

    question = replace(read_question("When did the Nuri chip first ship?", 2000), entities=("nuri chip",))
    text = "The chip first shipped in July 2023 inside Hanbit's Home Hub lineup."
    # The nearest name is the product it shipped in, but a date is when the sentence's event happened.
    assert [text[s:e] for _, s, e, _ in tied_figures(question, text, ["nuri chip", "hanbit's home hub"])] == ["2023"]
    # Also when the sentence names the asked company, but further from the date than another place name.
    ko = replace(read_question("When did Hanbit hold the groundbreaking?", 2000), entities=("한빛텔레콤",))
    text_ko = "착공식은 2025년 3월 12일 오창 부지에서 열렸고, 홍길동 한빛텔레콤 사장이 참석했다."
    assert [text_ko[s:e] for _, s, e, _ in tied_figures(ko, text_ko, ["오창", "한빛텔레콤"])] == ["2025년", "3월", "12일"]
    money = replace(read_question("How much did the Nuri chip cost?", 2000), entities=("nuri chip",))
    assert tied_figures(money, "Hanbit's Home Hub costs 300 dollars.", ["nuri chip", "hanbit's home hub"]) == []


HEADS = """# 새 AI 모델 '한빛 누리' 공개
이 회사가 생성형 AI 모델 '한빛 누리'를 공개했다. 누리는 세 가지 크기로 나온다.
누리의 가장 큰 모델은 매개변수 300억개다. 회사는 Smart Home Hub에 이를 넣는다.
스마트 홈 시장은 커지고 있다. The smart home market grows.
"""


def test_a_multiword_name_also_names_its_head_word_used_on_its_own() -> None:
    entities = CorpusProfile.build([parse_document("h.md", HEADS)]).profiles["h.md"].entities
    assert {"한빛 누리", "누리"} <= entities
    assert "한빛" not in entities  # never used without the rest of the name
    assert "smart" not in entities and "home" not in entities  # also written in lower case: words, not names


def test_offline_and_llm_answerers_implement_the_answerer_protocol() -> None:
    from knowledge.llm import LLMAnswerer
    from knowledge.models import Answerer, StreamingAnswerer
    from knowledge.offline import make_offline_answerer

    assert isinstance(make_offline_answerer(), Answerer)
    assert hasattr(LLMAnswerer, "stream_draft") and hasattr(LLMAnswerer, "invoke")
    assert issubclass(LLMAnswerer, StreamingAnswerer) or callable(getattr(LLMAnswerer, "stream_draft"))


CONTINUATION = """# 한빛전자, 새 AI 모델 공개
한빛전자가 새 AI 모델 누리를 공개했다. 누리는 용도에 따라 세 갈래로 나뉜다. 글을 쓰는 모델, 그림을 그리는 모델, 코드를 짜는 모델이다.
누리는 2026년 3월에 출시된다. 가격은 정하지 않았다.
"""


def test_a_sentence_that_announces_a_list_is_quoted_with_the_list(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"n.md": CONTINUATION})
    retriever = kb.retriever
    announcing = next(s for s in retriever.sentences if "갈래" in s.text)
    joined = retriever._with_continuation(announcing)
    assert joined.text == "누리는 용도에 따라 세 갈래로 나뉜다. 글을 쓰는 모델, 그림을 그리는 모델, 코드를 짜는 모델이다."
    assert CONTINUATION[joined.start:joined.end] == joined.text  # still a verbatim slice
    passages = retriever.search("누리는 무슨 모델들로 나뉘어?", k=3)
    first = passages[0].sentence
    assert "그림을 그리는 모델" in first.text
    assert not any(first.start <= p.sentence.start and p.sentence.end <= first.end for p in passages[1:])
    # A sentence that neither announces nor is followed by a continuation stays alone.
    launch = kb.retriever.search("누리는 언제 출시돼?", k=1)[0].sentence
    assert launch.text == "누리는 2026년 3월에 출시된다."


NAMES = """# 한빛전자, 추론 모델 공개
한빛전자는 추론 모델 '한빛 딥'을 3월에 공개했다. 한빛 딥은 수학 시험에서 90점을 받았다.
"""


@pytest.mark.parametrize("question, unknown", [
    ("What did Hanbit Deep score?", ()),  # "Deep" is too short to transliterate alone, but 한빛 딥 follows 한빛
    ("What did Hanbit Deep score on AIME?", ("AIME",)),
    ("<@U024BE7LH> did Hanbit Deep ship in March?", ()),  # a Slack id and a month are not names
    ("How much did Hanbit-based services grow?", ()),  # a compound is known by its name part
    ("Did Hanbit's rival Zorblax answer?", ("Zorblax",)),
    ("Is Hanbit Nova out?", ("Nova",)),  # a word after a known name still has to sound like what follows it
    ("what is known about 한빛전자?", ()),  # an English word before a Korean company name is not part of it
    ("What did SK텔레콤 say?", ("SK", "SK텔레콤")),
])
def test_names_no_article_mentions_in_any_spelling(tmp_path, question: str, unknown: tuple[str, ...]) -> None:
    kb = _knowledge_base(tmp_path, {"d.md": NAMES})
    assert kb.retriever.prepare(question).unknown_names == unknown


SCOPE_KO = """# 한빛전자, 새 AI 칩 '누리' 공개
한빛전자가 새 AI 칩 누리(Nuri)를 공개했다. 누리는 2026년 3월에 출시된다.
칩 이름은 한국 신화에 나오는 세상을 뜻하는 말에서 따왔다고 회사는 밝혔다.
"""
SCOPE_EN = """# Zeta Robotics unveils a home robot

Zeta Robotics named its new home robot after the chief executive, Dana Reyes, who introduced it at a trade show.
The robot ships in May 2026 and costs 900 dollars.
"""


def test_a_question_naming_a_thing_is_answered_from_an_article_that_names_it(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"nuri.md": SCOPE_KO, "zeta.md": SCOPE_EN})
    # The English article matches "named ... after" word for word, but never mentions Nuri.
    passages = kb.retriever.search("Who was the Nuri chip named after?", k=3)
    assert passages and all(p.sentence.source == "nuri.md" for p in passages)
    # Without a name to scope by, both articles stay candidates.
    assert {p.sentence.source for p in kb.retriever.search("What was named after someone?", k=5)} == {"nuri.md", "zeta.md"}


KINDS = """# 한빛 해커톤 본선
본선에는 한빛전자 등 4개 계열사가 참여했다.
본선에는 지원자 가운데 102명이 올랐다.
"""


def test_the_most_specific_figure_kind_asked_counts_more_than_a_fallback(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"k.md": KINDS})
    kinds = {p.sentence.text: p.features["kind"] for p in kb.retriever.search("How many young people made the final?", k=5, join=False)}
    assert kinds["본선에는 지원자 가운데 102명이 올랐다."] == 1.0  # people: what was asked
    assert kinds["본선에는 한빛전자 등 4개 계열사가 참여했다."] == 0.5  # a count: only the fallback


def test_a_name_quoted_in_the_title_is_an_entity() -> None:
    doc = parse_document("t.md", "# 한빛전자, 새 AI 칩 '누리' 공개\n한빛전자가 새 칩을 공개했다. 누리는 3월에 나온다.\n")
    assert "누리" in CorpusProfile.build([doc]).profiles["t.md"].entities


def test_a_byline_question_can_name_the_outlet_by_its_web_address(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {
        "a.md": "![사진](http://www.hanbitnews.co.kr/photos/1.jpg)\n【 한빛신문=홍길동 기자 】 두리그룹이 AI 연구소를 세웠다.\n",
        "b.md": "[서울=가상경제] 김영희 기자 = 두리그룹이 AI 교육을 시작했다.\n",
    })
    retriever = kb.retriever
    assert retriever.document_for(retriever.prepare("who wrote that hanbitnews piece about 두리그룹?")) == "a.md"
    assert retriever.document_for(retriever.prepare("가상경제 기사 누가 썼어?")) == "b.md"
    assert retriever.document_for(retriever.prepare("두리그룹 기사 누가 썼어?")) is None  # both are about 두리그룹


def test_a_figure_kind_the_best_article_never_states_is_flagged_for_the_gate(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"k.md": KINDS})  # head counts and counts, no amount of money
    money = kb.retriever.search("한빛 해커톤 상금은 얼마야?", k=1)[0]
    people = kb.retriever.search("한빛 해커톤 본선에 몇 명이 올랐어?", k=1)[0]
    assert money.features["kind_absent_doc"] == 1.0
    assert people.features["kind_absent_doc"] == 0.0


VERSIONS = """# 한빛전자, 새 모델 공개
한빛전자가 자체 모델 '누리(Nuri)'의 3세대인 누리-3을 공개했다.

지금 서비스 중인 누리-2는 매개변수 340억개 규모다.
한빛전자는 상담 로봇 '다미'도 만든다. 다미 2.0은 4월에 나왔다. 에이머스 7기 해커톤에도 누리-2가 쓰였다.
"""


@pytest.mark.parametrize("question, unknown", [
    ("누리-4는 언제 나와?", ("누리-4",)),  # a successor no article mentions
    ("When does Nuri-4 ship?", ("Nuri-4",)),
    ("Nuri4 size?", ("Nuri4",)),
    ("다미 3.0은 언제 나와?", ("다미 3.0",)),
    ("누리-3은 언제 나왔어?", ()),
    ("Nuri-2 parameters?", ()),  # the Latin alias with a version the Korean text gives
    ("다미 2.0 출시일은?", ()),
    ("에이머스 7기 해커톤에 누리가 쓰였어?", ()),  # a count after a name, not a version
])
def test_a_version_of_a_known_name_that_no_article_mentions_is_unknown(tmp_path, question: str, unknown: tuple[str, ...]) -> None:
    kb = _knowledge_base(tmp_path, {"v.md": VERSIONS})
    assert kb.retriever.prepare(question).unknown_figures == unknown


def test_dates_in_capitalised_runs_are_not_names() -> None:
    text = "SEOUL — The bank said on May 20, 2025, that Dami 2.0 went live. Between April 1 and May 15, it flagged 2,300 requests."
    entities = CorpusProfile.build([parse_document("e.md", text)]).profiles["e.md"].entities
    assert "dami 2.0" in entities
    assert not {"20", "15", "april 1", "between april 1", "may 20"} & entities


def test_a_name_ending_in_a_digit_is_not_found_inside_a_longer_number() -> None:
    from knowledge.scoping import name_spans

    assert name_spans("매개변수 720억개의 모델 gpu 1", ["20", "gpu 1"]) == [(15, 20, "gpu 1")]
    assert name_spans("20개 모델", ["20"]) == [(0, 2, "20")]


def test_a_sentence_about_a_sibling_version_misses_the_asked_version(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"v.md": VERSIONS})
    question = kb.retriever.prepare("누리-3 매개변수는 몇 개야?")
    assert "누리-3" in question.versions
    misses = {p.sentence.text: p.features["version_miss"] for p in kb.retriever.search(question, k=5, join=False)}
    assert misses["지금 서비스 중인 누리-2는 매개변수 340억개 규모다."] == 1.0  # about 누리-2
    assert misses["한빛전자가 자체 모델 '누리(Nuri)'의 3세대인 누리-3을 공개했다."] == 0.0


@pytest.mark.parametrize("text, person", [
    ("오승민 한빛텔레콤 AI인프라부문장(전무)은 말했다.", "오승민"),
    ("윤서진 한결대 전기전자공학부 교수가 맡는다.", "윤서진"),
    ("김하늘 누리은행 부행장이 밝혔다.", "김하늘"),
    ("제타는 2020년 농업공학 박사 출신인 오세린 대표가 창업했다.", "오세린"),  # a rejected word does not hide the name
])
def test_people_before_korean_titles(text: str, person: str) -> None:
    assert person in CorpusProfile.build([parse_document("p.md", text)]).profiles["p.md"].persons


def test_words_ending_like_titles_are_not_people() -> None:
    assert not CorpusProfile.build([parse_document("p.md", "국내 시장 성장세가 이어졌다.")]).profiles["p.md"].persons


PEOPLE = """# 한빛전자, AI 전략 발표
노태문 한빛전자 사장은 "업무의 90%에 AI를 쓰겠다"고 말했다.
이후 구 회장은 연구소를 세웠다. 이창현 한결대 교수는 이를 반겼다.
"""


@pytest.mark.parametrize("question, unknown", [
    ("What did Roh Tae-moon say about AI?", ()),  # 노 is romanised Roh, not by its sound
    ("Did Tae-moon Roh say that?", ()),
    ("Who is Lee Jae-yong?", ("Lee Jae-yong",)),  # a known surname with someone else's given name
    ("What did Lee say?", ()),
])
def test_romanised_korean_names(tmp_path, question: str, unknown: tuple[str, ...]) -> None:
    kb = _knowledge_base(tmp_path, {"p.md": PEOPLE})
    prepared = kb.retriever.prepare(question)
    assert prepared.unknown_names == unknown
    if not unknown and "Lee" not in question:
        assert "노태문" in prepared.entities
    assert "이후" not in kb.retriever.profile.profiles["p.md"].persons  # a sentence opener, not a name


NAMED_TWICE = {
    "telecom.md": "# 한빛텔레콤, 새 칩 도입\n한빛텔레콤은 라온칩스의 NPU '라온-1' 2천장을 도입한다.\n회사는 오창에 데이터센터를 짓는다.\n",
    "chip.md": "# 라온칩스, 차세대 칩 개발\n라온-1은 지난해 MLPerf 에지 부문에서 3위에 올랐다.\n라온칩스는 라온-2를 2027년에 내놓는다.\n",
}


def test_a_name_found_in_one_article_is_named_by_every_article_that_writes_it(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, NAMED_TWICE)
    # Quoted (so found) only in telecom.md, written plainly in chip.md.
    assert kb.retriever.profile.docs_naming("라온-1") == {"telecom.md", "chip.md"}
    # An English question's "Raon-1" names 라온-1, written only in Hangul.
    question = kb.retriever.prepare("Where did Raon-1 place in the MLPerf edge results?")
    assert "라온-1" in question.entities and "라온-1" in question.versions
    top = kb.retriever.search(question, k=1)[0]
    assert top.sentence.source == "chip.md" and "3위" in top.sentence.text


BRAND = """# Zeta Telecom bets on its call agent

The product is zeta-Q (제타큐), an AI call agent. Unlike version 1.0, which sent audio to the cloud, zeta-Q 2.0 runs on the phone.
The language work is done by zeta-LM (제타엘엠), a model family that comes in a 9B and a 1.2B version.
"""


def test_a_brand_in_lower_case_gets_its_hangul_alias_and_is_found_from_either_script(tmp_path) -> None:
    assert ("zeta-lm", "제타엘엠") in parenthetical_aliases("done by zeta-LM (제타엘엠), a model family")
    kb = _knowledge_base(tmp_path, {"zeta.md": BRAND})
    assert "zeta-q" in kb.retriever.prepare("제타큐 쓰는 사람 몇 명이야?").entities
    # "version 1.0" in an article about the name is that name's version 1.0; a 3.0 is unknown.
    assert kb.retriever.prepare("제타큐 1.0이랑 2.0은 뭐가 달라?").unknown_figures == ()
    assert "제타큐 3.0" in kb.retriever.prepare("제타큐 3.0은 언제 나와?").unknown_figures


SIBLINGS = """# 한빛전자, 누리 3.0 공개
한빛전자가 '누리 3.0'을 공개했다. 누리 3.0은 플래그십 '누리 3.0-72B'와 경량 '누리 3.0-3B'로 나뉜다.
회사 측은 누리 3.0-72B가 KMMLU에서 71.8점을 받았다고 밝혔다.
"""


def test_a_figure_of_a_sibling_version_is_not_answered_as_the_asked_one(tmp_path) -> None:
    from knowledge.gate import DECLINE, UNCERTAIN, Gate

    kb = _knowledge_base(tmp_path, {"s.md": SIBLINGS})
    gate = Gate()
    asked_sibling = kb.retriever.prepare("What KMMLU score did Nuri 3.0-3B get?")
    passages = kb.retriever.search(asked_sibling, k=1)
    assert "71.8" in passages[0].sentence.text and passages[0].features["sibling_version"] == 1.0
    assert gate.judge(asked_sibling, passages).outcome in (UNCERTAIN, DECLINE)  # 71.8 is the 72B's score
    asked_right = kb.retriever.prepare("What KMMLU score did Nuri 3.0-72B get?")
    assert kb.retriever.search(asked_right, k=1)[0].features["sibling_version"] == 0.0


YEARS = """# 한빛 AI 경진대회 2025 폐막
한빛대학교가 연 'AI 경진대회 2025'가 2025년 11월 30일 폐막했다.
올해 대상은 '새벽팀'이 받았고, 상금 5천만원이 주어졌다.
대회는 2030년까지 해마다 열린다.
"""


def test_a_question_about_another_year_is_not_answered_from_this_years_sentence(tmp_path) -> None:
    from knowledge.gate import ANSWER, Gate

    kb = _knowledge_base(tmp_path, {"y.md": YEARS})
    gate = Gate()
    other_year = kb.retriever.prepare("Who won the grand prize at the 2024 AI contest?")
    passages = kb.retriever.search(other_year, k=1)
    assert passages[0].features["year_clash"] == 1.0  # 2024 is in neither the sentence nor its article
    assert gate.judge(other_year, passages).outcome != ANSWER
    this_year = kb.retriever.prepare("2025년 대회 폐막일은 언제야?")
    assert kb.retriever.search(this_year, k=1)[0].features["year_clash"] == 0.0
    no_year = kb.retriever.prepare("대상 상금은 얼마야?")
    assert kb.retriever.search(no_year, k=1)[0].features["year_clash"] == 0.0


def test_asked_words_the_article_never_writes_are_measured_for_the_gate(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"y.md": YEARS})
    asked_absent = kb.retriever.prepare("새벽팀 멤버들의 전공은 뭐야?")
    assert kb.retriever.search(asked_absent, k=1)[0].features["absent_doc"] > 0.5
    asked_present = kb.retriever.prepare("새벽팀이 받은 상금은?")
    assert kb.retriever.search(asked_present, k=1)[0].features["absent_doc"] == 0.0


LAB_EN = """# Zeta Labs names a new head

Since May 2024 the lab has been run by Seo Ji-hoon, a speech researcher. He replaced the founding director,
Choi Min-jae, who now advises the board. Chief executive Han Byeol-i said the lab will double its staff.
"""


def test_romanised_korean_names_in_english_are_people_a_hangul_question_can_name(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"lab.md": LAB_EN, "other.md": SIBLINGS})
    persons = kb.retriever.profile.profiles["lab.md"].persons
    # After a title or on their own, with the hyphenated given name whole (not "choi min").
    assert {"seo ji-hoon", "choi min-jae", "han byeol-i"} <= persons and "choi min" not in persons
    assert kb.retriever.profile.romanised_matches("서지훈") == ("seo ji-hoon",)
    assert kb.retriever.profile.romanised_matches("최민재") == ("choi min-jae",)
    assert kb.retriever.profile.romanised_matches("서민재") == ()  # the given name is someone else's
    question = kb.retriever.prepare("서지훈은 언제부터 연구소를 이끌었어?")
    assert "seo ji-hoon" in question.entities
    top = kb.retriever.search(question, k=1)[0]
    assert top.sentence.source == "lab.md" and "Seo Ji-hoon" in top.sentence.text


EVENT = """---
title: 제타 AI 해커톤 2025 폐막
outlet: 제타일보
author: 김제타 기자
date: 2025-11-30
---
'제타 AI 해커톤 2025(Z-AI Hackathon 2025)'가 30일 막을 내렸다. 결선에는 40개 팀 160명이 올랐다.
"""


def test_an_event_named_with_its_year_is_asked_about_without_it(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"event.md": EVENT, "other.md": SIBLINGS})
    profile = kb.retriever.profile.profiles["event.md"]
    assert "z-ai hackathon 2025" in profile.entities and "z-ai hackathon" in profile.entities
    assert "z-ai" in profile.entities  # a coined, hyphenated head names it on its own
    question = kb.retriever.prepare("How many teams made it to the Z-AI final?")
    assert kb.retriever.search(question, k=1)[0].sentence.source == "event.md"
    byline = kb.retriever.prepare("Who wrote the Z-AI Hackathon article?")
    assert byline.intent == "byline" and kb.retriever.document_for(byline) == "event.md"


PATHOLOGY = """# 제타병원, 병리 AI 도입
오세린 제타랩 대표는 "AI는 의사를 돕는 도구"라고 말했다.
"""


def test_one_latin_word_is_not_taken_for_a_korean_full_name(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"lab.md": LAB_EN.replace("Zeta Labs", "Serin Labs"), "p.md": PATHOLOGY})
    # "Serin" sounds like the given name of 오세린, but a full name is surname + given name.
    assert "오세린" not in kb.retriever.profile.transliterations("serin")


def test_the_particle_rang_is_stripped() -> None:
    from knowledge.text import korean_stems

    assert "지원자" in korean_stems("지원자랑") and "수" in korean_stems("수랑")


def test_a_hangul_name_glued_to_its_kind_finds_the_english_article(tmp_path) -> None:
    en = LAB_EN.replace("Zeta Labs", "Serin Group's lab").replace("the lab", "the Serin lab")
    kb = _knowledge_base(tmp_path, {"lab.md": en, "other.md": SIBLINGS})
    question = kb.retriever.prepare("세린그룹 연구소장은 누구야?")
    # "세린그룹" is 세린 (Serin) + 그룹: known, not an unknown organisation.
    assert question.unknown_names == () and "serin" in question.entities
    # Either whole (the article writes "Serin Group") or as name + kind, the word is matched in English.
    assert any("serin group" in u.forms for u in question.units) or {"세린", "그룹"} <= {u.label for u in question.units}
    assert kb.retriever.search(question, k=1)[0].sentence.source == "lab.md"
    assert kb.retriever.prepare("두리그룹 연구소장은 누구야?").unknown_names == ("두리그룹",)


CHIP = """# 제타칩, 새 NPU '제타-7' 공개
제타칩은 새 NPU '제타-7'을 공개했다. 제타-7은 기존 칩보다 추론 비용을 40% 줄였다.
회사의 지난해 매출은 128억원으로 전년보다 62% 늘었다.
"""


def test_an_asked_amount_of_money_must_be_stated(tmp_path) -> None:
    from knowledge.gate import ANSWER, Gate, features
    from knowledge.question import asks_amount, read_question

    kb = _knowledge_base(tmp_path, {"chip.md": CHIP})
    gate = Gate()
    price = kb.retriever.prepare("제타-7 칩 한 개 가격은 얼마야?")
    passages = kb.retriever.search(price, k=1)
    assert features(price, passages[0])["amount_missing"] == 1.0  # 40% is no price
    assert gate.judge(price, passages).outcome != ANSWER
    revenue = kb.retriever.prepare("제타칩 지난해 매출은 얼마야?")
    assert features(revenue, kb.retriever.search(revenue, k=1)[0])["amount_missing"] == 0.0
    # A change in a cost is answered by a percentage, not an amount.
    assert not asks_amount("제타-7은 기존 칩에 비해 추론 비용이 어떻게 달라졌어?")
    assert asks_amount("how much does the chip cost?") and not asks_amount("what does the pue come to?")
    # "얼마를 넣었어" asks a sum by its verb; a share asked with 얼마 is a percentage.
    assert asks_amount("제타칩 시리즈b에 얼마를 넣었어?") and not asks_amount("해외 매출 비중은 얼마야?")
    assert "percent" in read_question("해외 매출 비중은 얼마야?", 2000).wants
    # A goal asked as "what" may be a share; asked as "how much" it is a sum.
    assert not asks_amount("한 대표가 제시한 2027년 해외 매출 목표는 무엇입니까?") and asks_amount("올해 매출 목표는 얼마야?")
    # "Who" asks for a party, not a sum; a later "how much" part is its own sentence's to answer.
    who = read_question("시리즈B에 새로 들어온 투자자는 누구야?", 2000)
    assert who.asks == "who" and "money" not in who.wants and not asks_amount(who.text.lower(), who.asks)
    assert asks_amount("who invested and how much did they invest?", "who")


LEAD_ROUND = """# 제타칩, 시리즈B 마무리
이번 시리즈B에는 해솔벤처스가 리드 투자자로 나섰고, 기존 투자자 8곳이 참여했다.
제타칩이 유치한 금액은 320억원이다.
"""


def test_the_first_part_of_a_two_part_question_is_not_capped_for_the_second_parts_sum(tmp_path) -> None:
    from knowledge.gate import features

    kb = _knowledge_base(tmp_path, {"round.md": LEAD_ROUND})
    both = kb.retriever.prepare("Who led Zetachip's Series B, and how much did the round raise?")
    passages = kb.retriever.search(both, k=1)
    assert "해솔벤처스" in passages[0].sentence.text
    assert features(both, passages[0])["amount_missing"] == 0.0  # the sum is the second part's sentence


def test_an_unknown_thing_asked_for_a_figure_the_passage_lacks_is_capped_however_sure_the_model_is() -> None:
    from dataclasses import replace

    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams
    from knowledge.models import Passage, Sentence
    from knowledge.question import read_question

    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    sentence = Sentence(text="Zeta-7 runs on 40 servers.", source="a.md", title="", start=0, end=26, paragraph=1, index=0)
    passage = Passage(sentence=sentence, score=1.0, features={"kind": 0.0})
    asked = read_question("How many Quasar boards does each server hold?", 2000)
    assert asked.wants and sure.judge(asked, [passage]).outcome == ANSWER  # a name of the articles: answered
    unknown = replace(asked, unknown_names=("Quasar",))
    assert sure.judge(unknown, [passage]).outcome == UNCERTAIN  # no article names Quasar, and no count is tied
    tied = Passage(sentence=sentence, score=1.0, features={"kind": 1.0})
    assert sure.judge(unknown, [tied]).outcome == ANSWER


def test_an_organisation_no_article_names_is_not_answered_from_another_company(tmp_path) -> None:
    from knowledge.gate import ANSWER, Gate

    kb = _knowledge_base(tmp_path, {"chip.md": CHIP})
    gate = Gate()
    other = kb.retriever.prepare("두리전자의 지난해 매출은 얼마야?")
    assert other.unknown_names == ("두리전자",)
    assert gate.judge(other, kb.retriever.search(other, k=3)).outcome != ANSWER
    own = kb.retriever.prepare("제타칩의 지난해 매출은 얼마야?")
    assert gate.judge(own, kb.retriever.search(own, k=3)).outcome == ANSWER


def test_a_figure_of_another_metric_is_not_the_asked_one(tmp_path) -> None:
    from knowledge.gate import ANSWER, Gate, features

    kb = _knowledge_base(tmp_path, {"chip.md": CHIP})
    profit = kb.retriever.prepare("제타칩 지난해 영업이익은 얼마야?")
    passages = kb.retriever.search(profit, k=1)
    assert "매출" in passages[0].sentence.text  # 128억원 is revenue
    assert features(profit, passages[0])["metric_missing"] == 1.0
    assert Gate().judge(profit, passages).outcome != ANSWER
    net = kb.retriever.prepare("제타칩 지난해 당기순이익은 얼마야?")
    assert features(net, kb.retriever.search(net, k=1)[0])["metric_missing"] == 1.0  # no net profit is stated
    revenue = kb.retriever.prepare("What was Zetachip's revenue last year?")
    assert features(revenue, kb.retriever.search(revenue, k=1)[0])["metric_missing"] == 0.0
    # A word that names a price only when a sum is asked: "a single charge" asked for a duration.
    (tmp_path / "battery").mkdir()
    kb = _knowledge_base(tmp_path / "battery", {"bat.md": "# 제타-7 배터리\n제타-7은 한 번 충전으로 9시간 작동한다.\n"})
    charge = kb.retriever.prepare("How long can Zeta-7 run on a single charge?")
    assert "money" not in charge.wants and features(charge, kb.retriever.search(charge, k=1)[0])["metric_missing"] == 0.0
    # A cost told as what the thing sells for.
    (tmp_path / "price").mkdir()
    kb = _knowledge_base(tmp_path / "price", {"k3.md": "# Kestrel K3\nVeridian will sell the K3 for $389 a chip in orders of 10,000 units.\n"})
    cost = kb.retriever.prepare("How much does a K3 cost if you buy in bulk?")
    passages = kb.retriever.search(cost, k=1)
    assert features(cost, passages[0])["metric_missing"] == 0.0
    # ... or as a subscription fee.
    (tmp_path / "fee").mkdir()
    kb = _knowledge_base(tmp_path / "fee", {"ship.md": "# 오션파일럿 2\n'오션파일럿 2 라이트'는 선박 1척당 월 구독료가 90만원이다.\n"})
    fee = kb.retriever.prepare("What does OceanPilot 2 Lite cost per ship per month?")
    assert features(fee, kb.retriever.search(fee, k=1)[0])["metric_missing"] == 0.0


def test_a_sum_that_sits_with_another_metric_of_the_sentence_is_not_the_asked_one(tmp_path) -> None:
    from knowledge.gate import features

    kb = _knowledge_base(tmp_path, {"road.md": "# 로드마인드 실적\n로드마인드의 지난해 매출은 180억원으로 전년보다 62% 늘었지만, "
                                               "연구개발 투자 확대로 아직 영업손실을 내고 있다.\n누리3 프로의 이용 요금은 100만 토큰당 2천400원이다.\n"
                                               "Operating profit more than doubled to 31.7 billion won, lifting the operating margin to 17.4%.\n"})
    def missing(text: str) -> float:
        question = kb.retriever.prepare(text)
        return features(question, kb.retriever.search(question, k=1)[0])["metric_missing"]

    assert missing("로드마인드 영업손실 규모는 얼마나 돼?") == 1.0  # 180억원 is the revenue
    assert missing("로드마인드 작년 매출 얼마야?") == 0.0
    assert missing("What does NURI 3 Pro cost per million tokens?") == 0.0  # tokens: the price's unit
    assert missing("What was the operating profit, and what margin does that imply?") == 0.0  # "profit" is part of it


def test_people_nouns_by_their_ending_ask_for_a_head_count() -> None:
    from knowledge.question import read_question

    assert read_question("How many clinicians joined the course?", 2000).wants[0] == "people"
    assert read_question("How many economists were surveyed?", 2000).wants[0] == "people"
    assert "people" not in read_question("How many lists are there?", 2000).wants


def test_chief_officer_titles_are_general_words_not_unknown_names(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"cap.md": "# Zeta plans\n\nChief financial officer Dana Reyes said capital spending would rise to 150 billion won in 2026.\n"})
    question = kb.retriever.prepare("What level of capex is the CFO guiding for 2026?")
    assert question.unknown_names == () and not any(u.foreign for u in question.units)


def test_a_sentence_stating_the_asked_year_is_marked_for_the_ranker(tmp_path) -> None:
    from knowledge.gate import RANK_FEATURES

    kb = _knowledge_base(tmp_path, {"y.md": YEARS})
    question = kb.retriever.prepare("What happens to the contest through 2030?")
    marked = {p.sentence.text: p.features["year"] for p in kb.retriever.search(question, k=10, join=False)}
    assert marked["대회는 2030년까지 해마다 열린다."] == 1.0
    assert marked["올해 대상은 '새벽팀'이 받았고, 상금 5천만원이 주어졌다."] == 0.0
    assert "year" in RANK_FEATURES and kb.retriever.ranking.rank["year"] > 0  # fitted: a stated year helps


def test_who_wrote_a_front_matter_article_quotes_its_author_line_and_gives_the_date(tmp_path) -> None:
    from knowledge.chain import build_chain

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "event.md").write_text(EVENT, encoding="utf-8")
    (seeds / "other.md").write_text(SIBLINGS, encoding="utf-8")
    chain = build_chain(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    answer = chain.ask("Who wrote the Z-AI Hackathon article, and when was it published?")
    assert answer.found and "김제타 기자" in answer.text and "2025-11-30" in answer.text
    assert answer.quotes[0].text == "author: 김제타 기자" and answer.quotes[0].source == "event.md"


PROGRAMME_KO = """# 제타, 청년 AI 교육 '제타 스쿨' 운영
제타(Zeta)는 청년 AI 교육 프로그램 '제타 스쿨(Zeta School)'을 운영하고 있다. 누적 참가자는 5기까지 1만2천명을 넘어섰다.
"""
FELLOWS_EN = """# Duri Lab grows its fellows programme

Duri Lab, which works with Zeta on chips, runs a fellows programme. People who had taken part through the fifth
cohort have topped 12,000, and the lab expects more next year.
"""


def test_an_article_naming_the_asked_company_in_passing_is_not_the_questions_subject(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"school.md": PROGRAMME_KO, "duri.md": FELLOWS_EN})
    question = kb.retriever.prepare("How many people had taken part in the Zeta School run by Zeta through its fifth cohort?")
    sources = {p.sentence.source for p in kb.retriever.search(question, k=5)}
    assert sources == {"school.md"}  # duri.md names Zeta once; its 12,000 are someone else's


def test_a_hangul_alias_is_a_person_only_when_it_starts_with_a_surname_the_latin_name_sounds() -> None:
    from knowledge.profile import _profile

    persons = _profile("p.md", "x", (
        "제타텔레콤은 청소년 교육 프로그램 '제타 새싹캠프(Zeta AI Sprouts)'를 연다.",
        "한빛그룹(Hanbit Group)은 투자를 늘린다.", "공감지능(Affectionate Intelligence)을 내세웠다.",
        "Jamie Park (박재민) said so.", "구광모(Koo Kwang-mo) 회장이 말했다.", "Lee Min-ji (이민지) spoke.",
    )).persons
    assert {"jamie park", "박재민", "koo kwang-mo", "구광모", "lee min-ji", "이민지"} <= persons
    assert not persons & {"새싹캠프", "zeta ai sprouts", "한빛그룹", "hanbit group", "공감지능", "affectionate intelligence"}


def test_common_words_before_a_degree_are_not_people() -> None:
    from knowledge.profile import _profile

    persons = _profile("p.md", "x", ("연구소 직원은 210명이며, 이 가운데 박사 학위 소지자는 68명이다.", "제타 연구소 출신 박사 과정생이 많다.")).persons
    assert not persons


def test_a_word_before_a_surname_and_title_is_not_a_person() -> None:
    from knowledge.profile import _profile

    persons = _profile("p.md", "x", ("재계 안팎에선 구 회장이 AI를 챙긴다는 분석이 나온다.", "홍길동 제타 사장은 말했다.")).persons
    assert "재계" not in persons and "홍길동" in persons


def test_a_capitalised_vocabulary_word_opening_a_sentence_is_not_a_name() -> None:
    from knowledge.profile import _profile

    entities = _profile("e.md", "x", ("People who joined Zeta Labs said so.", "AI is everywhere.")).entities
    assert "people" not in entities and "zeta labs" in entities and "ai" in entities


CHIP_EN = """# Zeta Robotics ships its own AI chip

Zeta Robotics designed the Z-1 chip itself after three years of development and put it in its home robots.
The robots are assembled at a factory in Busan that opened in 2024.
"""


def test_which_x_questions_need_an_article_that_writes_x() -> None:
    from knowledge.question import asked_head

    assert asked_head("which foundry manufactures the z-1 chip?") == "foundry"
    assert asked_head("what kind of chips does it use?") == "chips"
    assert asked_head("3b 모델은 어떤 칩에서 돌아가?") == "칩에서"
    # Words that only name the kind of answer are not a thing to find in the article.
    assert asked_head("which year did it open?") == asked_head("모델 크기는 어느 정도임?") == asked_head("which one is it?") == ""
    assert asked_head("2.4b 모델은 어떤 용도로 나왔어?") == asked_head("what use is the small model for?") == ""
    # A party named by its part ("a round led by …" names the investor) is told with a verb.
    assert asked_head("which investor led the round?") == asked_head("어떤 투자자가 주도했어?") == ""


BENCH = """# 제타칩, 벤치마크 2위
제타칩의 NPU '제타-7'은 국제 AI 벤치마크 '루미벤치(LumiBench) 4.0'의 전력 효율 부문에서 참가 칩 17종 가운데 2위에 올랐다.
회사는 내년에 후속 칩을 내놓는다.
"""


def test_a_versioned_name_written_with_its_alias_inside_is_known_and_a_place_answers_a_result(tmp_path) -> None:
    from knowledge.gate import features
    from knowledge.question import read_question

    kb = _knowledge_base(tmp_path, {"bench.md": BENCH})
    question = kb.retriever.prepare("루미벤치 4.0에서 제타-7 성적 어땠어?")
    assert question.unknown_figures == ()  # '루미벤치(LumiBench) 4.0' names 루미벤치 4.0
    assert "rank" in question.wants
    passage = kb.retriever.search(question, k=1)[0]
    assert "2위" in passage.sentence.text
    assert features(question, passage)["kind_missing"] == 0.0 and passage.features["version_miss"] == 0.0
    assert "루미벤치 5.0" in kb.retriever.prepare("루미벤치 5.0에서 제타-7 성적 어땠어?").unknown_figures
    assert read_question("몇 위야?", 2000).wants == ("rank",)


def test_a_which_x_question_is_capped_when_the_article_never_writes_x(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams, features

    kb = _knowledge_base(tmp_path, {"zeta.md": CHIP_EN})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    foundry = kb.retriever.prepare("Which foundry manufactures Zeta's Z-1 chip?")
    passages = kb.retriever.search(foundry, k=1)
    assert "Z-1" in passages[0].sentence.text and features(foundry, passages[0])["head_absent"] == 1.0
    assert sure.judge(foundry, passages).outcome == UNCERTAIN
    factory = kb.retriever.prepare("Which factory assembles Zeta's home robots?")
    passages = kb.retriever.search(factory, k=1)
    assert features(factory, passages[0])["head_absent"] == 0.0 and sure.judge(factory, passages).outcome == ANSWER


GENERATIONS = """# 제타로보, 2세대 로봇 'Z2' 공개

제타로보는 2세대 물류로봇 'Z2'를 공개했다. Z2는 2022년 출시된 1세대 'Z1'의 후속 모델이다.
Z2는 한 번 충전으로 12시간을 운행한다.
1세대 Z1은 한 번 충전으로 8시간을 운행했다.
회사 매출은 2023년 41억원에서 2024년 77억원으로 늘었다. 2025년 상반기 매출은 30억원이다.
"""


def test_a_sentence_naming_a_sibling_or_its_own_year_does_not_borrow_the_one_before(tmp_path) -> None:
    from knowledge.gate import features

    kb = _knowledge_base(tmp_path, {"z.md": GENERATIONS})
    z1 = kb.retriever.prepare("Z1은 한 번 충전하면 몇 시간 운행해?")
    passages = {p.sentence.text: p for p in kb.retriever.search(z1, k=10, join=False)}
    # "Z2는 …" follows a sentence that names Z1, yet it is about Z2.
    assert passages["Z2는 한 번 충전으로 12시간을 운행한다."].features["version_miss"] == 1.0
    assert passages["1세대 Z1은 한 번 충전으로 8시간을 운행했다."].features["version_miss"] == 0.0
    top = kb.retriever.search(z1, k=1)[0]
    assert "8시간" in top.sentence.text
    # "2025년 상반기 …" follows a sentence that names 2024, yet it is about 2025.
    revenue = kb.retriever.prepare("2024년 매출은 얼마야?")
    ranked = {p.sentence.text: p for p in kb.retriever.search(revenue, k=10, join=False)}
    assert ranked["2025년 상반기 매출은 30억원이다."].features["year"] == 0.0
    assert ranked["회사 매출은 2023년 41억원에서 2024년 77억원으로 늘었다."].features["year"] == 1.0
    first_half = next(p for p in kb.retriever.search(revenue, k=10, join=False) if "상반기" in p.sentence.text)
    assert kb.retriever._year_clash(revenue, first_half.sentence) == 1.0
    assert features(revenue, kb.retriever.search(revenue, k=1)[0])["year_clash"] == 0.0


FUNDING = """# 제타로보, 시리즈B 300억원 유치

제타로보는 300억원 규모의 시리즈B 투자 유치를 마무리했다고 밝혔다.
이번 투자에서 인정받은 기업가치는 약 2천억원이다.
한서윤 대표는 "로봇이 물류센터 한 층을 통째로 맡는다"고 말했다.
새벽파트너스가 투자를 이끌었다.
회사는 2026년 9월 새 공장을 연다.
"""


def test_each_part_of_a_multi_part_question_brings_its_own_quote(tmp_path) -> None:
    from knowledge.chain import AnswerChain
    from knowledge.settings import KnowledgeSettings

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "funding.md").write_text(FUNDING, encoding="utf-8")
    settings = KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index")
    chain = AnswerChain(build_knowledge_base(settings), settings=settings)
    answer = chain.ask("제타로보 시리즈B 투자 규모는 얼마였고, 새 공장은 언제 열어?")
    assert answer.found and "300억원" in answer.quotes[0].text
    assert any("2026년 9월" in q.text for q in answer.quotes[1:])
    # The later part's sentence needs the asked kind of figure, not a tie to the first part's names.
    score = chain.ask("제타로보 시리즈B 투자 규모는 얼마였고, 기업가치는 얼마로 인정받았어?")
    assert any("2천억원" in q.text for q in score.quotes[1:])
    single = chain.ask("제타로보 시리즈B 투자 규모는 얼마였어?")
    assert not any("2026년 9월" in q.text for q in single.quotes)
    # A close runner-up answers a later part when the article's best sentence for it does not (a quote, no name).
    lead = chain.ask("How much did Zetarobo raise in its Series B, and who led the round?")
    assert any("새벽파트너스" in q.text for q in lead.quotes)
    # When the best passage answers a later part, the first part brings its own sentence.
    retriever = chain.kb.retriever
    reverse = retriever.prepare("제타로보 새 공장은 언제 열고, 기업가치는 얼마로 인정받았어?")
    valuation = next(p for p in retriever.search(reverse, k=8, join=False) if "2천억원" in p.sentence.text)
    assert any("2026년 9월" in p.sentence.text for p in retriever.part_passages(reverse, valuation))
    led = chain.ask("Who led Zetarobo's Series B, and how much did it raise?")
    assert {"새벽파트너스", "300억원"} <= {w for q in led.quotes for w in ("새벽파트너스", "300억원") if w in q.text}
    # "Who led it, and how much?" answered by the sum's sentence: the lead investor's sentence is brought too.
    who = retriever.prepare("제타로보 시리즈B는 누가 이끌었고, 얼마를 유치했어?")
    raised = next(p for p in retriever.search(who, k=8, join=False) if "300억원" in p.sentence.text)
    assert any("새벽파트너스" in p.sentence.text for p in retriever.part_passages(who, raised))


def test_a_later_parts_figure_does_not_push_out_the_sentence_that_answers_the_first_part() -> None:
    from knowledge.models import Passage, Sentence
    from knowledge.offline import compose
    from knowledge.question import read_question

    def passage(text: str, index: int, score: float, part: float = 0.0) -> Passage:
        sentence = Sentence(text=text, source="f.md", title="t", start=index * 100, end=index * 100 + len(text), paragraph=index + 1, index=index)
        return Passage(sentence=sentence, score=score, features={"part": part} if part else {})

    led, raised = "새벽파트너스가 투자를 이끌었다.", "제타로보는 300억원 규모의 시리즈B 투자 유치를 마무리했다."
    question = read_question("Who led Zetarobo's Series B, and how much did it raise?", 200)
    # The best passage answers "who"; the sum comes from the second part's sentence: both are cited, "who" first.
    draft = compose(question, [passage(led, 0, 0.9), passage(raised, 1, 0.6, part=2.0)], {})
    assert draft.cited == (0, 1) and "30 billion won" in draft.text
    # A runner-up that answers the first part itself (the best passage answered a later one) is cited alone.
    first = read_question("How much did Zetarobo raise, and who led the round?", 200)
    alone = compose(first, [passage(led, 0, 0.9), passage(raised, 1, 0.6, part=1.0)], {})
    assert alone.cited == (1,)


MEMBERS = """# Zeta Games ships Mira 2.0

The first version, Mira 1.0, launched in 2024 with 34 billion parameters. Mira 2.0 comes in two sizes, Mira Lite and Mira Max.

On an internal benchmark, Mira Max scored 81.2, compared with 74.9 for Mira 1.0. Training Mira Max took 3,800 GPUs.
The Zeta robot moves at 1.5m per second and runs for 8 hours.
"""


def test_a_named_member_of_a_family_is_a_sibling_and_units_are_no_versions(tmp_path) -> None:
    from knowledge.gate import features
    from knowledge.numbers import figures_with_units

    kb = _knowledge_base(tmp_path, {"m.md": MEMBERS})
    assert "1.5m" not in kb.retriever.profile.profiles["m.md"].versions  # a speed, not a model
    assert [k for *_, k in figures_with_units("Mira Max scored 81.2, compared with 74.9")][0] == "score"
    gpus = kb.retriever.prepare("How many GPUs were used to train Mira 1.0?")
    assert not gpus.unknown_names  # "GPU" of an article that writes "GPUs" is known
    top = kb.retriever.search(gpus, k=1)[0]
    # "Training Mira Max …" follows a sentence naming Mira 1.0, yet it is about Mira Max.
    assert "3,800" in top.sentence.text and features(gpus, top)["sibling_version"] == 1.0


def test_a_member_no_article_names_of_a_known_product_line_is_unknown(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"m.md": MEMBERS})
    prepare = kb.retriever.prepare
    assert prepare("How many parameters does Mira Ultra have?").unknown_figures == ("mira ultra",)
    assert prepare("미라 2.0 울트라 모델은 파라미터가 몇 개야?").unknown_figures
    # Members the article names, in either script, and ordinary words after the name are known.
    assert not prepare("How many GPUs did Mira Max take?").unknown_figures
    assert not prepare("미라 2.0 맥스는 몇 점 받았어?").unknown_figures
    assert not prepare("What did the Mira models score?").unknown_figures


def test_an_r_before_a_silent_final_e_is_not_written_in_hangul() -> None:
    from knowledge import translit

    assert translit.skeleton("core") == translit.skeleton("코어") and translit.skeleton("care") == translit.skeleton("케어")
    assert translit.skeleton("lite") == translit.skeleton("라이트")


def test_only_one_syllable_spells_a_surname_and_pronouns_are_no_names(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {
        "a.md": "# 제타, 새 칩 공개\n\n【 칩신문=정하늘 기자 】 제타가 새 칩을 공개했다.\n",
        "b.md": "# Zeta Care opens\n\nBy Alex Kim, Imaginary Wire\n\nZeta Care opened a clinic. He said it will grow.\n",
    })
    profile = kb.retriever.profile
    assert profile.surname_matches("Jeong") == ("정하늘",)
    assert profile.surname_matches("Saeon") == ()  # two syllables (sae-on): a company, not 정
    assert "he" not in profile.entity_docs


def test_a_hospital_name_glued_to_its_kind_is_split() -> None:
    from knowledge.locale import ko

    assert ko.ORGANISATION_NAME.match("서림대병원").group(1) == "서림"
    assert ko.ORGANISATION.search("한결병원은 새 센터를 열었다").group(0) == "한결병원"


def test_a_hangul_name_the_story_keeps_as_its_subject_is_an_entity(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {
        "a.md": "# 새 칩 공개\n\n가온칩스는 새 칩을 공개했다. 가온칩스는 2020년에 세워졌다. 가온칩스의 직원은 210명이다.\n",
        "b.md": "# Zeta Care opens\n\nZeta Care has 300 staff and opened a clinic in 2019.\n",
    })
    assert "가온칩스" in kb.retriever.profile.entity_docs  # no kind, no Latin alias: named as the subject three times
    assert "새" not in kb.retriever.profile.entity_docs
    question = kb.retriever.prepare("How many staff does GaonChips have?")
    assert "가온칩스" in question.entities
    assert kb.retriever.search(question, k=1)[0].sentence.source == "a.md"


PLACES = """# 제타캠퍼스 2기 해커톤 마무리
'서울 제타 캠퍼스' 2기 해커톤 대상은 '달빛' 팀이 받았다.
캠퍼스는 3기 교육생 300명을 모집한다.
"""
RANKED = """# 제타칩, 벤치마크 2위
제타칩은 루미벤치 전력 효율 부문에서 참가 칩 17종 가운데 2위에 올랐다.
"""


def test_a_name_of_several_words_is_found_in_the_other_script_and_a_place_not_stated_is_capped(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams

    kb = _knowledge_base(tmp_path, {"places.md": PLACES, "ranked.md": RANKED, "other.md": SIBLINGS})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    # "Seoul Zeta Campus" is 서울 제타 캠퍼스 word by word.
    campus = kb.retriever.prepare("How many trainees will Seoul Zeta Campus recruit?")
    assert "서울 제타 캠퍼스" in campus.entities
    second = kb.retriever.prepare("Which team took second place in the Seoul Zeta Campus hackathon?")
    passages = kb.retriever.search(second, k=1)
    assert "대상" in passages[0].sentence.text and passages[0].features["place_clash"] == 1.0
    assert sure.judge(second, passages).outcome == UNCERTAIN  # the winner is told, not the runner-up
    winner = kb.retriever.prepare("Which team took first place in the Seoul Zeta Campus hackathon?")
    passages = kb.retriever.search(winner, k=1)
    assert passages[0].features["place_clash"] == 0.0 and sure.judge(winner, passages).outcome == ANSWER
    first_chip = kb.retriever.prepare("루미벤치 전력 효율 부문 1위 칩은 뭐야?")
    passages = kb.retriever.search(first_chip, k=1)
    assert "2위" in passages[0].sentence.text and passages[0].features["place_clash"] == 1.0
    assert sure.judge(first_chip, passages).outcome != ANSWER


def test_a_short_word_matches_its_plural() -> None:
    from knowledge.lexical import form_match

    assert form_match("gpu", "training took 3,800 gpus for 41 days") == 1.0
    assert form_match("gpu", "training took 3,800 gpuses") == 0.0


COHORTS = """# 제타 캠퍼스, 3기 모집
제타 캠퍼스는 3기 교육생 300명을 모집한다.
1기 사업비는 62억원이었고, 2기 사업비는 90억원으로 늘었다.
2기 경쟁률은 약 11.7대 1이었다.
"""
OTHER_EN = """# Mira Robotics opens an academy

Mira Robotics opened an academy whose budget was raised this year for its students.
The academy trains 45 students per cohort in robotics and data science.
"""


def test_a_cohort_or_a_stage_is_one_unit_spelled_in_both_languages(tmp_path) -> None:
    from knowledge.lexical import analyse

    units = {u.label: u for u in analyse("How competitive was admission to cohort 2?")}
    assert "2기" in units["2기"].forms and units["2기"].figure and "2" not in units and "cohort" not in units
    first = {u.label: u for u in analyse("the budget for the first cohort")}["first cohort"]
    assert {"1기", "cohort 1", "1st cohort"} <= set(first.forms)
    assert "second phase" in {u.label: u for u in analyse("2단계 예산")}["2단계"].forms
    kb = _knowledge_base(tmp_path, {"cohorts.md": COHORTS, "academy.md": OTHER_EN})
    question = kb.retriever.prepare("What was the budget for the second cohort?")
    assert question.entities == ()  # a cohort is not a name
    top = kb.retriever.search(question, k=1)[0].sentence
    assert top.source == "cohorts.md" and "2기 사업비" in top.text


def test_a_funding_round_is_one_unit_in_both_scripts_and_another_letter_is_another_round() -> None:
    from knowledge.lexical import analyse, form_match

    units = {u.label: u for u in analyse("Which investor led the Series B round?")}
    assert "시리즈b" in units["series b"].forms and "series" not in units
    assert {u.label for u in analyse("시리즈B에 누가 들어왔어?")} >= {"series b"}
    assert form_match("시리즈b", "이번 시리즈b에는 해솔벤처스가") == 1.0
    assert form_match("시리즈b", "이번 시리즈c에는 해솔벤처스가") == 0.0
    assert form_match("누리2", "누리3는 지난달 나왔다") == 0.0


MIRA3 = """# Mira Robotics plans a third Mira

Mira Robotics sold 300 units of Mira 2 last year. A third system, Mira 3, is being designed for 2027.
"""


def test_versions_are_read_from_the_question_not_from_slack_ids_or_generations(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"mira.md": MIRA3, "cohorts.md": COHORTS})
    assert kb.retriever.prepare("<@U123> how many units of Mira 2 were sold?").versions == ("mira 2",)
    assert "mira 3" in kb.retriever.prepare("미라 3은 언제 나와?").versions  # the article names "Mira 3"
    assert kb.retriever.prepare("미라2세대는 몇 대 팔렸어?").versions == ()  # 2세대: a generation, not "미라 2"


def test_a_cohort_the_sentence_does_not_state_while_stating_another_caps_the_answer(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams

    listed = COHORTS + "1·2기를 합친 누적 수료생은 291명이며, 이 가운데 218명이 취업에 성공했다.\n"
    kb = _knowledge_base(tmp_path, {"cohorts.md": listed})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    third = kb.retriever.prepare("제타 캠퍼스 3기 사업비는 얼마야?")
    budgets = next(s for s in kb.retriever.sentences if "2기 사업비" in s.text)
    assert kb.retriever._place_clash(third, budgets) == 1.0  # 1기 and 2기 are told, not 3기
    passages = kb.retriever.search(third, k=1)
    assert passages[0].sentence != budgets and sure.judge(third, passages).outcome == UNCERTAIN
    second = kb.retriever.prepare("제타 캠퍼스 2기 사업비는 얼마야?")
    passages = kb.retriever.search(second, k=1)
    assert passages[0].features["place_clash"] == 0.0 and sure.judge(second, passages).outcome == ANSWER
    # "1·2기" states both cohorts.
    first = kb.retriever.prepare("1기 수료생 중 취업한 사람은 몇 명이야?")
    passages = kb.retriever.search(first, k=1)
    assert "1·2기" in passages[0].sentence.text and passages[0].features["place_clash"] == 0.0


TRIALS = """# 제타팜, 일본서 실증
제타팜은 2026년 하반기 일본 시즈오카현의 딸기 온실에서 로봇 실증을 시작한다.
제타팜의 로봇은 시간당 딸기 1천450개를 딴다.
"""


def test_a_place_the_answering_article_never_names_caps_the_answer(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams

    kb = _knowledge_base(tmp_path, {"trials.md": TRIALS})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    us = kb.retriever.prepare("In which US state will Zetafarm run its field trials?")
    passages = kb.retriever.search(us, k=1)
    assert passages[0].features["place_absent"] == 1.0 and sure.judge(us, passages).outcome == UNCERTAIN
    japan = kb.retriever.prepare("Where in Japan will Zetafarm run its field trials?")
    passages = kb.retriever.search(japan, k=1)
    assert passages[0].features["place_absent"] == 0.0 and sure.judge(japan, passages).outcome == ANSWER
    tell_us = kb.retriever.prepare("tell us how many strawberries the robot picks per hour")
    assert kb.retriever.search(tell_us, k=1)[0].features["place_absent"] == 0.0  # "us" is no place


ROUND = """# 제타팜, 시리즈B 유치
스마트팜 스타트업 제타팜(Zetafarm)이 딸기 로봇 '미라봇(Mirabot)'의 2세대 모델을 공개하고 320억원 규모의 시리즈B 투자를 유치했다고 14일 밝혔다.
이번 시리즈B에는 해솔벤처스가 리드 투자자로 참여했고, 일본 농기계 업체 사쿠라농기(Sakura Agri)가 새로 합류했다.
"""


def test_a_figure_in_a_later_clause_belongs_to_the_sentence_subject(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams
    from knowledge.scoping import tied_figures

    kb = _knowledge_base(tmp_path, {"round.md": ROUND, "lab.md": LAB_EN})
    lede = ROUND.splitlines()[1]
    raised = kb.retriever.prepare("제타팜이 유치한 시리즈B 투자 규모는 얼마야?")
    # 320억원 follows 미라봇's clause ("…을 공개하고"), yet the sentence's subject, 제타팜, raised it.
    assert [f[0] for f in tied_figures(raised, lede, kb.retriever.names)] == [32_000_000_000.0]
    assert "2세대" not in kb.retriever.names  # a generation is a figure, not a name
    # A figure in brackets after another name stays that name's.
    assert tied_figures(kb.retriever.prepare("제타팜의 매개변수는 몇 개야?"),
                        "제타팜은 미라봇(6710억 개 매개변수)의 5% 수준 매개변수로도 좋은 성능을 냈다.", kb.retriever.names) == []
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    put_in = kb.retriever.prepare("사쿠라농기는 제타팜 시리즈B에 얼마를 넣었어?")
    assert "사쿠라농기" in put_in.entities  # "농기계 업체 사쿠라농기(Sakura Agri)": 업체 is no part of the name
    passages = kb.retriever.search(put_in, k=1)
    # The round's total is 제타팜's, not 사쿠라농기's stake.
    assert "320억원" in passages[0].sentence.text and passages[0].features["subject_absent"] == 1.0
    assert sure.judge(put_in, passages).outcome == UNCERTAIN


def test_a_number_before_a_korean_counter_is_no_part_of_a_latin_name(tmp_path) -> None:
    text = "# 제타 캠퍼스\n제타 캠퍼스는 클라우드 GPU 64장을 교육생에게 나눠 배정한다. 시리즈B 320억원을 유치한 제타팜(Zetafarm)과 손잡았다.\n"
    kb = _knowledge_base(tmp_path, {"gpu.md": text})
    names = set(kb.retriever.profile.entity_docs)
    assert "gpu 64" not in names and "b 320" not in names
    question = kb.retriever.prepare("How many cloud GPUs does Zeta Campus hand out?")
    top = kb.retriever.search(question, k=1)[0]
    assert "64장" in top.sentence.text and top.features["kind"] > 0  # 64 is the count asked, not a name's number


GAUSS = """# 제타AI, 멀티모달 모델 '제타2' 공개
제타2는 텍스트와 코드, 이미지를 한꺼번에 다루는 멀티모달 모델이며 쓰임새에 따라 세 종류로 나뉜다.
제타2는 13개 언어의 통화를 실시간으로 통역한다.
"""


def test_how_many_x_needs_a_sentence_that_writes_x() -> None:
    from knowledge.question import counted_noun

    assert counted_noun("how many languages does zeta2 support?") == "languages"
    assert counted_noun("제타2는 언어 몇 개 지원해?") == "언어"
    assert counted_noun("how many people joined?") == counted_noun("시간당 몇개 따?") == counted_noun("몇 명이야?") == ""


def test_a_count_of_something_else_is_no_answer_to_how_many_x(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams

    kb = _knowledge_base(tmp_path, {"zeta.md": GAUSS})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    retriever = kb.retriever
    three = next(s for s in retriever.sentences if "세 종류" in s.text)
    thirteen = next(s for s in retriever.sentences if "13개 언어" in s.text)
    languages = retriever.prepare("How many languages does Zeta2 interpret?")
    assert retriever._counted_absent(languages, three) == 1.0 and retriever._counted_absent(languages, thirteen) == 0.0
    passages = retriever.search(languages, k=1)
    outcome = sure.judge(languages, passages).outcome
    assert (passages[0].sentence == thirteen and outcome == ANSWER) or (passages[0].sentence == three and outcome == UNCERTAIN)


PHASES = """# 제타 컨소시엄 2단계 착수
제타 컨소시엄은 제조 AI 공동 연구를 위해 꾸려졌다.
1단계(2023~2024년)에는 총사업비 420억 원이 들어갔으며, 이 가운데 국비가 300억 원, 참여 기업이 낸 민간 부담금이 120억 원이었다.
1단계에는 중소 제조기업 27곳과 대학 4곳이 참여했다.
2단계는 내년부터 3년간 이어진다. 3년간 총 760억 원이 투입되며, 국비 520억 원에 민간 240억 원이 더해진다.
"""


def test_a_sentence_about_another_stage_gives_way_to_one_about_the_asked_stage(tmp_path) -> None:
    from knowledge.gate import features
    from knowledge.numbers import figures_with_units

    kb = _knowledge_base(tmp_path, {"phases.md": PHASES})
    second = kb.retriever.prepare("2단계 사업비 중 국비와 민간 부담금은 각각 얼마입니까?")
    passages = kb.retriever.search(second, k=3)
    assert "520억" in passages[0].sentence.text and passages[0].features["place_clash"] == 0.0
    assert features(second, passages[0])["top_p"] >= 0.5  # the passed-over 1단계 sentence holds no belief
    first = kb.retriever.prepare("1단계 사업비 중 국비는 얼마야?")
    assert "300억" in kb.retriever.search(first, k=1)[0].sentence.text
    assert [(v, k) for v, *_, k in figures_with_units("How many firms joined phase two?")] == [(2.0, "phase")]
    # "제조기업 27곳" counts 기업: a Korean compound ends in its head.
    companies = kb.retriever.prepare("제타 컨소시엄 1단계 때 기업 몇 개 참여했어?")
    top = kb.retriever.search(companies, k=1)[0]
    assert "27곳" in top.sentence.text and top.features["counted_absent"] == 0.0


def test_a_sentence_stating_its_own_cohort_is_not_spoken_for_by_the_one_before(tmp_path) -> None:
    text = "# 제타 펠로우\n4기에는 3천140명이 지원해 약 26대 1의 경쟁률을 기록했다. 5기까지 누적 지원자는 1만2천명을 넘었고 560명이 수료했다.\n"
    kb = _knowledge_base(tmp_path, {"fellows.md": text})
    fourth = kb.retriever.prepare("제타 펠로우 4기 지원자 수는?")
    total = next(s for s in kb.retriever.sentences if "5기까지" in s.text)
    assert kb.retriever._place_clash(fourth, total) == 1.0  # its own 5기, whatever the sentence before says
    assert "3천140명" in kb.retriever.search(fourth, k=1)[0].sentence.text


def test_an_age_asked_of_a_passage_that_states_none_is_capped(tmp_path) -> None:
    from knowledge.gate import ANSWER, UNCERTAIN, Gate, GateParams

    text = "# 제타랩스\n제타랩스의 한도윤 대표는 2019년 회사를 세웠다. 지원 자격은 만 34세 이하 청년이다.\n"
    kb = _knowledge_base(tmp_path, {"zeta.md": text})
    sure = Gate(GateParams(weights={}, bias=5.0, answer_at=0.6, uncertain_at=0.5))  # p = 0.99 whatever the features
    age = kb.retriever.prepare("제타랩스 한도윤 대표는 올해 몇 살이야?")
    passages = kb.retriever.search(age, k=1)
    assert "2019년" in passages[0].sentence.text and sure.judge(age, passages).outcome == UNCERTAIN
    cap = kb.retriever.prepare("제타랩스 지원 자격의 나이 제한은 몇 살이야?")
    passages = kb.retriever.search(cap, k=1)
    assert "34세" in passages[0].sentence.text and sure.judge(cap, passages).outcome == ANSWER


CYCLE_EN = """# Nova Cycle doubles its recycling output

Nova Cycle said its revenue rose 38% to 412 billion won in 2024.
The Pohang-based firm plans a second plant in 2026.
"""

CYCLE_KO = """# 바다로직스, 물류 AI 매출 늘어

바다로직스의 올해 매출은 112억 원으로 지난해보다 75% 늘었다.
회사는 내년 해외 진출을 준비하고 있다.
"""


def test_a_latin_name_of_two_words_is_found_from_its_one_word_hangul_spelling(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"nova.md": CYCLE_EN, "bada.md": CYCLE_KO})
    # 노바사이클 mixes a romanised Korean word and an English loanword; it is one word in Hangul.
    assert "nova cycle" in kb.retriever.profile.transliterations("노바사이클")
    assert "nova cycle" in kb.retriever.prepare("노바사이클 매출 얼마야?").entities
    passages = kb.retriever.search("노바사이클의 매출은 얼마나 늘었어?", k=1)
    assert passages and passages[0].sentence.source == "nova.md"


BRIDGE = """# 동남권 제조AI 컨소시엄 'K-브릿지' 2단계 돌입
K-브릿지는 2023년 1월 출범했다. 1단계에는 제조기업 27곳이 참여했다.
"""

TOWER = """# Zeta Tower opens
Zeta Tower opened in 2024 with 27 floors.
"""


def test_a_hyphenated_name_of_mixed_scripts_is_found_from_its_latin_spelling(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"bridge.md": BRIDGE, "tower.md": TOWER})
    assert "k-브릿지" in kb.retriever.profile.profiles["bridge.md"].entities  # quoted, Latin head + Hangul
    question = kb.retriever.prepare("When did K-Bridge launch?")
    assert "k-브릿지" in question.entities and all(u.known for u in question.units if u.label == "k-bridge")
    assert kb.retriever.search(question, k=1)[0].sentence.source == "bridge.md"


def test_won_is_money_only_as_a_currency() -> None:
    from knowledge.question import read_question

    assert "money" not in read_question("Which company won the top award?", 2000).wants
    assert "money" in read_question("How many won does it cost?", 2000).wants
    assert "money" in read_question("Was it 5 billion won or more?", 2000).wants


HELM_GENERATIONS = """# Zeta Marine launches HelmBot 3

Zeta Marine launched HelmBot 3 in May 2025 for cargo ships.
HelmBot 3 recognises objects at night with 96.4% accuracy.
The first-generation HelmBot, launched in 2021, was installed on 37 vessels and recognised objects with 91.3% accuracy.
HelmBot 2 was sold to 12 shipowners in Norway.
"""


def test_a_sentence_about_another_generation_does_not_answer_the_asked_one(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"helm.md": HELM_GENERATIONS})
    r = kb.retriever
    by_text = {s.text[:20]: s for s in r.sentences}
    first_gen, second = by_text["The first-generation"], by_text["HelmBot 2 was sold t"]
    # Version 2 asked: the first generation is another one; 헬름봇 2 in Hangul is the same question.
    for asked in ("What accuracy did HelmBot 2 reach?", "헬름봇 2의 정확도는 몇 %야?"):
        question = r.prepare(asked)
        assert r._generation_clash(question, first_gen) == 1.0 and r._generation_clash(question, second) == 0.0
    # The first generation asked: a sentence about HelmBot 2 is about another one, its own sentence is not.
    question = r.prepare("Which shipowners bought the first-generation HelmBot?")
    assert r._generation_clash(question, second) == 1.0 and r._generation_clash(question, first_gen) == 0.0
    top = r.search(r.prepare("How many vessels got the first-generation HelmBot?"), k=1)[0]
    assert top.sentence.text.startswith("The first-generation") and top.features["sibling_version"] == 0.0


INVESTORS = """# 제타칩, 시리즈B 320억원 유치
제타칩이 시리즈B 투자 유치를 마무리했다. 투자 규모는 320억원이다.
이번 시리즈B에는 누리벤처스가 리드 투자자로 나섰고, 한솔캐피탈이 새로 합류했다.
제타칩은 2020년 설립됐다.
"""


def test_who_is_answered_by_an_investor_or_a_firm_as_well_as_a_person(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"round.md": INVESTORS})
    question = kb.retriever.prepare("제타칩 시리즈B는 누가 리드했어?")
    top = kb.retriever.search(question, k=1)[0]
    assert "누리벤처스" in top.sentence.text and top.features["kind"] > 0.0
    # A firm the question names itself is no answer to "who".
    assert not kb.retriever._names_party(kb.retriever.prepare("누리벤처스는 누구야?"), "누리벤처스가 투자했다.")


STAGES_KO = """# 제타 컨소시엄 2단계 돌입
제타 컨소시엄은 1단계 사업을 마쳤다. 2단계에는 3년간 총 760억 원이 투입된다.
"""

GENERATION_EN = """# Nova Cycle opens a plant

Nova Cycle will invest 290 billion won in its second-generation recycling line, which opens in 2027.
"""


def test_an_article_that_never_states_the_asked_stage_gives_way_to_one_that_does(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"zeta.md": STAGES_KO, "nova.md": GENERATION_EN})
    # A second generation is no phase two: the English article states none, the Korean one states 2단계.
    question = kb.retriever.prepare("How much will be spent on phase two?")
    assert kb.retriever._never_states_asked_stage(question, "nova.md")
    assert not kb.retriever._never_states_asked_stage(question, "zeta.md")
    assert kb.retriever.search(question, k=1)[0].sentence.source == "zeta.md"


ROUND_B = """# 파미온, 시리즈B 320억원 유치
이번 시리즈B에는 한빛벤처스가 리드 투자자로 참여했다. 기존 투자자인 스파크랩도 후속 투자했다.
"""

ROUND_C = """# Nuri Maritime doubles revenue

In July the company raised 95 billion won in a Series C round led by Mirae Partners. The round valued Nuri at 720 billion won.
"""


def test_an_article_that_never_states_the_asked_funding_round_gives_way_to_one_that_does(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"farmion.md": ROUND_B, "nuri.md": ROUND_C})
    question = kb.retriever.prepare("Which investor led the Series C?")
    assert kb.retriever._never_states_asked_stage(question, "farmion.md")
    assert kb.retriever.search(question, k=1)[0].sentence.source == "nuri.md"



def test_a_runner_up_that_writes_what_is_asked_replaces_a_best_sentence_that_writes_only_its_names(tmp_path) -> None:
    # A blind set's English article (tests/data/holdout19): the lede names the K3 and a date; the answer is later.
    launch = (Path(__file__).parent / "data" / "holdout19" / "seeds" / "veridian-kestrel-k3.md").read_text(encoding="utf-8")
    kb = _knowledge_base(tmp_path, {"kestrel.md": launch})
    question = kb.retriever.prepare("케스트럴 K3 양산은 언제 시작돼?")
    assert "volume production" in kb.retriever.search(question, k=1)[0].sentence.text



def test_the_day_a_plan_was_told_does_not_answer_when_it_starts(tmp_path) -> None:
    from knowledge.gate import Gate

    # A blind set's Korean article (tests/data/holdout19): the lede tells the plan "지난 14일"; it starts 11월 1일.
    hospital = (Path(__file__).parent / "data" / "holdout19" / "seeds" / "daejeon-hanbyeol-hospital-ai.txt").read_text(encoding="utf-8")
    kb = _knowledge_base(tmp_path, {"hospital.txt": hospital})
    start = kb.retriever.prepare("AI 판독 응급실에 언제부터 전면 시행한대?")
    assert "11월 1일부터" in kb.retriever.search(start, k=1)[0].sentence.text
    # Asked when it was announced, the lede answers; its short name (한별대병원) is the same subject, and "AI" is no
    # other name that would make the figure someone else's.
    told = kb.retriever.prepare("한별대병원이 AI 판독 도입을 언제 발표했어?")
    passages = kb.retriever.search(told, k=5)
    assert "지난 14일 밝혔다" in passages[0].sentence.text and Gate().judge(told, passages).outcome == "answer"



def test_a_name_and_its_paired_spelling_are_one_thing_across_articles(tmp_path) -> None:
    # A blind set's articles (tests/data/holdout20): the Korean one names "보칼리스(Vocalis)" in passing; the English
    # one is about Vocalis and never writes 보칼리스. Asked in Korean, the English article is still the subject.
    root = Path(__file__).parent.parent
    paths = [root / "seeds" / "lg-ai-strategy-exaone-deep.md", *sorted((root / "tests" / "data" / "holdout20" / "seeds").iterdir())]
    kb = _knowledge_base(tmp_path, {path.name: path.read_text(encoding="utf-8") for path in paths})
    question = kb.retriever.prepare("보칼리스 ARR 지금 얼마고 1년 전엔 얼마였음?")  # h20-46
    assert kb.retriever._naming("보칼리스") == {"hanbit-edu-ai-tutor.txt", "vocalis-parla3-speech-translation.md"}
    assert kb.retriever.search(question, k=1)[0].sentence.source == "vocalis-parla3-speech-translation.md"



def test_a_version_written_before_the_word_version_is_known(tmp_path) -> None:
    # A blind set's article (tests/data/holdout20): "2023년 시범 운영한 1.0 버전은 …, 2.0 버전은 …".
    tutor = (Path(__file__).parent / "data" / "holdout20" / "seeds" / "hanbit-edu-ai-tutor.txt").read_text(encoding="utf-8")
    kb = _knowledge_base(tmp_path, {"tutor.txt": tutor})
    question = kb.retriever.prepare("스스로쌤 1.0이랑 2.0 뭐가 달라짐?")
    assert question.unknown_figures == ()
    assert kb.retriever.prepare("스스로쌤 3.0은 언제 나와?").unknown_figures  # a version no article states


NOVA_YEARS = """# Nova Cycle results

Nova Cycle reported that revenue for 2024 climbed 38% to 412.6 billion won, and operating profit rose to 41 billion won. For the first nine months of 2025, revenue reached 356.2 billion won, up 21% year on year.
"""


def test_a_sentence_of_the_same_article_that_states_the_asked_year_comes_first(tmp_path) -> None:
    from knowledge.gate import features

    kb = _knowledge_base(tmp_path, {"nova.md": NOVA_YEARS})
    r = kb.retriever
    nine_months = next(s for s in r.sentences if s.text.startswith("For the first nine months"))
    # Asked of 2024, the 2025 sentence clashes; wherever it ranks, the 2024 sentence is put first.
    question = r.prepare("노바사이클의 2024년 매출은 얼마였어?")
    assert r._year_clash(question, nine_months) == 1.0
    assert "2024" in r.search(question, k=1)[0].sentence.text
    # Operating profit named by the sentence before does not make the revenue sentence an answer to it.
    from knowledge.models import Passage

    profit = r.prepare("What was Nova Cycle's operating profit for 2025?")
    after_profit = Passage(sentence=nine_months, score=1.0, context=r._context(nine_months))
    assert "operating profit" in after_profit.context
    assert features(profit, after_profit)["metric_missing"] == 1.0


GAME_EN = """# Zeta Studios posts record half

Zeta Studios said its open-world game "Timber Tides" passed 9.3 million cumulative downloads in June.
The studio pays royalties to 45 voice actors whose voices train its characters.
"""

GAME_KO = """# 해솔로직스, 항로 AI 공개

해솔로직스는 항로 최적화 AI '웨이브-13B'를 공개했다. 누적 투자 유치액은 620억 원으로 늘었다.
"""


def test_a_hangul_spelling_of_an_english_plural_and_of_a_two_word_title_finds_it(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"zeta.md": GAME_EN, "haesol.md": GAME_KO})
    r = kb.retriever
    assert "royalties" in r.profile.transliterations("로열티")  # a plural is written without its s in Hangul
    # "팀버 타이드" is two Hangul words for one Latin name of two words.
    question = r.prepare("팀버 타이드 누적 다운로드 수가 얼마나 돼요?")
    assert "timber tides" in question.entities
    assert r.search(question, k=1)[0].sentence.source == "zeta.md"


FOUNDING = """# 제타그룹, AI 연구 확대

제타그룹은 AI 분야 경쟁력 확보를 위해 지난 2020년 제타연구소를 출범시켰다.
이후 제타그룹은 2021년 제타연구소를 통해 초거대 AI 모델을 공개했다.
제타 관계자는 "설립 당시 인원은 40여명이었고 현재는 약 200명 규모에 달한다"고 밝혔다.
"""


def test_a_close_runner_up_that_states_the_asked_kind_of_figure_comes_first(tmp_path) -> None:
    from dataclasses import replace

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "zeta.md").write_text(FOUNDING, encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    retriever = kb.retriever
    question = retriever.prepare("제타연구소는 설립 때 몇 명으로 시작했어?")
    found = {p.sentence.text[:4]: p for p in retriever.search(question, k=3, join=False)}
    opened, staff = found["제타그룹"], found["제타 관"]
    # The best sentence states a year, a runner-up the head count: the head count comes first when it is close.
    ranked = [replace(opened, score=0.3, features={**opened.features, "kind": 0.0, "coverage": 0.4}),
              replace(staff, score=0.25, features={**staff.features, "kind": 1.0, "coverage": 0.4})]
    assert retriever._prefer_stated_kind(question, ranked)[0].sentence is staff.sentence
    far = [ranked[0], replace(ranked[1], score=0.1)]
    assert retriever._prefer_stated_kind(question, far)[0].sentence is opened.sentence
    # One that matches fewer of the question's words is about something else (an age of applicants, not the CEO's).
    unlike = [ranked[0], replace(ranked[1], features={**ranked[1].features, "coverage": 0.1})]
    assert retriever._prefer_stated_kind(question, unlike)[0].sentence is opened.sentence
    # A question that asks for no figure keeps the ranking.
    what = retriever.prepare("제타연구소는 무엇을 연구해?")
    assert retriever._prefer_stated_kind(what, ranked)[0].sentence is opened.sentence


def test_a_number_glued_to_a_name_is_its_version_stated_as_a_bare_number() -> None:
    from knowledge.numbers import kinded_values, unknown_figures, values

    article = ["Muse 2 has 14 billion parameters, double the first generation.", "총 3명이 참여했다."]
    known, kinded = values(article), kinded_values(article)
    assert unknown_figures("뮤즈2 파라미터 몇개야?", known, kinded) == []
    assert unknown_figures("뮤즈3 파라미터 몇개야?", known, kinded) == ["3"]  # 3명 is no version


HARVEST = """# 제타팜, 수확로봇 '딸봇 2세대' 공개

제타팜이 딸기 수확로봇 '딸봇 2세대'를 공개했다.

2023년 처음 선보인 1세대 딸봇은 카메라 2대로 익은 딸기를 골라 시간당 약 600개를 땄지만, 손상률이 7.8%에 달했다. 2세대는 카메라를 4대로 늘리고 집게를 바꿨다. 시간당 수확량은 1천450개로 1세대의 두 배를 넘고, 손상률은 1.9%로 낮아졌다.

2세대 딸봇은 2026년 3월부터 농가 40곳에 먼저 보급된다.
"""


def test_a_generation_named_only_as_the_base_of_a_comparison_is_not_what_the_sentence_is_about(tmp_path) -> None:
    from knowledge.numbers import compared_places

    assert compared_places("시간당 수확량은 1천450개로 1세대의 두 배를 넘었다.") == {(1.0, "phase")}
    assert compared_places("It rated natural 92% of the time, compared with 78% for the first generation.") == {(1.0, "phase")}
    assert compared_places("2세대는 카메라를 4대로 늘렸다.") == set()
    kb = _knowledge_base(tmp_path, {"harvest.md": HARVEST})
    for asked in ("딸봇 2세대는 시간당 몇 개 따?", "딸봇2세대 시간당 몇개 따?"):
        top = kb.retriever.search(kb.retriever.prepare(asked), k=1)[0]
        assert "1천450개" in top.sentence.text, asked


def test_the_new_or_the_legacy_product_means_a_generation_of_those_the_article_states(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"harvest.md": HARVEST})
    for asked, expected in (("신형 딸봇 손상률은 몇 %야?", "1.9%"), ("What's the damage rate on the new Ttalbot?", "1.9%"),
                            ("기존 모델 손상률은 몇 %였어?", "7.8%")):
        top = kb.retriever.search(kb.retriever.prepare(asked), k=1)[0]
        assert expected in top.sentence.text, asked
    # An article that states one generation gives "new" no number.
    (tmp_path / "one").mkdir()
    single = _knowledge_base(tmp_path / "one", {"one.md": "# 제타\n\n제타팜의 1세대 딸봇은 손상률이 7.8%다.\n"})
    assert single.retriever._implied_generation("신형 딸봇 손상률은?", "one.md") is None
    assert kb.retriever._implied_generation("the original Ttalbot", "harvest.md", ("딸봇",)) == 1.0
    # "New" qualifies a product of the article, not other products ("which new products will it launch?").
    assert kb.retriever._implied_generation("Which new products will Zetafarm launch?", "harvest.md", ("딸봇",)) is None


def test_an_inflected_english_word_is_not_respelled_as_a_hangul_name(tmp_path) -> None:
    from knowledge.retrieval import _english_word

    text = "# 제타, 라이트 출시\n\n제타는 경량판 '라이트'를 월 49만 원에 내놓았다. 상위판 '노바'는 월 90만 원이다.\n"
    kb = _knowledge_base(tmp_path, {"zeta.md": text})
    assert "라이트" not in kb.retriever.prepare("How often was the model rated natural?").entities
    assert "노바" in kb.retriever.prepare("How much does Nova cost?").entities
    assert _english_word("rated", "it was rated natural") and not _english_word("rated", "Rated R")
    assert _english_word("company", "which company") and not _english_word("lite", "lite price")


RELATIVE_YEARS = """# 제타로보, 상반기 매출 30억원

(서울=제타뉴스) 김하늘 기자 = 제타로보는 2025년 8월 14일 상반기 실적을 발표했다.

제타로보의 올해 상반기 매출은 30억원으로 집계됐다. 회사의 지난해 매출은 41억원이었다. 회사는 올해 연간 매출 목표를 90억원으로 제시했다.
"""


def test_years_written_relative_to_the_article_are_its_years(tmp_path) -> None:
    from knowledge.numbers import article_year, relative_years

    assert relative_years("지난해 매출은", 2025) == {"2024"} and relative_years("올 상반기 매출", 2025) == {"2025"}
    assert relative_years("next year", 2025) == {"2026"} and relative_years("지난해", None) == frozenset()
    assert article_year("2024-03-02", "") == 2024 and article_year("", "제타는 2025년 8월 14일 발표했다.") == 2025
    kb = _knowledge_base(tmp_path, {"zeta.md": RELATIVE_YEARS})
    top = kb.retriever.search(kb.retriever.prepare("What was Zetarobo's revenue in 2024?"), k=1)[0]
    assert "41억원" in top.sentence.text


def test_a_company_written_solid_with_its_kind_is_named_by_its_name_alone(tmp_path) -> None:
    from knowledge.profile import _profile

    entities = _profile("p.md", "x", ("제타손해보험은 AI 상담을 도입했다. 제타손보는 클린테크와 자동차보험 사업도 한다.", "누리랩스는 국내은행과 협력한다.")).entities
    assert {"제타", "누리"} <= entities and not entities & {"클린", "자동차", "국내"}
    kb = _knowledge_base(tmp_path, {"nuri.md": "# 누리손해보험, AI 상담 도입\n\n누리손해보험은 AI 상담원 '아리'를 도입했다.\n"})
    assert "누리" in kb.retriever.prepare("How many calls does Nuri's agent handle?").entities


BUDGET = """# 제타 컨소시엄 2단계 돌입

제타 컨소시엄의 1단계에는 총사업비 420억 원이 들어갔다. 2단계에는 3년간 총 760억 원이 투입되며, 국비 520억 원에 민간 240억 원이 더해진다.

제타칩은 시리즈B에서 300억 원을 유치했다. 최우수상은 '온새미로' 팀과 '별헤는밤' 팀에 돌아갔다.
"""


def test_a_budget_is_told_as_a_sum_spent_a_price_is_not_a_funding_round_and_a_quoted_team_is_named(tmp_path) -> None:
    from knowledge.gate import metric_missing
    from knowledge.question import wanted_figures

    assert "people" in wanted_figures("how many ai professionals did it turn out?")
    kb = _knowledge_base(tmp_path, {"zeta.md": BUDGET})
    from knowledge.models import Passage

    def found(start: str) -> Passage:
        return next(Passage(sentence=s, score=1.0) for s in kb.retriever.sentences if s.text.startswith(start))

    phase_two, funding = found("2단계에는"), found("제타칩은")
    assert metric_missing(kb.retriever.prepare("2단계 사업비는 얼마야?"), phase_two) == 0.0
    assert metric_missing(kb.retriever.prepare("How much did the first phase cost?"), found("제타 컨소시엄")) == 0.0
    assert metric_missing(kb.retriever.prepare("How much will a single Zeta chip cost?"), funding) == 1.0
    teams = kb.retriever.prepare("최우수상 받은 팀 이름 알려줘")
    assert kb.retriever._names_party(teams, found("최우수상은").sentence.text)
    assert not kb.retriever._names_party(teams, phase_two.sentence.text)


def test_more_byline_styles_outlet_in_brackets_slash_reporter_and_a_title_over_a_by_line() -> None:
    bracket = parse_document("a.md", "# 다온, 누리3 공개\n\n[코리아AI타임스] 윤서진 기자 = 다온인텔리전스가 누리3를 내놓았다. 직원은 280명이다.\n")
    assert (bracket.outlet, bracket.author) == ("코리아AI타임스", "윤서진")
    assert bracket.sentences[0].credit and bracket.sentences[1].text == "다온인텔리전스가 누리3를 내놓았다."
    slash = parse_document("b.md", "청솔메디컬AI가 하람2를 내놓았다. 직원은 120명이다.\n\n/정다은 기자\n")
    assert (slash.author, slash.title) == ("정다은", "")
    assert [s.text for s in slash.sentences if s.credit] == ["/정다은 기자"]
    txt = parse_document("c.txt", "Tsubame Labs launches Koyo 4\nBy Priya Raman | Meridian Tech Daily | June 12, 2025\n\n"
                                  "Tsubame Labs on Thursday released Koyo 4. It has two editions.\n")
    assert (txt.title, txt.outlet, txt.author, txt.date) == ("Tsubame Labs launches Koyo 4", "Meridian Tech Daily", "Priya Raman", "2025-06-12")
    assert [s.text for s in txt.sentences if not s.credit] == ["Tsubame Labs on Thursday released Koyo 4.", "It has two editions."]
    # A lede is never promoted to a title, even above a by-line.
    lede = parse_document("d.txt", "Tsubame Labs released Koyo 4 on Thursday.\nBy Priya Raman, Meridian Tech Daily\n")
    assert lede.title == "" and lede.sentences[0].text == "Tsubame Labs released Koyo 4 on Thursday."


def test_an_english_wire_dateline_and_section_heads_and_photo_captions_are_not_sentences() -> None:
    wire = parse_document("w.txt", "SEOUL, March 3 (Example Wire) - Hanbit Labs released Nuri 2 on Monday. It costs $20.\n")
    assert (wire.outlet, wire.sentences[0].text) == ("Example Wire", "Hanbit Labs released Nuri 2 on Monday.")
    text = "# 다온, 누리3 공개\n\n다온이 누리3를 공개했다.\n\n▲ 한재윤 대표가 누리3를 시연하고 있다. [사진=다온]\n\n■ 창업 6년 만에 직원 280명\n\n직원은 약 280명이다.\n"
    doc = parse_document("s.md", text)
    assert [s.text for s in doc.sentences] == ["다온이 누리3를 공개했다.", "직원은 약 280명이다."]
    assert doc.images[0]["caption"].startswith("한재윤 대표가")


def test_a_figure_past_the_end_of_its_clause_is_not_the_next_names() -> None:
    from dataclasses import replace

    question = replace(read_question("누리3 프로 정답률 몇이야?", 2000), entities=("누리3 프로",))
    text = "회사 측에 따르면 누리3 프로는 자체 한국어 이해 평가에서 정답률 96.3%를 기록해, 지난해 내놓은 2세대 '누리2'(91.7%)보다 4.6%포인트 높아졌다."
    tied = [text[s:e] for _, s, e, _ in tied_figures(question, text, ["누리3 프로", "누리2"])]
    assert "96.3%" in tied and "91.7%" not in tied


def test_a_company_written_solid_with_a_loanword_kind_is_named_by_its_name() -> None:
    profile = CorpusProfile.build([parse_document("d.md", "다온인텔리전스가 누리3를 공개했다. 뷰메디랩은 루나를 내놓았다.\n")])
    assert {"다온", "뷰메디"} <= set(profile.entity_docs)
    # ... and a public body or an institution: "Hanbit" names 한빛시교육청, "Hanbyeol" 한별대학교병원.
    profile = CorpusProfile.build([parse_document("e.md", "한빛시교육청이 AI 교사를 도입했다. 한별대학교병원은 응급실에 AI를 들였다.\n")])
    assert {"한빛", "한별"} <= set(profile.entity_docs)
    assert "한빛" in profile.transliterations("hanbit")


WHY = """# 한빛그룹, 한빛AI연구원 출범 5년

한빛그룹은 2020년 한빛AI연구원을 설립하며 AI 경쟁력 강화에 나섰다. 앞서 김한빛 회장은 2020년 그룹 차원의 원천기술 확보 및 난제 해결을 위해 한빛AI연구원을 출범시켰다.

한빛AI연구원의 인원은 설립 당시 50명이었고 현재는 약 250명이다.
"""


def test_a_name_of_a_latin_word_and_a_korean_noun_is_found_from_its_english_translation(tmp_path) -> None:
    kb = _knowledge_base(tmp_path, {"why.md": WHY.replace("한빛AI연구원", "AI연구원")})
    assert "ai연구원" in kb.retriever.prepare("How many people work at the AI research institute now?").entities
    assert "ai연구원" not in kb.retriever.prepare("How many GPUs does the AI Lab 2.0 platform give out?").entities
    assert "ai연구원" not in kb.retriever.prepare("How many AI researchers are there?").entities  # people, not the institute


def test_a_why_question_prefers_a_close_sentence_that_gives_a_reason(tmp_path) -> None:
    from dataclasses import replace

    kb = _knowledge_base(tmp_path, {"why.md": WHY})
    question = kb.retriever.prepare("한빛AI연구원을 세운 이유는 뭐야?")
    found = kb.retriever.search(question, k=3)
    reason = next(p for p in found if "위해" in p.sentence.text)
    other = next(p for p in found if "설립하며" in p.sentence.text)
    # The sentence that only says it was set up ranks first by a little: the one that says why comes first.
    ranked = [replace(other, score=0.5, features={**other.features, "coverage": 1.0}),
              replace(reason, score=0.4, features={**reason.features, "coverage": 1.0})]
    assert "위해" in kb.retriever._prefer_stated_reason(question, ranked)[0].sentence.text
    # Not when it is far behind, nor for a question that asks no reason.
    far = [ranked[0], replace(ranked[1], score=0.1)]
    assert kb.retriever._prefer_stated_reason(question, far)[0] is far[0]
    when = kb.retriever.prepare("한빛AI연구원은 언제 세웠어?")
    assert kb.retriever._prefer_stated_reason(when, ranked)[0] is ranked[0]


def test_a_definition_question_defines_the_term_it_asks_about_and_prefers_the_sentence_that_does(tmp_path) -> None:
    from dataclasses import replace

    from knowledge.retrieval import _defined_units

    question = read_question("이번 해커톤에서 참가자들이 풀어야 했던 과제는 무엇이었나요?", 2000)
    kb = _knowledge_base(tmp_path, {"task.md": "# 해커톤\n\n선발된 참가자는 해커톤에 앞서 교육 과정을 밟는다. 올해 과제는 리조트 메뉴 수요 예측 AI 개발이었다.\n"})
    question = kb.retriever.prepare(question.text)
    assert {u.label for u in _defined_units(question)} <= {"과제는", "과제"}
    found = kb.retriever.search(question, k=2)
    task = next(p for p in found if "과제는" in p.sentence.text)
    other = next(p for p in found if "참가자는" in p.sentence.text)
    assert task.features["definition"] == 1.0 and other.features["definition"] == 0.0  # 참가자 is not what is asked
    ranked = [replace(other, score=0.5, features={**other.features, "coverage": 1.0}),
              replace(task, score=0.4, features={**task.features, "coverage": 1.0})]
    assert kb.retriever._prefer_stated_reason(question, ranked)[0].sentence is task.sentence


def test_date_lines_email_lines_and_an_outlet_reporter_bracket_are_metadata() -> None:
    english = parse_document("e.md", "# Brightwater bets on AI\n\nBy Elena Marsh, Nordic Energy Review\nOctober 14, 2025\n\n"
                                     "Brightwater said on Tuesday that it raised money. It employs 1,300 people.\n")
    assert (english.outlet, english.date) == ("Nordic Energy Review", "2025-10-14")
    assert [s.text for s in english.sentences if not s.credit] == ["Brightwater said on Tuesday that it raised money.", "It employs 1,300 people."]
    korean = parse_document("k.md", "# 한별대 아카데미 5기 수료\n\n[중부테크뉴스 최수아 기자] 한별대학교가 5기 수료식을 열었다. 수료생은 368명이다.\n\n"
                                    "최수아 기자 sua.choi@example.com\n2025.08.26 14:20\n")
    assert (korean.outlet, korean.author, korean.date) == ("중부테크뉴스", "최수아", "2025-08-26")
    assert korean.sentences[0].credit and korean.sentences[0].text == "[중부테크뉴스 최수아 기자]"
    assert [s.text for s in korean.sentences if not s.credit] == ["한별대학교가 5기 수료식을 열었다.", "수료생은 368명이다."]
    wire = parse_document("w.md", "# 딥포크, 포크원 2 공개\n\n(판교=한빛뉴스) 정다은 기자 = 딥포크가 포크원 2를 공개했다.\n\njde@example.com\n송고시간 2025-11-12 10:05\n")
    assert wire.date == "2025-11-12" and [s.text for s in wire.sentences if not s.credit] == ["딥포크가 포크원 2를 공개했다."]


def test_last_year_in_a_question_is_the_article_years_last_year(tmp_path) -> None:
    text = ("# 딥포크, 포크원 2 공개\n\n(판교=한빛뉴스) 정다은 기자 = 딥포크가 포크원 2를 공개했다.\n\n"
            "딥포크는 지난해 매출 312억 원을 올려 첫 흑자를 냈다. 지난해 9월에는 시리즈 C 라운드에서 450억 원을 유치했다. 올해 매출 목표는 600억 원이다.\n\n"
            "송고시간 2025-11-12 10:05\n")
    kb = _knowledge_base(tmp_path, {"fork.md": text})
    question = kb.retriever.prepare("What revenue did DeepFork book last year, and what is its sales goal for this year?")
    goal = next(s for s in kb.retriever.sentences if "600억" in s.text)
    assert kb.retriever._relative_asked_years(question, "fork.md") == {"2024"}
    assert kb.retriever._year_clash(question, goal) == 1.0  # this year's goal is not last year's revenue
    assert "312억" in kb.retriever.search(question, k=1)[0].sentence.text


def test_a_cost_asked_may_be_told_as_the_budget_spent() -> None:
    from knowledge.gate import metric_missing
    from knowledge.models import Passage, Sentence

    def passage(text: str) -> Passage:
        return Passage(sentence=Sentence(text=text, source="a.md", title="", start=0, end=len(text), paragraph=1, index=0), score=1.0, dense=1.0, lexical=1.0)

    kb_question = read_question("What did it cost to run the fifth cohort this year?", 2000)
    from knowledge.lexical import analyse
    from dataclasses import replace

    question = replace(kb_question, units=tuple(analyse(kb_question.text, None)))
    assert metric_missing(question, passage("올해 5기 운영에 들어간 예산은 48억 원으로, 대전시가 절반을 부담했다.")) == 0.0
    assert metric_missing(question, passage("올해 5기에는 412명이 참여했고 상금은 1,500만 원이다.")) == 1.0


def test_a_team_asked_for_by_name_needs_a_passage_that_names_one() -> None:
    from knowledge.gate import team_missing
    from knowledge.models import Passage, Sentence

    def passage(text: str) -> Passage:
        return Passage(sentence=Sentence(text=text, source="a.md", title="", start=0, end=len(text), paragraph=1, index=0), score=1.0, dense=1.0, lexical=1.0)

    asked = read_question("7기 해커톤에서 대상을 받은 팀은 어디인가요?", 2000)
    assert team_missing(asked, passage("에이머스가 7기 해커톤 본선을 끝내고 수상팀 선정 절차에 들어갔다.")) == 1.0
    assert team_missing(asked, passage("대상은 '그래디언트 닌자스(Gradient Ninjas)' 팀이 받았다.")) == 0.0
    assert team_missing(read_question("Which team won the grand prize?", 2000), passage("The grand prize went to team 'Wave'.")) == 0.0
    assert team_missing(read_question("해커톤 상금은 얼마야?", 2000), passage("상금은 1천만원이다.")) == 0.0
