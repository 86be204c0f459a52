"""The rating scale agreement statistics are measured on.

rwg compares the variance of a ratee's ratings with the variance of a uniform
answer over the scale's ``A`` points, ``s2_EU = (A^2 - 1)/12`` (James,
Demaree & Wolf 1984), and Gwet's AC1 divides chance agreement by ``q - 1``
for ``q`` possible categories (Gwet 2008).  Both therefore need the scale the
raters *could* use, not the range they happened to use: lenient raters who
give only 2 and 3 on a 1-3 scale agree more than a 2-point reading says.

The scale comes, in this order, from an explicit ``MIN:MAX`` (``asnsim
analyze --scale``), from a policy's rated components (``--policy``), or, when
neither is given, from the observed scores, which is then said in the output.

References
----------
James, L. R., Demaree, R. G. & Wolf, G. (1984). J. Appl. Psychol. 69:85-98.
Gwet, K. L. (2008). Br. J. Math. Stat. Psychol. 61:29-48.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import AsnsimError, InputError

#: where a scale came from
GIVEN, POLICY, OBSERVED = "given", "policy", "observed"


@dataclass(frozen=True)
class RatingScale:
    """A rating scale: the points ``min, min + step, ..., max`` and where it came from.

    Examples
    --------
    >>> s = parse_scale("1:3")
    >>> s.n_points, s.points.tolist(), s.describe()
    (3, [1.0, 2.0, 3.0], '1 to 3 (3 points; given)')
    """

    min: float
    max: float
    step: float = 1.0
    origin: str = GIVEN
    label: str = ""

    @property
    def n_points(self) -> int:
        """Number of scale points ``A`` (categories)."""
        return int(round((self.max - self.min) / self.step)) + 1

    @property
    def points(self) -> np.ndarray:
        """The scale points, lowest first."""
        return self.min + self.step * np.arange(self.n_points, dtype=float)

    @property
    def range(self) -> tuple[float, float]:
        return (self.min, self.max)

    @property
    def observed(self) -> bool:
        """True when the scale was assumed from the observed scores."""
        return self.origin == OBSERVED

    def on_points(self, values) -> bool:
        """Whether every finite value is one of the scale points."""
        v = np.asarray(values, dtype=float)
        v = v[np.isfinite(v)]
        k = (v - self.min) / self.step
        return bool(np.allclose(k, np.round(k), atol=1e-9))

    def describe(self) -> str:
        """One line for the output, e.g. ``1 to 3 (3 points; from policy permenpan-6-2022)``."""
        where = {GIVEN: "given", POLICY: f"from policy {self.label}",
                 OBSERVED: "assumed from the observed scores; give --scale MIN:MAX or --policy to set it"}
        return f"{self.min:g} to {self.max:g} ({self.n_points} points; {where.get(self.origin, self.origin)})"

    def check(self, ratings: pd.DataFrame, score: str, source: str = "ratings") -> None:
        """Raise :class:`InputError` naming the first row (index label) and column with a score off the scale."""
        y = pd.to_numeric(ratings[score], errors="coerce").to_numpy(float)
        bad = np.isfinite(y) & ((y < self.min - 1e-9) | (y > self.max + 1e-9))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(source, f"score {y[i]:g} outside the scale {self.min:g} to {self.max:g} "
                                     f"({int(bad.sum())} such rows)", row=ratings.index[i], column=score)


def parse_scale(text: str) -> RatingScale:
    """``"MIN:MAX"`` (integer points ``MIN, MIN + 1, ..., MAX``) as a :class:`RatingScale`.

    Raises
    ------
    AsnsimError
        Not two finite numbers, ``MIN >= MAX``, or a range that is not a whole number of steps.

    Examples
    --------
    >>> parse_scale("0:120").n_points
    121
    """
    parts = str(text).split(":")
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise AsnsimError(f"--scale: expected MIN:MAX, e.g. 1:3, got {text!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or lo >= hi:
        raise AsnsimError(f"--scale: MIN must be a number below MAX, got {text!r}")
    if not float(hi - lo).is_integer():
        raise AsnsimError(f"--scale: MAX - MIN must be a whole number of points, got {text!r}")
    return RatingScale(lo, hi, 1.0, GIVEN)


def policy_scale(policy) -> RatingScale:
    """The scale of a policy's rated components (``measure = "rating"``).

    Raises
    ------
    AsnsimError
        When the rated components use different scales (give ``--scale``).

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> policy_scale(load_policy("permenpan-6-2022")).describe()
    '1 to 3 (3 points; from policy permenpan-6-2022)'
    """
    scales = {name: (float(c.scale.min), float(c.scale.max), float(c.scale.step))
              for name, c in policy.components.items() if c.measure == "rating"}
    distinct = sorted(set(scales.values()))
    if len(distinct) != 1:
        what = "; ".join(f"{k}: {lo:g} to {hi:g}" for k, (lo, hi, _) in scales.items()) or "no rated component"
        raise AsnsimError(f"policy {policy.name}: its rated components do not share one scale ({what}); "
                          "give --scale MIN:MAX")
    lo, hi, step = distinct[0]
    return RatingScale(lo, hi, step, POLICY, policy.name)


def observed_scale(values) -> RatingScale:
    """The smallest scale holding the observed scores: from their minimum to their maximum in steps of
    1 when they are whole numbers, else in steps of the smallest gap between distinct values.

    Examples
    --------
    >>> observed_scale([2, 3, 3, 2]).describe().split(";")[0]
    '2 to 3 (2 points'
    """
    v = np.unique(np.asarray(values, dtype=float))
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return RatingScale(0.0, 1.0, 1.0, OBSERVED)
    if len(v) == 1:
        return RatingScale(float(v[0]), float(v[0]) + 1.0, 1.0, OBSERVED)
    step = 1.0 if np.allclose(v, np.round(v)) else float(np.diff(v).min())
    return RatingScale(float(v[0]), float(v[-1]), step, OBSERVED)


def resolve_scale(scale=None, policy=None, values=None) -> RatingScale | None:
    """The scale to use: ``scale`` (a :class:`RatingScale`, ``"MIN:MAX"`` or ``(MIN, MAX)``), else the
    policy's, else the observed one of ``values`` (None when no values are given either)."""
    if isinstance(scale, RatingScale):
        return scale
    if isinstance(scale, str):
        return parse_scale(scale)
    if scale is not None:
        lo, hi = scale
        return parse_scale(f"{lo}:{hi}")
    if policy is not None:
        return policy_scale(policy)
    return observed_scale(values) if values is not None else None
