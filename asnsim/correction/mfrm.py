"""Many-facet Rasch measurement (MFRM) by joint maximum likelihood, with FACETS-style tables.

Rating-scale model (Andrich 1978; Linacre 1989) for a rating ``x`` in
categories ``0..m`` (the observed scores in order; a score value nobody used is
left out and the categories renumbered, as FACETS does unless told to keep
unobserved categories)::

    log(P_k / P_{k-1}) = B_n - C_j - D_i - F_k

with ratee ability ``B_n``, rater severity ``C_j``, item difficulty ``D_i``
and Rasch-Andrich thresholds ``F_k`` shared by all items; the partial-credit
option (Masters 1982) gives each item its own thresholds ``F_ik``.
Identification: raters and items are centred at 0 and thresholds sum to 0
(per item for partial credit); ratees are free.

Estimation is JMLE as in FACETS: a PROX-like start (log-odds of each
element's mean score), then Newton-Raphson on the likelihood equations
``sum (x - E) = 0`` of all elements and ``sum (P(X >= h) - 1[x >= h]) = 0`` of
the thresholds jointly (the sparse information matrix over ratees, raters,
items and thresholds, with the diagonal ratee block eliminated and the Schur
complement on the rest solved (densely when small, else by Jacobi-preconditioned
conjugate gradients), so chains of weakly linked units and the coupling of
thresholds with ability converge quadratically, where FACETS-style
element-by-element steps crawl), until the largest change is below ``tol``
logits (typically 6-7 iterations).  Elements with extreme scores (all
ratings in the lowest or highest category) have infinite ML estimates; as in
FACETS, they are set aside (repeatedly, since removing one can make another
extreme), the rest is estimated, and then each extreme element is estimated
with the others fixed after moving its raw score 0.3 points inward.  When
setting them aside would disconnect the rest, all elements are estimated jointly
with the extreme ones' raw scores moved 0.3 points inward.  The iteration is
guarded (:mod:`asnsim.correction._mfrm_fit`): it stops with an error on a
non-finite step, switches on a weak ridge (a N(0, 10^2) prior) when the Newton
system is singular or measures run away, and is capped at ``max_iter``
iterations; the result's ``messages`` say when any of this happened.

Measures are comparable only within a connected subset of ratees, raters and
items (FACETS' subset rule, :mod:`asnsim.correction.connectivity`): a
disconnected design is refused unless ``subsets="largest"`` (analyse the
largest subset; the others' ratings get no adjusted score) or ``subsets="each"``
(analyse every subset with at least two raters and two ratees separately, each
on its own scale; the ``subset`` column says which).

JMLE is biased outward for short tests.  With ``bias_correction="wright"`` all
measures and SEs are multiplied by ``(L - 1) / L`` where ``L`` is the median
number of ratings per ratee (Wright & Douglas 1977; Wright 1988); fit
statistics, fair averages, category statistics and the bias table are computed
at the uncorrected JML estimates, which are the ones that satisfy the
likelihood equations.  With ``bias_correction=None`` the estimates are the
unconditional maximum-likelihood estimates (on dichotomous data they equal a
logistic regression with one dummy per element).

Fit: residual ``y = x - E``, variance ``W``, kurtosis ``K = sum (k-E)^4 P_k``;
outfit = mean(y^2 / W), infit = sum y^2 / sum W, standardized by the
Wilson-Hilferty cube root (``ZStd = (MnSq^(1/3) - 1)(3/q) + q/3`` with
``q^2 = sum(K/W^2)/n^2 - 1/n`` for outfit and ``sum(K - W^2)/(sum W)^2``
for infit).  Separation ``G = SD_true / RMSE``, strata ``H = (4G + 1)/3``,
reliability ``G^2 / (1 + G^2)`` (Wright & Masters 1982).

References
----------
Andrich, D. (1978). A rating formulation for ordered response categories. Psychometrika 43, 561-573.
Linacre, J. M. (1989). Many-Facet Rasch Measurement. MESA Press.
Linacre, J. M. (2023). A User's Guide to FACETS. Winsteps.com.
Masters, G. N. (1982). A Rasch model for partial credit scoring. Psychometrika 47, 149-174.
Wright, B. D., Douglas, G. A. (1977). Best procedures for sample-free item analysis. APM 1, 281-295.
Wright, B. D., Masters, G. N. (1982). Rating Scale Analysis. MESA Press.
Fischer, G. H. (1981). On the existence and uniqueness of maximum-likelihood estimates in the Rasch model.
Psychometrika 46, 59-77.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError
from ._data import codes, encode
from ._mfrm_fit import _Data, _fit_jmle, _moments, _probs, category_probs
from ._mfrm_tables import Scale, bias_table, category_table, facet_table, separation, unexpected
from .connectivity import check_connected, subsets as subset_labels
from .result import RaterAnalysis, ratee_raw

__all__ = ["bias_table", "category_probs", "mfrm", "separation"]



#: more distinct scores than this are refused without ``cuts``: a rating scale has a few ordered categories
MAX_CATEGORIES = 20


def _categories(y: np.ndarray, cuts, source: str, score: str) -> np.ndarray:
    """The scores, or with ``cuts`` the band numbers 1..len(cuts)+1 (band k: cuts[k-2] <= score < cuts[k-1])."""
    if cuts is not None:
        c = np.asarray(sorted(float(v) for v in cuts))
        return (np.searchsorted(c, y, side="right") + 1).astype(float)
    values = np.unique(y)
    if len(values) > MAX_CATEGORIES:
        raise DesignError(f"{source}: the scores in column '{score}' take {len(values)} distinct values "
                          f"({values[0]:g} to {values[-1]:g}); mfrm needs a rating scale of a few ordered "
                          f"categories: give cut points (--cuts 50,70,90,110 or cuts=[...] in Python: the scores "
                          f"become band numbers), or use --method crossed, which treats scores as numbers")
    return y


def _prepare(ratings, enc, item, model, source):
    """Categories (renumbered when some score values are unused), item codes and the data for the fit."""
    values = np.unique(enc.y)
    if len(values) < 2:
        raise DesignError(f"{source}: every score is {values[0]:g}; a Rasch model needs at least two categories")
    x = np.searchsorted(values, enc.y).astype(np.int64)
    m = len(values) - 1
    if item is not None:
        i_codes, i_ids = codes(ratings[item])
    else:
        i_codes, i_ids = np.zeros(len(x), np.int64), pd.Index(["(all)"], name="item")
    if model not in ("rsm", "pcm"):
        raise ValueError(f"model must be 'rsm' or 'pcm', got {model!r}")
    g = i_codes if model == "pcm" else np.zeros(len(x), np.int64)
    ng = len(i_ids) if model == "pcm" else 1
    counts = np.stack([np.bincount(g, weights=(x == k).astype(float), minlength=ng) for k in range(m + 1)], axis=1)
    if (counts == 0).any():
        gi, k = np.argwhere(counts == 0)[0]
        raise DesignError(f"{source}: score {values[k]:g} is never used for item {i_ids[gi]}; partial-credit "
                          f"thresholds need every category on every item (use the rating-scale model, or "
                          f"collapse categories)")
    d = _Data(x, enc.ratee, enc.rater, i_codes, g, m, enc.n_ratee, enc.n_rater, len(i_ids), ng)
    full = np.arange(values[0], values[-1] + 1)
    unused = np.setdiff1d(full, values)
    notes = []
    if len(unused):
        shown = ", ".join(f"{u:g}" for u in unused[:10]) + (" ..." if len(unused) > 10 else "")
        notes.append(f"{len(unused)} score value(s) between {values[0]:g} and {values[-1]:g} are never used "
                     f"({shown}); the {len(values)} observed values are the categories, renumbered in order "
                     f"(as FACETS does without 'Keep')")
    if m > 20:
        notes.append(f"the scores take {len(values)} distinct values: a Rasch rating-scale model wants a few "
                     f"ordered categories (10 or more ratings in each); consider recoding the scale")
    return d, Scale(values.astype(float)), i_ids, notes


def mfrm(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
         item: str | None = None, model: Literal["rsm", "pcm"] = "rsm",
         bias_correction: Literal["wright"] | None = "wright", group: str | None = None,
         subsets: Literal["largest", "each"] | None = None, cuts=None, tol: float = 1e-7,
         max_iter: int = 100, source: str = "ratings") -> RaterAnalysis:
    """Fit a many-facet Rasch model (ratee, rater[, item], thresholds) and tabulate it like FACETS.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table; scores must be integers (ordered categories).
    ratee, rater, score, item : str
        Column names (``item`` optional: without it the model has two facets).
    model : {"rsm", "pcm"}
        Rating-scale (shared thresholds) or partial-credit (thresholds per item).
    bias_correction : {"wright", None}
        Multiply measures by (L-1)/L (see module notes) or report the plain JML estimates.
    group : str, optional
        Column for the rater x group bias/interaction table (for example ``item`` or a ratee attribute).
    subsets : {None, "largest", "each"}
        A disconnected design is refused by default; ``"largest"`` analyses its largest connected subset,
        ``"each"`` every subset separately (see the module notes).
    cuts : sequence of float, optional
        Cut points that turn a fine-grained score (a 0-120 scale, say) into bands ``1..len(cuts)+1``; the
        analysis is then on the band numbers.  Without cuts, more than :data:`MAX_CATEGORIES` distinct
        scores are refused.
    tol, max_iter
        Convergence: largest change in any parameter, in logits; at most ``max_iter`` Newton iterations
        (reaching the cap is reported in ``messages`` and warned).

    Returns
    -------
    RaterAnalysis
        ``rater_effects.effect`` is the rater's leniency ``-C_j`` in logits (positive = rates higher than the
        average rater); ``ratee_scores.adjusted`` is the fair average (expected score from an average rater
        on an average item).  ``tables`` holds ``ratees, raters, items, summary, categories, bias,
        unexpected`` (and ``subsets`` with ``subsets=``).

    Raises
    ------
    DesignError
        Disconnected design without ``subsets`` (the subsets are named), a category unused on an item
        (partial credit), fewer than two raters, a Newton step that is not finite.
    InputError
        Non-integer scores (the row is named).
    """
    enc = encode(ratings, ratee, rater, score, source)
    frac = enc.y != np.round(enc.y)
    if frac.any():
        row = int(np.flatnonzero(frac)[0]) + 1
        raise InputError(source, f"mfrm needs integer rating categories, got {enc.y[row - 1]!r}", row=row,
                         column=score)
    if cuts is not None or len(np.unique(enc.y)) > MAX_CATEGORIES:
        banded = _categories(enc.y, cuts, source, score)
        ratings = ratings.assign(**{score: banded})
        enc = encode(ratings, ratee, rater, score, source)
    if subsets not in (None, "largest", "each"):
        raise ValueError(f"subsets must be None, 'largest' or 'each', got {subsets!r}")
    options = {"item": item, "model": model, "bias_correction": bias_correction, "group": group, "tol": tol,
               "max_iter": max_iter, "source": source}
    if subsets is None:
        try:
            check_connected(ratings, ratee, rater, item, source)
        except DesignError as exc:
            raise DesignError(f"{exc}; analyse the largest subset or each subset separately (--subsets "
                              f"largest|each; subsets='largest'|'each' in Python)") from None
        return _fit_connected(ratings, enc, **options)
    labels = subset_labels(ratings, ratee, rater)
    of_ratee = labels[labels["facet"] == "ratee"].set_index("element")["subset"]
    label = of_ratee.reindex(enc.ratee_ids).to_numpy()[enc.ratee]
    return _fit_subsets(ratings, enc, label, subsets, ratee, rater, score, options)


def _fit_connected(ratings: pd.DataFrame, enc, item, model, bias_correction, group, tol, max_iter, source,
                   rows: np.ndarray | None = None) -> RaterAnalysis:
    """The model on one connected set of ratings (``rows``: their row numbers, for the unexpected table)."""
    d, scale, i_ids, notes = _prepare(ratings, enc, item, model, source)
    fit = _fit_jmle(d, tol, max_iter)
    B, Cs, D, tau = fit["B"], fit["C"], fit["D"], fit["tau"]
    eta = B[d.e] - Cs[d.r] - D[d.i]
    P = _probs(eta, tau, d.g)
    E, W, K = _moments(P, kurtosis=True)
    y = d.x - E
    L = float(np.median(np.bincount(d.e)))
    factor = (L - 1) / L if bias_correction == "wright" and L > 1 else 1.0
    Bbar = float(B.mean())
    sep_e, sep_r, sep_i = _separated(d, fit, W)
    ratees = facet_table(d, scale, d.e, d.ne, enc.ratee_ids, B, B, tau, y, W, K, factor, sep_e)
    raters = facet_table(d, scale, d.r, d.nr, enc.rater_ids, Cs, Bbar - Cs, tau, y, W, K, factor, sep_r)
    items = facet_table(d, scale, d.i, d.ni, i_ids, D, Bbar - D, tau, y, W, K, factor, sep_i)
    summary = pd.DataFrame([{"facet": f, **separation(t["measure"].to_numpy(), t["se"].to_numpy())}
                            for f, t in (("ratee", ratees), ("rater", raters), ("item", items))])
    expected = scale.score(P, E)
    tables = {"ratees": ratees, "raters": raters, "items": items, "summary": summary,
              "categories": category_table(d, scale, P, eta, y, W, tau, factor),
              "unexpected": unexpected(y / np.sqrt(W), enc.y, expected, rows)}
    if group is not None:
        tables["bias"] = bias_table(ratings, group, d, eta, tau, enc.rater_ids, source)
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": raters["n"], "effect": -raters["measure"],
                                  "se": raters["se"], "severity": raters["measure"],
                                  "fair_average": raters["fair_average"], "infit_mnsq": raters["infit_mnsq"],
                                  "outfit_mnsq": raters["outfit_mnsq"]})
    n_e, raw = ratee_raw(d.e, enc.y, d.ne)
    P_fair = _probs(B, tau.mean(axis=0, keepdims=True), np.zeros(d.ne, np.int64))
    slope = scale.slope(P_fair, _moments(P_fair)[1])
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_e.astype(int), "raw_mean": raw,
                                 "adjusted": ratees["fair_average"], "se": slope * ratees["se"] / factor,
                                 "measure": ratees["measure"], "measure_se": ratees["se"],
                                 "infit_mnsq": ratees["infit_mnsq"], "outfit_mnsq": ratees["outfit_mnsq"]})
    # per-rating correction: remove the rater's severity on the score scale
    P0 = _probs(B[d.e] - D[d.i], tau, d.g)
    adjusted = enc.y + (_moments(P0)[0] - E if scale.consecutive else scale.score(P0) - expected)
    info = {"model": model, "bias_correction": bias_correction, "factor": factor, "test_length": L,
            "iterations": fit["iterations"], "converged": fit["converged"], "max_change": float(fit["change"]),
            "extreme_ratings_set_aside": fit["n_extreme_ratings"], "extremes": fit["extremes"],
            "ridge": fit["ridge"], "categories": scale.values.tolist(), "n": len(d.x)}
    messages = notes + _fit_messages(fit, max_iter, ratees, raters)
    return RaterAnalysis("mfrm", rater_effects, ratee_scores, adjusted, None, info, tables, messages=messages)


def _separated(d, fit: dict, W: np.ndarray):
    """Elements the ridge holds (see :func:`asnsim.correction._mfrm_fit._fit_core`); None without a ridge."""
    if not fit["ridge"]:
        return None, None, None
    return fit["separated"]


def _fit_messages(fit: dict, max_iter: int, ratees: pd.DataFrame, raters: pd.DataFrame) -> list[str]:
    out = []
    if not fit["converged"]:
        out.append(f"mfrm stopped after {max_iter} iterations without converging (largest change in the last "
                   f"step {fit['change']:.3g} logits); the measures may not be final")
    if fit["ridge"]:
        sep = [f"{kind} {e}" for kind, t in (("rater", raters), ("ratee", ratees)) if "separated" in t
               for e in t.loc[t["separated"], "element"].head(8)]
        n_sep = int(sum(t["separated"].sum() for t in (raters, ratees) if "separated" in t))
        out.append(f"the likelihood has no finite maximum ({fit['ridge_reason']}): a group of raters and ratees "
                   f"is linked to the rest only by ratings that all fall on one side of what the others give, so "
                   f"the data put the group at plus or minus infinity; a weak N(0, 10^2) prior keeps every "
                   f"measure finite, and the {n_sep} elements flagged 'separated' "
                   f"({', '.join(map(str, sep)) or 'none'}{', ...' if n_sep > len(sep) else ''}) sit where the "
                   f"prior holds them, not where the data put them")
    return out


def _fit_subsets(ratings, enc, label, mode, ratee, rater, score, options) -> RaterAnalysis:
    """Fit the largest subset, or each subset with at least two raters and two ratees, and assemble."""
    k = int(label.max())
    parts, rows_of, table = [], {}, []
    for s in range(1, k + 1):
        idx = np.flatnonzero(label == s)
        sub = ratings.iloc[idx]
        n_rt, n_re = sub[rater].nunique(), sub[ratee].nunique()
        why = ("not analysed: only the largest subset (--subsets largest)" if mode == "largest" and s > 1 else
               "not analysed: one rater, so no rater severity can be estimated" if n_rt < 2 else
               "not analysed: one ratee" if n_re < 2 else
               "not analysed: every score is the same" if sub[score].nunique() < 2 else "")
        if not why:
            sub = sub.reset_index(drop=True)
            enc_s = encode(sub, ratee, rater, score, options["source"])
            try:
                res = _fit_connected(sub, enc_s, rows=idx + 1, **options)
            except DesignError as exc:
                why = f"not analysed: {exc}"
            else:
                parts.append((s, res))
                rows_of[s] = idx
        fitted = parts[-1][1].info if parts and parts[-1][0] == s else {}
        table.append({"subset": s, "n_ratings": len(idx), "n_ratees": n_re, "n_raters": n_rt,
                      "analysed": not why, "iterations": fitted.get("iterations"),
                      "converged": fitted.get("converged"), "ridge": fitted.get("ridge"), "note": why})
    if not parts:
        raise DesignError(f"{options['source']}: no subset has two raters and two ratees to analyse (in a nested "
                          f"design, one rater per ratee, every subset has a single rater, so mfrm can estimate no "
                          f"rater severity); use --method crossed, which estimates the rater variance of such a "
                          f"design")
    return _assemble(ratings, enc, parts, rows_of, pd.DataFrame(table), mode, ratee, rater)


def _assemble(ratings, enc, parts, rows_of, subset_table, mode, ratee, rater) -> RaterAnalysis:
    adjusted = np.full(len(enc.y), np.nan)
    frames: dict[str, list[pd.DataFrame]] = {}
    messages = []
    for s, res in parts:
        adjusted[rows_of[s]] = res.adjusted
        for name in ("rater_effects", "ratee_scores"):
            frames.setdefault(name, []).append(getattr(res, name).assign(subset=s))
        for name, t in res.tables.items():
            frames.setdefault(name, []).append(t.assign(subset=s))
        messages += [f"subset {s}: {m}" for m in res.messages]
    n_r = np.bincount(enc.rater, minlength=enc.n_rater)
    n_e, raw = ratee_raw(enc.ratee, enc.y, enc.n_ratee)
    re = pd.concat(frames.pop("rater_effects"), ignore_index=True)
    rs = pd.concat(frames.pop("ratee_scores"), ignore_index=True)
    missing_r = ~pd.Index(enc.rater_ids).isin(re["rater_id"])
    missing_e = ~pd.Index(enc.ratee_ids).isin(rs["ratee_id"])
    re = pd.concat([re, pd.DataFrame({"rater_id": enc.rater_ids[missing_r], "n": n_r[missing_r]})],
                   ignore_index=True)
    rs = pd.concat([rs, pd.DataFrame({"ratee_id": enc.ratee_ids[missing_e], "n": n_e[missing_e].astype(int),
                                      "raw_mean": raw[missing_e]})], ignore_index=True)
    tables = {name: pd.concat(ts, ignore_index=True) for name, ts in frames.items()}
    tables["subsets"] = subset_table
    analysed = subset_table["analysed"]
    info = {"subsets": mode, "n_subsets": len(subset_table), "subsets_analysed": int(analysed.sum()),
            "ratings_analysed": int(subset_table.loc[analysed, "n_ratings"].sum()), "n": len(enc.y),
            "iterations": max(r.info["iterations"] for _, r in parts),
            "converged": all(r.info["converged"] for _, r in parts),
            "ridge": max(r.info["ridge"] for _, r in parts),
            **{k: v for k, v in parts[0][1].info.items() if k in ("model", "bias_correction")}}
    messages.insert(0, f"{int(analysed.sum())} of {len(subset_table)} subsets analysed "
                       f"({info['ratings_analysed']} of {len(enc.y)} ratings); measures are comparable only "
                       f"within a subset, and ratings outside the analysed subsets have no adjusted score")
    return RaterAnalysis("mfrm", re, rs, adjusted, None, info, tables, messages=messages)
