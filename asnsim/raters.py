"""Rater panels and simulated ratings.

Each rater forms a latent impression of a ratee on an item: the ratee's true
component score plus the rater's planted effects plus noise; the policy's
scale then quantizes it.  Dispositions (leniency, ...) are drawn once per
rater from the ``dispositions`` stream, independent of the policy, so every
policy in a comparison meets the same raters (common random numbers).

The ratings table carries truth columns for simulated data: ``true_score``
(the latent impression without any effect or noise) and ``fx_<effect>``
(each planted effect's contribution on the latent scale).  At magnitude zero
an effect contributes exactly 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import columns as C
from .errors import PolicyError
from .policy import Policy
from .scenario import RaterParams

TRUE_OF_KIND = {
    "results": C.TRUE_RESULTS,
    "behaviour": C.TRUE_BEHAVIOUR,
    "competency_technical": C.TRUE_TECHNICAL,
    "competency_nontechnical": C.TRUE_NONTECHNICAL,
}
EFFECTS = ("leniency", "favouritism", "noise")


def draw_dispositions(employees: pd.DataFrame, params: RaterParams, rng: np.random.Generator) -> pd.DataFrame:
    """Draw each potential rater's dispositions once (index: rater id 0..n, 0 = kepala daerah)."""
    n_raters = int(employees[C.EMPLOYEE_ID].max()) + 1
    leniency = params.leniency_mean + params.leniency_sd * rng.standard_normal(n_raters)
    return pd.DataFrame({"leniency": leniency}, index=pd.RangeIndex(n_raters, name=C.RATER_ID))


def panel(employees: pd.DataFrame, role: str, policy_label: str = "policy") -> tuple[np.ndarray, np.ndarray]:
    """Return (ratee_ids, rater_ids) for one rater role."""
    ratee = employees[C.EMPLOYEE_ID].to_numpy()
    if role == C.ATASAN:
        return ratee, employees[C.SUPERVISOR_ID].to_numpy()
    if role == C.SELF:
        return ratee, ratee
    raise PolicyError(policy_label, "components.*.raters", f"rater role {role!r} is not simulated yet")


def simulate_ratings(employees: pd.DataFrame, policy: Policy, dispositions: pd.DataFrame,
                     params: RaterParams, rng: np.random.Generator, period: str = "annual") -> pd.DataFrame:
    """Simulate every rating the policy asks for, as a long table.

    Returns
    -------
    DataFrame
        ``ratee_id, rater_id, rater_role, item, period, score, component,
        true_score, fx_leniency, fx_favouritism, fx_noise``.
    """
    emp = employees.set_index(C.EMPLOYEE_ID)
    parts = []
    for cname, comp in policy.components.items():
        truth_col = TRUE_OF_KIND[comp.kind]
        for role in comp.raters:
            ratee, rater = panel(employees, role, policy.name)
            n_items = len(comp.items)
            ratee_r = np.repeat(ratee, n_items)
            rater_r = np.repeat(rater, n_items)
            items = np.tile(np.arange(n_items), len(ratee))
            true = emp[truth_col].to_numpy()[np.repeat(np.arange(len(ratee)), n_items)]
            close = emp[C.CLOSENESS].to_numpy()[np.repeat(np.arange(len(ratee)), n_items)]
            fx_len = dispositions["leniency"].to_numpy()[rater_r]
            fx_fav = params.favouritism * close if role == C.ATASAN else np.zeros(len(ratee_r))
            fx_noise = params.noise_sd * rng.standard_normal(len(ratee_r))
            latent = true + fx_len + fx_fav + fx_noise
            parts.append(pd.DataFrame({
                C.RATEE_ID: ratee_r,
                C.RATER_ID: rater_r,
                C.RATER_ROLE: role,
                C.ITEM: pd.Categorical.from_codes(items, categories=list(comp.items)),
                C.PERIOD: period,
                C.SCORE: comp.scale.quantize(latent),
                C.COMPONENT: cname,
                C.TRUE_SCORE: true,
                "fx_leniency": fx_len,
                "fx_favouritism": fx_fav,
                "fx_noise": fx_noise,
            }))
    out = pd.concat(parts, ignore_index=True)
    for col in (C.RATER_ROLE, C.ITEM, C.PERIOD, C.COMPONENT):
        out[col] = out[col].astype("category")
    return out
