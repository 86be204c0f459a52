"""Calibrating a behaviour scenario's rater parameters on observed ratings.

The simulation's supervisor rating (:mod:`asnsim.raters`, effects that
ratings alone can identify) is, for ratee ``e``, rater ``r``, item ``i`` of
component ``c``::

    y*_eri = c0 + k (t_ec + l_r - c0) + n_eri,
    t_ec ~ N(0, 1),  l_r ~ N(m, s_l^2),  n_eri ~ N(0, s_n^2),  k = exp(scale_use_mean)

quantized by the policy's scale (ordinal cutpoints, or ``center + spread *
y*`` for a numeric scale); ``c0`` is the middle of the scale
(:func:`asnsim.raters.scale_center`) and ``k`` the scale factor (below 1:
central tendency).  The true components of one ratee correlate with ``rho``.
Let ``S`` be the latent SD of ``y*`` and ``Q = S / k``.  Pairs of ratings have
latent correlations:

* A, same ratee and rater, two items of one component: ``r_A = (1 + s_l^2) / Q^2``;
* B, two ratees of one rater (any two items): ``r_B = s_l^2 / Q^2`` (each rater weighted
  equally, whatever its number of ratees);
* X, same ratee and rater, items of two components: ``(rho + s_l^2) / (Q_c Q_d)``.

So ``Q = 1 / sqrt(r_A - r_B)``, ``s_l = sqrt(r_B) Q`` and ``s_n = sqrt(1 - r_A) S``.
On an ordinal scale the correlations are polychoric (two-step estimator of
Olsson 1979: thresholds from each item's margins, then the correlation that
maximizes the bivariate-normal likelihood of the pooled contingency tables;
the bivariate normal CDF is written with Owen's T function, Owen 1956), and
``S`` and the latent mean ``mu`` come from where the category margins sit
against the policy's cutpoints: ``S = (c_last - c_first) / mean_i(z_last - z_first)``
and ``mu = mean(c_j - S z_j)``, ``z_j`` the normal quantile of the share at
or below category ``j`` (at least three categories; with two, ``k = 1``).  On a
numeric scale the correlations are Pearson's and ``S``, ``mu`` the SD and mean of
``(score - center) / spread``.  Then ``k = S / Q`` and ``m = c0 + (mu - c0) / k``.

Group effects where the data allow (:func:`group_effects`): the in-group bias on an employees
attribute (with an employees file) and self-inflation (with self ratings).

Stated, not guessed: favouritism needs a closeness attribute (its average
lands in ``m`` and its spread in the ratee variance); item deviations
(``population.item_sd``) and period effects are counted as noise with one
period; a halo that makes items of one ratee agree beyond their true
correlation lowers the noise estimate; the spread of scale use between raters
(``scale_use_sd``) is not estimated (0).

References
----------
Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
coefficient. Psychometrika 44:443-460.
Owen, D. B. (1956). Tables for computing bivariate normal probabilities.
Annals of Mathematical Statistics 27:1075-1090.
Searle, Casella & McCulloch (1992). Variance Components. Wiley (the linear
decomposition reported alongside, via :func:`asnsim.correction.crossed.crossed`).

The parts, one module each: :mod:`~asnsim.calibrate.correlations` (bivariate normal, thresholds, polychoric),
:mod:`~asnsim.calibrate.pairs` (the pair tables), :mod:`~asnsim.calibrate.tables` (the per-component fit and the
cross-component correlation), :mod:`~asnsim.calibrate.groups` (group effects), :mod:`~asnsim.calibrate.fit`
(:func:`calibrate`, :class:`Calibration`), :mod:`~asnsim.calibrate.bootstrap` (standard errors) and
:mod:`~asnsim.calibrate.scenario_file` (writing the calibrated scenario).
"""

from __future__ import annotations

from .correlations import BOUND, bvn_cdf, pearson_from_tables, polychoric, thresholds
from .fit import MIN_RATERS, Calibration, calibrate, linear_components
from .groups import group_effects
from .scenario_file import KIND_INDEX, load_calibration_ratings, scenario_toml

__all__ = ["Calibration", "bvn_cdf", "calibrate", "linear_components", "polychoric", "scenario_toml",
           "thresholds"]
