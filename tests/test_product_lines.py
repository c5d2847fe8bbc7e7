"""Members of a product line ("Koyo 4 Pro" / "Koyo 4 Mini", "누리3 라이트" / "누리3 프로") are different things:
a question about one is answered from a sentence about it, never from its sibling's figure."""
from __future__ import annotations

from pathlib import Path

from knowledge.gate import Gate, features
from knowledge.scoping import tied_figures
from knowledge.base import KnowledgeBase, build_knowledge_base
from knowledge.settings import KnowledgeSettings

KOYO = """Tsubame Labs launches Koyo 4 in Pro and Mini editions
By Ren Sato | Example Tech Daily | June 12, 2025

Tokyo-based Tsubame Labs on Thursday released Koyo 4, the fourth generation of its business assistant, in two editions.

The flagship Koyo 4 Pro runs on a 72-billion-parameter model. The smaller Koyo 4 Mini has 3.8 billion parameters and runs on laptops.

On the company's in-house benchmark for business writing, Koyo 4 Pro scored 95.1% accuracy, up from 88.6% for Koyo 3. Koyo 4 Mini scored 90.2% on the same test. Tsubame said the Pro model was trained on 512 GPUs for 11 weeks.

Koyo 4 Pro costs 4,800 yen per user per month. A Korean edition, Koyo 4 K, will follow next year.
"""

NURI = """# 다온인텔리전스, 3세대 AI '누리3' 공개

[코리아AI타임스] 윤서진 기자 = 국내 AI 스타트업 다온인텔리전스가 3세대 모델 '누리3'를 내놓았다.

다온인텔리전스는 경량형 '누리3 라이트'와 고성능 '누리3 프로' 두 가지 에디션을 선보였다.

회사 측에 따르면 누리3 프로는 자체 한국어 이해 평가에서 정답률 96.3%를 기록해, 지난해 내놓은 2세대 '누리2'(91.7%)보다 4.6%포인트 높아졌다. 같은 평가에서 누리3 라이트의 정답률은 89.4%였다.

누리3 프로의 이용 요금은 100만 토큰당 2천400원이다. 회사는 지난해 11월 시리즈C 투자에서 450억 원을 유치했다.
"""


def _kb(tmp_path: Path) -> KnowledgeBase:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "koyo.txt").write_text(KOYO, encoding="utf-8")
    (seeds / "nuri.md").write_text(NURI, encoding="utf-8")
    return build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))


