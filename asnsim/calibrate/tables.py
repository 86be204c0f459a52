"""The table fitting: each component's latent correlations and rater parameters, and the cross-component correlation.

Per component, ``r_A`` (two items of one ratee and rater) and ``r_B`` (two ratees of one rater) from the pair tables
give ``Q = 1 / sqrt(r_A - r_B)``, the leniency and noise SDs, the scale factor and the leniency mean (the estimator is
in the docstring of :mod:`asnsim.calibrate`); pairs of items of two components give their correlation ``rho``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError
from ..policy import Policy, Scale
from ..raters import scale_center
from .correlations import pearson_from_tables, polychoric, thresholds
from .pairs import pair_tables_between, pair_tables_within


def component_of_items(ratings: pd.DataFrame, policy: Policy, source: str) -> pd.Series:
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


def score_codes(scores: np.ndarray, scale: Scale, source: str) -> tuple[np.ndarray, int]:
    K = int(round((scale.max - scale.min) / scale.step)) + 1
    codes = np.rint((scores - scale.min) / scale.step).astype(np.int64)
    off = (codes < 0) | (codes >= K) | ~np.isclose(scale.min + codes * scale.step, scores)
    if off.any():
        raise InputError(source, f"score {scores[off][0]:g} is not a level of the policy's scale "
                                 f"({scale.min:g} to {scale.max:g} by {scale.step:g})", column=C.SCORE)
    return codes, K


@dataclass
class CodedComponent:
    """One component's ratings as category codes: the unit x item table ``wide`` (-1 missing) and its margins."""

    wide: np.ndarray         # (units, items) category codes, -1 where a unit has no rating of the item
    n_items: int
    K: int                   # number of scale levels
    thr: np.ndarray          # (items, K-1) normal thresholds of each item's margins
    ordinal: bool
    values: np.ndarray       # the K score values
    latent_sd: float = float("nan")   # Q = S / k, set by the fit


