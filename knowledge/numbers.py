"""Numbers as values, so "1만2천명", "12,000" and "12k" are one figure.

A question that names a figure the article never states ("9기", "Nuri 3.5",
"in 2023") asks about something the article does not cover, however well the
rest of its words match; a figure used as a threshold ("over 90점") is not.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_KO_SCALE = {"조": 1e12, "억": 1e8, "만": 1e4, "천": 1e3, "백": 1e2}
_EN_SCALE = {"trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "m": 1e6, "thousand": 1e3, "k": 1e3}
# Digits glued to Latin letters are names, not figures (R1, GPT-4o, a Slack id like U024BE7LH).
_TOKEN = re.compile(
    r"(?<![a-z0-9.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\d)"
    r"(?:\s?((?:천|백|십)?여?(?:조|억|만)|천|백)|[\s-]?(trillion|billion|million|thousand)\b|(bn|b|m|k)(?![a-z]))?"
    # No letter follows, unless it is the ordinal of a cohort or stage ("the 4th cohort", "2nd-generation")
    # or a unit of measure written solid ("45W", "600kg", "5nm").
    r"(?!(?!(?:st|nd|rd|th)[\s-](?:cohort|batch|class|intake|phase|stage|generation)s?\b|"
    r"(?:[kmg]?wh?|kg|km|nm|ghz|gb|tb|ms)(?![a-z]))[a-z])",
    re.I,
)
# Words that make a figure a threshold or a comparison, not a claim about the article.
_COMPARISON = re.compile(
    r"(over|above|under|below|more than|less than|at least|at most|fewer than|greater than|exceed|beyond|top|"
    r"이상|이하|초과|미만|넘|보다|안팎|정도|쯤|가량)",
    re.I,
)
_WINDOW = 12
_BARE_SCALES = (1.0, 1e3, 1e4, 1e6, 1e8, 1e9, 1e12)


def figures(text: str) -> list[tuple[float, int, int]]:
    """(value, start, end) of each figure; Korean compounds (1만2천) are joined."""
    out: list[tuple[float, int, int]] = []
    last_ko_scale: float | None = None  # the previous figure's Korean scale, if it had one
    tail = 0.0  # the part of the previous figure below 만 ("1천" of "2조1천"), which a following 억 multiplies
    for m in _TOKEN.finditer(text):
        number = float(m.group(1).replace(",", ""))
        ko, en_word, en_suffix = m.group(2), m.group(3), m.group(4)
        scale = _ko_scale(ko) or _EN_SCALE.get((en_word or en_suffix or "").lower()) or 1.0
        follows = bool(out) and not text[out[-1][2] : m.start()].strip()
        big = _big_scale(ko)
        if follows and last_ko_scale is not None and scale < last_ko_scale:
            value, start, _ = out.pop()  # "1만" + "2천"
            out.append((value + number * scale, start, m.end()))
            tail = tail + number * scale if scale < 1e4 else 0.0
        elif follows and tail and big and last_ko_scale is not None and last_ko_scale < 1e4 and \
                (out[-1][0] - tail == 0 or out[-1][0] - tail >= big * 1e4):
            # "1천200억" is (1천 + 200)억 and "2조1천500억" is 2조 + (1천 + 500)억: 억 and 만 scale the group before them.
            value, start, _ = out.pop()
            out.append((value - tail + (tail + number * scale / big) * big, start, m.end()))
            tail = 0.0
        else:
            out.append((number * scale, m.start(), m.end()))
            tail = number * scale if ko and scale < 1e4 else 0.0
        last_ko_scale = _ko_scale(ko) if ko else None
    return out


def _big_scale(word: str | None) -> float:
    """The 조/억/만 of a Korean scale word ("천억" -> 1e8), 0.0 when it has none."""
    return max((_KO_SCALE[ch] for ch in word or "" if ch in "조억만"), default=0.0)


def _ko_scale(word: str | None) -> float:
    """천억 -> 1e11: a small scale times a large one; 0.0 for no scale."""
    value = 0.0
    for ch in word or "":
        value = (value or 1.0) * _KO_SCALE.get(ch, 10.0 if ch == "십" else 1.0)
    return value


def values(texts: Iterable[str]) -> frozenset[float]:
    return frozenset(_round(v) for text in texts for v, _, _ in figures(text))


def kinded_values(texts: Iterable[str]) -> frozenset[tuple[float, str]]:
    """(value, kind) of every figure stated, so "8기" is told apart from "8월"."""
    return frozenset((_round(v), kind) for text in texts for v, _, _, kind in figures_with_units(text))


# Kinds whose figure names one thing ("8기", "90점", "120명"): the same number of another kind is not it.
# Dates and durations are left out: "2년" and "2 years" parse to different kinds.
_STRICT_KINDS = frozenset({"cohort", "phase", "score", "percent", "people", "size", "money", "rank", "times", "ratio", "age"})


def unknown_figures(question: str, known: frozenset[float],
                    kinded: frozenset[tuple[float, str]] | None = None) -> list[str]:
    """Figures of the question that no sentence states (thresholds and comparisons excepted).

    With `kinded`, a figure of a strict kind must be stated with that kind: bare numbers in an
    article are mostly versions, chip names and URLs.
    """
    kinds = {start: kind for _, start, _, kind in figures_with_units(question)} if kinded is not None else {}
    out = []
    for value, start, end in figures(question):
        around = question[max(0, start - _WINDOW) : end + _WINDOW]
        if _COMPARISON.search(around):
            continue
        bare = question[start:end].replace(",", "").replace(".", "").isdigit()
        # A bare number may drop the scale the article writes ("32" for 32B, "671" for 6710억).
        candidates = [_round(value * s) for s in _BARE_SCALES] if bare else [_round(value)]
        kind = kinds.get(start, "")
        # "Nuri-2 parameters": a number hyphened to a name is its version, whatever word follows.
        named = start >= 2 and question[start - 1] == "-" and question[start - 2].isalpha()
        # ... and so is "x.y" after a name and a space ("누리 2.0 매개변수는", "Mira 3.0 users").
        named = named or (start >= 2 and question[start - 1] == " " and question[start - 2].isalpha()
                          and re.fullmatch(r"\d+\.\d", question[start:end]) is not None)
        # So is one glued to a name of two letters or more ("뮤즈2 파라미터"), unlike "약2천" or "총3명": it is
        # stated somewhere as a bare number ("Muse 2").
        glued = start >= 2 and question[start - 1].isalpha() and question[start - 2].isalpha()
        if kinded is not None and glued and not named:
            found = any((c, "") in kinded for c in candidates)
        elif kinded is not None and kind in _STRICT_KINDS and not named:
            found = any((c, kind) in kinded for c in candidates)
        else:
            found = any(c in known for c in candidates)
        if not found:
            out.append(question[start:end])
    return out


# A year as a time ("2024년", "in 2024", "IFA 2024"), not part of a larger number or a version.
_YEAR_IN_TEXT = re.compile(r"(?<![\w.,])((?:19|20)\d{2})(?!\d|[.,]\d|[a-z])")


def years(text: str) -> frozenset[str]:
    """The years a (folded) text names: what "the 2024 winner" is checked against."""
    return frozenset(_YEAR_IN_TEXT.findall(text))


# Years written relative to the article's own ("올해", "지난해", "last year"), with their offset.
_RELATIVE_YEARS = ((re.compile(r"재작년|the year before last"), -2), (re.compile(r"지난해|작년|전년|last year|a year earlier|a year ago"), -1),
                   (re.compile(r"올해|금년|올\s?(?:상반기|하반기|1분기|2분기|3분기|4분기)|this year"), 0), (re.compile(r"내년|next year"), 1))
# A full date: "2025년 10월 14일", "October 14, 2025", "2025-10-14".
_FULL_DATE = re.compile(r"((?:19|20)\d{2})년\s?\d{1,2}월\s?\d{1,2}일|(?:january|february|march|april|may|june|july|august|september|"
                        r"october|november|december)\s\d{1,2},\s((?:19|20)\d{2})|((?:19|20)\d{2})-\d{2}-\d{2}", re.I)


def relative_years(text: str, year: int | None) -> frozenset[str]:
    """The years a (folded) text names relative to the article's year: "지난해" in a 2025 article is 2024."""
    if year is None:
        return frozenset()
    return frozenset(str(year + offset) for pattern, offset in _RELATIVE_YEARS if pattern.search(text))


