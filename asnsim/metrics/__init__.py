"""Outcome metrics: objectivity, reliability, fairness, burden and stability.

Every function returns a tidy table ``metric, group, value, ci_low, ci_high``
(``group`` is ``"all"`` for the whole population), deterministic given its
inputs; bootstrap intervals take an explicit ``numpy.random.Generator`` or
seed.  :func:`replicate_metrics` gives the headline rows of one simulated
round (``metric, group, value``) for the experiment runner.  See
``docs/metrics.md`` for definitions, references and when not to use each.
"""

from __future__ import annotations

from .burden import burden, rounds_per_year
from .fairness import (GroupMetric, equal_opportunity, fairness, favouritism_premium, predikat_dominance,
                       score_gaps, selection_rate, selection_rates, unit_context_penalty)
from .objectivity import (objectivity, predikat_agreement, predikat_confusion, rank_correlations,
                          sangat_baik_errors, standardized_error, topk_precision, truth_predikat)
from .gtheory import d_study, facets_needed, g_study
from .reliability import (category_agreement, icc_forms, icc_oneway, krippendorff_alpha, rwg,
                          variance_components)
from .replicate import Round, replicate_metrics
from .report import analyze_reports, employee_scores, fairness_report, policy_predikat, reliability_report
from .stability import period_scores, stability

__all__ = [
    "GroupMetric", "Round", "analyze_reports", "burden", "category_agreement", "d_study", "employee_scores",
    "equal_opportunity", "facets_needed", "fairness", "fairness_report", "favouritism_premium", "g_study",
    "icc_forms", "icc_oneway", "policy_predikat", "reliability_report",
    "krippendorff_alpha", "objectivity", "period_scores", "predikat_agreement", "predikat_confusion",
    "predikat_dominance", "rank_correlations", "replicate_metrics", "rounds_per_year", "rwg",
    "sangat_baik_errors", "score_gaps", "selection_rate", "selection_rates", "stability",
    "standardized_error", "topk_precision", "truth_predikat", "unit_context_penalty", "variance_components",
]