def rating_units(r: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Each rating's (ratee, rater, period) unit, and each unit's (rater, period) group."""
    unit_keys = [pd.factorize(r[c])[0] for c in (C.RATEE_ID, C.RATER_ID, C.PERIOD)]
    n_rater, n_period = int(unit_keys[1].max()) + 1 if len(r) else 1, int(unit_keys[2].max()) + 1 if len(r) else 1
    group = pd.factorize(unit_keys[1].astype(np.int64) * n_period + unit_keys[2])[0]
    unit = pd.factorize(unit_keys[0].astype(np.int64) * (n_rater * n_period) + unit_keys[1] * n_period
                        + unit_keys[2])[0] if len(r) else np.zeros(0, int)
    unit_group = np.zeros(int(unit.max()) + 1 if len(unit) else 0, dtype=np.int64)
    unit_group[unit] = group            # each (ratee, rater, period) unit's (rater, period) group
    return unit, unit_group


def code_component(sub: pd.DataFrame, sub_unit: np.ndarray, n_units: int, scale: Scale,
                   source: str) -> CodedComponent:
    """One component's ratings (``sub``, in units ``sub_unit``) as a unit x item table of category codes."""
    codes, K = score_codes(sub[C.SCORE].to_numpy(float), scale, source)
    item_codes, items = pd.factorize(sub[C.ITEM].astype(str), sort=True)
    n_items = len(items)
    counts = np.zeros((n_items, K))
    np.add.at(counts, (item_codes, codes), 1)
    thr = thresholds(counts)  # (items, K-1)
    wide = np.full((n_units, n_items), -1, dtype=np.int64)
    wide[sub_unit, item_codes] = codes
    return CodedComponent(wide, n_items, K, thr, scale.kind == "ordinal", scale.min + scale.step * np.arange(K))


def pair_correlations(cc: CodedComponent, unit_group: np.ndarray, cname: str, source: str) -> tuple[float, float]:
    """``r_A`` (two items of one ratee and rater) and ``r_B`` (two ratees of one rater) of one component.

    Raises
    ------
    DesignError
        When the design cannot tell true performance from noise or from rater leniency.
    """
    n_items, K, thr = cc.n_items, cc.K, cc.thr
    tab_a, pairs_a = pair_tables_within(cc.wide, list(range(n_items)), list(range(n_items)), K, same=True)
    tab_b, pairs_b = pair_tables_between(cc.wide, unit_group, K)
    if cc.ordinal:
        ia, ja = (np.array([p[0] for p in pairs_a], dtype=int), np.array([p[1] for p in pairs_a], dtype=int))
        r_a = polychoric(tab_a, thr[ia], thr[ja]) if len(pairs_a) else float("nan")
        r_b = polychoric(tab_b, thr[pairs_b[:, 0]], thr[pairs_b[:, 1]])
    else:
        r_a, r_b = pearson_from_tables(tab_a, cc.values), pearson_from_tables(tab_b, cc.values)
    if not np.isfinite(r_a):
        raise DesignError(f"{source}: component {cname}: no ratee has two items from one rater, so true "
                          "performance cannot be told from rating noise")
    if not np.isfinite(r_b) or tab_b.sum() == 0:
        raise DesignError(f"{source}: component {cname}: no rater rates two ratees, so rater leniency "
                          "cannot be told from true performance")
    if r_a - r_b <= 0.01:
        raise DesignError(f"{source}: component {cname}: ratings of one ratee agree no more than ratings of "
                          f"different ratees (r_A = {r_a:.3f}, r_B = {r_b:.3f}); no true-performance signal")
    return r_a, r_b


def latent_location(sub: pd.DataFrame, cc: CodedComponent, scale: Scale, Q: float) -> tuple[float, float]:
    """The latent SD ``S`` and mean ``mu`` of one component's ratings (module docstring of :mod:`asnsim.calibrate`)."""
    if cc.ordinal:
        cut = np.asarray(scale.cutpoints)
        if cc.K > 2:
            S = float((cut[-1] - cut[0]) / (cc.thr[:, -1] - cc.thr[:, 0]).mean())
        else:
            S = Q
        mu_y = float(np.mean(cut[None, :] - S * cc.thr))
    else:
        y = (sub[C.SCORE].to_numpy(float) - scale.center) / scale.spread
        S, mu_y = float(y.std()), float(y.mean())
    return S, mu_y


def fit_component(sub: pd.DataFrame, cc: CodedComponent, unit_group: np.ndarray, policy: Policy, cname: str,
                  source: str) -> dict:
    """One component's row of the fit: its correlations, latent scale and rater parameters; sets ``cc.latent_sd``."""
    r_a, r_b = pair_correlations(cc, unit_group, cname, source)
    Q = 1.0 / np.sqrt(r_a - r_b)           # latent SD over the scale factor: S / k
    lsd = np.sqrt(max(r_b, 0.0)) * Q
    center = scale_center(policy.components[cname])
    S, mu_y = latent_location(sub, cc, policy.components[cname].scale, Q)
    k = S / Q
    nsd = np.sqrt(max(1.0 - r_a, 0.0)) * S
    mu = center + (mu_y - center) / k
    scale_use = float(np.log(k))
    cc.latent_sd = Q
    return {"component": cname, "n_ratings": len(sub), "items": cc.n_items, "r_same_ratee": r_a,
            "r_same_rater": r_b, "latent_sd": S, "scale_factor": k, "leniency_sd": lsd,
            "noise_sd": nsd, "leniency_mean": mu, "scale_use_mean": scale_use}


def cross_component_rho(coded: dict[str, CodedComponent], table: pd.DataFrame,
                        policy: Policy) -> tuple[float | None, dict]:
    """The true correlation ``rho`` of two components, from pairs of their items rated for one ratee by one rater.

    Only pairs of ordinal components with the same number of levels enter; returns (the mean over component pairs,
    clipped to [-0.3, 1], or None; ``{"rho_pairs": [((kind_a, kind_b), estimate), ...]}`` when any pair entered).
    """
    rho = None
    extra: dict = {}
    pair_kinds: list[tuple[str, str]] = []
    names = list(coded)
    if len(names) < 2:
        return rho, extra
    lsd2 = float(np.average(table["leniency_sd"] ** 2, weights=table["n_ratings"]))
    est = []
    for a_i in range(len(names)):
        for b_i in range(a_i + 1, len(names)):
            ca, cb = coded[names[a_i]], coded[names[b_i]]
            if ca.K != cb.K or not (ca.ordinal and cb.ordinal):
                continue
            joined = np.concatenate([ca.wide, cb.wide], axis=1)
            na = ca.n_items
            tab, pairs = pair_tables_within(joined, list(range(na)), list(range(na, na + cb.n_items)), ca.K,
                                            same=False)
            ia = np.array([p[0] for p in pairs])
            jb = np.array([p[1] - na for p in pairs])
            r_x = polychoric(tab, ca.thr[ia], cb.thr[jb])
            est.append(r_x * ca.latent_sd * cb.latent_sd - lsd2)
            pair_kinds.append((policy.components[names[a_i]].kind, policy.components[names[b_i]].kind))
    if est:
        rho = float(np.clip(np.mean(est), -0.3, 1.0))
        extra["rho_pairs"] = list(zip(pair_kinds, est))
    return rho, extra


def fit_tables(ratings: pd.DataFrame, policy: Policy, source: str) -> tuple[pd.DataFrame, float | None, dict]:
    """Per-component correlations r_A, r_B and latent parameters; the cross-component correlation.

    Returns (one row per component: ``component, n_ratings, items, r_same_ratee, r_same_rater, latent_sd,
    scale_factor, leniency_sd, noise_sd, leniency_mean, scale_use_mean``; ``rho`` or None; extras, see
    :func:`cross_component_rho`).
    """
    r = ratings
    unit, unit_group = rating_units(r)
    rows, coded = [], {}
    for cname, sub_idx in r.groupby("_component", sort=False).indices.items():
        sub = r.iloc[sub_idx]
        cc = code_component(sub, unit[sub_idx], unit.max() + 1, policy.components[cname].scale, source)
        rows.append(fit_component(sub, cc, unit_group, policy, cname, source))
        coded[cname] = cc
    table = pd.DataFrame(rows)
    rho, extra = cross_component_rho(coded, table, policy)
    return table, rho, extra
