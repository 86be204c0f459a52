"""The reliability.csv and fairness.csv tables of ``asnsim analyze``.

Both work on real data (truth unknown) as well as on a simulation's tables:

- :func:`reliability_report` - ``metric, value, ci_low, ci_high``: agreement
  of the ratings as given, and the same metrics on the scores after a rater
  correction in separately labelled rows (``"<metric> (after <method>)"``);
- :func:`fairness_report` - one row per group of each attribute (``attribute,
  group, n, mean_score, share_sangat_baik, ...``) plus ``difference`` (max -
  min), ``ratio`` (min / max) and ``four_fifths_flag`` rows.

The employee's score is the mean of their ratings (or of the corrected
ratings); the predikat comes from the employees file when it has a
``predikat`` column, otherwise from a policy's rules (:func:`policy_predikat`).
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError
from ._table import ALL, CI_HIGH, CI_LOW, METRIC, NAN, VALUE, as_generator
from .fairness import fairness
from .gtheory import d_study
from .scale import RatingScale, observed_scale, resolve_scale
from .reliability import (ICC_FORMS, category_agreement, icc_forms, icc_oneway, krippendorff_alpha, rwg,
                          variance_components)

RELIABILITY_COLUMNS = [METRIC, VALUE, CI_LOW, CI_HIGH]
#: share and mean columns of fairness.csv (each with _ci_low/_ci_high where an interval applies)
FAIRNESS_COLUMNS = ["attribute", "group", "n", "mean_score", "score_gap_raw", "score_gap_raw_ci_low",
                    "score_gap_raw_ci_high", "share_sangat_baik", "share_sangat_baik_ci_low",
                    "share_sangat_baik_ci_high", "share_at_least_baik", "share_at_least_baik_ci_low",
                    "share_at_least_baik_ci_high", "predikat_dominance", "predikat_dominance_ci_low",
                    "predikat_dominance_ci_high", "mean_score_adjusted", "score_gap_conditional",
                    "score_gap_conditional_ci_low", "score_gap_conditional_ci_high", "equal_opportunity"]
MAX_CATEGORIES = 10


def _rows(tab: pd.DataFrame, names: list[str] | None = None) -> list[tuple]:
    t = tab if names is None else tab[tab[METRIC].isin(names)]
    return [(r.metric, r.value, r.ci_low, r.ci_high) for r in t.itertuples()]


def _reliability_rows(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None,
                      n_boot: int, rng: np.random.Generator, scale: RatingScale | None = None,
                      fit=None) -> list[tuple]:
    """The rows of one section; ``scale`` None: the observed scale, categorical at <= MAX_CATEGORIES values;
    ``fit``: the crossed model already fitted to these data (:func:`variance_component_fits`)."""
    units = [ratee] + ([item] if item else [])
    d = ratings[units + [rater, score]].dropna()
    if scale is None:
        scale = observed_scale(d[score])
        # few values, and few points between them: 1 and 999999 are two values but no 2-point scale
        categorical = d[score].nunique() <= MAX_CATEGORIES and scale.n_points <= MAX_CATEGORIES
    else:
        categorical = scale.n_points <= MAX_CATEGORIES and scale.on_points(d[score])
    rows: list[tuple] = [("n_ratings", float(len(d)), NAN, NAN), ("n_ratees", float(d[ratee].nunique()), NAN, NAN),
                         ("n_raters", float(d[rater].nunique()), NAN, NAN)]
    per = d.groupby(units, observed=True)[rater].nunique()
    rows.append(("raters_per_ratee", float(per.mean()) if len(per) else NAN, NAN, NAN))
    rows += _rows(icc_oneway(d, units, score))
    try:
        mean_d = d.groupby([ratee, rater], observed=True, as_index=False)[score].mean()
        rows += [(r[0], r[1], r[2], r[3]) for r in _rows(icc_forms(mean_d, ratee, rater, score))]
    except DesignError:
        rows += [(form, NAN, NAN, NAN) for form in ICC_FORMS]
    rows += _rows(krippendorff_alpha(d, units, score, "interval", n_boot, rng))
    if categorical:
        rows += _rows(krippendorff_alpha(d, units, score, "ordinal", n_boot, rng))
    else:
        rows.append(("krippendorff_alpha_ordinal", NAN, NAN, NAN))
    try:
        vc = variance_components(d.groupby([ratee, rater], observed=True, as_index=False)[score].mean()
                                 if item else d, ratee, rater, score, fit=fit)
        rows += _rows(vc)
        k = float(per.groupby(level=0).mean().mean()) if item else float(per.mean())
        dd = d_study(vc.assign(metric=vc[METRIC]), {"rater": [k]}, person=C.RATEE_ID)
        rows += [(f"{m}_mean_of_raters", v, NAN, NAN) for m, v in zip(dd[METRIC], dd[VALUE])]
    except DesignError:
        rows += [(m, NAN, NAN, NAN) for m in ("var_ratee", "var_rater", "var_residual", "icc_vc_agreement",
                                               "icc_vc_consistency", "g_coefficient_mean_of_raters",
                                               "phi_coefficient_mean_of_raters")]
    if categorical:  # on the scale's points, used or not (James et al. 1984; Gwet 2008)
        codes = np.round((d[score].to_numpy(float) - scale.min) / scale.step).astype(np.int64)
        coded = d.assign(**{score: codes})  # scale steps from the lowest point
        rows += _rows(category_agreement(coded, units, score, categories=list(range(scale.n_points)), n_boot=n_boot,
                                         rng=rng))
        rows += _rows(rwg(coded, ratee, score, n_categories=scale.n_points, items=item))
    else:
        rows += [(m, NAN, NAN, NAN) for m in ("fleiss_kappa", "gwet_ac1", "rwg_mean", "rwg_median", "rwg_share_070")]
    return rows


def reliability_report(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
                       score: str = C.SCORE, item: str | None = None, adjusted: np.ndarray | None = None,
                       method: str | None = None, n_boot: int = 1000,
                       rng: np.random.Generator | int = 0, scale=None, policy=None,
                       fits: tuple | None = None) -> pd.DataFrame:
    """Reliability and agreement of a ratings table, before and after a rater correction.

    Rows (always the same, NaN where a metric does not apply): the rating
    scale (``scale_min, scale_max, scale_points`` and ``scale_observed``, 1
    when it was assumed from the observed scores); counts
    (``n_ratings, n_ratees, n_raters, raters_per_ratee``); ``icc1`` (one-way,
    unbalanced; targets are ratee-item pairs when ``item`` is given); the six
    Shrout-Fleiss forms on the ratee x rater means when that table is
    balanced; Krippendorff's alpha interval and ordinal (ordinal only for at
    most 10 distinct scores) with unit-bootstrap intervals; the crossed-model
    variance components and their ICCs, and G/Phi for the mean of the
    observed number of raters per ratee; Fleiss' kappa, Gwet's AC1 and rwg
    for categorical scores: on the scale's points, used or not, when the
    scale has at most 10 points and the scores sit on them.  With
    ``adjusted`` (one corrected score per rating, e.g.
    ``RaterAnalysis.adjusted``) the same rows follow (without the scale rows),
    labelled ``"<metric> (after <method>)"``; corrected scores are off the
    scale, so their categorical rows use the observed values.

    Parameters
    ----------
    scale : RatingScale, str or (float, float), optional
        The scale raters could use, e.g. ``"1:3"``
        (:func:`asnsim.metrics.scale.resolve_scale`); else ``policy``'s
        rated scale; else the observed range, reported as assumed.  rwg's null
        variance ``(A^2 - 1)/12`` and AC1's category count take ``A`` from it.
    policy : Policy, optional
        Gives the scale when ``scale`` is None.

    Returns
    -------
    DataFrame
        ``metric, value, ci_low, ci_high``.

    Raises
    ------
    InputError
        A missing column, or a score outside a given scale (naming the row's index label and the column).

    Examples
    --------
    Lenient raters using only 2 and 3 of a 1-3 scale (s2 = 0.3 for one ratee):

    >>> df = pd.DataFrame({"ratee": [1] * 5 + [2] * 5, "rater": list("abcde") * 2,
    ...                    "score": [2, 2, 3, 3, 3, 3, 3, 3, 3, 3]})
    >>> def rwg_mean(**kw):
    ...     rep = reliability_report(df, "ratee", "rater", "score", n_boot=0, **kw)
    ...     return float(rep.set_index("metric").value["rwg_mean"])
    >>> round(rwg_mean(), 3), round(rwg_mean(scale="1:3"), 3)   # 1 - 0.3/0.25 -> 0, and 1 - 0.3/(8/12)
    (0.5, 0.775)
    """
    for c in [ratee, rater, score] + ([item] if item else []):
        if c not in ratings.columns:
            raise InputError("ratings", f"no column {c!r}", column=c)
    gen = as_generator(rng)
    sc = resolve_scale(scale, policy, ratings[score].dropna())
    if not sc.observed:
        sc.check(ratings, score)
    rows = [("scale_min", sc.min, NAN, NAN), ("scale_max", sc.max, NAN, NAN),
            ("scale_points", float(sc.n_points), NAN, NAN), ("scale_observed", float(sc.observed), NAN, NAN)]
    before, after = fits if fits is not None else (None, None)
    rows += _reliability_rows(ratings, ratee, rater, score, item, n_boot, gen, None if sc.observed else sc,
                             before)
    if adjusted is not None:
        adj = np.asarray(adjusted, dtype=float)
        if len(adj) != len(ratings):
            raise ValueError(f"adjusted has {len(adj)} values for {len(ratings)} ratings")
        r2 = ratings.assign(**{score: adj})
        label = method or "correction"
        rows += [(f"{m} (after {label})", v, lo, hi)
                 for m, v, lo, hi in _reliability_rows(r2, ratee, rater, score, item, n_boot, gen, None, after)]
    out = pd.DataFrame(rows, columns=RELIABILITY_COLUMNS)
    out[METRIC] = out[METRIC].astype(object)
    for c in RELIABILITY_COLUMNS[1:]:
        out[c] = out[c].astype(float)
    return out


def variance_component_fits(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None,
                            adjusted: np.ndarray | None = None, reuse=None) -> tuple:
    """The crossed model behind the variance-component rows, fitted once per response on one design.

    The model is ``score ~ 1 + (1|ratee) + (1|rater)`` on the ratings (on the ratee x rater means when
    ``item`` is given, as :func:`reliability_report` does); ``reuse`` is that very model already fitted
    (the ``crossed`` analysis without items or covariates), so it is not refitted.  The corrected scores
    ``adjusted`` are fitted on the same design (:meth:`asnsim.correction.reml.REMLFit.refit`: the Schur
    pattern is reused).  Returns ``(before, after)``; ``(None, None)`` when the design cannot carry the model.
    """
    from ..correction.reml import CrossedREML

    cols = [ratee, rater, score]
    d = ratings[cols].assign(__adj=np.nan if adjusted is None else np.asarray(adjusted, float)).dropna(subset=cols)
    if item:
        d = d.groupby([ratee, rater], observed=True, as_index=False)[[score, "__adj"]].mean()
    e = pd.factorize(d[ratee], sort=True)[0]
    r = pd.factorize(d[rater], sort=True)[0]
    if len(d) < 4 or e.max() < 1 or r.max() < 1:
        return None, None
    before = reuse
    if before is None:
        free = (bool((np.bincount(e) > 1).any()), bool((np.bincount(r) > 1).any()))
        before = CrossedREML(d[score].to_numpy(float), np.ones((len(d), 1)), e, r, free=free).fit()
    if adjusted is None or d["__adj"].isna().any():
        return before, None
    return before, before.refit(d["__adj"].to_numpy(float))


def employee_scores(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, score: str = C.SCORE,
                    adjusted: np.ndarray | None = None) -> pd.DataFrame:
    """Each ratee's mean rating (or mean corrected rating): ``employee_id, final_score``."""
    y = ratings[score].to_numpy(float) if adjusted is None else np.asarray(adjusted, dtype=float)
    s = pd.Series(y, index=ratings[ratee].to_numpy()).groupby(level=0).mean()
    return pd.DataFrame({C.EMPLOYEE_ID: s.index.to_numpy(), C.FINAL_SCORE: s.to_numpy()})


def policy_predikat(policy, ratings: pd.DataFrame, employees: pd.DataFrame,
                    final_score: pd.Series | None = None) -> pd.Series:
    """Predikat per employee from a policy's rules, indexed by employee_id.

    Ratings that carry the policy's ``component`` names, or ``item`` names
    that belong to the policy's components (filling a missing or blank
    ``component``, as readers leave an optional column), are scored by
    :func:`asnsim.scoring.score`.  Otherwise a policy with score
    bands (PP 30/2019, PP 46/2011) applies its bands to ``final_score``; the
    3x3 matrix of PermenPAN-RB 6/2022 needs the component ratings, so that
    case is an InputError asking for a predikat column or component ratings.
    """
    item_component = {it: name for name, comp in policy.components.items() for it in comp.items}
    if C.ITEM in ratings.columns:  # a missing component (absent column, or blank cells) from the item's name
        from_item = ratings[C.ITEM].astype(object).map(item_component)
        given = ratings[C.COMPONENT].astype(object) if C.COMPONENT in ratings.columns else None
        filled = from_item if given is None else given.where(given.notna(), from_item)
        if filled.notna().all():
            ratings = ratings.assign(**{C.COMPONENT: filled})
    if (C.COMPONENT in ratings.columns and ratings[C.COMPONENT].notna().all()
            and set(ratings[C.COMPONENT].astype(str)) <= set(policy.components)):
        from ..scoring import score as score_policy
        if C.RATER_ROLE not in ratings.columns:  # one rater per ratee, in the component's first role
            first = {name: next(iter(comp.raters)) for name, comp in policy.components.items()}
            ratings = ratings.assign(**{C.RATER_ROLE: ratings[C.COMPONENT].astype(str).map(first)})
        sc = score_policy(policy, ratings, employees)
        return sc.set_index(C.EMPLOYEE_ID)[C.PREDIKAT]
    if policy.predikat.method == "bands" and final_score is not None:
        from ..scoring import assign_bands
        innov = np.zeros(len(final_score), dtype=bool)
        if C.INNOVATION in employees.columns:
            flags = employees.set_index(C.EMPLOYEE_ID)[C.INNOVATION].reindex(final_score.index)
            innov = flags.fillna(False).to_numpy(dtype=bool)
        pred, _ = assign_bands(final_score.to_numpy(float), policy.predikat.bands, innov)
        return pd.Series(pred, index=final_score.index, name=C.PREDIKAT)
    raise InputError("employees", f"no 'predikat' column, and policy {policy.name!r} cannot derive one from "
                                  "these ratings (they need a 'component' column naming the policy's components)",
                     column=C.PREDIKAT)


def fairness_report(scores: pd.DataFrame, employees: pd.DataFrame, attributes: list[str], n_boot: int = 1000,
                    rng: np.random.Generator | int = 0, top_share: float = 0.10) -> pd.DataFrame:
    """fairness.csv: per attribute, one row per group and difference / ratio / four_fifths_flag rows.

    Parameters
    ----------
    scores : DataFrame
        ``employee_id, final_score, predikat``.
    employees : DataFrame
        ``employee_id`` and the attribute columns; with ``true_performance``
        (simulated data) the conditional columns and equal opportunity are
        filled, else NaN.
    attributes : list of str
        Grouping columns, e.g. ``["sex", "unit"]``.

    Returns
    -------
    DataFrame
        Columns :data:`FAIRNESS_COLUMNS`.  Gaps and dominance compare each
        group with the largest group (blank for that group).  In the
        ``difference`` row each column holds max - min over groups, in the
        ``ratio`` row min / max (shares only), in ``four_fifths_flag`` 1 when
        a share's ratio is below 0.8: a US screening heuristic, not a legal
        test.
    """
    gen = as_generator(rng)
    out = []
    for attr in attributes:
        tab = fairness(scores, employees, attr, top_share=top_share, n_boot=n_boot, rng=gen)
        groups = [g for g in pd.unique(tab.loc[tab[METRIC] == "mean_score", "group"]) if g != ALL]
        frame = pd.DataFrame({"attribute": attr, "group": groups})
        m = scores[[C.EMPLOYEE_ID]].merge(employees[[C.EMPLOYEE_ID, attr]], on=C.EMPLOYEE_ID)
        frame["n"] = m[attr].astype(str).value_counts().reindex(groups).fillna(0).to_numpy(float)
        for col in FAIRNESS_COLUMNS[3:]:
            base = col.removesuffix("_ci_low").removesuffix("_ci_high")
            field = VALUE if base == col else (CI_LOW if col.endswith("_ci_low") else CI_HIGH)
            sub = tab[tab[METRIC] == base].set_index("group")[field]
            frame[col] = sub.reindex(groups).to_numpy(float) if len(sub) else NAN
        diff = {"attribute": attr, "group": "difference"}
        ratio = {"attribute": attr, "group": "ratio"}
        flag = {"attribute": attr, "group": "four_fifths_flag"}
        for col in ("mean_score", "mean_score_adjusted", "share_sangat_baik", "share_at_least_baik",
                    "equal_opportunity"):
            v = frame[col].dropna()
            diff[col] = float(v.max() - v.min()) if len(v) else NAN
            if col.startswith("share") or col == "equal_opportunity":
                ratio[col] = float(v.min() / v.max()) if len(v) and v.max() > 0 else NAN
                if col.startswith("share"):
                    flag[col] = float(ratio[col] < 0.8) if np.isfinite(ratio[col]) else NAN
        for name in ("share_sangat_baik", "share_at_least_baik"):
            for kind, row in (("difference", diff), ("ratio", ratio)):
                hit = tab[(tab[METRIC] == f"{name}_{kind}")]
                if len(hit):
                    row[f"{name}_ci_low"], row[f"{name}_ci_high"] = float(hit[CI_LOW].iloc[0]), float(hit[CI_HIGH].iloc[0])
        out.append(pd.concat([frame, pd.DataFrame([diff, ratio, flag])], ignore_index=True))
    res = pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=FAIRNESS_COLUMNS)
    return res.reindex(columns=FAIRNESS_COLUMNS)


