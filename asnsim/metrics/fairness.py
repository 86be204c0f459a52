"""Fairness: do groups of employees get the scores and predikat their performance earns?

For any group attribute (sex, age band, position class, unit, closeness to
the supervisor), on the continuous final score and on the ordinal predikat.
Binary-decision toolkits (fairlearn, AIF360, Aequitas) stop at selection rates;
appraisal outcomes are ordinal and continuous, so this module adds mean gaps
raw and conditional on true performance (regression adjustment), an ordinal
dominance statistic, the favouritism premium and the unit-context penalty.

Bootstrap intervals are *stratified by group* (group sizes held fixed): for a
share that is a binomial draw per group, and for a predikat distribution a
multinomial draw, so no employee-level resampling is needed.

The four-fifths flag (a ratio of selection rates below 0.8) is the US EEOC
screening heuristic (29 CFR 1607.4(D)).  It is shown as a prompt to look
closer, not as a legal test: it has no standing in Indonesian law.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .. import columns as C
from ._predikat import BAIK, LEVELS, SB, predikat_codes
from ._table import ALL, NAN, as_generator, percentile_ci, tidy

FOUR_FIFTHS = 0.8


# ------------------------------------------------------------------ helpers

def _groups(group) -> tuple[np.ndarray, np.ndarray]:
    """(sorted labels as str, integer code per row, -1 where missing)."""
    s = pd.Series(group, copy=False)
    miss = s.isna().to_numpy()
    labels = s.astype(object).where(~miss, "").astype(str).to_numpy()
    uniq, inv = np.unique(labels, return_inverse=True)
    keep = uniq != "" if miss.any() else np.ones(len(uniq), bool)
    remap = np.cumsum(keep) - 1
    codes = np.where(keep[inv], remap[inv], -1)
    return uniq[keep], codes


def _ols(y: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """OLS coefficients, their classical covariance matrix and residual df."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    df = len(y) - X.shape[1]
    s2 = resid @ resid / df if df > 0 else NAN
    cov = s2 * np.linalg.pinv(X.T @ X)
    return beta, cov, df


def _t_ci(est: float, se: float, df: int, level: float = 0.95) -> tuple[float, float]:
    if not (np.isfinite(se) and df > 0):
        return NAN, NAN
    q = stats.t.ppf(0.5 + level / 2, df)
    return est - q * se, est + q * se


