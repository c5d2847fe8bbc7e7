"""The answer gate: does the best passage answer the question? One gate for every answerer.

A logistic model over features of the question and its best passage (dense
similarity, coverage of the question's terms, agreement of the names and
versions it uses, whether a figure of the asked kind is there, names or
figures the corpus never states). Its parameters are fitted by
`python -m knowledge.gate_fit` on labelled question files and saved in
`gate_params.json`; nothing here is set by hand except the fallback used
when that file is missing. Three outcomes: answer, uncertain ("the article
doesn't say exactly; the closest it comes is ..."), decline.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from knowledge import numbers
from knowledge.lexical import form_match
from knowledge.locale import ko as ko_locale
from knowledge.locale import vocab
from knowledge.models import Passage
from knowledge.question import Question, asks_amount
from knowledge.text import fold, korean_stems

PARAMS_FILE = Path(__file__).with_name("gate_params.json")
# Fitted with latent terms among the ranking features (LATENT_TERMS=true, see `knowledge.latent`).
LATENT_PARAMS_FILE = Path(__file__).with_name("gate_params_latent.json")


def params_file(latent_terms: bool) -> Path:
    """The fitted parameters for a retriever with or without latent terms."""
    return LATENT_PARAMS_FILE if latent_terms else PARAMS_FILE

FEATURES: tuple[str, ...] = (
    "dense_scaled",
    "coverage",
    "entity",
    "doc",
    "kind_missing",
    "version_miss",
    "unknown_name",
    "unknown_figure",
    "margin",
    "top_p",
    "bm25",
    "foreign_unit",
    "cross",
    "dense_cross",
    "coverage_cross",
    "absent_same",
    "absent_cross",
    "kind_absent_doc",
    "year_clash",
    "predicate",
    "predicate_cross",
    "absent_doc",
    "absent_doc_cross",
)

ANSWER, UNCERTAIN, DECLINE = "answer", "uncertain", "decline"


# What ranks candidate sentences (a logistic model of "this sentence answers"), fitted with the gate.
RANK_FEATURES: tuple[str, ...] = (
    "dense_scaled", "bm25", "coverage", "entity", "doc", "kind", "version_miss", "definition", "dense_prev", "dense_lang",
    "local_cov", "lede", "focus", "doc_dense", "sparse", "year",
)


@dataclass(frozen=True)
class GateParams:
    weights: Mapping[str, float]
    bias: float
    answer_at: float = 0.5
    uncertain_at: float = 0.3
    meta: Mapping[str, object] = field(default_factory=dict)
    rank: Mapping[str, float] = field(default_factory=dict)
    rank_bias: float = 0.0

    def to_json(self) -> str:
        data = {"features": list(FEATURES), "weights": {k: round(self.weights.get(k, 0.0), 6) for k in FEATURES},
                "bias": round(self.bias, 6), "answer_at": self.answer_at, "uncertain_at": self.uncertain_at,
                "rank": {k: round(self.rank.get(k, 0.0), 6) for k in RANK_FEATURES}, "rank_bias": round(self.rank_bias, 6),
                "meta": dict(self.meta)}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> "GateParams":
        data = json.loads(text)
        return cls(weights=dict(data["weights"]), bias=float(data["bias"]), answer_at=float(data.get("answer_at", 0.5)),
                   uncertain_at=float(data.get("uncertain_at", 0.3)), meta=dict(data.get("meta", {})),
                   rank=dict(data.get("rank") or FALLBACK_RANK), rank_bias=float(data.get("rank_bias", FALLBACK_RANK_BIAS)))

    def rank_logit(self, values: Mapping[str, float]) -> float:
        """The ranking model's score of one candidate sentence (a logit; compared within one question)."""
        rank = self.rank or FALLBACK_RANK
        return sum(rank.get(k, 0.0) * values.get(k, 0.0) for k in RANK_FEATURES)


# Used only when the fitted file is missing or has no ranking part: the fitter's starting point.
FALLBACK_RANK = {"dense_scaled": 2.5, "bm25": 0.8, "coverage": 3.0, "entity": 1.0, "doc": 0.8, "kind": 0.8, "version_miss": -1.5}
FALLBACK_RANK_BIAS = 0.0


