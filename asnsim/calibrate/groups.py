"""Group effects the ratings allow: the in-group bias on an employees attribute and self-inflation.

Both are latent means of subsets of one component's ratings, read from where their category margins sit against the
policy's cutpoints (:func:`latent_mean`), put on the rater parameters' scale with the fitted scale factor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import Policy, Scale
from ..raters import scale_center
from .correlations import thresholds
from .tables import score_codes

if TYPE_CHECKING:
    from .fit import Calibration


def latent_mean(sub: pd.DataFrame, scale: Scale, S: float | None, source: str) -> tuple[float, float, int]:
    """Latent mean (and SD) of a subset of one component's ratings from its category margins.

    With ``S`` given, ``mu = mean_j(c_j - S z_j)`` per item; otherwise ``S`` is fitted from the same
    margins, ``(c_last - c_first) / (z_last - z_first)``.  Items are averaged weighting by ratings.
    Returns (mu, S, n)."""
    codes, K = score_codes(sub[C.SCORE].to_numpy(float), scale, source)
    items, _ = pd.factorize(sub[C.ITEM].astype(str))
    counts = np.zeros((int(items.max()) + 1, K))
    np.add.at(counts, (items, codes), 1)
    thr = thresholds(counts)
    cut = np.asarray(scale.cutpoints)
    if S is None:
        S = float((cut[-1] - cut[0]) / (thr[:, -1] - thr[:, 0]).mean())
    mu_i = (cut[None, :] - S * thr).mean(axis=1)
    return float(np.average(mu_i, weights=counts.sum(axis=1))), S, int(len(sub))


def group_effects(ratings: pd.DataFrame, policy: Policy, cal: "Calibration", employees: pd.DataFrame | None = None,
                  group: str = C.SEX, source: str = "ratings") -> dict[str, float]:
    """Group effects the data allow, on the latent scale (true-performance SD units).

    ``ingroup_bias`` (needs ``employees`` with the ``group`` column for raters and ratees): the latent mean of
    supervisor ratings in every (rater group, ratee group) cell, fitted by weighted least squares as
    ``alpha_rater_group + beta_ratee_group + g [same group]`` so that true group differences and group
    differences in leniency cancel; ``ingroup_bias = g / k``.  ``self_inflation`` (needs ``self`` ratings of
    the ratees also rated by a supervisor): ``c0 + (mu_self - c0) / k`` with ``mu_self`` the latent mean of
    self ratings (their own SD), as :mod:`asnsim.raters` adds ``s`` to a self rating with no leniency.
    Only ordinal components enter; effects the data cannot show are left out of the result.
    """
    out: dict[str, float] = {}
    k = float(np.exp(cal.scale_use_mean))
    comps = [n for n, c in policy.components.items() if c.measure == "rating" and c.scale.kind == "ordinal"]
    role = ratings[C.RATER_ROLE].astype(str) if C.RATER_ROLE in ratings.columns else pd.Series(C.ATASAN,
                                                                                              index=ratings.index)
    S_of = dict(zip(cal.by_component["component"], cal.by_component["latent_sd"]))
    if employees is not None and group in employees.columns:
        attr = employees.set_index(employees[C.EMPLOYEE_ID].astype(str))[group].astype("string")
        sup = ratings[role == C.ATASAN]
        ga = sup[C.RATER_ID].astype(str).map(attr)
        gb = sup[C.RATEE_ID].astype(str).map(attr)
        ok = ga.notna() & gb.notna()
        rows = []
        for cname in comps:
            sel = ok & (sup["_component"] == cname)
            for (a, b), cell in sup[sel].groupby([ga[sel], gb[sel]], sort=True):
                if len(cell) >= 20:
                    mu, _, n = latent_mean(cell, policy.components[cname].scale, S_of[cname], source)
                    rows.append((cname, a, b, mu, n))
        cells = pd.DataFrame(rows, columns=["component", "a", "b", "mu", "n"])
        if len(cells) and (cells["a"] == cells["b"]).any() and (cells["a"] != cells["b"]).any():
            X = pd.get_dummies(cells["component"] + "|r:" + cells["a"]).astype(float)
            X = pd.concat([X, pd.get_dummies("e:" + cells["b"], drop_first=True).astype(float)], axis=1)
            X["same"] = (cells["a"] == cells["b"]).astype(float)
            w = np.sqrt(cells["n"].to_numpy(float))
            coef, *_ = np.linalg.lstsq(X.to_numpy() * w[:, None], cells["mu"].to_numpy() * w, rcond=None)
            if np.linalg.matrix_rank(X.to_numpy()) == X.shape[1]:
                out["ingroup_bias"] = float(coef[-1] / k)
                out["_share_same"] = float((ga[ok] == gb[ok]).mean())
    if (role == C.SELF).any():
        ests, ns = [], []
        for cname in comps:
            own = ratings[(role == C.SELF) & (ratings["_component"] == cname)]
            if len(own) >= 20:
                c0 = scale_center(policy.components[cname])
                mu_self, _, n = latent_mean(own, policy.components[cname].scale, None, source)
                ests.append(c0 + (mu_self - c0) / k)
                ns.append(n)
        if ests:
            out["self_inflation"] = float(np.average(ests, weights=ns))
    return out
