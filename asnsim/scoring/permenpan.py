"""PermenPAN-RB 6/2022: two three-level ratings and the 3x3 predikat matrix.

Hasil kerja: Di Atas Ekspektasi when more than ``rating.results_majority``
of the RHK are rated above expectation and no *utama* RHK (the first
``rating.utama_items`` items) is below; Di Bawah when more than that share
is below; otherwise Sesuai.  Perilaku kerja: the mean of the seven BerAKHLAK
item scores (1-3), Di Atas at >= ``behaviour_above``, Sesuai at >=
``behaviour_meets`` (one application's rule; UNCERTAIN in the regulation).
The predikat is read off ``predikat.matrix`` (DOMAIN.md s.2).

When hasil kerja is measured by indicators (city models such as Salatiga), an
RHK is above expectation when its capaian (see :mod:`asnsim.scoring.capaian`)
reaches ``rating.capaian_above``, below it under ``rating.capaian_meets``,
and the same majority rule applies.  A policy with several results
components (Serang: RHK judged in the evaluation forum and RHK measured from
the daily activity logs) applies the rule once over all their RHK, in
component order (the first ``rating.utama_items`` are utama): each RHK counts
as above expectation at its scale's top (rated) or at ``capaian_above``
(measured), below at its bottom or under ``capaian_meets``.

The final score has no legal meaning in this regime: it orders employees for
quota enforcement and metrics.  It is the weighted mean of the components'
scores: a rated component's mean item score rescaled to 0-100, an indicator
component's mean capaian (100 = on target).

A unit leader's hasil-kerja rating equals the unit's predikat
(:func:`apply_leader_rating`, with the mapping in ``quota.leader_rating``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy
from . import component_percent, indicator_table, item_table
from .arrays import level_codes, text_column
from .capaian import indicator_capaian, ordered_indicators

ROW_KEYS = ("di_bawah", "sesuai", "di_atas")


def results_level(scores: np.ndarray, lo: float, hi: float, majority: float, utama: int) -> np.ndarray:
    """Hasil-kerja level 0/1/2 (Di Bawah/Sesuai/Di Atas) from a ratee x RHK score array.

    Missing RHK (NaN) count in neither the above nor the below share.
    """
    n_items = np.maximum((~np.isnan(scores)).sum(axis=1), 1)
    above = (scores >= hi).sum(axis=1) / n_items > majority
    below = (scores <= lo).sum(axis=1) / n_items > majority
    utama_below = (scores[:, :utama] <= lo).any(axis=1) if utama else np.zeros(len(scores), bool)
    return np.where(above & ~utama_below, 2, np.where(below, 0, 1))


def rhk_codes(levels: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """RHK scores as 1 (at or below ``lo``), 3 (at or above ``hi``) or 2, NaN kept: one scale for every results
    component, so :func:`results_level` can count RHK judged on a rating scale and RHK measured by capaian together.

    Examples
    --------
    >>> rhk_codes(np.array([[1.0, 2.0, np.nan, 3.0]]), 1.0, 3.0).tolist()
    [[1.0, 2.0, nan, 3.0]]
    """
    return np.where(np.isnan(levels), np.nan, np.where(levels <= lo, 1.0, np.where(levels >= hi, 3.0, 2.0)))


def behaviour_level(mean_score: np.ndarray, above: float, meets: float) -> np.ndarray:
    """Perilaku level 0/1/2 from the mean BerAKHLAK item score."""
    return np.where(mean_score >= above, 2, np.where(mean_score >= meets, 1, 0))


def predikat_from_matrix(policy: Policy, results: np.ndarray, behaviour: np.ndarray) -> np.ndarray:
    """Look up the predikat of each (hasil kerja level, perilaku level) pair in the policy's matrix."""
    table = np.array([policy.predikat.matrix[k] for k in ROW_KEYS], dtype=object)
    return table[results, behaviour]


def capaian_levels(capaian: np.ndarray, above: float, meets: float) -> np.ndarray:
    """RHK score 1/2/3 from capaian: 3 at >= ``above``, 2 at >= ``meets``, else 1 (NaN stays NaN)."""
    lv = np.where(capaian >= above, 3.0, np.where(capaian >= meets, 2.0, 1.0))
    return np.where(np.isnan(capaian), np.nan, lv)