# Used only when gate_params.json is missing: a neutral start for the fitter.
FALLBACK = GateParams(
    weights={"dense_scaled": 2.0, "coverage": 4.0, "entity": 1.5, "kind_missing": -1.0, "version_miss": -2.0,
             "unknown_name": -3.0, "unknown_figure": -3.0, "foreign_unit": -2.0},
    bias=-3.0,
)


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS_FILE) -> GateParams:
    try:
        return GateParams.from_json(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return FALLBACK


def member_figure_missing(question: Question, values: Mapping[str, float]) -> bool:
    """A figure asked of one member of a product line ("How many GPUs trained Koyo 4 Mini?") and a best sentence with
    no figure of that kind tied to it: articles give such figures for the flagship, so it is not given for this
    member. (Asked of any name, the same rule cost 19 answers for 10 declines on the development sets: kept narrow.)"""
    return bool(values["kind_missing"] and question.members and question.wants and question.asks == "quantity")


def features(question: Question, passage: Passage) -> dict[str, float]:
    """The gate's inputs for one (question, passage) pair."""
    f = passage.features
    asks_figure = bool(question.wants) or question.asks in ("quantity", "when", "who")
    return {
        "dense_scaled": f.get("dense_scaled", 0.0),
        "coverage": f.get("coverage", passage.lexical),
        "entity": f.get("entity", 1.0) if f.get("has_entities") else 1.0,
        "doc": f.get("doc", 0.0),
        "kind_missing": 1.0 if asks_figure and f.get("kind", 0.0) <= 0.0 else 0.0,
        "version_miss": f.get("version_miss", 0.0),
        "unknown_name": 1.0 if question.unknown_names else 0.0,
        "unknown_figure": 1.0 if question.unknown_figures else 0.0,
        "margin": f.get("margin", 0.0),
        "top_p": f.get("top_p", 0.0),
        "bm25": f.get("bm25", 0.0),
        "foreign_unit": 1.0 if any(u.foreign for u in question.units) else 0.0,
        # Across languages coverage is scarce and dense similarity carries more: let the model weigh both apart.
        "cross": f.get("cross", 0.0),
        "dense_cross": f.get("dense_scaled", 0.0) * f.get("cross", 0.0),
        "coverage_cross": f.get("coverage", passage.lexical) * f.get("cross", 0.0),
        # Weighted share of the question's words that no article contains in any spelling: the detail asked is not there.
        "absent_same": absent_share(question) * (1.0 - f.get("cross", 0.0)),
        "absent_cross": absent_share(question) * f.get("cross", 0.0),
        "kind_absent_doc": f.get("kind_absent_doc", 0.0),
        "sibling_version": f.get("sibling_version", 0.0),
        "amount_missing": amount_missing(question, passage),
        "metric_missing": metric_missing(question, passage),
        "team_missing": team_missing(question, passage),
        # The question sets a year the sentence and its article do not: about another year.
        "year_clash": f.get("year_clash", 0.0),
        # The question names a place in a ranking the sentence does not ("who came second"): a cap, not fitted.
        "place_clash": f.get("place_clash", 0.0),
        # The question names a place (the US, 일본) its answering article never writes: a cap, not fitted.
        "place_absent": f.get("place_absent", 0.0),
        # A figure asked of the question's subject, from a sentence naming only its other name: a cap, not fitted.
        "subject_absent": f.get("subject_absent", 0.0),
        # "How many X" of a sentence that never writes X: its figure counts something else (a cap, not fitted).
        "counted_absent": f.get("counted_absent", 0.0),
        # A "which X" question whose X the article never writes (a cap, not a fitted input).
        "head_absent": f.get("head_absent", 0.0),
        # Coverage of what the question asks about its names (their absence is measured by `entity`).
        "predicate": f.get("local_cov", 0.0) * (1.0 - f.get("cross", 0.0)),
        "predicate_cross": f.get("local_cov", 0.0) * f.get("cross", 0.0),
        # Share of the asked words that the passage's own article never writes: the detail is not there.
        "absent_doc": f.get("absent_doc", 0.0) * (1.0 - f.get("cross", 0.0)),
        "absent_doc_cross": f.get("absent_doc", 0.0) * f.get("cross", 0.0),
    }


def amount_missing(question: Question, passage: Passage) -> float:
    """1.0 when the question asks for an amount of money ("가격은 얼마", "how much does it cost") and the
    passage states none: a price, a sum or a salary cannot be read off a percentage or a chip's speed."""
    if not question.wants or question.wants[0] != "money":
        return 0.0
    # Only the first part of a multi-part question is the best passage's to answer ("Who led it, and how much …?").
    first = fold(question.parts[0]) if len(question.parts) > 1 else question.folded
    if not asks_amount(first, question.asks):
        return 0.0
    return 0.0 if _states_kind(passage, "money") else 1.0


# Metrics a figure is a figure of: "영업이익" asked is not answered by 매출, nor "defect rate" by revenue.
_MONEY_METRICS = ("revenue", "profit", "operating profit", "net profit", "valuation", "price")
_METRICS = frozenset(fold(f) for group in vocab.GROUPS if group[0] in _MONEY_METRICS + ("defect", "accuracy", "parameter", "token")
                     for f in group)
# Sums are metrics only when a sum is asked: "how long on a single charge" asks no price.
_MONEY_METRIC_FORMS = frozenset(fold(f) for group in vocab.GROUPS if group[0] in _MONEY_METRICS for f in group)


# A project's budget (사업비) is told as a sum spent ("760억 원이 투입되며"), seldom with the word itself: asking
# for it does not demand the word. A price or a cost asked does (a chip's price is no funding round).
_SPENDING_WORDS = frozenset({"사업비", "총사업비"})
# ... and a cost asked ("what did it cost to run") is told as the budget spent on it.
_COST_WORDS = frozenset({"cost", "costs", "비용", "price", "가격", "요금", "fee", "fees", "charge"})
_BUDGET_SPENT = re.compile(r"(?:예산|budget)[^.]{0,24}?(?:들어|투입|쓰였|썼|spent|went)|(?:들어간|투입된|투입한|쓴|spent on|went into)\s?[^.]{0,16}?(?:예산|budget)")
# What a thing costs, told as what it sells for: "will sell the K3 for $389 a chip", "priced at", "에 판매한다".
_SOLD_FOR = re.compile(r"\bsells?\b[^.]{0,40}?\bfor\s+(?:about\s+|around\s+)?[$€£¥₩]?\d|\bsold\b[^.]{0,40}?\bfor\s+[$€£¥₩]?\d|"
                       r"\bpriced at\b|\bretails? (?:for|at)\b|\d\s?(?:원|달러|엔|유로)(?:에|으로|씩)?\s?(?:판매|팔|출시|공급)|"
                       # ... or as a subscription: "월 39만 원 구독형", "$149 per store per month".
                       r"\d\s?(?:만\s?)?(?:원|달러|엔|유로)\s?(?:의\s)?구독|\bper (?:month|year|user|seat)\b|\ba month\b")


def metric_missing(question: Question, passage: Passage) -> float:
    """1.0 when a figure is asked of a metric (revenue, operating profit, valuation, defect rate, accuracy,
    parameters, tokens, a price) that the passage and the sentence before it never name in any spelling."""
    if not question.wants and question.asks != "quantity":
        return 0.0
    own = fold(passage.sentence.text)
    text = own + " " + passage.context
    # A later part of a multi-part question ("…얼마였고, 기업가치는?") is answered by its own sentence.
    first = fold(question.parts[0]) if len(question.parts) > 1 else ""
    # "매출이랑 영업손실 얼마야?": two metrics asked, of which a sentence may state one (the other has its own).
    asked = [u for u in question.units if set(u.forms) & _METRICS]
    if len(asked) >= 2 and any(form_match(f, own) >= 1.0 for u in asked for f in u.forms):
        return 0.0
    for unit in question.units:
        if (first and unit.label not in first) or {unit.label, *korean_stems(unit.label)} & _SPENDING_WORDS:
            continue
        metrics = set(unit.forms) & _METRICS
        if metrics and "money" not in question.wants:
            metrics -= _MONEY_METRIC_FORMS
        if not metrics:
            continue
        if not any(form_match(f, text) >= 1.0 for f in unit.forms):
            if unit.label in _COST_WORDS and (_BUDGET_SPENT.search(own) or _SOLD_FOR.search(own)):
                # "What did it cost to run it?" is told as the budget spent ("운영에 들어간 예산은 48억 원"),
                # "how much does a K3 cost?" as what it sells for ("will sell the K3 for $389 a chip").
                continue
            return 1.0
        # The sentence before names the metric, but this one states another ("booked ₩301 billion in revenue"
        # after a sentence on operating profit): its figure is of that one.
        others = {f for f in _METRICS - set(unit.forms) if form_match(f, own) >= 1.0}
        if others and not any(form_match(f, own) >= 1.0 for f in unit.forms):
            return 1.0
        # Both named, but the sum sits with another one: "매출은 180억원으로 … 늘었지만, … 영업손실을 내고 있다".
        # Only a money metric the question does not ask about in another word counts ("per million tokens" is a
        # price's unit; "revenue and operating profit" asks both).
        asked_all = {f for u in question.units for f in u.forms}
        sums_of = (others & _MONEY_METRIC_FORMS) - asked_all
        if sums_of and "money" in question.wants and _sum_belongs_elsewhere(own, set(unit.forms), sums_of):
            return 1.0
    return 0.0


def _sum_belongs_elsewhere(folded: str, asked: set[str], others: set[str]) -> bool:
    """Whether every sum of the sentence has another metric word as the nearest one before it."""
    sums = [(s, e) for _, s, e, kind in numbers.figures_with_units(folded) if kind == "money"]
    if not sums:
        return False
    def nearest(start: int) -> str | None:
        # The metric word ending last before the sum; of two ending together the longer ("operating profit", not "profit").
        ends = [((at + len(form), len(form)), form) for form in asked | others if (at := folded.rfind(form, 0, start)) >= 0]
        return max(ends)[1] if ends else None
    return all((n := nearest(s)) is not None and n in others for s, _ in sums)


# A team asked for by name ("대상을 받은 팀은 어디", "어느 팀이", "which team won"), and a team named in a sentence
# ("'온새미로' 팀", "team 'Wave'").
_TEAM_ASKED = re.compile(r"팀(?:은|이|명|\s?이름은?)\s*(?:어디|어느|뭐|무엇|누구)|어느\s*팀|\b(?:which|what) team\b|\bteam name|name of the (?:winning )?team", re.I)
_TEAM_NAMED = re.compile(r"['‘\"“][^'’\"”]{1,40}['’\"”]\s?(?:팀|team(?![a-z]))|\bteam\s['‘\"“]|\bteam [A-Z]", re.I)


def team_missing(question: Question, passage: Passage) -> float:
    """1.0 when the question asks which team (by name) and the passage, with the sentence before it, names none:
    "수상팀 선정 절차에 들어갔다" does not say who won."""
    if not _TEAM_ASKED.search(question.text):
        return 0.0
    return 0.0 if _TEAM_NAMED.search(passage.sentence.text + " " + passage.context) else 1.0


def _states_kind(passage: Passage, kind: str) -> bool:
    """Whether the passage, with the sentence before it, states a figure of this kind."""
    return any(k == kind for *_, k in numbers.figures_with_units(passage.sentence.text + " " + passage.context))


def age_missing(question: Question, passage: Passage) -> bool:
    """An age asked ("몇 살", "how old") of a passage that states none: a person's age is never read off another figure."""
    if question.wants[:1] != ("age",):
        return False
    return not _states_kind(passage, "age")


def unknown_organisation(question: Question) -> bool:
    """Whether an organisation the question names by its Korean kind (…그룹, …전자, …은행) is one no article mentions."""
    return any(ko_locale.ORGANISATION.fullmatch(name) for name in question.unknown_names)


def absent_share(question: Question) -> float:
    total = sum(u.weight for u in question.units)
    if total <= 0:
        return 0.0
    return sum(u.weight for u in question.units if not u.present) / total


def probability(params: GateParams, values: Mapping[str, float]) -> float:
    z = params.bias + sum(params.weights.get(k, 0.0) * values.get(k, 0.0) for k in FEATURES)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass(frozen=True)
class Verdict:
    outcome: str  # answer | uncertain | decline
    probability: float
    features: Mapping[str, float]


class Gate:
    """Decides answer / uncertain / decline for the best passage."""

    def __init__(self, params: GateParams | None = None) -> None:
        self.params = params or load_params()

    def judge(self, question: Question, passages: Sequence[Passage]) -> Verdict:
        if not passages:
            return Verdict(DECLINE, 0.0, {})
        values = features(question, passages[0])
        if values["unknown_figure"]:
            # A figure no article states ("9기", "Nuri 3.5"): whatever matches, it is not about that.
            return Verdict(DECLINE, 0.0, values)
        p = probability(self.params, values)
        # A name no article mentions, asked for a figure the passage lacks ("How many GPUs …" of an article
        # without GPUs): in the fitted sets no answerable question looked like this (0 of 240; 5 of 55 unanswerable).
        # An organisation no article names, in Hangul with its kind ("두리그룹의 AI 전략은?"): whatever the
        # passage says, it is about another company (no answerable question of the fitted sets named one).
        unknown_thing = (values["unknown_name"] and values["kind_missing"]) or unknown_organisation(question) \
            or age_missing(question, passages[0]) or member_figure_missing(question, values)
        if (values["sibling_version"] or values["year_clash"] or values["place_clash"] or values["place_absent"] or values["subject_absent"] or values["counted_absent"] or values["amount_missing"] or values["metric_missing"]
                or values["head_absent"] or values["team_missing"] or unknown_thing) \
                and p >= self.params.answer_at:
            # The passage is about something else: a sibling ("3B" asked, the sentence is about 72B), another
            # year ("the 2024 winner" of an article about 2025) or place, no amount or another metric where one is asked,
            # a "which X" whose X the article never writes, or a thing no article names: the closest it comes.
            return Verdict(UNCERTAIN, p, values)
        if p >= self.params.answer_at:
            outcome = ANSWER
        elif p >= self.params.uncertain_at:
            outcome = UNCERTAIN
        else:
            outcome = DECLINE
        return Verdict(outcome, p, values)
