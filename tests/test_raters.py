"""Rater panels and planted rater effects: each effect, switched on alone, moves the
latent rating by exactly its formula (same seed, so the noise draws are shared),
and under ``neutral`` every ``fx_`` column but noise is exactly zero."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.policy import load_policy
from asnsim.population import generate_population, monthly_deviations
from asnsim.raters import (FX_COLUMNS, draw_dispositions, panel, rating_periods, scale_center,
                           simulate_ratings, stakeholder_pool)
from asnsim.rng import stage_rng
from asnsim.scenario import PopulationParams, RaterParams, load_scenario

N = 3000
NEUTRAL = load_scenario("neutral").rater


@pytest.fixture(scope="module")
def emp():
    return generate_population(N, stage_rng(11, "population"), PopulationParams(share_close=0.3))


@pytest.fixture(scope="module")
def all_roles(tmp_path_factory):
    """PermenPAN with a full 360 on perilaku and an evaluation forum."""
    f = tmp_path_factory.mktemp("pol") / "all_roles.toml"
    f.write_text('name = "all-roles"\ntitle = "t"\nextends = "permenpan-6-2022"\n'
                 '[components.perilaku_kerja.raters]\natasan = 0.4\nrekan = 0.2\nbawahan = 0.1\n'
                 'self = 0.1\nstakeholder = 0.2\n[forum]\nenabled = true\n')
    return load_policy(str(f))


def run(emp, policy, params: RaterParams, periods="annual", monthly=None, seed=11):
    disp = draw_dispositions(emp, params, stage_rng(seed, "dispositions"))
    return simulate_ratings(emp, policy, disp, params, stage_rng(seed, "ratings"), periods, monthly)


def latent(r: pd.DataFrame) -> np.ndarray:
    return r[C.TRUE_SCORE].to_numpy(np.float64) + r[list(FX_COLUMNS)].to_numpy(np.float64).sum(axis=1)


def shift(emp, policy, periods="annual", monthly=None, **effect):
    """Ratings with one effect on, the neutral ratings, and the latent difference (same draws)."""
    on = run(emp, policy, NEUTRAL.model_copy(update=effect), periods, monthly)
    off = run(emp, policy, NEUTRAL, periods, monthly)
    assert (on[C.RATEE_ID].to_numpy() == off[C.RATEE_ID].to_numpy()).all()
    return on, off, latent(on) - latent(off)


# ---------------------------------------------------------------- panels

def test_panels_by_role(emp):
    ids = emp[C.EMPLOYEE_ID].to_numpy()
    sup = emp[C.SUPERVISOR_ID].to_numpy()
    pos, rater = panel(emp, C.ATASAN)
    assert (rater == sup).all()
    pos, rater = panel(emp, C.BAWAHAN)
    assert len(pos) == int((sup > 0).sum())
    assert (sup[rater - 1] == ids[pos]).all()          # the rater's supervisor is the ratee
    params = RaterParams(peers=4)
    pos, rater = panel(emp, C.REKAN, params)
    assert (sup[pos] == sup[rater - 1]).all() and (ids[pos] != rater).all()
    pairs = set(zip(ids[pos].tolist(), rater.tolist()))
    assert len(pairs) == len(pos)                      # no duplicate ties
    assert all((b, a) in pairs for a, b in pairs)      # ties are mutual
    per = pd.Series(pos).value_counts()
    assert per.max() <= 4
    team = pd.Series(sup).value_counts()
    small = team[(team <= 5) & (team.index > 0)].index  # teams of at most peers + 1: everyone
    in_small = np.isin(sup, small) & (pd.Series(sup).map(team).to_numpy() > 1)
    assert (per.reindex(np.flatnonzero(in_small), fill_value=0).to_numpy()
            == pd.Series(sup[in_small]).map(team).to_numpy() - 1).all()


def test_stakeholder_panel(emp):
    params = RaterParams(stakeholders=3)
    pos, rater = panel(emp, C.STAKEHOLDER, params, stage_rng(1, "ratings"))
    unit, first, size = stakeholder_pool(emp)
    assert rater.min() > emp[C.EMPLOYEE_ID].max()
    assert ((rater >= first[unit[pos]]) & (rater < first[unit[pos]] + size[unit[pos]])).all()
    assert len(set(zip(pos.tolist(), rater.tolist()))) == len(pos)
    assert (pd.Series(pos).value_counts() <= 3).all()


def test_dispositions_do_not_depend_on_the_policy_or_on_magnitudes(emp):
    a = draw_dispositions(emp, RaterParams(leniency_sd=0.4), stage_rng(3, "dispositions"))
    b = draw_dispositions(emp, RaterParams(leniency_sd=0.4, halo_sd=0.1), stage_rng(3, "dispositions"))
    assert a["leniency"].equals(b["leniency"])
    assert len(a) == int(stakeholder_pool(emp)[1][-1] + stakeholder_pool(emp)[2][-1])
    assert a["leniency"].std() == pytest.approx(0.4, rel=0.05)


# ---------------------------------------------------------------- neutral

def test_neutral_every_effect_but_noise_is_exactly_zero(emp, all_roles):
    r = run(emp, all_roles, NEUTRAL, periods="all",
            monthly=monthly_deviations(emp, PopulationParams(), stage_rng(1, "truth")))
    assert set(r[C.RATER_ROLE].unique()) == set(C.ROLES)
    for col in FX_COLUMNS:
        v = r[col].to_numpy()
        if col == "fx_noise":
            assert v.std() == pytest.approx(0.5, rel=0.02)
        else:
            assert (v == 0).all() and not np.signbit(v).any(), col


def test_scores_are_the_quantized_latent(emp, all_roles):
    r = run(emp, all_roles, load_scenario("default").rater)
    for cname, comp in all_roles.components.items():
        sel = (r[C.COMPONENT] == cname).to_numpy()
        y = latent(r[sel])
        cuts = np.asarray(comp.scale.cutpoints)
        away = np.abs(y[:, None] - cuts[None, :]).min(axis=1) > 1e-5  # float32 sums near a cut
        assert (comp.scale.quantize(y)[away] == r[C.SCORE].to_numpy()[sel][away]).all()


# ---------------------------------------------------------------- planted effects, one at a time

def test_leniency_shifts_every_non_self_rating_by_its_value(emp, all_roles):
    on, off, d = shift(emp, all_roles, leniency_mean=0.5)
    is_self = (on[C.RATER_ROLE] == C.SELF).to_numpy()
    assert np.allclose(d[~is_self], 0.5, atol=1e-5) and np.allclose(d[is_self], 0, atol=1e-6)
    assert on[C.SCORE].mean() > off[C.SCORE].mean()
    assert (on[C.SCORE].to_numpy() >= off[C.SCORE].to_numpy()).all()


def test_one_raters_leniency_raises_that_raters_mean_latent_rating(emp):
    """Leniency drawn per rater (sd 0.5): a rater's mean shift equals its drawn leniency."""
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, leniency_sd=0.5)
    disp = draw_dispositions(emp, NEUTRAL.model_copy(update={"leniency_sd": 0.5}), stage_rng(11, "dispositions"))
    by_rater = pd.Series(d).groupby(on[C.RATER_ID].to_numpy()).mean()
    assert np.allclose(by_rater.to_numpy(), disp["leniency"].to_numpy()[by_rater.index], atol=1e-5)
    # and a rater's mean latent rating minus the mean truth of their ratees recovers it within noise
    resid = pd.Series(latent(on) - on[C.TRUE_SCORE].to_numpy()).groupby(on[C.RATER_ID].to_numpy())
    big = resid.size() >= 60
    err = (resid.mean()[big] - disp["leniency"].to_numpy()[resid.mean()[big].index])
    assert np.abs(err).max() < 4 * 0.5 / np.sqrt(60)


