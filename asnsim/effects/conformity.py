"""Conformity: in an evaluation forum, other raters move toward the atasan's rating, ``kappa (y_atasan - y)``."""

from __future__ import annotations

import numpy as np

from .. import columns as C
from ..bounds import Share
from .registry import RaterEffect, RatingBlock, register_rater_effect


def term(b: RatingBlock, out: np.ndarray) -> np.ndarray | None:
    """``kappa (y_atasan - y)`` for rekan, bawahan and stakeholders of a forum policy, into ``out``."""
    kappa = b.round.params.conformity
    if (b.role in (C.ATASAN, C.SELF) or not b.round.policy.forum.enabled or not kappa > 0
            or b.y_atasan is None):
        return None
    return np.multiply(np.float32(kappa), b.y_atasan[b.pos] - b.x, out=out)


CONFORMITY = register_rater_effect(RaterEffect(
    "conformity", 120, term,
    params={"conformity": (Share, 0.0)},
    labels={"conformity": {"en": "Conformity to the superior", "id": "Ikut-ikutan penilaian atasan"}},
    formula="`kappa (y_atasan - y)`, only when `policy.forum.enabled` and the component is also rated by the "
            "atasan",
    roles="rekan, bawahan, stakeholder", source="seed 002 (Serang); size assumed",
    behaviour=("conformity", "conformity in the forum", "konformitas dalam forum")))
