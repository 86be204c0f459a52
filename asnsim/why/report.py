"""Self-contained HTML reports of a decomposition and of a sensitivity analysis, in English or Indonesian.

Answers first: for each outcome, how much it moved from A to B and which provisions moved it (those whose
95% interval excludes 0), or which behaviour it depends on most (and whether that lead is clear); then the
figures, the provisions or ranges, the invalid hybrids or inactive behaviours, and the full tables.
"""

from __future__ import annotations

import base64
import html

import numpy as np
import pandas as pd

from .. import labels as L
from ..plots import figure_png
from .behaviour import behaviour_label
from .figures import sensitivity_heatmap, sobol_bars, waterfall
from .policy_change import PolicyChange
from .runs import outcome_key
from .sensitivity import Sensitivity

TEXT: dict[str, dict[str, str]] = {
    "dec_title": {"en": "Why the change from {a} to {b} moved each outcome",
                  "id": "Mengapa perubahan dari {a} ke {b} menggeser setiap ukuran"},
    "dec_prov": {"en": "{k} provisions, {h} hybrids simulated, {r} replicates of {n} employees, seed {seed}, "
                       "scenario {scen}; Shapley values {method}; {sec} s.",
                 "id": "{k} ketentuan, {h} kebijakan antara disimulasikan, {r} replikasi {n} pegawai, seed {seed}, "
                       "skenario {scen}; nilai Shapley {method}; {sec} detik."},
    "exact": {"en": "exact over every hybrid", "id": "eksak atas semua kebijakan antara"},
    "permutation": {"en": "by {o} sampled orders per replicate (antithetic)",
                    "id": "dengan {o} urutan acak per replikasi (antitetik)"},
    "answers": {"en": "Answers", "id": "Jawaban"},
    "moved": {"en": "<b>{o}</b> went from {va} under {a} to {vb} under {b}: {d} (Monte Carlo SE {m}){verdict}.",
              "id": "<b>{o}</b> berubah dari {va} pada {a} menjadi {vb} pada {b}: {d} (SE Monte Carlo {m}){verdict}."},
    "better": {"en": ", better", "id": ", lebih baik"},
    "worse": {"en": ", worse", "id": ", lebih buruk"},
    "no_change": {"en": "; no change beyond Monte Carlo error", "id": "; tidak berubah melampaui galat Monte Carlo"},
    "drivers": {"en": "It moved through {list}.", "id": "Perubahan itu datang dari {list}."},
    "split_undefined": {"en": "Its split by provision is not defined: the outcome is undefined for {n} of the {m} "
                              "hybrids ({why}).",
                        "id": "Pembagiannya per ketentuan tidak terdefinisi: ukuran ini tidak terdefinisi untuk {n} "
                              "dari {m} kebijakan antara ({why})."},
    "undefined_hybrid": {"en": "for instance where no one is rated Sangat Baik", "id": "misalnya bila tak seorang "
                         "pun berpredikat Sangat Baik"},
    "no_driver": {"en": "No single provision moved it beyond Monte Carlo error.",
                  "id": "Tidak ada satu ketentuan pun yang menggesernya melampaui galat Monte Carlo."},
    "rest_zero": {"en": "The other provisions' shares are within Monte Carlo error of 0, or too small to show.",
                  "id": "Bagian ketentuan lain tidak berbeda dari 0 melampaui galat Monte Carlo, atau terlalu kecil."},
    "undefined": {"en": "<b>{o}</b>: not defined for these policies ({why}).",
                  "id": "<b>{o}</b>: tidak terdefinisi untuk kebijakan ini ({why})."},
    "provisions_h": {"en": "Provisions", "id": "Ketentuan"},
    "provisions_note": {"en": "Each provision sets these keys of {a} to their values in {b}. Provisions that cannot "
                              "be applied one without the other move together as one.",
                        "id": "Setiap ketentuan mengubah kunci berikut dari {a} menjadi nilainya di {b}. Ketentuan "
                              "yang tidak dapat diterapkan sendiri-sendiri digabung menjadi satu."},
    "invalid_note": {"en": "{n} of {m} hybrids are not valid policies (reasons below), so {merged} were merged.",
                     "id": "{n} dari {m} kebijakan antara tidak sah (alasan di bawah), sehingga {merged} digabung."},
    "invalid_list": {"en": "Invalid hybrids", "id": "Kebijakan antara yang tidak sah"},
    "waterfalls_h": {"en": "From {a} to {b}, provision by provision", "id": "Dari {a} ke {b}, ketentuan demi ketentuan"},
    "method_h": {"en": "Method", "id": "Metode"},
    "dec_method": {"en": "A provision's Shapley value is its marginal effect averaged over every order in which the "
                         "provisions could have been introduced (Shapley 1953), so it does not depend on an order "
                         "chosen; interactions are split equally. Values are computed per replicate on common random "
                         "numbers (every hybrid appraises the same people with the same raters), so they add up to "
                         "B minus A in every replicate (largest rounding gap {gap}); estimates are means over "
                         "replicates with Monte Carlo SE sd/sqrt(n) and a t interval (Morris, White & Crowther 2019).",
                   "id": "Nilai Shapley suatu ketentuan adalah pengaruh marginalnya dirata-ratakan atas semua urutan "
                         "penerapan ketentuan (Shapley 1953), sehingga tidak bergantung pada urutan yang dipilih; "
                         "interaksi dibagi rata. Nilai dihitung per replikasi dengan bilangan acak bersama (setiap "
                         "kebijakan antara menilai orang dan penilai yang sama), sehingga jumlahnya sama dengan B "
                         "dikurangi A di setiap replikasi (selisih pembulatan terbesar {gap}); perkiraan adalah "
                         "rata-rata antar-replikasi dengan SE Monte Carlo sd/akar(n) dan interval t."},
    "tables": {"en": "Tables (shapley.csv, hybrids.csv)", "id": "Tabel (shapley.csv, hybrids.csv)"},
    "sens_title": {"en": "What each outcome depends on: sensitivity to rater and indicator behaviour",
                   "id": "Apa yang memengaruhi setiap ukuran: kepekaan terhadap perilaku penilai dan indikator"},
    "sens_prov": {"en": "{p}; {g} behaviours drawn over their ranges, N = {N} (SALib's Saltelli design), {runs} "
                        "simulations of {n} employees ({r} replicate(s) per point), seed {seed}, scenario {scen}; {sec} s.",
                  "id": "{p}; {g} perilaku diundi dalam rentangnya, N = {N} (rancangan Saltelli, SALib), {runs} "
                        "simulasi {n} pegawai ({r} replikasi per titik), seed {seed}, skenario {scen}; {sec} detik."},
    "depends": {"en": "<b>{o}</b> under {p} depends most on <b>{b}</b>: {st} of its variance with interactions "
                      "(± {c}), {s1} alone{lead}.",
                "id": "<b>{o}</b> pada {p} paling dipengaruhi <b>{b}</b>: {st} ragamnya termasuk interaksi "
                      "(± {c}), {s1} sendiri{lead}."},
    "clear_lead": {"en": "; a clear lead over {b2} ({st2})", "id": "; jelas di atas {b2} ({st2})"},
    "tied": {"en": "; not separable from {b2} ({st2}) at this sample size",
             "id": "; belum dapat dibedakan dari {b2} ({st2}) pada ukuran sampel ini"},
    "flat": {"en": "<b>{o}</b> under {p}: no indices, it {why}.", "id": "<b>{o}</b> pada {p}: tanpa indeks, {why}."},
    "unmoved": {"en": "changes with none of the behaviours", "id": "tidak berubah oleh perilaku mana pun"},
    "wide": {"en": " The intervals are wide: a larger --samples narrows them.",
             "id": " Intervalnya lebar: --samples yang lebih besar mempersempitnya."},
    "inactive": {"en": "Not acting under {p} (identical outcomes across their whole range, indices exactly 0): {list}.",
                 "id": "Tidak berpengaruh pada {p} (ukuran identik di seluruh rentang, indeks tepat 0): {list}."},
    "per_policy": {"en": "<b>{o}</b> depends most on: {list}.", "id": "<b>{o}</b> paling dipengaruhi: {list}."},
    "lead_mark": {"en": "clear lead", "id": "jelas terdepan"},
    "tie_mark": {"en": "not separable from {b2}", "id": "belum terbedakan dari {b2}"},
    "no_index": {"en": "no indices", "id": "tanpa indeks"},
    "details_h": {"en": "Every policy and outcome in sentences", "id": "Setiap kebijakan dan ukuran dalam kalimat"},
    "compare_h": {"en": "Per policy, the behaviour each outcome depends on most",
                  "id": "Per kebijakan, perilaku yang paling memengaruhi setiap ukuran"},
    "col_policy": {"en": "policy", "id": "kebijakan"},
    "col_outcome": {"en": "outcome", "id": "ukuran"},
    "col_leader": {"en": "depends most on", "id": "paling dipengaruhi"},
    "col_runner": {"en": "runner-up (ST)", "id": "berikutnya (ST)"},
    "col_clear": {"en": "clear lead", "id": "jelas terdepan"},
    "col_behaviour": {"en": "behaviour", "id": "perilaku"},
    "col_key": {"en": "key", "id": "kunci"},
    "col_low": {"en": "from", "id": "dari"},
    "col_high": {"en": "to", "id": "sampai"},
    "yes": {"en": "yes", "id": "ya"},
    "no": {"en": "no, within the intervals", "id": "tidak, dalam interval"},
    "ranges_h": {"en": "Behaviours and ranges", "id": "Perilaku dan rentangnya"},
    "sens_method": {"en": "Sobol' indices split an outcome's variance over the behaviours' ranges (Sobol' 2001): S1 "
                          "is a behaviour's share alone, ST its share with every interaction; intervals are 95% "
                          "bootstrap intervals (SALib; Saltelli et al. 2010). Every point is simulated on the same "
                          "draws, so differences between points come from the behaviours alone.",
                    "id": "Indeks Sobol' membagi ragam suatu ukuran ke rentang perilaku (Sobol' 2001): S1 adalah "
                          "bagian suatu perilaku sendiri, ST bagiannya termasuk semua interaksi; interval adalah "
                          "interval bootstrap 95% (SALib). Setiap titik disimulasikan dengan undian yang sama, "
                          "sehingga perbedaan antar-titik hanya berasal dari perilaku."},
    "bars_h": {"en": "Sobol' indices under {p}", "id": "Indeks Sobol' pada {p}"},
    "sobol_table": {"en": "Table (sobol.csv)", "id": "Tabel (sobol.csv)"},
}