def test_favouritism_only_for_close_ratees(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, favouritism=0.4)
    close = emp[C.CLOSENESS].to_numpy()[on[C.RATEE_ID].to_numpy() - 1]
    assert np.allclose(d, 0.4 * close, atol=1e-6)
    assert 0.2 < close.mean() < 0.4


def test_favouritism_among_peers_needs_both_in_the_inner_circle(emp, all_roles):
    on, off, d = shift(emp, all_roles, favouritism=0.4)
    rk = (on[C.RATER_ROLE] == C.REKAN).to_numpy()
    close = emp[C.CLOSENESS].to_numpy()
    both = close[on[C.RATEE_ID].to_numpy()[rk] - 1] & close[on[C.RATER_ID].to_numpy()[rk] - 1]
    assert np.allclose(d[rk], 0.4 * both, atol=1e-6)
    sh = (on[C.RATER_ROLE] == C.STAKEHOLDER).to_numpy()
    assert (d[sh] == 0).all()


def test_halo_pulls_items_toward_the_general_impression(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, halo_mean=0.3)
    g = emp[C.TRUE_PERFORMANCE].to_numpy()[on[C.RATEE_ID].to_numpy() - 1]
    assert np.allclose(d, 0.3 * (g - on[C.TRUE_SCORE].to_numpy()), atol=1e-5)
    # direction: hasil kerja and perilaku impressions become more alike
    def corr(r):
        lat = pd.Series(latent(r)).groupby([r[C.RATEE_ID].to_numpy(), r[C.COMPONENT].astype(str).to_numpy()]).mean()
        return lat.unstack().corr().iloc[0, 1]
    assert corr(on) > corr(off) + 0.05


