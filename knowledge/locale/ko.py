"""Korean: name patterns of news copy, question cues and the answer/message templates."""
from __future__ import annotations

import re

# A person's name before a title, perhaps with an organisation between: 홍길동 한빛그룹 회장, 김영희 기자.
PERSON_BEFORE_TITLE = re.compile(
    r"(?<![A-Za-z0-9\uac00-\ud7a3])([\uac00-\ud7a3]{2,3})\s(?:당시\s|현\s|전\s)?(?:[^\s]{1,16}\s){0,2}(?=[\uac00-\ud7a3A-Za-z]{0,8}"
    r"(?:회장|부회장|사장|부사장|대표이사|대표|원장|연구원장|센터장|소장|본부장|부문장|사업부장|부장|실장|팀장|그룹장|단장|국장|처장|위원장|이사장|행장|부행장|총장|교수|연구교수|박사(?!\s?(?:학위|과정|후|급))|장관|차관|의원|전무|상무|이사|CEO|CTO|CFO|CIO|기자|특파원|애널리스트|연구위원|수석연구원)"
    r"(?:\([^)\s]{1,6}\))?(?:이|은|는|가|을|를|의|과|와|도|에게|께서|으로|이었|이던)?(?![\uac00-\ud7a3]))"
)
# Words that open a sentence before a name and title ("이후 홍 회장은"): never a person's name.
NOT_NAMES = frozenset("가운데 이중 이후 이밖에 이외 이어 이날 이번 이에 이와 이처럼 이때 한편 또한 특히 당시 아울러 앞서 최근 지난 올해 현재 그동안 이같이 이는 그는 또 다만 반면 실제 이로써 따라서 그러나 하지만 같은 경우 재계 업계 관계자".split())
# Organisations by their usual endings: 삼성전자, LG그룹, LG AI연구원, 삼성리서치.
ORGANISATION_KINDS = (r"전자|그룹|연구원|연구소|리서치|텔레콤|증권|은행|보험|화학|에너지솔루션|디스플레이|이노텍|유플러스|재단|"
                      r"대학교|대학|대병원|병원|의료원|협회|위원회|공사|부|청")
# A one-syllable kind (부, 청) needs two syllables before it: 국방부, 특허청, but not 내부, 일부, 전부.
ORGANISATION = re.compile(
    r"(?:[A-Z][A-Za-z]{0,9}\s?)?(?:[\uac00-\ud7a3A-Za-z]{1,8}(?:" + ORGANISATION_KINDS.replace("|부|청", "") + r")"
    r"|[\uac00-\ud7a3A-Za-z]{2,8}(?:부|청))"
    r"(?=(?:이|가|은|는|을|를|의|와|과|에|도|로|만)?(?:[^\uac00-\ud7a3]|$))"
)
# A party that may answer "who" besides a person: investors, funds and firms by their kind ("해솔벤처스", "누리캐피탈").
PARTY_KINDS = r"인베스트먼트|벤처스|벤처투자|캐피탈|파트너스|자산운용|홀딩스|증권|은행|그룹|전자|재단"
PARTY = re.compile(r"[\uac00-\ud7a3A-Za-z]{1,8}(?:" + PARTY_KINDS + r")(?=(?:이|가|은|는|을|를|의|와|과|에|도|로|만)?(?:[^\uac00-\ud7a3]|$))")
PARTY_NAME = re.compile(r"(?:" + PARTY_KINDS + r")$")

# A company (or a public body) written solid with its kind ("새온손해보험", "말결랩스", "한빛텔레콤"): the name before the kind is
# how questions name it ("Saeon", "말결"), even when the article never writes it alone.
COMPANY_NAME = re.compile(
    r"(?<![\uac00-\ud7a3])([\uac00-\ud7a3]{2,5}?)(?:손해보험|생명보험|손보|생보|전자|그룹|텔레콤|증권|은행|보험|화학|캐피탈|벤처스|"
    r"인베스트먼트|파트너스|자산운용|홀딩스|중공업|제약|로보틱스|테크|랩스|랩|모빌리티|스튜디오|실리콘|바이오|헬스케어|인텔리전스|"
    r"솔루션즈|솔루션스|시스템즈|네트웍스|네트워크스|소프트|에너지|메디컬|다이내믹스|인더스트리|커뮤니케이션즈|엔터테인먼트|"
    # ... and a public body or an institution ("한빛시교육청", "한별대학교병원"): "Hanbit", "Hanbyeol" name it.
    r"시교육청|도교육청|교육청|시청|구청|군청|도청|대학교병원|대학병원|대병원|의료원|대학교|재단|공사|공단)"
    r"(?=[은는이가을를의와과에도로만]?(?:[^\uac00-\ud7a3]|$))"
)
# Words that qualify a kind of company rather than name one ("국내 은행" written solid, "대형증권").
# Sector words before 테크/보험/은행 name a field, not a firm ("클린테크", "애그테크", "자동차보험", "산업은행" aside).
NOT_COMPANY_NAMES = frozenset("국내 해외 국외 대형 중소 중견 글로벌 외국 지방 시중 인터넷 지역 민간 공공 전문 주요 관련 계열 자회사 모회사 상장 비상장 "
                              "클린 애그 핀 에듀 헬스 푸드 리걸 프롭 그린 기후 딥 건강 자동차 산업 실손 화재 생명 손해 상해 여행 펫 기술 금융 "
                              "벤처 스타트업 반도체 의료 교육 물류 농업 해양".split())

