"""Calibrating a behaviour scenario's rater parameters on observed ratings.

The simulation's supervisor rating (:mod:`asnsim.raters`, effects that
ratings alone can identify) is, for ratee ``e``, rater ``r``, item ``i`` of
component ``c``::

    y*_eri = c0 + k (t_ec + l_r - c0) + n_eri,
    t_ec ~ N(0, 1),  l_r ~ N(m, s_l^2),  n_eri ~ N(0, s_n^2),  k = exp(scale_use_mean)

quantized by the policy's scale (ordinal cutpoints, or ``center + spread *
y*`` for a numeric scale); ``c0`` is the middle of the scale
(:func:`asnsim.raters.scale_center`) and ``k`` the scale factor (below 1:
central tendency).  The true components of one ratee correlate with ``rho``.
Let ``S`` be the latent SD of ``y*`` and ``Q = S / k``.  Pairs of ratings have
latent correlations:

* A, same ratee and rater, two items of one component: ``r_A = (1 + s_l^2) / Q^2``;
* B, two ratees of one rater (any two items): ``r_B = s_l^2 / Q^2`` (each rater weighted
  equally, whatever its number of ratees);
* X, same ratee and rater, items of two components: ``(rho + s_l^2) / (Q_c Q_d)``.

So ``Q = 1 / sqrt(r_A - r_B)``, ``s_l = sqrt(r_B) Q`` and ``s_n = sqrt(1 - r_A) S``.
On an ordinal scale the correlations are polychoric (two-step estimator of
Olsson 1979: thresholds from each item's margins, then the correlation that
maximizes the bivariate-normal likelihood of the pooled contingency tables;
the bivariate normal CDF is written with Owen's T function, Owen 1956), and
``S`` and the latent mean ``mu`` come from where the category margins sit
against the policy's cutpoints: ``S = (c_last - c_first) / mean_i(z_last - z_first)``
and ``mu = mean(c_j - S z_j)``, ``z_j`` the normal quantile of the share at
or below category ``j`` (at least three categories; with two, ``k = 1``).  On a
numeric scale the correlations are Pearson's and ``S``, ``mu`` the SD and mean of
``(score - center) / spread``.  Then ``k = S / Q`` and ``m = c0 + (mu - c0) / k``.

Group effects where the data allow (:func:`group_effects`): the in-group bias on an employees
attribute (with an employees file) and self-inflation (with self ratings).

Stated, not guessed: favouritism needs a closeness attribute (its average
lands in ``m`` and its spread in the ratee variance); item deviations
(``population.item_sd``) and period effects are counted as noise with one
period; a halo that makes items of one ratee agree beyond their true
correlation lowers the noise estimate; the spread of scale use between raters
(``scale_use_sd``) is not estimated (0).

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika 44:443-460.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities.
Annals of Mathematical Statistics 27:1075-1090.
Searle, Casella & McCulloch (1992). Variance Components. Wiley (the linear
decomposition reported alongside, via :func:`asnsim.correction.crossed.crossed`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, special

from . import columns as C
from .errors import DesignError, InputError
from .policy import Policy, Scale, load_policy
from .policyfiles import dump_toml
from .raters import scale_center
from .scenario import RaterParams, load_scenario

BOUND = 8.0  # +-infinity for thresholds, in SD units (Phi(8) = 1 - 6e-16)


# ---------------------------------------------------------------- bivariate normal and polychoric

def bvn_cdf(h: np.ndarray, k: np.ndarray, rho: float) -> np.ndarray:
    """Bivariate standard normal CDF ``P(X <= h, Y <= k)`` with correlation ``rho``, vectorized.

    Uses Owen's T: ``Phi2 = (Phi(h) + Phi(k))/2 - T(h, a_h) - T(k, a_k) - beta`` with
    ``a_h = (k - rho h) / (h sqrt(1 - rho^2))``, ``a_k = (h - rho k)/(k sqrt(1 - rho^2))`` and
    ``beta = 1/2`` when ``h k < 0`` (or one is 0 and ``h + k < 0``), else 0 (Owen 1956).

    Examples
    --------
    >>> round(float(bvn_cdf(np.array(0.0), np.array(0.0), 0.5)), 6)  # 1/4 + asin(0.5)/(2 pi)
    0.333333
    """
    h = np.asarray(h, dtype=float)
    k = np.asarray(k, dtype=float)
    tiny = 1e-10
    h = np.where(h == 0, tiny, h)
    k = np.where(k == 0, tiny, k)
    r = np.sqrt(1.0 - rho * rho)
    a_h = (k - rho * h) / (h * r)
    a_k = (h - rho * k) / (k * r)
    beta = np.where(h * k < 0, 0.5, 0.0)
    out = 0.5 * (special.ndtr(h) + special.ndtr(k)) - special.owens_t(h, a_h) - special.owens_t(k, a_k) - beta
    return np.clip(out, 0.0, 1.0)


def thresholds(counts: np.ndarray) -> np.ndarray:
    """Normal thresholds from category counts (last axis): ``Phi^-1`` of the cumulative shares, clipped to +-8."""
    counts = np.asarray(counts, dtype=float)
    cum = np.cumsum(counts, axis=-1)[..., :-1] / counts.sum(axis=-1, keepdims=True)
    return np.clip(special.ndtri(cum), -BOUND, BOUND)


def _cell_probs(a: np.ndarray, b: np.ndarray, rho: float) -> np.ndarray:
    """Cell probabilities (m, K, K) of tables with row thresholds a (m, K-1) and column thresholds b."""
    m = a.shape[0]
    ea = np.concatenate([np.full((m, 1), -BOUND), a, np.full((m, 1), BOUND)], axis=1)
    eb = np.concatenate([np.full((m, 1), -BOUND), b, np.full((m, 1), BOUND)], axis=1)
    F = bvn_cdf(ea[:, :, None], eb[:, None, :], rho)
    p = F[:, 1:, 1:] - F[:, :-1, 1:] - F[:, 1:, :-1] + F[:, :-1, :-1]
    return np.maximum(p, 1e-300)


def polychoric(tables: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Polychoric correlation common to stacked contingency tables, thresholds given (two-step ML).

    Parameters
    ----------
    tables : ndarray (m, K, K)
        Counts; rows are the first rating's category, columns the second's.
    a, b : ndarray (m, K-1)
        Row and column thresholds of each table.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> z = rng.multivariate_normal([0, 0], [[1, .6], [.6, 1]], size=20000)
    >>> x, y = np.digitize(z[:, 0], [-1, .5]), np.digitize(z[:, 1], [-.3, 1])
    >>> t = np.zeros((1, 3, 3)); np.add.at(t[0], (x, y), 1)
    >>> r = polychoric(t, thresholds(t.sum(2)), thresholds(t.sum(1)))
    >>> abs(r - 0.6) < 0.03
    True
    """
    tables = np.asarray(tables, dtype=float)
    if tables.sum() == 0:
        return float("nan")

    def nll(rho: float) -> float:
        return -float((tables * np.log(_cell_probs(a, b, rho))).sum())

    res = optimize.minimize_scalar(nll, bounds=(-0.995, 0.995), method="bounded", options={"xatol": 1e-6})
    return float(res.x)


