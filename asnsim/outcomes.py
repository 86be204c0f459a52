"""The outcome registry: every outcome of an appraisal round, what it means, which way is better, how it is computed.

One entry per outcome (a ``metric`` and ``group`` of the replicate tables),
as fairlearn's ``MetricFrame(metrics={...})``, mesa's ``DataCollector``
reporters and EMA workbench's ``ScalarOutcome(kind=MAXIMIZE)`` describe
theirs.  Everything that shows or ranks outcomes iterates over
:data:`OUTCOMES`, so an outcome is described once:

- :func:`asnsim.metrics.replicate_metrics` computes one row per outcome (its
  ``compute`` function, given the round's :class:`asnsim.metrics.replicate.Round`);
- summaries, rankings (by ``direction``), paired differences and verdicts
  (headline outcomes with a direction) of :mod:`asnsim.experiment`;
- the report's headline table and its sections (``section``), the console
  tables, ``summary.xlsx``, the comparison panel of :mod:`asnsim.plots`, the
  sweep figure and the widgets' key figures (``show``);
- the outcome table of docs/metrics.md (:func:`markdown_table`; a test keeps
  the committed page equal to it);
- the explorer's objectives and the decomposition's outcomes.

Directions: ``+1`` higher is better, ``-1`` lower is better, ``0`` closer to
0 is better (a gap), ``None`` descriptive (a share of predikat: neither more
nor less is better in itself).  Every entry states its direction: there is no
default, so an outcome cannot fall out of the rankings by being forgotten.

Adding an outcome is one entry (in a plug-in module, :func:`register_outcome`;
here, for a built-in) whose ``compute`` reads the round; see
docs/contributing.md.  Labels come in English (``en``) and Bahasa Indonesia
(``id``).  Order: :data:`OUTCOMES` is the order reports show; the replicate
table keeps the order of :data:`ROW_ORDER` (fixed, so stored results stay
comparable), outcomes registered later come after it, in registration order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import methodcaller
from typing import Any, Callable, Mapping

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
#: the directions an outcome may have (``None``: descriptive)
DIRECTIONS = (1, -1, 0, None)
#: where an outcome can be shown besides the summary tables (``Outcome.show``)
SHOW = frozenset({"headline", "comparison", "sweep", "key_figure"})


@dataclass(frozen=True)
class Outcome:
    """One outcome: a metric (and group) of the replicate table, how to compute it and how to show it.

    Attributes
    ----------
    metric, group : str
        The ``metric`` and ``group`` of the replicate and summary tables.
    family : str
        A key of :data:`FAMILIES`.
    direction : {1, -1, 0} or None
        Which way is better (see the module docstring); required.
    label, short : mapping of language to text
        The name used in sentences and a short one for table headers.
    compute : callable
        ``compute(round) -> float`` (:class:`asnsim.metrics.replicate.Round`); NaN where the outcome does not
        apply.  A picklable callable (a module-level function, ``operator.methodcaller``) lets process and
        cluster workers compute it too.
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
    show : frozenset of str
        Besides the summary tables: ``headline`` (headline table and a
        verdict, when it has a direction), ``comparison`` (the comparison
        panel of :func:`asnsim.plots.comparison_panel`), ``sweep`` (the sweep
        figure), ``key_figure`` (the widgets' key figures).
    section : str or None
        The family whose report section draws the outcome's panel (None: only
        in the tables).
    replicate : bool
        A row of the replicate table (False: computed only where shown, e.g. a
        key figure of the widgets).
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
    compute: Callable[[Any], float]
    unit: Mapping[str, str] = field(default_factory=dict)
    percent: bool = False
    decimals: int = 3
    basis: tuple[str, str] | None = None
    min_basis: float = 0.0
    show: frozenset[str] = frozenset()
    section: str | None = None
    replicate: bool = True
    note: Mapping[str, str] = field(default_factory=dict)
    definition: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"outcome {self.metric}[{self.group}]"
        if self.family not in FAMILIES:
            raise ValueError(f"{where}: family {self.family!r} is not one of {', '.join(FAMILIES)}")
        if self.section is not None and self.section not in FAMILIES:
            raise ValueError(f"{where}: section {self.section!r} is not one of {', '.join(FAMILIES)}")
        if self.direction not in DIRECTIONS or isinstance(self.direction, bool):
            raise ValueError(f"{where}: direction must be 1 (higher is better), -1 (lower), 0 (closer to 0) or "
                             f"None (descriptive), got {self.direction!r}")
        if not callable(self.compute):
            raise ValueError(f"{where}: compute must be a function of the round")
        if not {"en"} <= set(self.label) or not {"en"} <= set(self.short):
            raise ValueError(f"{where}: label and short need an English ('en') text")
        object.__setattr__(self, "show", frozenset(self.show))
        if not self.show <= SHOW:
            raise ValueError(f"{where}: show {sorted(self.show - SHOW)} is not one of {sorted(SHOW)}")

    @property
    def key(self) -> tuple[str, str]:
        """``(metric, group)``."""
        return self.metric, self.group

    @property
    def headline(self) -> bool:
        return "headline" in self.show

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
_PREDIKAT_ID = {"Sangat Baik": "SB", "Baik": "B", "Butuh Perbaikan": "BP", "Kurang/Misconduct": "K",
                "Sangat Kurang": "SK"}


