"""The outcomes of one simulated round, for the Monte Carlo experiment runner.

:func:`replicate_metrics` computes one row per outcome of the registry
(:data:`asnsim.outcomes.OUTCOMES`, in the fixed row order of
:func:`asnsim.outcomes.replicate_outcomes`), the same rows in the same order
for every policy and scenario (NaN where an outcome does not apply), so
replicate tables stack and pivot without surprises.  Each outcome's
``compute`` reads a :class:`Round`, which computes what several outcomes share
(the objectivity table, the predikat shares, the burden table, the stability
table) once.  The library functions run without bootstrap intervals; the
experiment's Monte Carlo spread replaces them.
"""

from __future__ import annotations

from functools import cached_property

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


class Round:
    """One appraisal round, as the outcomes read it: its tables and what several outcomes share, computed once.

    Parameters
    ----------
    sim : asnsim.pipeline.Simulation or similar
        ``employees`` (with ``true_performance``, ``sex``, ``closeness``, ``unit_context``), ``scores``,
        ``ratings``, ``policy`` (may be None: burden is then NaN) and optionally ``indicators``.
    top_share : float
        The truly top share that deserves Sangat Baik (and k of top-k precision).

    Each public method is one outcome's value (a float, NaN where it does not apply); an outcome's ``compute``
    calls one (:mod:`asnsim.outcomes`), and a plug-in outcome may read :attr:`sim` directly.
    """

    def __init__(self, sim, top_share: float = 0.10):
        self.sim = sim
        self.top_share = top_share
        self.employees, self.scores = sim.employees, sim.scores
        self.ratings = getattr(sim, "ratings", None)
        self.policy = getattr(sim, "policy", None)

    # ---- objectivity
    @cached_property
    def _objectivity(self) -> pd.DataFrame:
        return objectivity(self.scores, self.employees, top_share=self.top_share, ci=False)

    def objectivity_value(self, name: str) -> float:
        """A row of :func:`asnsim.metrics.objectivity` (``spearman``, ``share_sb_wrongly_given``, ...)."""
        return _value(self._objectivity, name)

    def share_top_rated_sb(self) -> float:
        """Of the truly top ``top_share``, the share rated Sangat Baik (1 - wrongly denied)."""
        return 1.0 - self.objectivity_value("share_sb_wrongly_denied")

    # ---- predikat distribution
    @cached_property
    def _shares(self) -> np.ndarray:
        codes = predikat_codes(self.scores[C.PREDIKAT])
        valid = codes[codes >= 0]
        return np.bincount(valid, minlength=len(LEVELS)) / max(len(valid), 1) if len(valid) else np.full(5, NAN)

    def predikat_share(self, level: str) -> float:
        """Share of employees with predikat ``level``."""
        return float(self._shares[LEVELS.index(level)])

    def share_at_least_baik(self) -> float:
        return float(self._shares[LEVELS.index(C.BAIK):].sum())

    # ---- agreement among raters
    @cached_property
    def _multi(self) -> pd.DataFrame:
        rt = self.ratings
        units = [C.RATEE_ID, C.ITEM] + ([C.PERIOD] if C.PERIOD in rt else [])
        return rt[units + [C.SCORE]], units

    def icc1(self) -> float:
        """One-way ICC(1) among the raters of the same ratee, item and period, whatever their role."""
        multi, units = self._multi
        return _value(icc_oneway(multi, units), "icc1")

    def krippendorff_alpha(self, level: str) -> float:
        """Krippendorff's alpha (``interval`` or ``ordinal``; ordinal NaN beyond 50 distinct scores)."""
        multi, units = self._multi
        if level == "ordinal" and multi[C.SCORE].nunique() > 50:
            return NAN
        return _value(krippendorff_alpha(multi, units, level=level), f"krippendorff_alpha_{level}")

    # ---- fairness
    @cached_property
    def _merged(self) -> pd.DataFrame:
        cols = [C.EMPLOYEE_ID, C.FINAL_SCORE] + ([C.PREDIKAT] if C.PREDIKAT in self.scores else [])
        return self.scores[cols].merge(self.employees.drop(columns=C.PREDIKAT, errors="ignore"), on=C.EMPLOYEE_ID,
                                       how="inner")

    def _column(self, name: str) -> np.ndarray:
        m = self._merged
        return m[name].to_numpy(float) if name in m else np.full(len(m), NAN)

    @cached_property
    def _sex_gaps(self) -> tuple[float, float]:
        m = self._merged
        if C.SEX not in m or not {"F", "M"} <= set(m[C.SEX].astype(str)):
            return NAN, NAN
        keep = m[C.SEX].astype(str).isin(["F", "M"]).to_numpy()
        gaps = score_gaps(self._column(C.FINAL_SCORE)[keep], m[C.SEX].astype(str)[keep],
                          self._column(C.TRUE_PERFORMANCE)[keep], reference="M")
        return _value(gaps, "score_gap_raw_std", "F"), _value(gaps, "score_gap_conditional_std", "F")

    def sex_gap(self, kind: str) -> float:
        """Women's minus men's mean final score in final-score SD units, ``raw`` or ``conditional`` on truth."""
        return self._sex_gaps[0 if kind == "raw" else 1]

    def favouritism_premium(self) -> float:
        score, truth = self._column(C.FINAL_SCORE), self._column(C.TRUE_PERFORMANCE)
        return _value(favouritism_premium(score, self._column(C.CLOSENESS), truth), "favouritism_premium")

    def unit_context_penalty(self) -> float:
        score, truth = self._column(C.FINAL_SCORE), self._column(C.TRUE_PERFORMANCE)
        return _value(unit_context_penalty(score, self._column(C.UNIT_CONTEXT), truth), "unit_context_penalty")

    def sb_gap_close(self) -> float:
        """Share rated Sangat Baik among employees close to their superior minus among the others (unadjusted)."""
        sb = (self._merged[C.PREDIKAT] == C.SANGAT_BAIK).to_numpy()
        close = self._column(C.CLOSENESS) == 1
        return float(sb[close].mean() - sb[~close].mean()) if close.any() and (~close).any() else NAN

    # ---- burden
    @cached_property
    def _burden(self) -> pd.DataFrame | None:
        if self.policy is None or self.ratings is None:
            return None
        return burden(self.policy, self.ratings, n_employees=len(self.employees))

    def burden_value(self, name: str) -> float:
        """``rater_hours`` or ``ratee_hours`` per employee-year (NaN without a policy)."""
        return NAN if self._burden is None else _value(self._burden, name)

    # ---- stability
    @cached_property
    def _stability(self) -> pd.DataFrame | None:
        rt = self.ratings
        if rt is None or C.PERIOD not in rt or rt[C.PERIOD].nunique() <= 1:
            return None
        periodic = rt[rt[C.PERIOD].astype(str) != "annual"]  # stability leaves the annual summary out
        return stability(period_scores(self.policy, periodic, self.employees, getattr(self.sim, "indicators", None)))

    def stability_value(self, name: str) -> float:
        """``predikat_flip_rate`` or ``period_rank_correlation`` between consecutive periods (NaN with one)."""
        return NAN if self._stability is None else _value(self._stability, name)

    # ---- development
    def true_performance_gain(self) -> float:
        return true_performance_gain(self.employees)


