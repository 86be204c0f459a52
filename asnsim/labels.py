"""Every text a person reads, in English (``en``) and Bahasa Indonesia (``id``), and how numbers are written.

Reports, console tables, figures and the widgets take their words from here
(outcome names, families and directions live with the outcomes in
:mod:`asnsim.outcomes`).  Numbers follow the language's convention through
Babel's CLDR data: ``1,234.5`` in English, ``1.234,5`` in Indonesian (decimal
comma, thousands dot).  Predikat names keep their legal Indonesian form in both
languages.

Examples
--------
>>> number(1234.5678, 2, "id"), number(0.5, 3), percent(0.0081, 1, "id")
('1.234,57', '0.500', '0,8%')
>>> text("direction_up", "id")
'makin tinggi makin baik'
"""

from __future__ import annotations

import math

from . import columns as C
from .errors import AsnsimError

LANGS = ("en", "id")
_LOCALE = {"en": "en", "id": "id_ID"}
NA = {"en": "n/a", "id": "–"}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise :class:`~asnsim.errors.AsnsimError`."""
    if lang not in LANGS:
        raise AsnsimError(f"--lang must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang


def number(x: float, decimals: int = 3, lang: str = "en", signed: bool = False) -> str:
    """``x`` with ``decimals`` decimals in the language's convention; ``n/a`` (``–``) when not finite."""
    from babel.numbers import format_decimal

    if x is None or not math.isfinite(float(x)):
        return NA.get(lang, "n/a")
    x = round(float(x), decimals) + 0.0  # no "-0.000"
    body = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    pattern = f"+{body};-{body}" if signed and x != 0 else body
    return format_decimal(x, format=pattern, locale=_LOCALE.get(lang, "en"))


def percent(x: float, decimals: int = 1, lang: str = "en", signed: bool = False) -> str:
    """A share as a percentage: ``percent(0.572) == '57.2%'``, ``'57,2%'`` in Indonesian."""
    if x is None or not math.isfinite(float(x)):
        return NA.get(lang, "n/a")
    return number(100 * float(x), decimals, lang, signed) + "%"


def join_names(names: list[str], lang: str = "en", most: int = 5) -> str:
    """``a, b and c`` (``a, b dan c``); beyond ``most`` names, ``a, b, c, d and 7 others``."""
    names = [str(n) for n in names]
    if len(names) > most:
        names = names[:most - 1] + [text("n_others", lang, n=len(names) - most + 1)]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + f" {text('and', lang)} " + names[-1]


def family(name: str, lang: str = "en") -> str:
    from .outcomes import FAMILIES

    return FAMILIES.get(name, {}).get(lang, name)


def direction(d: int | None, lang: str = "en") -> str:
    """``higher is better`` / ``lower is better`` / ``closer to 0 is better`` (empty for None)."""
    return "" if d is None else text({1: "direction_up", -1: "direction_down", 0: "direction_zero"}[d], lang)


def arrow(d: int | None) -> str:
    """A compact direction mark for table headers: ``↑``, ``↓``, ``→0``."""
    return {1: "↑", -1: "↓", 0: "→0"}.get(d, "")


def worse_word(d: int, lang: str = "en") -> str:
    """How a policy behind the leader differs: lower (higher is better), higher, further from 0."""
    return text({1: "worse_up", -1: "worse_down", 0: "worse_zero"}[d], lang)


def text(key: str, lang: str = "en", **fmt) -> str:
    """The text ``key`` in ``lang`` (English when missing), formatted with ``fmt``."""
    entry = TEXT[key]
    return entry.get(lang, entry["en"]).format(**fmt)


