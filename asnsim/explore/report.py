"""``report.html`` of an exploration: the answer first, then the front, robustness and scenario discovery.

A single self-contained file (figures embedded as PNG, no network), in
English or Bahasa Indonesia (``lang="id"``).  It says which design is best on
each objective, which front designs cannot be told apart within Monte Carlo
error, and, when robustness was run, which design meets the requirements in
most worlds and where it fails.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..plots import figure_png
from .figures import direction_text, front_scatter, parallel_coordinates, prim_tradeoff, robustness_bars
from .objectives import Objective

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222;padding:0 1em}
table{border-collapse:collapse;font-size:.82em;margin:.5em 0 1.5em;display:block;overflow-x:auto;max-width:100%}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2}td{text-align:right}td:first-child{text-align:left}img{max-width:100%}
.note{color:#555;font-size:.9em}.answer{background:#f4f8fb;border-left:4px solid #2166ac;padding:.6em 1em}
details{margin:1em 0}"""

WORDS = {
    "title": {"en": "Policy design explorer", "id": "Penjelajah desain kebijakan"},
    "answer": {"en": "Answer", "id": "Jawaban"},
    "levers": {"en": "Levers", "id": "Tuas"},
    "objectives": {"en": "Objectives", "id": "Tujuan"},
    "search": {"en": "Search", "id": "Pencarian"},
    "front": {"en": "Pareto front", "id": "Front Pareto"},
    "robustness": {"en": "Robustness across rater behaviours", "id": "Ketahanan terhadap perilaku penilai"},
    "discovery": {"en": "Where the design fails (scenario discovery)",
                  "id": "Di mana desain gagal (penemuan skenario)"},
    "verdicts_note": {"en": "Per objective, the best front design, or the designs that cannot be separated from "
                            "it: paired differences over the replicates every front design shares, beyond 2 "
                            "Monte Carlo SEs.",
                      "id": "Per tujuan, desain front terbaik, atau desain yang tidak dapat dibedakan darinya: "
                            "selisih berpasangan atas replikasi yang sama bagi setiap desain front, melebihi 2 "
                            "galat baku Monte Carlo."},
    "all_trials": {"en": "All designs tried", "id": "Semua desain yang dicoba"},
    "best_on": {"en": "Best on {name}: {design} ({value})", "id": "Terbaik untuk {name}: {design} ({value})"},
    "front_1": {"en": "1 design is on the Pareto front (no design tried is better on every objective).",
                "id": "1 desain berada di front Pareto (tidak ada desain lain yang lebih baik di semua tujuan)."},
    "front_n": {"en": "{n} designs are on the Pareto front (none is better on every objective than another).",
                "id": "{n} desain berada di front Pareto (tidak ada yang lebih baik di semua tujuan dari yang lain)."},
    "not_sep": {"en": "{n} of them cannot be told apart from a neighbour within Monte Carlo error "
                      "(separable = False): treat them as ties.",
                "id": "{n} di antaranya tidak dapat dibedakan dari tetangganya dalam galat Monte Carlo "
                      "(separable = False): anggap setara."},
    "all_sep": {"en": "Every front design is separable from the others within Monte Carlo error.",
                "id": "Setiap desain front dapat dibedakan dari yang lain dalam galat Monte Carlo."},
    "spent": {"en": "{designs} designs evaluated with {evals} replicate evaluations ({share} of what {designs} "
                    "designs x {reps} replicates would cost): clearly dominated designs stopped early.",
              "id": "{designs} desain dievaluasi dengan {evals} evaluasi replikasi ({share} dari biaya {designs} "
                    "desain x {reps} replikasi): desain yang jelas kalah dihentikan dini."},
    "spent_all": {"en": "{designs} designs evaluated with every one of their {reps} replicates ({evals} replicate "
                        "evaluations): none was clearly dominated early enough to stop.",
                  "id": "{designs} desain dievaluasi dengan seluruh {reps} replikasinya ({evals} evaluasi "
                        "replikasi): tidak ada yang cukup jelas kalah untuk dihentikan dini."},
    "most_robust": {"en": "Most robust: {design} meets every requirement in {share} of {n} worlds.",
                    "id": "Paling tangguh: {design} memenuhi semua syarat di {share} dari {n} dunia."},
    "box": {"en": "{design} fails in {share} of worlds; the box below holds {cov} of its failures, and "
                  "{dens} of the worlds inside it are failures.",
            "id": "{design} gagal di {share} dunia; kotak di bawah memuat {cov} kegagalannya, dan {dens} "
                  "dunia di dalamnya adalah kegagalan."},
    "never_fails": {"en": "{design} meets every requirement in all {n} worlds: there is no failure to explain.",
                    "id": "{design} memenuhi semua syarat di seluruh {n} dunia: tidak ada kegagalan untuk dijelaskan."},
    "always_fails": {"en": "{design} fails a requirement in all {n} worlds: no range of behaviour saves it.",
                     "id": "{design} gagal memenuhi syarat di seluruh {n} dunia: tidak ada rentang perilaku yang "
                           "menyelamatkannya."},
    "mcse": {"en": "Estimates are means over replicates; _mcse columns (and the bars) are their Monte Carlo "
                   "standard errors. Differences between designs are more precise than the bars suggest: every "
                   "design meets the same simulated worlds (common random numbers), and 'separable' judges them "
                   "by paired differences.",
             "id": "Estimasi adalah rata-rata atas replikasi; kolom _mcse (dan garis galat) adalah galat baku "
                   "Monte Carlo. Selisih antar desain lebih presisi daripada yang tampak dari garis galat: setiap "
                   "desain menghadapi dunia simulasi yang sama (bilangan acak bersama), dan 'separable' menilainya "
                   "dengan selisih berpasangan."},
}


