"""Summary requests ("요약해줘", "what is the article about?"): the article's key sentences.

A summary is not a question any one sentence answers, so retrieval would
decline it. Instead the lede is taken, plus the sentences closest to the
article's centroid with a diversity penalty (maximal marginal relevance), in
article order. Works for any seed; vectors come from the store.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from knowledge.models import Sentence
from knowledge.text import fold

_REQUEST = re.compile(
    r"요약|정리해|핵심만|한\s?줄로|세\s?줄로|(?:기사|이\s?글|이거)[^?]{0,6}(?:무슨|어떤)\s?내용|(?:기사|이\s?글|이거)[^?]{0,4}뭐에\s?대한|"
    r"summar|\btl;?dr\b|\boverview\b|\bgist\b|\bmain points?\b|\bkey points?\b|\bkey takeaways?\b|"
    r"what(?:'s| is) (?:this|the) (?:article|piece|story|news) about"
)
# Relevance vs. novelty in the MMR pick.
MMR_LAMBDA = 0.7


# A figure, a year or a change asked for: "2022년부터 2024년까지 어떻게 늘었는지 정리해줘" wants those figures,
# which one passage answers, not the article's key sentences.
_SPECIFIC = re.compile(
    r"(?<!\d)(?:19|20)\d{2}(?!\d)|얼마|몇|늘었|늘어|줄었|줄어|증가|감소|변화|바뀌|"
    r"\bhow (?:much|many)\b|\b(?:grew|grown|growth|increased?|decreased?|changed?|rose|fell)\b"
)


def is_summary_request(question: str) -> bool:
    folded = fold(question)
    return bool(_REQUEST.search(folded)) and not _SPECIFIC.search(folded)


def key_sentences(sentences: Sequence[Sentence], vectors: Mapping[str, Sequence[float]], k: int = 3) -> list[Sentence]:
    """The first document's lede plus its k-1 most central, mutually different sentences."""
    if not sentences:
        return []
    source = sentences[0].source
    pool = [s for s in sentences if s.source == source and not s.credit and s.key in vectors]
    if not pool:
        return list(sentences[:k])
    matrix = np.asarray([vectors[s.key] for s in pool], dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True) + 1e-12
    centroid = matrix.mean(axis=0)
    centroid /= np.linalg.norm(centroid) + 1e-12
    centrality = matrix @ centroid
    chosen = [0]  # the lede
    while len(chosen) < min(k, len(pool)):
        taken = matrix[chosen]
        scores = MMR_LAMBDA * centrality - (1 - MMR_LAMBDA) * (matrix @ taken.T).max(axis=1)
        scores[chosen] = -np.inf
        chosen.append(int(np.argmax(scores)))
    return [pool[i] for i in sorted(chosen)]