TEXT: dict[str, dict[str, str]] = {
    # words
    "and": {"en": "and", "id": "dan"},
    "n_others": {"en": "{n} others", "id": "{n} lainnya"},
    "all_n": {"en": "all {n} policies", "id": "semua {n} kebijakan"},
    "pct_points": {"en": "percentage points", "id": "poin persentase"},
    "policy": {"en": "policy", "id": "kebijakan"},
    "scenario": {"en": "scenario", "id": "skenario"},
    "direction_up": {"en": "higher is better", "id": "makin tinggi makin baik"},
    "direction_down": {"en": "lower is better", "id": "makin rendah makin baik"},
    "direction_zero": {"en": "closer to 0 is better", "id": "makin dekat ke 0 makin baik"},
    "worse_up": {"en": "lower", "id": "lebih rendah"},
    "worse_down": {"en": "higher", "id": "lebih tinggi"},
    "worse_zero": {"en": "further from 0", "id": "lebih jauh dari 0"},
    # verdict sentences (asnsim.experiment.verdict)
    "verdict_head": {"en": "{family}, {label} ({unit}{direction}): ", "id": "{family}, {label} ({unit}{direction}): "},
    "verdict_clear": {"en": "{name} is best ({value})", "id": "{name} terbaik ({value})"},
    "verdict_single": {"en": "only {name} has a value ({value})",
                       "id": "hanya {name} yang memiliki nilai ({value})"},
    "verdict_tie": {"en": "{names} tie for best ({value} each)",
                    "id": "{names} sama-sama terbaik (masing-masing {value})"},
    "verdict_tie_all": {"en": "all {n} are equal ({value} each)", "id": "semua {n} kebijakan sama ({value})"},
    "verdict_tie_both": {"en": "the two are equal ({value} each)", "id": "keduanya sama (masing-masing {value})"},
    "verdict_inseparable": {"en": "{names} cannot be separated ({low} to {high})",
                            "id": "{names} tidak dapat dibedakan ({low} s.d. {high})"},
    "verdict_both": {"en": "the two cannot be separated ({low} to {high})",
                     "id": "keduanya tidak dapat dibedakan ({low} s.d. {high})"},
    "verdict_all": {"en": "no policy stands out: all {n} lie between {low} and {high}, within Monte Carlo "
                          "error of the best",
                    "id": "tidak ada kebijakan yang menonjol: semua {n} kebijakan berada antara {low} dan {high}, "
                          "masih dalam galat Monte Carlo dari yang terbaik"},
    "verdict_margin": {"en": "; the closest one clearly behind, {name} ({value}), is {margin} {worse} "
                             "({level}% interval of the gap {low} to {high}).",
                       "id": "; kebijakan berikutnya yang jelas tertinggal, {name} ({value}), {margin} {worse} "
                             "(interval {level}% selisihnya {low} s.d. {high})."},
    "verdict_margin_exact": {"en": "; the next, {name} ({value}), is {margin} {worse} in every replicate.",
                             "id": "; berikutnya, {name} ({value}), {margin} {worse} di setiap ulangan."},
    "verdict_na": {"en": " Not applicable to {n} policies ({note}).",
                   "id": " Tidak berlaku untuk {n} kebijakan ({note})."},
    "verdict_none": {"en": "not applicable to any policy ({note}).",
                     "id": "tidak berlaku untuk kebijakan mana pun ({note})."},
    "warn_tiny_share": {
        "en": "Caution: under {names}, fewer than {limit} of employees are rated {group}, so this outcome rests "
              "on very few people there.",
        "id": "Perhatian: pada {names}, kurang dari {limit} pegawai berpredikat {group}, sehingga ukuran ini "
              "bertumpu pada sangat sedikit orang."},
    # the experiment report (asnsim.experiment.report) and console
    "report_title": {"en": "asnsim: policy comparison", "id": "asnsim: perbandingan kebijakan penilaian kinerja"},
    "provenance": {"en": "asnsim {version}; seed {seed}; {n} employees per organisation; {reps} replicates per "
                         "scenario; {p} policies x {s} scenarios; design hash {hash}.",
                   "id": "asnsim {version}; seed {seed}; {n} pegawai per organisasi; {reps} ulangan per skenario; "
                         "{p} kebijakan x {s} skenario; hash rancangan {hash}."},
    "incomplete": {"en": "<b>Incomplete run:</b> summarised from the replicates finished so far.",
                   "id": "<b>Hasil belum lengkap:</b> diringkas dari ulangan yang sudah selesai."},
    "method_note": {
        "en": "Every policy meets the same simulated population and raters in each replicate (common random "
              "numbers), so policy differences are paired. Estimates are means over replicates; brackets and error "
              "bars are Monte Carlo standard errors and 95% intervals (Morris, White &amp; Crowther 2019). An "
              "interval describes simulation error only, not how well the model matches a real organisation.",
        "id": "Setiap kebijakan diterapkan pada populasi dan penilai simulasi yang sama di setiap ulangan "
              "(bilangan acak bersama), sehingga selisih antarkebijakan bersifat berpasangan. Perkiraan adalah "
              "rata-rata atas ulangan; angka dalam kurung dan garis galat adalah galat baku Monte Carlo dan "
              "interval 95% (Morris, White &amp; Crowther 2019). Interval hanya menggambarkan galat simulasi, "
              "bukan seberapa cocok model dengan organisasi nyata."},
    "verdicts_h": {"en": "Verdicts", "id": "Kesimpulan"},
    "verdicts_note": {
        "en": "For each outcome, the best policy, or the policies that cannot be told apart from it: a policy is "
              "counted with the best when the 95% interval of its paired difference from the leader (same people, "
              "same raters) includes no difference. Equal values are ties. The gap to the next policy is in the "
              "outcome's unit.",
        "id": "Untuk setiap ukuran: kebijakan terbaik, atau kebijakan yang tidak dapat dibedakan darinya. Sebuah "
              "kebijakan dihitung setara dengan yang terbaik bila interval 95% selisih berpasangannya dengan "
              "kebijakan teratas (pegawai dan penilai yang sama) mencakup nol. Nilai yang sama persis dihitung "
              "seri. Selisih dengan kebijakan berikutnya dinyatakan dalam satuan ukuran tersebut."},
    "reference_note": {
        "en": "Paired differences (paired.csv) are each policy minus the reference policy, <b>{ref}</b>; "
              "choose another with --reference.",
        "id": "Selisih berpasangan (paired.csv) adalah setiap kebijakan dikurangi kebijakan acuan, <b>{ref}</b>; "
              "pilih acuan lain dengan --reference."},
    "one_policy": {"en": "One policy: nothing to compare it with, so there are no verdicts.",
                   "id": "Satu kebijakan: tidak ada pembandingnya, sehingga tidak ada kesimpulan."},
    "outcome": {"en": "outcome", "id": "ukuran"},
    "headline_h": {"en": "Headline", "id": "Ringkasan utama"},
    "headline_note": {
        "en": "Estimate (Monte Carlo SE); shares in percent. <b>Bold</b>: the best value, or one that cannot be "
              "separated from it (see the verdicts); nothing is bold where no policy stands out. ↑ higher is "
              "better, ↓ lower is better, →0 closer to 0 is better; n/a: does not apply to the design.",
        "id": "Perkiraan (galat baku Monte Carlo); porsi dalam persen. <b>Tebal</b>: nilai terbaik, atau yang "
              "tidak dapat dibedakan darinya (lihat kesimpulan); tidak ada yang tebal bila tidak ada kebijakan yang "
              "menonjol. ↑ makin tinggi makin baik, ↓ makin rendah makin baik, →0 makin dekat ke 0 makin baik; "
              "–: tidak berlaku untuk rancangan tersebut."},
    "console_legend": {
        "en": "estimate (Monte Carlo SE); * best or not separable from the best; ↑ higher is better, ↓ lower is "
              "better, →0 closer to 0 is better",
        "id": "perkiraan (galat baku Monte Carlo); * terbaik atau tidak dapat dibedakan dari yang terbaik; "
              "↑ makin tinggi makin baik, ↓ makin rendah makin baik, →0 makin dekat ke 0 makin baik"},
    "predikat_h": {"en": "Predikat distribution", "id": "Sebaran predikat"},
    "predikat_note": {"en": "Percent of employees in each predikat, mean over replicates (Monte Carlo SE in "
                            "brackets).",
                      "id": "Persentase pegawai pada setiap predikat, rata-rata atas ulangan (galat baku Monte "
                            "Carlo dalam kurung)."},
    "predikat_console": {"en": "predikat distribution (% of employees, mean over replicates; Monte Carlo SE)",
                         "id": "sebaran predikat (% pegawai, rata-rata atas ulangan; galat baku Monte Carlo)"},
    "note_objectivity": {"en": "How well the final score and predikat recover true performance (simulation truth).",
                         "id": "Seberapa baik skor akhir dan predikat mencerminkan kinerja sebenarnya (yang "
                               "diketahui dalam simulasi)."},
    "note_reliability": {"en": "Agreement among raters of the same ratee and item.",
                         "id": "Kesepakatan antar-penilai untuk pegawai dan butir yang sama."},
    "note_fairness": {"en": "Score differences not explained by true performance; 0 is fair.",
                      "id": "Selisih skor yang tidak dijelaskan oleh kinerja sebenarnya; 0 berarti adil."},
    "note_burden": {"en": "Time the design costs (policy burden parameters x panels x rounds).",
                    "id": "Waktu yang dibutuhkan rancangan (parameter beban kebijakan x jumlah penilai x putaran "
                          "penilaian)."},
    "note_development": {
        "en": "Flips: how often the predikat changes between periods (needs periodic ratings: compare --periods "
              "all). Gain: how much true performance rose over the year through feedback and training (Gayungan, "
              "seed 001), 0 for designs without them; a benefit, not a rating error, since objectivity is "
              "measured against the truth at the time of rating.",
        "id": "Perubahan predikat: seberapa sering predikat berubah antar-periode (perlu penilaian berkala: "
              "compare --periods all). Kenaikan: seberapa besar kinerja sebenarnya naik dalam setahun berkat umpan "
              "balik dan pelatihan (Gayungan, seed 001), 0 untuk rancangan tanpa keduanya; ini manfaat, bukan "
              "kesalahan penilaian, karena objektivitas diukur terhadap kinerja sebenarnya pada saat penilaian."},
    "section_development": {"en": "Stability and development", "id": "Stabilitas dan pengembangan"},
    "rows_left_out": {"en": "No values for {names}{why}.", "id": "Tidak ada nilai untuk {names}{why}."},
    "green_note": {"en": "Green: the best, or not separable from the best.",
                   "id": "Hijau: terbaik, atau tidak dapat dibedakan dari yang terbaik."},
    "variants_note": {"en": "The policies are variants of {base} that differ in {keys}; they are named by the "
                            "value.",
                      "id": "Kebijakan-kebijakan ini adalah variasi dari {base} yang berbeda pada {keys}; namanya "
                            "adalah nilainya."},
    "not_shown": {"en": "Not applicable in this design: {names}.", "id": "Tidak berlaku pada rancangan ini: {names}."},
    "sweep_h": {"en": "Sweep", "id": "Variasi parameter"},
    "sweep_title": {"en": "Sweep over {swept} (bands: 95% Monte Carlo intervals)",
                    "id": "Variasi {swept} (pita: interval Monte Carlo 95%)"},
    "scenario_is": {"en": "scenario: {name}", "id": "skenario: {name}"},
    "first_scenario_only": {"en": "Shown for the first of {n} scenarios; every scenario is in summary.csv.",
                            "id": "Ditampilkan untuk skenario pertama dari {n} skenario; semua skenario ada di "
                                  "summary.csv."},
    "full_summary": {"en": "Full summary table", "id": "Tabel ringkasan lengkap"},
    "paired_details": {"en": "Paired differences (each policy minus {ref})",
                       "id": "Selisih berpasangan (setiap kebijakan dikurangi {ref})"},
    "paired_scen_details": {"en": "Paired scenario differences (scenario minus the first scenario, same random "
                                  "numbers)",
                            "id": "Selisih skenario berpasangan (skenario dikurangi skenario pertama, bilangan acak "
                                  "yang sama)"},
    "rankings_details": {"en": "All rankings (mean rank over replicates, its 95% range, share of replicates "
                               "ranked first)",
                         "id": "Semua peringkat (rata-rata peringkat atas ulangan, rentang 95%, porsi ulangan "
                               "sebagai yang pertama)"},
    "design_details": {"en": "Design", "id": "Rancangan"},
    "definitions": {"en": "What the outcomes mean", "id": "Arti setiap ukuran"},
    "verdicts_console": {"en": "verdicts", "id": "kesimpulan"},
    "compare_title": {"en": "{p} policies x {s} scenarios x {r} replicates of {size}, seed {seed}",
                      "id": "{p} kebijakan x {s} skenario x {r} ulangan, {size}, seed {seed}"},
    "n_employees": {"en": "{n} employees", "id": "{n} pegawai"},
    "preset_employees": {"en": "the {name} preset ({n} employees)", "id": "ukuran {name} ({n} pegawai)"},
    "all_policies": {"en": "all", "id": "semua"},
    "demo_title": {"en": "asnsim demo: {policies} policies on a synthetic city of {n} ASN, scenario '{scenario}', "
                         "{reps} replicates, seed {seed}",
                   "id": "asnsim demo: {policies} kebijakan pada kota tiruan dengan {n} ASN, skenario '{scenario}', "
                         "{reps} ulangan, seed {seed}"},
    "demo_eta": {"en": "asnsim demo: {p} policies x {reps} replicates of a city of {n} ASN on {workers} worker(s): "
                       "about {eta} s on idle cores, longer on a shared machine; the bar below shows the time left",
                 "id": "asnsim demo: {p} kebijakan x {reps} ulangan, kota tiruan dengan {n} ASN, {workers} proses: "
                       "sekitar {eta} detik bila komputer tidak sedang dipakai, lebih lama bila sedang dipakai; "
                       "bilah di bawah menunjukkan sisa waktunya"},
    "seconds_files": {"en": "{seconds} s; files in {out}/: {files}", "id": "{seconds} detik; berkas di {out}/: {files}"},
    # the workshop (asnsim.workshop, notebook 05)
    "ws_title": {"id": "Lokakarya: apa yang mengubah predikat?", "en": "Workshop: what changes a predikat?"},
    "ws_policy": {"id": "Cara menilai", "en": "How staff are rated"},
    "ws_employee": {"id": "Pegawai", "en": "Employee"},
    "ws_close": {"id": "Dekat dengan atasan", "en": "Close to the superior"},
    "ws_truth": {"id": "Kinerja sebenarnya: lebih baik dari", "en": "True performance: better than"},
    "ws_of_staff": {"id": "{pct}% pegawai", "en": "{pct}% of staff"},
    "ws_score": {"id": "Skor simulasi", "en": "Simulated score"},
    "ws_yes": {"id": "ya", "en": "yes"}, "ws_no": {"id": "tidak", "en": "no"},
    "ws_same_work": {"id": "<b>Kinerja Bu Sari dan Pak Budi sama</b>: keduanya lebih baik dari {pct}% pegawai.",
                  "en": "<b>Bu Sari and Pak Budi do equally good work</b>: both are better than {pct}% of staff."},
    "ws_similar_work": {"id": "<b>Kinerja Bu Sari dan Pak Budi hampir sama</b>: Bu Sari lebih baik dari {p1}% "
                               "pegawai, Pak Budi dari {p2}%.",
                         "en": "<b>Bu Sari and Pak Budi do almost equally good work</b>: Bu Sari is better than "
                               "{p1}% of staff, Pak Budi than {p2}%."},
    "ws_treated_alike": {"id": "Skor simulasi keduanya {s} dan predikat keduanya <b>{p}</b>: penilaian memperlakukan "
                            "mereka sama.",
                      "en": "Both have a simulated score of {s} and the predikat <b>{p}</b>: the appraisal treats "
                            "them alike."},
    "ws_same_predikat": {"id": "Skor simulasi Bu Sari {s1}, Pak Budi {s2}; predikat keduanya masih <b>{p}</b>.",
                      "en": "Bu Sari's simulated score is {s1}, Pak Budi's {s2}; both still get <b>{p}</b>."},
    "ws_different": {"id": "Tetapi predikat Bu Sari <b>{p1}</b>, sedangkan Pak Budi <b>{p2}</b> (skor simulasi {s1} "
                        "dan {s2}).",
                  "en": "But Bu Sari gets <b>{p1}</b> and Pak Budi <b>{p2}</b> (simulated scores {s1} and {s2})."},
    "ws_why_closeness": {"id": "Yang membedakan hanya kedekatan Bu Sari dengan atasannya.",
                      "en": "The only difference is Bu Sari's closeness to her superior."},
    "ws_why_raters": {"id": "Yang membedakan hanya atasan mereka: ada yang murah nilai, ada yang pelit.",
                   "en": "The only difference is their superiors: some are lenient, some severe."},
    "ws_why_both": {"id": "Yang membedakan adalah kedekatan Bu Sari dengan atasannya dan perbedaan antar-atasan.",
                 "en": "What differs is Bu Sari's closeness to her superior and how their superiors rate."},
    "ws_why_measurement": {"id": "Dengan cara menilai ini, indikator juga diukur tidak sempurna, sehingga orang yang "
                              "kinerjanya sama bisa mendapat skor yang sedikit berbeda.",
                        "en": "With this way of rating, indicators are measured imperfectly too, so equal work can "
                              "get slightly different scores."},
    # figures (asnsim.plots)
    "share": {"en": "% of employees", "id": "% pegawai"},
    "points": {"en": "points", "id": "poin"},
    "predikat_title": {"en": "Predikat distribution", "id": "Sebaran predikat"},
    "truth": {"en": "True performance (standard deviations from the average)",
              "id": "Kinerja sebenarnya (simpangan baku dari rata-rata)"},
    "final_score": {"en": "Final score (policy scale)", "id": "Skor simulasi"},
    "svt_title": {"en": "Score vs true performance: Spearman rho = {rho}",
                  "id": "Skor simulasi dan kinerja sebenarnya\nkesesuaian urutan: {rho} (1 = sempurna)"},
    "sb_share": {"en": "% rated Sangat Baik", "id": "% berpredikat Sangat Baik"},
    "baik_share": {"en": "% rated Baik or better", "id": "% berpredikat Baik ke atas"},
    "fair_title": {"en": "Predikat by {group}", "id": "Predikat menurut {group}"},
    "estimate": {"en": "estimate (95% interval)", "id": "perkiraan (interval 95%)"},
    "not_applicable": {"en": "not applicable", "id": "tidak berlaku"},
    # widgets (asnsim.widgets)
    "computing": {"en": "computing...", "id": "menghitung..."},
    "base_policy": {"en": "base policy", "id": "kebijakan dasar"},
    "your_design": {"en": "your design", "id": "rancangan Anda"},
    "rubric_title": {"en": "Rubric designer", "id": "Perancang rubrik"},
    "design_title": {"en": "Predikat: {base} vs your design ({changes})",
                     "id": "Predikat: {base} dan rancangan Anda ({changes})"},
    "no_change": {"en": "no change yet", "id": "belum ada perubahan"},
    "yes": {"en": "yes", "id": "ya"},
    "no": {"en": "no", "id": "tidak"},
    "run": {"en": "Run", "id": "Jalankan"},
    "left_out": {"en": "not shown: {n} policies ({why})", "id": "tidak ditampilkan: {n} kebijakan ({why})"},
}