def word(key: str, lang: str = "en", **fmt) -> str:
    return WORDS[key]["id" if lang == "id" else "en"].format(**fmt)


def _img(fig) -> str:
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(figure_png(fig, dpi=80)).decode()}">'


def _table(df: pd.DataFrame, digits: int = 4) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep="", border=0, escape=True)


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


@dataclass
class ReportInputs:
    """What the report shows; robustness and discovery are optional."""

    trials: pd.DataFrame
    pareto: pd.DataFrame
    objectives: Sequence[Objective]
    levers: Sequence[str]
    reps: int
    meta: dict = field(default_factory=dict)
    robustness: pd.DataFrame | None = None
    requirements: Sequence[str] = ()
    n_worlds: int = 0
    discovery: dict | None = None  # {"design": str, "prim": Prim, "fail_share": float}
    verdicts: Sequence[str] = ()   # one sentence per objective (asnsim.explore.verdicts)


def _answer(r: ReportInputs, lang: str) -> str:
    items = []
    for o in () if r.verdicts else r.objectives:   # the verdicts say it with paired differences
        x = r.pareto[o.name].to_numpy(float)
        if len(x) == 0:
            continue
        i = int({1: np.argmax(x), -1: np.argmin(x), 0: np.argmin(np.abs(x))}[o.direction])
        items.append(word("best_on", lang, name=html.escape(o.title), design=r.pareto["design"].iloc[i],
                          value=f"{x[i]:.4g} &plusmn; {r.pareto[f'{o.name}_mcse'].iloc[i]:.2g}"))
    lines = [word("front_1" if len(r.pareto) == 1 else "front_n", lang, n=len(r.pareto))] + items + [html.escape(v) for v in r.verdicts]
    n_close = int((~r.pareto["separable"]).sum()) if len(r.pareto) else 0
    lines.append(word("not_sep", lang, n=n_close) if n_close else word("all_sep", lang))
    done = r.trials[r.trials["status"] == "complete"] if "status" in r.trials else r.trials
    evals = int(r.trials["evaluations"].sum())
    full = max(1, len(done) * int(r.reps))
    lines.append(word("spent" if evals < full else "spent_all", lang, designs=len(r.trials), evals=evals,
                      share=_pct(evals / full), reps=r.reps))
    if r.robustness is not None and "share_meeting" in r.robustness:
        best = r.robustness.sort_values("share_meeting", ascending=False, kind="stable").iloc[0]
        lines.append(word("most_robust", lang, design=best["design"], share=_pct(best["share_meeting"]),
                          n=r.n_worlds))
    return '<div class="answer"><ul>' + "".join(f"<li>{s}</li>" for s in lines) + "</ul></div>"