def score_permenpan(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
                    indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score under PermenPAN-RB 6/2022 (see the module docstring)."""
    res_name = policy.component_of_kind("results")
    beh_name = policy.component_of_kind("behaviour")
    rules = policy.rating
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    out = pd.DataFrame({C.EMPLOYEE_ID: ids})
    final = np.zeros(len(ids))
    r = np.ones(len(ids), dtype=int)
    b = np.ones(len(ids), dtype=int)
    rhk = []  # every results component's RHK as 1 (below) / 2 / 3 (above), NaN where missing
    for cname, comp in policy.components.items():
        if comp.measure == "indicators":
            ind = indicator_table(indicators, policy, cname)
            cap = ordered_indicators(indicator_capaian(ind, comp.capaian_cap), comp.items).reindex(ids)
            value = cap.mean(axis=1).to_numpy()
            levels = capaian_levels(cap.to_numpy(), rules.capaian_above, rules.capaian_meets)
            lo, hi = 1.0, 3.0
        else:
            sc = item_table(ratings, policy, cname, ids)
            value = component_percent(sc, policy, cname).to_numpy()
            levels = sc.to_numpy()
            lo, hi = comp.scale.min, comp.scale.max
        out[f"score_{cname}"] = value
        final += comp.weight * value
        if comp.kind == "results":
            rhk.append(rhk_codes(levels, lo, hi))
        if cname == beh_name:
            b = behaviour_level(np.nanmean(levels, axis=1) if levels.size else np.full(len(ids), np.nan),
                                rules.behaviour_above, rules.behaviour_meets)
    if res_name is not None and rhk:
        r = results_level(np.hstack(rhk), 1.0, 3.0, rules.results_majority, rules.utama_items)
    out.insert(1, C.FINAL_SCORE, final)
    out.insert(2, C.RATING_RESULTS, text_column(C.RATING_LEVELS, r))
    out.insert(3, C.RATING_BEHAVIOUR, text_column(C.RATING_LEVELS, b))
    names, table = _matrix_codes(policy)
    pred = text_column(names, table[r, b])
    out.insert(4, C.PREDIKAT, pred)
    out.insert(5, C.PREDIKAT_LABEL, pred.copy())
    return out


def _matrix_codes(policy: Policy) -> tuple[list, np.ndarray]:
    """The predikat matrix as names and a 3x3 table of codes into them."""
    table = np.array([policy.predikat.matrix[k] for k in ROW_KEYS], dtype=object)
    names = list(dict.fromkeys(table.ravel()))
    return names, np.array([names.index(x) for x in table.ravel()]).reshape(table.shape)


def apply_leader_rating(scores: pd.DataFrame, leader: np.ndarray, unit_predikat: np.ndarray,
                        policy: Policy) -> pd.DataFrame:
    """Set each unit leader's hasil kerja from the unit's predikat and re-read the matrix.

    Parameters
    ----------
    scores : DataFrame
        The engine's output (rows aligned with ``leader``).
    leader : bool array
        True for unit leaders.
    unit_predikat : array of str
        Each row's unit predikat (used where ``leader``).
    policy : Policy
        Its ``quota.leader_rating`` maps unit predikat to ``di_bawah``,
        ``sesuai`` or ``di_atas``; unmapped unit predikat leave the rating.

    Returns
    -------
    DataFrame
        A copy with ``rating_results``, ``predikat`` and ``predikat_label``
        updated for the leaders.
    """
    mapping = policy.quota.leader_rating
    if not mapping:
        return scores
    up_names = list(mapping)
    up_code = level_codes(pd.Series(unit_predikat), up_names)
    key = np.r_[[ROW_KEYS.index(mapping[k]) for k in up_names], -1][up_code]  # -1: unmapped
    set_ = np.asarray(leader, dtype=bool) & (key >= 0)
    if not set_.any():
        return scores
    out = scores.copy()
    r = level_codes(out[C.RATING_RESULTS], C.RATING_LEVELS)
    b = level_codes(out[C.RATING_BEHAVIOUR], C.RATING_LEVELS)
    r = np.where(set_, key, r)
    out[C.RATING_RESULTS] = text_column(C.RATING_LEVELS, r)
    names, table = _matrix_codes(policy)
    old = level_codes(out[C.PREDIKAT], names)
    old_label = level_codes(out[C.PREDIKAT_LABEL], names)
    if (old < 0).any() or (old_label < 0).any():  # a name outside the matrix: keep it as it is
        pred = predikat_from_matrix(policy, r, b)
        out[C.PREDIKAT] = np.where(set_, pred, out[C.PREDIKAT])
        out[C.PREDIKAT_LABEL] = np.where(set_, pred, out[C.PREDIKAT_LABEL])
        return out
    new = table[r, b]
    out[C.PREDIKAT] = text_column(names, np.where(set_, new, old))
    out[C.PREDIKAT_LABEL] = text_column(names, np.where(set_, new, old_label))
    return out