#: a bootstrap half-width above this makes the answer say the intervals are wide
WIDE = 0.25

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f2f2f2}td{text-align:right}td:first-child{text-align:left}img{max-width:100%}
.note{color:#555;font-size:.9em}details{margin:1em 0}ul.answers li{margin:.4em 0}"""


def t(key: str, lang: str, **fmt) -> str:
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fmt)


def _esc(x: object) -> str:
    return html.escape(str(x))


def _table(df: pd.DataFrame) -> str:
    return df.to_html(index=False, float_format=lambda v: f"{v:.4g}", na_rep="n/a", border=0)


def fmt_value(o, x: float, lang: str) -> str:
    return L.percent(x, o.decimals, lang) if o.percent else L.number(x, o.decimals, lang)


def fmt_change(o, x: float, lang: str) -> str:
    """A difference: percentage points for a share, the outcome's unit otherwise."""
    if o.percent:
        return f"{L.number(100 * x, o.decimals, lang, signed=True)} {L.text('pct_points', lang)}"
    unit = o.unit_text(lang)
    return L.number(x, o.decimals, lang, signed=True) + (f" {unit}" if unit else "")


def img(png: bytes) -> str:
    """An ``<img>`` tag embedding PNG bytes."""
    return f'<img alt="figure" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _bare(o, x: float, lang: str) -> str:
    """A spread in the unit of :func:`fmt_change`, without the unit (percentage points for a share)."""
    return L.number(100 * x if o.percent else x, o.decimals, lang)


