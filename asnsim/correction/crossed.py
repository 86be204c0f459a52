"""Crossed random-effects model of ratings (lme4's ``lmer(score ~ fixed + (1|ratee) + (1|rater))``), by REML.

The model is::

    y = X beta + Z_ratee u + Z_rater v + e,
    u ~ N(0, s2_ratee I), v ~ N(0, s2_rater I), e ~ N(0, s2 I),

fitted by the profiled REML of :mod:`asnsim.correction.reml` (lme4's
algorithm; the same estimates as lme4).  ``X`` holds an intercept, the item
(when given, treatment-coded) and the covariates of a formula's right-hand side
(``formula="same_sex + C(unit_type)"``, built by formulaic); their tests, with
Satterthwaite degrees of freedom as lmerTest reports them, are in
``tables["fixed_effects"]`` (:mod:`asnsim.correction.satterthwaite`).

Ratees and raters may be crossed, nested or partly crossed, in one connected
design or several subsets: as lme4 does, the model is fitted to all of it (the
random-effect distributions tie subsets together; :mod:`asnsim.correction.design`
says what that means).  A factor whose every level has a single rating (one rating
per ratee, say) is confounded with the residual: its variance is not estimated
(reported as NaN, the residual row then holds their sum) and its relative SD is
held at 0 in the fit.

Conditional modes (lme4's ``ranef``) are the rater effects; their conditional
variances (lme4's ``condVar``) give the standard errors.

References
----------
Bates, D., Maechler, M., Bolker, B., Walker, S. (2015). Fitting linear mixed-effects models using lme4.
Journal of Statistical Software 67(1).
Kuznetsova, A., Brockhoff, P. B., Christensen, R. H. B. (2017). lmerTest. J. Stat. Softw. 82(13).
Searle, S. R., Casella, G., McCulloch, C. E. (1992). Variance Components. Wiley.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError
from ._data import encode
from .reml import CrossedREML
from .result import RaterAnalysis, ratee_raw

NOT_ESTIMABLE = {
    "ratee": "not estimable: one rating per ratee, so ratee and residual variance are confounded (the residual "
             "row holds their sum)",
    "rater": "not estimable: one rating per rater, so rater and residual variance are confounded (the residual "
             "row holds their sum)",
}


def _row_label(rows: np.ndarray | None, i: int) -> int:
    return int(rows[i]) if rows is not None else i + 1


def fixed_design(ratings: pd.DataFrame, fixed: Sequence[str] = (), formula: str | None = None,
                 source: str = "ratings", rows: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """The fixed-effects design: intercept, categorical ``fixed`` columns and the terms of ``formula``.

    ``fixed`` columns (an item, a period) are treatment-coded (first level dropped).  ``formula`` is a
    right-hand side in Wilkinson notation (formulaic): numeric columns enter as they are (a column whose
    every value reads as a number is numeric), ``C(col)`` makes a column categorical.  ``rows`` gives the
    row number of each rating for error messages (default: position + 1).

    Raises
    ------
    InputError
        A missing column, a missing value (row and column named) or a formula that does not parse.
    """
    terms = ["1"]
    data = {}
    for f in fixed:
        if f not in ratings.columns:
            raise InputError(source, "missing column (named as a fixed effect)", column=f)
        terms.append(f"C(`{f}`)")
        data[f] = ratings[f].astype(str).where(ratings[f].notna())
    if formula:
        from formulaic import Formula
        from formulaic.errors import FormulaicError

        try:
            needed = sorted(Formula(formula).required_variables)
        except FormulaicError as exc:
            raise InputError(source, f"--fixed {formula!r} is not a formula: {str(exc).splitlines()[0]}") from None
        for var in needed:
            if var not in ratings.columns:
                raise InputError(source, f"missing column (used in --fixed {formula!r}; columns are: "
                                         f"{', '.join(map(str, ratings.columns))})", column=var)
            col = ratings[var]
            num = pd.to_numeric(col, errors="coerce")
            data[var] = num if (num.notna() == col.notna()).all() and not pd.api.types.is_bool_dtype(col) else col
        terms.append(f"({formula})")
    for var, col in data.items():
        na = pd.isna(col).to_numpy()
        if na.any():
            raise InputError(source, "missing value (a fixed effect)", row=_row_label(rows, int(np.flatnonzero(na)[0])),
                             column=var)
    if len(terms) == 1:
        return np.ones((len(ratings), 1)), ["(Intercept)"]
    from formulaic import model_matrix

    try:
        mm = model_matrix(" + ".join(terms), pd.DataFrame(data, index=ratings.index), na_action="raise",
                          context={})
    except Exception as exc:  # formulaic raises several types for an expression it cannot evaluate
        raise InputError(source, f"--fixed {formula!r} cannot be evaluated: {str(exc).splitlines()[0]}") from None
    names = ["(Intercept)" if c == "Intercept" else c.replace("`", "") for c in mm.columns]
    return np.asarray(mm, dtype=float), names


def _categorical_variables(ratings: pd.DataFrame, formula: str) -> list[str]:
    """Formula variables that enter as categories (wrapped in C(), or not numbers)."""
    import re

    from formulaic import Formula

    out = []
    for var in Formula(formula).required_variables:
        numeric = pd.to_numeric(ratings[var], errors="coerce").notna().all()
        if not numeric or re.search(rf"C\(\s*`?{re.escape(var)}`?\s*\)", formula):
            out.append(var)
    return out


def _check_rank(X: np.ndarray, names: list[str], source: str) -> None:
    rank = np.linalg.matrix_rank(X)
    if rank < X.shape[1]:
        # name a column that adds nothing to those before it
        for j in range(1, X.shape[1] + 1):
            if np.linalg.matrix_rank(X[:, :j]) < j:
                raise DesignError(f"{source}: the fixed effects are collinear: '{names[j - 1]}' is a combination "
                                  f"of the terms before it (drop it or merge categories)")


def crossed(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID, score: str = C.SCORE,
            fixed: Sequence[str] = (), formula: str | None = None, source: str = "ratings",
            rows: np.ndarray | None = None) -> RaterAnalysis:
    """Fit ``score ~ fixed + formula + (1|ratee) + (1|rater)`` by REML (lme4 parity); adjust for rater effects.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table, one row per rating.
    ratee, rater, score : str
        Column names.
    fixed : sequence of str
        Categorical fixed effects (for example ``item``, ``period``), treatment-coded.
    formula : str, optional
        Covariates as a formula's right-hand side, e.g. ``"same_sex + C(unit_type)"``; their tests go to
        ``tables["fixed_effects"]``.
    source : str
        Name of the data (file name) for error messages.
    rows : ndarray, optional
        Row number of each rating in the file, for error messages.

    Returns
    -------
    RaterAnalysis
        ``rater_effects``: conditional mode ``effect`` (score units) and conditional SD ``se``;
        ``ratee_scores``: ``adjusted`` = mean fixed-effect prediction + u_i, ``se`` its conditional SD;
        ``variance_components``: ``component, variance, note`` for ``ratee, rater, residual``;
        ``adjusted``: per rating ``y - v_rater``; ``tables["fixed_effects"]`` with a formula or fixed
        effects; ``fit``: the fitted model, for reuse (:meth:`asnsim.correction.reml.REMLFit.refit`).

    Examples
    --------
    >>> from asnsim.pipeline import simulate
    >>> sim = simulate("permenpan-6-2022", n=200, seed=1)
    >>> res = crossed(sim.ratings, fixed=["item"])
    >>> list(res.variance_components["component"])
    ['ratee', 'rater', 'residual']
    """
    enc = encode(ratings, ratee, rater, score, source)
    X, xnames = fixed_design(ratings, fixed, formula, source, rows)
    _check_rank(X, xnames, source)
    if len(enc.y) <= X.shape[1] + 1:
        raise DesignError(f"{source}: {len(enc.y)} ratings are too few for a mixed model")
    n_e = np.bincount(enc.ratee, minlength=enc.n_ratee)
    n_r = np.bincount(enc.rater, minlength=enc.n_rater)
    free = (bool((n_e > 1).any()), bool((n_r > 1).any()))
    model = CrossedREML(enc.y, X, enc.ratee, enc.rater, free=free)
    fit = model.fit()
    u, v, var_u, var_v = fit.modes()
    s2_e, s2_r, s2 = fit.variances()
    vc = pd.DataFrame({"component": ["ratee", "rater", "residual"],
                       "variance": [s2_e, s2_r, s2],
                       "note": ["" if free[0] else NOT_ESTIMABLE["ratee"], "" if free[1] else NOT_ESTIMABLE["rater"],
                                "" if all(free) else "includes the variance that is not estimable"]})
    rater_mean = np.bincount(enc.rater, weights=enc.y, minlength=enc.n_rater) / n_r
    rater_effects = pd.DataFrame({"rater_id": enc.rater_ids, "n": n_r, "effect": v, "se": np.sqrt(var_v),
                                  "raw_mean": rater_mean})
    base = float(np.mean(X @ fit.best.beta))
    n_ee, raw = ratee_raw(enc.ratee, enc.y, enc.n_ratee)
    ratee_scores = pd.DataFrame({"ratee_id": enc.ratee_ids, "n": n_ee.astype(int), "raw_mean": raw,
                                 "adjusted": base + u, "se": np.sqrt(var_u), "effect": u})
    if not free[0]:   # one rating per ratee: no ratee mode; the adjusted score is the rating less its rater's effect
        adj = np.bincount(enc.ratee, weights=enc.y - v[enc.rater], minlength=enc.n_ratee) / n_ee
        ratee_scores = ratee_scores.assign(adjusted=adj, se=np.sqrt(np.bincount(
            enc.ratee, weights=var_v[enc.rater], minlength=enc.n_ratee) / n_ee), effect=np.nan)
    tables = {}
    if X.shape[1] > 1:
        from .satterthwaite import fixed_effects_table

        tables["fixed_effects"] = fixed_effects_table(fit, xnames)
    info = {"theta": fit.theta.tolist(), "beta": dict(zip(xnames, fit.best.beta.tolist())),
            "reml_criterion": fit.best.deviance, "converged": fit.converged, "iterations": fit.iterations,
            "evaluations": fit.evaluations, "n": len(enc.y), "n_ratee": enc.n_ratee, "n_rater": enc.n_rater,
            "factorization": "dense Cholesky (LAPACK)" if model.dense else "sparse LDL' (QDLDL)"}
    if formula:
        fixed_prefix = tuple(f"C({f})[" for f in fixed)
        info["formula"] = formula
        info["covariates"] = [n for n in xnames[1:] if not n.startswith(fixed_prefix)]
        info["reference_levels"] = {var: str(sorted(map(str, ratings[var].dropna().unique()))[0])
                                    for var in _categorical_variables(ratings, formula)}
    return RaterAnalysis("crossed", rater_effects, ratee_scores, enc.y - v[enc.rater], vc, info, tables, fit=fit)
