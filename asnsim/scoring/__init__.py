"""Scoring engines: from ratings (and indicators) to final score, ratings and predikat.

One module per regime; :func:`score` dispatches on ``policy.regime``:

- :mod:`asnsim.scoring.permenpan` (PermenPAN-RB 6/2022): two three-level
  ratings and the 3x3 matrix;
- :mod:`asnsim.scoring.pp30` (PP 30/2019): capaian capped at 120, 70/30 or
  60/40, bands with Sangat Baik requiring an innovation;
- :mod:`asnsim.scoring.pp46` (PP 46/2011 with Perka BKN 1/2013): per-activity
  kuantitas, kualitas, waktu, biaya with the 1.76 rule, 60/40, bands.

Every engine returns the same columns: ``employee_id, final_score,
rating_results, rating_behaviour, predikat, predikat_label`` and one
``score_<component>`` column per component.  ``predikat`` uses the PermenPAN
ladder names (Sangat Kurang ... Sangat Baik) so that every policy is reported
on the same rows; ``predikat_label`` is the regime's own name (PP 46 "Cukup",
"Buruk").  For the band regimes ``rating_results`` and ``rating_behaviour``
are missing (NA): those regimes have no three-level ratings.

Scoring is deterministic: it draws no random numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import InputError
from ..policy import Band, Policy

__all__ = ["score", "item_scores", "component_percent", "component_value", "assign_bands",
           "indicator_table", "innovation_flags"]


def item_scores(ratings: pd.DataFrame, policy: Policy, component: str) -> pd.DataFrame:
    """Ratee x item table of one component's scores, pooled over rater roles.

    Within a role, scores are averaged over raters (and periods); roles are
    combined with the component's ``raters`` weights, renormalized over the
    roles present for a ratee:
    ``s_ij = sum_r w_r * mean(score | ratee i, item j, role r) / sum_r w_r``.
    Ordinal items are rounded back to the scale after pooling.  Computed
    with ``numpy.bincount`` over (ratee, item, role) cells, linear in the
    number of ratings (47 M ratings at national scale).
    """
    comp = policy.components[component]
    mask = (ratings[C.COMPONENT] == component).to_numpy()
    ratee, ids = _codes(ratings[C.RATEE_ID], mask)
    item_code, item_names = _factorize(ratings[C.ITEM])
    role_code, role_names = _factorize(ratings[C.RATER_ROLE])
    item_code, role_code, score_v = item_code[mask], role_code[mask], ratings[C.SCORE].to_numpy(dtype=float)[mask]
    used = np.bincount(role_code[role_code >= 0], minlength=len(role_names)) > 0  # roles present only
    role_code = np.where(role_code >= 0, (np.cumsum(used) - 1)[role_code], -1)
    role_names = role_names[used]
    col_of = pd.Index(list(comp.items)).get_indexer(pd.Index(item_names).astype(str))
    w_role = np.array([comp.raters.get(str(r), 0.0) for r in role_names], dtype=float)
    n_i, n_r = len(comp.items), max(len(role_names), 1)
    col = col_of[item_code]
    cell = (ratee.astype(np.int64) * n_i + col) * n_r + role_code
    keep = (col >= 0) & (item_code >= 0) & (role_code >= 0) & ~np.isnan(score_v)
    if not keep.all():
        cell, score_v = cell[keep], score_v[keep]
    size = len(ids) * n_i * n_r
    total = np.bincount(cell, weights=score_v, minlength=size)
    count = np.bincount(cell, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (total / count).reshape(len(ids), n_i, n_r)
        present = (count > 0).reshape(len(ids), n_i, n_r)
        num = np.where(present, mean * w_role, 0.0).sum(axis=2)
        den = (present * w_role).sum(axis=2)
        values = np.where(den > 0, num / den, np.nan)
    pooled = pd.DataFrame(values, index=pd.Index(ids, name=C.RATEE_ID),
                          columns=pd.Index(list(comp.items), name=C.ITEM))
    pooled = pooled[np.isfinite(values).any(axis=1)]
    if comp.scale.kind == "ordinal":
        s = comp.scale
        pooled = (s.min + s.step * np.round((pooled - s.min) / s.step)).clip(s.min, s.max)
    return pooled


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Codes and labels of a column; a categorical column's own codes (no hashing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), pd.Index(values.cat.categories)
    code, uniques = pd.factorize(values)
    return code, pd.Index(uniques)


def _codes(values: pd.Series, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense codes of ``values[mask]`` and its sorted unique values (a bincount for compact integer ids)."""
    v = values.to_numpy()[mask]
    if v.dtype.kind in "iu" and len(v):
        lo, hi = int(v.min()), int(v.max())
        if hi - lo <= 4 * len(v) + 1_000_000:
            seen = np.bincount(v - lo, minlength=hi - lo + 1) > 0
            code = np.cumsum(seen) - 1
            return code[v - lo], np.flatnonzero(seen) + lo
    code, uniques = pd.factorize(v, sort=True)
    return code, np.asarray(uniques)


