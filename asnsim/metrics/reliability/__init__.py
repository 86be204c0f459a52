"""Reliability and agreement of ratings: ICC, Krippendorff's alpha, kappa, AC1, rwg, G theory.

Long tables in (one row per rating: a target such as a ratee or a
ratee-item pair, a rater, a score), tidy tables out.  Which to use:

- balanced data (every rater rates every target): the six Shrout-Fleiss ICC
  forms (:func:`icc_forms`); ICC(A,1) when raters' levels matter (absolute
  agreement), ICC(C,1) when only their ordering does, the k-forms for the
  mean of k raters;
- unbalanced data (each ratee has their own atasan, panels of different
  sizes): the one-way ICC (:func:`icc_oneway`) or variance components of a
  crossed ratee x rater model (:func:`variance_components`);
- ordinal categories with missing data: Krippendorff's alpha
  (:func:`krippendorff_alpha`);
- predikat agreement: Fleiss' kappa and Gwet's AC1 (:func:`predikat_agreement`);
  kappa collapses when nearly everyone is Baik, AC1 does not;
- within-group agreement: rwg (:func:`rwg`);
- design questions (how many raters or indicators for a target reliability):
  G and Phi coefficients and the D-study (:func:`g_study`, :func:`d_study`).

The parts, one module each: :mod:`~asnsim.metrics.reliability.icc` (one-way and Shrout-Fleiss ICCs),
:mod:`~asnsim.metrics.reliability.krippendorff` (alpha), :mod:`~asnsim.metrics.reliability.variance` (variance
components of the crossed model) and :mod:`~asnsim.metrics.reliability.agreement` (kappa, AC1, rwg).
"""

from __future__ import annotations

from .agreement import category_agreement, rwg
from .icc import ICC_EXTRA, ICC_FORMS, icc_forms, icc_oneway
from .krippendorff import krippendorff_alpha
from .variance import MIXEDLM_MAX_RATINGS, VC_ROWS, variance_components

__all__ = ["ICC_EXTRA", "ICC_FORMS", "MIXEDLM_MAX_RATINGS", "VC_ROWS", "category_agreement", "icc_forms",
           "icc_oneway", "krippendorff_alpha", "rwg", "variance_components"]
