"""``summary.xlsx``: an experiment's tables for analysts who work in Excel.

One sheet per table: the verdicts, the headline (numbers, best values in
bold), the predikat distribution, then ``summary``, ``paired``, ``ranking``
(and ``paired_scenarios``) exactly as their CSV files.  Header rows are frozen,
numbers are numbers (Excel shows them with the reader's own decimal separator),
and text is written as text, never as a formula (:func:`asnsim.output.write_workbook`).
With ``lang="id"`` the first three sheets have Indonesian names and headers;
the data sheets keep the CSV column names, which are the file format.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import columns as C
from .. import labels as L
from ..outcomes import headline_outcomes
from .store import Results
from .verdict import best_sets

_SHEETS = {"verdicts": {"en": "verdicts", "id": "kesimpulan"}, "headline": {"en": "headline", "id": "ringkasan"},
           "predikat": {"en": "predikat", "id": "sebaran predikat"}}
_VERDICT_HEADERS = {
    "scenario": {"en": "scenario", "id": "skenario"}, "family": {"en": "family", "id": "kelompok"},
    "outcome": {"en": "outcome", "id": "ukuran"}, "direction": {"en": "direction", "id": "arah"},
    "status": {"en": "status", "id": "status"}, "best": {"en": "best", "id": "terbaik"},
    "runner_up": {"en": "next", "id": "berikutnya"}, "margin": {"en": "gap to the next", "id": "selisih"},
    "margin_ci_low": {"en": "gap, 95% low", "id": "selisih, batas bawah 95%"},
    "margin_ci_high": {"en": "gap, 95% high", "id": "selisih, batas atas 95%"},
    "sentence": {"en": "verdict", "id": "kesimpulan"},
}
_STATUS = {"clear": {"en": "clear", "id": "jelas"}, "tie": {"en": "tie", "id": "seri"},
           "inseparable": {"en": "cannot be separated", "id": "tidak dapat dibedakan"},
           "single": {"en": "only one value", "id": "hanya satu nilai"},
           "not applicable": {"en": "not applicable", "id": "tidak berlaku"}}


def _verdict_sheet(v: pd.DataFrame, lang: str) -> pd.DataFrame:
    from ..outcomes import outcome

    out = pd.DataFrame({
        "scenario": v["scenario"], "family": [L.family(f, lang) for f in v["family"]],
        "outcome": [outcome(m, g).text(lang) for m, g in zip(v["metric"], v["group"])],
        "direction": [L.direction(d, lang) for d in v["direction"]],
        "status": [_STATUS[s][lang] for s in v["status"]], "best": v["best"].str.replace("; ", ", "),
        "runner_up": v["runner_up"], "margin": v["margin"], "margin_ci_low": v["margin_ci_low"],
        "margin_ci_high": v["margin_ci_high"], "sentence": v["sentence"]})
    return out.rename(columns={k: h[lang] for k, h in _VERDICT_HEADERS.items()})


def _headline_sheet(results: Results, lang: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Numeric headline (estimate and Monte Carlo SE per outcome), the best cells, and number formats."""
    s = results.summary
    scen = s["scenario"].iloc[0] if len(s) else None
    sub = s[s["scenario"] == scen]
    best = best_sets(results.verdicts(lang))
    policies = list(dict.fromkeys(sub["policy"]))
    table = pd.DataFrame({L.text("policy", lang): policies})
    marks = pd.DataFrame(False, index=table.index, columns=table.columns)
    formats: dict[str, str] = {}
    for o in headline_outcomes():
        rows = sub[(sub["metric"] == o.metric) & (sub["group"].astype(str) == o.group)].set_index("policy")
        if rows.empty:
            continue
        rows = rows.reindex(policies)
        title = f"{o.text(lang, short=True)} {L.arrow(o.direction)}".strip()
        mc = f"{title} MCSE"
        table[title], table[mc] = rows["estimate"].to_numpy(), rows["mcse"].to_numpy()
        marks[title] = [p in best.get((scen, o.metric, o.group), set()) for p in policies]
        marks[mc] = False
        fmt = "0." + "0" * o.decimals + ("%" if o.percent else "")
        formats[title] = formats[mc] = fmt
    return table, marks, formats


def _predikat_sheet(results: Results, lang: str) -> pd.DataFrame:
    s = results.summary
    sub = s[s["metric"] == "share_predikat"]
    wide = sub.pivot_table(index=["scenario", "policy"], columns="group", values="estimate", sort=False)
    wide = wide.reindex(columns=[p for p in reversed(C.PREDIKAT_ORDER) if p in wide.columns]).reset_index()
    return wide.rename(columns={"scenario": L.text("scenario", lang), "policy": L.text("policy", lang)})


def write_summary_workbook(results: Results, path: str | Path, lang: str = "en") -> Path:
    """Write ``summary.xlsx`` for ``results`` (see the module docstring)."""
    from ..output import write_workbook

    head, marks, formats = _headline_sheet(results, lang)
    pred = _predikat_sheet(results, lang)
    names = {k: v[lang] for k, v in _SHEETS.items()}
    sheets = {names["verdicts"]: _verdict_sheet(results.verdicts(lang), lang), names["headline"]: head,
              names["predikat"]: pred, "summary": results.summary, "paired": results.paired,
              "ranking": results.ranking}
    if results.paired_scenarios is not None:
        sheets["paired_scenarios"] = results.paired_scenarios
    pred_fmt = {c: "0.0%" for c in pred.columns if c in C.PREDIKAT_ORDER}
    return write_workbook(path, sheets, number_formats={names["headline"]: formats, names["predikat"]: pred_fmt},
                          bold={names["headline"]: marks})


__all__ = ["write_summary_workbook"]
