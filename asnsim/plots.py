"""Matplotlib figures for notebooks, dashboards and reports.

Every function draws on a fresh :class:`matplotlib.figure.Figure` (never the
pyplot state machine, so figures are safe in widgets and in threads), returns
it, and labels axes in English (``lang="en"``) or Bahasa Indonesia
(``lang="id"``).  Predikat names stay in their legal Indonesian form in both.

The figures:

* :func:`predikat_bars` -- the predikat distribution of one or more runs;
* :func:`score_vs_truth` -- final score against true performance (simulated
  data), with Spearman's rank correlation and highlighted colleagues;
* :func:`fairness_by_group` -- share rated Sangat Baik (and at least Baik) by
  group;
* :func:`metric_intervals` -- estimates with intervals, by policy;

and :func:`save_figure`, which writes a figure to ``$ASNSIM_FIGURES`` when
that variable is set (the notebooks' main figures for the docs).
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure as _MplFigure

from . import columns as C
from . import labels as L
from .output import PNG_METADATA, write_png  # noqa: F401  (PNG_METADATA: the one writer's, kept importable here)

#: Colours from worst to best predikat (colour-blind safe, red to blue).
PREDIKAT_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#67a9cf", "#2166ac")

#: labels live in :mod:`asnsim.labels` (one place for every language); kept here under their old names
TEXT, GROUP_NAMES, GROUP_VALUES, text = L.TEXT, L.GROUP_NAMES, L.GROUP_VALUES, L.text



class Figure(_MplFigure):
    """A matplotlib figure that shows itself as a PNG in Jupyter, with or without pyplot.

    A figure made with ``matplotlib.figure.Figure`` (no pyplot state) is shown
    by Jupyter only as ``<Figure size ... with 4 Axes>`` unless the inline
    backend happens to be active; this subclass has ``_repr_png_``, so the
    last expression of a cell displays the picture everywhere (JupyterLab,
    Voila, nbconvert, the test suite).
    """

    def _repr_png_(self) -> bytes:
        return figure_png(self, dpi=100)


def localize(fig: _MplFigure, lang: str) -> None:
    """Decimal commas on every numeric axis of ``fig`` when ``lang == "id"`` (tick labels ``0,25``)."""
    if lang != "id":
        return
    from matplotlib.ticker import ScalarFormatter

    class _Comma(ScalarFormatter):
        def __call__(self, x, pos=None):
            return super().__call__(x, pos).replace(".", ",")

    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if type(axis.get_major_formatter()) is ScalarFormatter:
                axis.set_major_formatter(_Comma())


def natural_order(values) -> list:
    """Group labels in their natural order: bands by their first number (``<=30``, ``31-40``, ..., ``>=25``).

    Labels without a number keep their order, after the numbered ones.

    Examples
    --------
    >>> natural_order(["51-60", "41-50", "<=30", "31-40"])
    ['<=30', '31-40', '41-50', '51-60']
    """
    import re

    def key(v):
        m = re.search(r"\d+(\.\d+)?", str(v))
        if m is None:
            return (1, 0.0)
        shift = -0.5 if str(v).lstrip().startswith("<") else 0.5 if str(v).lstrip().startswith(">") else 0.0
        return (0, float(m.group()) + shift)

    return sorted(values, key=key)


def _figure(figsize: tuple[float, float]) -> tuple[Figure, object]:
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _shares(x: pd.DataFrame | pd.Series) -> pd.Series:
    """Predikat shares (best first) from a scores table or a predikat_distribution table."""
    order = list(C.PREDIKAT_ORDER[::-1])
    if isinstance(x, pd.DataFrame) and "share" in x.columns:
        return x["share"].reindex(order, fill_value=0.0).astype(float)
    col = x[C.PREDIKAT] if isinstance(x, pd.DataFrame) else x
    counts = pd.Series(col).value_counts().reindex(order, fill_value=0)
    return counts / max(int(counts.sum()), 1)


def predikat_bars(runs: Mapping[str, pd.DataFrame] | pd.DataFrame, lang: str = "en",
                  title: str | None = None) -> Figure:
    """Horizontal bars of the predikat distribution, one bar group per predikat.

    Parameters
    ----------
    runs : DataFrame or mapping of name to DataFrame
        Scores tables (with a ``predikat`` column) or outputs of
        :func:`asnsim.pipeline.predikat_distribution` (with ``share``).
    lang : {"en", "id"}
        Language of the axis labels and title.
    title : str, optional
        Overrides the default title.

    Returns
    -------
    matplotlib.figure.Figure
        Bars of ``100 * share`` with the value printed at each bar's end.
    """
    if isinstance(runs, pd.DataFrame):
        runs = {"": runs}
    shares = pd.DataFrame({name: _shares(df) for name, df in runs.items()})
    fig, ax = _figure((7.0, 1.0 + 0.45 * len(shares) * max(1, len(runs) * 0.6)))
    k = len(shares.columns)
    height = 0.8 / k
    y = np.arange(len(shares))
    for j, name in enumerate(shares.columns):
        vals = 100 * shares[name].to_numpy()
        pos = y - 0.4 + height * (j + 0.5)
        colour = None if k > 1 else list(PREDIKAT_COLOURS[::-1])
        bars = ax.barh(pos, vals, height=height, label=name or None, color=colour)
        ax.bar_label(bars, fmt="%.0f%%", padding=2, fontsize=8)
    ax.set_yticks(y, shares.index)
    ax.invert_yaxis()
    ax.set_xlabel(text("share", lang))
    ax.set_xlim(0, min(110.0, 100 * float(shares.to_numpy().max()) + 12))
    ax.set_title(title if title is not None else text("predikat_title", lang))
    if k > 1:
        ax.legend(loc="lower right", fontsize=8)
    localize(fig, lang)
    return fig


def score_vs_truth(scores: pd.DataFrame, employees: pd.DataFrame, lang: str = "en",
                   highlight: Mapping[int, str] | None = None, max_points: int = 3000,
                   rng: np.random.Generator | None = None) -> Figure:
    """Scatter of final score against true performance, coloured by predikat.

    The title reports Spearman's rank correlation over *all* employees,
    :math:`\\rho = \\operatorname{corr}(\\operatorname{rank}(s), \\operatorname{rank}(t))`
    (as scipy.stats.spearmanr: the correlation of average ranks); at most
    ``max_points`` points are drawn for large populations: a random subset
    drawn with ``rng`` when given, else evenly spaced rows of the table (no
    random numbers, so the figure is the same on every call).

    Parameters
    ----------
    scores, employees : DataFrame
        Simulated tables sharing ``employee_id``; ``employees`` must carry
        ``true_performance``.
    highlight : mapping of employee_id to label, optional
        Colleagues to mark and name on the plot (the workshop's story).
    """
    merged = scores[[C.EMPLOYEE_ID, C.FINAL_SCORE, C.PREDIKAT]].merge(
        employees[[C.EMPLOYEE_ID, C.TRUE_PERFORMANCE]], on=C.EMPLOYEE_ID)
    # Spearman's rho as the correlation of average ranks (what scipy.stats.spearmanr computes), without
    # importing scipy.stats, which would cost a workshop kernel a second at start-up
    rho = float(np.corrcoef(merged[C.FINAL_SCORE].rank(), merged[C.TRUE_PERFORMANCE].rank())[0, 1])
    shown = merged
    if len(merged) > max_points:
        rows = (np.sort(rng.choice(len(merged), max_points, replace=False)) if rng is not None
                else np.linspace(0, len(merged) - 1, max_points).round().astype(np.int64))
        shown = merged.iloc[rows]
    fig, ax = _figure((7.0, 4.2))
    jitter = (shown[C.EMPLOYEE_ID].to_numpy() % 7 - 3) * 0.25  # deterministic de-overlap
    for level, colour in zip(C.PREDIKAT_ORDER, PREDIKAT_COLOURS):
        m = (shown[C.PREDIKAT] == level).to_numpy()
        if m.any():
            ax.scatter(shown[C.TRUE_PERFORMANCE].to_numpy()[m], shown[C.FINAL_SCORE].to_numpy()[m] + jitter[m],
                       s=9, alpha=0.6, color=colour, label=level, edgecolors="none")
    tx, ty = merged[C.TRUE_PERFORMANCE].to_numpy(float), merged[C.FINAL_SCORE].to_numpy(float)
    for k, (emp_id, label) in enumerate((highlight or {}).items()):
        row = merged[merged[C.EMPLOYEE_ID] == emp_id]
        if len(row):
            x, yv, p = row[C.TRUE_PERFORMANCE].iat[0], row[C.FINAL_SCORE].iat[0], row[C.PREDIKAT].iat[0]
            ax.scatter([x], [yv], s=140, facecolors="none", edgecolors="black", linewidths=2)
            # labels point inwards (left of a point on the right half, below a point near the top) and the
            # second label goes on the other side of the first, so two colleagues at one spot stay legible
            right = (x - tx.min()) > 0.6 * (tx.max() - tx.min())
            above = ((yv - ty.min()) < 0.8 * (ty.max() - ty.min())) == (k % 2 == 0)
            ax.annotate(f"{label}: {p}", (x, yv), xytext=(-12 if right else 12, 12 if above else -12),
                        textcoords="offset points", ha="right" if right else "left",
                        va="bottom" if above else "top", fontsize=10, fontweight="bold",
                        bbox={"boxstyle": "round", "fc": "white", "alpha": 0.85})
    ax.set_xlabel(text("truth", lang))
    ax.set_ylabel(text("final_score", lang))
    ax.set_title(text("svt_title", lang, rho=L.number(rho, 2, lang)))
    ax.legend(loc="lower right", fontsize=8, markerscale=2)
    localize(fig, lang)
    return fig


def group_shares(scores: pd.DataFrame, employees: pd.DataFrame, group: str) -> pd.DataFrame:
    """Per group: ``n``, share rated Sangat Baik and share rated Baik or better."""
    merged = scores[[C.EMPLOYEE_ID, C.PREDIKAT]].merge(employees[[C.EMPLOYEE_ID, group]], on=C.EMPLOYEE_ID)
    level = merged[C.PREDIKAT].map({p: i for i, p in enumerate(C.PREDIKAT_ORDER)})
    g = merged.assign(sb=level == C.PREDIKAT_ORDER.index(C.SANGAT_BAIK),
                      baik=level >= C.PREDIKAT_ORDER.index(C.BAIK)).groupby(group)
    out = pd.DataFrame({"n": g.size(), "share_sangat_baik": g["sb"].mean(), "share_baik_plus": g["baik"].mean()})
    return out.loc[natural_order(out.index.tolist())]


def fairness_by_group(scores: pd.DataFrame, employees: pd.DataFrame, group: str = C.CLOSENESS,
                      lang: str = "en") -> Figure:
    """Bars of the share rated Sangat Baik and the share rated Baik or better, by group.

    Shares are plain proportions per group (no adjustment for true
    performance; see :mod:`asnsim.metrics` for conditional gaps and intervals).
    Group labels show ``n``.
    """
    tab = group_shares(scores, employees, group)
    names = GROUP_VALUES.get(group, {}).get(lang, {})
    labels = [f"{names.get(v, v)}\n(n={n})" for v, n in zip(tab.index, tab["n"])]
    fig, ax = _figure((7.0, 3.6))
    x = np.arange(len(tab))
    b1 = ax.bar(x - 0.2, 100 * tab["share_sangat_baik"], width=0.4, color=PREDIKAT_COLOURS[4],
                label=text("sb_share", lang))
    b2 = ax.bar(x + 0.2, 100 * tab["share_baik_plus"], width=0.4, color=PREDIKAT_COLOURS[3],
                label=text("baik_share", lang))
    ax.bar_label(b1, fmt="%.0f%%", fontsize=8)
    ax.bar_label(b2, fmt="%.0f%%", fontsize=8)
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 112)
    ax.set_ylabel(text("share", lang))
    gname = GROUP_NAMES.get(group, {}).get(lang, group)
    ax.set_title(text("fair_title", lang, group=gname))
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    localize(fig, lang)
    return fig


def metric_intervals(table: pd.DataFrame, metric: str, by: str = "policy", lang: str = "en",
                     estimate: str = "estimate", title: str | None = None) -> Figure:
    """Dot-and-interval chart of one metric by policy (or any column ``by``).

    ``table`` is a tidy summary with columns ``metric``, ``by``, ``estimate``
    and, optionally, ``ci_low`` and ``ci_high`` (the experiment summaries of
    :mod:`asnsim.experiment`).  Rows are sorted by estimate.
    """
    sub = table[table["metric"] == metric].sort_values(estimate)
    fig, ax = _figure((7.0, 0.9 + 0.4 * len(sub)))
    y = np.arange(len(sub))
    est = sub[estimate].to_numpy(float)
    if {"ci_low", "ci_high"} <= set(sub.columns):
        lo, hi = sub["ci_low"].to_numpy(float), sub["ci_high"].to_numpy(float)
        ax.errorbar(est, y, xerr=[est - lo, hi - est], fmt="none", ecolor="0.4", capsize=3)
    ax.plot(est, y, "o", color=PREDIKAT_COLOURS[4])
    ax.set_yticks(y, sub[by].astype(str))
    ax.set_xlabel(f"{metric}: {text('estimate', lang)}")
    ax.set_title(title or metric)
    localize(fig, lang)
    return fig


def figure_png(fig: _MplFigure, dpi: int = 90) -> bytes:
    """The figure as PNG bytes (for an ``ipywidgets.Image``), without a software stamp."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return buf.getvalue()


def save_figure(fig: _MplFigure, name: str, folder: str | Path | None = None, dpi: int = 110) -> Path | None:
    """Save ``fig`` as ``folder/name`` when a folder is given or ``$ASNSIM_FIGURES`` is set.

    The notebooks call this on their main figure; ``make figures`` sets
    ``ASNSIM_FIGURES=docs/img`` so the README and docs show images the
    notebooks themselves produced.  Returns the path written, or None.
    """
    folder = folder if folder is not None else os.environ.get("ASNSIM_FIGURES")
    if not folder:
        return None
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_png(fig, path, dpi)


def comparison_metrics() -> tuple[tuple[str, str, str], ...]:
    """The panels of :func:`comparison_panel`: ``(metric, English title, Indonesian title)`` of the outcomes shown in
    ``comparison`` (:func:`asnsim.outcomes.shown`), one per family, titled ``family: outcome``."""
    from .outcomes import shown

    return tuple((o.metric, f"{L.family(o.family, 'en')}: {o.text('en')}", f"{L.family(o.family, 'id')}: {o.text('id')}")
                 for o in shown("comparison"))


def _value_axis_label(metric: str, lang: str) -> str:
    """``unit; which way is better`` for a metric of :data:`asnsim.outcomes.OUTCOMES`."""
    from .outcomes import outcome

    o = outcome(metric)
    if o is None:
        return text("estimate", lang)
    unit = o.unit_text(lang) or ("%" if o.percent else "")
    return "; ".join(p for p in (unit, L.direction(o.direction, lang)) if p)


def comparison_panel(summary: pd.DataFrame, metrics: tuple[tuple[str, str, str], ...] | None = None,
                     by: str = "policy", group: str = "all", lang: str = "en") -> Figure:
    """A 2x2 (or k x 1) grid of dot-and-interval charts, one panel per metric.

    ``summary`` is :func:`asnsim.experiment.summarize` output (``metric,
    group, estimate, ci_low, ci_high`` and the ``by`` column).  Every value
    axis names its unit and which way is better.  Policies keep the order they
    first appear in every panel; a policy for which a metric does not apply
    (agreement with one rater per ratee) gets no row in that panel, and the
    panel says how many were left out and why.  A metric absent from the
    summary, or NaN for every policy, leaves its panel with a note.
    """
    from .outcomes import outcome

    metrics = metrics or comparison_metrics()
    sub = summary[summary["group"] == group]
    order = list(dict.fromkeys(sub[by].astype(str)))
    ncols = 2 if len(metrics) > 1 else 1
    nrows = int(np.ceil(len(metrics) / ncols))
    fig = Figure(figsize=(6.0 * ncols, 0.6 + (1.2 + 0.32 * len(order)) * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, (metric, title_en, title_id) in zip(axes, metrics):
        rows = sub[sub["metric"] == metric].assign(_by=lambda d: d[by].astype(str)).set_index("_by").reindex(order)
        ax.set_title(title_id if lang == "id" else title_en, fontsize=10)
        ax.set_xlabel(_value_axis_label(metric, lang), fontsize=8)
        est = rows["estimate"].to_numpy(float) if len(rows.columns) else np.full(len(order), np.nan)
        if not np.isfinite(est).any():
            ax.text(0.5, 0.5, L.NA[lang] if lang != "id" else L.text("not_applicable", lang), transform=ax.transAxes,
                    ha="center", va="center", color="0.5")
            ax.set_yticks([])
            continue
        keep = np.isfinite(est)
        names = [o for o, k in zip(order, keep) if k]
        y = np.arange(len(names))
        est, lo, hi = est[keep], rows["ci_low"].to_numpy(float)[keep], rows["ci_high"].to_numpy(float)[keep]
        ok = np.isfinite(lo) & np.isfinite(hi)
        ax.errorbar(est[ok], y[ok], xerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="none", ecolor="0.4", capsize=3)
        ax.plot(est, y, "o", color=PREDIKAT_COLOURS[4])
        ax.set_yticks(y, names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.grid(axis="x", alpha=0.3)
        o = outcome(metric)
        if o is not None and o.direction == 0:
            ax.axvline(0, color="0.6", lw=0.8, ls=":")
        if not keep.all():
            why = o.note.get(lang, "") if o is not None else ""
            ax.annotate(L.text("left_out", lang, n=int((~keep).sum()), why=why), (0.5, 0), xycoords="axes fraction",
                        xytext=(0, -30), textcoords="offset points", ha="center", va="top", fontsize=7, color="0.4")
    for ax in axes[len(metrics):]:
        ax.set_visible(False)
    localize(fig, lang)
    return fig


def fairness_report_bars(report: pd.DataFrame, attribute: str, measure: str = "share_sangat_baik",
                         lang: str = "en") -> Figure:
    """Bars with intervals of one fairness measure by group, from a fairness report.

    ``report`` is the ``fairness`` table of
    :func:`asnsim.metrics.report.analyze_reports` (columns ``attribute,
    group, n, <measure>, <measure>_ci_low, <measure>_ci_high``); its summary
    rows (``difference``, ``ratio``, ``four_fifths_flag``) are left out.
    Shares are drawn in percent.
    """
    rows = report[(report["attribute"] == attribute) & report["n"].notna()]
    rows = rows.set_index("group", drop=False).loc[natural_order(rows["group"].tolist())]
    scale = 100.0 if measure.startswith("share") else 1.0
    est = scale * rows[measure].to_numpy(float)
    lo = scale * rows.get(f"{measure}_ci_low", pd.Series(np.nan, index=rows.index)).to_numpy(float)
    hi = scale * rows.get(f"{measure}_ci_high", pd.Series(np.nan, index=rows.index)).to_numpy(float)
    names = GROUP_VALUES.get(attribute, {}).get(lang, {})
    labels = [f"{names.get(g, g)}\n(n={int(n)})" for g, n in zip(rows["group"], rows["n"])]
    fig, ax = _figure((7.0, 3.4))
    x = np.arange(len(rows))
    ax.bar(x, est, color=PREDIKAT_COLOURS[4], width=0.6)
    ok = np.isfinite(lo) & np.isfinite(hi)
    ax.errorbar(x[ok], est[ok], yerr=[est[ok] - lo[ok], hi[ok] - est[ok]], fmt="none", ecolor="0.2", capsize=4)
    ax.set_xticks(x, labels)
    measure_label = {"share_sangat_baik": "sb_share", "share_at_least_baik": "baik_share"}.get(measure)
    ax.set_ylabel(text(measure_label, lang) if measure_label else measure)
    gname = GROUP_NAMES.get(attribute, {}).get(lang, attribute)
    ax.set_title(text("fair_title", lang, group=gname))
    localize(fig, lang)
    return fig
