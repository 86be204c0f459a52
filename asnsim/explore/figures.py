"""Figures of an exploration, in English or Bahasa Indonesia (matplotlib's object API, no pyplot state).

- :func:`front_scatter`: every pair of objectives; all designs tried in grey,
  the Pareto front in colour with +-2 Monte Carlo SE bars, each front design
  labelled; the corner where designs are better is marked.
- :func:`parallel_coordinates`: the front designs as lines across the
  objectives, each axis scaled so that up is better (Inselberg 1985), its ends
  labelled with the natural values.
- :func:`robustness_bars`: each design's share of worlds meeting the
  requirements, with its standard error.
- :func:`prim_tradeoff`: PRIM's peeling trajectory, coverage against density
  (EMA workbench's ``show_tradeoff``), the chosen box circled.

References
----------
Inselberg, A. (1985). The plane with parallel coordinates. *The Visual
Computer* 1:69-91.
"""

from __future__ import annotations

from itertools import combinations
from typing import Sequence

import numpy as np
import pandas as pd
from ..plots import Figure  # shows itself as a PNG in notebooks

from .objectives import Objective

TEXT = {
    "better": {"en": "better", "id": "lebih baik"},
    "tried": {"en": "designs tried", "id": "desain dicoba"},
    "raced": {"en": "stopped early (clearly dominated)", "id": "dihentikan dini (jelas kalah)"},
    "front": {"en": "Pareto front (+-2 MCSE)", "id": "front Pareto (+-2 MCSE)"},
    "front_title": {"en": "Trade-offs between objectives", "id": "Trade-off antar tujuan"},
    "parallel_title": {"en": "Front designs across objectives (up is better)",
                       "id": "Desain front pada semua tujuan (atas lebih baik)"},
    "share": {"en": "share of worlds meeting every requirement", "id": "porsi dunia yang memenuhi semua syarat"},
    "robust_title": {"en": "Robustness across rater behaviours", "id": "Ketahanan terhadap perilaku penilai"},
    "coverage": {"en": "coverage", "id": "cakupan"},
    "density": {"en": "density", "id": "kepadatan"},
    "restricted": {"en": "restricted dimensions", "id": "dimensi dibatasi"},
    "prim_title": {"en": "PRIM peeling trajectory", "id": "Lintasan pengupasan PRIM"},
    "chosen": {"en": "chosen box", "id": "kotak terpilih"},
}


def _wrap(label: str, width: int = 28) -> str:
    """A long outcome label on several lines (axis labels of neighbouring panels must not overlap)."""
    import textwrap

    return "\n".join(textwrap.wrap(label, width)) or label


def text(key: str, lang: str = "en") -> str:
    return TEXT[key]["id" if lang == "id" else "en"]


def direction_text(o: Objective, lang: str = "en") -> str:
    """``higher is better`` ... in ``lang``: the one wording of :func:`asnsim.labels.direction`."""
    from .. import labels

    return labels.direction(o.direction, lang)


def _complete(trials: pd.DataFrame) -> pd.DataFrame:
    return trials[trials["status"] == "complete"] if "status" in trials else trials


