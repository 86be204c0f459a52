"""A self-contained HTML report of an experiment (figures embedded as base64 PNG).

Sections: the design and its provenance, a headline table, the predikat
distribution by policy, then objectivity, reliability, fairness and burden
by policy with their Monte Carlo intervals, sweep curves when the design has
sweeps, and the full summary, paired-difference and ranking tables.  The file
needs no network and no other file.  Figures are drawn with matplotlib's
object API (no pyplot state, no display needed).
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import columns as C
from .store import Results
from .summary import headline

#: report sections: (title, [(metric, group, label)], explanation)
SECTIONS = (
    ("Objectivity", [("spearman", "all", "Spearman rho, score vs truth"),
                     ("topk_precision", "all", "top-10% precision"),
                     ("predikat_agreement", "all", "predikat = truth-based predikat"),
                     ("share_sb_wrongly_given", "all", "Sangat Baik undeserved (share)")],
     "How well the final score and predikat recover true performance (simulation truth)."),
    ("Reliability", [("icc1", "all", "ICC(1)"),
                     ("krippendorff_alpha_interval", "all", "Krippendorff alpha (interval)"),
                     ("krippendorff_alpha_ordinal", "all", "Krippendorff alpha (ordinal)"),
                     ("period_rank_correlation", "all", "rank correlation between periods")],
     "Agreement among raters of the same ratee and item; n/a when each ratee has one rater."),
    ("Fairness", [("favouritism_premium", "all", "favouritism premium (score SD)"),
                  ("unit_context_penalty", "all", "unit context slope (score SD)"),
                  ("sex_gap_conditional", "F-M", "sex gap F-M, given truth (score SD)"),
                  ("sex_gap_raw", "F-M", "sex gap F-M, raw (score SD)")],
     "Score differences not explained by true performance; 0 is fair."),
    ("Burden", [("rater_hours", "all", "rater hours per employee-year"),
                ("ratee_hours", "all", "ratee hours per employee-year")],
     "Time the design costs (policy burden parameters x panels x rounds)."),
    ("Stability and development", [("predikat_flip_rate", "all", "predikat flips between periods (share)"),
                                   ("true_performance_gain", "all", "true performance gain over the year (SD)")],
     "Flips: how often the predikat changes between periods (n/a with one period; compare --periods all). Gain: "
     "how much true performance rose over the year through feedback and training (Gayungan, seed 001), 0 for "
     "designs without them; a benefit, not a rating error, since objectivity is measured against the truth at "
     "the time of rating."),
)

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:70em;color:#222}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2}td{text-align:right}td:first-child{text-align:left}img{max-width:100%}
.note{color:#555;font-size:.9em}details{margin:1em 0}"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80)
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(buf.getvalue()).decode()}">'


def _new_figure(width: float, height: float):
    from matplotlib.figure import Figure
    return Figure(figsize=(width, height), layout="constrained")


def _rows(summary: pd.DataFrame, metric: str, group: str) -> pd.DataFrame:
    return summary[(summary["metric"] == metric) & (summary["group"].astype(str) == group)]


def forest_figure(summary: pd.DataFrame, metrics: list[tuple[str, str, str]], title: str) -> str:
    """One panel per metric: each policy's estimate with its interval, one colour per scenario."""
    policies = list(dict.fromkeys(summary["policy"]))
    scenarios = list(dict.fromkeys(summary["scenario"]))
    fig = _new_figure(3.6 * len(metrics), 0.45 * len(policies) * max(1, len(scenarios)) ** 0.5 + 1.4)
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)[0]
    y = np.arange(len(policies))
    offsets = np.linspace(-0.25, 0.25, len(scenarios)) if len(scenarios) > 1 else [0.0]
    for ax, (metric, group, label) in zip(axes, metrics):
        drawn = False
        for off, scen in zip(offsets, scenarios):
            rows = _rows(summary[summary["scenario"] == scen], metric, group).set_index("policy").reindex(policies)
            est = rows["estimate"].to_numpy(float)
            ok = np.isfinite(est)
            if not ok.any():
                continue
            lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
            err = np.vstack([np.where(np.isfinite(lo), est - lo, 0), np.where(np.isfinite(hi), hi - est, 0)])
            ax.errorbar(est[ok], y[ok] + off, xerr=err[:, ok], fmt="o", ms=4, capsize=3, label=scen)
            drawn = True
        if drawn:
            has = summary[(summary["metric"] == metric) & (summary["group"].astype(str) == group)]
            has = has.groupby("policy", sort=False)["estimate"].apply(lambda e: bool(np.isfinite(e).any()))
            for yi, pol in zip(y, policies):
                if not has.get(pol, False):
                    ax.text(0.02, yi, "n/a", transform=ax.get_yaxis_transform(), va="center", fontsize=7,
                            color="#777")
        else:
            ax.text(0.5, 0.5, "not applicable\nin this design", ha="center", va="center", transform=ax.transAxes,
                    color="#777")
        ax.set_title(label, fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    axes[0].set_yticks(y, policies, fontsize=8)
    axes[0].invert_yaxis()
    handles, labels = axes[-1].get_legend_handles_labels()
    if len(scenarios) > 1 and handles:
        axes[-1].legend(handles, labels, fontsize=7, loc="best")
    fig.suptitle(title, fontsize=11)
    return _png(fig)


def predikat_figure(summary: pd.DataFrame) -> str:
    """Share of each predikat by policy (bars) with 95% Monte Carlo intervals, one panel per scenario."""
    levels = list(C.PREDIKAT_ORDER)
    scenarios = list(dict.fromkeys(summary["scenario"]))[:6]
    policies = list(dict.fromkeys(summary["policy"]))
    fig = _new_figure(max(6.0, 0.9 * len(policies) + 2), 3.2 * len(scenarios))
    axes = fig.subplots(len(scenarios), 1, squeeze=False)[:, 0]
    width = 0.8 / len(levels)
    x = np.arange(len(policies))
    colours = ["#b2182b", "#ef8a62", "#fddbc7", "#67a9cf", "#2166ac"]
    for ax, scen in zip(axes, scenarios):
        sub = summary[(summary["scenario"] == scen) & (summary["metric"] == "share_predikat")]
        if sub.empty:
            ax.text(0.5, 0.5, "no predikat shares", ha="center", transform=ax.transAxes)
            continue
        for j, lev in enumerate(levels):
            rows = sub[sub["group"].astype(str) == lev].set_index("policy").reindex(policies)
            est = rows["estimate"].to_numpy(float)
            lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
            err = np.vstack([np.nan_to_num(est - lo), np.nan_to_num(hi - est)])
            ax.bar(x + (j - 2) * width, np.nan_to_num(est), width, yerr=err, capsize=2, color=colours[j],
                   label=lev, edgecolor="#444", linewidth=0.3)
        ax.set_xticks(x, policies, rotation=20, ha="right", fontsize=8)
        ax.set_ylabel("share of employees")
        ax.set_title(f"scenario: {scen}", fontsize=9)
        ax.set_ylim(0, 1)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, fontsize=8, ncols=5, loc="outside lower center")
    fig.suptitle("Predikat distribution by policy (95% Monte Carlo intervals)", fontsize=11)
    return _png(fig)


