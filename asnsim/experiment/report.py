"""A self-contained HTML report of an experiment (figures embedded as base64 PNG).

Answers first: the verdicts (for each outcome, the best policy or the set that
cannot be separated from it, with the direction and the size of the gap;
:mod:`asnsim.experiment.verdict`), then the headline table with the best values
in bold, the predikat distribution, and objectivity, reliability, fairness and
burden by policy with their Monte Carlo intervals.  A sweep report leads with
the sweep plot; a one-policy report leaves out what only a comparison needs
(verdicts, rankings, one near-identical chart per scenario).  The full
summary, paired-difference (each policy minus the reference) and ranking
tables close the page.  English or Bahasa Indonesia (``lang="id"``, decimal
commas).  The file needs no network and no other file.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from .. import labels as L
from ..outcomes import FAMILIES, OUTCOMES, outcome, sections, verdict_metrics
from .figures import forest_figure, predikat_figure, sweep_figure
from .store import Results
from .summary import headline, headline_best, predikat_table
from .verdict import _VARIANT, best_sets, short_names, verdicts_from_replicates

MAX_SCENARIO_TABLES = 3  # headline and verdict sentences per scenario up to this many, then the first only

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2;vertical-align:bottom}td{text-align:right;white-space:nowrap}td:first-child{text-align:left}img{max-width:100%}
.note{color:#555;font-size:.9em}details{margin:1em 0}
.verdicts td{text-align:left;vertical-align:top;white-space:normal}
.verdicts td:first-child{font-weight:600;white-space:nowrap}.warn{color:#8a4b00}
table.headline td.best{font-weight:700;background:#e6f2e6}"""


def _esc(text: object) -> str:
    return html.escape(str(text))


def _table(df: pd.DataFrame, digits: int = 4) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.{digits}g}", na_rep="n/a", border=0)


def _scenarios(results: Results) -> list[str]:
    return list(dict.fromkeys(results.summary["scenario"]))


def _verdict_cell(r, lang: str) -> str:
    """A verdict sentence without its family (the row's first cell), the outcome in bold, warnings marked."""
    fam = L.family(r.family, lang)
    rest = r.sentence[len(fam) + 2:] if r.sentence.startswith(fam + ", ") else r.sentence
    head, _, body = rest.partition(": ")
    warning = str(r.warning or "")
    if warning and body.endswith(warning):
        body = _esc(body[:-len(warning)]) + f"<span class='warn'>{_esc(warning)}</span>"
    else:
        body = _esc(body)
    return f"<tr><td>{_esc(fam)}</td><td><b>{_esc(head)}</b>: {body}</td></tr>"


def verdict_html(verdicts: pd.DataFrame, scenarios: list[str], lang: str) -> str:
    """The verdict block: one sentence per outcome (per scenario), or a compact outcome x scenario table."""
    v = verdicts[verdicts["metric"].isin([m for m, _ in verdict_metrics()])]
    if len(scenarios) <= MAX_SCENARIO_TABLES:
        parts = []
        for scen in scenarios:
            rows = v[v["scenario"] == scen]
            head = f"<h3>{_esc(L.text('scenario_is', lang, name=scen))}</h3>" if len(scenarios) > 1 else ""
            body = "".join(_verdict_cell(r, lang) for r in rows.itertuples(index=False))
            parts.append(head + f"<table class='verdicts'>{body}</table>")
        return "".join(parts)
    table = v.assign(outcome=[outcome(m, g).text(lang, short=True) for m, g in zip(v["metric"], v["group"])],
                     best=v["best"].map(lambda b: L.join_names(b.split("; ") if b else [], lang, most=3)))
    wide = table.pivot_table(index="outcome", columns="scenario", values="best", aggfunc="first", sort=False)
    wide = wide.reindex(columns=scenarios).reset_index().rename(columns={"outcome": L.text("outcome", lang)})
    return _table(wide)


def headline_html(summary: pd.DataFrame, best: dict, lang: str, scenario: str | None = None,
                  names: dict[str, str] | None = None, index_title: str | None = None) -> str:
    """The headline table with the best set of each outcome in bold."""
    table = headline(summary, scenario=scenario, lang=lang)
    marks = headline_best(summary, best, scenario=scenario, lang=lang)
    head = "".join(f"<th>{_esc(c)}</th>" for c in [index_title or table.index.name, *table.columns])
    rows = []
    for pol, row in table.iterrows():
        cells = "".join(f"<td class='best'>{_esc(v)}</td>" if marks.at[pol, c] else f"<td>{_esc(v)}</td>"
                        for c, v in row.items())
        rows.append(f"<tr><td>{_esc((names or {}).get(pol, pol))}</td>{cells}</tr>")
    return f"<table class='headline'><tr>{head}</tr>{''.join(rows)}</table>"


