"""Generalizability theory: G and Phi coefficients and the D-study.

A G-study splits score variance into the ratee (the object of measurement),
the facets of the design (raters, items or indicators, periods) and their
interactions; a D-study asks how reliable the mean over n' raters and n'
items would be, so a policy analyst can see how many raters or indicators a
target reliability needs:

    G   = s2_p / (s2_p + sum of person-by-facet components / product of their n')
    Phi = s2_p / (s2_p + sum of every non-person component / product of their n')

G (relative) matters for ranking employees; Phi (absolute) for fixed cut-offs
such as the predikat bands, where a lenient rater moves people across a line.

Variance components here come from the ANOVA expected mean squares of a
balanced, fully crossed design (p x r or p x r x i); negative estimates are
set to 0 (Brennan 2001, s. 3.4).  For unbalanced appraisal data, feed
:func:`d_study` the REML components of
:func:`asnsim.metrics.reliability.variance_components` instead.

References
----------
Brennan, R. L. (2001). Generalizability Theory. Springer.
Shavelson, R. J. & Webb, N. M. (1991). Generalizability Theory: A Primer. Sage.
"""

from __future__ import annotations

import itertools
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from .. import columns as C
from ..errors import DesignError, InputError
from ._table import ALL, NAN, tidy

SEP = " x "
RESIDUAL_MARK = ",e"


def _array(ratings: pd.DataFrame, names: list[str], score: str) -> np.ndarray:
    for c in names + [score]:
        if c not in ratings.columns:
            raise InputError("ratings", f"no column {c!r}", column=c)
    d = ratings[names + [score]].dropna()
    codes, sizes = [], []
    for c in names:
        ci, labels = pd.factorize(d[c])
        codes.append(ci)
        sizes.append(len(labels))
    flat = np.ravel_multi_index(codes, sizes)
    cnt = np.bincount(flat, minlength=int(np.prod(sizes)))
    if (cnt != 1).any() or min(sizes) < 2:
        raise DesignError(f"ratings: a G-study needs a fully crossed, balanced design over {', '.join(names)} "
                          f"({' x '.join(map(str, sizes))} cells, {int((cnt == 0).sum())} missing, "
                          f"{int((cnt > 1).sum())} repeated); use variance_components for unbalanced data")
    Y = np.empty(int(np.prod(sizes)))
    Y[flat] = d[score].to_numpy(float)
    return Y.reshape(sizes)


def _effects_ss(Y: np.ndarray) -> dict[tuple[int, ...], tuple[float, int]]:
    """Sum of squares and df of every main effect and interaction of a fully crossed array.

    The highest-order interaction is the residual.  Effects are indexed by
    the tuple of axes they involve.
    """
    axes = tuple(range(Y.ndim))
    grand = Y.mean()
    means: dict[tuple[int, ...], np.ndarray] = {(): np.asarray(grand)}
    out = {}
    for r in range(1, Y.ndim + 1):
        for eff in itertools.combinations(axes, r):
            other = tuple(a for a in axes if a not in eff)
            m = Y.mean(axis=other, keepdims=True) if other else Y
            # effect = inclusion-exclusion over sub-effects' means
            e = np.zeros_like(m, dtype=float)
            for s in range(len(eff) + 1):
                for sub in itertools.combinations(eff, s):
                    drop = tuple(a for a in eff if a not in sub) + other
                    e = e + (-1) ** (len(eff) - s) * (Y.mean(axis=drop, keepdims=True) if drop else Y)
            ss = float((np.broadcast_to(e, Y.shape) ** 2).sum())
            df = int(np.prod([Y.shape[a] - 1 for a in eff]))
            out[eff] = (ss, df)
            means[eff] = m
    return out


def g_study(ratings: pd.DataFrame, person: str = C.RATEE_ID, facets: Iterable[str] = (C.RATER_ID,),
            score: str = C.SCORE) -> pd.DataFrame:
    """Variance components of a balanced, fully crossed p x facets design, and G and Phi.

    The expected mean square of effect E is sum over effects F containing E
    of s2_F times the product of the sizes of the axes not in F; solving from
    the highest interaction down gives each component (negative ones set to
    0).  The highest interaction is confounded with error (label ends in
    ``,e``).  For p x r, G at n'_r = k equals ICC(C,k) and Phi equals
    ICC(A,k) (when no component is negative).

    Returns
    -------
    DataFrame
        ``variance_component`` rows, group = the effect (``ratee_id``,
        ``rater_id``, ``ratee_id x rater_id,e``, ...), then
        ``g_coefficient`` and ``phi_coefficient`` at the observed sizes.

    Examples
    --------
    Three ratees, two raters, scores (1, 2), (2, 3), (3, 3): MS_p = 7/6,
    MS_r = 2/3, MS_pr,e = 1/6, so s2_p = (7/6 - 1/6)/2 = 0.5, s2_r =
    (2/3 - 1/6)/3 = 1/6, s2_pr,e = 1/6; G = 0.5/(0.5 + 1/12) = 0.857 and
    Phi = 0.5/(0.5 + 1/6) = 0.75.

    >>> df = pd.DataFrame({"ratee_id": [1, 1, 2, 2, 3, 3], "rater_id": [1, 2] * 3,
    ...                    "score": [1, 2, 2, 3, 3, 3]})
    >>> g_study(df).value.round(4).tolist()
    [0.5, 0.1667, 0.1667, 0.8571, 0.75]
    """
    names = [person] + list(facets)
    Y = _array(ratings, names, score)
    ss = _effects_ss(Y)
    full = tuple(range(Y.ndim))
    ms = {e: (s / df if df else NAN) for e, (s, df) in ss.items()}
    comps: dict[tuple[int, ...], float] = {}
    raw: dict[tuple[int, ...], float] = {}
    for eff in sorted(ss, key=len, reverse=True):  # highest interaction first
        other = [f for f in raw if set(eff) < set(f)]
        coef = float(np.prod([Y.shape[a] for a in full if a not in eff]))
        val = (ms[eff] - sum(raw[f] * np.prod([Y.shape[a] for a in full if a not in f]) for f in other)) / coef
        raw[eff] = val
    comps = {e: max(0.0, v) for e, v in raw.items()}
    labels = {e: SEP.join(names[a] for a in e) + (RESIDUAL_MARK if e == full else "") for e in comps}
    order = sorted(comps, key=lambda e: (len(e), e))
    rows = [("variance_component", labels[e], comps[e]) for e in order]
    table = tidy(rows)
    sizes = {names[a]: Y.shape[a] for a in range(1, Y.ndim)}
    coef = d_study(table, {k: [v] for k, v in sizes.items()}, person=person)
    rows += [("g_coefficient", ALL, float(coef.value.iloc[0])), ("phi_coefficient", ALL, float(coef.value.iloc[1]))]
    return tidy(rows)