def _page(title: str, lang: str, body: list[str]) -> str:
    return "\n".join([f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{_esc(title)}</title>"
                      f"<style>{_CSS}</style></head><body><h1>{_esc(title)}</h1>", *body, "</body></html>\n"])


def decomposition_answers(change: PolicyChange, lang: str = "en") -> list[str]:
    """One paragraph (HTML) per outcome: how much it moved from A to B, and through which provisions."""
    tab = change.shapley()
    a, b = change.a.name, change.b.name
    out = []
    for i, o in enumerate(change.outcomes):
        rows = tab[(tab.metric == o.metric) & (tab.group == o.group)]
        total = rows[rows.provision == "total"].iloc[0]
        start = float(change.start()[i])
        if not np.isfinite(total.estimate) or not np.isfinite(start):
            why = o.note.get(lang, o.note.get("en", "")) or L.NA[lang]
            out.append(t("undefined", lang, o=_esc(o.text(lang)), why=_esc(why)))
            continue
        real = np.isfinite(total.ci_low) and (total.ci_low > 0 or total.ci_high < 0)
        verdict = t("no_change", lang) if not real else ""
        if real and o.direction in (1, -1):
            verdict = t("better" if total.estimate * o.direction > 0 else "worse", lang)
        text = t("moved", lang, o=_esc(o.text(lang)), va=fmt_value(o, start, lang), a=_esc(a),
                 vb=fmt_value(o, start + total.estimate, lang), b=_esc(b), d=fmt_change(o, total.estimate, lang),
                 m=_bare(o, total.mcse, lang), verdict=verdict)
        parts = rows[rows.provision != "total"]
        if parts.estimate.isna().any():
            hyb = change.hybrids()
            hyb = hyb[(hyb.status == "evaluated") & (hyb.metric == o.metric) & (hyb.group == o.group)]
            why = o.note.get(lang) or (t("undefined_hybrid", lang) if o.basis == ("share_predikat", "Sangat Baik")
                                       else L.NA[lang])
            out.append(text + " " + t("split_undefined", lang, n=int(hyb.estimate.isna().sum()), m=len(hyb),
                                      why=_esc(why)))
            continue
        shown = np.round(np.abs(parts.estimate.to_numpy(float)) * (100 if o.percent else 1), o.decimals) > 0
        moving = parts[((parts.ci_low > 0) | (parts.ci_high < 0)) & shown]
        moving = moving.iloc[np.argsort(-moving.estimate.abs().to_numpy(), kind="stable")]
        if len(moving):
            items = [f"<b>{_esc(r.provision)}</b> {fmt_change(o, r.estimate, lang)} (± {_bare(o, r.ci_high - r.estimate, lang)})"
                     for r in moving.itertuples()]
            text += " " + t("drivers", lang, list=L.join_names(items, lang, most=6))
            if len(moving) < len(parts):
                text += " " + t("rest_zero", lang)
        else:
            text += " " + t("no_driver", lang)
        out.append(text)
    return out