#: Display names of grouping columns and their values.
GROUP_NAMES: dict[str, dict[str, str]] = {
    C.CLOSENESS: {"en": "closeness to the superior", "id": "kedekatan dengan atasan"},
    C.SEX: {"en": "sex", "id": "jenis kelamin"},
    C.AGE_BAND: {"en": "age band", "id": "kelompok umur"},
    C.POSITION_CLASS: {"en": "position type", "id": "jenis jabatan"},
    C.UNIT_TYPE: {"en": "unit type", "id": "jenis unit"},
}
GROUP_VALUES: dict[str, dict[str, dict[object, str]]] = {
    C.CLOSENESS: {"en": {0: "not close", 1: "close"}, "id": {0: "tidak dekat", 1: "dekat"}},
    C.SEX: {"en": {"F": "women", "M": "men"}, "id": {"F": "perempuan", "M": "laki-laki"}},
}


#: Labels of the scenario parameters that belong to no rater effect; the rater effects' own labels come from
#: the registry (:func:`asnsim.effects.param_labels`).  Read :data:`PARAM_LABELS`.
OTHER_PARAM_LABELS: dict[str, dict[str, str]] = {
    "peers": {"en": "Peers per ratee", "id": "Jumlah rekan penilai"},
    "stakeholders": {"en": "Stakeholders per ratee", "id": "Jumlah pemangku kepentingan penilai"},
    "unit_context_sd": {"en": "Unit context spread (SD)", "id": "Perbedaan kondisi unit (simpangan baku)"},
    "share_close": {"en": "Share close to the superior", "id": "Porsi pegawai dekat dengan atasan"},
}


