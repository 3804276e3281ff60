"""Sentence graph over all articles, PageRank centrality, and budgeted non-redundant selection.

PageRank is a short power iteration on a scipy sparse matrix, written here because the graph is
already a sparse matrix (networkx would rebuild it node by node for the same arithmetic).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

from .clean import junk_reason
from .document import stand_alone_quality
from .korean import content_terms, tokenize

DAMPING = 0.85
# Lead bias: personalised PageRank restarts at early sentences of each article more often.
POSITION_DECAY = 0.3
# Cosine (TF-IDF) at or above which two sentences state the same fact.
SAME_FACT = 0.5
# Weight of the most mentioned concept relative to a top sentence's centrality.
CONCEPT_SCALE = 0.5
# Weight of a concept only one of several articles names, relative to the same mention otherwise.
SINGLE_SOURCE = 0.5
# Two sentences state one fact (near-duplicates) when their content-morpheme sets overlap this
# much: Jaccard, or the share of the smaller set (of at least DUPLICATE_MIN_TERMS terms) found in
# the other. Selection never picks both; the cluster evaluation counts pairs by the same test.
DUPLICATE_JACCARD = 0.5
DUPLICATE_CONTAINMENT = 0.8
DUPLICATE_MIN_TERMS = 3
# Sentence pairs the similarity graph may link (one term shared by df sentences links df ** 2),
# about 70 MB of matrix. Briefings of tens of articles stay far below it; 300 different articles
# of 500,000 characters come to about 13 million, 300 near-identical ones to 330 million (see
# :func:`graph_terms`).
MAX_PAIRS = 6_000_000
# PageRank on graphs of at most this many sentences runs on a dense matrix (see :func:`pagerank`).
DENSE_PAGERANK = 200
# Similarity graphs of at most this many sentences are summed by hand (see :func:`similarity`);
# larger ones by scipy, whose product holds less memory than a list of every product it adds.
HAND_SIMILARITY = 200
# Nor more products than this (about 14 MB of arrays): a few sentences that share many terms add
# many products (see :func:`hand_summable`).
HAND_PRODUCTS = 250_000
# TF-IDF cells are counted with np.bincount while rows * columns stays below this (else np.unique).
BINCOUNT_CELLS = 1 << 20


def tfidf(term_lists: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf, smoothed idf) for lists of terms.

    Built as CSR arrays directly (columns sorted in each row, the squares summed per row as
    ``matrix.multiply(matrix).sum(axis=1)`` sums them): on a briefing's small matrices scipy's
    per-operation costs were most of the time."""
    vocab: dict[str, int] = {}
    cols = np.array([vocab.setdefault(term, len(vocab)) for terms in term_lists for term in terms], dtype=np.int64)
    rows = np.repeat(np.arange(len(term_lists)), [len(terms) for terms in term_lists])
    width = max(len(vocab), 1)
    keys = rows * width + cols
    if len(term_lists) * width <= BINCOUNT_CELLS:  # the same sorted cells and counts, no sort
        all_counts = np.bincount(keys)
        cells = np.flatnonzero(all_counts)
        counts = all_counts[cells]
    else:
        cells, counts = np.unique(keys, return_counts=True)  # row-major, columns sorted
    indices, cell_rows = cells % width, cells // width
    indptr = np.searchsorted(cell_rows, np.arange(len(term_lists) + 1))
    sublinear = np.array([1.0 + math.log(c) for c in range(1, counts.max(initial=0) + 1)] or [0.0])
    df = np.bincount(indices, minlength=width)
    idf = np.log((1 + len(term_lists)) / (1 + df)) + 1.0
    weights = sublinear[counts - 1] * idf[indices]
    norms = np.sqrt(row_sums(indptr, weights * weights))
    norms[norms == 0] = 1.0
    data = (1.0 / norms)[cell_rows] * weights
    return sparse.csr_matrix(
        (data, indices.astype(np.int32), indptr.astype(np.int32)), shape=(len(term_lists), width)
    )


def diagonal(values: np.ndarray) -> sparse.csr_matrix:
    """The diagonal matrix of ``values`` in CSR, zeros left out: what ``sparse.diags(values)``
    becomes in a product, built directly (on a briefing's small matrices the conversion from
    scipy's diagonal format costs more than the product)."""
    keep = values != 0
    indptr = np.concatenate(([0], np.cumsum(keep))).astype(np.int32)
    return sparse.csr_matrix((values[keep], np.flatnonzero(keep).astype(np.int32), indptr), shape=(len(values),) * 2)


