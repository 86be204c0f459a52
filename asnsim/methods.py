"""Correction methods and scoring engines as data: one table each, read by everything that lists them.

:data:`CORRECTION_METHODS` holds one :class:`CorrectionMethod` per rater-effect
method of :mod:`asnsim.correction`; the policy schema (``correction.method``),
``asnsim analyze --method``, the bias lab's drop-down
(:func:`asnsim.biaslab.available_corrections`), the design decision
(:func:`asnsim.correction.design.decide`), the analysis report
(:meth:`asnsim.correction.RaterAnalysis.to_markdown`) and the table of
docs/methods.md (:func:`markdown_table`) read it.  :func:`register_correction`
adds a plug-in method that flows to all of them.

:data:`SCORING_ENGINES` holds one :class:`ScoringEngine` per regime; the policy
schema (``regime``) and :func:`asnsim.scoring.score` read it.

Entries name their functions as ``"module:attribute"`` text, imported when
first called, so reading the tables imports nothing heavy (``asnsim --help``
and the policy schema stay light); a plug-in may give the callable itself.

Examples
--------
>>> [m.name for m in CORRECTION_METHODS.values() if m.cli]
['standardize', 'crossed', 'mfrm', 'mixedlm']
>>> correction_method("mfrm").effect_unit
'logits'
>>> scoring_engine("pp-30-2019").title
'PP 30/2019'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["CORRECTION_METHODS", "CorrectionMethod", "SCORING_ENGINES", "ScoringEngine", "cli_methods",
           "correction_method", "correction_names", "markdown_table", "register_correction", "resolve",
           "scoring_engine", "unregister_correction", "widget_methods"]

#: how a method treats raters, which decides what a disconnected or nested design allows
#: (:func:`asnsim.correction.design.decide`): ``random`` effects tie subsets together (lme4); ``fixed``
#: measures compare only within a connected subset (FACETS); ``centring`` assumes comparable ratees;
#: ``calibration`` (forum, anchor) is a policy's own rule and gets no design notes
DESIGN_KINDS = ("random", "fixed", "centring", "calibration")


def resolve(target: str | Callable) -> Callable:
    """The callable an entry names: ``"package.module:attribute"`` imported now, or the callable itself."""
    if callable(target):
        return target
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class CorrectionMethod:
    """One rater-effect method: how to run it, what it needs, how it is shown.

    Attributes
    ----------
    name : str
        What a policy's ``correction.method`` and ``asnsim analyze --method`` say.
    run : str or callable
        ``run(ratings, ratee, rater, score, item, source, options) -> RaterAnalysis`` (``options`` a dict
        the runner may take keys from), or its ``"module:attribute"``.
    label : dict
        ``{"en": ..., "id": ...}``: the bias lab's drop-down text.
    model, when : str
        docs/methods.md's "model" and "when to use" cells (Markdown).
    design : str
        One of :data:`DESIGN_KINDS`.
    effect_unit : str
        The unit of ``rater_effects.effect`` in the report (``score units``, ``logits``).
    cli : bool
        Offered by ``asnsim analyze --method`` (a ratings file holds what it needs).
    cli_options : tuple of str
        The ``asnsim analyze`` options it takes, as keyword names of ``run``'s ``options``: ``formula``
        (``--fixed``), ``rows``, ``model``, ``group`` (``--bias-group``), ``subsets``, ``cuts``.
    widget : bool
        Offered by the bias lab (notebook 03): fast enough to rerun on every slider move.
    sections : str or callable or None
        ``sections(result) -> list of Markdown lines``: the method's own report sections, placed after the
        rater effects (or ``"module:attribute"``); ``None`` for none.
    fit_sections : str or callable or None
        The same, placed before the rater effects (variance components and fixed effects of a mixed model).
    """

    name: str
    run: str | Callable
    label: dict[str, str]
    model: str = ""
    when: str = ""
    design: str = "centring"
    effect_unit: str = "score units"
    cli: bool = False
    cli_options: tuple[str, ...] = ()
    widget: bool = False
    sections: str | Callable | None = None
    fit_sections: str | Callable | None = None

    def __post_init__(self) -> None:
        if self.design not in DESIGN_KINDS:
            raise ValueError(f"correction method {self.name!r}: design must be one of {', '.join(DESIGN_KINDS)}, "
                             f"got {self.design!r}")
        if not self.name or self.name == "none":
            raise ValueError(f"a correction method needs a name other than 'none', got {self.name!r}")

    def report_sections(self, res: Any, where: str = "after") -> list[str]:
        """This method's own Markdown sections of ``res`` (``where``: ``"fit"`` or ``"after"`` the effects)."""
        target = self.fit_sections if where == "fit" else self.sections
        return [] if target is None else list(resolve(target)(res))


_R = "asnsim.correction.runners:"
_REPORT = "asnsim.correction.report:"

