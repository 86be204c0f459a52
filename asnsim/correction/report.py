"""The Markdown report of one rater-effect analysis (:meth:`RaterAnalysis.to_markdown`).

Sections every method shares (fit details, what the design supports, rater
effects, ratee scores) and each method's own, named by its entry of
:data:`asnsim.methods.CORRECTION_METHODS` (``fit_sections`` before the rater
effects, ``sections`` after them): :func:`mixed_sections` (variance components
and fixed-effect tests) for the mixed models, :func:`mfrm_sections`
(FACETS-style tables) for ``mfrm``.  The report never branches on a method's
name, so a plug-in method brings its own sections.
"""

from __future__ import annotations

import pandas as pd

FIXED_LEVEL = 0.95


def table(df: pd.DataFrame, max_rows: int = 40) -> str:
    """A fenced plain-text table (3 decimals), cut to ``max_rows`` with a pointer to the CSV."""
    shown = df.head(max_rows)
    text = shown.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    more = f"\n... {len(df) - max_rows} more rows in the CSV" if len(df) > max_rows else ""
    return "```\n" + text + more + "\n```\n"


def _number(v: float) -> str:
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"


def _p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def fixed_effect_sentence(row: pd.Series, reference: dict[str, str] | None = None) -> str:
    """One sentence on a fixed effect: direction, size with its interval, and whether it is likely real.

    Examples
    --------
    >>> row = pd.Series({"term": "same_sex", "estimate": 0.12, "se": 0.03, "df": 812.4, "t": 4.0, "p": 7e-5,
    ...                  "ci_low": 0.061, "ci_high": 0.179})
    >>> fixed_effect_sentence(row)  # doctest: +NORMALIZE_WHITESPACE
    'Ratings with same_sex one unit higher are 0.12 points higher (95% CI 0.061 to 0.179; t = 4.00,
    Satterthwaite df = 812.4, p < 0.001): the interval excludes 0, so the difference is unlikely to be chance.'
    """
    term, est = str(row["term"]), float(row["estimate"])
    if "[T." in term:
        var, level = term.split("[T.", 1)
        var = var.removeprefix("C(").removesuffix(")")
        ref = (reference or {}).get(var)
        who = f"Ratings where {var} is {level.rstrip(']')!s}" + (f" (rather than {ref})" if ref else
                                                               " (rather than its reference level)")
    else:
        who = f"Ratings with {term} one unit higher"
    way = "higher" if est > 0 else "lower"
    real = (row["ci_low"] > 0 or row["ci_high"] < 0)
    verdict = ("the interval excludes 0, so the difference is unlikely to be chance" if real else
               "the interval includes 0, so the data cannot tell this difference from chance")
    return (f"{who} are {_number(abs(est))} points {way} ({FIXED_LEVEL:.0%} CI {_number(row['ci_low'])} to "
            f"{_number(row['ci_high'])}; t = {row['t']:.2f}, Satterthwaite df = {row['df']:.1f}, {_p(row['p'])}): "
            f"{verdict}.")


def _design_section(res) -> list[str]:
    d = res.design
    if d is None:
        return []
    lines = ["## Rating design", "", d.connectivity_sentence()]
    if d.nested:
        lines += ["", d.nesting_sentence() if _entry(res).design == "random" else
                  "Each ratee has a single rater (nested design)."]
    keep = ["n_ratings", "n_ratees", "n_raters", "n_subsets", "largest_subset_ratings_share", "ratees_per_rater",
            "raters_per_ratee", "share_ratees_multi_rated"]
    t = d.table()
    shown = t[t["quantity"].isin(keep)].assign(
        value=lambda x: [f"{v:.3g}" if isinstance(v, float) else str(v) for v in x["value"]])
    return lines + ["", table(shown)]


def mixed_sections(res) -> list[str]:
    """Variance components and fixed-effect tests of a mixed model (``crossed``, ``mixedlm``)."""
    lines = []
    if res.variance_components is not None:
        vc = res.variance_components.copy()
        vc["share"] = vc["variance"] / vc["variance"].sum(skipna=True)
        lines += ["## Variance components", "", table(vc)]
    fe = res.tables.get("fixed_effects")
    if fe is not None:
        lines += ["## Fixed effects (Satterthwaite degrees of freedom, as lmerTest)", "", table(fe)]
        named = fe[fe["term"].isin(res.info.get("covariates", []))]
        refs = res.info.get("reference_levels", {})
        lines += [fixed_effect_sentence(r, refs) for _, r in named.iterrows()] + [""] if len(named) else []
    return lines


def mfrm_sections(res) -> list[str]:
    """FACETS-style tables of ``mfrm``: separation, raters, items, categories, ratees, subsets, bias, misfit."""
    t = res.tables
    lines = ["## Summary: separation, strata, reliability (FACETS table 7 summary)", "", table(t["summary"]),
             "## Raters (measure = severity)", "", table(t["raters"].sort_values("measure")),
             "## Items", "", table(t["items"]), "## Category statistics (FACETS table 8)", "",
             table(t["categories"]), "## Ratees", "", table(t["ratees"].sort_values("measure"), 20)]
    if "subsets" in t:
        lines = ["## Subsets (measures are comparable only within a subset)", "", table(t["subsets"], 30)] + lines
    if "bias" in t:
        b = t["bias"]
        lines += ["## Rater x group bias (|t| >= 2 flagged)", "", table(b[b["flag"]].sort_values("t"), 30)]
    return lines + ["## Unexpected responses (|standardized residual| >= 3)", "", table(t["unexpected"], 20)]


def _entry(res):
    """The method's table entry (an unregistered name reads as a plain centring method without sections)."""
    from ..methods import CORRECTION_METHODS, CorrectionMethod

    return CORRECTION_METHODS.get(res.method) or CorrectionMethod(res.method, "", {})


def render(res, source: str = "ratings") -> str:
    """A readable Markdown report of one analysis."""
    lines = [f"# Rater-effect analysis: {res.method}", "", f"Data: `{source}`", ""]
    if res.messages:
        lines += ["## Read this first", ""] + [f"- {m}" for m in res.messages] + [""]
    info = {k: v for k, v in res.info.items() if not isinstance(v, (list, dict))}
    lines += ["## Fit", "", table(pd.DataFrame({"quantity": list(info), "value": [str(v) for v in info.values()]}))]
    entry = _entry(res)
    lines += _design_section(res)
    lines += entry.report_sections(res, "fit")
    re = res.rater_effects.sort_values("effect", ascending=False)
    lines += [f"## Rater effects ({entry.effect_unit}; + = rates higher than the average rater)", "",
              "Most lenient first.", "", table(re, 20)]
    lines += entry.report_sections(res, "after")
    scores = res.ratee_scores
    if "adjusted" in scores and scores["adjusted"].isna().all():
        scores = scores.drop(columns="adjusted")
    lines += ["## Ratee scores", "", table(scores, 20)]
    return "\n".join(lines) + "\n"

