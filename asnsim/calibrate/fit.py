"""The calibration: supervisor ratings in, pooled rater parameters (:class:`Calibration`) out.

Pools the per-component fit of :mod:`asnsim.calibrate.tables` (each component weighted by its number of ratings),
adds the group effects (:mod:`asnsim.calibrate.groups`), states what ratings cannot identify, and on request the
rater-cluster bootstrap's standard errors (:mod:`asnsim.calibrate.bootstrap`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError
from ..policy import Policy, load_policy
from .bootstrap import bootstrap_se
from .groups import group_effects
from .tables import component_of_items, fit_tables


@dataclass
class Calibration:
    """Fitted rater parameters on the latent scale (true-performance SD units)."""

    leniency_sd: float
    noise_sd: float
    leniency_mean: float
    scale_use_mean: float
    component_corr: float | None
    by_component: pd.DataFrame
    n_ratings: int
    n_raters: int
    n_ratees: int
    se: dict[str, float] = field(default_factory=dict)
    variance_components: pd.DataFrame | None = None
    notes: list[dict] = field(default_factory=list)   # {key, value, reason}: what is assumed, not fitted
    rho_pairs: list = field(default_factory=list)   # ((kind_a, kind_b), estimate) per component pair
    group_effects: dict[str, float] = field(default_factory=dict)   # ingroup_bias, self_inflation
    group_attribute: str = C.SEX

    def params(self) -> dict[str, float]:
        return {"leniency_sd": self.leniency_sd, "noise_sd": self.noise_sd,
                "leniency_mean": self.leniency_mean, "scale_use_mean": self.scale_use_mean}


#: fewest supervisors a calibration accepts: leniency_sd is a spread between raters
MIN_RATERS = 2


def calibrate(ratings: pd.DataFrame, policy: Policy | str = "permenpan-6-2022", source: str = "ratings",
              bootstrap: int = 0, rng: np.random.Generator | None = None,
              employees: pd.DataFrame | None = None, group: str = C.SEX) -> Calibration:
    """Fit leniency spread and mean, residual noise, scale use and the component correlation.

    Parameters
    ----------
    ratings : DataFrame
        Validated ratings (``ratee_id, rater_id, item, period, score``; ``rater_role``
        and ``component`` optional).  Only supervisor (``atasan``) ratings are used.
    policy : Policy or str
        The policy whose scales and items the ratings follow.
    source : str
        File name for messages.
    bootstrap : int
        Rater-cluster bootstrap replicates for standard errors (0: none).
    rng : numpy.random.Generator, optional
        For the bootstrap: required when ``bootstrap`` > 0 (the CLI passes
        ``stage_rng(seed, "bootstrap")``; there is no hidden default seed).

    Returns
    -------
    Calibration
        Pooled estimates (each component weighted by its number of ratings) and a
        per-component table; see the module docstring for the estimator.

    Raises
    ------
    DesignError
        No supervisor ratings, fewer than :data:`MIN_RATERS` supervisors (rater
        leniency is then not estimable), or a component whose design cannot
        separate raters from ratees.

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> sim = simulate("permenpan-6-2022", n=1500, seed=3, scenario="neutral")
    >>> cal = calibrate(sim.ratings)
    >>> round(cal.noise_sd, 1)      # the neutral scenario's rating noise is 0.5
    0.5

    With no true leniency (``neutral``) ``leniency_sd`` is still about 0.16 here: a spread
    estimated from small teams rated on a 3-level scale cannot fall to zero (a boundary bias).
    """
    if bootstrap and not isinstance(rng, np.random.Generator):
        raise TypeError("a calibration bootstrap needs an explicit numpy Generator (rng=...), "
                        "e.g. asnsim.rng.stage_rng(seed, 'bootstrap')")
    pol = load_policy(policy) if not isinstance(policy, Policy) else policy
    everyone, r = supervisor_ratings(ratings, pol, source)
    table, rho, extra = fit_tables(r, pol, source)
    cal = pooled_calibration(table, rho, extra, r)
    effects = group_effects(everyone, pol, cal, employees, group, source)
    if "ingroup_bias" in effects:  # the in-group shift was counted in the mean: take it out
        cal.leniency_mean -= effects["ingroup_bias"] * effects.pop("_share_same")
    cal.group_effects = effects
    cal.group_attribute = group
    if bootstrap:
        cal.se = bootstrap_se(r, pol, source, bootstrap, rng)
    return cal


def supervisor_ratings(ratings: pd.DataFrame, pol: Policy, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every rating with its component (and a single ``annual`` period if none is given), and the supervisor ratings.

    Raises
    ------
    DesignError
        No supervisor ratings, or fewer than :data:`MIN_RATERS` supervisors.
    """
    everyone = ratings.assign(_component=component_of_items(ratings, pol, source).to_numpy(),
                              **({C.PERIOD: "annual"} if C.PERIOD not in ratings.columns else {}))
    r = everyone
    if C.RATER_ROLE in r.columns:
        r = r[r[C.RATER_ROLE].astype(str) == C.ATASAN]
    if not len(r):
        raise DesignError(f"{source}: no supervisor (atasan) ratings to calibrate on")
    n_raters = int(r[C.RATER_ID].nunique())
    if n_raters < MIN_RATERS:
        raise DesignError(f"{source}: the supervisor ratings come from {n_raters} rater"
                          f"{'' if n_raters == 1 else 's'}: the spread of rater leniency (rater.leniency_sd) is not "
                          f"estimable from fewer than {MIN_RATERS} raters (its standard error needs many more), so no "
                          "scenario is written; calibrate on data with several supervisors")
    return everyone, r