def pearson_from_tables(tables: np.ndarray, values: np.ndarray) -> float:
    """Pearson correlation of the pooled pairs in stacked contingency tables with category values."""
    t = np.asarray(tables, dtype=float).sum(axis=0)
    n = t.sum()
    if n == 0:
        return float("nan")
    px, py = t.sum(1) / n, t.sum(0) / n
    mx, my = px @ values, py @ values
    vx, vy = px @ (values - mx) ** 2, py @ (values - my) ** 2
    cov = (values - mx) @ (t / n) @ (values - my)
    return float(cov / np.sqrt(vx * vy)) if vx > 0 and vy > 0 else float("nan")


# ---------------------------------------------------------------- pair tables

def _pair_tables_within(wide: np.ndarray, cols_a: list[int], cols_b: list[int], K: int, same: bool,
                        weight: np.ndarray | None = None) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tables of (col i, col j) category pairs within rows of ``wide`` (unit x item codes, -1 missing),
    each row counted with ``weight`` (default 1)."""
    pairs = [(i, j) for i in cols_a for j in cols_b if (not same or i < j)]
    out = np.zeros((len(pairs), K, K))
    for p, (i, j) in enumerate(pairs):  # loop over item pairs, vectorized over units
        ok = (wide[:, i] >= 0) & (wide[:, j] >= 0)
        out[p] = np.bincount(wide[ok, i] * K + wide[ok, j], minlength=K * K,
                             weights=None if weight is None else weight[ok]).reshape(K, K)
    return out, pairs


def _pair_tables_between(wide: np.ndarray, unit_group: np.ndarray, K: int) -> tuple[np.ndarray, np.ndarray]:
    """Tables of ordered pairs of ratings of *different* ratees of one rater, for every item pair.

    Each rater counts equally, whatever the number of ratees ``m_g`` (the scenario's
    ``leniency_sd`` is the spread over raters): a group's pairs get the weight
    ``1 / (m_g (m_g - 1))``, rescaled so the weights keep the total number of pairs.
    With ``N_gi`` the weighted (group x category) counts of item ``i``, ``sum_g w_g N_gi' N_gj`` counts
    all pairs in a group; pairs of one ratee are taken out (the diagonal for ``i = j``, the weighted
    within-ratee table for ``i != j``).  Returns (tables (P, K, K), item pairs (P, 2)).
    """
    n_units, n_items = wide.shape
    n_groups = int(unit_group.max()) + 1 if n_units else 0
    rated = (wide >= 0).any(axis=1)
    m = np.bincount(unit_group[rated], minlength=n_groups).astype(float)
    pairs_g = m * (m - 1)
    w = np.divide(1.0, pairs_g, out=np.zeros_like(pairs_g), where=pairs_g > 0)
    w *= pairs_g.sum() / max((w * pairs_g).sum(), 1e-300)
    N = np.zeros((n_items, n_groups, K))
    for i in range(n_items):
        ok = wide[:, i] >= 0
        np.add.at(N[i], (unit_group[ok], wide[ok, i]), 1.0)
    within, pairs_w = _pair_tables_within(wide, list(range(n_items)), list(range(n_items)), K, same=True,
                                          weight=w[unit_group])
    idx = {p: t for t, p in enumerate(pairs_w)}
    tables, pairs = [], []
    for i in range(n_items):  # loops over item pairs, vectorized over groups
        for j in range(i, n_items):
            t = (N[i] * w[:, None]).T @ N[j]
            t = t - np.diag((N[i] * w[:, None]).sum(axis=0)) if i == j else t - within[idx[(i, j)]]
            tables.append(t)
            pairs.append((i, j))
    return np.array(tables), np.array(pairs, dtype=int).reshape(-1, 2)


# ---------------------------------------------------------------- the fit

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


def _component_of_items(ratings: pd.DataFrame, policy: Policy, source: str) -> pd.Series:
    """Each rating's component: the ``component`` column, else the policy component listing its item."""
    def by_level(col: pd.Series, mapping=None) -> pd.Series:  # map the few distinct values, not every row
        codes, levels = pd.factorize(col)
        mapped = pd.Series(levels.astype(str), dtype=object)
        if mapping is not None:
            mapped = mapped.map(mapping)
        return pd.Series(mapped.to_numpy()[codes], index=col.index).where(codes >= 0)

    if C.COMPONENT in ratings.columns and ratings[C.COMPONENT].notna().all():
        comp = by_level(ratings[C.COMPONENT])
    else:
        item_to_comp = {it: name for name, c in policy.components.items() if c.measure == "rating" for it in c.items}
        comp = by_level(ratings[C.ITEM], item_to_comp)
        if comp.isna().all():
            first = next(n for n, c in policy.components.items() if c.measure == "rating")
            comp = pd.Series(first, index=ratings.index)
        elif comp.isna().any():
            bad = ratings.loc[comp.isna(), C.ITEM].astype(str).iloc[0]
            raise InputError(source, f"item '{bad}' is in no rating component of policy {policy.name}; give a "
                                     "component column or use the policy's item names", column=C.ITEM)
    unknown = sorted(set(comp) - set(policy.components))
    if unknown:
        raise InputError(source, f"component '{unknown[0]}' is not in policy {policy.name} "
                                 f"(components: {', '.join(policy.components)})", column=C.COMPONENT)
    return comp