def _swap(summary: pd.DataFrame) -> pd.DataFrame:
    """Scenarios as rows: one policy swept over scenarios reads as one row per sweep point."""
    return summary.rename(columns={"scenario": "policy", "policy": "scenario"})


def _headlines(results: Results, lang: str, names: dict[str, str]) -> list[str]:
    summ, scenarios = results.summary, _scenarios(results)
    if len(results.policies) == 1 and len(scenarios) > 1:
        return [headline_html(_swap(summ), {}, lang, names=short_names(scenarios),
                              index_title=L.text("scenario", lang))]
    best = best_sets(results.verdicts(lang)) if len(results.policies) > 1 else {}
    parts = []
    for scen in scenarios[:MAX_SCENARIO_TABLES]:
        if len(scenarios) > 1:
            parts.append(f"<h3>{_esc(L.text('scenario_is', lang, name=scen))}</h3>")
        parts.append(headline_html(summ, best, lang, scen, names))
    if len(scenarios) > MAX_SCENARIO_TABLES:
        parts.append(f"<p class='note'>{_esc(L.text('first_scenario_only', lang, n=len(scenarios)))}</p>")
    return parts


def _predikat(results: Results, lang: str, names: dict[str, str]) -> str:
    summ, scenarios = results.summary, _scenarios(results)
    one = len(results.policies) == 1 and len(scenarios) > 1
    table = predikat_table(_swap(summ) if one else summ, scenario=None if one else scenarios[0], lang=lang)
    rename = short_names(scenarios) if one else names
    table.index = [rename.get(i, i) for i in table.index]
    table.index.name = L.text("scenario" if one else "policy", lang)
    labels = {**names, **short_names(scenarios)}
    return (f"<h2>{_esc(L.text('predikat_h', lang))}</h2><p class='note'>{_esc(L.text('predikat_note', lang))}</p>"
            + predikat_figure(summ, lang, labels) + table.reset_index().to_html(index=False, border=0))


def _section(results: Results, fam: str, panels: tuple[tuple[str, str], ...], lang: str, best: dict,
             names: dict[str, str]) -> str:
    summ = results.summary
    shown, missing = [], []
    for metric, group in panels:
        rows = summ[(summ["metric"] == metric) & (summ["group"].astype(str) == group)]
        if rows.empty:
            continue
        (shown if pd.to_numeric(rows["estimate"]).notna().any() else missing).append((metric, group))
    note = L.text(f"note_{fam}", lang) if f"note_{fam}" in L.TEXT else ""
    if missing:
        by_note: dict[str, list[str]] = {}
        for m, g in missing:
            by_note.setdefault(outcome(m, g).note.get(lang, ""), []).append(outcome(m, g).text(lang, short=True))
        note += " " + L.text("not_shown", lang, names="; ".join(
            ", ".join(labels) + (f" ({why})" if why else "") for why, labels in by_note.items()))
    values = summ[summ["metric"].isin([m for m, _ in shown])]
    applicable = set(values.loc[pd.to_numeric(values["estimate"]).notna(), "policy"])
    left_out = [p for p in results.policies if p not in applicable]
    if shown and left_out:  # no empty rows: policies without any value in this section are named instead
        why = "; ".join(w for w in dict.fromkeys(outcome(m, g).note.get(lang, "") for m, g in shown) if w)
        note += " " + L.text("rows_left_out", lang, names=L.join_names([names.get(p, p) for p in left_out], lang),
                             why=f" ({why})" if why else "")
        summ = summ[summ["policy"].isin(applicable)]
    if len(results.policies) > 1 and len(_scenarios(results)) == 1:
        note += " " + L.text("green_note", lang)
    title = L.text(f"section_{fam}", lang) if f"section_{fam}" in L.TEXT else L.family(fam, lang)
    figure = forest_figure(summ, shown, title, lang, best, names) if shown else ""
    return f"<h2>{_esc(title)}</h2><p class='note'>{_esc(note)}</p>" + figure


def _provenance(results: Results, lang: str) -> str:
    m = results.manifest
    design = m.get("design", {})
    n = design.get("n", "?")
    return L.text("provenance", lang, version=m.get("asnsim_version", "?"), seed=design.get("seed", m.get("seed", "?")),
                  n=L.number(n, 0, lang) if isinstance(n, (int, float)) else n, reps=design.get("reps", "?"),
                  p=len(design.get("policies", [])), s=len(design.get("scenarios", [])),
                  hash=str(m.get("design_hash", ""))[:12])


