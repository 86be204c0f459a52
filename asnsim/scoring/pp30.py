"""PP 30/2019: SKP capaian capped at 120, weighted with perilaku, bands.

Nilai SKP is the mean capaian of the indicators (each aspect capped at the
component's ``capaian_cap``, 120; see :mod:`asnsim.scoring.capaian`).  The
final score is ``0.7 * SKP + 0.3 * perilaku``, or ``0.6 * SKP + 0.4 *
perilaku`` (``rating.weights_360``) for an employee whose perilaku ratings
include peers (rekan) or direct subordinates (bawahan): the partial 360.
Policies with more components (a city's competencies) use the component
weights as given.

Bands (``predikat.bands``): Sangat Baik from 110 *and* an innovation
(employees' ``innovation`` column), Baik from 90, Butuh Perbaikan (Cukup)
from 70, Kurang from 50 and Sangat Kurang below (the last two UNCERTAIN).
A score of 110-120 without an innovation is Baik.

References
----------
PP No. 30 Tahun 2019 tentang Penilaian Kinerja PNS; PermenPAN-RB No. 8 Tahun
2021 (SKP and perilaku under PP 30).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy
from . import banded_scores, component_value, indicator_table, item_table
from .capaian import indicator_capaian

PEER_ROLES = (C.REKAN, C.BAWAHAN)


def has_360(ratings: pd.DataFrame, component: str, ids: np.ndarray) -> np.ndarray:
    """True for employees whose ratings on ``component`` include a rekan or bawahan."""
    sub = ratings[(ratings[C.COMPONENT] == component) & ratings[C.RATER_ROLE].isin(PEER_ROLES)]
    return np.isin(ids, sub[C.RATEE_ID].unique())


def score_pp30(policy: Policy, ratings: pd.DataFrame, employees: pd.DataFrame,
               indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score under PP 30/2019 (see the module docstring)."""
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    out = pd.DataFrame({C.EMPLOYEE_ID: ids})
    values = {}
    for cname, comp in policy.components.items():
        if comp.measure == "indicators":
            ind = indicator_table(indicators, policy, cname)
            values[cname] = indicator_capaian(ind, comp.capaian_cap).mean(axis=1).reindex(ids).to_numpy()
        else:
            sc = item_table(ratings, policy, cname, ids)
            values[cname] = component_value(sc, policy, cname).to_numpy()
        out[f"score_{cname}"] = values[cname]
    weights = {c: np.full(len(ids), comp.weight) for c, comp in policy.components.items()}
    res, beh = policy.component_of_kind("results"), policy.component_of_kind("behaviour")
    w360 = policy.rating.weights_360
    if w360 is not None and res is not None and beh is not None and len(policy.components) == 2:
        peers = has_360(ratings, beh, ids)
        weights[res] = np.where(peers, w360[0], weights[res])
        weights[beh] = np.where(peers, w360[1], weights[beh])
    final = sum(weights[c] * values[c] for c in policy.components)
    return banded_scores(out, final, policy, employees)