def test_product_lines_keep_their_version_number_and_members_are_asked_in_either_script(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    families = kb.retriever.profile.families()
    assert {"pro", "mini"} <= families["koyo 4"] and {"라이트", "프로"} <= families["누리3"]
    prepare = kb.retriever.prepare
    assert prepare("What accuracy did Koyo 4 Mini hit?").members == ("koyo 4 mini",)
    # 코요 ~ Koyo (a whole-name reading), 프로 ~ Pro; "프로" is a name, not 프 with the particle 로.
    assert prepare("코요 4 프로 모델 파라미터 몇 개야?").members == ("koyo 4 pro",)
    assert prepare("누리3 프로 정답률 몇프로임?").members == ("누리3 프로",)
    # Without the line's name, an edition word names the member.
    assert prepare("What is the Lite edition's accuracy?").members == ("누리3 라이트",)
    assert prepare("What did the company raise?").members == ()


def test_a_member_is_answered_from_its_own_sentence_not_its_siblings(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    search = kb.retriever.search
    assert "90.2%" in search("What accuracy did Koyo 4 Mini hit on the in-house benchmark?", k=1)[0].sentence.text
    assert "96.3%" in search("누리3 프로 정답률 몇프로임?", k=1)[0].sentence.text
    assert "89.4%" in search("누리3 라이트 정답률은?", k=1)[0].sentence.text


def test_a_figure_stated_only_for_a_sibling_member_is_not_an_answer(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    gpus = kb.retriever.prepare("How many GPUs were used to train Koyo 4 Mini?")
    passages = kb.retriever.search(gpus, k=5)
    top = passages[0]
    # "the Pro model was trained on 512 GPUs": the figure is the Pro's, so it is no answer for the Mini, whether
    # that sentence comes first (a sibling's figure) or another with no figure of its own does.
    assert features(gpus, top)["sibling_version"] == 1.0 or not tied_figures(gpus, top.sentence.text, kb.retriever.names, top.context)
    assert Gate().judge(gpus, passages).outcome != "answer"
    assert kb.retriever.prepare("How many GPUs were used to train Koyo 4 Pro?").members == ("koyo 4 pro",)
    pro = kb.retriever.prepare("How many GPUs were used to train Koyo 4 Pro?")
    top = kb.retriever.search(pro, k=1)[0]
    assert "512" in top.sentence.text and features(pro, top)["sibling_version"] == 0.0


def test_a_hangul_company_name_with_its_kind_is_found_from_its_latin_spelling(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    question = kb.retriever.prepare("How much did Daon Intelligence raise in its Series C round last November?")
    assert "다온" in question.entities and not question.unknown_names
    assert kb.retriever.search(question, k=1)[0].sentence.source == "nuri.md"
    # "Series C" is a kind of round any article may tell: it scopes no article.
    assert "series c" not in kb.retriever._entity_weights(("series c", "다온"))


def test_a_member_word_alone_scopes_no_article_and_a_particle_is_stripped_one_ending_at_a_time(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    # "프로는" is 프로 with 는 (not 프 with 로는); "Koyo 4" is named by its Hangul spelling.
    assert kb.retriever.prepare("코요 4 미니랑 코요 4 프로는 각각 얼마야?").members == ("koyo 4 mini", "koyo 4 pro")
    # "Pro" and "라이트" name editions in both articles' lines: the line's name decides, not the edition word.
    weights = kb.retriever._entity_weights(("pro", "프로", "라이트", "koyo 4"))
    assert set(weights) == {"koyo 4"}


def test_a_unit_glued_to_its_figures_is_a_word_of_the_article(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "chip.md").write_text("# 타래2 공개\n\n타래2의 연산 성능은 256TOPS로 전작의 4배다. 소비전력은 45W다.\n", encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    assert kb.retriever.prepare("타래2 연산 성능 몇 TOPS야?").unknown_names == ()
    assert kb.retriever.prepare("타래2 연산 성능 몇 GFLOPS야?").unknown_names == ("GFLOPS",)


def test_a_name_typed_without_the_space_before_its_number(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    question = kb.retriever.prepare("Koyo4 Pro costs how much?")
    assert "koyo 4 pro" in question.entities and not question.unknown_names
    assert kb.retriever.prepare("Koyo4 Pro costs how much?").members == ("koyo 4 pro",)


SORT = """# Haneul Cycle sorts batteries with AI

Haneul Cycle's SortSense 2.0 line went live in March. Using X-ray cameras, the system identifies each cell's chemistry with 98.7% accuracy.

A compact SortSense Lite unit, built for smaller collection centres, has been installed at 23 sites in Korea.
"""


def test_a_numbered_sibling_makes_a_line_with_a_named_member(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "sort.md").write_text(SORT, encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    assert kb.retriever._product_lines()["sortsense"] == {"lite", "2.0"}
    lite = kb.retriever.prepare("What chemistry-identification accuracy does SortSense Lite hit?")
    top = kb.retriever.search(lite, k=1)[0]
    # The 98.7% sentence follows one about SortSense 2.0: it is not about Lite.
    assert "98.7%" in top.sentence.text and features(lite, top)["sibling_version"] == 1.0
    sites = kb.retriever.prepare("How many sites have a SortSense Lite unit?")
    top = kb.retriever.search(sites, k=1)[0]
    assert "23 sites" in top.sentence.text and features(sites, top)["sibling_version"] == 0.0


def test_a_numbered_member_asked_clashes_with_a_sentence_about_a_named_member_in_either_script(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "sea.md").write_text("# 해로랩스, 씨패스 2.0 출시\n\n해로랩스가 항로 AI '씨패스 2.0(SeaPath 2.0)'을 출시했다. "
                                  "소형 선박용 '씨패스 라이트(SeaPath Lite)'도 함께 내놓았다.\n\n라이트 요금은 선박 1척당 월 49만 원으로 책정됐다.\n",
                                  encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    question = kb.retriever.prepare("씨패스 2.0 요금은 선박 한 척당 한 달에 얼마야?")
    assert any(m.endswith(" 2.0") for m in question.members)
    price = next(s for s in kb.retriever.sentences if "49만" in s.text)
    assert kb.retriever._sibling_member(question, price) == 1.0  # '라이트' is Lite, another member
    lite = kb.retriever.prepare("씨패스 라이트 요금은 얼마야?")
    assert kb.retriever._sibling_member(lite, price) == 0.0


def test_a_funding_round_asked_clashes_with_a_sentence_about_another_round(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "m.md").write_text("# 메디루멘, 병리 AI 공동개발\n\n메디루멘은 2020년 설립된 의료 AI 스타트업이다. 2023년에는 시리즈B 투자로 520억원을 유치했다.\n",
                                encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    round_b = next(s for s in kb.retriever.sentences if "시리즈B" in s.text)
    assert kb.retriever._place_clash(kb.retriever.prepare("메디루멘은 시리즈C 투자에서 얼마를 유치했나요?"), round_b) == 1.0
    assert kb.retriever._place_clash(kb.retriever.prepare("How much did MediLumen raise in its Series B?"), round_b) == 0.0


def test_a_versioned_name_of_mixed_scripts_is_a_sibling_generation(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "l.md").write_text("# 뷰메디랩, 2세대 '루나CX 2' 출시\n\n뷰메디랩이 2세대 흉부 AI '루나CX 2'를 출시했다. 1세대 '루나CX'는 2022년 나왔다.\n\n"
                                "라이트 버전 구독료는 월 49만 원으로 책정됐고, 대형 병원용 '루나CX 2 프로' 가격은 개별 계약으로 정해진다.\n", encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    price = next(s for s in kb.retriever.sentences if "49만" in s.text)
    assert kb.retriever._generation_clash(kb.retriever.prepare("1세대 루나CX 구독료는 월 얼마였어?"), price) == 1.0


KESTREL = """# Veridian unveils the Kestrel K3 chip

By Ana Ortiz, Example Chip Wire

The Kestrel K3 delivers 240 TOPS while drawing about 35 watts, the company said.

A smaller sibling, the Kestrel K3 Mini, offers 60 TOPS at 8 watts and is aimed at drones.

Veridian will sell the Kestrel K3 for $389 a chip in orders of 10,000 units or more.
"""


def test_a_versioned_product_and_one_edition_of_it_are_a_line(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "kestrel.md").write_text(KESTREL, encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    prepare = kb.retriever.prepare
    # The line is named with its version glued to letters, in either script.
    assert "kestrel k3 mini" in prepare("How fast is the Kestrel K3 Mini?").members
    assert "kestrel k3 mini" in prepare("케스트럴 K3 미니 성능은 몇 TOPS야?").members
    assert prepare("How much does the Kestrel K3 cost?").members == ()
    # The K3's sentence misses the asked member; the Mini's own sentence does not.
    passages = kb.retriever.search(prepare("How many TOPS does the Kestrel K3 Mini deliver?"), k=3)
    miss = {p.sentence.text.split(",")[0]: p.features["version_miss"] for p in passages}
    assert miss["The Kestrel K3 delivers 240 TOPS while drawing about 35 watts"] == 1.0
    assert miss["A smaller sibling"] == 0.0
    # A price the article gives only for the K3 is no answer about the Mini.
    question = prepare("What does a Kestrel K3 Mini chip cost?")
    assert Gate().judge(question, kb.retriever.search(question, k=5)).outcome != "answer"



def test_a_runner_up_about_another_version_does_not_give_the_figure(tmp_path: Path) -> None:
    # A blind set's articles (tests/data/holdout18): VoltSense 2, 3 and 4, and a deal running "through 2027".
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    root = Path(__file__).parent.parent
    for source in [root / "seeds" / "lg-ai-strategy-exaone-deep.md", *(root / "tests" / "data" / "holdout18" / "seeds").glob("*.md")]:
        (seeds / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    kb = build_knowledge_base(KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index"))
    from knowledge.chain import build_chain

    answer = build_chain(kb.settings, kb=kb).ask("볼트센스 2는 언제 출시됐어?")
    assert "2027" not in answer.text, answer.text


MOA = """입력 2025.06.10

물류 로봇 기업 해솔로보틱스가 차세대 물류로봇 '해솔카트 K2'를 공개했다.

K2는 2022년 출시된 전작 '해솔카트 K1'의 후속 모델이다. 최대 적재 중량은 K1의 500㎏에서 K2는 1톤으로 두 배 늘었다. 주행 속도는 초속 1m에서 1.8m로 빨라졌다. 판매 가격은 대당 3,900만 원으로, K1(3,200만 원)보다 700만 원 비싸다.

해솔로보틱스는 2019년 세워졌고 현재 임직원은 180명이다.
"""


def test_a_paragraphs_topic_speaks_for_its_later_sentences_and_a_compared_sibling_owns_only_its_brackets(
        tmp_path: Path, embeddings) -> None:
    # "판매 가격은 대당 3,900만 원으로, K1(3,200만 원)보다 …" sits in a paragraph opened by "K2는 …": the price is K2's.
    from knowledge.chain import build_chain

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "haesol.txt").write_text(MOA, encoding="utf-8")
    settings = KnowledgeSettings(seeds_dir=seeds, chroma_path=tmp_path / "index")
    chain = build_chain(settings, kb=build_knowledge_base(settings, embeddings=embeddings))
    answer = chain.ask("K2 한 대 가격 얼마예요?")
    assert answer.found and "3,900만 원" in answer.text and "3,200만" not in answer.text
    weight = chain.ask("해솔카트 K2 몇키로까지 실을수 있어?")
    assert weight.found and "1톤" in weight.text
