"""Running totals and this round's sum, and English words an article writes as one Hangul loanword."""
from __future__ import annotations

import pytest


ARTICLE = """# 새봄바이오, 280억 원 시리즈B 유치

의료 AI 기업 새봄바이오(Saebom Bio)가 280억 원 규모의 시리즈B 투자를 유치했다고 15일 밝혔다. 이번 투자에는 한솔벤처스 등 기관 5곳이 참여했으며, 누적 투자액은 610억 원으로 늘었다.

새봄바이오는 이번에 확보한 자금 가운데 약 120억 원을 일본 시장 공략에 쓸 계획이다.

새봄바이오는 2021년 보건의료 싱크탱크인 새봄연구소를 세웠다.

현재 새봄바이오의 진단 AI를 쓰는 병원은 국내 150곳이다.
"""


@pytest.fixture(scope="module")
def chain(chain_over):
    return chain_over({"saebom.md": ARTICLE})


def test_this_rounds_sum_is_not_the_running_total(chain) -> None:
    answer = chain.ask("새봄바이오가 이번에 유치한 투자 규모는 얼마인가요?")
    assert answer.found and "280억" in answer.text and "610억" not in answer.text


def test_the_total_to_date_is_the_running_total(chain) -> None:
    answer = chain.ask("What's Saebom Bio's total funding to date after the Series B?")
    assert answer.found and "61 billion won" in answer.text


def test_two_english_words_match_the_hangul_loanword_an_article_writes_as_one() -> None:
    from knowledge.lexical import Aliases, analyse

    aliases = Aliases(transliterate=lambda w: ("싱크탱크",) if w == "thinktank" else ())
    units = {u.label: u.forms for u in analyse("When did they set up their health think tank?", aliases)}
    assert "싱크탱크" in units["think tank"] and "think" not in units and "tank" not in units


def test_a_loanword_before_the_copulas_in_is_found_from_english(chain) -> None:
    # "싱크탱크인": the article writes the loanword with 인 (which is) glued to it.
    assert "싱크탱크" in chain.kb.retriever.profile.transliterations("thinktank")