def render_report(r: ReportInputs, lang: str = "en") -> str:
    """The report as one HTML string."""
    parts = [f"<!doctype html><html lang='{'id' if lang == 'id' else 'en'}'><head><meta charset='utf-8'>"
             f"<title>{word('title', lang)}</title><style>{_CSS}</style></head><body>",
             f"<h1>{word('title', lang)}</h1>", f"<h2>{word('answer', lang)}</h2>", _answer(r, lang)]
    obj = "".join(f"<li>{html.escape(o.title)} ({direction_text(o, lang)})</li>" for o in r.objectives)
    lev = "".join(f"<li><code>{html.escape(s)}</code></li>" for s in r.levers)
    meta = "".join(f"<li>{html.escape(str(k))}: {html.escape(str(v))}</li>" for k, v in r.meta.items())
    if r.verdicts:
        parts.append(f"<p class='note'>{word('verdicts_note', lang)}</p>")
    parts.append(f"<h2>{word('search', lang)}</h2><p>{word('objectives', lang)}:</p><ul>{obj}</ul>"
                 f"<p>{word('levers', lang)}:</p><ul>{lev}</ul><ul class='note'>{meta}</ul>")
    parts.append(f"<h2>{word('front', lang)}</h2>")
    parts.append(_img(front_scatter(r.trials, r.pareto, r.objectives, lang)))
    if len(r.pareto) >= 2:
        parts.append(_img(parallel_coordinates(r.pareto, r.objectives, lang)))
    parts.append(f"<p class='note'>{word('mcse', lang)}</p>" + _table(r.pareto))
    if r.robustness is not None:
        parts.append(f"<h2>{word('robustness', lang)}</h2>")
        if r.requirements:
            parts.append("<p class='note'>" + ", ".join(f"<code>{html.escape(q)}</code>" for q in r.requirements)
                         + "</p>")
        if "share_meeting" in r.robustness:
            parts.append(_img(robustness_bars(r.robustness, lang)))
        parts.append(_table(r.robustness))
    if r.discovery is not None:
        d, prim = r.discovery, r.discovery["prim"]
        parts.append(f"<h2>{word('discovery', lang)}</h2>")
        if prim is not None:
            box = prim.box_table()
            parts.append("<p>" + word("box", lang, design=d["design"], share=_pct(d["fail_share"]),
                                      cov=_pct(box["coverage"].iloc[0] if len(box) else 0),
                                      dens=_pct(box["density"].iloc[0] if len(box) else 0)) + "</p>")
            parts.append(_table(box))
            parts.append(_img(prim_tradeoff(prim.trajectory, prim.choose(), lang)))
        else:
            key = "never_fails" if d["fail_share"] == 0 else "always_fails"
            parts.append("<p>" + word(key, lang, design=d["design"], n=r.n_worlds) + "</p>")
    parts.append(f"<details><summary>{word('all_trials', lang)} ({len(r.trials)})</summary>{_table(r.trials)}"
                 "</details></body></html>")
    return "\n".join(parts)


def write_report(r: ReportInputs, path: str | Path, lang: str = "en") -> Path:
    path = Path(path)
    path.write_text(render_report(r, lang), encoding="utf-8")
    return path


__all__ = ["ReportInputs", "WORDS", "render_report", "word", "write_report"]