def _ratio(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(hi > 0, lo / hi, NAN)


# ------------------------------------------------------------------ a MetricFrame-like object

@dataclass(frozen=True)
class GroupMetric:
    """One metric overall and by group, with between-group difference and ratio.

    Modelled on fairlearn's ``MetricFrame``: ``difference()`` is the largest
    minus the smallest group value, ``ratio()`` the smallest over the largest
    (fairlearn's ``method="between_groups"``).

    Attributes
    ----------
    name : str
    overall : float
    by_group : pandas.Series
        Indexed by group label.
    n : pandas.Series
        Group sizes (the denominators).
    """

    name: str
    overall: float
    by_group: pd.Series
    n: pd.Series

    def difference(self) -> float:
        v = self.by_group.dropna()
        return float(v.max() - v.min()) if len(v) else NAN

    def ratio(self) -> float:
        v = self.by_group.dropna()
        return float(v.min() / v.max()) if len(v) and v.max() > 0 else NAN


def selection_rate(predikat, group, at_least: str = C.SANGAT_BAIK) -> GroupMetric:
    """Share of employees rated at least ``at_least`` (default Sangat Baik), overall and by group.

    Examples
    --------
    >>> m = selection_rate(["Sangat Baik", "Baik", "Baik", "Sangat Baik", "Baik", "Baik"],
    ...                    ["F", "F", "F", "M", "M", "M"])
    >>> round(float(m.by_group["F"]), 4), m.difference(), m.ratio()
    (0.3333, 0.0, 1.0)
    """
    codes = predikat_codes(predikat)
    labels, g = _groups(group)
    ok = (codes >= 0) & (g >= 0)
    sel = codes[ok] >= LEVELS.index(at_least)
    n = np.bincount(g[ok], minlength=len(labels))
    k = np.bincount(g[ok], weights=sel, minlength=len(labels))
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(n > 0, k / n, NAN)
    return GroupMetric(f"share_at_least_{at_least}", float(sel.mean()) if len(sel) else NAN,
                       pd.Series(rate, index=labels), pd.Series(n, index=labels))


# ------------------------------------------------------------------ selection rates with bootstrap

def _rate_rows(name: str, rate: GroupMetric, n_boot: int, rng, flag: bool) -> list[tuple]:
    p = rate.by_group.to_numpy(float)
    n = rate.n.to_numpy()
    valid = n > 0
    rows = []
    lo_g = hi_g = np.full(len(p), NAN)
    d_ci = r_ci = (NAN, NAN)
    if n_boot and valid.sum() >= 1:
        gen = as_generator(rng)
        draws = gen.binomial(n[valid], np.nan_to_num(p[valid]), size=(n_boot, int(valid.sum()))) / n[valid]
        lo, hi = percentile_ci(draws)
        lo_g, hi_g = np.full(len(p), NAN), np.full(len(p), NAN)
        lo_g[valid], hi_g[valid] = lo, hi
        if valid.sum() >= 2:
            dmax, dmin = draws.max(axis=1), draws.min(axis=1)
            d_ci = tuple(x[0] for x in percentile_ci(dmax - dmin))
            r_ci = tuple(x[0] for x in percentile_ci(_ratio(dmin, dmax)))
    rows.append((name, ALL, rate.overall))
    for j, lab in enumerate(rate.by_group.index):
        rows.append((name, lab, p[j], lo_g[j], hi_g[j]))
    rows.append((f"{name}_difference", ALL, rate.difference(), *d_ci))
    rows.append((f"{name}_ratio", ALL, rate.ratio(), *r_ci))
    if flag:
        r = rate.ratio()
        rows.append((f"{name}_four_fifths_flag", ALL, float(r < FOUR_FIFTHS) if np.isfinite(r) else NAN))
    return rows


def selection_rates(predikat, group, n_boot: int = 0, rng: np.random.Generator | int | None = None
                    ) -> pd.DataFrame:
    """Share rated Sangat Baik and share rated at least Baik per group, difference, ratio, four-fifths flag.

    Rows ``share_sangat_baik`` and ``share_at_least_baik`` (group ``all`` and
    one per group), each with ``_difference`` (max - min over groups),
    ``_ratio`` (min / max) and ``_four_fifths_flag`` (1 when the ratio is
    below 0.8).  Difference and ratio equal fairlearn's
    ``demographic_parity_difference`` and ``demographic_parity_ratio`` with
    ``y_pred`` = "rated at least the level".  With ``n_boot > 0`` a stratified
    percentile bootstrap (binomial draws per group) gives intervals.

    The four-fifths flag is a US screening heuristic (EEOC Uniform
    Guidelines, 29 CFR 1607.4(D)), not a legal test in Indonesia: with small
    groups it flags by chance, and a ratio near 1 does not prove fairness
    when the truly better performers are unevenly spread over groups (use
    the conditional gaps and :func:`equal_opportunity` for that).

    References
    ----------
    Bird, S. et al. (2020). Fairlearn: a toolkit for assessing and improving fairness in AI. Microsoft MSR-TR-2020-32.
    """
    rows = []
    for name, level in (("share_sangat_baik", C.SANGAT_BAIK), ("share_at_least_baik", C.BAIK)):
        rows += _rate_rows(name, selection_rate(predikat, group, level), n_boot, rng, flag=True)
    return tidy(rows)


def equal_opportunity(predikat, truth, group, top_share: float = 0.10, n_boot: int = 0,
                      rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Chance of Sangat Baik among the truly top ``top_share`` (10%), by group.

    The truly top are the best ``top_share`` of the whole population by true
    performance (not within each group).  A group whose top performers are
    less often rated Sangat Baik is disadvantaged where it matters most.
    Simulation only (needs the truth); small groups have few truly-top
    members, so read the intervals.

    References
    ----------
    Hardt, M., Price, E. & Srebro, N. (2016). Equality of opportunity in supervised learning. NeurIPS.
    """
    from .objectivity import truly_top

    truth = np.asarray(truth, dtype=float)
    top = truly_top(np.where(np.isfinite(truth), truth, -np.inf), top_share)
    labels, _ = _groups(group)
    rate = selection_rate(pd.Series(predikat, copy=False)[top], pd.Series(group, copy=False)[top])
    rate = GroupMetric(rate.name, rate.overall, rate.by_group.reindex(labels), rate.n.reindex(labels, fill_value=0))
    return tidy(_rate_rows("equal_opportunity", rate, n_boot, rng, flag=False))


# ------------------------------------------------------------------ continuous outcome

def score_gaps(score, group, truth=None, reference: str | None = None) -> pd.DataFrame:
    """Mean final score per group and its gap to a reference group, raw and conditional on truth.

    Raw: ``mean_score`` per group; ``score_gap_raw`` = group mean minus the
    reference group's mean, with a Welch t interval; ``score_gap_raw_std``
    divides it by the overall SD of the score (a standardized mean
    difference, comparable across designs).  Conditional on truth (when
    ``truth`` is given): OLS of score on true performance and group dummies;
    ``mean_score_adjusted`` is each group's predicted mean at the overall mean
    truth, and ``score_gap_conditional`` the dummy's coefficient with its t
    interval (``_std`` as above).  ``mean_score_difference`` and
    ``mean_score_adjusted_difference`` give max - min over groups.

    The adjustment is linear in truth: if the score is a non-linear function
    of truth (a 3-level scale) and groups differ in true performance, a
    residual gap can remain without any bias; the conditional gap is
    unbiased only when the truth enters linearly.

    Parameters
    ----------
    reference : str, optional
        The reference group; default the largest group (first label on ties).
    """
    y = np.asarray(score, dtype=float)
    labels, g = _groups(group)
    t = None if truth is None else np.asarray(truth, dtype=float)
    ok = np.isfinite(y) & (g >= 0) & (np.isfinite(t) if t is not None else True)
    y, g = y[ok], g[ok]
    t = t[ok] if t is not None else None
    G = len(labels)
    n = np.bincount(g, minlength=G)
    if reference is None:
        ref = int(np.argmax(n)) if G else 0
    else:
        hits = np.flatnonzero(labels == str(reference))
        ref = int(hits[0]) if len(hits) else -1
    sd = float(np.std(y, ddof=1)) if len(y) > 1 else NAN
    means = np.bincount(g, weights=y, minlength=G) / np.maximum(n, 1)
    var = np.bincount(g, weights=(y - means[g]) ** 2, minlength=G) / np.maximum(n - 1, 1)
    rows = [("mean_score", ALL, float(y.mean()) if len(y) else NAN)]
    rows += [("mean_score", lab, means[j] if n[j] else NAN) for j, lab in enumerate(labels)]
    for j, lab in enumerate(labels):
        if ref < 0 or j == ref or n[j] < 2 or n[ref] < 2:
            continue
        d = means[j] - means[ref]
        a, b = var[j] / n[j], var[ref] / n[ref]
        se = np.sqrt(a + b)
        dfw = (a + b) ** 2 / (a**2 / (n[j] - 1) + b**2 / (n[ref] - 1)) if a + b > 0 else 0
        lo, hi = _t_ci(d, se, dfw) if se > 0 else (d, d)
        rows.append(("score_gap_raw", lab, d, lo, hi))
        rows.append(("score_gap_raw_std", lab, d / sd, lo / sd, hi / sd))
    present = means[n > 0]
    rows.append(("mean_score_difference", ALL, float(present.max() - present.min()) if len(present) else NAN))
    if t is not None and ref >= 0 and len(y) > G + 1:
        others = [j for j in range(G) if j != ref]
        X = np.column_stack([np.ones(len(y)), t - t.mean()] + [(g == j).astype(float) for j in others])
        beta, cov, df = _ols(y, X)
        adj = np.full(G, NAN)
        adj[ref] = beta[0]
        for c, j in enumerate(others):
            adj[j] = beta[0] + beta[2 + c]
        rows += [("mean_score_adjusted", lab, adj[j] if n[j] else NAN) for j, lab in enumerate(labels)]
        for c, j in enumerate(others):
            if n[j] == 0:
                continue
            est, se = beta[2 + c], np.sqrt(cov[2 + c, 2 + c])
            lo, hi = _t_ci(est, se, df)
            rows.append(("score_gap_conditional", labels[j], est, lo, hi))
            rows.append(("score_gap_conditional_std", labels[j], est / sd, lo / sd, hi / sd))
        present = adj[np.isfinite(adj) & (n > 0)]
        rows.append(("mean_score_adjusted_difference", ALL,
                     float(present.max() - present.min()) if len(present) else NAN))
    return tidy(rows)


def conditional_premium(score, x, truth, name: str) -> pd.DataFrame:
    """Slope of the standardized score on ``x``, holding true performance fixed.

    OLS of z(score) on true performance and ``x``; the row gives x's
    coefficient with its t interval, in final-score SD units per unit of x.
    Used by :func:`favouritism_premium` and :func:`unit_context_penalty`.
    NaN when x does not vary.
    """
    y = np.asarray(score, dtype=float)
    x = np.asarray(x, dtype=float)
    t = np.asarray(truth, dtype=float)
    ok = np.isfinite(y) & np.isfinite(x) & np.isfinite(t)
    y, x, t = y[ok], x[ok], t[ok]
    if len(y) < 4 or np.ptp(x) == 0 or np.std(y) == 0:
        return tidy([(name, ALL, NAN)])
    z = (y - y.mean()) / y.std(ddof=1)
    X = np.column_stack([np.ones(len(y)), t, x])
    beta, cov, df = _ols(z, X)
    est, se = float(beta[2]), float(np.sqrt(cov[2, 2]))
    return tidy([(name, ALL, est, *_t_ci(est, se, df))])


def favouritism_premium(score, closeness, truth) -> pd.DataFrame:
    """Score gain (final-score SD units) of being close to the supervisor, conditional on truth.

    ``closeness`` is 1 for a ratee personally close to the supervisor
    (kedekatan; DOMAIN.md s.4, seed 004), 0 otherwise.  Zero means no
    favouritism; the regression adjusts linearly for true performance, so a
    correlation between closeness and truth is not mistaken for favouritism.
    Real data rarely records closeness; where it does, it is sensitive.
    """
    return conditional_premium(score, closeness, truth, "favouritism_premium")


def unit_context_penalty(score, unit_context, truth) -> pd.DataFrame:
    """Slope of the standardized score on the unit's context, conditional on truth.

    ``unit_context`` is positive for favourable units (easy intake, central
    location) and negative for adverse ones, in SD units of measured results.
    A slope of 0.2 means an employee in a unit one unit of context worse loses
    0.2 SD of final score for the same true performance.  Zero is fair;
    designs scored from raw indicators (Pontianak, seed 004) carry it unless
    adjusted.  NaN when the context does not vary (e.g. the neutral scenario).
    """
    return conditional_premium(score, unit_context, truth, "unit_context_penalty")


# ------------------------------------------------------------------ ordinal outcome

def _dominance(ca: np.ndarray, cb: np.ndarray) -> np.ndarray:
    """Cliff's delta P(A > B) - P(A < B) from category counts (..., L), vectorized over leading axes."""
    na, nb = ca.sum(-1), cb.sum(-1)
    below_b = np.cumsum(cb, -1) - cb  # counts of B strictly below each level
    above_b = nb[..., None] - np.cumsum(cb, -1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return ((ca * below_b).sum(-1) - (ca * above_b).sum(-1)) / (na * nb)


def predikat_dominance(predikat, group, truth=None, reference: str | None = None, strata: int = 5,
                       n_boot: int = 0, rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Ordinal comparison of each group's predikat with the reference group's (Cliff's delta).

    ``predikat_dominance`` = P(a member of the group has a better predikat than
    a member of the reference group) - P(worse), from -1 to 1, 0 = same
    distribution; it equals 2U/(n1 n2) - 1 with U the Mann-Whitney statistic.
    With ``truth``, ``predikat_dominance_conditional`` compares only employees
    in the same truth quantile stratum (``strata`` bands of the whole
    population) and pools the strata weighted by n1*n2 (as in van Elteren's
    test), so groups with better true performers are not credited with bias.
    ``share_predikat`` rows give each group's distribution (group
    ``"<group>:<predikat>"``).  Intervals: stratified multinomial bootstrap.

    References
    ----------
    Cliff, N. (1993). Dominance statistics. Psychol. Bull. 114:494-509.
    van Elteren, P. H. (1960). Bull. Int. Stat. Inst. 37:351-361.
    """
    codes = predikat_codes(predikat)
    labels, g = _groups(group)
    L = len(LEVELS)
    ok = (codes >= 0) & (g >= 0)
    if truth is not None:
        t = np.asarray(truth, dtype=float)
        ok &= np.isfinite(t)
        edges = np.quantile(t[ok], np.linspace(0, 1, strata + 1)[1:-1]) if ok.any() else np.array([])
        s = np.searchsorted(edges, t, side="right")
    else:
        s = np.zeros(len(codes), dtype=int)
        strata = 1
    G = len(labels)
    counts = np.bincount((s[ok] * G + g[ok]) * L + codes[ok], minlength=strata * G * L).reshape(strata, G, L)
    n = counts.sum(axis=(0, 2))
    ref = int(np.argmax(n)) if reference is None else int(np.flatnonzero(labels == str(reference))[0])
    rows = []
    tot = counts.sum(axis=0)
    for j, lab in enumerate(labels):
        for lv in range(L):
            rows.append(("share_predikat", f"{lab}:{LEVELS[lv]}", tot[j, lv] / n[j] if n[j] else NAN))
    gen = as_generator(rng) if n_boot else None

    def boot_counts(c: np.ndarray) -> np.ndarray:  # c: (strata, L) -> (B, strata, L)
        out = np.zeros((n_boot, c.shape[0], L))
        for k in range(c.shape[0]):  # loop over strata
            if c[k].sum():
                out[:, k] = gen.multinomial(int(c[k].sum()), c[k] / c[k].sum(), size=n_boot)
        return out

    for name, cond in (("predikat_dominance", False), ("predikat_dominance_conditional", True)):
        if cond and truth is None:
            continue
        for j, lab in enumerate(labels):
            if j == ref:
                continue
            a = counts[:, j] if cond else counts[:, j].sum(0, keepdims=True)
            b = counts[:, ref] if cond else counts[:, ref].sum(0, keepdims=True)
            w = a.sum(-1) * b.sum(-1)
            if w.sum() == 0:
                rows.append((name, lab, NAN))
                continue
            d = np.nan_to_num(_dominance(a, b))
            est = float((w * d).sum() / w.sum())
            lo = hi = NAN
            if n_boot:
                ba, bb = boot_counts(a), boot_counts(b)
                bw = ba.sum(-1) * bb.sum(-1)
                bd = np.nan_to_num(_dominance(ba, bb))
                lo, hi = (x[0] for x in percentile_ci((bw * bd).sum(-1) / bw.sum(-1)))
            rows.append((name, lab, est, lo, hi))
    return tidy(rows)


# ------------------------------------------------------------------ one table for one attribute

def fairness(scores: pd.DataFrame, employees: pd.DataFrame, attribute: str, *, top_share: float = 0.10,
             reference: str | None = None, n_boot: int = 0,
             rng: np.random.Generator | int | None = None) -> pd.DataFrame:
    """Every fairness metric for one group attribute, as one tidy table.

    Parameters
    ----------
    scores : DataFrame
        ``employee_id, final_score, predikat``.
    employees : DataFrame
        ``employee_id`` and ``attribute``; ``true_performance`` (simulated
        data) enables the conditional gaps and equal opportunity.
    attribute : str
        The grouping column (``sex``, ``age_band``, ``position_class``, ``unit``, ``closeness``...).
    n_boot : int
        Bootstrap replicates for the share and dominance intervals (0: none).
    rng : numpy.random.Generator or int
        Required when ``n_boot > 0``.

    Returns
    -------
    DataFrame
        ``metric, group, value, ci_low, ci_high``: the rows of
        :func:`selection_rates`, :func:`score_gaps`,
        :func:`predikat_dominance` and, with truth, :func:`equal_opportunity`.

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> sim = simulate("permenpan-6-2022", n=300, seed=2)
    >>> tab = fairness(sim.scores, sim.employees, "sex")
    >>> bool((tab.metric == "share_sangat_baik_ratio").any())
    True
    """
    from ..errors import InputError

    if attribute not in employees.columns:
        raise InputError("employees", f"no column {attribute!r} to group by", column=attribute)
    cols = [C.EMPLOYEE_ID, attribute] + ([C.TRUE_PERFORMANCE] if C.TRUE_PERFORMANCE in employees
                                         and attribute != C.TRUE_PERFORMANCE else [])
    m = scores[[C.EMPLOYEE_ID, C.FINAL_SCORE, C.PREDIKAT]].merge(employees[cols], on=C.EMPLOYEE_ID)
    truth = m[C.TRUE_PERFORMANCE].to_numpy(float) if C.TRUE_PERFORMANCE in m else None
    gen = as_generator(rng) if n_boot else None
    parts = [selection_rates(m[C.PREDIKAT], m[attribute], n_boot, gen),
             score_gaps(m[C.FINAL_SCORE], m[attribute], truth, reference),
             predikat_dominance(m[C.PREDIKAT], m[attribute], truth, reference, n_boot=n_boot, rng=gen)]
    if truth is not None:
        parts.append(equal_opportunity(m[C.PREDIKAT], truth, m[attribute], top_share, n_boot, gen))
    return pd.concat(parts, ignore_index=True)