def _codes(scores: np.ndarray, scale: Scale, source: str) -> tuple[np.ndarray, int]:
    K = int(round((scale.max - scale.min) / scale.step)) + 1
    codes = np.rint((scores - scale.min) / scale.step).astype(np.int64)
    off = (codes < 0) | (codes >= K) | ~np.isclose(scale.min + codes * scale.step, scores)
    if off.any():
        raise InputError(source, f"score {scores[off][0]:g} is not a level of the policy's scale "
                                 f"({scale.min:g} to {scale.max:g} by {scale.step:g})", column=C.SCORE)
    return codes, K


def _fit_tables(ratings: pd.DataFrame, policy: Policy, source: str) -> tuple[pd.DataFrame, float | None, dict]:
    """Per-component correlations r_A, r_B and latent parameters; the cross-component correlation."""
    r = ratings
    unit_keys = [pd.factorize(r[c])[0] for c in (C.RATEE_ID, C.RATER_ID, C.PERIOD)]
    n_rater, n_period = int(unit_keys[1].max()) + 1 if len(r) else 1, int(unit_keys[2].max()) + 1 if len(r) else 1
    group = pd.factorize(unit_keys[1].astype(np.int64) * n_period + unit_keys[2])[0]
    unit = pd.factorize(unit_keys[0].astype(np.int64) * (n_rater * n_period) + unit_keys[1] * n_period
                        + unit_keys[2])[0] if len(r) else np.zeros(0, int)
    unit_group = np.zeros(int(unit.max()) + 1 if len(unit) else 0, dtype=np.int64)
    unit_group[unit] = group            # each (ratee, rater, period) unit's (rater, period) group
    rows, latent_sd = [], {}
    wide_all, item_cols, comp_codes = {}, {}, {}
    for cname, sub_idx in r.groupby("_component", sort=False).indices.items():
        scale = policy.components[cname].scale
        sub = r.iloc[sub_idx]
        codes, K = _codes(sub[C.SCORE].to_numpy(float), scale, source)
        item_codes, items = pd.factorize(sub[C.ITEM].astype(str), sort=True)
        n_items = len(items)
        counts = np.zeros((n_items, K))
        np.add.at(counts, (item_codes, codes), 1)
        thr = thresholds(counts)  # (items, K-1)
        u = unit[sub_idx]
        wide = np.full((unit.max() + 1, n_items), -1, dtype=np.int64)
        wide[u, item_codes] = codes
        tab_a, pairs_a = _pair_tables_within(wide, list(range(n_items)), list(range(n_items)), K, same=True)
        tab_b, pairs_b = _pair_tables_between(wide, unit_group, K)
        ordinal = scale.kind == "ordinal"
        values = scale.min + scale.step * np.arange(K)
        if ordinal:
            ia, ja = (np.array([p[0] for p in pairs_a], dtype=int), np.array([p[1] for p in pairs_a], dtype=int))
            r_a = polychoric(tab_a, thr[ia], thr[ja]) if len(pairs_a) else float("nan")
            r_b = polychoric(tab_b, thr[pairs_b[:, 0]], thr[pairs_b[:, 1]])
        else:
            r_a, r_b = pearson_from_tables(tab_a, values), pearson_from_tables(tab_b, values)
        if not np.isfinite(r_a):
            raise DesignError(f"{source}: component {cname}: no ratee has two items from one rater, so true "
                              "performance cannot be told from rating noise")
        if not np.isfinite(r_b) or tab_b.sum() == 0:
            raise DesignError(f"{source}: component {cname}: no rater rates two ratees, so rater leniency "
                              "cannot be told from true performance")
        if r_a - r_b <= 0.01:
            raise DesignError(f"{source}: component {cname}: ratings of one ratee agree no more than ratings of "
                              f"different ratees (r_A = {r_a:.3f}, r_B = {r_b:.3f}); no true-performance signal")
        Q = 1.0 / np.sqrt(r_a - r_b)           # latent SD over the scale factor: S / k
        lsd = np.sqrt(max(r_b, 0.0)) * Q
        center = scale_center(policy.components[cname])
        if ordinal:
            cut = np.asarray(scale.cutpoints)
            if K > 2:
                S = float((cut[-1] - cut[0]) / (thr[:, -1] - thr[:, 0]).mean())
            else:
                S = Q
            mu_y = float(np.mean(cut[None, :] - S * thr))
        else:
            y = (sub[C.SCORE].to_numpy(float) - scale.center) / scale.spread
            S, mu_y = float(y.std()), float(y.mean())
        k = S / Q
        nsd = np.sqrt(max(1.0 - r_a, 0.0)) * S
        mu = center + (mu_y - center) / k
        scale_use = float(np.log(k))
        latent_sd[cname] = Q
        rows.append({"component": cname, "n_ratings": len(sub), "items": n_items, "r_same_ratee": r_a,
                     "r_same_rater": r_b, "latent_sd": S, "scale_factor": k, "leniency_sd": lsd,
                     "noise_sd": nsd, "leniency_mean": mu, "scale_use_mean": scale_use})
        wide_all[cname], item_cols[cname], comp_codes[cname] = wide, n_items, (K, thr, ordinal, values)
    table = pd.DataFrame(rows)
    rho = None
    extra: dict = {}
    pair_kinds: list[tuple[str, str]] = []
    names = list(wide_all)
    if len(names) >= 2:
        est = []
        for a_i in range(len(names)):
            for b_i in range(a_i + 1, len(names)):
                ca, cb = names[a_i], names[b_i]
                Ka, thr_a, ord_a, val_a = comp_codes[ca]
                Kb, thr_b, ord_b, val_b = comp_codes[cb]
                if Ka != Kb or not (ord_a and ord_b):
                    continue
                joined = np.concatenate([wide_all[ca], wide_all[cb]], axis=1)
                na = item_cols[ca]
                tab, pairs = _pair_tables_within(joined, list(range(na)), list(range(na, na + item_cols[cb])),
                                                 Ka, same=False)
                ia = np.array([p[0] for p in pairs])
                jb = np.array([p[1] - na for p in pairs])
                r_x = polychoric(tab, thr_a[ia], thr_b[jb])
                lsd2 = float(np.average(table["leniency_sd"] ** 2, weights=table["n_ratings"]))
                est.append(r_x * latent_sd[ca] * latent_sd[cb] - lsd2)
                pair_kinds.append((policy.components[ca].kind, policy.components[cb].kind))
        if est:
            rho = float(np.clip(np.mean(est), -0.3, 1.0))
            extra["rho_pairs"] = list(zip(pair_kinds, est))
    return table, rho, extra


