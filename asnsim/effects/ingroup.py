"""In-group bias: a bonus when rater and ratee share the scenario's group attribute, ``g [A_r = A_i]``."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from ..bounds import Latent
from .registry import RaterEffect, RatingBlock, RatingRound, register_rater_effect

Attribute = Literal["sex", "age_band", "tenure_band", "status", "position_class"]


def draw(params, z: np.ndarray) -> np.ndarray:
    """``ingroup_bias`` for every rater (its normal row is drawn but unused: the same for every rater)."""
    return np.full(z.shape, params.ingroup_bias, np.float32)


def group_of_raters(employees: pd.DataFrame, params, n_raters: int) -> dict[str, np.ndarray]:
    """``group``: each rater's code of ``ingroup_attribute`` (-1: the kepala daerah and stakeholders)."""
    group = np.full(n_raters, -1, np.int32)
    group[employees[C.EMPLOYEE_ID].to_numpy()] = pd.Categorical(employees[params.ingroup_attribute]).codes
    return {"group": group}


def prepare(r: RatingRound) -> np.ndarray:
    """The ratees' group codes by position."""
    return r.disp["group"][r.ids]


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``ingroup_bias [A_r = A_i]`` for every role but self and stakeholder (P, 1)."""
    if b.role in (C.SELF, C.STAKEHOLDER) or b.round.params.ingroup_bias == 0:
        return None
    group = b.round.disp["group"]
    same = (group[b.rater] == b.round.prepared["ingroup"][b.pos]) & (group[b.rater] >= 0)
    return (b.round.disp["ingroup"][b.rater] * same)[:, None]


INGROUP = register_rater_effect(RaterEffect(
    "ingroup", 40, term,
    params={"ingroup_bias": (Latent, 0.0), "ingroup_attribute": (Attribute, "sex")},
    labels={"ingroup_bias": {"en": "In-group bias", "id": "Bias kelompok sendiri"},
            "ingroup_attribute": {"en": "In-group attribute", "id": "Atribut kelompok"}},
    disposition="ingroup", draw=draw, rater_attributes=group_of_raters, prepare=prepare,
    formula="`ingroup_bias [A_r = A_i]` on `ingroup_attribute` (sex, age_band, tenure_band, status, "
            "position_class)",
    roles="all but self, stakeholder", source="assumption", settings=("ingroup_attribute",),
    behaviour=("ingroup", "in-group bias", "bias kelompok sendiri")))
