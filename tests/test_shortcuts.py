"""The speed-ups that skip work hold only because two things are the same: a sentence read alone
and the same text read as a whole block by the sentence splitter, the picks of a selection that keeps each gain
between rounds and of one that computes every gain afresh, each similarity entry's row found by its offset and
by a row per entry, a candidate's support weighed among the candidates and among all sentences, the diagonal scalings built
directly and by scipy, a cleaning pattern and the literals it needs (a line with none of the glued-junk literals and every
rule), a repeat key with whitespace split off first and the pattern alone, the Hangul ratio counted
by deletion or over code points and by matches, the TF-IDF matrix built directly and by scipy's products, PageRank on dense and sparse
matrices, the context vectors and the event clusters built by hand and by scipy, a full name found by one pattern
and by a pattern per surname and role, the reporting day, the clock time and the days named searched from the first "N일" or "N시" and from the start,
a sentence's morphemes kept whole and filtered by its bounds, a sentence's last forms, last final ending and tense
read from its end and from its start.
Checked here on real Kiwi, scipy and seed pages, not assumed."""
from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from summarizer import clean, document, events, extractive, korean, modality, standalone, summarize, textrank
from summarizer.pipeline import Limits, prepare, validate
from summarizer.textrank import diagonal, pagerank, position_prior, similarity, tfidf

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


def test_kiwi_sentences_hold_only_morphemes_inside_them():
    # split_blocks and build_sentences keep a sentence's morphemes whole where nothing cuts it
    seeds = [p.read_text(encoding="utf-8") for p in sorted(Path("examples/seeds").glob("*.txt"))]
    texts = ARTICLES + seeds + ["말했다.A씨는 떠났다.“다만 늦었다”고 덧붙였다."]
    spans = [span for found in korean.split_sentences(texts) for span in found]
    assert len(spans) > 100
    for span in spans:
        assert span.morphemes == tuple(m for m in span.morphemes if span.start <= m.start < span.end)
    for sentences in korean.kiwi().split_into_sents(texts, return_tokens=True, return_sub_sents=False):
        for s in sentences:
            assert all(s.start <= t.start < s.end for t in s.tokens)


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


def _scipy_tfidf(term_lists: list[list[str]]) -> sparse.csr_matrix:
    """TF-IDF as scipy's products compute it: counts summed by the COO-to-CSR conversion."""
    vocab: dict[str, int] = {}
    cols = [vocab.setdefault(term, len(vocab)) for terms in term_lists for term in terms]
    rows = np.repeat(np.arange(len(term_lists)), [len(terms) for terms in term_lists])
    matrix = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)), shape=(len(term_lists), max(len(vocab), 1)))
    counts = matrix.data.astype(np.int64)
    matrix.data = np.array([1.0 + math.log(c) for c in range(1, counts.max(initial=0) + 1)] or [0.0])[counts - 1]
    idf = np.log((1 + matrix.shape[0]) / (1 + np.bincount(matrix.indices, minlength=matrix.shape[1]))) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(matrix.multiply(matrix).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def _random_term_lists(rng: np.random.Generator) -> list[list[str]]:
    words = [f"w{k}" for k in range(rng.integers(1, 40))]
    return [list(rng.choice(words, rng.choice([0, 1, 3, 8, 20]))) for _ in range(rng.integers(0, 30))]


def _assert_same_csr(ours: sparse.csr_matrix, theirs: sparse.csr_matrix) -> None:
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)


@pytest.mark.parametrize("bincount_cells", [textrank.BINCOUNT_CELLS, 0])  # cells counted by bincount, by unique
def test_tfidf_equals_scipy_products_bit_for_bit(monkeypatch, bincount_cells):
    monkeypatch.setattr(textrank, "BINCOUNT_CELLS", bincount_cells)
    rng = np.random.default_rng(11)
    for _ in range(100):
        term_lists = _random_term_lists(rng)
        _assert_same_csr(tfidf(term_lists), _scipy_tfidf(term_lists))