def _latent_mean(sub: pd.DataFrame, scale: Scale, S: float | None, source: str) -> tuple[float, float, int]:
    """Latent mean (and SD) of a subset of one component's ratings from its category margins.

    With ``S`` given, ``mu = mean_j(c_j - S z_j)`` per item; otherwise ``S`` is fitted from the same
    margins, ``(c_last - c_first) / (z_last - z_first)``.  Items are averaged weighting by ratings.
    Returns (mu, S, n)."""
    codes, K = _codes(sub[C.SCORE].to_numpy(float), scale, source)
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
                    mu, _, n = _latent_mean(cell, policy.components[cname].scale, S_of[cname], source)
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
                mu_self, _, n = _latent_mean(own, policy.components[cname].scale, None, source)
                ests.append(c0 + (mu_self - c0) / k)
                ns.append(n)
        if ests:
            out["self_inflation"] = float(np.average(ests, weights=ns))
    return out


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
    everyone = ratings.assign(_component=_component_of_items(ratings, pol, source).to_numpy(),
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
    table, rho, extra = _fit_tables(r, pol, source)
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
    effects = group_effects(everyone, pol, cal, employees, group, source)
    if "ingroup_bias" in effects:  # the in-group shift was counted in the mean: take it out
        cal.leniency_mean -= effects["ingroup_bias"] * effects.pop("_share_same")
    cal.group_effects = effects
    cal.group_attribute = group
    if bootstrap:
        cal.se = _bootstrap(r, pol, source, bootstrap, rng)
    return cal


def _bootstrap(r: pd.DataFrame, pol: Policy, source: str, reps: int, rng: np.random.Generator) -> dict[str, float]:
    """Rater-cluster bootstrap SEs: raters resampled with replacement, each copy a new rater."""
    codes, uniq = pd.factorize(r[C.RATER_ID])
    ratee_codes, ratee_uniq = pd.factorize(r[C.RATEE_ID])
    base = r.drop(columns=[C.RATER_ID, C.RATEE_ID])
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(uniq)))
    sizes = np.bincount(codes, minlength=len(uniq))
    draws = []
    for b in range(reps):  # loop over replicates; each is vectorized
        pick = rng.integers(0, len(uniq), size=len(uniq))
        idx = np.concatenate([order[starts[p]:starts[p] + sizes[p]] for p in pick]) if len(pick) else order
        copy = np.repeat(np.arange(len(pick)), sizes[pick])
        rb = base.iloc[idx].assign(**{C.RATER_ID: copy,  # integer ids: each copy of a rater is a new rater
                                      C.RATEE_ID: ratee_codes[idx].astype(np.int64) + len(ratee_uniq) * copy})
        try:
            t, _, _ = _fit_tables(rb, pol, source)
        except DesignError:
            continue
        w = t["n_ratings"].to_numpy(float)
        draws.append({"leniency_sd": np.sqrt(np.average(t["leniency_sd"] ** 2, weights=w)),
                      "noise_sd": np.sqrt(np.average(t["noise_sd"] ** 2, weights=w)),
                      "leniency_mean": np.average(t["leniency_mean"], weights=w),
                      "scale_use_mean": np.average(t["scale_use_mean"], weights=w)})
    if len(draws) < 2:
        return {}
    return {k: float(v) for k, v in pd.DataFrame(draws).std(ddof=1).items()}


