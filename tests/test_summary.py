"""Key-sentence selection for summary requests, on hand-made vectors."""
from __future__ import annotations

import pytest

from knowledge.models import Sentence
from knowledge.summary import is_summary_request, key_sentences


def sentence(i: int, source: str = "a.md") -> Sentence:
    return Sentence(text=f"s{i}", source=source, title="t", start=i * 10, end=i * 10 + 2, paragraph=i + 1, index=i)


def test_lede_first_then_central_and_different() -> None:
    sentences = [sentence(i) for i in range(5)]
    vectors = {
        sentences[0].key: [0.0, 0.0, 1.0],  # lede: off-centre, still kept
        sentences[1].key: [1.0, 0.1, 0.0],  # central ...
        sentences[2].key: [1.0, 0.1, 0.0],  # ... and its duplicate: must not be picked twice
        sentences[3].key: [0.8, 0.6, 0.0],  # central, different
        sentences[4].key: [-1.0, 0.0, 0.0],  # outlier
    }
    picked = key_sentences(sentences, vectors, k=3)
    assert picked[0] is sentences[0]
    assert len(picked) == 3 and sentences[4] not in picked
    assert not (sentences[1] in picked and sentences[2] in picked)
    assert [s.index for s in picked] == sorted(s.index for s in picked)


def test_only_the_first_document_and_never_more_than_it_has() -> None:
    a, b = sentence(0), sentence(1, source="b.md")
    vectors = {a.key: [1.0, 0.0], b.key: [1.0, 0.0]}
    assert key_sentences([a, b], vectors, k=3) == [a]
    assert key_sentences([], {}, k=3) == []


@pytest.mark.parametrize("question, expected", [
    ("이 기사 요약해줘", True), ("한 줄로 정리해 줘", True), ("Summarise it", True), ("tl;dr", True),
    ("what's the article about?", True), ("엑사원 딥의 점수는?", False), ("What is EXAONE Deep?", False),
    # A figure, a year or a change asked for is a question, whatever verb asks it.
    ("연구소 인력이 2022년부터 2024년까지 어떻게 늘었는지 정리해줘", False),
    ("Summarize how headcount grew", False), ("매출이 얼마인지 요약해줘", False),
])
def test_summary_requests_are_recognised(question: str, expected: bool) -> None:
    assert is_summary_request(question) is expected
