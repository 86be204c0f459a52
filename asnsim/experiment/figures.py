"""The report's figures, drawn with matplotlib's object API (no pyplot state, no display needed).

Every figure labels its axes with the outcome's unit and which way is better,
in English or Bahasa Indonesia (decimal commas on the axes), grows with the
number of policies so that 1, 2, 8 or 30 policies stay readable, keeps its
legend inside the image, and is returned as an ``<img>`` tag holding a PNG
without a timestamp or software stamp (the same results give the same bytes).
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pandas as pd

from .. import columns as C
from .. import labels as L
from ..outcomes import Outcome, outcome, shown
from ..plots import PNG_METADATA, PREDIKAT_COLOURS, localize

BEST_COLOUR, OTHER_COLOUR = "#1b7837", "#555555"


def png_tag(fig, dpi: int = 90) -> str:
    """The figure as an ``<img>`` tag with an embedded PNG (no metadata, so the bytes are reproducible)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=PNG_METADATA)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def new_figure(width: float, height: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def axis_label(o: Outcome | None, metric: str, lang: str) -> str:
    """``unit, which way is better`` for an outcome's value axis."""
    if o is None:
        return metric
    unit = "%" if o.percent else o.unit_text(lang)
    return "\n".join(p for p in (unit, L.direction(o.direction, lang)) if p)


def _rows(summary: pd.DataFrame, metric: str, group: str) -> pd.DataFrame:
    return summary[(summary["metric"] == metric) & (summary["group"].astype(str) == group)]


def forest_figure(summary: pd.DataFrame, metrics: list[tuple[str, str]], title: str, lang: str = "en",
                  best: dict | None = None, names: dict[str, str] | None = None) -> str:
    """One panel per outcome: each policy's estimate with its 95% interval; the best set in green.

    Policies keep the same row in every panel; a policy for which an outcome
    does not apply shows ``n/a`` in its row.  Several scenarios are drawn as
    offset points, one colour each, with a legend below the panels.
    """
    policies = list(dict.fromkeys(summary["policy"]))
    scenarios = list(dict.fromkeys(summary["scenario"]))
    multi = len(scenarios) > 1
    height = 0.32 * len(policies) * max(1, len(scenarios)) ** 0.5 + 1.6 + (0.3 if multi else 0)
    fig = new_figure(3.3 * len(metrics), max(2.2, height))
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    y = np.arange(len(policies))
    offsets = np.linspace(-0.25, 0.25, len(scenarios)) if multi else [0.0]
    for ax, (metric, group) in zip(axes, metrics):
        o = outcome(metric, group)
        scale = 100.0 if o is not None and o.percent else 1.0
        drawn = False
        for k, (off, scen) in enumerate(zip(offsets, scenarios)):
            rows = _rows(summary[summary["scenario"] == scen], metric, group).set_index("policy").reindex(policies)
            est = scale * rows["estimate"].to_numpy(float)
            ok = np.isfinite(est)
            if not ok.any():
                continue
            lo, hi = scale * rows["ci_low"].to_numpy(float), scale * rows["ci_high"].to_numpy(float)
            err = np.vstack([np.where(np.isfinite(lo), est - lo, 0), np.where(np.isfinite(hi), hi - est, 0)])
            top = (best or {}).get((scen, metric, group), set()) if len(policies) > 1 else set()
            if multi:
                ax.errorbar(est[ok], y[ok] + off, xerr=err[:, ok], fmt="o", ms=4, capsize=3, label=scen,
                            color=f"C{k % 10}")
            else:
                colours = np.array([BEST_COLOUR if p in top else OTHER_COLOUR for p in policies])
                for c in (OTHER_COLOUR, BEST_COLOUR):
                    m = ok & (colours == c)
                    if m.any():
                        ax.errorbar(est[m], y[m], xerr=err[:, m], fmt="o", ms=5 if c == BEST_COLOUR else 4,
                                    capsize=3, color=c)
            drawn = True
        if drawn:
            has = _rows(summary, metric, group).groupby("policy", sort=False)["estimate"].apply(
                lambda e: bool(np.isfinite(e).any()))
            for yi, pol in zip(y, policies):
                if not has.get(pol, False):
                    ax.text(0.02, yi, L.NA[lang], transform=ax.get_yaxis_transform(), va="center", fontsize=7,
                            color="#777")
        else:
            ax.text(0.5, 0.5, L.text("not_applicable", lang), ha="center", va="center", transform=ax.transAxes,
                    color="#777")
            ax.set_xticks([])
        ax.set_title(o.text(lang, short=True) if o else metric, fontsize=9)
        ax.set_xlabel(axis_label(o, metric, lang), fontsize=8)
        if o is not None and o.direction == 0:
            ax.axvline(0, color="#999", lw=0.8, ls=":")
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, [(names or {}).get(p, p) for p in policies], fontsize=8)
    axes[0].set_ylim(len(policies) - 0.5, -0.5)
    handles, labels = axes[-1].get_legend_handles_labels()
    if multi and handles:
        fig.legend(handles, labels, fontsize=7, loc="outside lower center", ncols=min(4, len(labels)))
    fig.suptitle(title, fontsize=11)
    localize(fig, lang)
    return png_tag(fig)


