"""Question normalisation and the light Korean/English tokenising used for lexical search.

No morphological analyser stays resident (kiwipiepy alone peaks near 530 MB),
so Korean words are matched by stem prefixes and character bigrams, which also
survive typos and spacing differences.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from knowledge.locale.en import SHORTHAND, STOPWORDS

_FENCE = re.compile(r"```|`")
_FORMAT = re.compile(r"(?<![\w*_~])([*_~])(?=\S)(.+?)(?<=\S)\1(?![\w*_~])")
_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
# Any case, except "rn" ("right now"), which in capitals is a registered nurse.
_SHORTHAND = re.compile(r"(?<![\w/])((?i:" + "|".join(re.escape(k) for k in sorted(SHORTHAND, key=len, reverse=True) if k != "rn")
                        + r")|rn)(?![\w/])")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN = re.compile(r"[A-Za-z]")

WORD = re.compile(r"\d+(?:[.,]\d+)*[a-z%]*|[a-z][a-z0-9]*(?:[-'][a-z0-9]+)*|[\uac00-\ud7a3]+")


def normalize_question(text: str) -> str:
    """Plain text for analysis: composed Hangul, no formatting marks, control characters or extra spaces.

    Chat-platform markup (Slack mentions, links, emoji codes) is decoded by
    the caller that knows the platform (`bot.markup`).
    """
    text = unicodedata.normalize("NFC", text)
    text = _FENCE.sub(" ", text)
    text = _FORMAT.sub(r"\2", text)
    text = _CONTROL.sub(" ", text)
    text = _PAST_TYPO.sub(_past_tense, text)
    text = _SHORTHAND.sub(lambda m: SHORTHAND[m.group(1).lower()] + (" " if m.group(1).endswith("/") else ""), text)
    return _SPACES.sub(" ", text).strip()


# A past tense typed with ㅅ for ㅆ ("줄엇어", "얼마엿지", "됏나"), a common slip in chat: the syllables that end a
# past stem, before an ending, get their ㅆ back. Stems that really end in ㅅ (빗어, 낫다, 웃어) are not among them.
_PAST_TYPO = re.compile(r"([엇엿햇됏봣줫졋켯렷혓쳣랏웟앗갓왓섯])(?=(?:어|지|다|나|니|음|네|는데|던|고|죠|습니|을까)(?![\uac00-\ud7a3]{2}))")


def _past_tense(m: re.Match[str]) -> str:
    code = ord(m.group(1)) - 0xAC00
    return chr(0xAC00 + code - code % 28 + 20)  # final ㅅ (19) -> ㅆ (20)


def fold(text: str) -> str:
    """Case- and width-folded form used for matching (not for display)."""
    return unicodedata.normalize("NFKC", text).lower()


def detect_language(text: str) -> str:
    """'ko' when the question is mostly Hangul, else 'en'."""
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul == 0 and latin == 0:
        return "ko"
    return "ko" if hangul * 2 >= latin * 0.6 else "en"


def words(text: str) -> list[str]:
    return WORD.findall(fold(text))


def is_hangul(word: str) -> bool:
    return bool(_HANGUL.match(word))


def terms(word: str) -> list[str]:
    """Index terms of one word: Hangul -> character bigrams, others -> the word."""
    if is_hangul(word):
        if len(word) == 1:
            return [word]
        return [word[i : i + 2] for i in range(len(word) - 1)]
    return [word]


def text_terms(text: str) -> list[str]:
    out: list[str] = []
    for w in words(text):
        out.extend(terms(w))
    return out


# Endings and particles stripped from Korean question words to reach a stem.
_SUFFIXES = sorted(
    """
    되었나요 였나요 었나요 았나요 됐나요 했나요 하나요 인가요 일까요 할까요 습니까 입니까 합니까 었어요 았어요 했어요
    됐어요 인데요 나요 가요 까요 세요 해요 예요 이에요 에요 이야 인가 는가 은가 했나 됐나 았나 었나 였나
    했던 했다 된다 한다 이다 인지 는지 되나 됐어 했어 했지 이었 였고 하고 했고 라면
    하면 되면 할때 했을때 됐을때 하려면 했는데 됐는데 했는지 됐는지 했으며 됐으며 하는 되는 됐고 해서 돼서 했음 됐음 했니 됐니
    에서는 에서도 에서의 에서 에게 한테 으로는 으로 로는 로서 로 부터 까지 이란 란 이라는 라는 이라고 라고
    처럼 보다 과의 와의 에는 에선 에도 에의 이랑 랑 엔 은 는 이 가 을 를 의 에 와 과 도 만 들 야 냐 니 요 나
    """.split(),
    key=len,
    reverse=True,
)

KOREAN_PARTICLES = frozenset("은 는 이 가 을 를 의 에 와 과 도 만 들 로 으로 에서 에게 까지 부터 란 이란".split())

KOREAN_STOPWORDS = frozenset(
    """
    무엇 무엇인 뭐 뭔 뭔가 뭘 무슨 어떤 어떻 어떻게 어느 어디 언제 누구 누가 몇 얼마 얼마나
    그럼 그러면 그리고 그런데 근데 그 이 저 좀 혹시 알려 알려줘 알려주세요 설명 설명해 궁금 궁금해 대해 대한 관해 관련
    기사 기사에서 말 정도 가장 큰 작은 제일 것 수 등 및 있 있나 없 해 하 했 된 되 한 할 함 요즘 지금 또 또는 그것
    몇명 몇개 개 명 금액 액수 얘기 이야기 내용 정보 경우 때 나요 인가 있어 있어요 맞아 맞나요 진짜 정말 엄청 너무
    해줘 해주세요 줘 주세요 나왔어 나왔나 나와 건 거 게 걸 데 점점 이제 다시 그래서 돼 돼요 되나 됐 됐어 됐나
    """.split()
)

ENGLISH_STOPWORDS = STOPWORDS


_EN_SUFFIXES = ("ations", "ation", "ments", "ment", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "s")


@lru_cache(maxsize=16384)
def english_stem(word: str) -> str:
    """A light English stem for matching inflections: shipped/ships/shipping -> ship."""
    for suffix in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                stem += "y"
            if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouls":
                stem = stem[:-1]  # shipp -> ship
            return stem
    return word


def korean_stems(word: str) -> list[str]:
    """The word and its successively stripped forms: 주가는 -> [주가는, 주가, 주].

    Several stages are kept because a particle and a stem can look alike
    (주가 "stock price" vs 주 + 가); callers look each stage up in order.
    """
    stages = [word]
    stem = word
    for _ in range(3):
        for suffix in _SUFFIXES:
            if stem.endswith(suffix) and len(stem) > len(suffix):
                stem = stem[: -len(suffix)]
                stages.append(stem)
                break
        else:
            break
    return stages


def korean_stem(word: str) -> str:
    """The shortest stage of two or more syllables (one only for one- or two-syllable words)."""
    stages = korean_stems(word)
    longer = [s for s in stages if len(s) >= 2]
    if len(word) <= 2:
        return stages[-1]
    return longer[-1] if longer else stages[-1]


QUESTION_VERBS = (
    "설명", "알려", "말해", "얘기", "이야기", "궁금", "뭔", "뭐", "무엇", "어떻", "어때", "어떤", "가르쳐", "소개", "요약", "정리",
)


_INJECTION = re.compile(
    r"\b(ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(instruction|instructions|prompt|prompts|rules|directions|guidelines|context)\b"
    r"|\byou are now\b|\bact as\b|\bpretend (to be|you)\b|\bsystem prompt\b|\bjailbreak\b|\bdeveloper mode\b"
    r"|(지시|명령|지침|규칙|프롬프트|설정)[^.!?\n]{0,12}(무시|잊어|잊고|따르지)"
    r"|(무시하고|무시해)",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[^.!?。？！\n]+[.!?。？！]*")


def strip_injection(question: str) -> tuple[str, bool]:
    """Remove sentences that try to instruct the bot ("ignore previous instructions ...").

    The question is data: an instruction inside it is never followed, and it
    is dropped before retrieval so it cannot steer which sentences are found.
    """
    if not _INJECTION.search(question):
        return question, False
    kept = [c.strip() for c in _CLAUSES.findall(question) if c.strip() and not _INJECTION.search(c)]
    return " ".join(kept).strip(), True


_THANKS = r"(?:thanks|thank you|thx|ty|cheers|고마워요?|고맙습니다|감사(?:합니다|해요)?|ㄱㅅ|땡큐)"
_HELLO = r"(?:hi|hello|hey|yo|good (?:morning|afternoon|evening)|안녕(?:하세요)?|하이|ㅎㅇ|반가워요?|반갑습니다)"
_ACK = r"(?:ok|okay|오케이|알겠(?:어|어요|습니다)|좋아요?|굿|nice|great|cool|ㅋ+|ㅎ+|ㅇㅋ)"
_SMALL_TALK = re.compile(rf"(?:{_HELLO}|{_THANKS}|{_ACK})(?:\s+(?:bot|there|all|everyone|a lot|so much|봇))?")


def small_talk(question: str) -> str | None:
    """'hello' or 'thanks' when the whole message is a greeting, thanks or an ok, else None."""
    # NFC, not fold(): NFKC would turn ㅋ/ㅎ into conjoining jamo.
    text = re.sub(r"[\s!.~?,^]+", " ", unicodedata.normalize("NFC", question).lower()).strip()
    text = re.sub(r"[^\w\s]", "", text).strip()  # emoji and the like
    if not text or not _SMALL_TALK.fullmatch(text):
        return None
    return "hello" if re.match(_HELLO, text) else "thanks"