def test_central_tendency_compresses_toward_the_scale_middle(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, scale_use_mean=float(np.log(0.5)))
    c = scale_center(pol.components["hasil_kerja"])
    t = on[C.TRUE_SCORE].to_numpy()
    assert np.allclose(d, -0.5 * (t - c), atol=1e-5)
    assert on[C.SCORE].std() < off[C.SCORE].std()


def test_ingroup_bias_on_the_group_attribute(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, ingroup_bias=0.3, ingroup_attribute="sex")
    sex = emp[C.SEX].astype(str).to_numpy()
    rater = on[C.RATER_ID].to_numpy()
    same = np.zeros(len(on), bool)
    ok = rater > 0
    same[ok] = sex[rater[ok] - 1] == sex[on[C.RATEE_ID].to_numpy()[ok] - 1]
    assert np.allclose(d, 0.3 * same, atol=1e-6)


def test_fatigue_grows_with_the_number_of_ratees(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, fatigue=0.05, fatigue_threshold=10.0)
    n_r = emp[C.SUPERVISOR_ID].value_counts()
    k = n_r.reindex(on[C.RATER_ID].to_numpy()).to_numpy()
    w = 1 - np.exp(-0.05 * np.maximum(0, k - 10))
    c = scale_center(pol.components["hasil_kerja"])
    assert np.allclose(d, -w * (on[C.TRUE_SCORE].to_numpy() - c), atol=1e-5)
    assert (w > 0.5).any() and (w == 0).any()


def test_drift_moves_later_periods_further(emp):
    pol = load_policy("permenpan-6-2022")
    on, off, d = shift(emp, pol, periods="all", drift_mean=0.2)
    by_period = pd.Series(d).groupby(on[C.PERIOD].astype(str).to_numpy()).mean()
    assert by_period.to_dict() == pytest.approx({"TW1": 0.05, "TW2": 0.10, "TW3": 0.15, "TW4": 0.2,
                                                 "annual": 0.2}, abs=1e-6)


def test_reciprocity_echoes_the_reverse_peer_rating(emp, all_roles):
    on, off, d = shift(emp, all_roles, reciprocity=0.3)
    rk = on[(on[C.RATER_ROLE] == C.REKAN).to_numpy()]
    resid = (latent(off[(off[C.RATER_ROLE] == C.REKAN).to_numpy()]) - rk[C.TRUE_SCORE].to_numpy())
    key = pd.MultiIndex.from_arrays([rk[C.RATEE_ID].to_numpy(), rk[C.RATER_ID].to_numpy(), rk[C.ITEM].astype(str)])
    rev = pd.MultiIndex.from_arrays([rk[C.RATER_ID].to_numpy(), rk[C.RATEE_ID].to_numpy(), rk[C.ITEM].astype(str)])
    mirror = pd.Series(resid, index=key).reindex(rev).to_numpy()
    assert np.allclose(rk["fx_reciprocity"].to_numpy(), 0.3 * mirror, atol=1e-5)
    assert (d[(on[C.RATER_ROLE] != C.REKAN).to_numpy()] == 0).all()


def test_conformity_moves_forum_ratings_to_the_superior(emp, all_roles):
    on, off, d = shift(emp, all_roles, conformity=1.0)
    lat = latent(on)
    at = on[(on[C.RATER_ROLE] == C.ATASAN) & (on[C.COMPONENT] == "perilaku_kerja")]
    at_lat = pd.Series(lat[at.index], index=pd.MultiIndex.from_arrays([at[C.RATEE_ID], at[C.ITEM].astype(str)]))
    for role in (C.REKAN, C.BAWAHAN, C.STAKEHOLDER):
        sub = on[(on[C.RATER_ROLE] == role).to_numpy()]
        target = at_lat.reindex(pd.MultiIndex.from_arrays([sub[C.RATEE_ID], sub[C.ITEM].astype(str)])).to_numpy()
        assert np.allclose(lat[sub.index], target, atol=1e-5), role
    # without a forum there is no conformity
    no_forum = all_roles.model_copy(update={"forum": all_roles.forum.model_copy(update={"enabled": False})})
    _, _, d2 = shift(emp, no_forum, conformity=1.0)
    assert (d2 == 0).all()


