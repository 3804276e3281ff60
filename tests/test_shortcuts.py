"""The speed-ups that skip work hold only because two things are the same: a sentence read alone
and the same text read as a whole block by the sentence splitter, and the diagonal scalings
built directly and by scipy. Checked here on real Kiwi and scipy, not assumed."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from summarizer import korean
from summarizer.pipeline import Limits, prepare, validate
from summarizer.textrank import diagonal

# Made-up articles: one with a sentence per line (whole blocks), one with a paragraph of
# several sentences and a sentence glued to a photo credit.
ARTICLES = [
    "부산시는 다음 달 3일 해운대 해수욕장에서 불꽃 축제를 연다고 12일 밝혔다.\n"
    "시는 관람객 안전을 위해 지하철 2호선 운행을 늘린다.\n"
    "축제에는 시민 10만 명이 찾을 것으로 보인다.",
    "해운대 불꽃 축제가 다음 달 열린다. 부산시는 행사장 주변 도로를 통제한다. "
    "시 관계자는 \"안전에 가장 신경 쓰겠다\"고 말했다.\n"
    "올해 축제는 드론 500대가 함께 하늘을 수놓는다.",
]


def test_read_alone_matches_kiwi_on_each_sentence_alone():
    prepared = prepare(validate(ARTICLES, Limits()))
    ids = [s.id for s in prepared.sentences]
    whole = [s.id for s in prepared.sentences if (s.start, s.end) in prepared.articles[s.article].blocks]
    assert whole and len(whole) < len(ids)  # both kinds of sentence are here
    alone = [korean.content_forms(m) for m in korean.tokenize([s.text for s in prepared.sentences])]
    # whole blocks come from their in-article reading (no Kiwi call), the others from Kiwi
    assert prepared.read_alone(ids) == alone


def test_diagonal_products_equal_scipy_diags_bit_for_bit():
    rng = np.random.default_rng(7)
    for n in (0, 1, 4, 40):
        m = sparse.random(n, n, density=0.3, format="csr", random_state=rng)
        values = rng.random(n)
        values[::3] = 0.0  # dangling rows and unused terms have zero weight
        products = [(diagonal(values) @ m, sparse.diags(values) @ m), (m @ diagonal(values), m @ sparse.diags(values))]
        for ours, theirs in products:
            ours, theirs = sparse.csr_matrix(ours), sparse.csr_matrix(theirs)
            assert np.array_equal(ours.indptr, theirs.indptr)
            assert np.array_equal(ours.indices, theirs.indices)
            assert np.array_equal(ours.data, theirs.data)