def sweep_figure(results: Results) -> str | None:
    """Estimate against the swept value for the headline metrics, when the design has one numeric sweep."""
    design = results.manifest.get("design", {})
    sweeps = design.get("sweeps", [])
    if len(sweeps) != 1 or len(sweeps[0]["keys"]) != 1:
        return None
    key = sweeps[0]["keys"][0]
    variants = design.get("policies", []) + design.get("scenarios", [])
    value_of = {}
    for v in variants:
        for k, val in v.get("overrides", {}).items():
            if key.endswith(k) and isinstance(val, (int, float)):
                value_of[v["label"]] = float(val)
    if not value_of:
        return None
    s = results.summary.copy()
    s["x"] = s["policy"].map(value_of).fillna(s["scenario"].map(value_of))
    s = s[s["x"].notna()]
    for col in ("policy", "scenario"):  # the variant label without its sweep suffix: one line per base
        swept = s[col].isin(list(value_of))
        s[f"{col}_base"] = np.where(swept, s[col].str.replace(r"\[.*\]$", "", regex=True), s[col])
    metrics = [("spearman", "all"), ("favouritism_premium", "all"), ("share_predikat", C.SANGAT_BAIK),
               ("rater_hours", "all")]
    fig = _new_figure(3.6 * len(metrics), 3.2)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, (metric, group) in zip(axes, metrics):
        sub = _rows(s, metric, group)
        for (base, scen), line in sub.groupby(["policy_base", "scenario_base"], sort=False):
            line = line.sort_values("x")
            if not np.isfinite(line["estimate"]).any():
                continue
            ax.plot(line["x"], line["estimate"], marker="o", label=f"{base} / {scen}")
            ax.fill_between(line["x"], line["ci_low"], line["ci_high"], alpha=0.2)
        ax.set_title(f"{metric} ({group})", fontsize=9)
        ax.set_xlabel(key, fontsize=8)
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if handles:
        axes[0].legend(handles, labels, fontsize=6)
    fig.suptitle(f"Sweep over {key} (bands: 95% Monte Carlo intervals)", fontsize=11)
    return _png(fig)