def article_year(date: str, text: str) -> int | None:
    """The year an article is written in: its date when known, else the first full date of its opening lines
    (the event it reports); None when neither says."""
    if m := re.match(r"((?:19|20)\d{2})", date or ""):
        return int(m.group(1))
    if m := _FULL_DATE.search(text[:600]):
        return int(next(g for g in m.groups() if g))
    return None


def _round(value: float) -> float:
    return float(f"{value:.6g}")


# --- figures with units -------------------------------------------------------
# A Korean counter ends its word or is followed by a particle or the copula: "1천200대까지", "3개씩", "4천대였다",
# but not "대기" or "장비".
# The copula after a figure ("4천대였다", "140곳이다"): its word still ends at the counter.
_COPULA = r"이었다|였다|였고|였으며|이다|이며|이고"
_PARTICLE = r"(?:까지|부터|에서|으로|가량|정도|이상|이하|미만|안팎|씩|" + _COPULA + r"|[을를이가의에로와과도만는은인다])?(?![\uac00-\ud7a3])"
# What a figure counts, read off the word right after it (Korean counters, English nouns).
_UNIT_WORDS: tuple[tuple[str, str], ...] = (
    ("percent", r"%|퍼센트|percent\b|per cent\b|pct\b|%p|포인트(?=\s*(?:상승|하락|증가|감소))"),
    # A person's age: "만 54세", "62살", "54 years old", "aged 54".
    ("age", r"(?:세|살)(?:부터|까지|이하|이상|미만|초과|이다|였|다|인|이|가|의|에|로|은|는|을|를|도|만)?(?![\uac00-\ud7a3])|[\s-]years?[\s-]old\b"),
    # A ratio such as a competition rate: "약 25대 1", "26 to 1", "11.7:1".
    ("ratio", r"대\s?1(?![\d.])|to\s?1\b|:\s?1(?![\d.])"),
    ("score", r"점(?![\uac00-\ud7a3])|점을|점이|점으로|점에|points?\b|pts\b"),
    ("money", r"(?:원|달러|유로|엔|위안)(?![\uac00-\ud7a3])|(?:원|달러|유로|위안)(?:으로|이나|에서|까지|씩|[을이의에은는과와대가로도만를])|won\b|dollars?\b|usd\b|krw\b|euros?\b|yen\b"),
    ("people", r"여?\s?명|people\b|persons?\b|applicants?\b|participants?\b|employees?\b|staff\b|students?\b|members?\b|workers?\b|researchers?\b|engineers?\b|users?\b|customers?\b|attendees?\b|teams?\b|팀|"
               r"(?:specialist|scientist|expert|professional|hire|recruit|developer|doctor|nurse|counsell?or|analyst|trainee|graduate|designer)s\b"),
    ("size", r"개\s?(?:의\s?)?(?:매개변수|파라미터)|(?<=\d)b\b|(?<=\d)\s?billion parameters?|parameters?\b|매개변수|파라미터"),
    ("cohort", r"기(?![\uac00-\ud7a3])|기[에의는가를까와]|기생|(?:st|nd|rd|th) (?:cohort|batch|class)\b|cohorts?\b"),
    ("times", r"배(?![\uac00-\ud7a3])|배[를의로]|times\b|-fold\b|x\b"),
    ("duration", r"개월|년간|시간|주간|주(?![\uac00-\ud7a3])|주[에로를는만]|일간|일\s?동안|일\s?만에|일\s?이내|분(?![\uac00-\ud7a3])|분[에으간]|초(?![\uac00-\ud7a3])|초[에로를는만]|박|months?\b|weeks?\b|days?\b|hours?\b|minutes?\b|seconds?\b|years? (?:of|long)\b|"
                 r"-(?:years?|months?|weeks?|days?|hours?|minutes?)\b"),
    ("date", r"년(?![간])|월(?![\uac00-\ud7a3])|월(?=[에부까])|일(?![\uac00-\ud7a3])|일(?=[에부까])|학년도"),
    ("weight", r"㎏|kg(?![a-z])|kilo(?:gram)?s?\b|킬로그램|톤(?![\uac00-\ud7a3])|톤[으이을은의에과와]|tonnes?\b|tons?\b|pounds?\b|lbs?\b"),
    ("power", r"(?:k|m|g)?w(?![a-z])|(?:킬로|메가|기가)?와트|(?:kilo|mega|giga)?watts?\b"),
    ("rank", r"위(?![\uac00-\ud7a3])|위[를로에]|등(?![\uac00-\ud7a3])|place\b|rank(?:ed)?\b"),
    # "1단계", "2차", "3세대", "phase 2": which stage of a programme or generation of a product.
    ("phase", r"(?:단계|차|세대)" + _PARTICLE + r"|(?:st|nd|rd|th)[\s-](?:phase|stage|generation)s?\b"),
    ("count", r"개국|(?:개|대|회|번|장)" + _PARTICLE + r"|건|곳|종|차례|units?\b|devices?\b|models?\b|products?\b|languages?\b|countries\b|cases?\b|records?\b"),
    # Any other plural noun after a number counts it: "2,000 GPUs", "12 sites" (not "2024 as", "1.0 is").
    ("plural", r"(?!(?:was|has|its|this|plus|less|thus|yes|does|goes|across|as|is|us)\b)[a-z][a-z-]*[a-rt-z]s\b"),
)
_UNIT_PATTERNS = tuple((kind, re.compile(r"\s?(?:" + pattern + ")", re.I)) for kind, pattern in _UNIT_WORDS)
_PLURAL_AT = [kind for kind, _ in _UNIT_WORDS].index("plural")
# Words between a count and its noun: "150 more AI specialists", "30 new engineers".
_MORE = re.compile(r"\s(?:more|additional|new|extra|further|other)\s(?:[A-Z][A-Za-z-]*\s)?", re.I)
def is_month(word: str) -> bool:
    """An English month name ("july")."""
    return bool(_MONTH.fullmatch(word))


