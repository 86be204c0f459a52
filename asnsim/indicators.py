"""Simulated indicator realisations: targets, realisasi and capaian per period.

For every component with ``measure = "indicators"``, each employee has the
component's items as indicators (RHK/IKI or PP 46 kegiatan), each appraised
on the component's ``aspects``, in every period of ``policy.periods``.  The
measured log-performance of employee ``i`` on indicator ``j`` in period ``p``
(one draw per aspect) is::

    theta = true component of i + item_sd * z_ij + e_ip          (e_ip: results only)
    s     = loading * (theta + unit_context_i) + noise_sd * eps

with ``e_ip`` the period's mean monthly deviation (persistence across periods
and growth from feedback and training, :func:`asnsim.population.monthly_deviations`).
Per aspect, with workload ``w_ij = exp(workload_sd * z - workload_sd^2 / 2)``,
``m_p`` months in the period and target slack ``k_i = slack_mean + slack_sd * z``:

========== ============================== ======================== =============================
aspect     fair target F                  target (lenient = slack)  true realisasi
========== ============================== ======================== =============================
kuantitas  count_per_year * w * m_p / 12  round(F * exp(-k)), >= 1  round(F * exp(s))
kualitas   100                            min(100, 100 * exp(-k))    min(100, 100 * exp(s - quality_level))
waktu      m_p (months; early = less)     F * exp(k)                F * exp(-s)
biaya      budget_per_year * w * m_p / 12 F * exp(k)                F * exp(-s)
========== ============================== ======================== =============================

Gaming of counts (when ``policy.forum.activity_logs``): logged kuantitas =
``round(true * (1 + g_i))``, ``g_i = max(0, gaming + gaming_sd * z)``.
Self-reports (component ``self_reported``): unverified activities report
``logged * (1 + r_i)`` for kuantitas and kualitas (kualitas at most 100) and
``logged / (1 + r_i)`` for waktu and biaya, ``r_i = max(0, inflation + sd * z)``;
each (employee, indicator, period) activity is verified with probability
``verified_share`` and then reports the logged value.  ``capaian = 100 *
realisasi / target``, raw (caps and the PP 46 formulas belong to scoring).
At zero magnitude slack, gaming and self-report inflation are exactly absent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .policy import Policy
from .population import period_months
from .raters import TRUE_OF_KIND
from .scenario import IndicatorParams

FX_GAMING = "fx_gaming"
FX_SELF_REPORT = "fx_self_report"


def simulate_indicators(employees: pd.DataFrame, policy: Policy, params: IndicatorParams,
                        rng: np.random.Generator, monthly: np.ndarray | None = None,
                        item_sd: float = 0.0) -> pd.DataFrame:
    """Simulate the indicators table of every ``measure = "indicators"`` component.

    Parameters
    ----------
    employees : DataFrame
        From :func:`asnsim.population.generate_population` (true components,
        ``unit_context``).
    policy : Policy
        Components, aspects, periods, ``forum.activity_logs``, self-reporting.
    params : IndicatorParams
        The scenario's indicator parameters (see the module docstring).
    rng : numpy.random.Generator
        The ``indicators`` stream.
    monthly : ndarray (n, 12), optional
        Monthly deviations of true results (persistence and growth).
    item_sd : float
        SD of each (employee, indicator) true deviation from the component.

    Returns
    -------
    DataFrame
        One row per (employee, indicator, aspect, period): ``employee_id,
        component, indicator, aspect, period, target, realisasi, capaian`` and
        the truth columns ``true_score, target_fair, true_realisasi,
        true_capaian, fx_gaming, fx_self_report`` (plus ``self_reported,
        verified`` when a component is self-reported).  Empty (same columns)
        when no component uses indicators.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> from asnsim.population import generate_population
    >>> from asnsim.rng import stage_rng
    >>> emp = generate_population(20, stage_rng(1, "population"))
    >>> ind = simulate_indicators(emp, load_policy("pp-46-2011"), IndicatorParams(), stage_rng(1, "indicators"))
    >>> sorted(ind.aspect.unique())
    ['biaya', 'kualitas', 'kuantitas', 'waktu']
    """
    comps = [(name, c) for name, c in policy.components.items() if c.measure == "indicators"]
    periods = period_months(policy.periods.frequency)
    any_self = any(c.self_reported for _, c in comps)
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    n = len(ids)
    ctx = employees[C.UNIT_CONTEXT].to_numpy()
    p = params
    slack = _draw(rng, n, p.slack_mean, p.slack_sd)
    gaming = np.maximum(_draw(rng, n, p.gaming, p.gaming_sd), 0) if policy.forum.activity_logs else np.zeros(n)
    inflation = np.maximum(_draw(rng, n, p.self_report_inflation, p.self_report_sd), 0)
    parts = []
    for cname, comp in comps:  # loops over components, periods and aspects only
        J = len(comp.items)
        theta0 = np.repeat(employees[TRUE_OF_KIND[comp.kind]].to_numpy()[:, None], J, axis=1)
        if item_sd > 0:
            theta0 = theta0 + item_sd * rng.standard_normal((n, J))
        w = np.exp(p.workload_sd * rng.standard_normal((n, J)) - p.workload_sd ** 2 / 2)
        for plabel, months in periods.items():
            dev = monthly[:, months].mean(axis=1) if (monthly is not None and comp.kind == "results") else 0.0
            theta = theta0 + (dev[:, None] if np.ndim(dev) else 0.0)
            frac = len(months) / 12.0
            verified = (rng.random((n, J)) < comp.verified_share) if comp.self_reported else np.ones((n, J), bool)
            for aspect in comp.aspects:
                s = p.loading * (theta + ctx[:, None]) + p.noise_sd * rng.standard_normal((n, J))
                fair, target, true = _aspect_values(aspect, s, w, frac, slack[:, None], p)
                logged = true
                if aspect == "kuantitas" and policy.forum.activity_logs:
                    logged = np.rint(true * (1 + gaming[:, None]))
                reported = logged
                if comp.self_reported:
                    r = 1 + inflation[:, None]
                    claimed = {"kuantitas": np.rint(logged * r), "kualitas": np.minimum(100.0, logged * r)
                               }.get(aspect, logged / r)
                    reported = np.where(verified, logged, claimed)
                part = {
                    C.EMPLOYEE_ID: np.repeat(ids, J),
                    C.COMPONENT: cname,
                    C.INDICATOR: np.tile(np.asarray(comp.items), n),
                    C.ASPECT: aspect,
                    C.PERIOD: plabel,
                    C.TARGET: target.ravel(),
                    C.REALISASI: reported.ravel(),
                    C.TRUE_SCORE: theta.ravel(),
                    C.TARGET_FAIR: np.broadcast_to(fair, (n, J)).ravel(),
                    C.TRUE_REALISASI: true.ravel(),
                    FX_GAMING: (logged - true).ravel() + 0.0,
                    FX_SELF_REPORT: (reported - logged).ravel() + 0.0,
                }
                if any_self:
                    part[C.SELF_REPORTED] = np.full(n * J, comp.self_reported)
                    part[C.VERIFIED] = verified.ravel() if comp.self_reported else np.ones(n * J, bool)
                parts.append(pd.DataFrame(part))
    cols = [C.EMPLOYEE_ID, C.COMPONENT, C.INDICATOR, C.ASPECT, C.PERIOD, C.TARGET, C.REALISASI, C.CAPAIAN,
            C.TRUE_SCORE, C.TARGET_FAIR, C.TRUE_REALISASI, C.TRUE_CAPAIAN, FX_GAMING, FX_SELF_REPORT]
    if any_self:
        cols += [C.SELF_REPORTED, C.VERIFIED]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in cols})
    out = pd.concat(parts, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[C.CAPAIAN] = 100.0 * out[C.REALISASI] / out[C.TARGET]
        out[C.TRUE_CAPAIAN] = 100.0 * out[C.TRUE_REALISASI] / out[C.TARGET_FAIR]
    for col, cats in ((C.COMPONENT, [c for c, _ in comps]), (C.ASPECT, list(C.ASPECTS)),
                      (C.PERIOD, list(periods)),
                      (C.INDICATOR, list(dict.fromkeys(i for _, c in comps for i in c.items)))):
        out[col] = pd.Categorical(out[col], categories=cats)
    out = out.sort_values([C.EMPLOYEE_ID, C.COMPONENT, C.INDICATOR, C.PERIOD, C.ASPECT], kind="stable")
    return out[cols].reset_index(drop=True)


def _draw(rng: np.random.Generator, n: int, mean: float, sd: float) -> np.ndarray:
    """``mean + sd * z`` (always drawing, so later streams do not shift); exactly ``mean`` when sd is 0."""
    z = rng.standard_normal(n)
    return np.full(n, mean + 0.0) if sd == 0 else mean + sd * z


def _aspect_values(aspect: str, s: np.ndarray, w: np.ndarray, frac: float, slack: np.ndarray,
                   p: IndicatorParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fair target, target, true realisasi) of one aspect (see the module docstring's table)."""
    if aspect == "kuantitas":
        fair = p.count_per_year * w * frac
        return fair, np.maximum(1.0, np.rint(fair * np.exp(-slack))), np.rint(fair * np.exp(s))
    if aspect == "kualitas":
        fair = np.full_like(s, 100.0)
        return fair, np.minimum(100.0, 100.0 * np.exp(-slack)) + 0 * s, np.minimum(100.0, 100.0 * np.exp(
            s - p.quality_level))
    if aspect == "waktu":
        fair = np.full_like(s, 12.0 * frac)
        return fair, fair * np.exp(slack), fair * np.exp(-s)
    fair = p.budget_per_year * w * frac  # biaya
    return fair, fair * np.exp(slack), fair * np.exp(-s)
