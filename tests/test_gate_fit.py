"""The gate fitter's pieces on data small enough to reason about."""
from __future__ import annotations

import numpy as np

from knowledge.gate_fit import choose_threshold, fit_bagged


def _data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.RandomState(3)
    x = np.vstack([rng.normal(1.0, 1.0, (40, 2)), rng.normal(-1.0, 1.0, (20, 2))])
    y = np.array([1.0] * 40 + [0.0] * 20)
    x[0] = [-2.5, -2.5]  # an answerable question that looks unanswerable
    return x, y


def test_bagged_fit_is_deterministic_and_scores_each_question_out_of_bag() -> None:
    x, y = _data()
    w1, b1, oob1 = fit_bagged(x, y)
    w2, b2, oob2 = fit_bagged(x, y)
    assert np.array_equal(w1, w2) and b1 == b2 and np.array_equal(oob1, oob2)
    in_sample = 1.0 / (1.0 + np.exp(-(x @ w1 + b1)))
    assert oob1.shape == y.shape and ((oob1 >= 0) & (oob1 <= 1)).all()
    # Fits that never saw the odd question score it lower than the fit that did: no optimism about it.
    assert oob1[0] < in_sample[0]
    # Out of bag the answerable questions are, on the whole, less sure than in sample.
    assert oob1[y == 1].mean() < in_sample[y == 1].mean()


def test_threshold_answers_the_target_share_of_answerable_questions() -> None:
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 1, 1, 1, 0, 0], dtype=float)
    cut = choose_threshold(p, y)
    assert ((p >= cut) & (y == 1)).sum() / y.sum() >= 0.95  # all five: 0.3 is answered
    assert cut == 0.3