#: Labels of the notebooks' controls (rubric designer, bias lab), ``{"en": ..., "id": ...}`` each; some take
#: ``{name}`` (see :func:`label`).
CONTROL_LABELS: dict[str, dict[str, str]] = {
    "weight": {"en": "Weight: {name}", "id": "Bobot: {name}"},
    "weight_help": {"en": "Weights are renormalized to sum to 1.", "id": "Bobot dinormalkan agar berjumlah 1."},
    "panel": {"en": "Raters", "id": "Penilai"},
    "panel.atasan": {"en": "Direct superior only", "id": "Atasan langsung saja"},
    "panel.atasan_self": {"en": "Superior 70% + self 30%", "id": "Atasan 70% + diri sendiri 30%"},
    "panel.atasan_rekan": {"en": "Superior 60% + peers 40%", "id": "Atasan 60% + rekan 40%"},
    "panel.360": {"en": "360: superior, peers, subordinates, self", "id": "360 derajat"},
    "frequency": {"en": "Periodic evaluations", "id": "Evaluasi berkala"},
    "frequency.monthly": {"en": "monthly", "id": "bulanan"},
    "frequency.quarterly": {"en": "quarterly", "id": "triwulanan"},
    "frequency.semiannual": {"en": "every six months", "id": "semesteran"},
    "frequency.annual": {"en": "annual only", "id": "tahunan saja"},
    "quota_enabled": {"en": "Enforce the kurva distribusi", "id": "Terapkan kurva distribusi"},
    "unit_predikat": {"en": "Unit predikat (quota)", "id": "Predikat unit (kuota)"},
    "unit_predikat.draw": {"en": "drawn per unit", "id": "diundi per unit"},
    "compliance_share": {"en": "Kurva in practice: share of units enforcing it",
                         "id": "Kurva dalam praktik: porsi unit yang menerapkannya"},
    "compliance_share_help": {"en": "0 in the default world (the national record); 1 is the rule as written.",
                              "id": "0 di dunia default (data nasional); 1 = aturan tertulis."},
    "compliance_mode": {"en": "Kurva in practice: who moves", "id": "Kurva dalam praktik: siapa yang dipindah"},
    "compliance_mode.down-first": {"en": "the lowest scores move down", "id": "nilai terendah turun"},
    "compliance_mode.up-first": {"en": "the highest scores move up", "id": "nilai tertinggi naik"},
    "compliance_mode.nearest": {"en": "whoever is nearest another predikat", "id": "yang terdekat ke predikat lain"},
    "bias_lab": {"en": "Rater bias lab", "id": "Lab bias penilai"},
    "no_effects": {"en": "no effects", "id": "tanpa efek"},
    "with_effects": {"en": "with your effects", "id": "dengan efek pilihan"},
    "correction": {"en": "Correction", "id": "Koreksi"},
    "correction.none": {"en": "none", "id": "tanpa koreksi"},
    "rank_raw": {"en": "rank correlation: ratee's mean rating", "id": "korelasi peringkat: rata-rata nilai"},
    "rank_adjusted": {"en": "rank correlation: after correction", "id": "korelasi peringkat: setelah koreksi"},
}