# The name before its kind: "한빛그룹" -> "한빛" (2+ characters left).
ORGANISATION_NAME = re.compile(r"^(.{2,}?)\s?(?:" + ORGANISATION_KINDS + r")$")

# The common Korean surnames (one syllable, and the two-syllable ones): a Hangul name in parentheses after a
# romanised one is a person's only when it starts with one ("Jamie Park (박재민)", not "… Sprouts (새싹캠프)").
SURNAMES = frozenset("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 전 홍 유 고 문 양 손 배 백 허 남 심 노 하 곽 성 차 주 우 구 "
                     "민 류 나 진 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 왕 금 옥 육 인 맹 제 모 "
                     "탁 국 어 은 편 용 예 경 봉 사 부 피 범 태 두 감 음 빈 동 온 호 황보 남궁 제갈 선우 독고 사공 서문".split())

# Korean surnames as they are usually romanised, where the spelling does not sound out the Hangul
# (이 = Lee/Rhee/Yi, 노 = Roh, 오 = Oh): general language knowledge, not any article's people.
ROMANISED_SURNAMES: dict[str, str] = {
    "lee": "이", "rhee": "이", "yi": "이", "ri": "이", "roh": "노", "noh": "노", "ryu": "류유", "ryoo": "류유", "yoo": "유류",
    "yu": "유류", "lim": "임림", "rim": "임림", "im": "임", "oh": "오", "o": "오", "woo": "우", "u": "우", "ahn": "안",
    "an": "안", "um": "엄", "eom": "엄", "yoon": "윤", "yun": "윤", "youn": "윤", "choi": "최", "choe": "최",
    "chung": "정", "jung": "정", "jeong": "정", "cheong": "정", "chun": "천전", "jun": "전", "jeon": "전",
    "suh": "서", "seo": "서", "shin": "신", "sin": "신", "shim": "심", "sim": "심", "koh": "고", "ko": "고",
    "goh": "고", "koo": "구", "ku": "구", "goo": "구", "kwon": "권", "gwon": "권", "kwak": "곽", "gwak": "곽",
    "chang": "장", "jang": "장", "cho": "조", "jo": "조", "joo": "주", "ju": "주", "chu": "추", "choo": "추",
    "heo": "허", "huh": "허", "hur": "허", "yeo": "여", "yeom": "염", "yum": "염", "ha": "하", "na": "나", "nah": "나",
    "ra": "라", "la": "라", "ma": "마", "yang": "양", "kang": "강", "gang": "강", "moon": "문", "mun": "문",
}

# A sentence that goes on about the one before it ("이는 …", "이 중 …"), and one that announces a list after it.
CONTINUES = re.compile(r"^(?:이는|이들은|이들의|이를|이 중|이 가운데|그중|그 중|그는|그녀는|이곳은|해당\s)")
ANNOUNCES = re.compile(r"(?:[:：]\s*$|(?:두|세|네|다섯|여섯|[2-9])\s?(?:갈래|가지|종류|부문|단계|축)(?:로|으로)?\s)")