def analyze_reports(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
                    score: str = C.SCORE, item: str | None = None, employees: pd.DataFrame | None = None,
                    groups: list[str] | tuple[str, ...] = (), policy=None, adjusted: np.ndarray | None = None,
                    method: str | None = None, n_boot: int = 1000, rng: np.random.Generator | int = 0,
                    employees_source: str = "employees", scale=None,
                    fits: tuple | None = None) -> dict[str, pd.DataFrame]:
    """The tables ``asnsim analyze`` writes besides its rater-effect tables, by file stem.

    ``reliability`` always; ``fairness`` when ``employees`` and ``groups`` are
    given.  The employees table is joined on ``employee_id`` (or on a column
    named like the ratee column); each employee's score is the mean of their
    corrected ratings when ``adjusted`` is given, else of their ratings; the
    predikat comes from the employees table's ``predikat`` column, else from
    ``policy`` (:func:`policy_predikat`).  The rating scale of the agreement
    statistics is ``scale`` (``"MIN:MAX"``), else ``policy``'s, else the
    observed range (see :func:`reliability_report`).

    Raises
    ------
    InputError
        A group column missing from the employees table, no id column to
        join on, or no way to obtain a predikat.
    """
    gen = as_generator(rng)
    out = {"reliability": reliability_report(ratings, ratee, rater, score, item, adjusted, method, n_boot, gen,
                                             scale=scale, policy=policy, fits=fits)}
    if employees is None or not groups:
        return out
    emp = employees
    if C.EMPLOYEE_ID not in emp.columns:
        if ratee in emp.columns:
            emp = emp.rename(columns={ratee: C.EMPLOYEE_ID})
        else:
            raise InputError(employees_source, f"needs an '{C.EMPLOYEE_ID}' (or '{ratee}') column to join the "
                                               "ratings on", column=C.EMPLOYEE_ID)
    for g in groups:
        if g not in emp.columns:
            raise InputError(employees_source, f"no column {g!r} to group by (--group)", column=g)
    sc = employee_scores(ratings, ratee, score, adjusted)
    if C.PREDIKAT in emp.columns:
        pred = emp.set_index(C.EMPLOYEE_ID)[C.PREDIKAT]
    elif policy is not None:
        pred = policy_predikat(policy, ratings.rename(columns={ratee: C.RATEE_ID, score: C.SCORE}), emp,
                               sc.set_index(C.EMPLOYEE_ID)[C.FINAL_SCORE])
    else:
        raise InputError(employees_source, "has no 'predikat' column; give --policy to derive it from the "
                                           "policy's rules", column=C.PREDIKAT)
    sc[C.PREDIKAT] = pred.reindex(sc[C.EMPLOYEE_ID]).to_numpy()
    out["fairness"] = fairness_report(sc, emp, list(groups), n_boot=n_boot, rng=gen)
    return out