CORRECTION_METHODS: dict[str, CorrectionMethod] = {m.name: m for m in (
    CorrectionMethod(
        "standardize", _R + "run_standardize",
        {"en": "centre each rater (fast)", "id": "pusatkan tiap penilai (cepat)"},
        "per-rater centering `y - m_j + g` (or z-scores rescaled to the pooled within-rater SD)",
        "raters see comparable ratees (random assignment); removes any additive leniency exactly",
        design="centring", cli=True, widget=True),
    CorrectionMethod(
        "crossed", _R + "run_crossed",
        {"en": "crossed mixed model, REML (slower)", "id": "model campuran bersilang, REML (lebih lambat)"},
        "`score ~ fixed + covariates + (1|ratee) + (1|rater)`, REML (lme4 parity)",
        "unbalanced, nested, partly crossed or disconnected designs; variance components for ICC / G-theory; "
        "covariates (`--fixed`) with Satterthwaite tests",
        design="random", cli=True, cli_options=("formula", "rows"), widget=True,
        fit_sections=_REPORT + "mixed_sections"),
    CorrectionMethod(
        "mfrm", _R + "run_mfrm",
        {"en": "many-facet Rasch (slower)", "id": "Rasch multi-faset (lebih lambat)"},
        "many-facet Rasch rating-scale / partial-credit model, JMLE",
        "ordinal categories; FACETS-style fit, separation and bias tables; measures comparable within a "
        "connected subset",
        design="fixed", effect_unit="logits", cli=True, cli_options=("model", "group", "subsets", "cuts"),
        widget=True, sections=_REPORT + "mfrm_sections"),
    CorrectionMethod(
        "mixedlm", _R + "run_mixedlm",
        {"en": "crossed mixed model, statsmodels (slow)", "id": "model campuran bersilang, statsmodels (lambat)"},
        "the same model as `crossed` through statsmodels MixedLM",
        "small data, as a cross-check (100x+ slower)",
        design="random", cli=True, fit_sections=_REPORT + "mixed_sections"),
    CorrectionMethod(
        "forum", _R + "run_forum",
        {"en": "calibration forum", "id": "forum kalibrasi"},
        "a calibration meeting pulls each rater's mean part way to the panel's, `y - w (m_j - m_panel)`",
        "a policy correction (`asnsim simulate`, `asnsim compare`, `correct(ratings, \"forum\")`)",
        design="calibration"),
    CorrectionMethod(
        "anchor", _R + "run_anchor",
        {"en": "anchor on indicators", "id": "jangkar pada indikator"},
        "remove each rater's mean residual from `y ~ a + b * capaian`",
        "a policy correction; needs each ratee's objective indicators, which a ratings file does not hold",
        design="calibration"),
)}


def correction_method(name: str) -> CorrectionMethod:
    """The entry of ``name``; a ``ValueError`` listing the methods when there is none."""
    try:
        return CORRECTION_METHODS[name]
    except KeyError:
        raise ValueError(f"unknown correction method {name!r}; choose one of "
                         f"{', '.join(CORRECTION_METHODS)}") from None


def correction_names() -> tuple[str, ...]:
    """What a policy's ``correction.method`` may say: ``none`` and every registered method."""
    return ("none", *CORRECTION_METHODS)


def cli_methods() -> list[str]:
    """The methods ``asnsim analyze --method`` offers."""
    return [m.name for m in CORRECTION_METHODS.values() if m.cli]


def widget_methods() -> list[str]:
    """The methods the bias lab offers."""
    return [m.name for m in CORRECTION_METHODS.values() if m.widget]


def register_correction(method: CorrectionMethod) -> CorrectionMethod:
    """Add a plug-in correction method; policies, ``analyze``, the widgets and the docs table then offer it.

    A policy validated before the registration is not revalidated.  Raises ``ValueError`` if the name is
    taken.
    """
    if method.name in CORRECTION_METHODS:
        raise ValueError(f"correction method {method.name!r} is registered already")
    CORRECTION_METHODS[method.name] = method
    return method


def unregister_correction(name: str) -> None:
    """Remove a plug-in correction method (tests register one and remove it)."""
    CORRECTION_METHODS.pop(name, None)


def markdown_table() -> str:
    """docs/methods.md's method table, from :data:`CORRECTION_METHODS`."""
    lines = ["| method | model | when to use | `asnsim analyze` |", "| --- | --- | --- | --- |"]
    lines += [f"| `{m.name}` | {m.model} | {m.when} | {'yes' if m.cli else 'no'} |"
              for m in CORRECTION_METHODS.values()]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class ScoringEngine:
    """One regime's scoring engine.

    Attributes
    ----------
    regime : str
        What a policy's ``regime`` says.
    score : str or callable
        ``score(policy, ratings, employees, indicators) -> scores table`` (or its ``"module:attribute"``).
    title : str
        The regulation's short name, for figures and docs.
    """

    regime: str
    score: str | Callable
    title: str


SCORING_ENGINES: dict[str, ScoringEngine] = {e.regime: e for e in (
    ScoringEngine("permenpan-6-2022", "asnsim.scoring.permenpan:score_permenpan", "PermenPAN-RB 6/2022"),
    ScoringEngine("pp-30-2019", "asnsim.scoring.pp30:score_pp30", "PP 30/2019"),
    ScoringEngine("pp-46-2011", "asnsim.scoring.pp46:score_pp46", "PP 46/2011"),
)}


def scoring_engine(regime: str) -> ScoringEngine:
    """The engine of ``regime``; a ``ValueError`` listing the regimes when there is none."""
    try:
        return SCORING_ENGINES[regime]
    except KeyError:
        raise ValueError(f"unknown regime {regime!r}; choose one of {', '.join(SCORING_ENGINES)}") from None