def replicate_metrics(sim, top_share: float = 0.10) -> pd.DataFrame:
    """Every outcome of the registry for one round: objectivity, distribution, reliability, fairness, burden,
    stability and development.

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
        Columns ``metric, group, value``: one row per outcome of
        :func:`asnsim.outcomes.replicate_outcomes`, always in that order
        (docs/metrics.md lists them with their definitions).  Agreement
        outcomes are NaN when no ratee-item has two ratings (atasan-only
        designs), stability outcomes when the ratings carry one period, the
        true-performance gain without the start-of-year truth (real data).
        Objectivity and fairness compare with ``true_performance``, the truth
        at the time of rating.

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> from asnsim.outcomes import replicate_outcomes
    >>> tab = replicate_metrics(simulate("permenpan-6-2022", n=300, seed=1))
    >>> list(tab.columns), len(tab) == len(replicate_outcomes())
    (['metric', 'group', 'value'], True)
    """
    from ..outcomes import replicate_outcomes

    r = Round(sim, top_share)
    rows = [(o.metric, o.group, float(o.compute(r))) for o in replicate_outcomes()]
    out = pd.DataFrame(rows, columns=[METRIC, GROUP, VALUE])
    out[METRIC] = out[METRIC].astype(object)
    out[GROUP] = out[GROUP].astype(object)
    out[VALUE] = out[VALUE].astype(float)
    return out


__all__ = ["Round", "SEX_GAP_GROUP", "replicate_metrics", "true_performance_gain"]