def _o(metric, family, direction, en, id_, short_en, short_id, compute, group="all", **kw) -> Outcome:
    return Outcome(metric, group, family, direction, {"en": en, "id": id_}, {"en": short_en, "id": short_id},
                   compute, **kw)


def _r(method: str, *args) -> methodcaller:
    """``round.method(*args)``: a picklable compute function."""
    return methodcaller(method, *args)


def _share(level: str, **kw) -> Outcome:
    short = {"Sangat Baik": ("share SB", "porsi SB")}.get(level, (f"share {level}", f"porsi {level}"))
    return _o("share_predikat", "distribution", None, f"rated {level}", f"berpredikat {level}", *short,
              _r("predikat_share", level), group=level, percent=True, decimals=1, **kw)


#: every outcome, in report order (family by family)
OUTCOMES: list[Outcome] = [
    _o("spearman", "objectivity", 1, "rank correlation with true performance",
       "korelasi peringkat dengan kinerja sebenarnya", "rank corr. with truth", "korelasi kinerja",
       _r("objectivity_value", "spearman"), show={"headline", "comparison", "sweep", "key_figure"},
       section="objectivity",
       definition={"en": "Spearman correlation of the final score with true performance",
                   "id": "korelasi Spearman antara skor akhir dan kinerja sebenarnya"}),
    _o("kendall", "objectivity", 1, "Kendall's tau with true performance", "tau Kendall dengan kinerja sebenarnya",
       "Kendall tau", "tau Kendall", _r("objectivity_value", "kendall"),
       definition={"en": "Kendall's tau-b of the final score with true performance",
                   "id": "tau-b Kendall antara skor akhir dan kinerja sebenarnya"}),
    _o("topk_precision", "objectivity", 1, "top-10% precision", "ketepatan 10% teratas", "top-10% precision",
       "ketepatan 10% teratas", _r("objectivity_value", "topk_precision"), percent=True, decimals=1,
       section="objectivity",
       definition={"en": "share of the top-scored 10% who are truly in the top 10% (ties shared out)",
                   "id": "porsi 10% skor tertinggi yang sebenarnya termasuk 10% terbaik (nilai kembar dibagi rata)"}),
    _o("predikat_agreement", "objectivity", 1, "predikat equal to the truth-based predikat",
       "predikat sama dengan predikat menurut kinerja sebenarnya", "predikat = truth", "predikat tepat",
       _r("objectivity_value", "predikat_agreement"), percent=True, decimals=1, section="objectivity",
       definition={"en": "share of employees whose predikat is the one they would get if the same predikat shares "
                         "were handed out by true performance",
                   "id": "porsi pegawai yang predikatnya sama dengan predikat menurut kinerja sebenarnya"}),
    _o("predikat_too_high", "objectivity", -1, "predikat above the truth-based predikat",
       "predikat di atas predikat menurut kinerja sebenarnya", "predikat too high", "predikat terlalu tinggi",
       _r("objectivity_value", "predikat_too_high"), percent=True, decimals=1,
       definition={"en": "share of employees whose predikat is above the truth-based one",
                   "id": "porsi pegawai yang predikatnya di atas predikat menurut kinerja sebenarnya"}),
    _o("predikat_too_low", "objectivity", -1, "predikat below the truth-based predikat",
       "predikat di bawah predikat menurut kinerja sebenarnya", "predikat too low", "predikat terlalu rendah",
       _r("objectivity_value", "predikat_too_low"), percent=True, decimals=1,
       definition={"en": "share of employees whose predikat is below the truth-based one",
                   "id": "porsi pegawai yang predikatnya di bawah predikat menurut kinerja sebenarnya"}),
    _o("share_sb_wrongly_given", "objectivity", -1, "undeserved Sangat Baik", "Sangat Baik yang tidak layak",
       "SB undeserved", "SB tidak layak", _r("objectivity_value", "share_sb_wrongly_given"), percent=True,
       decimals=1, basis=("share_predikat", "Sangat Baik"), min_basis=0.02, show={"headline"},
       section="objectivity",
       definition={"en": "share of those rated Sangat Baik who are not truly in the top 10%",
                   "id": "porsi penerima Sangat Baik yang sebenarnya tidak termasuk 10% terbaik"}),
    _o("share_sb_wrongly_denied", "objectivity", -1, "Sangat Baik wrongly denied", "Sangat Baik yang terlewat",
       "SB denied", "SB terlewat", _r("objectivity_value", "share_sb_wrongly_denied"), percent=True, decimals=1,
       definition={"en": "share of the truly top 10% not rated Sangat Baik",
                   "id": "porsi 10% terbaik sebenarnya yang tidak mendapat Sangat Baik"}),
    _o("share_top_rated_sb", "objectivity", 1, "of the truly top 10%, rated Sangat Baik",
       "dari 10% terbaik sebenarnya, yang mendapat Sangat Baik", "top 10% rated SB", "10% terbaik dapat SB",
       _r("share_top_rated_sb"), percent=True, decimals=1, show={"key_figure"}, replicate=False),
    _o("rmse_standardized", "objectivity", -1, "standardized score error (RMSE)", "galat skor terbakukan (RMSE)",
       "RMSE", "RMSE", _r("objectivity_value", "rmse_standardized"), unit=_SD,
       definition={"en": "RMSE between the z-scored final score and the z-scored true performance",
                   "id": "RMSE antara skor akhir dan kinerja sebenarnya, keduanya dibakukan"}),
    _share("Sangat Baik", show={"headline", "sweep", "key_figure"}),
    _share("Baik"),
    _share("Butuh Perbaikan"),
    _share("Kurang/Misconduct"),
    _share("Sangat Kurang"),
    _o("share_at_least_baik", "distribution", None, "rated Baik or better", "berpredikat Baik ke atas",
       "share >= Baik", "porsi >= Baik", _r("share_at_least_baik"), percent=True, decimals=1,
       show={"headline", "key_figure"},
       definition={"en": "share rated Baik or Sangat Baik", "id": "porsi berpredikat Baik atau Sangat Baik"}),
    _o("icc1", "reliability", 1, "inter-rater agreement, ICC(1)", "kesepakatan antar-penilai, ICC(1)",
       "ICC(1)", "ICC(1)", _r("icc1"), show={"headline"}, section="reliability", note=_ONE_RATER,
       definition={"en": "one-way intraclass correlation among the raters of the same ratee, item and period, "
                         "whatever their role",
                   "id": "korelasi intrakelas satu arah di antara penilai pegawai, butir dan periode yang sama"}),
    _o("krippendorff_alpha_interval", "reliability", 1, "Krippendorff's alpha (interval)",
       "alfa Krippendorff (interval)", "alpha (interval)", "alfa (interval)", _r("krippendorff_alpha", "interval"),
       show={"comparison"}, section="reliability", note=_ONE_RATER,
       definition={"en": "agreement among the same raters, interval distance",
                   "id": "kesepakatan di antara penilai yang sama, jarak interval"}),
    _o("krippendorff_alpha_ordinal", "reliability", 1, "Krippendorff's alpha (ordinal)",
       "alfa Krippendorff (ordinal)", "alpha (ordinal)", "alfa (ordinal)", _r("krippendorff_alpha", "ordinal"),
       section="reliability", note=_ONE_RATER,
       definition={"en": "agreement among the same raters, ordinal distance (n/a beyond 50 distinct scores)",
                   "id": "kesepakatan di antara penilai yang sama, jarak ordinal (tidak dihitung di atas 50 nilai)"}),
    _o("favouritism_premium", "fairness", 0, "favouritism premium", "keuntungan kedekatan", "favouritism premium",
       "keuntungan kedekatan", _r("favouritism_premium"), unit=_SD, show={"headline", "comparison", "sweep"},
       section="fairness",
       definition={"en": "score gained by closeness to the superior, at equal true performance",
                   "id": "tambahan skor karena dekat dengan atasan, pada kinerja sebenarnya yang sama"}),
    _o("sb_gap_close", "fairness", 0, "Sangat Baik gap, close minus not close",
       "selisih Sangat Baik, dekat minus tidak dekat", "SB gap close", "selisih SB dekat",
       _r("sb_gap_close"), percent=True, decimals=1, show={"key_figure"}, replicate=False,
       definition={"en": "share rated Sangat Baik among employees close to their superior minus among the others "
                         "(unadjusted for true performance)",
                   "id": "porsi Sangat Baik di antara pegawai yang dekat dengan atasannya dikurangi porsi di antara "
                         "yang lain (tanpa penyesuaian kinerja sebenarnya)"}),
    _o("unit_context_penalty", "fairness", 0, "unit context slope", "pengaruh kondisi unit", "unit context",
       "kondisi unit", _r("unit_context_penalty"), unit=_SD, section="fairness",
       definition={"en": "score change per unit of unit context (difficulty, resources), at equal true performance",
                   "id": "perubahan skor per satuan kondisi unit (kesulitan, sumber daya), pada kinerja yang sama"}),
    _o("sex_gap_conditional", "fairness", 0, "score gap of women over men at equal true performance",
       "selisih skor perempuan terhadap laki-laki pada kinerja yang sama", "sex gap F-M", "selisih P-L",
       _r("sex_gap", "conditional"), group="F-M", unit=_SD, show={"headline"}, section="fairness",
       definition={"en": "women's minus men's mean final score in final-score SD units, at equal true performance",
                   "id": "rata-rata skor akhir perempuan dikurangi laki-laki (simpangan baku skor), pada kinerja "
                         "sebenarnya yang sama"}),
    _o("sex_gap_raw", "fairness", 0, "raw score gap of women over men", "selisih skor mentah perempuan terhadap "
       "laki-laki", "sex gap F-M (raw)", "selisih P-L (mentah)", _r("sex_gap", "raw"), group="F-M", unit=_SD,
       section="fairness",
       definition={"en": "women's minus men's mean final score in final-score SD units, unadjusted",
                   "id": "rata-rata skor akhir perempuan dikurangi laki-laki (simpangan baku skor), tanpa penyesuaian"}),
    _o("rater_hours", "burden", -1, "rater hours", "jam kerja penilai", "rater hours", "jam penilai",
       _r("burden_value", "rater_hours"), unit=_HOURS, decimals=2,
       show={"headline", "comparison", "sweep", "key_figure"}, section="burden",
       definition={"en": "hours raters spend per employee per year (ratings, reports, forums, logs)",
                   "id": "jam yang dihabiskan penilai per pegawai per tahun"}),
    _o("ratee_hours", "burden", -1, "ratee hours", "jam kerja pegawai yang dinilai", "ratee hours",
       "jam yang dinilai", _r("burden_value", "ratee_hours"), unit=_HOURS, decimals=2, section="burden",
       definition={"en": "hours employees spend being appraised per year (reports, self-ratings, activity logs)",
                   "id": "jam yang dihabiskan pegawai untuk dinilai per tahun"}),
    _o("predikat_flip_rate", "stability", -1, "predikat changes between consecutive periods",
       "perubahan predikat antar-periode", "predikat flips", "predikat berubah", _r("stability_value",
                                                                                   "predikat_flip_rate"),
       percent=True, decimals=1, section="development", note=_PERIODS,
       definition={"en": "share of employees whose predikat changes from one period to the next",
                   "id": "porsi pegawai yang predikatnya berubah dari satu periode ke periode berikutnya"}),
    _o("period_rank_correlation", "stability", 1, "rank correlation between consecutive periods",
       "korelasi peringkat antar-periode", "period rank corr.", "korelasi antar-periode",
       _r("stability_value", "period_rank_correlation"), section="reliability", note=_PERIODS,
       definition={"en": "Spearman correlation of the scores of consecutive periods",
                   "id": "korelasi Spearman skor periode yang berurutan"}),
    _o("true_performance_gain", "development", 1, "true performance gain over the year",
       "kenaikan kinerja sebenarnya dalam setahun", "true perf. gain", "kenaikan kinerja",
       _r("true_performance_gain"), unit={"en": "SD of true performance", "id": "simpangan baku kinerja sebenarnya"},
       show={"headline", "comparison", "key_figure"}, section="development",
       definition={"en": "how much true performance rose over the year through feedback and training (Gayungan, "
                         "seed 001); 0 for designs without them. A benefit, not a rating error: objectivity is "
                         "measured against the truth at the time of rating",
                   "id": "seberapa besar kinerja sebenarnya naik dalam setahun berkat umpan balik dan pelatihan "
                         "(Gayungan, seed 001); 0 untuk rancangan tanpa keduanya. Ini manfaat, bukan kesalahan "
                         "penilaian: objektivitas diukur terhadap kinerja sebenarnya pada saat penilaian"}),
]

