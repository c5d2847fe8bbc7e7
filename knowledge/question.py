"""A question, prepared once: normalised text, language, intent, the asked answer type, units.

Everything downstream (retrieval, the gate, the answerers) reads this object
instead of re-normalising and re-analysing the text.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from knowledge.lexical import QueryUnit
from knowledge.locale import en as en_locale
from knowledge.locale import ko as ko_locale
from knowledge.locale import vocab
from knowledge.models import Turn
from knowledge.summary import is_summary_request
from knowledge.text import detect_language, fold, korean_stems, normalize_question, small_talk, strip_injection

# What the question asks for, by its wording (Korean and English question words).
_WHEN = re.compile(r"언제|몇\s*년|몇\s*월|며칠|연도|날짜|시기|\bwhen\b|what year|which year|what date|since when|what month\b")
_WHO = re.compile(r"누가|누구|누군|\bwho\b|\bwhom\b|whose|which person|이름(?:은|이|을)?\s*(?:뭐|무엇|알려)|name of the")
_QUANTITY = re.compile(
    r"몇|얼마|how (?:many|much|big|large|long|high|accurate)|what (?:score|number|percentage|share|size|rate|amount|accuracy|price|cost|fee|figure|total|ratio|proportion|capacity|ranking|rank|valuation|revenue|budget|speed)\b|"
    r"number of|규모|점수|크기|수는|비율|금액|액수|인원|\bsize\b|\bscore\b|what percent"
)
_DEFINITION = re.compile(
    r"(?:란|이란|라는 ?건|은|는|가|이)\s*(?:무엇|뭐|뭔)|^\s*what (?:is|are|'s) (?:an? |the )?|what does .+ mean|"
    r"\bdefine\b|\bmeaning of\b|뜻|약자|stand for"
)
# A comparison ("how much cheaper", "얼마나 줄었나"): answered by a share or a ratio.
_COMPARATIVE = (r"by how much|how much (?:more|less|fewer|cheaper|faster|slower|quicker|higher|lower|bigger|smaller|larger|greater|longer|"
                r"shorter|better)\b|얼마나\s*(?:줄|늘|낮|높|빨|싸|개선|향상|감소|증가|단축|절감|상승|하락|오르|올랐|올라|떨어|뛰었|급등|급락)")
# Which kind of figure answers it (see `knowledge.numbers.figures_with_units`).
_WANTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"점수|몇\s*점|score|points?|성적"), "score"),
    # A noun for people asks for a head count only with 수/규모 after it ("참가자 수는?"), not in "참가자들은 어떤 혜택을 받나요?".
    (re.compile(r"몇\s*명|인원|(?:사람|참가자|지원자|직원|인력|연구원)(?:들)?(?:의)?\s*(?:수|규모|숫자)(?:[는가를은이랑와과도]|하고|(?![\uac00-\ud7a3]))|how many (?:(?!(?:can|could|do|does|did|will|would|were|are|is|was|have|has|had)\b)[\w-]+ ){0,2}?(?:people|persons|applicants|participants|employees|staff|staffers|students|members|workers|engineers|researchers|scientists|developers|experts|specialists|holders|phds|doctors|graduates|hires|recruits|professors|executives|officials|patients|volunteers|users|customers|subscribers|teams|finalists|winners|attendees|trainees|fellows|children|youths|nurses|interns|residents|farmers|teachers|drivers|founders|professionals|[a-z]+ians|[a-z]{2,}ists)\b|headcount|명이"), "people"),
    # "얼마야?" asks a price; "얼마나 줄었나" / "how much faster" ask a degree, money only with a money word near.
    (re.compile(r"얼마(?!나)|얼마나\s*(?:받|벌|들|쓰|썼|투입|지원|지불|내)|금액|액수|사업비|출연금|비용|가격|요금|투자(?![자사])|매출|이익|손실|피해액|상금|수당|급여|연봉|기업\s?가치|몸값|시가\s?총액|공모\s?가|valuation|valued at|market cap|total funding|funding to date|"
                r"how much (?:money|funding|cash|capital)|how much (?:[\w'-]+ ){0,6}?(?:invest|spen[dt]|pa(?:y|id)|cost|raised?|earn|charge|worth|fund|lose|lost|save|saved|commit|allocat|pour|earmark|sunk|sink|plough|plow|put)|"
                r"price|cost|revenue|top[ -]line|profit|earnings|investment|budget|envelope|(?:\d|illion|thousand|korean|how many|in)\s*won\b|dollars?|\bfees?\b|prize money|allowance|stipend|salary|wages?"), "money"),
    (re.compile(r"몇\s*살|몇\s*세|나이|연세|how old|\bage\b"), "age"),
    # A competition rate is told as a ratio ("25대 1"), not a percentage.
    (re.compile(r"경쟁률|경쟁비|competition (?:rate|ratio)|how competitive|applicants per (?:place|seat|spot)"), "ratio"),
    (re.compile(r"퍼센트|비율|비중|점유율|정확도|%|percent|percentage|\brate\b|\bshare\b|accuracy|몇\s*배|(?<!경쟁)률|" + _COMPARATIVE), "percent"),
    (re.compile(r"매개변수|파라미터|parameters?|model size|크기|how big|how large"), "size"),
    (re.compile(r"몇\s*기|기수|(?:which|what) (?:cohort|batch)|how many (?:cohorts|batches)"), "cohort"),
    (re.compile(r"몇\s*배|how many times|times (?:more|larger|bigger|faster)|" + _COMPARATIVE), "times"),
    (re.compile(r"기간|얼마나 오래|며칠 동안|how long|how much (?:less |more |extra )?time|duration|몇\s*(?:일|시간|개월|주)|얼마나\s*(?:걸리|걸려|걸린|걸렸|소요)"), "duration"),
    (re.compile(r"몇\s*(?:키로|킬로|kg|톤)|무게|중량|적재량|how heavy|how much (?:weight|load)|payload|how many (?:kilograms|kg|tonnes|tons)"), "weight"),
    (re.compile(r"몇\s*(?:와트|kw|mw|gw|w(?![a-z])|킬로와트|메가와트)|와트|how many (?:watts|kilowatts|megawatts)|wattage"), "power"),
    # A result (성적) is told as a score or a place: "2위에 올랐다" answers "성적 어땠어?".
    (re.compile(r"몇\s*위|몇\s*등|순위|성적|rank|place"), "rank"),
    (re.compile(r"몇\s*개|몇\s*대|몇\s*장|몇\s*건|몇\s*곳|몇\s*번|몇\s*차례|몇\s*회|how many|how often"), "count"),
)
# A sum of money named as such ("가격은 얼마", "how much does it cost"), and not as a change or a comparison
# ("운영 비용이 어떻게 달라졌나", "cost compared with GPUs"), which a percentage answers.
_MONEY_NOUN = re.compile(r"얼마(?:를|나|의)?\s*(?:넣|투자|투입|냈|내놓|들였|썼|쏟|출자|벌었)|얼마에\s*(?:팔|판매|판다|사|살|구입|구매|내놓)|판매\s?가|공모\s?가|ipo price|offer(?:ing)? price|listing price|\bsells? for\b|\bsold for\b|\bretails? for\b|price tag|사업비|자금|기금|출연금|가격|비용|요금|금액|액수|상금|매출|이익|투자|예산|연봉|수당|급여|몸값|기업가치|price|cost|fee|revenue|profit|invest|budget|"
                         r"salary|allowance|stipend|wage|prize money|valuation|how much (?:[\w'-]+ ){0,6}?(?:pa(?:y|id)|spen[dt]|raised?|earn|charge|sunk|sink|pour)|envelope")
_CHANGE = re.compile(r"달라|변했|변화|차이|비교|대비|줄었|늘었|줄였|늘렸|낮췄|높였|절감|\bthan\b|compared|versus|\bvs\b|change|by how much|"
                     r"\b(?:lower|cut|reduc|decreas|shr[iu]nk|increas|boost|rais)\w*\s+(?:the\s+|its\s+|their\s+)?(?:[\w-]+\s+)?(?:cost|budget|price|spend)")


# A score asked in points, which a percentage does not answer.
_POINTS = re.compile(r"몇\s*점|점수|\bpoints?\b|\bpts\b")
# A measure named with "얼마" / "how much" that is no sum of money: "정확도 얼마야?", "how much time …".
_OTHER_MEASURE = re.compile(r"정확도|정답률|점수|확률|속도|시간|accuracy|\bscore\b|percentage|how much time|how much (?:less|more|extra) time|how much faster|how much longer")
# A share of a sum ("해외 매출 비중", "share of revenue") is a percentage, not an amount.
_SHARE = re.compile(r"비중|비율|점유율|퍼센트|%|\bshare\b|percent|\brate\b")


# A goal asked as "what" ("해외 매출 목표는 무엇", "what is the revenue target") may be a share or a rank, not a sum.
_GOAL = re.compile(r"목표|계획|target|goal|aim|plan")
_HOW_MUCH = re.compile(r"얼마|how much|규모|액수|금액")


def asks_amount(folded: str, asks: str = "other") -> bool:
    """Does the question ask for an amount of money by name (not how one changed, nor its share, nor a goal)?
    "Who" asks for a party (the investors of a round), not a sum, unless it also asks how much."""
    if (_GOAL.search(folded) or asks == "who") and not _HOW_MUCH.search(folded):
        return False
    return bool(_MONEY_NOUN.search(folded)) and not _CHANGE.search(folded) and not _SHARE.search(folded)


_BYLINE = re.compile(
    r"누가\s*(?:이\s*|그\s*)?(?:기사(?:를|는)?\s*)?(?:썼|작성|쓴)|쓴\s*사람|작성자|기자(?:는|가|이름)?\s*(?:누구|이름|는)|어느\s*(?:언론|신문|매체)|언론사|출처|"
    r"who(?:'s|’s| is| was)? (?:wrote|authored|the (?:author|reporter|journalist|writer))|(?:reporter|journalist) (?:on|of|for|behind)|written by|\bauthor\b|\bbyline\b|which (?:outlet|newspaper|publication)|what (?:outlet|newspaper|publication)"
)
_SOURCES = re.compile(
    r"^\s*(?:sources|articles|기사\s*목록)\s*\??$|어떤\s*기사(?:들)?(?:을|를)?\s*(?:알아|있어|가지고|갖고|읽었)|기사\s*목록|무슨\s*기사(?:들)?\s*(?:있|알)|"
    r"what (?:articles|sources|documents) (?:do you|are)|which (?:articles|sources|documents)|list (?:the |your |all )?(?:articles|sources|documents)"
)
_FOLLOW_UP = re.compile(r"^\s*(그럼|그러면|그리고|그건|그거|그 다음|그밖에|또|and\b|what about\b|how about\b|and the\b|also\b|then\b)", re.I)


@dataclass(frozen=True)
class Question:
    """What the user asked, analysed once."""

    raw: str
    text: str  # normalised, injected instructions removed, truncated to the limit
    language: str
    intent: str = "ask"  # ask | summary | byline | sources | hello | thanks | usage | injection
    asks: str = "other"  # quantity | when | who | definition | other
    wants: tuple[str, ...] = ()  # figure kinds that answer it, most specific first
    query: str = ""  # text plus a follow-up's borrowed topic: what retrieval searches for
    injected: bool = False
    truncated: bool = False
    history: tuple[Turn, ...] = ()
    units: tuple[QueryUnit, ...] = ()
    entities: tuple[str, ...] = ()  # corpus names the question uses (folded)
    unknown_names: tuple[str, ...] = ()  # names the corpus never mentions
    unknown_figures: tuple[str, ...] = ()  # figures no sentence states
    versions: tuple[str, ...] = field(default=())  # model sizes / versions named ("32b", "2.0")
    members: tuple[str, ...] = ()  # members of product lines asked about, as articles write them ("koyo 4 mini")
    head: str = ""  # the noun a "which X" question asks to name, as written ("foundry", "회사와")
    counted: str = ""  # the noun a "how many X" question counts, as written ("languages", "언어는")
    parts: tuple[str, ...] = ()  # the questions of a multi-part question ("How much …, and who led it?")

    @property
    def folded(self) -> str:
        return fold(self.query or self.text)


def read_question(raw: str, limit: int, history: Sequence[Turn] = ()) -> Question:
    """Normalise and classify; corpus-dependent analysis is added by `knowledge.pipeline`."""
    text = normalize_question(raw)
    language = detect_language(text)
    truncated = len(text) > limit
    if truncated:
        text = text[:limit].rstrip()
    cleaned, injected = strip_injection(text)
    base = dict(raw=raw, language=language, injected=injected, truncated=truncated, history=tuple(history))
    if not text:
        return Question(text="", intent="usage", **base)
    if injected and not cleaned:
        return Question(text="", intent="injection", **base)
    base["language"] = detect_language(cleaned)
    talk = small_talk(cleaned)
    if talk is not None:
        return Question(text=cleaned, intent=talk, **base)
    folded = fold(cleaned)
    if _SOURCES.search(folded):
        intent = "sources"
    elif is_summary_request(cleaned):
        intent = "summary"
    elif _BYLINE.search(folded):
        intent = "byline"
    else:
        intent = "ask"
    parts = question_parts(cleaned)
    # A multi-part question is first about its first part ("연구소장은 누구고 언제부터 맡았나요?" asks who first).
    first = fold(parts[0]) if len(parts) > 1 else folded
    wants = tuple(dict.fromkeys(wanted_figures(first) + wanted_figures(folded)))
    asks = answer_type(first)
    if asks == "who" and not _HOW_MUCH.search(folded):
        wants = tuple(w for w in wants if w != "money")  # "새로 들어온 투자자는 누구야?" asks for investors, not a sum
    return Question(text=cleaned, intent=intent, asks=asks, wants=wants, query=cleaned,
                    head=asked_head(folded), counted=counted_noun(first), parts=parts, **base)


def _when_first(folded: str) -> bool:
    """Does the question ask "when"? In "How many staff …, compared with when it was founded?" the first
    question word decides: an English "when" after "how many" opens a clause, not the question."""
    when = _WHEN.search(folded)
    if not when:
        return False
    quantity = _QUANTITY.search(folded)
    if quantity and quantity.start() < when.start() and folded.lstrip().startswith(("how", "what")):
        return False
    # "What conditions did it attach when it granted …?": after another question word, a "when" that does not
    # start a question of its own ("…, and when?") opens a clause.
    return not (when.group(0) == "when" and _OTHER_WH.match(folded) and not _ASKS_NEXT.search(folded[: when.start()]))


_OTHER_WH = re.compile(r"\s*(?:what|which|who|whom|whose|how|where|why)\b")
_ASKS_NEXT = re.compile(r"(?:\band|\bor|,|\?|;)\s*$")


# "Who is eligible?", "누가 지원할 수 있어?", "대상은 누구야?": a kind of people (students aged 14-18), not a named one.
_ELIGIBLE = re.compile(r"who (?:is|are|was|were) eligible|who (?:can|could|may) (?:apply|join|enter|take part|participate|sign up|enrol|enroll|attend|use)|"
                       r"who qualifies|who (?:is|are) (?:it|this|the \w+) (?:for|aimed at|open to)|"
                       r"누가\s*(?:지원|참여|참가|신청|응모|이용)(?:할|하)\s*수|(?:대상|자격)(?:은|이)?\s*(?:누구|누군)")


def answer_type(folded: str) -> str:
    if _when_first(folded):
        return "when"
    if _QUANTITY.search(folded):
        return "quantity"
    if _WHO.search(folded) and not _ELIGIBLE.search(folded):
        return "who"
    if _DEFINITION.search(folded):
        return "definition"
    return "other"


# Where a second question starts: ", and who …", "…? When …", "얼마였고, 그중 …"; a part counts only with a question word.
_PART_BREAK = re.compile(r"\?\s+|;\s+|,?\s+and\s+(?=(?:at |in |for |to |from |by )?(?:who|whom|whose|what|when|where|which|how)\b)|"
                         r",\s+(?=(?:and\s+)?(?:at |in |for |to |from |by )?(?:who|whom|whose|what|when|where|which|how)\b)|(?<=[고며])\s*,?\s+|"
                         r",\s+(?=몇|얼마|언제|누가|누구|어디|무엇|뭐|어떤|어느)",
                         re.I)
_PART_CUE = re.compile(r"\b(?:who|whom|whose|what|when|where|which|how)\b|몇|얼마|누구|누가|언제|어디|무엇|뭐|어떤|어느|무슨|비교", re.I)


# Metrics a figure is asked of; two joined ("매출이랑 영업손실", "revenue and net profit") are two questions.
_METRIC_GROUP = {fold(f): g[0] for g in vocab.GROUPS if g[0] in ("revenue", "operating profit", "net profit", "valuation", "price")
                 for f in g if len(f) >= 2}
_METRIC = "|".join(re.escape(w) for w in sorted(_METRIC_GROUP, key=len, reverse=True))
_TWO_METRICS = re.compile(rf"(?<![\w])({_METRIC})(?:이랑|랑|하고|와|과|및|,)?\s+(?:and\s+|및\s+)?({_METRIC})(?![a-z])", re.I)


def question_parts(text: str) -> tuple[str, ...]:
    """The questions a multi-part question asks, in order ("How much did it raise, and who led the round?" ->
    two); one part for an ordinary question. A piece without a question word stays with the one before it.
    Two metrics joined ("작년 매출이랑 영업손실 얼마야?") are asked one by one, each with the rest of the question."""
    parts = _question_parts(text)
    if len(parts) == 1 and (m := _TWO_METRICS.search(fold(text))) and _METRIC_GROUP[m.group(1)] != _METRIC_GROUP[m.group(2)]:
        folded = fold(text)
        return (folded[:m.start()] + m.group(1) + folded[m.end():], folded[:m.start()] + m.group(2) + folded[m.end():])
    return parts


def _question_parts(text: str) -> tuple[str, ...]:
    parts: list[str] = []
    for piece in _PART_BREAK.split(text):
        piece = piece.strip(" ,?")
        if not piece:
            continue
        if parts and not (_PART_CUE.search(piece) and _PART_CUE.search(parts[-1])):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return tuple(parts) if len(parts) > 1 else (text,)


def asked_head(folded: str) -> str:
    """The noun of "which foundry …", "what kind of chip …", "어느 회사와 …", or "" when the question has none
    or it only names the kind of answer ("which year", "어느 정도")."""
    for locale in (en_locale, ko_locale):
        for pattern in locale.ASKED_HEAD:
            if m := pattern.search(folded):
                word = m.group(1)
                stages = (word, *korean_stems(word))
                # "정도임", "크기로": a general noun with an ending is still that noun.
                if not any(s in locale.GENERIC_HEADS for s in stages) and \
                        not any(word.startswith(g) and len(g) >= 2 for g in locale.GENERIC_HEADS):
                    return word
                break
    return ""


_ADVERBIAL = re.compile(r"[\uac00-\ud7a3](?:으로|로|에서|에게|에|까지|부터|보다|처럼)$")


def counted_noun(folded: str) -> str:
    """The noun of "how many languages …", "언어는 몇 개 …", or "" when the question counts none or only a
    general one ("how many people", "몇 명"), which the figure's unit answers."""
    for locale in (en_locale, ko_locale):
        if m := locale.COUNTED.search(folded) or locale.COUNTED_FIRST.search(folded):
            word = m.group(1)
            words = m.group(0).split()
            # "목표로 몇 곳", "내년까지 몇 개": a word with an adverbial particle says why or when, not what is counted.
            if _ADVERBIAL.search(word):
                continue
            if not any(s in locale.GENERIC_COUNTED for w in words for s in (w, *korean_stems(w))):
                return word
    return ""


def wanted_figures(folded: str) -> tuple[str, ...]:
    wants = [kind for pattern, kind in _WANTS if pattern.search(folded)]
    if _GOAL.search(folded) and not _HOW_MUCH.search(folded):
        wants = [k for k in wants if k != "money"]  # "해외 매출 목표는 무엇": a goal may be a share, not a sum
    if _OTHER_MEASURE.search(folded) and not _MONEY_NOUN.search(folded):
        wants = [k for k in wants if k != "money"]  # "정확도 얼마야?", "how much time does it save": not a sum
    if re.search(_COMPARATIVE, folded):
        # "By how much did frames lower the budget?": a degree (a share, a ratio), not an amount of money.
        wants = [k for k in wants if k in ("percent", "times")] + [k for k in wants if k not in ("percent", "times")]
    if "score" in wants and not _POINTS.search(folded):
        wants.append("percent")  # "How did it score on the test?": a result may be told as a share ("정답률 89.4%")
    if _when_first(folded):
        wants.insert(0, "date")
    return tuple(dict.fromkeys(wants))


def is_follow_up(text: str) -> bool:
    """"그럼 경량 모델은?", "and the on-device one?": leans on the previous question's topic."""
    return bool(_FOLLOW_UP.search(text))