def _components(components, person: str) -> dict[frozenset, float]:
    """Components keyed by the set of facets (person included) they involve."""
    if isinstance(components, pd.DataFrame):
        tab = components
        if "var_ratee" in set(tab.metric):
            v = tab.set_index("metric").value
            return {frozenset([person]): float(v["var_ratee"]), frozenset(["rater"]): float(v["var_rater"]),
                    frozenset([person, "rater"]): float(v["var_residual"])}
        tab = tab[tab.metric == "variance_component"]
        items = zip(tab.group, tab.value)
    else:
        items = components.items()
    out = {}
    for label, value in items:
        parts = frozenset(p.strip() for p in str(label).removesuffix(RESIDUAL_MARK).split(SEP.strip()))
        out[frozenset(p for p in parts)] = float(value)
    if frozenset([person]) not in out:
        raise InputError("components", f"no variance component for the person facet {person!r}")
    return out


def _coefficients(comp: dict[frozenset, float], person: str, n: Mapping[str, float]) -> tuple[float, float]:
    sp = comp[frozenset([person])]
    rel = ab = 0.0
    for key, v in comp.items():
        if key == frozenset([person]):
            continue
        div = float(np.prod([n.get(f, 1) for f in key if f != person]))
        if person in key:
            rel += v / div
        ab += v / div
    g = sp / (sp + rel) if sp + rel > 0 else NAN
    phi = sp / (sp + ab) if sp + ab > 0 else NAN
    return g, phi


def d_study(components, sizes: Mapping[str, Iterable[int]], person: str = C.RATEE_ID) -> pd.DataFrame:
    """G and Phi for every combination of facet sizes (a D-study).

    Parameters
    ----------
    components : DataFrame or mapping
        The table of :func:`g_study` (its ``variance_component`` rows), the
        table of :func:`asnsim.metrics.reliability.variance_components`
        (ratee, rater, residual: a p x r design with facet ``rater``), or a
        mapping from effect label (``"ratee_id x rater_id"``) to variance.
    sizes : mapping
        Facet name to the sizes to try, e.g. ``{"rater_id": [1, 2, 3]}``;
        facets not named keep size 1.
    person : str
        The object of measurement.

    Returns
    -------
    DataFrame
        ``g_coefficient`` and ``phi_coefficient`` rows per combination,
        group ``"rater_id=2, item=4"``.

    Examples
    --------
    Person variance 0.5, rater 0.1, residual 0.4: one rater gives G = 0.5/0.9
    = 0.556, two give 0.5/0.7 = 0.714 (Spearman-Brown).

    >>> comps = {"ratee_id": 0.5, "rater_id": 0.1, "ratee_id x rater_id,e": 0.4}
    >>> d_study(comps, {"rater_id": [1, 2]}).query("metric == 'g_coefficient'").value.round(3).tolist()
    [0.556, 0.714]
    """
    comp = _components(components, person)
    names = list(sizes)
    rows = []
    for combo in itertools.product(*(list(sizes[k]) for k in names)):
        n = dict(zip(names, combo))
        g, phi = _coefficients(comp, person, n)
        label = ", ".join(f"{k}={v}" for k, v in n.items()) or ALL
        rows.append(("g_coefficient", label, g))
        rows.append(("phi_coefficient", label, phi))
    return tidy(rows)


def facets_needed(components, facet: str, target: float = 0.80, coefficient: str = "g",
                  fixed: Mapping[str, int] | None = None, person: str = C.RATEE_ID,
                  max_n: int = 1000) -> pd.DataFrame:
    """The smallest number of ``facet`` levels (raters, items, periods) reaching a target G or Phi.

    Other facets keep the sizes in ``fixed`` (default 1).  NaN when even
    ``max_n`` levels do not reach the target (the other facets' error alone
    is too large: more raters cannot fix too few indicators).

    Examples
    --------
    >>> comps = {"ratee_id": 0.5, "rater_id": 0.1, "ratee_id x rater_id,e": 0.4}
    >>> float(facets_needed(comps, "rater_id", 0.8).value.iloc[0])  # G(n) = 0.5/(0.5 + 0.4/n)
    4.0
    """
    comp = _components(components, person)
    if coefficient not in ("g", "phi"):
        raise ValueError("coefficient must be 'g' or 'phi'")
    n = np.arange(1, max_n + 1)
    base = dict(fixed or {})
    vals = np.array([_coefficients(comp, person, base | {facet: int(k)})[0 if coefficient == "g" else 1]
                     for k in n])  # loop over candidate sizes
    hit = np.flatnonzero(vals >= target)
    return tidy([(f"{facet}_needed_{coefficient}", ALL, float(n[hit[0]]) if len(hit) else NAN)])