#: the rows of the replicate table, in their fixed order (``share_predikat`` from Sangat Kurang up)
ROW_ORDER: tuple[tuple[str, str], ...] = (
    ("spearman", "all"), ("kendall", "all"), ("topk_precision", "all"), ("share_sb_wrongly_given", "all"),
    ("share_sb_wrongly_denied", "all"), ("predikat_agreement", "all"), ("predikat_too_high", "all"),
    ("predikat_too_low", "all"), ("rmse_standardized", "all"),
    ("share_predikat", "Sangat Kurang"), ("share_predikat", "Kurang/Misconduct"),
    ("share_predikat", "Butuh Perbaikan"), ("share_predikat", "Baik"), ("share_predikat", "Sangat Baik"),
    ("share_at_least_baik", "all"), ("icc1", "all"), ("krippendorff_alpha_interval", "all"),
    ("krippendorff_alpha_ordinal", "all"), ("sex_gap_raw", "F-M"), ("sex_gap_conditional", "F-M"),
    ("favouritism_premium", "all"), ("unit_context_penalty", "all"), ("rater_hours", "all"),
    ("ratee_hours", "all"), ("predikat_flip_rate", "all"), ("period_rank_correlation", "all"),
    ("true_performance_gain", "all"),
)


def register_outcome(o: Outcome) -> Outcome:
    """Add an outcome to the registry (after every built-in one); its key must be new.

    Register in a module that every worker imports (a plug-in module), or run on one worker: a registration
    made in one process does not reach the others.
    """
    if not isinstance(o, Outcome):
        raise TypeError("register an Outcome")
    if any(x.key == o.key for x in OUTCOMES):
        raise ValueError(f"outcome {o.metric}[{o.group}] is registered already")
    OUTCOMES.append(o)
    return o