_MONTH = re.compile(r"(?<![a-z])(january|february|march|april|may|june|july|august|september|october|november|december)\b", re.I)
# A bare number's kind read off the word before it: "₩412", "scored 81.2", "phase 2", "Cohort 4 had …" (4기).
_KIND_BEFORE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("money", re.compile(r"[$₩€£]\s?$")),
    ("score", re.compile(r"\b(?:scored?|scoring|score of)\s?$", re.I)),
    ("phase", re.compile(r"(?:phase|stage)\s?$", re.I)),
    ("cohort", re.compile(r"\b(?:cohort|batch|intake)\s?(?:no\.\s?)?$", re.I)),
)
# A capitalised or hyphenated word right before a number: the number is that name's version.
_NAME_BEFORE = re.compile(r"(?:^|\s)(?:[A-Z][\w-]*|[\w]+-[\w-]+)\s?$")
_SIZE_BEFORE = re.compile(r"(?:매개변수|파라미터|parameters?)\s*(?:는|은|가|이|:)?\s*(?:약|총)?\s*$", re.I)
_YEAR = re.compile(r"^(?:19|20)\d\d$")


FIGURE_MEMORY = 16384


def figures_with_units(text: str) -> list[tuple[float, int, int, str]]:
    """(value, start, end, kind) of each figure; `end` covers its unit word, `kind` what it counts.

    Kinds: percent, score, money, people, size, cohort, times, duration, date,
    rank, round, count, or "" when no unit follows (a bare number). The same sentences are read for
    every question, so each text is parsed once (bounded memory).
    """
    return list(_figures_with_units(text))