def label(key: str, **fmt) -> dict[str, str]:
    """A control's label in every language (``{"en": ..., "id": ...}``), formatted with ``fmt``.

    Examples
    --------
    >>> label("weight", name="hasil kerja")["id"]
    'Bobot: hasil kerja'
    """
    return {lang: t.format(**fmt) if fmt else t for lang, t in CONTROL_LABELS[key].items()}


def param_labels() -> dict[str, dict[str, str]]:
    """Labels of scenario parameters (the controls of the bias lab): every registered rater effect's
    parameters, then :data:`OTHER_PARAM_LABELS`; a parameter without one is labelled by its name."""
    from .effects import param_labels as effect_labels  # numpy: imported when a label is asked for

    return {**effect_labels(), **OTHER_PARAM_LABELS}


def __getattr__(name: str):
    """``PARAM_LABELS``: :func:`param_labels`, built on first use (light commands never load the effects)."""
    if name == "PARAM_LABELS":
        return param_labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["CONTROL_LABELS", "GROUP_NAMES", "GROUP_VALUES", "LANGS", "NA", "OTHER_PARAM_LABELS", "PARAM_LABELS",
           "TEXT", "arrow", "check_lang", "direction", "family", "join_names", "label", "number", "param_labels",
           "percent", "text", "worse_word"]
