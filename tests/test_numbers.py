"""Figures as values: Korean and English scales, thresholds, figures the article lacks."""
from __future__ import annotations

import pytest

from knowledge.numbers import figures, unknown_figures, values

ARTICLE = ["누적 참가자는 5기까지 1만2천명을 넘어섰다.", "320억개 매개변수의 '엑사원 딥-32B', 경량 모델 '7.8B'",
           "딥시크 R1(6710억 개 매개변수)의 5% 수준", "2025학년도 수능 수학영역에서 94.5점"]
KNOWN = values(ARTICLE)


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
