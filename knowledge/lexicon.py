"""A bilingual alias list: named entities of the source and common business/tech words.

An English question has to find a Korean sentence (and a Korean question an
English one, should an English seed be added). Dense embeddings do most of
that; this list makes names and key terms match lexically too. Each group
holds equivalent spellings; forms are folded (NFKC, lower case) before use.
"""
from __future__ import annotations

# Named entities of the article and their usual English/Korean spellings.
ENTITIES: tuple[tuple[str, ...], ...] = (
    ("lg", "엘지"),
    ("lg group", "lg그룹", "엘지그룹"),
    ("lg ai research", "lg ai연구원", "ai연구원", "lg ai 연구원", "엘지 ai연구원"),
    ("exaone", "엑사원"),
    ("exaone deep", "엑사원 딥", "엑사원딥"),
    ("deepseek", "딥시크"),
    ("deepseek r1", "딥시크 r1"),
    ("openai", "오픈ai", "오픈에이아이"),
    ("google", "구글"),
    ("alibaba", "알리바바"),
    ("koo kwang-mo", "koo kwang mo", "koo", "구광모", "구 회장"),
    ("aimers", "lg aimers", "에이머스", "lg 에이머스"),
    ("hackathon", "해커톤"),
    ("korean sat", "csat", "suneung", "sat", "수능", "대학수학능력시험"),
    ("youth daily", "청년일보"),
    ("abc",),
    ("agentic ai", "agentic", "에이전틱"),
    ("foundation model", "foundation models", "파운데이션 모델"),
    ("big tech", "bigtech", "빅테크"),
    ("united states", "us", "usa", "america", "american", "미국"),
    ("china", "chinese", "중국"),
    ("korea", "korean", "domestic", "국내", "한국", "한국형"),
)

# General business / technology vocabulary, not specific to any one question.
VOCABULARY: tuple[tuple[str, ...], ...] = (
    ("ai", "artificial intelligence", "인공지능"),
    ("bio", "biotech", "biotechnology", "바이오"),
    ("clean tech", "cleantech", "clean technology", "클린테크"),
    ("growth engine", "growth engines", "growth driver", "growth drivers", "growth", "성장동력", "성장"),
    ("strategy", "strategies", "전략"),
    ("business", "businesses", "사업"),
    ("future", "미래"),
    ("reasoning", "reasoning ai", "reason", "추론"),
    ("model", "models", "모델"),
    ("parameter", "parameters", "매개변수", "파라미터"),
    ("billion", "억"),
    ("lightweight", "light", "small", "smaller", "compact", "경량"),
    ("on-device", "on device", "ondevice", "온디바이스"),
    ("open source", "open-source", "opensource", "오픈소스"),
    ("release", "released", "unveil", "unveiled", "publish", "published", "launch", "launched", "공개", "출시"),
    ("math", "mathematics", "수학"),
    ("science", "scientific", "과학"),
    ("coding", "code", "programming", "코딩"),
    ("score", "scored", "scores", "points", "grade", "점수", "점"),
    ("performance", "성능"),
    ("compare", "compared", "comparison", "versus", "vs", "비교"),
    ("size", "scale", "규모", "크기"),
    ("consist", "consists", "consist of", "composed", "made up", "come in", "comes in", "lineup", "line-up", "variants", "versions", "구성", "라인업"),
    ("percent", "percentage", "%", "퍼센트", "수준"),
    ("found", "founded", "establish", "established", "set up", "setup", "create", "created", "launch", "설립", "출범", "창립", "만들", "세운", "세웠"),
    ("research", "연구"),
    ("researcher", "researchers", "연구원", "연구진"),
    ("institute", "lab", "laboratory", "연구소", "연구원"),
    ("think tank", "싱크탱크"),
    ("chairman", "chair", "회장"),
    ("ceo", "최고경영자", "대표"),
    ("board", "board meeting", "directors", "이사진", "이사회"),
    ("take office", "took office", "taking office", "inauguration", "취임"),
    ("people", "staff", "employees", "employee", "headcount", "workforce", "members", "team", "personnel", "인원", "직원", "명"),
    ("participant", "participants", "taken part", "take part", "attendees", "참가자", "참가"),
    ("cumulative", "total", "in total", "so far", "누적", "총", "지금까지", "합계"),
    ("free", "free of charge", "무료"),
    ("lecture", "lectures", "course", "courses", "class", "classes", "강의"),
    ("program", "programme", "프로그램"),
    ("train", "training", "nurture", "foster", "cultivate", "develop talent", "양성", "육성"),
    ("talent", "talents", "experts", "expert", "인재", "전문가"),
    ("youth", "young people", "young", "청년"),
    ("job", "jobs", "employment", "취업"),
    ("benefit", "benefits", "혜택"),
    ("data", "real data", "데이터"),
    ("education", "educational background", "academic background", "qualification", "qualifications", "학력", "학위",
     "master", "masters", "master's", "phd", "ph.d", "doctorate", "doctoral", "degree", "degrees", "석·박사", "석박사", "박사", "석사"),
    ("recruit", "recruiting", "hire", "hiring", "모집", "채용", "선발", "뽑아", "뽑는"),
    ("purpose", "goal", "aim", "목적", "목표"),
    ("customer", "customers", "고객"),
    ("life", "lives", "삶"),
    ("competitiveness", "competitive", "compete", "competition", "경쟁력", "경쟁"),
    ("hypothesis", "hypotheses", "가설"),
    ("decision", "decisions", "decision-making", "의사결정"),
    ("autonomous", "autonomously", "자율", "자율적"),
    ("knowledge ai", "지식 ai"),
    ("first", "최초", "첫"),
    ("leadership", "management style", "management", "경영"),
    ("evaluate", "evaluation", "analysis", "assess", "평가", "분석"),
    ("technology", "tech", "기술"),
    ("source technology", "core technology", "original technology", "원천기술"),
    ("problem", "problems", "challenge", "challenges", "문제", "난제"),
    ("solve", "solving", "해결"),
    ("year", "years", "년"),
    ("second half", "late", "하반기"),
    ("first half", "상반기"),
    ("why", "reason", "왜", "위해", "이유", "목적"),
    ("current", "currently", "now", "today", "현재", "지금"),
    ("when", "언제"),
)

