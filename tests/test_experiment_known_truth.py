"""Known-truth comparisons: the experiment recovers analytic answers within their Monte Carlo error.

The world: the neutral scenario with rating noise sigma = 1.5 and true
components equicorrelated at rho = 0.5; two policies with continuous item
scores (a numeric scale fine enough to be continuous), hasil kerja (4 items)
and perilaku kerja (7 items) weighted 0.5/0.5:

- ``A``: the atasan alone;
- ``B``: the atasan and a second, unbiased rater (self, no inflation), each weight 0.5.

Then the final score is, up to an affine map, ``S = 0.5 (z_r + z_b) + f w c +
0.5 (e_r + e_b)`` with ``z`` the true components, ``c`` closeness to the
supervisor (share p = 0.2), ``f`` the favouritism strength, ``w`` the atasan's
weight and ``e`` the mean rating noise of a component (variance sigma^2 / (k m)
for k items and m raters).  So, exactly:

- favouritism premium (z(S) regressed on true performance and closeness) =
  ``f w / sd(S)``, and 0 when ``f = 0``;
- with ``f = 0``, S and true performance are bivariate normal with correlation
  ``r``, so Spearman's rho has expectation ``6 / (pi (n+1)) [asin r + (n-2) asin(r/2)]``
  (Moran 1948), and adding the unbiased rater raises it by a known amount;
- ICC(1) between the two raters of the same ratee and item = ``1 / (1 + sigma^2)``.

Each check allows 4 Monte Carlo SE (the seed is fixed, so the test is
deterministic; 4 MCSE keeps it robust to changes in how draws are consumed).
"""

from __future__ import annotations

import numpy as np
import pytest

from asnsim.experiment import make_design, run_experiment

SIGMA, RHO, SHARE_CLOSE, FAV = 1.5, 0.5, 0.2, 0.5
N, REPS = 250, 12
K_RESULTS, K_BEHAVIOUR = 4, 7

_NUMERIC = """
[components.{c}.scale]
kind = "numeric"
min = -10
max = 10
step = 0.0001
center = 0.0
spread = 1.0
cutpoints = []
labels = []
"""


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    d = tmp_path_factory.mktemp("known_truth")
    (d / "a.toml").write_text(
        'extends = "permenpan-6-2022"\nname = "A"\ntitle = "continuous scores, atasan only"\n'
        '[periods]\nfrequency = "annual"\n'
        + _NUMERIC.format(c="hasil_kerja") + _NUMERIC.format(c="perilaku_kerja"), encoding="utf-8")
    (d / "b.toml").write_text(
        'extends = "a.toml"\nname = "B"\ntitle = "continuous scores, atasan and an unbiased second rater"\n'
        "[components.hasil_kerja]\nraters = { atasan = 0.5, self = 0.5 }\n"
        "[components.perilaku_kerja]\nraters = { atasan = 0.5, self = 0.5 }\n", encoding="utf-8")
    (d / "world.toml").write_text(
        f'extends = "neutral"\nname = "world"\ntitle = "neutral, noisy raters"\n'
        f"[population]\ncomponent_corr = {RHO}\nshare_close = {SHARE_CLOSE}\n[rater]\nnoise_sd = {SIGMA}\n",
        encoding="utf-8")
    design = make_design([str(d / "a.toml"), str(d / "b.toml")], n=N, reps=REPS, seed=2024,
                         scenarios=str(d / "world.toml"), sweeps=[f"rater.favouritism=0,{FAV}"])
    return run_experiment(design, progress=False)


def _moments(raters: int, fav: float, atasan_weight: float) -> tuple[float, float]:
    """(sd of S, correlation of S with true performance) for the world above."""
    k = 4
    corr = np.full((k, k), RHO) + (1 - RHO) * np.eye(k)
    var_true = 0.25 * (corr[0, 0] + corr[1, 1] + 2 * corr[0, 1])
    sd_tp = np.sqrt(corr.sum() / k**2)
    cov_tp = 0.5 * (corr[0].sum() + corr[1].sum()) / k / sd_tp
    var_noise = 0.25 * SIGMA**2 / raters * (1 / K_RESULTS + 1 / K_BEHAVIOUR)
    var_fav = (fav * atasan_weight) ** 2 * SHARE_CLOSE * (1 - SHARE_CLOSE)
    sd = np.sqrt(var_true + var_noise + var_fav)
    return sd, cov_tp / sd


def _expected_spearman(r: float, n: int = N) -> float:
    return 6 / (np.pi * (n + 1)) * (np.arcsin(r) + (n - 2) * np.arcsin(r / 2))


def _row(res, policy, fav, metric):
    s = res.summary
    hit = s[(s.policy == policy) & (s.scenario == f"world[rater.favouritism={fav:g}]") & (s.metric == metric)]
    assert len(hit) == 1
    return hit.iloc[0]


def _close(row, truth, k=4.0):
    assert row.n_reps == REPS
    assert abs(row.estimate - truth) <= k * row.mcse, (row.metric, row.estimate, truth, row.mcse)


def test_no_favouritism_no_premium(results):
    for policy in ("A", "B"):
        row = _row(results, policy, 0, "favouritism_premium")
        _close(row, 0.0)
        assert row.ci_low < 0 < row.ci_high or abs(row.estimate) < 2 * row.mcse


def test_favouritism_premium_matches_its_analytic_size(results):
    for policy, w, m in (("A", 1.0, 1), ("B", 0.5, 2)):
        sd, _ = _moments(m, FAV, w)
        row = _row(results, policy, FAV, "favouritism_premium")
        _close(row, FAV * w / sd)
        assert row.mcse < 0.06  # precise enough for the check to mean something


def test_removing_favouritism_removes_the_premium_paired(results):
    # the same policy across the two scenarios: the premium falls by f / sd(S)
    a0 = _row(results, "A", 0, "favouritism_premium")
    a1 = _row(results, "A", FAV, "favouritism_premium")
    sd, _ = _moments(1, FAV, 1.0)
    diff, mcse = a1.estimate - a0.estimate, np.hypot(a0.mcse, a1.mcse)
    assert abs(diff - FAV / sd) <= 4 * mcse and diff > 8 * mcse


def test_spearman_matches_moran_formula(results):
    for policy, m in (("A", 1), ("B", 2)):
        _, r = _moments(m, 0.0, 1.0)
        _close(_row(results, policy, 0, "spearman"), _expected_spearman(r))


def test_adding_an_unbiased_rater_raises_objectivity_by_the_known_amount(results):
    p = results.paired
    row = p[(p.policy == "B") & (p.reference == "A") & (p.metric == "spearman")
            & (p.scenario == "world[rater.favouritism=0]")].iloc[0]
    truth = _expected_spearman(_moments(2, 0.0, 1.0)[1]) - _expected_spearman(_moments(1, 0.0, 1.0)[1])
    assert truth > 0.04
    assert abs(row.difference - truth) <= 4 * row.mcse
    assert row.ci_low > 0
    # common random numbers: the paired MCSE beats the unpaired one
    assert row.mcse < row.mcse_unpaired


def test_icc_of_two_unbiased_raters(results):
    _close(_row(results, "B", 0, "icc1"), 1 / (1 + SIGMA**2))
    assert np.isnan(_row(results, "A", 0, "icc1").estimate)  # one rater: no agreement to measure


def test_ranking_puts_the_two_rater_design_first(results):
    r = results.ranking
    top = r[(r.metric == "spearman") & (r.scenario == "world[rater.favouritism=0]")].set_index("policy")
    assert top.loc["B", "p_best"] > 0.9 and top.loc["B", "rank_high"] <= 1.5