# "1인당", "1명당", "1대당": per one person or thing.
_PER_ONE = re.compile(r"\s?(?:인당|명당|개당|대당|곳당|건당|척당)")


@lru_cache(maxsize=FIGURE_MEMORY)
def _figures_with_units(text: str) -> tuple[tuple[float, int, int, str], ...]:
    out = []
    for value, start, end in figures(text):
        raw = text[start:end]
        if _PER_ONE.match(text, end):
            continue  # "교사 1인당", "척당": a rate's base, no figure of its own
        kind, unit_end = "", end
        if re.search(r"\d\s?b$", raw, re.I):
            out.append((value, start, end, "size"))  # 32B, 7.8B: model sizes
            continue
        for name, pattern in _UNIT_PATTERNS:
            m = pattern.match(text, end)
            if m:
                kind, unit_end = name, m.end()
                break
        if not kind and (more := _MORE.match(text, end)):
            # "150 more AI specialists", "30 additional engineers": the unit after a word of more.
            kind, unit_end = next(((name, m.end()) for name, pattern in _UNIT_PATTERNS[:_PLURAL_AT]
                                   if name in ("people", "count") and (m := pattern.match(text, more.end()))), ("", end))
        if not kind and text[end:end + 1] == "-" and text[end + 1:end + 2].isalpha():
            # "a 72-billion-parameter model", "a 10-person team": the unit joined by a hyphen.
            kind, unit_end = next(((name, m.end()) for name, pattern in _UNIT_PATTERNS if (m := pattern.match(text, end + 1))), ("", end))
        if kind == "plural":
            # "in 2024 sales rose" is a year; "Zeta-O 2.0 handles all" and "Mira 2 runs" name a version.
            if _YEAR.match(raw.replace(",", "")) or _NAME_BEFORE.search(text[max(0, start - 24):start]):
                kind, unit_end = "", end
            else:
                kind = "count"
        if kind == "size" and not re.match(r"[\s-]?(?:b\b|billion|개|매개변수|파라미터|parameters?)", text[end:unit_end], re.I):
            kind = "count"
        if kind in ("count", "") and _SIZE_BEFORE.search(text[max(0, start - 16):start]):
            kind = "size"  # "매개변수 90억개", "parameters: 9B": the noun before the figure
        if not kind:
            before = text[max(0, start - 12):start]
            kind = next((name for name, pattern in _KIND_BEFORE if pattern.search(before)), "")
        if kind == "duration" and text.startswith("주", end) and raw[-1:] in "만억천":
            kind, unit_end = "count", end + 1  # "100만주": shares, not weeks
        if not kind and text.startswith("일로", end) and "월" not in text[max(0, start - 4):start]:
            kind, unit_end = "duration", end + 1  # "3주에서 5일로 짧아졌다": days, not a date ("3월 5일로" is one)
        if not kind and _YEAR.match(raw.replace(",", "")):
            kind = "date"
        if not kind and _MONTH.search(text[max(0, start - 12):start]):
            kind = "date"
        out.append((value, start, _trim_unit(text, start, unit_end), kind))
    out.extend(native_figures(text))
    return tuple(sorted(out, key=lambda f: f[1]))