def pooled_calibration(table: pd.DataFrame, rho: float | None, extra: dict, r: pd.DataFrame) -> Calibration:
    """The per-component fit pooled (each component weighted by its ratings; SDs pooled as root mean squares),
    with the notes on what ratings alone cannot identify."""
    w = table["n_ratings"].to_numpy(float)

    def pooled(col: str, squares: bool = False) -> float:
        v = table[col].to_numpy(float)
        return float(np.sqrt(np.average(v ** 2, weights=w))) if squares else float(np.average(v, weights=w))

    cal = Calibration(leniency_sd=pooled("leniency_sd", True), noise_sd=pooled("noise_sd", True),
                      leniency_mean=pooled("leniency_mean"), scale_use_mean=pooled("scale_use_mean"),
                      component_corr=rho, by_component=table, n_ratings=int(len(r)),
                      n_raters=int(r[C.RATER_ID].nunique()), n_ratees=int(r[C.RATEE_ID].nunique()),
                      rho_pairs=extra.get("rho_pairs", []))
    cal.notes += [
        {"key": "rater.favouritism", "value": 0.0,
         "reason": "not identifiable from ratings alone (it needs a closeness attribute): its average is in "
                   "leniency_mean and its spread in the ratee variance"},
        {"key": "rater.scale_use_sd", "value": 0.0,
         "reason": "differences in scale use between raters are not estimated; scale_use_mean is the average"},
        {"key": "rater.noise_sd", "value": round(cal.noise_sd, 4),
         "reason": "with one period, item deviations (population.item_sd) count as noise; a halo would lower "
                   "this estimate"},
    ]
    return cal


def linear_components(ratings: pd.DataFrame, source: str = "ratings") -> pd.DataFrame | None:
    """Observed-scale variance components per component (ratee, rater, residual) from the crossed
    mixed model (:func:`asnsim.correction.crossed.crossed`, lme4 parity), fixed effect ``item``."""
    try:
        from ..correction.crossed import crossed
    except ImportError:  # pragma: no cover - the correction package is optional at this stage
        return None
    parts = []
    comp = ratings["_component"] if "_component" in ratings.columns else pd.Series("all", index=ratings.index)
    for cname, idx in ratings.groupby(comp, sort=False).indices.items():
        sub = ratings.iloc[idx].reset_index(drop=True)
        fixed = [C.ITEM] if sub[C.ITEM].nunique() > 1 else []
        res = crossed(sub, fixed=fixed, source=source)
        vc = res.variance_components.assign(component_of=cname)
        parts.append(vc)
    return pd.concat(parts, ignore_index=True) if parts else None
