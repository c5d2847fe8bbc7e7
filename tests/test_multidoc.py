"""Many articles at once: the development sets scored over the four articles indexed together, and the gate fitter.

The thresholds are regression guards set just under the figures measured when
they were written (see the README's quality table); the sets are development
material, so these say "no worse than now", not "good enough".
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from knowledge.evaluation import evaluate, load_questions

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
ORIGINAL = "lg-ai-strategy-exaone-deep.md"


@pytest.fixture(scope="module")
def four_articles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    seeds = tmp_path_factory.mktemp("four")
    shutil.copy(ROOT / "seeds" / ORIGINAL, seeds)
    for path in (DATA / "multidoc" / "seeds").glob("*.md"):
        shutil.copy(path, seeds)
    return seeds


@pytest.fixture(scope="module")
def multi_chain(four_articles: Path, embeddings, tmp_path_factory: pytest.TempPathFactory):
    from knowledge.base import build_knowledge_base
    from knowledge.chain import AnswerChain
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings(seeds_dir=four_articles, chroma_path=tmp_path_factory.mktemp("four-index"))
    return AnswerChain(build_knowledge_base(settings, embeddings=embeddings), settings=settings)


def test_multidoc_set_over_four_articles(multi_chain) -> None:
    report = evaluate(multi_chain, load_questions(DATA / "multidoc" / "qa_multidoc.jsonl"), default_source=ORIGINAL)
    s = report.summary()
    assert s["quotes_verbatim"] == 1.0
    # Measured (stop 13) 0.87 correct / 0.92 hit@3 / 0 wrong file / 0.8 OOS declined / 0.04 declined / EN 0.88, KO 0.85.
    assert s["correct"] >= 0.83, report.misses
    assert s["hit@3"] >= 0.88, report.misses
    assert s["wrong_file_first_quote"] <= 0.02, report.misses
    assert s["out_of_scope_declined"] >= 0.75, report.misses
    assert s["in_scope_declined"] <= 0.06, report.misses
    # Floors per language rather than a gap: a gap test would pass if Korean answers got worse.
    assert s["correct_en"] >= 0.84 and s["correct_ko"] >= 0.8, s


def test_dev_set_with_the_other_articles_indexed(multi_chain) -> None:
    report = evaluate(multi_chain, load_questions(DATA / "qa_dev.jsonl"), default_source=ORIGINAL)
    s = report.summary()
    assert s["quotes_verbatim"] == 1.0
    # Measured 0.90 correct / 0.065 wrong file (0.94 with the original article alone).
    assert s["correct"] >= 0.87, report.misses
    assert s["wrong_file_first_quote"] <= 0.1, report.misses


def test_summary_and_byline_refer_to_the_article_asked_about(multi_chain) -> None:
    summary = multi_chain.ask("삼성 가우스 기사 요약해 줘")
    assert summary.found and {q.source for q in summary.quotes} == {"samsung-gauss-ai.md"}
    author = multi_chain.ask("Who wrote the article about LG Electronics' Affectionate Intelligence?")
    assert author.found and "Jordan Lee" in author.text
    assert author.quotes[0].text == "By Jordan Lee, Fictional Tech Wire"
    # No name, but the topic's words belong to one article.
    topic = multi_chain.ask("Who wrote the story about the Aimers hackathon?")
    assert topic.found and topic.quotes[0].source == "lg-aimers-program.md"
    unclear = multi_chain.ask("이 기사 누가 썼어?")
    assert not unclear.found and unclear.notice == "sources"
    assert all(name in unclear.text for name in ("samsung-gauss-ai.md", "lg-aimers-program.md"))


def test_an_answer_names_its_article(multi_chain) -> None:
    answer = multi_chain.ask("How many people applied to the 7th LG Aimers cohort?")
    assert answer.found and answer.quotes[0].source == "lg-aimers-program.md"
    assert "LG 에이머스 7기 해커톤 마무리" in answer.text  # the article's own title
    assert "2,570" in answer.text  # the figure, in English, with its unit


def test_gate_fitting_is_deterministic(four_articles: Path, tmp_path: Path) -> None:
    from knowledge.gate_fit import main

    files = [str(DATA / "qa_dev.jsonl"), str(DATA / "multidoc" / "qa_multidoc.jsonl")]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["--seeds", str(four_articles), "--out", str(first), *files]) == 0
    assert main(["--seeds", str(four_articles), "--out", str(second), *files]) == 0
    assert first.read_text() == second.read_text()
    params = json.loads(first.read_text())
    assert params["meta"]["questions"] > 60 and 0.0 < params["answer_at"] < 1.0
    assert set(params["rank"]) >= {"dense_scaled", "coverage", "entity", "kind"}


def test_gate_fitting_takes_each_question_set_with_its_own_articles(four_articles: Path, tmp_path: Path) -> None:
    from knowledge.gate_fit import main

    one_article = tmp_path / "one"
    one_article.mkdir()
    shutil.copy(ROOT / "seeds" / "lg-ai-strategy-exaone-deep.md", one_article)
    out = tmp_path / "params.json"
    assert main(["--out", str(out), "--corpus", str(one_article), str(DATA / "qa_dev.jsonl"),
                 "--corpus", str(four_articles), str(DATA / "multidoc" / "qa_multidoc.jsonl")]) == 0
    meta = json.loads(out.read_text())["meta"]
    assert meta["fitted_on"] == ["qa_dev.jsonl", "qa_multidoc.jsonl"]
    asked = [r for f in ("qa_dev.jsonl", "multidoc/qa_multidoc.jsonl") for r in load_questions(DATA / f)]
    assert meta["questions"] == len(asked) and meta["positives"] == sum(bool(r.get("in_scope", True)) for r in asked)
    with pytest.raises(SystemExit):  # question files need the articles they are about
        main(["--out", str(out), str(DATA / "qa_dev.jsonl")])
