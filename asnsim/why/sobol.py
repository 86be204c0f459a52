"""Variance-based global sensitivity: Sobol' indices of each outcome to uncertain parameters, through SALib.

Every uncertain parameter gets a range (:class:`Uncertainty`, ``KEY=LO:HI``); SALib draws Saltelli's design
from a scrambled Sobol' sequence (``N (D + 2)`` points for ``D`` parameters and ``N`` base samples, a power of
2), the model is evaluated once per point, and SALib's estimators give, per outcome,

- the first-order index ``S1_i = V[E(Y | X_i)] / V(Y)``: the share of the outcome's variance that parameter
  ``i`` explains alone (Saltelli et al. 2010's estimator);
- the total index ``ST_i = E[V(Y | X_~i)] / V(Y)``: its share including every interaction (Jansen 1999);
  ``ST_i - S1_i`` is what it contributes only together with other parameters, and ``ST_i`` near 0 means the
  outcome does not depend on it (it can be fixed anywhere in its range);
- ``S1_conf`` and ``ST_conf``: half-widths of bootstrap intervals (SALib: ``z * sd`` of the estimates over
  resamples of the base points; 95% by default).

:func:`run_sobol` is the single path from ranges to the index table: the same code drives a test function
(Ishigami: ``tests/test_why_sobol.py``) and the simulator.  An outcome that does not vary over the design, or
that is undefined at some points, has no indices: its rows are NaN and :attr:`SobolResult.skipped` says why.

References
----------
Sobol', I. M. (2001). Global sensitivity indices for nonlinear mathematical models and their Monte Carlo
estimates. Math. Comput. Simul. 55:271-280.
Saltelli, A., Annoni, P., Azzini, I., Campolongo, F., Ratto, M. & Tarantola, S. (2010). Variance based
sensitivity analysis of model output. Comput. Phys. Commun. 181:259-270.
Herman, J. & Usher, W. (2017). SALib: an open-source Python library for sensitivity analysis. JOSS 2(9):97.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import DesignError

SOBOL_COLUMNS = ["parameter", "metric", "S1", "S1_conf", "ST", "ST_conf"]

#: ``X (points, parameters) -> Y (points, metrics)``
Model = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Uncertainty:
    """One uncertain parameter: a dotted key, the range it is drawn from (uniformly), and optionally a group.

    Parameters of one ``group`` (a behaviour's mean and spread, say) are moved together and get one pair of
    indices, named after the group (SALib's grouped Sobol' design: ``N (G + 2)`` points for ``G`` groups).

    Examples
    --------
    >>> Uncertainty.parse("rater.favouritism=0:0.8")
    Uncertainty(key='rater.favouritism', low=0.0, high=0.8, group='')
    """

    key: str
    low: float
    high: float
    group: str = ""

    @property
    def name(self) -> str:
        """The row name in the index table: the group, else the key."""
        return self.group or self.key

    @classmethod
    def parse(cls, text: str) -> "Uncertainty":
        """Parse ``KEY=LO:HI`` (the command line's ``--uncertainty``)."""
        key, eq, rng = text.partition("=")
        lo, colon, hi = rng.partition(":")
        if not (eq and colon and key.strip()):
            raise DesignError(f"--uncertainty {text!r}: expected KEY=LO:HI, e.g. rater.favouritism=0:0.8")
        try:
            low, high = float(lo), float(hi)
        except ValueError:
            raise DesignError(f"--uncertainty {text!r}: LO and HI must be numbers") from None
        return cls.checked(key.strip(), low, high)

    @classmethod
    def checked(cls, key: str, low: float, high: float, group: str = "") -> "Uncertainty":
        """An uncertainty whose range is finite and not empty (the error names the key)."""
        if not (math.isfinite(low) and math.isfinite(high)) or not low < high:
            raise DesignError(f"--uncertainty {key}: need finite LO < HI, got {low:g}:{high:g}")
        return cls(key, float(low), float(high), group)


def sobol_problem(uncertainties: Sequence[Uncertainty]) -> dict:
    """SALib's problem definition for the ranges (names in order, uniform bounds)."""
    keys = [u.key for u in uncertainties]
    if not keys:
        raise DesignError("--uncertainty: a sensitivity analysis needs at least one uncertain parameter")
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise DesignError(f"--uncertainty: {', '.join(dup)} given more than once")
    problem = {"num_vars": len(keys), "names": keys, "bounds": [[u.low, u.high] for u in uncertainties]}
    if any(u.group for u in uncertainties):
        problem["groups"] = [u.name for u in uncertainties]
    return problem


def factor_names(uncertainties: Sequence[Uncertainty]) -> list[str]:
    """The rows of the index table: groups and ungrouped keys, in order of first appearance."""
    return list(dict.fromkeys(u.name for u in uncertainties))


def check_samples(samples: int) -> int:
    """The base sample size ``N``: a power of 2 from 4 up (Sobol' sequences are balanced only then)."""
    n = int(samples)
    if n < 4 or n & (n - 1):
        raise DesignError(f"--samples must be a power of 2 from 4 up (8, 16, ..., 256), got {samples}")
    return n


def _streams(seed: int) -> tuple[np.random.Generator, int]:
    """The design's scrambling Generator and a non-zero bootstrap seed for SALib, both from ``seed``."""
    ss = np.random.SeedSequence(int(seed), spawn_key=(0, 0, 1021))
    design, boot = ss.spawn(2)
    return np.random.Generator(np.random.PCG64(design)), int(boot.generate_state(1)[0]) | 1


def sobol_design(uncertainties: Sequence[Uncertainty], samples: int, seed: int) -> np.ndarray:
    """Saltelli's design: ``samples * (G + 2)`` points (``G`` groups or parameters), one row per model run.

    Examples
    --------
    >>> sobol_design([Uncertainty("a", 0, 1), Uncertainty("b", 10, 20)], 4, seed=1).shape
    (16, 2)
    """
    from SALib.sample import sobol as saltelli

    problem = sobol_problem(uncertainties)
    rng, _ = _streams(seed)
    return saltelli.sample(problem, check_samples(samples), calc_second_order=False, scramble=True, seed=rng)


def sobol_indices(uncertainties: Sequence[Uncertainty], outputs: np.ndarray, metrics: Sequence[str], seed: int,
                  level: float = 0.95, resamples: int = 200) -> tuple[pd.DataFrame, dict[str, str]]:
    """First-order and total indices with bootstrap half-widths, per metric (SALib's estimators).

    Returns the :data:`SOBOL_COLUMNS` table (parameters in the given order, metric by metric) and, for
    metrics without indices, the reason (``{metric: reason}``).
    """
    from SALib.analyze import sobol as analyze

    problem = sobol_problem(uncertainties)
    names = factor_names(uncertainties)
    y = np.asarray(outputs, dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    _, boot_seed = _streams(seed)
    parts, skipped = [], {}
    for j, metric in enumerate(metrics):  # a loop over outcomes; SALib vectorizes over points
        col = y[:, j]
        res = {"S1": np.full(len(names), np.nan)}
        res.update(S1_conf=res["S1"], ST=res["S1"], ST_conf=res["S1"])
        if not np.isfinite(col).all():
            skipped[metric] = f"is undefined at {int((~np.isfinite(col)).sum())} of {len(col)} points"
        elif np.ptp(col) <= 1e-12 * max(1.0, float(np.abs(col).max())):
            skipped[metric] = "does not vary over the ranges"
        else:
            res = analyze.analyze(problem, col, calc_second_order=False, num_resamples=resamples,
                                  conf_level=level, seed=boot_seed)
        parts.append(pd.DataFrame({"parameter": names, "metric": metric,
                                   **{c: np.asarray(res[c], dtype=float) for c in SOBOL_COLUMNS[2:]}}))
    return pd.concat(parts, ignore_index=True)[SOBOL_COLUMNS], skipped


@dataclass(frozen=True)
class SobolResult:
    """The design, the model's outputs and the index table of one sensitivity analysis."""

    uncertainties: tuple[Uncertainty, ...]
    metrics: tuple[str, ...]
    design: np.ndarray
    outputs: np.ndarray
    table: pd.DataFrame
    skipped: dict[str, str]
    inactive: tuple[str, ...] = ()
    screening_runs: int = 0

    @property
    def runs(self) -> int:
        """Model evaluations in all: the screen's and the Sobol' design's."""
        return self.screening_runs + len(self.design)

    def top(self, metric: str, by: str = "ST") -> str:
        """The parameter with the largest index ``by`` for ``metric`` (what the outcome depends on most)."""
        sub = self.table[self.table["metric"] == metric].dropna(subset=[by])
        if sub.empty:
            raise KeyError(f"{metric!r} has no indices ({self.skipped.get(metric, 'not an outcome')})")
        return str(sub.loc[sub[by].idxmax(), "parameter"])


#: where the screen's base point sits in every range
GOLDEN = (3 - 5 ** 0.5) / 2


def _midpoints(uncertainties: Sequence[Uncertainty]) -> np.ndarray:
    return np.array([(u.low + u.high) / 2 for u in uncertainties])


def inactive_factors(uncertainties: Sequence[Uncertainty], model: Model, metrics: Sequence[str]) -> list[str]:
    """Groups (or parameters) that change no output at all between the two ends of their range.

    From a base point where every parameter sits at 0.382 of its range (the golden section: not the
    midpoint, where a response symmetric in the range, such as ``sin^2`` on ``[-pi, pi]``, would repeat its
    ends), each group is moved to its low and to its high end; it is *inactive* when the outputs at the
    three points are identical to the last bit (NaN equal to NaN).  For a simulator with common
    random numbers this happens exactly when the mechanism is switched off by the policy (indicator
    behaviours under a design without indicators, conformity without a forum), so the group can be left
    out of the Sobol' design: its indices are 0.  Costs two runs per group.

    Examples
    --------
    >>> inactive_factors([Uncertainty("a", 0, 1), Uncertainty("b", 0, 1)], lambda x: x[:, :1] ** 2, ["y"])
    ['b']
    """
    names = factor_names(uncertainties)
    low, high = np.array([u.low for u in uncertainties]), np.array([u.high for u in uncertainties])
    x = np.tile(low + GOLDEN * (high - low), (1 + 2 * len(names), 1))
    for g, name in enumerate(names):
        cols = [j for j, u in enumerate(uncertainties) if u.name == name]
        x[1 + 2 * g, cols] = low[cols]
        x[2 + 2 * g, cols] = high[cols]
    y = _outputs(model, x, metrics)
    return [name for g, name in enumerate(names)
            if np.array_equal(y[0], y[1 + 2 * g], equal_nan=True) and np.array_equal(y[0], y[2 + 2 * g],
                                                                                      equal_nan=True)]


def _outputs(model: Model, x: np.ndarray, metrics: Sequence[str]) -> np.ndarray:
    y = np.asarray(model(x), dtype=float)
    if y.ndim == 1:
        y = y[:, None]
    if y.shape != (len(x), len(metrics)):
        raise ValueError(f"the model returned shape {y.shape}, expected {(len(x), len(metrics))}")
    return y


def run_sobol(uncertainties: Sequence[Uncertainty], model: Model, metrics: Sequence[str], samples: int,
              seed: int = 1, level: float = 0.95, resamples: int = 200, screen: bool = False) -> SobolResult:
    """Sample the ranges, evaluate the model at every point, and estimate Sobol' indices per metric.

    Parameters
    ----------
    uncertainties : sequence of Uncertainty
        The parameters and their ranges.
    model : callable
        ``model(X) -> Y``: ``X`` has one row per point and one column per parameter (in order), ``Y`` one
        row per point and one column per metric.
    metrics : sequence of str
        Names of ``Y``'s columns.
    samples : int
        Base sample size ``N``, a power of 2; the model runs ``N (G + 2)`` times for ``G`` groups (or
        ungrouped parameters).
    seed : int
        Seeds the design's scrambling and the bootstrap; the same seed gives the same table.
    level : float
        Coverage of the bootstrap intervals.
    resamples : int
        Bootstrap resamples.
    screen : bool
        First find the :func:`inactive_factors` (``1 + 2 G`` runs) and leave them out of the design,
        at their midpoints; their indices are reported as exactly 0.

    Returns
    -------
    SobolResult

    Examples
    --------
    ``Y = 2 a + b``, ``a`` and ``b`` uniform on [0, 1]: ``a`` explains 4/5 of the variance.

    >>> res = run_sobol([Uncertainty("a", 0, 1), Uncertainty("b", 0, 1)],
    ...                 lambda x: (2 * x[:, 0] + x[:, 1])[:, None], ["y"], samples=256)
    >>> res.table.round(1)[["parameter", "S1", "ST"]].values.tolist()
    [['a', 0.8, 0.8], ['b', 0.2, 0.2]]
    """
    uncertainties = tuple(uncertainties)
    sobol_problem(uncertainties)  # refuse duplicates and an empty list before any run
    check_samples(samples)
    inactive = inactive_factors(uncertainties, model, metrics) if screen else []
    active = [j for j, u in enumerate(uncertainties) if u.name not in inactive]
    table = pd.DataFrame(columns=SOBOL_COLUMNS)
    x, y, skipped = np.empty((0, len(uncertainties))), np.empty((0, len(metrics))), {}
    if active:
        part = sobol_design([uncertainties[j] for j in active], samples, seed)
        x = np.tile(_midpoints(uncertainties), (len(part), 1))
        x[:, active] = part
        y = _outputs(model, x, metrics)
        table, skipped = sobol_indices([uncertainties[j] for j in active], y, metrics, seed, level, resamples)
    if inactive:
        zeros = pd.DataFrame({"parameter": np.tile(inactive, len(metrics)),
                              "metric": np.repeat(list(metrics), len(inactive)),
                              "S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0})
        table = pd.concat([table, zeros], ignore_index=True) if active else zeros
        table.loc[table["metric"].isin(list(skipped)), SOBOL_COLUMNS[2:]] = np.nan  # no indices at all there
    order = {name: i for i, name in enumerate(factor_names(uncertainties))}
    rank = table["metric"].map({m: i for i, m in enumerate(metrics)}) * len(order) + table["parameter"].map(order)
    table = table.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)
    return SobolResult(uncertainties, tuple(metrics), x, y, table[SOBOL_COLUMNS], skipped, tuple(inactive),
                       1 + 2 * len(order) if screen else 0)


__all__ = ["Model", "SOBOL_COLUMNS", "SobolResult", "Uncertainty", "check_samples", "factor_names",
           "inactive_factors", "run_sobol", "sobol_design", "sobol_indices", "sobol_problem"]
