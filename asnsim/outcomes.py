"""What each outcome of an experiment means: its family, which way is better, its unit and its labels.

One entry per metric of :func:`asnsim.metrics.replicate_metrics` that a
report, a ranking or a verdict talks about.  The rankings
(:data:`asnsim.experiment.summary.DIRECTION`), the verdicts
(:mod:`asnsim.experiment.verdict`), the report and the console tables all read
this table, so a metric is described once.  Labels come in English (``en``) and
Bahasa Indonesia (``id``).

Directions: ``+1`` higher is better, ``-1`` lower is better, ``0`` closer to
0 is better (a gap), ``None`` descriptive (a share of predikat: neither more
nor less is better in itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

#: the outcome families, in the order reports show them, with their names
FAMILIES: dict[str, dict[str, str]] = {
    "objectivity": {"en": "Objectivity", "id": "Objektivitas"},
    "reliability": {"en": "Reliability", "id": "Reliabilitas"},
    "fairness": {"en": "Fairness", "id": "Keadilan"},
    "burden": {"en": "Burden", "id": "Beban"},
    "stability": {"en": "Stability", "id": "Stabilitas"},
    "development": {"en": "Development", "id": "Pengembangan"},
    "distribution": {"en": "Predikat distribution", "id": "Sebaran predikat"},
}


@dataclass(frozen=True)
class Outcome:
    """One outcome: a metric (and group) of the replicate table, described for people.

    Attributes
    ----------
    metric, group : str
        The ``metric`` and ``group`` of the replicate and summary tables.
    family : str
        A key of :data:`FAMILIES`.
    direction : {1, -1, 0} or None
        Which way is better (see the module docstring).
    label, short : mapping of language to text
        The name used in sentences and a short one for table headers.
    unit : mapping of language to text
        The unit of a value (empty for a correlation or a coefficient).
    percent : bool
        Show values as percentages (the metric is a share).
    decimals : int
        Decimals shown (of the percentage when ``percent``).
    basis : (metric, group) or None
        A share the outcome rests on; when it is below ``min_basis`` for a
        policy, the outcome says little about that policy (few people) and
        verdicts warn.
    min_basis : float
    headline : bool
        Shown in the headline table.
    note : mapping of language to text
        Why a value can be missing.
    definition : mapping of language to text
        What the label means, when the label alone does not say it.
    """

    metric: str
    group: str
    family: str
    direction: int | None
    label: Mapping[str, str]
    short: Mapping[str, str]
    unit: Mapping[str, str] = field(default_factory=dict)
    percent: bool = False
    decimals: int = 3
    basis: tuple[str, str] | None = None
    min_basis: float = 0.0
    headline: bool = False
    note: Mapping[str, str] = field(default_factory=dict)
    definition: Mapping[str, str] = field(default_factory=dict)

    def text(self, lang: str = "en", short: bool = False) -> str:
        """The label in ``lang`` (English when missing)."""
        src = self.short if short else self.label
        return src.get(lang, src["en"])

    def unit_text(self, lang: str = "en") -> str:
        return self.unit.get(lang, self.unit.get("en", ""))


_SD = {"en": "score SD", "id": "simpangan baku skor"}
_HOURS = {"en": "hours per employee-year", "id": "jam per pegawai per tahun"}
_ONE_RATER = {"en": "needs two or more raters per ratee", "id": "perlu dua penilai atau lebih per pegawai"}
_PERIODS = {"en": "needs periodic ratings (--periods all)", "id": "perlu penilaian berkala (--periods all)"}


def _o(metric, family, direction, en, id_, short_en, short_id, group="all", **kw) -> Outcome:
    return Outcome(metric, group, family, direction, {"en": en, "id": id_}, {"en": short_en, "id": short_id}, **kw)


#: every described outcome, in report order (family by family)
OUTCOMES: tuple[Outcome, ...] = (
    _o("spearman", "objectivity", 1, "rank correlation with true performance",
       "korelasi peringkat dengan kinerja sebenarnya", "rank corr. with truth", "korelasi kinerja",
       headline=True, definition={"en": "Spearman correlation of the final score with true performance",
                                  "id": "korelasi Spearman antara skor akhir dan kinerja sebenarnya"}),
    _o("kendall", "objectivity", 1, "Kendall's tau with true performance", "tau Kendall dengan kinerja sebenarnya",
       "Kendall tau", "tau Kendall"),
    _o("topk_precision", "objectivity", 1, "top-10% precision", "ketepatan 10% teratas", "top-10% precision",
       "ketepatan 10% teratas", percent=True, decimals=1,
       definition={"en": "share of the top-scored 10% who are truly in the top 10%",
                   "id": "porsi 10% skor tertinggi yang sebenarnya termasuk 10% terbaik"}),
    _o("share_sb_wrongly_given", "objectivity", -1, "undeserved Sangat Baik", "Sangat Baik yang tidak layak",
       "SB undeserved", "SB tidak layak", percent=True, decimals=1, basis=("share_predikat", "Sangat Baik"),
       min_basis=0.02, headline=True,
       definition={"en": "share of those rated Sangat Baik who are not truly in the top 10%",
                   "id": "porsi penerima Sangat Baik yang sebenarnya tidak termasuk 10% terbaik"}),
    _o("share_sb_wrongly_denied", "objectivity", -1, "Sangat Baik wrongly denied", "Sangat Baik yang terlewat",
       "SB denied", "SB terlewat", percent=True, decimals=1,
       definition={"en": "share of the truly top 10% not rated Sangat Baik",
                   "id": "porsi 10% terbaik sebenarnya yang tidak mendapat Sangat Baik"}),
    _o("predikat_agreement", "objectivity", 1, "predikat equal to the truth-based predikat",
       "predikat sama dengan predikat menurut kinerja sebenarnya", "predikat = truth", "predikat tepat",
       percent=True, decimals=1),
    _o("predikat_too_high", "objectivity", -1, "predikat above the truth-based predikat",
       "predikat di atas predikat menurut kinerja sebenarnya", "predikat too high", "predikat terlalu tinggi",
       percent=True, decimals=1),
    _o("predikat_too_low", "objectivity", -1, "predikat below the truth-based predikat",
       "predikat di bawah predikat menurut kinerja sebenarnya", "predikat too low", "predikat terlalu rendah",
       percent=True, decimals=1),
    _o("rmse_standardized", "objectivity", -1, "standardized score error (RMSE)", "galat skor terbakukan (RMSE)",
       "RMSE", "RMSE", unit=_SD),
    _o("share_predikat", "distribution", None, "rated Sangat Baik", "berpredikat Sangat Baik", "share SB",
       "porsi SB", group="Sangat Baik", percent=True, decimals=1, headline=True),
    _o("share_at_least_baik", "distribution", None, "rated Baik or better", "berpredikat Baik ke atas",
       "share >= Baik", "porsi >= Baik", percent=True, decimals=1, headline=True),
    _o("icc1", "reliability", 1, "inter-rater agreement, ICC(1)", "kesepakatan antar-penilai, ICC(1)",
       "ICC(1)", "ICC(1)", headline=True, note=_ONE_RATER),
    _o("krippendorff_alpha_interval", "reliability", 1, "Krippendorff's alpha (interval)",
       "alfa Krippendorff (interval)", "alpha (interval)", "alfa (interval)", note=_ONE_RATER),
    _o("krippendorff_alpha_ordinal", "reliability", 1, "Krippendorff's alpha (ordinal)",
       "alfa Krippendorff (ordinal)", "alpha (ordinal)", "alfa (ordinal)", note=_ONE_RATER),
    _o("favouritism_premium", "fairness", 0, "favouritism premium", "keuntungan kedekatan", "favouritism premium",
       "keuntungan kedekatan", unit=_SD, headline=True,
       definition={"en": "score gained by closeness to the superior, at equal true performance",
                   "id": "tambahan skor karena dekat dengan atasan, pada kinerja sebenarnya yang sama"}),
    _o("unit_context_penalty", "fairness", 0, "unit context slope", "pengaruh kondisi unit", "unit context",
       "kondisi unit", unit=_SD,
       definition={"en": "score change per unit of unit context (difficulty, resources), at equal true performance",
                   "id": "perubahan skor per satuan kondisi unit (kesulitan, sumber daya), pada kinerja yang sama"}),
    _o("sex_gap_conditional", "fairness", 0, "score gap of women over men at equal true performance",
       "selisih skor perempuan terhadap laki-laki pada kinerja yang sama", "sex gap F-M", "selisih P-L",
       group="F-M", unit=_SD, headline=True),
    _o("sex_gap_raw", "fairness", 0, "raw score gap of women over men", "selisih skor mentah perempuan terhadap laki-laki",
       "sex gap F-M (raw)", "selisih P-L (mentah)", group="F-M", unit=_SD),
    _o("rater_hours", "burden", -1, "rater hours", "jam kerja penilai", "rater hours", "jam penilai",
       unit=_HOURS, decimals=2, headline=True),
    _o("ratee_hours", "burden", -1, "ratee hours", "jam kerja pegawai yang dinilai", "ratee hours",
       "jam yang dinilai", unit=_HOURS, decimals=2),
    _o("predikat_flip_rate", "stability", -1, "predikat changes between consecutive periods",
       "perubahan predikat antar-periode", "predikat flips", "predikat berubah", percent=True, decimals=1,
       note=_PERIODS),
    _o("period_rank_correlation", "stability", 1, "rank correlation between consecutive periods",
       "korelasi peringkat antar-periode", "period rank corr.", "korelasi antar-periode", note=_PERIODS),
    _o("true_performance_gain", "development", 1, "true performance gain over the year",
       "kenaikan kinerja sebenarnya dalam setahun", "true perf. gain", "kenaikan kinerja",
       unit={"en": "SD of true performance", "id": "simpangan baku kinerja sebenarnya"}, headline=True,
       definition={"en": "how much true performance rose over the year through feedback and training (Gayungan, "
                         "seed 001); 0 for designs without them. A benefit, not a rating error: objectivity is "
                         "measured against the truth at the time of rating",
                   "id": "seberapa besar kinerja sebenarnya naik dalam setahun berkat umpan balik dan pelatihan "
                         "(Gayungan, seed 001); 0 untuk rancangan tanpa keduanya. Ini manfaat, bukan kesalahan "
                         "penilaian: objektivitas diukur terhadap kinerja sebenarnya pada saat penilaian"}),
)

#: the outcomes each verdict covers, family by family (a verdict sentence each)
VERDICT_METRICS: tuple[tuple[str, str], ...] = (
    ("spearman", "all"), ("share_sb_wrongly_given", "all"), ("icc1", "all"),
    ("favouritism_premium", "all"), ("sex_gap_conditional", "F-M"), ("rater_hours", "all"),
    ("true_performance_gain", "all"),
)


def outcome(metric: str, group: str | None = None) -> Outcome | None:
    """The :class:`Outcome` of ``metric`` (and ``group``, when given), or None."""
    for o in OUTCOMES:
        if o.metric == metric and (group is None or o.group == group):
            return o
    return None


def directions() -> dict[str, int]:
    """``metric -> direction`` for every outcome with a direction (what rankings use)."""
    return {o.metric: o.direction for o in OUTCOMES if o.direction is not None}


def headline_outcomes() -> tuple[Outcome, ...]:
    """The outcomes of the headline table, in order."""
    return tuple(o for o in OUTCOMES if o.headline)


__all__ = ["FAMILIES", "OUTCOMES", "Outcome", "VERDICT_METRICS", "directions", "headline_outcomes", "outcome"]