@pytest.mark.parametrize(  # summed by hand; by scipy past the rows, past the products
    "hand_similarity, hand_products",
    [(textrank.HAND_SIMILARITY, textrank.HAND_PRODUCTS), (-1, textrank.HAND_PRODUCTS), (textrank.HAND_SIMILARITY, -1)],
)
def test_similarity_and_row_sums_equal_scipy_bit_for_bit(monkeypatch, hand_similarity, hand_products):
    monkeypatch.setattr(textrank, "HAND_SIMILARITY", hand_similarity)
    monkeypatch.setattr(textrank, "HAND_PRODUCTS", hand_products)
    rng = np.random.default_rng(19)
    real = [[s.terms for s in prepare(validate(ARTICLES * k, Limits())).sentences] for k in (1, 3)]
    term_lists = real + [[], [["w"]], [[]], [[], ["w"], []]] + [_random_term_lists(rng) for _ in range(200)]
    for terms in term_lists:
        products = tfidf(terms) @ tfidf(terms).T
        assert np.all(products.data != 0)  # so that eliminate_zeros drops only the diagonal
        theirs = products.copy()
        theirs.setdiag(0.0)
        theirs.eliminate_zeros()
        ours = similarity(tfidf(terms))
        _assert_same_csr(ours, theirs)
        for matrix in (products, ours):
            assert np.array_equal(textrank.row_sums(matrix.indptr, matrix.data), np.asarray(matrix.sum(axis=1)).ravel())


def test_dense_pagerank_equals_sparse_bit_for_bit(monkeypatch):
    rng = np.random.default_rng(13)
    graphs = [similarity(tfidf(_random_term_lists(rng))) for _ in range(100)]
    priors = [position_prior(rng.integers(0, 10, sim.shape[0])) for sim in graphs]
    dense = [pagerank(sim, prior) for sim, prior in zip(graphs, priors)]
    monkeypatch.setattr(textrank, "DENSE_PAGERANK", 0)
    assert any(len(scores) > 20 for scores in dense)
    assert all(np.array_equal(scores, pagerank(sim, prior)) for scores, sim, prior in zip(dense, graphs, priors))


def test_context_vectors_equal_scipy_products_bit_for_bit():
    def by_scipy(sentences, vectors: sparse.csr_matrix) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """The sums of neighbouring rows and the context vectors, by scipy's products."""
        rows, cols = [], []
        for a, b in zip(sentences, sentences[1:]):
            if a.article == b.article:
                rows += [a.id, b.id]
                cols += [b.id, a.id]
        n = len(sentences)
        neighbours = sparse.csr_matrix((np.full(len(rows), events.CONTEXT_WEIGHT), (rows, cols)), shape=(n, n))
        smoothed = vectors + neighbours @ vectors
        norms = np.sqrt(smoothed.multiply(smoothed).sum(axis=1)).A1
        norms[norms == 0] = 1.0
        return smoothed, sparse.csr_matrix(sparse.diags(1.0 / norms) @ smoothed)

    prepared = prepare(validate(ARTICLES * 3, Limits()))
    real = prepared.sentences
    assert len({s.article for s in real}) == 6
    rng = np.random.default_rng(23)
    cases = [(real, [s.terms for s in real])]
    for _ in range(200):  # a few articles of random sentences, some without terms, some of one sentence
        term_lists = _random_term_lists(rng)
        articles = np.sort(rng.integers(0, rng.integers(1, 5), len(term_lists)))
        cases.append(([SimpleNamespace(id=i, article=a) for i, a in enumerate(articles)], term_lists))
    sorted_rows = 0  # inputs whose smoothed rows all come out sorted (scipy multiplies those in order)
    for sentences, term_lists in cases:
        vectors = tfidf(term_lists)
        smoothed, theirs = by_scipy(sentences, vectors)
        sorted_rows += smoothed.has_sorted_indices and smoothed.nnz > smoothed.shape[0]
        _assert_same_csr(events._context_vectors(sentences, vectors), theirs)
    assert 0 < sorted_rows < len(cases)