# Native Korean numerals before a counter: 두 차례, 세 갈래, 다섯 명, 석 달.
_NATIVE = {"한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4, "다섯": 5, "여섯": 6, "일곱": 7, "여덟": 8, "아홉": 9, "열": 10, "스무": 20}
_NATIVE_FIGURE = re.compile(
    r"(?<![\uac00-\ud7a30-9])(?!세대)(" + "|".join(sorted(_NATIVE, key=len, reverse=True)) + r")\s?"
    r"(차례|번(?!\s?째)|개|명|곳|가지|종류|갈래|팀|대|종|개국|배|달|시간)(?![\uac00-\ud7a3]{2})"
)
# "한 명 한 명", "한 곳 한 곳": each one, no count.
_EACH = re.compile(r"한\s?(명|곳|개|대|사람)\s+한\s?\1")
# Native ordinals before a stage or cohort: "두 번째 단계" is 2단계, "첫 번째 기수" 1기.
_NATIVE_ORDINAL = re.compile(r"(?<![\uac00-\ud7a3])(첫|두|세|네|다섯|여섯|일곱|여덟|아홉|열)\s?(?:번)?\s?째\s?(단계|세대|기수|기|차)")
_NATIVE_KIND = {"명": "people", "팀": "people", "배": "times", "달": "duration", "시간": "duration"}
# English numbers in words before what they count: "three years of development", "ten teams", "two-week".
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
                 "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100}
_WORD_NUMBER = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")(?=[\s-])", re.I)
_WORD_DURATION = re.compile(r"[\s-](?:years?|months?|weeks?|days?|hours?|minutes?)\b", re.I)
_WORD_KINDS = frozenset({"people", "times", "duration", "count", "plural", "percent", "score"})