# "어느 X", "어떤 X", "무슨 X": the noun a question asks to name. Nouns that only say what kind of answer is wanted
# (내용, 정도, 크기, 연도), are too general to be written as such (것, 점, 방법), or name a party by the part it
# plays, which articles tell with a verb ("투자를 주도했다" names the 투자자), are not such a noun.
ASKED_HEAD = (re.compile(r"(?:어느|어떤|무슨)\s*([\uac00-\ud7a3A-Za-z]+)"),)
# "X 몇 개": the noun counted, right before 몇 and its counter. General nouns are left to the counter.
COUNTED = re.compile(r"([\uac00-\ud7a3A-Za-z]{2,})\s*몇\s*(?:개|곳|대|장|건|척|종|편|권|가지|군데)")
COUNTED_FIRST = COUNTED
GENERIC_COUNTED = frozenset("사람 것 거 수 총 모두 전체 각각 개수 숫자 규모 현재 지금 올해 작년 대략 약 총합 시간당 하루 하루에 연간 매년 "
                            "매달 한번에 한 번에 한꺼번에 동시에 최대 평균".split())
GENERIC_HEADS = frozenset("""
    것 거 게 건 점 내용 방법 의미 역할 이유 부분 식 방식 계획 목적 목표 효과 의견 말 얘기 이야기 특징 차이 변화 결과 문제 상황 일
    곳 사람 분야 형태 종류 정도 수준 기준 조건 혜택 성과 의도 배경 입장 평가 반응 크기 규모 연도 해 날 때 시기 점수 수치 숫자 비율 순서
    용도 쓰임 쓰임새 성적 순위
    투자자 투자사 파트너 협력사 고객 고객사 후원사 수상팀 우승팀 창업자 설립자 운영사 주관사 상대 상대방
    """.split())

# Words about an article itself (who wrote it, where, a summary of it): not what it is about.
ABOUT_ARTICLES = frozenset("썼어 썼나 썼니 썼지 쓴 작성 작성자 기자 언론 언론사 매체 신문 신문사 기사 요약 정리 핵심 출처".split())

# --- messages -------------------------------------------------------------
USAGE = '질문을 입력해 주세요. 예: "{example}"'
INJECTION_ONLY = "질문 속 지시문은 따르지 않습니다. 기사 내용에 대해 질문해 주세요."
TOO_LONG = "질문이 너무 길어 앞의 {limit:,}자만 사용했습니다."
THANKS = "👍 더 궁금한 점이 있으면 언제든 물어보세요."
HELLO = "안녕하세요! {topic}에 대해 물어보세요. 예: {examples}"
DECLINE = "기사에는 이 질문에 대한 내용이 없습니다."
DECLINE_CLOSEST = "기사에는 이 질문에 대한 내용이 없습니다. 가장 가까운 문장을 참고로 보여 드립니다."
UNCERTAIN = "기사에 정확히 그 내용은 없습니다. 가장 가까운 내용은 {where}의 아래 문장입니다."
UNVERIFIED = "기사에서 근거 문장을 확인하지 못했습니다."
NO_DOCUMENTS = "아직 색인된 기사가 없습니다."

# --- answers --------------------------------------------------------------
FIGURE = "{figure}입니다."
CHANGE = "{before}에서 {after}{ro} 바뀌었습니다."
# Another article gives the figure differently (see `knowledge.retrieval.Retriever.rival`).
RIVAL = " 다만 {where}에는 {figure}{ro} 나옵니다."
ACCORDING = "{where}에 따르면 {statement}"
SEE_QUOTE = "{where}에 답이 있습니다(아래 인용)."
BYLINE = "「{label}」은(는) {outlet} {byline}이(가) 썼습니다."
DATED = "기사 날짜는 {date}입니다."
SUMMARY = "「{label}」{extra}의 요점을 담은 문장 {count}개입니다."
SOURCES = "색인된 기사 {count}건입니다:"
WHICH_ARTICLE = "어느 기사를 말씀하시는지 알려 주세요. 색인된 기사:"

# Words that say what kind of question it is, not what it is about.
DEFINITION_MARKERS: tuple[str, ...] = ("약자", "약어", "줄임말", "뜻", "의미", "정의")


# Digits as read aloud end in a consonant (일, 삼, 육, 칠, 팔, 십) or not; ㄹ takes 로 like a vowel.
_DIGIT_RO = {"0": "으로", "1": "로", "2": "로", "3": "으로", "4": "로", "5": "로", "6": "으로", "7": "로", "8": "로", "9": "로"}


def particle_ro(word: str) -> str:
    """로 or 으로 after a word: "1만2천명으로", "5개로", "94.5%로"; "(으)로" when unsure (a Latin word)."""
    last = word.rstrip()[-1:] if word.strip() else ""
    if "\uac00" <= last <= "\ud7a3":
        final = (ord(last) - 0xAC00) % 28
        return "로" if final in (0, 8) else "으로"
    if last in _DIGIT_RO:
        return _DIGIT_RO[last]
    return "로" if last == "%" else "(으)로"