def _definitions(lang: str) -> str:
    """What every outcome of the summary table means and which way is better, in report order."""
    items = "".join(f"<li><b>{_esc(o.text(lang))}</b> ({_esc(L.direction(o.direction, lang) or '–')})"
                    + (f": {_esc(o.definition.get(lang, o.definition['en']))}" if o.definition else "") + "</li>"
                    for o in OUTCOMES if o.replicate)
    return f"<details><summary>{_esc(L.text('definitions', lang))}</summary><ul class='note'>{items}</ul></details>"


def render_report(results: Results, lang: str = "en") -> str:
    """The report as one HTML string, in English (``en``) or Bahasa Indonesia (``id``)."""
    L.check_lang(lang)
    summ = results.summary
    scenarios = _scenarios(results)
    several = len(results.policies) > 1
    names = short_names(results.policies)
    parts = [f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>asnsim compare</title>"
             f"<style>{_CSS}</style></head><body>",
             f"<h1>{_esc(L.text('report_title', lang))}</h1>",
             f"<p class='note'>{_esc(_provenance(results, lang))}</p>"]
    if not results.complete:
        parts.append(f"<p>{L.text('incomplete', lang)}</p>")
    sweep = sweep_figure(results, lang)
    if sweep:
        parts.append(f"<h2>{_esc(L.text('sweep_h', lang))}</h2>" + sweep)
    parts.append(f"<h2>{_esc(L.text('verdicts_h', lang))}</h2>")
    if several:
        variants = ""
        if names != {p: p for p in results.policies}:
            found = [_VARIANT.match(p) for p in results.policies]
            keys = sorted({kv.partition("=")[0] for m in found for kv in m["over"].split(", ")})
            variants = " " + _esc(L.text("variants_note", lang, base=found[0]["base"], keys=", ".join(keys)))
        parts.append(f"<p class='note'>{_esc(L.text('verdicts_note', lang))} "
                     f"{L.text('reference_note', lang, ref=_esc(results.reference))}{variants}</p>")
        parts.append(verdict_html(results.verdicts(lang), scenarios, lang))
    else:
        parts.append(f"<p class='note'>{_esc(L.text('one_policy', lang))}</p>")
    parts.append(f"<p class='note'>{L.text('method_note', lang)}</p>")
    parts.append(f"<h2>{_esc(L.text('headline_h', lang))}</h2><p class='note'>{L.text('headline_note', lang)}</p>")
    parts += _headlines(results, lang, names)
    parts.append(_predikat(results, lang, names))
    if several or not sweep:
        layout = sections()
        metrics = tuple(mg for panels in layout.values() for mg in panels)
        best = best_sets(verdicts_from_replicates(results.replicates, summ, lang, metrics)) if several else {}
        for fam, panels in layout.items():
            parts.append(_section(results, fam, panels, lang, best, names))
    parts.append(_definitions(lang))
    parts.append(f"<details><summary>{_esc(L.text('full_summary', lang))}</summary>{_table(summ)}</details>")
    if several and not results.paired.empty:
        parts.append(f"<details><summary>{_esc(L.text('paired_details', lang, ref=results.reference))}</summary>"
                     + _table(results.paired.dropna(subset=["difference"])) + "</details>")
    if results.paired_scenarios is not None and not results.paired_scenarios.empty:
        parts.append(f"<details><summary>{_esc(L.text('paired_scen_details', lang))}</summary>"
                     + _table(results.paired_scenarios.dropna(subset=["difference"])) + "</details>")
    if several and not results.ranking.empty:
        parts.append(f"<details><summary>{_esc(L.text('rankings_details', lang))}</summary>"
                     + _table(results.ranking) + "</details>")
    design = results.manifest.get("design", {})
    parts.append(f"<details><summary>{_esc(L.text('design_details', lang))}</summary><table>" + "".join(
        f"<tr><td>{_esc(kind)}</td><td>{_esc(v['label'])}</td><td>{_esc(v['sha256'][:12])}</td></tr>"
        for kind in ("policies", "scenarios") for v in design.get(kind, [])) + "</table></details>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report(results: Results, path: str | Path, lang: str = "en") -> Path:
    """Write :func:`render_report` to ``path`` (UTF-8)."""
    from ..output import write_text

    return write_text(render_report(results, lang), path)


__all__ = ["FAMILIES", "forest_figure", "headline_html", "predikat_figure", "render_report",
           "sweep_figure", "verdict_html", "write_report"]