# English ordinals before a cohort noun: "the fourth cohort" is 4기.
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12}
_ORDINAL_FIGURE = re.compile(r"\b(" + "|".join(_ORDINALS) + r")\s+(?:cohort|batch|class|round|intake)s?\b", re.I)
_ORDINAL_PHASE = re.compile(r"\b(" + "|".join(_ORDINALS) + r")[\s-]+(?:phase|stage|generation)s?\b", re.I)
# A stage or cohort by a number word after it: "phase two", "cohort three".
_CARDINALS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_NOUN_NUMBER = re.compile(r"\b(phase|stage|cohort|batch|intake)\s+(" + "|".join(_CARDINALS) + r")\b", re.I)
# Places in a ranking: "second place", "3rd-place", "the runner-up" (2위).
_ORDINAL_PLACE = re.compile(r"\b(" + "|".join(_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))[\s-]+place\b|\b(runner)[\s-]?up\b|"
                            r"\b(?:came|comes|come|finished|finishes|ranked|ranks|placed)\s+(" + "|".join(_ORDINALS) + r")\b", re.I)


def _place(m: re.Match[str]) -> float:
    if m.group(2):
        return 2.0
    word = (m.group(1) or m.group(3)).lower()
    return float(_ORDINALS[word]) if word in _ORDINALS else float(re.match(r"\d+", word).group(0))


_ORDINAL_WORDS = {v: k for k, v in _ORDINALS.items()}
_ORDINAL_NOUNS = {"cohort": (("기",), ("cohort", "batch", "intake")),
                  "phase": (("단계", "차", "세대"), ("phase", "stage", "generation"))}


# Figures that name one of a series: a place in a ranking, a cohort, a stage or generation.
ORDINAL_KINDS = frozenset({"rank", "cohort", "phase", "round"})
_ORDINAL_COUNTERS = {counter: kind for kind, (korean, _) in _ORDINAL_NOUNS.items() for counter in korean} | {"위": "rank"}
_COUNTER_ALTERNATIVES = "|".join(sorted(_ORDINAL_COUNTERS, key=len, reverse=True))
_ORDINAL_WORD = re.compile(r"\d{1,2}\s?(?:" + _COUNTER_ALTERNATIVES + ")")
_ORDINAL_LIST = re.compile(r"(?<![\d.])(\d{1,2})\s?([·,~∼])\s?(\d{1,2})\s?(" + _COUNTER_ALTERNATIVES + ")")
_ORDINAL_LIST_EN = re.compile(r"\b(cohorts?|batch(?:es)?|intakes?|phases?|stages?)\s(\d{1,2})\s?(?:,|and|&|to|-|–)\s?(\d{1,2})\b", re.I)