def similarity(vectors: sparse.csr_matrix) -> sparse.csr_matrix:
    """Cosine similarity between rows, diagonal removed; at most about MAX_PAIRS pairs (see
    :func:`graph_terms`).

    Up to HAND_SIMILARITY rows and HAND_PRODUCTS products the product is summed by hand, the
    diagonal left out by a mask:
    scipy's ``vectors @ vectors.T``, ``setdiag(0.0)`` and ``eliminate_zeros()`` bit for bit (its
    products hold no zeros but the diagonal's), without their checks and conversions, costlier
    than the work on a briefing's small matrices."""
    vectors = graph_terms(vectors)
    n = vectors.shape[0]
    if n <= HAND_SIMILARITY and hand_summable(vectors.indices):
        rows, cols, sums = _gram_cells(vectors)
    else:
        product = vectors @ vectors.T
        rows, cols, sums = np.repeat(np.arange(n), np.diff(product.indptr)), product.indices, product.data
    keep = rows != cols
    indptr = np.searchsorted(rows[keep], np.arange(n + 1)).astype(np.int32)
    return sparse.csr_matrix((sums[keep], cols[keep].astype(np.int32), indptr), shape=(n, n))


def _gram_cells(vectors: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The row, column and value of each entry of scipy's ``vectors @ vectors.T``, in its order:
    each cell summed from zero in the product's order (as np.bincount adds), each row's cells in
    the reverse of the order they are first reached (over all n * n cells: n is small here)."""
    n = vectors.shape[0]
    rows, cols, products = gram_products(vectors.indptr, vectors.indices, vectors.data)
    keys = rows * n + cols
    sums = np.bincount(keys, products, minlength=n * n)
    reached = np.full(n * n, len(keys))
    np.minimum.at(reached, keys, np.arange(len(keys)))  # where each cell is first reached
    cells = np.flatnonzero(reached < len(keys))
    cells = cells[np.argsort(reached[cells])]  # rows in order, each row's cells as first reached
    cell_rows = cells // n
    indptr = np.searchsorted(cell_rows, np.arange(n + 1))
    cells = cells[indptr[cell_rows] + indptr[cell_rows + 1] - 1 - np.arange(len(cells))]  # reversed
    return cell_rows, cells % n, sums[cells]


def hand_summable(indices: np.ndarray) -> bool:
    """Whether ``m @ m.T`` for a CSR matrix with these column indices adds at most HAND_PRODUCTS
    products (each entry meets every entry of its column), so :func:`gram_products` may list them."""
    return int((np.bincount(indices).astype(np.int64) ** 2).sum()) <= HAND_PRODUCTS


def gram_products(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> tuple[np.ndarray, ...]:
    """The products scipy's ``m @ m.T`` adds for the CSR arrays of ``m``, in the order it adds them
    (each row's entries in order, each meeting its column's entries row by row), with the row and
    the column of the cell each one goes to."""
    rows = np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))
    by_column = np.argsort(indices, kind="stable")  # the rows of m.T, as scipy converts them
    column_sizes = np.bincount(indices)
    meets = column_sizes[indices]  # each entry meets every entry of its column
    first = np.repeat(np.cumsum(column_sizes)[indices] - meets - np.cumsum(meets) + meets, meets)
    other = by_column[first + np.arange(meets.sum())]
    entry = np.repeat(np.arange(len(indices)), meets)
    return rows[entry], rows[other], data[entry] * data[other]


def graph_terms(vectors: sparse.csr_matrix) -> sparse.csr_matrix:
    """The rows as the sentence graph reads them. A term in ``df`` sentences links ``df ** 2``
    pairs; past MAX_PAIRS in all (hundreds of near-identical articles, a phrase repeated
    thousands of times) the input's most frequent terms are left out, as its stop words, until
    the rest fit, and the rows are normalised again: the graph's memory and time stay linear in
    the input. Below it (every briefing of ordinary articles) the rows are returned as they are."""
    df = np.bincount(vectors.indices, minlength=vectors.shape[1]).astype(np.int64)
    pairs = df**2
    excess = int(pairs.sum()) - MAX_PAIRS
    if excess <= 0:
        return vectors
    common = np.argsort(-df, kind="stable")
    dropped = common[: int(np.searchsorted(np.cumsum(pairs[common]), excess)) + 1]
    keep = np.ones(vectors.shape[1])
    keep[dropped] = 0.0
    kept = sparse.csr_matrix(vectors @ sparse.diags(keep))
    kept.eliminate_zeros()
    norms = np.sqrt(kept.multiply(kept).sum(axis=1)).A1
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ kept)


def row(matrix: sparse.csr_matrix, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of row ``i`` of a CSR matrix, without building a new matrix."""
    lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
    return matrix.indices[lo:hi], matrix.data[lo:hi]


def row_sums(indptr: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Each CSR row's sum, as scipy's ``matrix.sum(axis=1)`` adds it (``np.add.reduceat`` over the
    non-empty rows, in the stored order), without its checks and conversions."""
    sums = np.zeros(len(indptr) - 1)
    filled = np.flatnonzero(np.diff(indptr))
    if len(filled):
        sums[filled] = np.add.reduceat(data, indptr[filled])
    return sums


def position_prior(positions: Sequence[int]) -> np.ndarray:
    """Restart distribution favouring each article's opening sentences."""
    prior = 1.0 / (1.0 + np.asarray(positions, dtype=float)) ** POSITION_DECAY
    return prior / prior.sum()


def pagerank(sim: sparse.csr_matrix, prior: np.ndarray, tol: float = 1e-8, max_iter: int = 200) -> np.ndarray:
    """Personalised PageRank on a weighted undirected graph (dangling mass goes to ``prior``).

    A graph of at most DENSE_PAGERANK sentences is iterated on a dense matrix, summed over its
    rows one after another: the sparse product's sums in the same order, bit for bit. Sums are
    ``np.add.reduce``, what ``.sum()`` calls, without its Python wrapper (thousands of steps a pass)."""
    n = sim.shape[0]
    if n == 0:
        return np.zeros(0)
    out_weight = row_sums(sim.indptr, sim.data)
    dangling = out_weight == 0
    inv = np.where(dangling, 0.0, 1.0 / np.where(dangling, 1.0, out_weight))
    if n <= DENSE_PAGERANK:
        passed = sim.toarray() * inv[:, None]  # row j: the share of j's score each sentence gets
        step = lambda scores: np.add.reduce(passed * scores[:, None], axis=0)  # noqa: E731
    else:
        step = sparse.csr_matrix(diagonal(inv) @ sim).T.tocsr().__matmul__
    restart = (1 - DAMPING) * prior
    drains = dangling.any()  # else the dangling term is zero: skipped
    scores = prior.copy()
    for _ in range(max_iter):
        spread = step(scores)
        if drains:
            spread += np.add.reduce(scores[dangling]) * prior
        new = DAMPING * spread + restart
        if np.add.reduce(np.abs(new - scores)) < tol:
            return new
        scores = new
    return scores


def centrality(vectors: sparse.csr_matrix, positions: Sequence[int]) -> tuple[np.ndarray, sparse.csr_matrix]:
    """PageRank scores and the similarity matrix for sentences given as TF-IDF rows."""
    sim = similarity(vectors)
    return pagerank(sim, position_prior(positions)), sim


def near_duplicate(a: frozenset[str] | set[str], b: frozenset[str] | set[str], margin: float = 0.0) -> bool:
    """Whether two sentences' content-morpheme sets (:func:`summarizer.korean.content_forms`)
    overlap past the Jaccard or containment limit (each lowered by ``margin``: "close to it")."""
    if not a or not b:
        return False
    common = len(a & b)
    if common / (len(a) + len(b) - common) >= DUPLICATE_JACCARD - margin:
        return True
    smaller = min(len(a), len(b))
    return smaller >= DUPLICATE_MIN_TERMS and common / smaller >= DUPLICATE_CONTAINMENT - margin


def select(
    scores: np.ndarray,
    sim: sparse.csr_matrix,
    lengths: Sequence[int],
    candidates: Sequence[int],
    budget: float,
    redundancy: float = 0.5,
    groups: Sequence[int] | None = None,
    length_weight: float = 1.0,
    concepts: Sequence[frozenset[str]] | None = None,
    group_weight: dict[int, float] | None = None,
    articles: Sequence[int] | None = None,
    forms: Sequence[frozenset[str]] | None = None,
) -> list[int]:
    """Greedy budgeted selection: coverage of each group with diminishing returns, minus redundancy.

    The objective per pick is ``sqrt(covered(group) + rel) - sqrt(covered(group))`` (so every group
    gets a first bullet before any gets a third), minus ``redundancy`` times the highest similarity
    to an already picked sentence, plus the weight of the ``concepts`` (names, numbers) it adds
    that no pick covers yet, divided by ``length ** length_weight``. Sentences that state a
    picked fact again (cosine >= SAME_FACT, or with ``forms``, each sentence's content forms, a
    :func:`near_duplicate` of a pick) are never picked. ``group_weight`` scales a group's
    coverage term (how widely its happening is reported; 1 when not given). With ``articles``
    (each sentence's article), a concept weighs by the articles that mention it, not by how often
    one article repeats it (see :func:`concept_weights`). ``budget`` is in the
    units of ``lengths`` (characters for briefings, sentences for evaluation); ``candidates`` are distinct.
    """
    if not len(candidates):
        return []
    top = max(float(scores[list(candidates)].max()), 1e-12)
    groups = groups if groups is not None else [0] * len(scores)
    concepts = concepts or [frozenset()] * len(scores)
    rel = [float(scores[i]) / top for i in candidates]
    weight = concept_weights(
        [concepts[i] for i in candidates],
        rel,
        [articles[i] for i in candidates] if articles else None,
        [groups[i] for i in candidates],
    )
    # Each candidate's gain is kept from round to round and computed again only when one of its
    # terms changes (its group's coverage, its concepts, its similarity to the picks); each term
    # as the scalar formula above computes it, so the picks are the same to the last bit. A
    # closed candidate (picked, a picked fact, over the budget) gains 0.0.
    n = len(candidates)
    at = {i: k for k, i in enumerate(candidates)}  # each candidate's slot
    group_ids = [groups[i] for i in candidates]
    slot = {g: k for k, g in enumerate(dict.fromkeys(group_ids))}
    group = [slot[g] for g in group_ids]
    members: list[list[int]] = [[] for _ in slot]
    for k, g in enumerate(group):
        members[g].append(k)
    covered = [0.0] * len(slot)
    scale = [group_weight.get(g, 1.0) for g in group_ids] if group_weight else None
    length = [float(lengths[i]) for i in candidates]
    per_char = [float(max(lengths[i], 1) ** length_weight) for i in candidates]
    longest = sorted(range(n), key=lambda k: -length[k])  # closed by the budget in this order
    fitting = 0  # longest[:fitting] are over the budget
    max_sim = [0.0] * n
    open_ = [True] * n  # not picked, not a picked fact, still within budget
    gain = [0.0] * n
    seen: set[str] = set()
    concept_gain = [0.0] * n
    holders: dict[str, list[int]] = {}
    for k, i in enumerate(candidates):
        for c in concepts[i]:
            holders.setdefault(c, []).append(k)
    unsettled: set[int] = set()
    copies: dict[frozenset[str], list[int]] = {}  # candidates by their content forms
    for k, i in enumerate(candidates):
        if forms is not None and forms[i]:
            copies.setdefault(forms[i], []).append(k)

    def add_concepts(ks: Iterable[int]) -> list[int]:
        """``sum(weight[c] for c in concepts[i] - seen)`` again for these candidates. The sum
        runs in the order the set difference iterates, as the plain expression would: in CPython
        that order depends on what ``seen`` shares with the candidate's set and, while ``seen``
        is the smaller of the two, on its size; such candidates (``unsettled``) are summed
        again after every pick, the others only when a pick names one of their concepts.
        Returns the candidates whose sum changed."""
        changed = []
        for k in ks:
            mine = concepts[candidates[k]]
            value = sum(weight[c] for c in mine - seen)
            if value != concept_gain[k]:
                concept_gain[k] = value
                changed.append(k)
            (unsettled.add if len(mine) > len(seen) else unsettled.discard)(k)
        return changed

    def close(k: int) -> None:
        open_[k] = False
        gain[k] = 0.0

    def update(ks: Iterable[int]) -> None:
        """The gain of these candidates, those still open, from their current terms."""
        for k in ks:
            if open_[k]:
                base = covered[group[k]]
                value = math.sqrt(base + rel[k]) - math.sqrt(base)
                if scale is not None:
                    value *= scale[k]
                gain[k] = (value + concept_gain[k] - redundancy * max_sim[k]) / per_char[k]

    add_concepts(range(n))
    update(range(n))
    chosen: list[int] = []
    used = 0.0
    while True:
        while fitting < n and not used + length[longest[fitting]] <= budget:
            close(longest[fitting])
            fitting += 1
        top_gain = max(gain)
        if top_gain <= 0.0:
            return chosen
        k = gain.index(top_gain)  # the first of the best, as numpy's argmax
        best = candidates[k]
        chosen.append(best)
        used += lengths[best]
        covered[group[k]] += rel[k]
        close(k)
        added = concepts[best] - seen
        seen |= concepts[best]
        changed = set(members[group[k]])  # the candidates whose gain changed: their group's
        changed.update(add_concepts({k for c in added for k in holders[c]} | unsettled))
        # Open neighbours not yet past SAME_FACT (past it, a near-duplicate changes nothing).
        js, values = row(sim, best)  # a near-duplicate shares terms: it is a neighbour
        for j, value in zip(js.tolist(), values.tolist()):
            s = at.get(j)
            if s is None or not open_[s] or not max_sim[s] < SAME_FACT:
                continue
            if forms is not None and value < SAME_FACT and near_duplicate(forms[j], forms[best]):
                value = SAME_FACT
            if value > max_sim[s]:  # max(max_sim[s], value)
                max_sim[s] = value
                if value >= SAME_FACT:
                    close(s)
                else:
                    changed.add(s)
        # The same wording again is a near-duplicate even where the graph left out all its
        # terms (see graph_terms); elsewhere it is a neighbour and already past SAME_FACT.
        for s in copies.get(forms[best], ()) if forms is not None else ():
            max_sim[s] = max(max_sim[s], SAME_FACT)
            close(s)
        update(changed)


def concept_weights(
    concept_sets: Sequence[frozenset[str]],
    relevance: Sequence[float],
    articles: Sequence[int] | None = None,
    groups: Sequence[int] | None = None,
) -> dict[str, float]:
    """A concept weighs the relevance of the sentences that mention it, scaled so that the
    heaviest concept weighs ``CONCEPT_SCALE`` (a central sentence's own relevance is 1).

    With ``articles``, a concept weighs the most relevant mention in each article, summed over
    articles; one that a single article names, within happenings (``groups``) that several
    articles report, weighs SINGLE_SOURCE of that: an aside of one outlet.
    """
    per: dict[str, dict[int, float]] = {}
    where: dict[str, set[int]] = {}
    reporters: dict[int, set[int]] = {}
    for k, (found, rel) in enumerate(zip(concept_sets, relevance)):
        source = articles[k] if articles is not None else k
        group = groups[k] if groups is not None else 0
        reporters.setdefault(group, set()).add(source)
        for c in found:
            if c not in per:  # (setdefault would build an empty dict and set on every mention)
                per[c], where[c] = {}, set()
            mentions = per[c]
            mentions[source] = max(mentions.get(source, 0.0), rel) if articles is not None else rel
            where[c].add(group)
    total = {}
    for c, mentions in per.items():
        aside = articles is not None and len(mentions) == 1 and all(len(reporters[g]) > 1 for g in where[c])
        total[c] = sum(mentions.values()) * (SINGLE_SOURCE if aside else 1.0)
    top = max(total.values(), default=1.0)
    return {c: CONCEPT_SCALE * w / top for c, w in total.items()}


def select_sentences(sentences: Sequence[str], k: int = 3, redundancy: float = 0.5) -> list[int]:
    """The ``k`` best sentences of ONE pre-split article, as indices in article order.

    Same junk filter, morphology, ranking and stand-alone preference as
    :func:`summarizer.summarize`; used to evaluate against human extractive references.
    """
    if k <= 0 or not sentences:
        return []
    analysed = tokenize(list(sentences))
    terms = [content_terms(m) for m in analysed]
    candidates = [i for i, s in enumerate(sentences) if terms[i] and not junk_reason(s.strip())]
    if not candidates:
        candidates = [i for i, t in enumerate(terms) if t] or list(range(len(sentences)))
    scores, sim = centrality(tfidf(terms), range(len(sentences)))
    merit = scores * np.array([stand_alone_quality(s.strip(), m) for s, m in zip(sentences, analysed)])
    picked = select(merit, sim, [1] * len(sentences), candidates, budget=k, redundancy=redundancy, length_weight=0.0)
    return sorted(picked)