def linear_components(ratings: pd.DataFrame, source: str = "ratings") -> pd.DataFrame | None:
    """Observed-scale variance components per component (ratee, rater, residual) from the crossed
    mixed model (:func:`asnsim.correction.crossed.crossed`, lme4 parity), fixed effect ``item``."""
    try:
        from .correction.crossed import crossed
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


# ---------------------------------------------------------------- writing a scenario

KIND_INDEX = {"results": 0, "behaviour": 1, "competency_technical": 2, "competency_nontechnical": 3}


def _corr_value(cal: Calibration, base: str):
    """The base scenario's component correlations with the estimated pairs replaced (if still positive
    definite); a single number when the base holds one."""
    from .scenario import correlation_matrix

    base_corr = load_scenario(base).population.component_corr
    if isinstance(base_corr, (int, float)) or not cal.rho_pairs:
        return None if not cal.rho_pairs else round(float(cal.component_corr), 4)
    m = np.array(correlation_matrix(base_corr), dtype=float)
    for (ka, kb), est in cal.rho_pairs:
        i, j = KIND_INDEX[ka], KIND_INDEX[kb]
        if i != j:
            m[i, j] = m[j, i] = float(np.clip(est, -0.3, 0.99))
    if np.linalg.eigvalsh(m).min() <= 1e-6:
        return None
    return [[round(float(x), 4) for x in row] for row in m]