# Words that say what kind of question it is ("what does X stand for"), not
# what it is about: they set the definition cue and are not matched as terms.
DEFINITION_MARKERS: tuple[str, ...] = (
    "stand for", "stands for", "abbreviation", "acronym", "short for", "meaning", "mean", "means", "definition",
    "약자", "약어", "줄임말", "뜻", "의미", "정의",
)

# Companies, models and products the article does not discuss. A question about
# one of them is about something else, however close the rest of its wording.
OTHER_ENTITIES: tuple[tuple[str, ...], ...] = (
    ("samsung", "samsung electronics", "삼성", "삼성전자"),
    ("sk", "sk hynix", "sk하이닉스", "하이닉스", "sk텔레콤", "skt"),
    ("naver", "네이버"),
    ("hyperclova", "hyperclova x", "hyperclovax", "하이퍼클로바", "하이퍼클로바x"),
    ("kakao", "카카오"),
    ("kt",),
    ("hyundai", "현대", "현대차"),
    ("lg electronics", "lg전자", "엘지전자"),
    ("lg chem", "lg화학"),
    ("lg energy solution", "lg에너지솔루션"),
    ("lg uplus", "lg u+", "lg유플러스"),
    ("lg display", "lg디스플레이"),
    ("apple", "애플"),
    ("microsoft", "마이크로소프트"),
    ("meta", "메타"),
    ("nvidia", "엔비디아"),
    ("anthropic", "앤트로픽"),
    ("claude", "클로드"),
    ("chatgpt", "gpt-4", "gpt-4o", "gpt-5", "gpt", "챗gpt", "챗지피티"),
    ("gemini", "제미나이"),
    ("llama", "라마"),
    ("mistral", "미스트랄"),
    ("qwen", "큐웬"),
    ("tesla", "테슬라"),
    ("amazon", "아마존"),
    ("ibm",),
    ("intel", "인텔"),
)

# Topics the article does not cover (prices, revenue, investment, ...). A
# question about one of them is declined unless a seed does mention it.
ABSENT_TOPICS: tuple[tuple[str, ...], ...] = (
    ("price", "prices", "cost", "costs", "pricing", "가격", "비용", "요금"),
    ("revenue", "sales", "turnover", "매출"),
    ("profit", "profits", "earnings", "income", "이익", "영업이익", "수익"),
    ("invest", "invested", "investment", "investing", "투자", "투자액"),
    ("dollar", "dollars", "usd", "달러"),
    ("krw", "원화"),
    ("stock", "share price", "shares", "주가", "주식"),
    ("market share", "점유율"),
    ("gpu", "gpus", "그래픽카드"),
    ("salary", "salaries", "wage", "연봉", "급여"),
    ("acquisition", "acquire", "인수"),
    ("patent", "patents", "특허"),
    ("license", "licence", "라이선스", "라이센스"),
    ("release date", "출시일"),
)

ALL_GROUPS: tuple[tuple[str, ...], ...] = ENTITIES + VOCABULARY