def unregister_outcome(o: Outcome | tuple[str, str]) -> None:
    """Remove an outcome registered with :func:`register_outcome` (tests, notebooks)."""
    key = o.key if isinstance(o, Outcome) else tuple(o)
    OUTCOMES[:] = [x for x in OUTCOMES if x.key != key]


def outcome(metric: str, group: str | None = None) -> Outcome | None:
    """The :class:`Outcome` of ``metric`` (and ``group``, when given; else group ``all`` first), or None."""
    hits = [o for o in OUTCOMES if o.metric == metric and (group is None or o.group == group)]
    if group is None and len(hits) > 1:
        hits = [o for o in hits if o.group == "all"] or hits
    return hits[0] if hits else None


def replicate_outcomes() -> tuple[Outcome, ...]:
    """The outcomes of the replicate table, in its row order (:data:`ROW_ORDER`, then registration order)."""
    rank = {k: i for i, k in enumerate(ROW_ORDER)}
    rows = [o for o in OUTCOMES if o.replicate]
    return tuple(sorted(rows, key=lambda o: rank.get(o.key, len(rank))))


def directions() -> dict[str, int]:
    """``metric -> direction`` for every outcome with a direction (what rankings use)."""
    return {o.metric: o.direction for o in OUTCOMES if o.direction is not None}