@pytest.mark.parametrize("hand_products", [textrank.HAND_PRODUCTS, -1])  # summed by hand, by scipy
def test_event_cosines_equal_the_scipy_product_bit_for_bit(monkeypatch, hand_products):
    monkeypatch.setattr(textrank, "HAND_PRODUCTS", hand_products)
    real = prepare(validate(ARTICLES * 3, Limits())).sentences
    rng = np.random.default_rng(29)
    matrices = [events._context_vectors(real, tfidf([s.terms for s in real]))]
    for _ in range(200):
        term_lists = _random_term_lists(rng) + [[]]  # a sentence without terms: an empty row
        matrices.append(tfidf(term_lists))
        matrices.append(events._context_vectors([SimpleNamespace(article=0)] * len(term_lists), matrices[-1]))
    for matrix in matrices:
        n = matrix.shape[0]
        for ids in ([0], list(range(n)), sorted(rng.choice(n, n // 2 + 1, replace=False))):
            sub = matrix[ids]
            assert np.array_equal(events._cosines(list(ids), matrix), (sub @ sub.T).toarray())
        # the count hand_summable bounds is the number of products gram_products lists
        listed = textrank.gram_products(matrix.indptr, matrix.indices, matrix.data)[0]
        assert len(listed) == int((np.bincount(matrix.indices, minlength=1) ** 2).sum())


def test_event_cut_equals_fcluster():
    def partition(labels) -> list[list[int]]:
        members: dict[int, list[int]] = {}
        for i, label in enumerate(labels):
            members.setdefault(label, []).append(i)
        return sorted(members.values())

    rng = np.random.default_rng(17)
    for trial in range(500):
        n = int(rng.integers(2, 40))
        # every other matrix of a few values only: ties, and merges at exactly EVENT_DISTANCE
        dist = rng.choice([0.0, 0.3, events.EVENT_DISTANCE, 0.95, 1.0], (n, n)) if trial % 2 else rng.random((n, n))
        dist = (dist + dist.T) / 2
        np.fill_diagonal(dist, 0.0)
        merges = linkage(squareform(dist, checks=False), method="average")
        assert partition(events._cut(merges.tolist(), n)) == partition(fcluster(merges, events.EVENT_DISTANCE, "distance"))


def test_one_pattern_finds_the_full_names_a_pattern_per_name_finds():
    def per_name(text: str, surname: str, role: str) -> bool:
        name = rf"(?<![가-힣]){surname}[가-힣]{{1,2}}"
        after = rf"{name}(?:\s*\([^)]{{0,20}}\))?\s+(?:\S+\s+){{0,3}}?\S*?{role}(?![가-힣]{{2}})"
        return bool(re.search(after, text) or re.search(rf"{role}\s+{name}(?![가-힣])", text))

    rng = np.random.default_rng(19)
    pieces = ["김", "가나", "다", "의원", "사장", "부", "전", " ", " ", "(", ")", "(한빛당)", "은", "님", "\n", "A", "."]
    texts = ["".join(rng.choice(pieces, rng.integers(0, 14))) for _ in range(20_000)]
    found = [per_name(text, "김", role) for text in texts for role in ("의원", "사장", "부사장")]
    assert sum(found) > 50
    assert found == [standalone.introduces(text, "김", role) for text in texts for role in ("의원", "사장", "부사장")]


# One example of each alternative of each pattern that is skipped on lines without its literals.
MATCHING = {
    clean._SCRIPT_START: ["window.dataLayer = [];", "$(function(){ go(); });", "var slot = 1;", "function() {}",
                          "alert(1);", ".ad-box { display: none }", "googletag . cmd"],
    clean._INLINE_COPYRIGHT: ["[ⓒ 한국일보]", "Copyright Yonhap All rights reserved.", "(무단 전재 및 재배포 금지)"],
    clean._INLINE_CREDIT: ["(사진=페이스북 캡처)", "사진=AP뉴시스", "AP/연합뉴스", "서울=자료DB/뉴스1", "로이터 / 뉴시스"],
    clean._GLUED_AGENCY: ["걸려 있다.뉴시스서울 도심에서", "AP뉴시스백악관은", "밝혔다. 연합뉴스정부는", "뉴스1국회는"],
    clean._CAPTURE_CREDIT: ["말했다. YTN 화면캡처김현아 의원이", "노동신문 캡처 합동참모본부는"],
    clean._INLINE_EMAIL: ["kim@example.com", "보냈다 kim@"],
    clean._BYLINE_AT_END: ["말했다. 김진아 기자", "밝혔다. 워싱턴=김석 특파원"],
    clean._INLINE_TAIL: ["[관련기사]", "【 추천 기사 】"],
    clean._EMAIL: ["kim@example.com"],
    clean._COPYRIGHT: ["저작권자 ⓒ", "무단 전재", "재배포금지", "Copyright", "COPYRIGHT", "ALL RIGHTS RESERVED"],
    clean._CAPTION: ["사진=연합뉴스", "사진 출처: 구청", "[사진 확대]", "(사진 왼쪽)", "오른쪽부터 김 대표",
                     "왼쪽 두 번째", "(가운데) 김 대표", "행사 모습 / 연합뉴스", "ⓒ 뉴스", "(구청 제공)"],
}


def test_every_match_of_a_prefiltered_pattern_holds_one_of_its_literals():
    assert set(MATCHING) == set(clean._NEEDS)
    seeds = [p.read_text(encoding="utf-8") for p in sorted(Path("examples/seeds").glob("*.txt"))]
    lines = [line for text in seeds for line in text.splitlines()]
    for pattern, examples in MATCHING.items():
        assert all(pattern.search(e) for e in examples), pattern.pattern
        for line in examples + lines:
            for m in pattern.finditer(line):
                assert any(word in m.group(0) for word in clean._NEEDS[pattern]), (pattern.pattern, m.group(0))


def test_hangul_ratio_below_counts_what_one_character_matches_count():
    letter, hangul = re.compile(r"[^\W\d_]"), re.compile(r"[\uac00-\ud7a3]")
    texts = ["", "123 ... !!", "abc123 ①½ 가나다 _x_ ㄱㄴ 漢字 ١٢٣", "정부가 5일 AI 정책을 발표했다.", "ⓒ 뉴스1"]
    seeds = [p.read_text(encoding="utf-8") for p in sorted(Path("examples/seeds").glob("*.txt"))]
    # long texts (counted over their code points), some around the length where the way changes
    edge = ["\ud800", "\udfff", "\uabff", "\uac00", "\ud7a3", "\ud7a4", "힣", "a", " ", "1", "\U0001f600"]
    rng = np.random.default_rng(3)
    mixed = ["".join(rng.choice(edge, int(rng.integers(korean.LONG_TEXT - 2, 3 * korean.LONG_TEXT)))) for _ in range(300)]
    texts += seeds + [t[: korean.LONG_TEXT + d] for t in seeds for d in (-1, 0, 1)] + mixed
    # shares met exactly (a syllable in five letters, in five characters)
    texts += ["가abcd", "가a...", "가abcd" * 30, "가나다 라마", "가a", "가" * 20 + "a" * 80 + "." * 5,
              "가" * 19 + "a" * 81, "가" * 29 + "a" * 71, "가" * 49 + "a" * 51]  # and just below them
    for text in texts:
        letters = len(letter.findall(text))
        ratio = len(hangul.findall(text)) / letters if letters else 0.0
        for share in (0.05, 0.2, 0.3, 0.5, 1.0):
            assert korean.hangul_ratio_below(text, share) == (ratio < share), (text, share)


def test_lines_without_a_literal_of_the_glued_junk_patterns_hold_no_glued_junk(monkeypatch):
    lines = [line for text in SEEDS for line in text.splitlines()]
    pieces = ["말했다.", " ", "김진아", " 기자", " 특파원", "kim@news.co.kr", "[관련기사]", "ⓒ 한국일보", "Copyright",
              "사진=", "AP", "/", "연합뉴스", "뉴시스", "정부는", "화면캡처", "var x = 1;", "{", "}", "가나다라마", "x" * 80]
    lines += _random_texts(pieces, 23, 2_000)
    shortcut = [clean.inline_junk(line) for line in lines]
    monkeypatch.setattr(clean, "_ANY_INLINE_LITERAL", re.compile(""))  # every line searched by every rule
    assert sum(map(bool, shortcut)) > 1_000
    assert shortcut == [clean.inline_junk(line) for line in lines]


def test_a_line_without_glued_junk_is_its_one_kept_piece():
    pieces = ["정부는 5일 발표했다.", "\n", "\r\n", " ", "\u3000", "\xa0", "\t", "\u2028", "\x1c", "\x85", "<br>", "&nbsp;", "가"]
    texts = SEEDS + _random_texts(pieces, 31, 5_000)
    lines = [norm[s:e] for norm in map(clean._normalize, texts) for s, e in clean._line_spans(norm)]
    assert len(lines) > 10_000
    for line in lines:
        assert clean._kept_pieces(line, []) == [(0, len(line))], line


def test_dedup_key_equals_the_pattern_alone():
    lines = [line for text in SEEDS for line in text.splitlines()]
    lines += _random_texts(["가나", " ", "\u3000", "\t", "_", ".", "1", "a", "\xa0", "\u2028", "“", "-"], 29, 5_000)
    assert all(clean._dedup_key(line) == clean._NOT_WORD.sub("", line) for line in lines)


def test_a_row_of_button_words_is_found_from_its_first_letter():
    assert clean.junk_reason("♥ 좋아요 12 · 싫어요 3 · 후속기사 원해요 0 · 공유 · 스크랩 · 인쇄 · 글자크기 · 댓글 5") == "메뉴·공유·반응 버튼"
    assert clean.junk_reason("12 좋아요 3 검색 글자 크기 댓글 0 공유하기 버튼을 누르세요") is None


SEEDS = [p.read_text(encoding="utf-8") for p in sorted(Path("examples/seeds").glob("*.txt"))]


def _random_texts(pieces: list[str], seed: int, count: int = 20_000) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(rng.choice(pieces, int(rng.integers(1, 40)))) for _ in range(count)]


MARKED_SEARCHES = {  # function: (the mark its search starts from, pieces of random texts, the widest matches, seed)
    "reporting_day": (
        "_DAY_MARK",
        ["1", "12", "3", "일", " ", "  ", "다", "고", "에", "따르면", "밝혔다", "말했다", "업계", "가", "\n", "0"],
        ["1다   12일 밝혔다", "고   12일 말했다", "123일 업계에 따르면", "다 3일 밝혔다 12일 따르면"],
        5,
    ),
    "time_of_day": (  # the widest matches: 6 before the mark
        "_CLOCK_MARK",
        ["1", "12", "7", "시", "분", "반", "간", " ", "   ", "오전", "오후", "저녁", "새벽", "에", "11", "\n", "가"],
        ["오후   11시", "1오후   11시 30분", "저녁 7시간 뒤 밤   9시 반"],
        8,
    ),
}


@pytest.mark.parametrize("name", sorted(MARKED_SEARCHES))
def test_a_search_from_the_first_mark_equals_a_search_from_the_start(monkeypatch, name):
    mark, pieces, edges, seed = MARKED_SEARCHES[name]
    search = getattr(modality, name)
    texts = SEEDS + ARTICLES + edges + _random_texts(pieces, seed)
    found = [search(t) for t in texts]
    assert sum(f is not None for f in found) > 1000  # the pattern matches often enough to be tested
    monkeypatch.setattr(modality, mark, re.compile(""))  # every search from the start
    assert [search(t) for t in texts] == found


def test_days_searched_from_the_first_day_mark_equal_a_search_from_the_start(monkeypatch):
    pieces = ["1", "12", "3", "일", "월", "간", "째", " ", "   ", "지난달", "2025", ".", "에", "\n", "가", "0"]
    edges = ["지난달   12일", "1지난달   12일 만에", "3월 4일", "2025.3.4", "5.12일", "월12일"]  # the widest: 7 before the mark
    texts = SEEDS + ARTICLES + edges + _random_texts(pieces, 11)
    ref = date(2025, 3, 4)
    named, dated = [events.days_named(t) for t in texts], [events.sentence_date(t, ref) for t in texts]
    assert sum(bool(d) for d in named) > 1000 and sum(d is not None for d in dated) > 1000
    monkeypatch.setattr(events, "_DAY_MARK", re.compile(""))  # every search from the start
    assert [events.days_named(t) for t in texts] == named
    assert [events.sentence_date(t, ref) for t in texts] == dated


def _select_plainly(scores, sim, lengths, candidates, budget, redundancy=0.5, groups=None, length_weight=1.0,
                    concepts=None, group_weight=None, articles=None, forms=None) -> list[int]:
    """textrank.select as its docstring states it: every candidate's gain from scratch each round."""
    top = max(float(scores[list(candidates)].max()), 1e-12)
    groups = groups if groups is not None else [0] * len(scores)
    concepts = concepts or [frozenset()] * len(scores)
    rel = {i: float(scores[i]) / top for i in candidates}
    weight = textrank.concept_weights(
        [concepts[i] for i in candidates], [rel[i] for i in candidates],
        [articles[i] for i in candidates] if articles else None, [groups[i] for i in candidates],
    )
    covered = dict.fromkeys(groups, 0.0)
    max_sim = dict.fromkeys(candidates, 0.0)
    chosen: list[int] = []
    seen: set[str] = set()
    used = 0.0
    while True:
        gains = []
        for i in candidates:
            base = covered[groups[i]]
            gain = (math.sqrt(base + rel[i]) - math.sqrt(base)) * (group_weight or {}).get(groups[i], 1.0)
            gain = (gain + sum(weight[c] for c in concepts[i] - seen) - redundancy * max_sim[i]) / max(lengths[i], 1) ** length_weight
            fits = used + lengths[i] <= budget
            gains.append(gain if i not in chosen and max_sim[i] < textrank.SAME_FACT and fits else 0.0)
        k = max(range(len(gains)), key=gains.__getitem__)
        if gains[k] <= 0.0:
            return chosen
        pick = candidates[k]
        chosen.append(pick)
        used += lengths[pick]
        covered[groups[pick]] += rel[pick]
        seen |= concepts[pick]
        for j, value in zip(*textrank.row(sim, pick)):
            if j in max_sim and max_sim[j] < textrank.SAME_FACT:
                copy = forms is not None and textrank.near_duplicate(forms[j], forms[pick])
                max_sim[j] = max(max_sim[j], textrank.SAME_FACT if copy else value)
        for j in candidates:
            if forms is not None and forms[j] and forms[j] == forms[pick]:
                max_sim[j] = max(max_sim[j], textrank.SAME_FACT)


def test_select_keeping_gains_between_rounds_picks_what_plain_rounds_pick(monkeypatch):
    calls = []
    select = textrank.select

    def recorded(*args, **kwargs):
        calls.append((args, kwargs))
        return select(*args, **kwargs)

    monkeypatch.setattr(extractive, "select", recorded)
    for budget in (300, 1500):
        summarize(SEEDS, max_chars=budget)
    summarize(ARTICLES)
    rng = np.random.default_rng(17)
    for _ in range(200):  # random graphs, concepts shared across groups, repeated wordings
        n = int(rng.integers(1, 40))
        sim = similarity(tfidf([list(rng.choice([f"w{k}" for k in range(12)], 3)) for _ in range(n)]))
        words = [f"c{k}" for k in range(8)]
        concepts = [frozenset(rng.choice(words, int(rng.integers(0, 5)))) for _ in range(n)]
        forms = [frozenset(rng.choice(words, int(rng.integers(0, 6)))) for _ in range(n)]
        groups = list(rng.integers(0, 4, n))
        candidates = sorted(rng.choice(n, int(rng.integers(1, n + 1)), replace=False).tolist())
        calls.append((
            (rng.random(n), sim, list(rng.integers(1, 120, n)), candidates, float(rng.integers(50, 600))),
            dict(redundancy=float(rng.random()), groups=groups, concepts=concepts, forms=forms,
                 group_weight={g: float(rng.random()) + 0.5 for g in range(3)}, articles=list(rng.integers(0, 3, n))),
        ))
    assert sum(len(select(*a, **kw)) > 3 for a, kw in calls) > 50  # enough picks to be tested
    assert all(select(*a, **kw) == _select_plainly(*a, **kw) for a, kw in calls)
    for args, kwargs in calls:  # the concepts of sentences that are no candidates are never read
        blank = [c if i in args[3] else frozenset() for i, c in enumerate(kwargs["concepts"])]
        assert select(*args, **{**kwargs, "concepts": blank}) == select(*args, **kwargs)


def test_days_apart_finds_each_close_entry_in_its_row():
    rng = np.random.default_rng(19)
    for _ in range(200):
        n = int(rng.integers(1, 30))
        sim = sparse.random(n, n, density=float(rng.random()), format="csr", random_state=rng)  # empty rows too
        wanted = rng.choice(n, int(rng.integers(1, n + 1)), replace=False).tolist()
        prepared = SimpleNamespace(similarity=sim, told_apart=lambda i, j: (i * 7 + j) % 3 == 0)
        ours = extractive._days_apart(prepared, wanted)
        coo = sim.tocoo()  # each entry's row and column, in the order of the CSR data
        apart = [
            v >= textrank.SAME_FACT and i in wanted and j in wanted and prepared.told_apart(i, j)
            for i, j, v in zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist())
        ]
        assert np.array_equal(ours.data, np.where(apart, textrank.SAME_FACT * extractive.TOLD_APART_SIMILARITY, sim.data))


def test_support_weights_of_candidates_do_not_depend_on_the_other_sentences():
    prepared = prepare(validate(SEEDS + ARTICLES, Limits()))
    everyone = list(range(len(prepared.sentences)))
    full = extractive.support_weights(prepared, everyone)
    assert (full > 1.0).sum() > 20  # enough support from other articles to be compared
    rng = np.random.default_rng(23)
    for _ in range(50):
        some = sorted(rng.choice(len(everyone), int(rng.integers(1, len(everyone))), replace=False).tolist())
        assert np.array_equal(extractive.support_weights(prepared, some)[some], full[some])


def _predicate_from_start(morphemes) -> tuple:
    """modality._main_predicate as first written: every final ending listed from the start."""
    ends = [k for k, m in enumerate(morphemes) if m.tag == "EF"]
    if not ends:
        return ()
    k = ends[-1] - 1
    while k >= 0 and morphemes[k].tag in ("EP", "VX", "EC", "XSV", "XSA"):
        k -= 1
    return morphemes[k + 1 : ends[-1]]


def _read_from_start(morphemes) -> tuple:
    """_explains_previous, _main_predicate and present_tense as first written: scans from the start."""
    forms = [m.form for m in morphemes if m.tag not in ("SF", "SSC", "SP")][-4:]
    explains = forms[-3:] == ["때문", "이", "다"] or forms[-4:] == ["위하", "어서", "이", "다"]
    tail = modality._tail(morphemes)
    past = any(m.tag == "EP" and m.form in ("었", "았", "였", "ᆻ") for m in _predicate_from_start(tail))
    present = any(m.tag == "EF" for m in tail) and not past and any(m.tag in ("VV", "XSV") for m in tail)
    return explains, _predicate_from_start(morphemes), present


def test_sentence_facts_read_from_the_end_equal_scans_from_the_start():
    # the last final ending, the last forms and the present tense, found from the end, on real
    # sentences and on random runs of the tags and forms these rules look at
    rng = np.random.default_rng(19)
    tags = ["NNG", "JKS", "JX", "EF", "EP", "VX", "EC", "XSV", "XSA", "VV", "VCP", "SF", "SSC", "SP", "JKQ", "NNB"]
    forms = ["때문", "이", "다", "위하", "어서", "었", "았", "오", "있", "라고", "은", "."]
    endings = [[], ["때문", "이", "다"], ["위하", "어서", "이", "다"], ["어서", "이", "다"]]  # a reason, a purpose, neither

    def run() -> tuple:
        words = list(rng.choice(forms, rng.integers(0, 7))) + endings[rng.integers(0, 4)] + list(rng.choice([".", "”"], rng.integers(0, 3)))
        return tuple(korean.Morpheme(str(w), str(rng.choice(tags)), k, 1) for k, w in enumerate(words))

    runs = [run() for _ in range(3000)]
    real = [span.morphemes for found in korean.split_sentences(SEEDS + ARTICLES) for span in found]
    assert len(real) > 100
    found = [_read_from_start(ms) for ms in runs]
    assert {True, False} <= {f[0] for f in found} and {True, False} <= {f[2] for f in found}
    for ms in runs + real:
        assert (document._explains_previous(ms), modality._main_predicate(ms), modality.present_tense(ms)) == _read_from_start(ms), ms
