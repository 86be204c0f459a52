"""The headline metrics of one simulated round, for the Monte Carlo experiment runner.

:func:`replicate_metrics` returns the same rows, in the same order, for every
policy and scenario (NaN where a metric does not apply), so replicate tables
stack and pivot without surprises.  It calls the library functions without
bootstrap intervals; the experiment's Monte Carlo spread replaces them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ._predikat import LEVELS, predikat_codes
from ._table import ALL, GROUP, METRIC, NAN, VALUE
from .burden import burden
from .fairness import favouritism_premium, score_gaps, unit_context_penalty
from .objectivity import objectivity
from .reliability import icc_oneway, krippendorff_alpha
from .stability import period_scores, stability

#: metric names of :func:`replicate_metrics`, in output order (``share_predikat`` has one row per level)
REPLICATE_METRICS = (
    "spearman", "kendall", "topk_precision", "share_sb_wrongly_given", "share_sb_wrongly_denied",
    "predikat_agreement", "predikat_too_high", "predikat_too_low", "rmse_standardized",
    "share_predikat", "share_at_least_baik",
    "icc1", "krippendorff_alpha_interval", "krippendorff_alpha_ordinal",
    "sex_gap_raw", "sex_gap_conditional", "favouritism_premium", "unit_context_penalty",
    "rater_hours", "ratee_hours", "predikat_flip_rate", "period_rank_correlation", "true_performance_gain",
)
SEX_GAP_GROUP = "F-M"


def _value(tab: pd.DataFrame, metric: str, group: str = ALL) -> float:
    hit = tab[(tab[METRIC] == metric) & (tab[GROUP] == group)]
    return float(hit[VALUE].iloc[0]) if len(hit) else NAN


def true_performance_gain(employees: pd.DataFrame) -> float:
    """Mean gain in true performance over the appraisal year (``true_performance - true_performance_start``).

    The benefit of a design whose feedback and training improve people (Gayungan, seed 001), in
    true-performance SD units; NaN when the employees table has no start-of-year truth (real data).

    Examples
    --------
    >>> true_performance_gain(pd.DataFrame({"true_performance": [0.75, 1.0], "true_performance_start": [0.5, 1.0]}))
    0.125
    """
    if C.TRUE_PERFORMANCE_START not in employees or C.TRUE_PERFORMANCE not in employees:
        return NAN
    gain = employees[C.TRUE_PERFORMANCE].to_numpy(float) - employees[C.TRUE_PERFORMANCE_START].to_numpy(float)
    return float(gain.mean()) if len(gain) else NAN


def replicate_metrics(sim, top_share: float = 0.10) -> pd.DataFrame:
    """Headline objectivity, reliability, fairness, burden and stability metrics of one round.

    Parameters
    ----------
    sim : asnsim.pipeline.Simulation
        Uses ``employees`` (with ``true_performance``, ``sex``, ``closeness``,
        ``unit_context``), ``ratings``, ``scores`` and ``policy``.
    top_share : float
        The truly top share that deserves Sangat Baik (and k of top-k precision).

    Returns
    -------
    DataFrame
        Columns ``metric, group, value``; the rows, always in this order:

        - ``spearman``, ``kendall``: final score vs true performance;
        - ``topk_precision``, ``share_sb_wrongly_given``, ``share_sb_wrongly_denied``
          (against the truly top ``top_share``), ``predikat_agreement``,
          ``predikat_too_high``, ``predikat_too_low`` (against the
          truth-based predikat), ``rmse_standardized``: see
          :mod:`asnsim.metrics.objectivity`;
        - ``share_predikat`` with group = each of the five predikat (Sangat
          Kurang ... Sangat Baik), and ``share_at_least_baik``;
        - ``icc1`` (one-way, unbalanced), ``krippendorff_alpha_interval``,
          ``krippendorff_alpha_ordinal``: agreement among the raters of the
          same ratee, item and period, whatever their role; NaN when no
          ratee-item has two ratings (e.g. atasan-only designs; the ordinal
          alpha also when scores take more than 50 distinct values);
        - ``sex_gap_raw``, ``sex_gap_conditional`` (group ``F-M``): women's
          mean final score minus men's, in final-score SD units, raw and
          adjusted for true performance;
        - ``favouritism_premium``, ``unit_context_penalty``: final-score SD
          units per unit of closeness / unit context, conditional on truth;
        - ``rater_hours``, ``ratee_hours``: per employee per year (policy
          burden minutes, periods per year, the panels in the ratings);
        - ``predikat_flip_rate``, ``period_rank_correlation``: between
          consecutive periods when the ratings carry more than one period
          (each period scored on its own), else NaN;
        - ``true_performance_gain``: mean of ``true_performance -
          true_performance_start`` (true-performance SD units), what feedback
          and training added over the year (0 for designs without them; NaN
          without the start column).  The objectivity and fairness rows compare
          with ``true_performance``, the truth at the time of rating.

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> tab = replicate_metrics(simulate("permenpan-6-2022", n=300, seed=1))
    >>> list(tab.columns), len(tab)
    (['metric', 'group', 'value'], 27)
    """
    emp, sc, rt, pol = sim.employees, sim.scores, sim.ratings, sim.policy
    rows: list[tuple[str, str, float]] = []

    obj = objectivity(sc, emp, top_share=top_share, ci=False)
    for name in REPLICATE_METRICS[:9]:
        rows.append((name, ALL, _value(obj, name)))

    codes = predikat_codes(sc[C.PREDIKAT])
    valid = codes[codes >= 0]
    shares = np.bincount(valid, minlength=len(LEVELS)) / max(len(valid), 1) if len(valid) else np.full(5, NAN)
    rows += [("share_predikat", lev, float(shares[i])) for i, lev in enumerate(LEVELS)]
    rows.append(("share_at_least_baik", ALL, float(shares[LEVELS.index(C.BAIK):].sum())))

    units = [C.RATEE_ID, C.ITEM] + ([C.PERIOD] if C.PERIOD in rt else [])
    multi = rt[units + [C.SCORE]]
    rows.append(("icc1", ALL, _value(icc_oneway(multi, units), "icc1")))
    rows.append(("krippendorff_alpha_interval", ALL,
                 _value(krippendorff_alpha(multi, units, level="interval"), "krippendorff_alpha_interval")))
    rows.append(("krippendorff_alpha_ordinal", ALL,
                 _value(krippendorff_alpha(multi, units, level="ordinal"), "krippendorff_alpha_ordinal")
                 if multi[C.SCORE].nunique() <= 50 else NAN))

    m = sc[[C.EMPLOYEE_ID, C.FINAL_SCORE]].merge(emp, on=C.EMPLOYEE_ID, how="inner")
    score = m[C.FINAL_SCORE].to_numpy(float)
    truth = m[C.TRUE_PERFORMANCE].to_numpy(float) if C.TRUE_PERFORMANCE in m else np.full(len(m), NAN)
    raw = cond = NAN
    if C.SEX in m and {"F", "M"} <= set(m[C.SEX].astype(str)):
        keep = m[C.SEX].astype(str).isin(["F", "M"]).to_numpy()
        gaps = score_gaps(score[keep], m[C.SEX].astype(str)[keep], truth[keep], reference="M")
        raw = _value(gaps, "score_gap_raw_std", "F")
        cond = _value(gaps, "score_gap_conditional_std", "F")
    rows += [("sex_gap_raw", SEX_GAP_GROUP, raw), ("sex_gap_conditional", SEX_GAP_GROUP, cond)]
    close = m[C.CLOSENESS].to_numpy(float) if C.CLOSENESS in m else np.full(len(m), NAN)
    ctx = m[C.UNIT_CONTEXT].to_numpy(float) if C.UNIT_CONTEXT in m else np.full(len(m), NAN)
    rows.append(("favouritism_premium", ALL, _value(favouritism_premium(score, close, truth), "favouritism_premium")))
    rows.append(("unit_context_penalty", ALL, _value(unit_context_penalty(score, ctx, truth), "unit_context_penalty")))

    bur = burden(pol, rt, n_employees=len(emp))
    rows += [("rater_hours", ALL, _value(bur, "rater_hours")), ("ratee_hours", ALL, _value(bur, "ratee_hours"))]

    flip = rho = NAN
    if C.PERIOD in rt and rt[C.PERIOD].nunique() > 1:
        periodic = rt[rt[C.PERIOD].astype(str) != "annual"]  # stability leaves the annual summary out
        st = stability(period_scores(pol, periodic, emp, getattr(sim, "indicators", None)))
        flip, rho = _value(st, "predikat_flip_rate"), _value(st, "period_rank_correlation")
    rows += [("predikat_flip_rate", ALL, flip), ("period_rank_correlation", ALL, rho)]
    rows.append(("true_performance_gain", ALL, true_performance_gain(emp)))

    out = pd.DataFrame(rows, columns=[METRIC, GROUP, VALUE])
    out[METRIC] = out[METRIC].astype(object)
    out[GROUP] = out[GROUP].astype(object)
    out[VALUE] = out[VALUE].astype(float)
    return out