def is_ordinal_word(word: str) -> bool:
    """"2세대", "3기": a generation, cohort or stage written as a word, a figure rather than a name."""
    return bool(_ORDINAL_WORD.fullmatch(word))


def ordinal_places(text: str) -> set[tuple[float, str]]:
    """(value, kind) of the places, cohorts and stages a text states, lists and ranges included."""
    stated = {(v, kind) for v, _, _, kind in figures_with_units(text) if kind in ORDINAL_KINDS}
    # "1·2기", "1~3단계": every number of a list or range before the counter is stated.
    for m in _ORDINAL_LIST.finditer(text):
        low, high, kind = int(m.group(1)), int(m.group(3)), _ORDINAL_COUNTERS[m.group(4)]
        values = range(low, high + 1) if m.group(2) in "~∼" and high - low < 20 else (low, high)
        stated |= {(float(v), kind) for v in values}
    for m in _ORDINAL_LIST_EN.finditer(text):
        kind = "cohort" if m.group(1).lower().startswith(("cohort", "batch", "intake")) else "phase"
        stated |= {(float(m.group(2)), kind), (float(m.group(3)), kind)}
    return stated


# A stage or generation named as what another is measured against: "1세대의 두 배", "1세대보다", "than the first generation".
_COMPARED_AFTER = re.compile(r"\s?(?:\([^)]{1,20}\))?\s?(?:모델|제품|버전|때)?(?:의\s?(?:약\s?)?[\w.]+\s?(?:배|수준|절반)|보다|대비|에\s?비해|에\s?비하면|[과와]\s?비교)")
_COMPARED_BEFORE = re.compile(r"\b(?:than|compared (?:with|to)|versus|vs\.?|double|twice|times|up from|down from)\b[^.;:]{0,25}$", re.I)


def compared_places(text: str) -> set[tuple[float, str]]:
    """The (value, kind) stages and generations a text names only as the base of a comparison: "시간당 수확량은
    1천450개로 1세대의 두 배" is about the new generation, not the first."""
    out = set()
    for value, start, end, kind in figures_with_units(text):
        if kind in ORDINAL_KINDS and (_COMPARED_AFTER.match(text, end) or _COMPARED_BEFORE.search(text[max(0, start - 30):start])):
            out.add((value, kind))
    return out


def ordinal_spellings(value: float, kind: str) -> tuple[str, ...]:
    """The ways both languages write a cohort or a stage (2기 = cohort 2 = the second cohort), folded;
    empty for other kinds. An English question meets a Korean sentence through these, and the reverse."""
    if kind not in _ORDINAL_NOUNS or value != int(value) or not 0 < value < 100:
        return ()
    n = int(value)
    korean, english = _ORDINAL_NOUNS[kind]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    words = [_ORDINAL_WORDS[n], f"{n}{suffix}"] if n in _ORDINAL_WORDS else [f"{n}{suffix}"]
    return tuple([f"{n}{k}" for k in korean] + [f"{noun} {n}" for noun in english]
                 + [f"{w}{sep}{noun}" for w in words for noun in english for sep in (" ", "-")])


def counts_people(words: str) -> bool:
    """Whether an English noun phrase names people ("researchers", "AI specialists"), as a count's unit would."""
    unit = dict(_UNIT_PATTERNS)["people"]
    return any(unit.fullmatch(" " + w) or unit.fullmatch(w) for w in words.split())