def front_scatter(trials: pd.DataFrame, pareto: pd.DataFrame, objectives: Sequence[Objective],
                  lang: str = "en", label_front: int = 15) -> Figure:
    """Pairwise scatter of the objectives (module notes)."""
    pairs = list(combinations(range(len(objectives)), 2))
    cols = min(3, len(pairs))
    rows = int(np.ceil(len(pairs) / cols))
    # at least 6 inches wide, so that the three-entry legend below one panel is not clipped
    fig = Figure(figsize=(max(4.3 * cols, 6.0), 3.9 * rows + 0.5), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    done = _complete(trials)
    early = done["raced_out"].astype(bool) if "raced_out" in done else pd.Series(False, index=done.index)
    for ax, (i, j) in zip(axes, pairs):
        oi, oj = objectives[i], objectives[j]
        ax.scatter(done.loc[~early, oi.name], done.loc[~early, oj.name], s=12, c="#bbbbbb", label=text("tried", lang))
        ax.scatter(done.loc[early, oi.name], done.loc[early, oj.name], s=12, marker="x", c="#cccccc",
                   label=text("raced", lang))
        ax.errorbar(pareto[oi.name], pareto[oj.name], xerr=2 * pareto[f"{oi.name}_mcse"].fillna(0),
                    yerr=2 * pareto[f"{oj.name}_mcse"].fillna(0), fmt="o", ms=5, c="#2166ac", ecolor="#92c5de",
                    label=text("front", lang))
        if len(pareto) <= label_front:
            for _, r in pareto.iterrows():
                ax.annotate(r["design"], (r[oi.name], r[oj.name]), fontsize=7, xytext=(3, 3),
                            textcoords="offset points")
        ax.set_xlabel(f"{_wrap(oi.title, 40)}\n({direction_text(oi, lang)})", fontsize=9)
        ax.set_ylabel(f"{_wrap(oj.title, 34)}\n({direction_text(oj, lang)})", fontsize=9)
        _mark_better(ax, oi, oj, lang)
    for ax in axes[len(pairs):]:
        ax.set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(text("front_title", lang))
    return fig


_ARROWS = {(1, 1): "\u2197", (1, -1): "\u2198", (-1, 1): "\u2196", (-1, -1): "\u2199", (1, 0): "\u2192",
           (-1, 0): "\u2190", (0, 1): "\u2191", (0, -1): "\u2193"}


def _mark_better(ax, ox: Objective, oy: Objective, lang: str) -> None:
    """'better' with an arrow in the corner where designs are better (for closer-to-zero axes, a line at 0)."""
    if ox.direction == 0:
        ax.axvline(0, ls=":", c="#999999", lw=0.8)
    if oy.direction == 0:
        ax.axhline(0, ls=":", c="#999999", lw=0.8)
    dx, dy = ox.direction, oy.direction
    if dx or dy:
        x, ha = {1: (0.98, "right"), -1: (0.02, "left"), 0: (0.5, "center")}[dx]
        y, va = {1: (0.98, "top"), -1: (0.02, "bottom"), 0: (0.5, "center")}[dy]
        ax.text(x, y, f"{text('better', lang)} {_ARROWS[(dx, dy)]}", transform=ax.transAxes, ha=ha, va=va,
                fontsize=8, color="#555555", bbox={"boxstyle": "round", "fc": "white", "ec": "#cccccc", "alpha": 0.8})


def parallel_coordinates(pareto: pd.DataFrame, objectives: Sequence[Objective], lang: str = "en",
                         highlight: str | None = None) -> Figure:
    """The front designs across objectives, up is better on every axis (module notes)."""
    k = len(objectives)
    fig = Figure(figsize=(max(5.5, 2.3 * k), 4.2), layout="constrained")
    ax = fig.subplots()
    scaled, ends = [], []
    for o in objectives:
        x = pareto[o.name].to_numpy(float)
        good = {1: x, -1: -x, 0: -np.abs(x)}[o.direction]
        lo, hi = np.nanmin(good), np.nanmax(good)
        scaled.append((good - lo) / (hi - lo) if hi > lo else np.full(len(x), 0.5))
        worst, best = x[int(np.nanargmin(good))], x[int(np.nanargmax(good))]
        ends.append((worst, best))
    y = np.column_stack(scaled) if scaled else np.zeros((0, 0))
    colours = _cmap()(y[:, 0] if len(y) else [])
    for row, (name, c) in enumerate(zip(pareto["design"], colours)):
        strong = highlight is not None and name == highlight
        ax.plot(range(k), y[row], c="#d6604d" if strong else c, lw=3 if strong else 1.2,
                alpha=1 if strong or highlight is None else 0.5, zorder=3 if strong else 2)
        if strong or (highlight is None and len(pareto) <= 12):
            ax.annotate(name, (k - 1, y[row, -1]), fontsize=7, xytext=(4, 0), textcoords="offset points",
                        va="center")
    for j, (worst, best) in enumerate(ends):
        ax.axvline(j, c="#444444", lw=0.8)
        ax.annotate(f"{best:.3g}", (j, 1.0), xytext=(0, 6), textcoords="offset points", ha="center", fontsize=8)
        ax.annotate(f"{worst:.3g}", (j, 0.0), xytext=(0, -12), textcoords="offset points", ha="center", fontsize=8)
    ax.set_xticks(range(k), [f"{_wrap(o.title, 24)}\n({direction_text(o, lang)})" for o in objectives], fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.12, 1.12)
    ax.set_xlim(-0.3, k - 0.5)
    ax.set_title(text("parallel_title", lang), fontsize=10)
    return fig


def _cmap():
    from matplotlib import colormaps
    return colormaps["viridis"]


def robustness_bars(table: pd.DataFrame, lang: str = "en") -> Figure:
    """Share of worlds meeting every requirement, per design, with +-2 SE (needs ``share_meeting``)."""
    t = table.sort_values("share_meeting", ascending=True, kind="stable")
    fig = Figure(figsize=(6.5, 0.35 * len(t) + 1.4), layout="constrained")
    ax = fig.subplots()
    ax.barh(t["design"], t["share_meeting"], xerr=2 * t["share_meeting_se"], color="#4393c3", ecolor="#999999")
    ax.set_xlim(0, 1.02)
    ax.set_xlabel(text("share", lang))
    ax.set_title(text("robust_title", lang), fontsize=10)
    return fig


def prim_tradeoff(trajectory: pd.DataFrame, chosen: int | None = None, lang: str = "en") -> Figure:
    """Coverage against density along the PRIM trajectory, coloured by restricted dimensions."""
    fig = Figure(figsize=(5.2, 4.0), layout="constrained")
    ax = fig.subplots()
    pts = ax.scatter(trajectory["coverage"], trajectory["density"], c=trajectory["res_dim"], cmap="viridis", s=18)
    fig.colorbar(pts, ax=ax, label=text("restricted", lang))
    if chosen is not None:
        r = trajectory.iloc[int(chosen)]
        ax.scatter([r["coverage"]], [r["density"]], s=160, facecolors="none", edgecolors="#d6604d", lw=2,
                   label=text("chosen", lang))
        ax.legend(fontsize=8, loc="lower left")
    ax.set_xlabel(text("coverage", lang))
    ax.set_ylabel(text("density", lang))
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_title(text("prim_title", lang), fontsize=10)
    return fig


__all__ = ["TEXT", "direction_text", "front_scatter", "parallel_coordinates", "prim_tradeoff", "robustness_bars",
           "text"]
