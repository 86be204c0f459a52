"""Scoring engines: from ratings (and indicators) to final score, ratings and predikat.

One module per regime; :func:`score` runs the engine
:data:`asnsim.methods.SCORING_ENGINES` names for ``policy.regime``:

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
from .arrays import positions, text_column

__all__ = ["score", "banded_scores", "item_scores", "item_table", "component_percent", "component_value", "assign_bands",
           "indicator_table", "innovation_flags", "band_codes", "band_columns"]


def item_scores(ratings: pd.DataFrame, policy: Policy, component: str) -> pd.DataFrame:
    """Ratee x item table of one component's scores, pooled over rater roles.

    Within a role, scores are averaged over raters (and periods); roles are
    combined with the component's ``raters`` weights, renormalized over the
    roles present for a ratee:
    ``s_ij = sum_r w_r * mean(score | ratee i, item j, role r) / sum_r w_r``.
    Ordinal items are rounded back to the scale after pooling.  Computed
    with ``numpy.bincount`` over (ratee, item, role) cells, linear in the
    number of ratings (47 M ratings at national scale).  One row per rated
    ratee (sorted ids); :func:`item_table` gives the rows of a list of employees.
    """
    comp = policy.components[component]
    mask = (ratings[C.COMPONENT] == component).to_numpy()
    ratee, ids = _codes(ratings[C.RATEE_ID], mask)
    values = _pooled(ratings, mask, ratee, len(ids), comp)
    rated = np.isfinite(values).any(axis=1)
    return _frame(_to_scale(values[rated], comp), ids[rated], comp)


def item_table(ratings: pd.DataFrame, policy: Policy, component: str, ids) -> pd.DataFrame:
    """:func:`item_scores` with one row per employee id of ``ids`` (missing where not rated).

    The same as ``item_scores(ratings, policy, component).reindex(ids)``,
    without the intermediate table: each rating is placed on its employee's
    row directly.
    """
    ids = np.asarray(ids)
    comp = policy.components[component]
    mask = (ratings[C.COMPONENT] == component).to_numpy()
    try:
        row = positions(ratings[C.RATEE_ID].to_numpy()[mask], ids)
    except pd.errors.InvalidIndexError:  # duplicate ids: each copy gets the ratee's row
        return item_scores(ratings, policy, component).reindex(ids)
    values = _pooled(ratings, mask, row, len(ids), comp)
    values[~np.isfinite(values).any(axis=1)] = np.nan
    return _frame(_to_scale(values, comp), ids, comp)


def _frame(values: np.ndarray, ids: np.ndarray, comp) -> pd.DataFrame:
    return pd.DataFrame(values, index=pd.Index(ids, name=C.RATEE_ID), columns=pd.Index(list(comp.items), name=C.ITEM))


def _to_scale(values: np.ndarray, comp) -> np.ndarray:
    """Ordinal items rounded back to the scale (``min + step * round((v - min) / step)``, clipped)."""
    if comp.scale.kind != "ordinal":
        return values
    s = comp.scale
    out = values - s.min  # then in place: / step, round, * step, + min, clip
    out /= s.step
    np.round(out, out=out)
    out *= s.step
    out += s.min
    return np.clip(out, s.min, s.max, out=out)


def _pooled(ratings: pd.DataFrame, mask: np.ndarray, row: np.ndarray, n_rows: int, comp) -> np.ndarray:
    """``n_rows x items`` role-weighted mean scores of the ratings ``mask`` selects, on rows ``row`` (-1: left out)."""
    item_code, item_names = _factorize(ratings[C.ITEM])
    role_code, role_names = _factorize(ratings[C.RATER_ROLE])
    item_code, role_code, score_v = item_code[mask], role_code[mask], ratings[C.SCORE].to_numpy(dtype=float)[mask]
    used = np.array([(role_code == k).any() for k in range(len(role_names))], dtype=bool)  # roles present only
    if used.sum() > 1:  # old code -> new code (-1 stays -1); with one role present, the codes only say rated or not
        role_code = np.r_[np.cumsum(used) - 1, -1][role_code]
    role_names = role_names[used]
    col_of = np.r_[pd.Index(list(comp.items)).get_indexer(pd.Index(item_names).astype(str)), -1]  # code -1: -1
    w_role = np.array([comp.raters.get(str(r), 0.0) for r in role_names], dtype=float)
    n_i, n_r = len(comp.items), max(len(role_names), 1)
    col = col_of[item_code]
    cell = np.multiply(row, n_i, dtype=np.int64)
    cell += col
    if n_r > 1:
        cell = cell * n_r + role_code
    keep = (col >= 0) & (role_code >= 0) & (row >= 0) & ~np.isnan(score_v)
    if not keep.all():
        cell, score_v = cell[keep], score_v[keep]
    size = n_rows * n_i * n_r
    total = np.bincount(cell, weights=score_v, minlength=size)
    count = np.bincount(cell, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.divide(total, count, out=total)  # NaN where a cell has no rating
        if n_r == 1:  # one role: the formula below without its sums over roles
            w = w_role[0] if len(w_role) else 0.0
            if w <= 0:
                return np.full((n_rows, n_i), np.nan)
            return (mean if w == 1.0 else mean * w / w).reshape(n_rows, n_i)
        mean = mean.reshape(n_rows, n_i, n_r)
        present = (count > 0).reshape(n_rows, n_i, n_r)
        num = np.where(present, mean * w_role, 0.0).sum(axis=2)
        den = (present * w_role).sum(axis=2)
        return np.where(den > 0, num / den, np.nan)


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
    idx = band_codes(final, bands, innovation)
    pred = np.array([b.predikat for b in bands] + [None], dtype=object)[idx]
    label = np.array([b.label or b.predikat for b in bands] + [None], dtype=object)[idx]
    return pred, label


def band_codes(final: np.ndarray, bands: tuple[Band, ...], innovation: np.ndarray) -> np.ndarray:
    """Index into ``bands`` of each score's band (see :func:`assign_bands`); -1 for a missing score."""
    final = np.asarray(final, dtype=float)
    idx = np.full(len(final), len(bands) - 1, dtype=np.int64)
    for j in range(len(bands) - 2, -1, -1):  # bottom-up, so the highest band that fits wins
        ok = final >= bands[j].min_score
        if bands[j].requires_innovation:
            ok &= innovation
        idx[ok] = j
    idx[np.isnan(final)] = -1
    return idx