def test_self_inflation_only_in_self_ratings(emp, all_roles):
    on, off, d = shift(emp, all_roles, self_inflation=0.5)
    is_self = (on[C.RATER_ROLE] == C.SELF).to_numpy()
    assert np.allclose(d[is_self], 0.5, atol=1e-6) and (d[~is_self] == 0).all()


def test_recency_pulls_the_annual_results_rating_to_the_last_quarter(emp):
    pol = load_policy("permenpan-6-2022")
    monthly = monthly_deviations(emp, PopulationParams(period_sd=0.5), stage_rng(2, "truth"))
    on, off, d = shift(emp, pol, periods="all", monthly=monthly, recency=0.4)
    sel = ((on[C.PERIOD] == "annual") & (on[C.COMPONENT] == "hasil_kerja")).to_numpy()
    expect = 0.4 * (monthly[:, 9:12].mean(axis=1) - monthly.mean(axis=1))[on[C.RATEE_ID].to_numpy()[sel] - 1]
    assert np.allclose(d[sel], expect, atol=1e-5)
    assert (d[~sel] == 0).all()
    # periodic ratings follow the period's true level
    tw4 = on[((on[C.PERIOD] == "TW4") & (on[C.COMPONENT] == "hasil_kerja")).to_numpy()]
    base = emp[C.TRUE_RESULTS].to_numpy()[tw4[C.RATEE_ID].to_numpy() - 1]
    assert np.allclose(tw4[C.TRUE_SCORE].to_numpy() - base,
                       monthly[:, 9:12].mean(axis=1)[tw4[C.RATEE_ID].to_numpy() - 1], atol=1e-5)


def test_stakeholder_noise_adds_in_quadrature(emp, all_roles):
    r = run(emp, all_roles, NEUTRAL.model_copy(update={"stakeholder_noise_sd": 1.2}))
    sh = r.loc[r[C.RATER_ROLE] == C.STAKEHOLDER, "fx_noise"]
    assert sh.std() == pytest.approx(np.hypot(0.5, 1.2), rel=0.03)


def test_rating_periods():
    pol = load_policy("permenpan-6-2022")
    assert rating_periods(pol) == ["annual"]
    assert rating_periods(pol, "all") == ["TW1", "TW2", "TW3", "TW4", "annual"]
    from asnsim.errors import AsnsimError
    with pytest.raises(AsnsimError, match="'annual' or 'all'"):
        rating_periods(pol, "quarterly")


def test_fast_ordinal_quantize_matches_the_scale():
    from asnsim.policy import Component, Scale
    from asnsim.raters import _quantize
    comp = Component(kind="results", weight=1, items=("a",), scale=Scale(cutpoints=(-1.2816, 0.8416)))
    x = np.random.default_rng(0).standard_normal(100_000).astype(np.float32)
    x[:3] = np.float32([-1.2816, 0.8416, np.nextafter(np.float32(0.8416), np.float32(0))])
    assert (_quantize(comp, x) == comp.scale.quantize(x)).all()
    num = Component(kind="results", weight=1, items=("a",),
                    scale=Scale(kind="numeric", min=0, max=100, center=80, spread=10))
    assert (_quantize(num, x) == num.scale.quantize(x)).all()


def test_fast_ordinal_quantize_at_the_cutpoints_and_into_out():
    """float32 neighbours of each cutpoint land on the same level as the float64 comparison."""
    from asnsim.policy import Component, Scale
    from asnsim.raters import _quantize
    cuts = (-1.2816, -0.1, 0.0, 1.0 / 3.0, 0.8416)
    comp = Component(kind="results", weight=1, items=("a",),
                     scale=Scale(cutpoints=cuts, min=10, max=72.5, step=12.5))
    near = []
    for c in cuts:
        t = np.float32(c)
        near += [np.nextafter(t, np.float32(-np.inf)), t, np.nextafter(t, np.float32(np.inf))]
    x = np.array(near + [np.float32(np.nan), np.float32(np.inf), np.float32(-np.inf)], np.float32)
    out = np.full(len(x), -1.0)
    got = _quantize(comp, x, out)
    assert got is out
    expected = comp.scale.min + comp.scale.step * (x[:, None].astype(np.float64) >= np.array(cuts)).sum(axis=1)
    assert np.array_equal(got, expected)