def predikat_figure(summary: pd.DataFrame, lang: str = "en", names: dict[str, str] | None = None) -> str:
    """The predikat distribution: one stacked bar per policy (and scenario), best predikat on the right.

    Shares are means over replicates, in percent, written in each segment wide
    enough to hold them; their Monte Carlo SEs are in the predikat table.
    """
    sub = summary[summary["metric"] == "share_predikat"]
    keys = list(dict.fromkeys(zip(sub["scenario"], sub["policy"])))
    scen_n, pol_n = sub["scenario"].nunique(), sub["policy"].nunique()
    nm = names or {}
    labels = [f"{nm.get(p, p)} / {nm.get(s, s)}" if scen_n > 1 and pol_n > 1 else
              (nm.get(s, s) if pol_n == 1 and scen_n > 1 else nm.get(p, p)) for s, p in keys]
    wide = sub.pivot_table(index=["scenario", "policy"], columns="group", values="estimate", sort=False)
    wide = wide.reindex(index=pd.MultiIndex.from_tuples(keys), columns=list(C.PREDIKAT_ORDER)).fillna(0.0)
    fig = new_figure(9.0, 1.3 + 0.3 * len(keys))
    ax = fig.add_subplot()
    y = np.arange(len(keys))
    left = np.zeros(len(keys))
    for lev, colour in zip(C.PREDIKAT_ORDER, PREDIKAT_COLOURS):
        vals = 100 * wide[lev].to_numpy(float)
        bars = ax.barh(y, vals, left=left, color=colour, label=lev, edgecolor="white", linewidth=0.5, height=0.75)
        text = [L.number(v, 0, lang) if v >= 6 else "" for v in vals]
        ax.bar_label(bars, labels=text, label_type="center", fontsize=7,
                     color="white" if colour in (PREDIKAT_COLOURS[0], PREDIKAT_COLOURS[4]) else "black")
        left += vals
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(len(keys) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel(L.text("share", lang))
    ax.legend(fontsize=8, ncols=5, loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    localize(fig, lang)
    return png_tag(fig)


def _sweep_values(results) -> tuple[str, dict[str, float]] | None:
    design = results.manifest.get("design", {})
    sweeps = design.get("sweeps", [])
    if len(sweeps) != 1 or len(sweeps[0]["keys"]) != 1:
        return None
    key = sweeps[0]["keys"][0]
    value_of = {}
    for v in design.get("policies", []) + design.get("scenarios", []):
        for k, val in v.get("overrides", {}).items():
            if key.endswith(k) and isinstance(val, (int, float)):
                value_of[v["label"]] = float(val)
    return (key, value_of) if value_of else None


def sweep_figure(results, lang: str = "en") -> str | None:
    """Estimate against the swept value for the outcomes shown in ``sweep`` (:func:`asnsim.outcomes.shown`), when the
    design has one numeric sweep."""
    found = _sweep_values(results)
    if found is None:
        return None
    key, value_of = found
    s = results.summary.copy()
    s["x"] = s["policy"].map(value_of).fillna(s["scenario"].map(value_of))
    s = s[s["x"].notna()]
    for col in ("policy", "scenario"):  # the variant label without its sweep suffix: one line per base
        swept = s[col].isin(list(value_of))
        s[f"{col}_base"] = np.where(swept, s[col].str.replace(r"\[.*\]$", "", regex=True), s[col])
    panels = [o.key for o in shown("sweep")]
    fig = new_figure(3.3 * len(panels), 3.4)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (metric, group) in zip(axes, panels):
        o = outcome(metric, group)
        scale = 100.0 if o is not None and o.percent else 1.0
        for (base, scen), line in _rows(s, metric, group).groupby(["policy_base", "scenario_base"], sort=False):
            line = line.sort_values("x")
            if not np.isfinite(line["estimate"]).any():
                continue
            ax.plot(line["x"], scale * line["estimate"], marker="o", ms=3, label=f"{base} / {scen}")
            ax.fill_between(line["x"], scale * line["ci_low"], scale * line["ci_high"], alpha=0.2)
        ax.set_title(o.text(lang, short=True) if o else metric, fontsize=9)
        ax.set_ylabel(axis_label(o, metric, lang), fontsize=8)
        ax.set_xlabel(key, fontsize=8)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, fontsize=7, loc="outside lower center", ncols=min(3, len(labels)))
    fig.suptitle(L.text("sweep_title", lang, swept=key), fontsize=11)
    localize(fig, lang)
    return png_tag(fig)


__all__ = ["axis_label", "forest_figure", "localize", "new_figure", "png_tag", "predikat_figure", "sweep_figure"]