def banded_scores(out: pd.DataFrame, final: np.ndarray, policy: Policy, employees: pd.DataFrame) -> pd.DataFrame:
    """Finish a banded regime's scores table (PP 30/2019, PP 46/2011): final score, predikat from the bands.

    Inserts ``final_score``, empty three-level rating columns (these regimes have none), ``predikat`` and the
    regime's own ``predikat_label`` after ``employee_id``; returns ``out``.
    """
    n = len(out)
    pred, label = band_columns(final, policy.predikat.bands, innovation_flags(employees, policy))
    out.insert(1, C.FINAL_SCORE, final)
    out.insert(2, C.RATING_RESULTS, pd.Series([pd.NA] * n, dtype="object"))
    out.insert(3, C.RATING_BEHAVIOUR, pd.Series([pd.NA] * n, dtype="object"))
    out.insert(4, C.PREDIKAT, pred)
    out.insert(5, C.PREDIKAT_LABEL, label)
    return out


def band_columns(final: np.ndarray, bands: tuple[Band, ...], innovation: np.ndarray) -> tuple:
    """:func:`assign_bands` as two text columns (predikat, label), for the engines' output tables."""
    idx = band_codes(final, bands, innovation)
    return (text_column([b.predikat for b in bands], idx),
            text_column([b.label or b.predikat for b in bands], idx))


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
    from ..methods import resolve, scoring_engine

    return resolve(scoring_engine(policy.regime).score)(policy, ratings, employees, indicators)