def component_percent(scores: pd.DataFrame, policy: Policy, component: str) -> pd.Series:
    """A component's mean item score rescaled to 0-100 of its scale."""
    s = policy.components[component].scale
    return 100.0 * (scores.mean(axis=1) - s.min) / (s.max - s.min)


def component_value(scores: pd.DataFrame, policy: Policy, component: str) -> pd.Series:
    """A rated component's score for the band regimes.

    A numeric scale (PP 30/46 nilai 0-100) keeps its own units: the mean of
    the items (missing items skipped).  An ordinal scale is rescaled to 0-100
    (:func:`component_percent`).
    """
    if policy.components[component].scale.kind == "numeric":
        return scores.mean(axis=1)
    return component_percent(scores, policy, component)


def indicator_table(indicators: pd.DataFrame | None, policy: Policy, component: str) -> pd.DataFrame:
    """Check the indicators table a component needs and return it.

    Raises
    ------
    InputError
        When the table is missing or lacks a column of the contract
        (``employee_id, indicator, aspect, period, target, realisasi``).
    """
    if indicators is None:
        raise InputError("indicators", f"policy {policy.name!r} measures component {component!r} by indicators, "
                                       "but no indicators table was given")
    need = [C.EMPLOYEE_ID, C.INDICATOR, C.ASPECT, C.PERIOD, C.TARGET, C.REALISASI]
    for col in need:
        if col not in indicators.columns:
            raise InputError("indicators", "missing column", column=col)
    bad = ~indicators[C.ASPECT].isin(C.ASPECTS)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError("indicators", f"unknown aspect {indicators[C.ASPECT].iloc[row]!r}; "
                                       f"allowed: {', '.join(C.ASPECTS)}", row=row + 1, column=C.ASPECT)
    return indicators


def innovation_flags(employees: pd.DataFrame, policy: Policy) -> np.ndarray:
    """Each employee's ``innovation`` flag; an error if a band needs it and the column is missing."""
    needed = any(b.requires_innovation for b in policy.predikat.bands)
    if C.INNOVATION in employees.columns:
        return employees[C.INNOVATION].fillna(False).to_numpy(dtype=bool)
    if needed:
        raise InputError("employees", f"policy {policy.name!r} gives Sangat Baik only with an innovation, "
                                      "but the employees table has no boolean 'innovation' column",
                         column=C.INNOVATION)
    return np.zeros(len(employees), dtype=bool)


def assign_bands(final: np.ndarray, bands: tuple[Band, ...], innovation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predikat and label of each score: the top band whose ``min_score`` it reaches.

    A band with ``requires_innovation`` is skipped for employees without an
    innovation (they fall to the next band that fits); the lowest band takes
    every score below its ``min_score``; a missing score gives a missing predikat.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> b = load_policy("pp-30-2019").predikat.bands
    >>> assign_bands(np.array([115.0, 115.0, 89.99]), b, np.array([True, False, True]))[0].tolist()
    ['Sangat Baik', 'Baik', 'Butuh Perbaikan']
    """
    final = np.asarray(final, dtype=float)
    pred = np.full(len(final), bands[-1].predikat, dtype=object)
    label = np.full(len(final), bands[-1].label or bands[-1].predikat, dtype=object)
    for band in reversed(bands[:-1]):  # bottom-up, so the highest band that fits wins
        ok = final >= band.min_score
        if band.requires_innovation:
            ok &= innovation
        pred = np.where(ok, band.predikat, pred)
        label = np.where(ok, band.label or band.predikat, label)
    missing = np.isnan(final)
    pred[missing] = None
    label[missing] = None
    return pred, label


def score(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
          indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score every employee under ``policy``.

    Parameters
    ----------
    policy : Policy
    ratings : DataFrame
        ``ratee_id, rater_id, rater_role, item, period, score, component``.
    employees : DataFrame
        At least ``employee_id``; ``position_class`` (PP 46 kepemimpinan) and
        ``innovation`` (PP 30 Sangat Baik) where the policy needs them.
    indicators : DataFrame, optional
        ``employee_id, indicator, aspect, period, target, realisasi[, capaian]``
        when a component has ``measure = "indicators"``.

    Returns
    -------
    DataFrame
        ``employee_id, final_score, rating_results, rating_behaviour,
        predikat, predikat_label`` plus one ``score_<component>`` column per
        component (see the module docstring).
    """
    if policy.regime == "permenpan-6-2022":
        from .permenpan import score_permenpan as engine
    elif policy.regime == "pp-30-2019":
        from .pp30 import score_pp30 as engine
    elif policy.regime == "pp-46-2011":
        from .pp46 import score_pp46 as engine
    else:  # pragma: no cover - the Policy literal admits no other regime
        raise NotImplementedError(policy.regime)
    return engine(policy, ratings, employees, indicators)
