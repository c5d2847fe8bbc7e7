"""Seed parsing: offsets, paragraphs, metadata, Korean-aware sentence splitting."""
from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loading import load_documents, parse_document, split_sentences
from knowledge.settings import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"


@pytest.fixture(scope="module")
def article():
    (doc,) = load_documents(SEEDS)
    return doc


def test_every_sentence_round_trips_to_its_offsets(article):
    assert len(article.sentences) >= 15
    for s in article.sentences:
        assert article.text[s.start : s.end] == s.text
        assert s.text == s.text.strip()


def test_tag_byline_and_images_are_metadata_not_sentences(article):
    assert article.outlet == "청년일보"
    assert article.byline == "이창현 기자"
    captions = [img["caption"] for img in article.images]
    assert captions == ["구광모 LG그룹 회장. [사진=LG]", "엑사원 로고. [사진=LG그룹]"]
    for s in article.sentences:
        assert "【" not in s.text and "】" not in s.text
        assert "![" not in s.text and "http" not in s.text
        assert s.outlet == "청년일보" and s.byline == "이창현 기자"
    assert article.sentences[0].text.startswith("구광모 LG그룹 회장이")


def test_the_credit_line_is_the_last_sentence_verbatim(article):
    credit = article.sentences[-1]
    assert credit.text == "청년일보=이창현 기자"
    assert article.text[credit.start : credit.end] == credit.text
    assert credit.paragraph == article.sentences[-2].paragraph + 1
    lede_only = parse_document("x.md", "【 신문 】 첫 문장이다.\n")
    assert [s.text for s in lede_only.sentences] == ["첫 문장이다."]  # an outlet tag alone is not a credit


def test_quotes_numbers_and_brackets_do_not_break_sentences(article):
    texts = [s.text for s in article.sentences]
    quoted = next(t for t in texts if "그 다음이 문제입니다." in t)
    assert quoted.endswith("노력해왔다.")  # the "...입니다. AI ... 합니다"고 quote stays inside
    assert any("94.5점을 기록했으며" in t and t.endswith("입증했다.") for t in texts)
    assert any("R1(6710억 개 매개변수)의 5% 수준" in t for t in texts)
    assert any(t == "누적 참가자는 5기까지 1만2천명을 넘어섰다." for t in texts)


def test_paragraph_numbers_follow_the_body(article):
    paragraphs = [s.paragraph for s in article.sentences]
    assert paragraphs[0] == 1
    assert paragraphs == sorted(paragraphs)
    same = [s for s in article.sentences if "누적 참가자는" in s.text][0]
    before = article.sentences[same.index - 1]
    assert before.paragraph == same.paragraph  # two sentences of one paragraph


def test_title_is_taken_from_a_heading_when_there_is_one():
    doc = parse_document("x.md", "# LG의 AI 전략\n\n첫 문장이다. 둘째 문장이다.\n")
    assert doc.title == "LG의 AI 전략"
    assert [s.text for s in doc.sentences] == ["첫 문장이다.", "둘째 문장이다."]


@pytest.mark.parametrize(
    "text, expected",
    [
        ('그는 "좋다. 계속하자"고 말했다. 다음 문장.', ['그는 "좋다. 계속하자"고 말했다.', "다음 문장."]),
        ("LG's model scored 94.5 points. It is open source!", ["LG's model scored 94.5 points.", "It is open source!"]),
        ("가격(약 1.5달러. 추정)이다. 끝.", ["가격(약 1.5달러. 추정)이다.", "끝."]),
        ("물음표? 느낌표! 마침표.", ["물음표?", "느낌표!", "마침표."]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[a:b] for a, b in split_sentences(text, 0, len(text))] == expected


def test_txt_and_md_files_are_documents(tmp_path: Path):
    (tmp_path / "a.md").write_text("첫째 문서다.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Second document. Two sentences.\n", encoding="utf-8")
    (tmp_path / "ignored.json").write_text("{}", encoding="utf-8")
    docs = load_documents(tmp_path)
    assert [d.source for d in docs] == ["a.md", "b.txt"]
    assert [s.text for s in docs[1].sentences] == ["Second document.", "Two sentences."]