def waterfall_pngs(change: PolicyChange, lang: str = "en") -> dict[int, bytes]:
    """The waterfall of every outcome defined for both policies, as PNG bytes, by outcome index."""
    start = change.start()
    return {i: figure_png(waterfall_figure(change, i, lang), dpi=100) for i in range(len(change.outcomes))
            if np.isfinite(start[i]) and np.isfinite(change.result.phi[:, :, i]).all()}


def render_decomposition(change: PolicyChange, lang: str = "en", figures: dict[int, bytes] | None = None) -> str:
    """The decomposition report as one HTML string (``figures``: :func:`waterfall_pngs`, drawn when not given)."""
    L.check_lang(lang)
    a, b, s = change.a.name, change.b.name, change.settings
    method = t("exact", lang) if s["method"] == "exact" else t("permutation", lang, o=s["orders"])
    body = [f"<p class='note'>{_esc(t('dec_prov', lang, k=len(change.players), h=s['hybrids_simulated'], r=s['reps'], n=s['n'], seed=s['seed'], scen=s['scenario'], method=method, sec=L.number(s['seconds'], 1, lang)))}</p>",
            f"<h2>{t('answers', lang)}</h2><ul class='answers'>"
            + "".join(f"<li>{p}</li>" for p in decomposition_answers(change, lang)) + "</ul>",
            f"<h2>{t('provisions_h', lang)}</h2><p class='note'>{_esc(t('provisions_note', lang, a=a, b=b))}</p>",
            _table(pd.DataFrame({"provision": [p.name for p in change.players],
                                 "keys": [", ".join(p.keys) for p in change.players]}))]
    if change.invalid:
        merged = [p.name for p in change.players if len(p.provisions) > 1]
        body.append(f"<p>{_esc(t('invalid_note', lang, n=len(change.invalid), m=2 ** len(change.provisions), merged=L.join_names(merged, lang)))}</p>")
        reasons = pd.Series(list(change.invalid.values())).value_counts()
        body.append(f"<details><summary>{t('invalid_list', lang)}</summary><ul class='note'>"
                    + "".join(f"<li>{n} x {_esc(r)}</li>" for r, n in reasons.items()) + "</ul></details>")
    body.append(f"<h2>{_esc(t('waterfalls_h', lang, a=a, b=b))}</h2>")
    tab = change.shapley()
    figures = waterfall_pngs(change, lang) if figures is None else figures
    body += [img(figures[i]) for i in sorted(figures)]
    body.append(f"<h2>{t('method_h', lang)}</h2><p class='note'>"
                f"{_esc(t('dec_method', lang, gap=f'{change.result.additivity_gap():.1e}'))}</p>")
    body.append(f"<details><summary>{t('tables', lang)}</summary>{_table(tab)}{_table(change.hybrids())}</details>")
    return _page(t("dec_title", lang, a=a, b=b), lang, body)