def _table(df: pd.DataFrame, digits: int = 4) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep="n/a", border=0)


def render_report(results: Results) -> str:
    """The report as one HTML string."""
    m = results.manifest
    design = m.get("design", {})
    summ = results.summary
    head = headline(summ)
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>asnsim compare</title>"
             f"<style>{_CSS}</style></head><body>",
             "<h1>asnsim: policy comparison</h1>",
             "<p class='note'>" + html.escape(
                 f"asnsim {m.get('asnsim_version', '?')}; seed {design.get('seed', m.get('seed', '?'))}; "
                 f"{design.get('n', '?')} employees per organisation; {design.get('reps', '?')} replicates per "
                 f"scenario; {len(design.get('policies', []))} policies x {len(design.get('scenarios', []))} "
                 f"scenarios; design hash {str(m.get('design_hash', ''))[:12]}.") + "</p>"]
    if not results.complete:
        parts.append("<p><b>Incomplete run:</b> summarised from the replicates finished so far.</p>")
    parts.append("<p class='note'>Every policy meets the same simulated population and raters in each "
                 "replicate (common random numbers), so policy differences are paired. Estimates are means over "
                 "replicates; brackets and error bars are Monte Carlo standard errors and 95% intervals "
                 "(Morris, White &amp; Crowther 2019). An interval describes simulation error only, not how "
                 "well the model matches a real organisation.</p>")
    parts.append("<h2>Headline</h2>" + head.reset_index().to_html(index=False, border=0))
    parts.append("<h2>Predikat distribution</h2>" + predikat_figure(summ))
    for title, metrics, note in SECTIONS:
        parts.append(f"<h2>{title}</h2><p class='note'>{html.escape(note)}</p>" + forest_figure(summ, metrics, title))
    sweep = sweep_figure(results)
    if sweep:
        parts.append("<h2>Sweep</h2>" + sweep)
    if not results.ranking.empty:
        best = results.ranking.sort_values("mean_rank", kind="stable").groupby(
            ["scenario", "metric", "group"], sort=False).head(1)
        parts.append("<h2>Ranking</h2><p class='note'>The best policy per metric by mean rank over replicates, "
                     "with the 95% range of its rank and the share of replicates in which it ranks first.</p>"
                     + _table(best))
    parts.append("<details><summary>Full summary table</summary>" + _table(summ) + "</details>")
    if not results.paired.empty:
        parts.append("<details><summary>Paired differences (policy - reference)</summary>"
                     + _table(results.paired.dropna(subset=["difference"])) + "</details>")
    if results.paired_scenarios is not None and not results.paired_scenarios.empty:
        parts.append("<details><summary>Paired scenario differences (scenario - first scenario, same random "
                     "numbers)</summary>" + _table(results.paired_scenarios.dropna(subset=["difference"]))
                     + "</details>")
    if not results.ranking.empty:
        parts.append("<details><summary>All rankings</summary>" + _table(results.ranking) + "</details>")
    parts.append("<details><summary>Design</summary><table>" + "".join(
        f"<tr><td>{html.escape(kind)}</td><td>{html.escape(v['label'])}</td><td>{html.escape(v['sha256'][:12])}</td>"
        f"</tr>" for kind in ("policies", "scenarios") for v in design.get(kind, [])) + "</table></details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(results: Results, path: str | Path) -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8)."""
    path = Path(path)
    path.write_text(render_report(results), encoding="utf-8")
    return path


__all__ = ["forest_figure", "predikat_figure", "render_report", "sweep_figure", "write_report"]