def shown(where: str) -> tuple[Outcome, ...]:
    """The outcomes shown in ``where`` (a value of :data:`SHOW`), in report order."""
    if where not in SHOW:
        raise ValueError(f"{where!r} is not one of {sorted(SHOW)}")
    return tuple(o for o in OUTCOMES if where in o.show)


def headline_outcomes() -> tuple[Outcome, ...]:
    """The outcomes of the headline table, in order."""
    return shown("headline")


def verdict_metrics() -> tuple[tuple[str, str], ...]:
    """The outcomes each verdict covers: the headline outcomes with a direction, in report order."""
    return tuple(o.key for o in headline_outcomes() if o.direction is not None)


def sections() -> dict[str, tuple[tuple[str, str], ...]]:
    """The report's sections: family -> the (metric, group) panels of its figure, in family and report order."""
    out = {fam: tuple(o.key for o in OUTCOMES if o.section == fam) for fam in FAMILIES}
    return {fam: keys for fam, keys in out.items() if keys}


def markdown_table() -> str:
    """The outcome table of docs/metrics.md (a test keeps the page equal to this)."""
    words = {1: "higher", -1: "lower", 0: "closer to 0", None: "descriptive"}
    lines = ["| metric | group | family | better | unit | meaning |", "|---|---|---|---|---|---|"]
    for o in replicate_outcomes():
        meaning = o.text("en") + (f": {o.definition['en']}" if o.definition else "")
        if o.note:
            meaning += f" (n/a: {o.note['en']})"
        unit = "%" if o.percent else o.unit_text("en") or "-"
        lines.append(f"| `{o.metric}` | {o.group} | {o.family} | {words[o.direction]} | {unit} | {meaning} |")
    return "\n".join(lines) + "\n"


__all__ = ["DIRECTIONS", "FAMILIES", "OUTCOMES", "Outcome", "ROW_ORDER", "SHOW", "directions", "headline_outcomes",
           "markdown_table", "outcome", "register_outcome", "replicate_outcomes", "sections", "shown",
           "unregister_outcome", "verdict_metrics"]