def waterfall_figure(change: PolicyChange, i: int, lang: str = "en"):
    """The waterfall of outcome ``i`` of a decomposition."""
    o = change.outcomes[i]
    tab = change.result.shapley_table()
    return waterfall(tab, outcome_key(o), float(change.start()[i]), change.a.name, change.b.name,
                     o.direction or 0, metric_label=o.text(lang), lang=lang, percent=o.percent, decimals=o.decimals)


def sensitivity_answers(sens: Sensitivity, lang: str = "en") -> list[str]:
    """One sentence per policy and outcome: the behaviour it depends on most, and how clearly
    (:meth:`Sensitivity.top`)."""
    top = sens.top(lang).set_index(["policy", "metric", "group"])
    out = []
    for pol, res in zip(sens.policies, sens.results):
        for o in sens.outcomes:
            key, at = outcome_key(o), (pol.name, o.metric, o.group)
            if key in res.skipped or at not in top.index:
                why = res.skipped.get(key) or t("unmoved", lang)
                out.append(t("flat", lang, o=_esc(o.text(lang)), p=_esc(pol.name), why=_esc(why)))
                continue
            lead = top.loc[at]
            tail = "" if lead.runner_up is None or pd.isna(lead.runner_up) else t(
                "clear_lead" if lead.separable else "tied", lang, b2=_esc(behaviour_label(lead.runner_up, lang)),
                st2=L.number(lead.runner_up_ST, 2, lang))
            out.append(t("depends", lang, o=_esc(o.text(lang)), p=_esc(pol.name), b=_esc(lead.label),
                         st=L.number(lead.ST, 2, lang), c=L.number(lead.ST_conf, 2, lang),
                         s1=L.number(lead.S1, 2, lang), lead=tail)
                       + (t("wide", lang) if lead.ST_conf > WIDE else ""))
        if res.inactive:
            out.append(t("inactive", lang, p=_esc(pol.name),
                         list=_esc(L.join_names([behaviour_label(x, lang) for x in res.inactive], lang, most=20))))
    return out


def sensitivity_pngs(sens: Sensitivity, lang: str = "en") -> dict[tuple[str, str], bytes]:
    """Bars per (policy, outcome) and, with several policies, heatmaps per ("", outcome): PNG bytes."""
    labels = {u.name: behaviour_label(u.name, lang) for u in sens.uncertainties}
    out: dict[tuple[str, str], bytes] = {}
    for pol, res in zip(sens.policies, sens.results):
        for o in sens.outcomes:
            if outcome_key(o) not in res.skipped:
                out[(pol.name, outcome_key(o))] = figure_png(sobol_bars(res.table, outcome_key(o), labels,
                                                                        o.text(lang), lang), dpi=100)
    if len(sens.policies) > 1:
        table = sens.table()
        keyed = table.assign(metric=_keys(table))
        for o in sens.outcomes:
            if any(outcome_key(o) not in r.skipped for r in sens.results):
                out[("", outcome_key(o))] = figure_png(sensitivity_heatmap(keyed, outcome_key(o), labels,
                                                                           o.text(lang), lang), dpi=100)
    return out


def comparison_answers(sens: Sensitivity, lang: str = "en") -> list[str]:
    """One sentence per outcome: for each policy, the behaviour it depends on most and whether it clearly leads
    (:meth:`Sensitivity.top`)."""
    top = sens.top(lang).set_index(["policy", "metric", "group"])
    out = []
    for o in sens.outcomes:
        items = []
        for pol in sens.policies:
            if (pol.name, o.metric, o.group) not in top.index:
                items.append(f"{_esc(pol.name)} {t('no_index', lang)}")
                continue
            lead = top.loc[(pol.name, o.metric, o.group)]
            mark = (t("lead_mark", lang) if lead.separable else
                    t("tie_mark", lang, b2=behaviour_label(lead.runner_up, lang)))
            items.append(f"{_esc(pol.name)} <b>{_esc(lead.label)}</b> "
                         f"(ST {L.number(lead.ST, 2, lang)} ± {L.number(lead.ST_conf, 2, lang)}; {_esc(mark)})")
        out.append(t("per_policy", lang, o=_esc(o.text(lang)), list="; ".join(items)))
    return out