def native_figures(text: str) -> list[tuple[float, int, int, str]]:
    """(value, start, end, kind) of figures written in words: native-numeral counts ("1년에 두 차례" -> 2)
    English ordinal cohorts ("the fourth cohort" -> 4), stages and places ("second place" -> 2위)."""
    out = [(float(_NATIVE[m.group(1)]), m.start(), m.end(), _NATIVE_KIND.get(m.group(2), "count"))
           for m in _NATIVE_FIGURE.finditer(text) if (m.group(1) not in ("석", "넉") or m.group(2) == "달")
           and not (m.group(1) == "한" and m.group(2) == "번" and text.startswith("에", m.end()))  # "한 번에": at once
           and not (m.group(1) == "한" and _EACH.search(text, max(0, m.start() - 6), m.end() + 6))]  # "한 명 한 명": each one
    for m in _WORD_NUMBER.finditer(text):
        if span := _WORD_DURATION.match(text, m.end()):
            out.append((float(_WORD_NUMBERS[m.group(1).lower()]), m.start(), span.end(), "duration"))
            continue
        for name, pattern in _UNIT_PATTERNS:
            unit = pattern.match(text, m.end())
            if unit:
                # "one model", "the one that …": a pronoun as often as a count.
                if name in _WORD_KINDS and not (m.group(1).lower() == "one" and name in ("count", "plural")):
                    out.append((float(_WORD_NUMBERS[m.group(1).lower()]), m.start(), unit.end(), "count" if name == "plural" else name))
                break
    out.extend((float(_NATIVE.get(m.group(1), 1)), m.start(), m.end(), "cohort" if m.group(2).startswith("기") else "phase")
               for m in _NATIVE_ORDINAL.finditer(text))
    out.extend((float(_ORDINALS[m.group(1).lower()]), m.start(), m.end(), "cohort") for m in _ORDINAL_FIGURE.finditer(text))
    out.extend((float(_ORDINALS[m.group(1).lower()]), m.start(), m.end(), "phase") for m in _ORDINAL_PHASE.finditer(text))
    out.extend((_place(m), m.start(), m.end(), "rank") for m in _ORDINAL_PLACE.finditer(text))
    out.extend((float(_CARDINALS[m.group(2).lower()]), m.start(), m.end(),
                "phase" if m.group(1).lower() in ("phase", "stage") else "cohort") for m in _NOUN_NUMBER.finditer(text))
    # "Series C", "시리즈B": which funding round (A = 1), a stage of its own like 2단계.
    out.extend((float(ord(m.group(1).lower()) - ord("a") + 1), m.start(), m.end(), "round") for m in _ROUND.finditer(text))
    # "on Thursday", "지난 목요일": the day of the week an event happened, the way wire copy dates it.
    out.extend((float(_WEEKDAYS.index((m.group(1) or m.group(2)).lower()[:3] if m.group(1) else m.group(2)) % 7 + 1),
                m.start(), m.end(), "date") for m in _WEEKDAY.finditer(text))
    return out


_ROUND = re.compile(r"(?<![A-Za-z])(?:series|시리즈)\s?-?([A-Fa-f])(?![A-Za-z])", re.I)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun", "월", "화", "수", "목", "금", "토", "일")
_WEEKDAY = re.compile(r"\b(?:on|last|this|next|since|by|until)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
                      r"(?<![\uac00-\ud7a3])([월화수목금토일])요일", re.I)


_COPULA_END = re.compile(r"(?:" + _COPULA + r"|인|다)$")


def _trim_unit(text: str, start: int, end: int) -> int:
    """End the figure at its counter: "94.5점을" -> "94.5점", "2천570명이" -> "2천570명", "4천대였다" -> "4천대"."""
    if m := _COPULA_END.search(text, start, end):
        if end - len(m.group(0)) - 1 >= start and not text[end - len(m.group(0)) - 1].isdigit():
            end -= len(m.group(0))
    while end > start and text[end - 1] in "을를이가의에은는과와로도으서까지나씩 ":
        if end - 2 >= start and text[end - 2].isdigit():
            break
        end -= 1
    return end
