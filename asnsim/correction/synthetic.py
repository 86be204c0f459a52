"""Synthetic crossed rating designs with planted rater effects, for tests, benchmarks and docs.

:func:`crossed_design` imitates a 360-degree appraisal: employees sit in units
of uneven size; each ratee is rated by a varying number of colleagues from the
same unit and, with probability ``p_outside``, by one rater from another unit
(a stakeholder), which connects the units into one design.  Panels are
therefore unbalanced and partly crossed.

:func:`province_design` imitates a province's appraisal round, where raters
(atasan and senior staff) are a pool apart from the staff they rate: each unit
has a few raters; each staff member is rated by the unit's head and by a few
other raters of the unit, sometimes by a rater of a neighbouring unit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C


def crossed_design(n_ratees: int, rng: np.random.Generator, mean_unit: float = 12.0,
                   raters_per_ratee: tuple[int, int] = (2, 6), p_outside: float = 0.3) -> pd.DataFrame:
    """Draw who rates whom: a ``ratee_id, rater_id`` table (ids are employee numbers).

    Parameters
    ----------
    n_ratees : int
        Number of employees (each is a ratee and a potential rater).
    rng : numpy.random.Generator
    mean_unit : float
        Mean unit size (unit sizes are 2 + Poisson(mean_unit - 2)).
    raters_per_ratee : (int, int)
        Inclusive range of within-unit raters per ratee (capped by unit size - 1).
    p_outside : float
        Probability that a ratee also gets one rater from a neighbouring unit.
    """
    sizes = 2 + rng.poisson(mean_unit - 2, size=int(2 * n_ratees / mean_unit) + 10)
    unit = np.repeat(np.arange(len(sizes)), sizes)[:n_ratees]
    sizes = np.bincount(unit)
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    k = rng.integers(raters_per_ratee[0], raters_per_ratee[1] + 1, size=n_ratees)
    k = np.minimum(k, sizes[unit] - 1)
    ratee = np.repeat(np.arange(n_ratees), k)
    # the j-th rater of ratee i is the colleague at offset j+1 (mod unit size) within the unit
    offset = np.arange(len(ratee)) - np.repeat(np.cumsum(k) - k, k) + 1
    pos = ratee - start[unit[ratee]]
    rater = start[unit[ratee]] + (pos + offset) % sizes[unit[ratee]]
    # stakeholders come from a neighbouring unit (the next or the previous one in the
    # organisation chart), as in a directorate whose units work together
    outside = np.flatnonzero(rng.random(n_ratees) < p_outside)
    n_units = len(sizes)
    near = (unit[outside] + rng.choice(np.array([-1, 1]), size=len(outside))) % n_units
    other = start[near] + rng.integers(0, sizes[near])
    # and the head of each unit is rated by the head of the next unit, which links all units
    outside = np.concatenate([outside, start])
    other = np.concatenate([other, np.roll(start, -1)])
    keep = unit[other] != unit[outside]
    ratee = np.concatenate([ratee, outside[keep]])
    rater = np.concatenate([rater, other[keep]])
    return pd.DataFrame({C.RATEE_ID: ratee, C.RATER_ID: rater})


def crossed_ratings(n_ratees: int, rng: np.random.Generator, sd_ratee: float = 1.0, sd_rater: float = 0.5,
                    sd_noise: float = 0.7, mean: float = 3.0, n_items: int = 1, **design) -> pd.DataFrame:
    """Continuous ratings ``ratee_id, rater_id, item, score`` with planted effects.

    ``score = mean + a_ratee + l_rater + e`` with ``a ~ N(0, sd_ratee^2)``,
    ``l ~ N(0, sd_rater^2)`` and ``e ~ N(0, sd_noise^2)``; the truth is kept in
    ``true_ratee`` and ``true_leniency``.
    """
    pairs = crossed_design(n_ratees, rng, **design)
    a = sd_ratee * rng.standard_normal(n_ratees)
    lev = sd_rater * rng.standard_normal(n_ratees)
    df = pairs.loc[pairs.index.repeat(n_items)].reset_index(drop=True)
    df[C.ITEM] = np.tile(np.arange(n_items), len(pairs))
    df["true_ratee"] = a[df[C.RATEE_ID].to_numpy()]
    df["true_leniency"] = lev[df[C.RATER_ID].to_numpy()]
    df[C.SCORE] = mean + df["true_ratee"] + df["true_leniency"] + sd_noise * rng.standard_normal(len(df))
    return df


def province_design(n_raters: int, rng: np.random.Generator, staff_per_rater: float = 5.0,
                    raters_per_ratee: float = 4.0, p_outside: float = 0.1) -> pd.DataFrame:
    """Who rates whom in a province-sized round: a ``ratee_id, rater_id`` table.

    Units have ``2 + Poisson(3)`` raters and about ``staff_per_rater`` staff per rater (Gamma-distributed
    unit sizes); each staff member is rated by the unit head (the unit's first rater) and by
    ``Poisson(raters_per_ratee - 1.3)`` more of the unit's raters (capped by the unit's raters), and with
    probability ``p_outside`` also by one rater of a neighbouring unit.  With the defaults, 50,000 raters
    give about 250,000 ratees and one million ratings.
    """
    k = 2 + rng.poisson(3, size=n_raters)
    k = k[: np.searchsorted(np.cumsum(k), n_raters) + 1]
    k[-1] -= k.sum() - n_raters
    k = k[k > 0]
    n_units = len(k)
    start = np.concatenate([[0], np.cumsum(k)[:-1]])
    staff = np.maximum(1, np.round(k * staff_per_rater * rng.gamma(4.0, 0.25, n_units))).astype(np.int64)
    unit = np.repeat(np.arange(n_units), staff)
    per = np.minimum(k[unit], 1 + rng.poisson(max(raters_per_ratee - 1.3, 0.0), len(unit)))
    ratee = np.repeat(np.arange(len(unit)), per)
    nth = np.arange(len(ratee)) - np.repeat(np.cumsum(per) - per, per)       # 0 = the unit head
    u = unit[ratee]
    shift = rng.integers(0, 1 << 30, len(unit))[ratee]
    rater = start[u] + np.where(nth == 0, 0, 1 + (nth - 1 + shift) % np.maximum(k[u] - 1, 1))
    outside = np.flatnonzero(rng.random(len(unit)) < p_outside)
    near = (unit[outside] + rng.choice(np.array([-1, 1]), size=len(outside))) % n_units
    ratee = np.concatenate([ratee, outside])
    rater = np.concatenate([rater, start[near] + rng.integers(0, k[near])])
    pairs = pd.DataFrame({C.RATEE_ID: ratee, C.RATER_ID: rater}).drop_duplicates(ignore_index=True)
    return pairs


def province_ratings(n_raters: int, rng: np.random.Generator, sd_ratee: float = 1.0, sd_rater: float = 0.5,
                     sd_noise: float = 0.7, mean: float = 3.0, **design) -> pd.DataFrame:
    """Continuous ratings on :func:`province_design` with planted effects (columns as :func:`crossed_ratings`)."""
    pairs = province_design(n_raters, rng, **design)
    n_ratees = int(pairs[C.RATEE_ID].max()) + 1
    a = sd_ratee * rng.standard_normal(n_ratees)
    lev = sd_rater * rng.standard_normal(n_raters)
    df = pairs.assign(**{C.ITEM: 0})
    df["true_ratee"] = a[df[C.RATEE_ID].to_numpy()]
    df["true_leniency"] = lev[df[C.RATER_ID].to_numpy()]
    df[C.SCORE] = mean + df["true_ratee"] + df["true_leniency"] + sd_noise * rng.standard_normal(len(df))
    return df