def render_sensitivity(sens: Sensitivity, lang: str = "en", figures: dict | None = None) -> str:
    """The sensitivity report as one HTML string (with the comparison across policies when there are several)."""
    L.check_lang(lang)
    s = sens.settings
    names = [p.name for p in sens.policies]
    groups = len(dict.fromkeys(u.name for u in sens.uncertainties))
    body = [f"<p class='note'>{_esc(t('sens_prov', lang, p=L.join_names(names, lang, most=8), g=groups, N=s['samples'], runs=sum(s['runs']), n=s['n'], r=s['reps'], seed=s['seed'], scen=s['scenario'], sec=L.number(s['seconds'], 1, lang)))}</p>",
            f"<h2>{t('answers', lang)}</h2>"]
    sentences = "<ul class='answers'>" + "".join(f"<li>{p}</li>" for p in sensitivity_answers(sens, lang)) + "</ul>"
    if len(sens.policies) > 1:
        body.append("<ul class='answers'>" + "".join(f"<li>{p}</li>" for p in comparison_answers(sens, lang))
                    + "</ul>" + f"<details><summary>{t('details_h', lang)}</summary>{sentences}</details>")
    else:
        body.append(sentences)
    labels = {u.name: behaviour_label(u.name, lang) for u in sens.uncertainties}
    table = sens.table()
    figures = sensitivity_pngs(sens, lang) if figures is None else figures
    if len(sens.policies) > 1:
        body.append(f"<h2>{t('compare_h', lang)}</h2>")
        body.append(_table(leaders_table(sens, lang)))
        body += [img(figures[("", outcome_key(o))]) for o in sens.outcomes if ("", outcome_key(o)) in figures]
    for pol in sens.policies:
        inner = "".join(img(figures[(pol.name, outcome_key(o))]) for o in sens.outcomes
                        if (pol.name, outcome_key(o)) in figures)
        if len(sens.policies) > 1:
            body.append(f"<details><summary>{_esc(t('bars_h', lang, p=pol.name))}</summary>{inner}</details>")
        else:
            body.append(f"<h2>{_esc(t('bars_h', lang, p=pol.name))}</h2>{inner}")
    ranges = pd.DataFrame({t("col_behaviour", lang): [labels[u.name] for u in sens.uncertainties],
                           t("col_key", lang): [u.key for u in sens.uncertainties],
                           t("col_low", lang): [u.low for u in sens.uncertainties],
                           t("col_high", lang): [u.high for u in sens.uncertainties]})
    body += [f"<h2>{t('ranges_h', lang)}</h2>{_table(ranges)}",
             f"<h2>{t('method_h', lang)}</h2><p class='note'>{_esc(t('sens_method', lang))}</p>",
             f"<details><summary>{t('sobol_table', lang)}</summary>{_table(table)}</details>"]
    return _page(t("sens_title", lang), lang, body)


def leaders_table(sens: Sensitivity, lang: str = "en") -> pd.DataFrame:
    """The comparison table of the report: per policy and outcome, the leading behaviour, its total index with
    the bootstrap half-width, the runner-up and whether the lead is clear (:meth:`Sensitivity.top`), in ``lang``."""
    top = sens.top(lang)
    by_key = {outcome_key(o): o.text(lang) for o in sens.outcomes}
    runner = [("" if not isinstance(r, str) else f"{behaviour_label(r, lang)} ({L.number(st, 2, lang)})")
              for r, st in zip(top.runner_up, top.runner_up_ST)]
    return pd.DataFrame({t("col_policy", lang): top.policy, t("col_outcome", lang): [by_key[k] for k in _keys(top)],
                         t("col_leader", lang): top.label,
                         "ST": [f"{L.number(v, 2, lang)} ± {L.number(c, 2, lang)}" for v, c in zip(top.ST, top.ST_conf)],
                         t("col_runner", lang): runner,
                         t("col_clear", lang): [t("yes" if sep else "no", lang) for sep in top.separable]})


def _keys(table: pd.DataFrame) -> list[str]:
    return [m if g == "all" else f"{m}:{g}" for m, g in zip(table["metric"], table["group"])]


__all__ = ["TEXT", "comparison_answers", "decomposition_answers", "fmt_change", "fmt_value", "img", "leaders_table",
           "render_decomposition", "render_sensitivity", "sensitivity_answers", "sensitivity_pngs", "waterfall_figure", "waterfall_pngs"]