def scenario_toml(cal: Calibration, name: str, source: str, base: str = "neutral") -> str:
    """A scenario file (``extends = base``) holding the calibrated rater parameters, with provenance.

    Written: ``rater.leniency_sd, noise_sd, leniency_mean, scale_use_mean`` (and
    ``favouritism = 0``, with the reason), and ``population.component_corr`` with
    the estimated component pairs replaced in the base's matrix.
    """
    fields = RaterParams.model_fields
    rater = {"leniency_sd": round(cal.leniency_sd, 4), "noise_sd": round(cal.noise_sd, 4),
             "leniency_mean": round(cal.leniency_mean, 4), "scale_use_mean": round(cal.scale_use_mean, 4),
             "favouritism": 0.0, "scale_use_sd": 0.0}
    rater.update({k: round(v, 4) for k, v in cal.group_effects.items()})
    if "ingroup_bias" in cal.group_effects:
        rater["ingroup_attribute"] = cal.group_attribute
    rater = {k: v for k, v in rater.items() if k in fields}

    def se(k: str) -> str:
        return f" (bootstrap SE {cal.se[k]:.3f})" if k in cal.se else ""

    data: dict = {"name": name,
                  "title": f"Calibrated on {Path(source).name}: {cal.n_ratings} ratings, {cal.n_raters} raters",
                  "extends": base,
                  "description": ("Rater parameters fitted by asnsim calibrate (latent pairwise correlations, "
                                  "see asnsim.calibrate); everything else comes from the base scenario."),
                  "rater": rater}
    corr = _corr_value(cal, base)
    if corr is not None:
        data["population"] = {"component_corr": corr}
    src = f"asnsim calibrate on {Path(source).name}"
    data["sources"] = [
        {"element": f"rater.{k}", "source": src, "note": f"estimate {getattr(cal, k):.4f}{se(k)}"}
        for k in ("leniency_sd", "noise_sd", "leniency_mean", "scale_use_mean") if k in rater]
    data["sources"] += [{"element": f"rater.{k}", "source": src, "note": f"estimate {v:.4f}"}
                        for k, v in cal.group_effects.items() if k in rater]
    if cal.rho_pairs:
        data["sources"].append({"element": "population.component_corr", "source": src,
                                "note": "; ".join(f"{a}-{b}: {e:.4f}" for (a, b), e in cal.rho_pairs)})
    data["assumptions"] = [dict(a) for a in cal.notes]
    return dump_toml(data)


def load_calibration_ratings(path: str | Path, column_map: dict[str, str] | None = None,
                             score_range: tuple[float, float] | None = None, skip_invalid: bool = False):
    """Read and validate a ratings file for :func:`calibrate` (see :func:`asnsim.io.read_table`)."""
    from .io import read_table

    return read_table(path, "ratings", column_map, score_range, skip_invalid)


__all__ = ["Calibration", "bvn_cdf", "calibrate", "linear_components", "polychoric", "scenario_toml",
           "thresholds"]
