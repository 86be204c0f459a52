"""asnsim.widgets: controls as data, values to policy/scenario, live views that react."""

from __future__ import annotations

import re

import ipywidgets as W
import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim import widgets, workshop
from asnsim.bounds import SANITY_LIMITS
from asnsim.errors import PolicyError
from asnsim.outcomes import outcome, shown
from asnsim.pipeline import simulate
from asnsim.scenario import RaterParams

N = 300


def test_control_check_names_the_key():
    c = widgets.Control("scenario.rater.favouritism", "float", 0.0, {"en": "fav"}, 0.0, 1.5, 0.1)
    assert c.check(1) == 1.0
    with pytest.raises(PolicyError, match=r"controls: scenario.rater.favouritism: 2 is outside 0..1.5"):
        c.check(2)
    d = widgets.Control("policy.panel", "choice", "atasan", {"en": "p"}, options=(("atasan", {"en": "A"}),))
    with pytest.raises(PolicyError, match="policy.panel"):
        d.check("nobody")


def test_make_widget_kinds_and_languages():
    fav = [c for c in widgets.scenario_controls() if c.key == "scenario.rater.favouritism"][0]
    f = widgets.make_widget(fav, "id")
    assert isinstance(f, W.FloatSlider) and f.description == "Kedekatan personal dengan atasan"
    assert not f.continuous_update and f.value == 0.0
    level = widgets.make_widget(workshop.WORKSHOP_CONTROLS[0], "id")  # positions named in words
    assert isinstance(level, W.SelectionSlider) and not level.continuous_update
    assert [label for label, _ in level.options] == ["tidak ada", "sedang", "kuat"] and level.value == 0.0
    assert level.label == "tidak ada" and level.description == "Kedekatan personal dengan atasan"
    assert widgets.make_widget(workshop.WORKSHOP_CONTROLS[0], "en").description == "Favouritism toward close ratees"
    panel = [c for c in widgets.rubric_controls() if c.key == "policy.panel"][0]
    dd = widgets.make_widget(panel, "id")
    assert isinstance(dd, W.Dropdown) and dd.value == "atasan" and dd.label == "Atasan langsung saja"
    b = widgets.make_widget(widgets.Control("policy.quota.enabled", "bool", True, {"en": "q"}))
    assert isinstance(b, W.Checkbox) and b.value is True


def test_apply_controls_renormalizes_weights_and_sets_panel_and_scenario():
    values = {"policy.components.hasil_kerja.weight": 0.6, "policy.components.perilaku_kerja.weight": 0.2,
              "policy.panel": "atasan_self", "scenario.rater.favouritism": 0.8, "run.n": 10}
    pol, scen, run = widgets.apply_controls(values, "permenpan-6-2022", "default")
    assert pol.components["hasil_kerja"].weight == pytest.approx(0.75)
    assert pol.components["perilaku_kerja"].weight == pytest.approx(0.25)
    assert pol.components["hasil_kerja"].raters == {"atasan": 0.7, "self": 0.3}
    assert scen.rater.favouritism == 0.8 and scen.rater.noise_sd == 0.7  # the rest of 'default' is kept
    assert run == {"n": 10}


def test_apply_controls_errors_name_the_key():
    with pytest.raises(PolicyError, match=r"policy.components.\*.weight: at least one weight must be positive"):
        widgets.apply_controls({"policy.components.hasil_kerja.weight": 0.0,
                                "policy.components.perilaku_kerja.weight": 0.0}, "permenpan-6-2022", "neutral")
    with pytest.raises(PolicyError, match=r"rater.noise_sd"):
        widgets.apply_controls({"scenario.rater.noise_sd": -1.0}, "permenpan-6-2022", "neutral")
    with pytest.raises(PolicyError, match="starts with policy., scenario. or run."):
        widgets.apply_controls({"rater.noise_sd": 1.0}, "permenpan-6-2022", "neutral")


def test_scenario_controls_follow_the_model_fields():
    ctrls = widgets.scenario_controls("rater", RaterParams, "default")
    keys = [c.key for c in ctrls]
    fields = RaterParams.model_fields
    assert keys == [f"scenario.rater.{f}" for f in fields]  # every field: float, int or Literal today
    by = {c.key: c for c in ctrls}
    for name, info in fields.items():
        c = by[f"scenario.rater.{name}"]
        assert c.kind == {float: "float", int: "int"}.get(info.annotation, "choice")
        if c.kind != "choice":
            for meta in info.metadata:  # the field's own bounds become the slider's range (not sanity limits)
                if getattr(meta, "ge", None) is not None and meta.ge not in SANITY_LIMITS:
                    assert c.min == meta.ge
                if getattr(meta, "le", None) is not None and meta.le not in SANITY_LIMITS:
                    assert c.max == meta.le
    assert by["scenario.rater.noise_sd"].min == 0.0 and by["scenario.rater.noise_sd"].default == 0.7
    assert by["scenario.rater.leniency_mean"].min == -widgets.DEFAULT_MAX  # bounded by a sanity limit only
    assert by["scenario.rater.leniency_sd"].max == widgets.DEFAULT_MAX
    assert by["scenario.rater.favouritism"].text("id") == "Kedekatan personal dengan atasan"


def _kf(metric: str, group: str | None = None, lang: str = "en") -> str:
    """The key-figure row of an outcome."""
    return widgets.key_figure_label(outcome(metric, group), lang)


def test_key_figures_hand_worked():
    class Sim:
        policy = None
        employees = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3, 4], C.TRUE_PERFORMANCE: [0.1, 0.2, 0.3, 0.4],
                                  C.CLOSENESS: [1, 0, 1, 0]})
        scores = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3, 4], C.FINAL_SCORE: [10.0, 20.0, 40.0, 30.0],
                               C.PREDIKAT: [C.SANGAT_BAIK, C.BAIK, C.SANGAT_BAIK, C.BUTUH_PERBAIKAN]})
    k = widgets.key_figures(Sim, "en")
    assert k[_kf("share_predikat", "Sangat Baik")] == 50 and k[_kf("share_at_least_baik")] == 75
    assert k[_kf("spearman")] == pytest.approx(0.8)          # ranks (1,2,4,3) vs (1,2,3,4)
    assert k[_kf("share_top_rated_sb")] == 0                  # the top 10% (employee 4) is Butuh Perbaikan
    assert k[_kf("sb_gap_close")] == 100                      # close: 2/2 SB; not close: 0/2
    assert np.isnan(k[_kf("rater_hours")])                    # no policy: no burden
    assert _kf("share_predikat", "Sangat Baik", "id") == "berpredikat Sangat Baik (%)"
    assert _kf("sb_gap_close") == "Sangat Baik gap, close minus not close (points)"
    assert list(widgets.key_figures(Sim, "id").index) == [_kf(o.metric, o.group, "id") for o in shown("key_figure")]


def test_liveview_reacts_to_a_control_and_plants_favouritism():
    view = widgets.bias_lab(n=N, seed=2, lang="en")
    assert view.n_updates == 1 and set(view.last) == {"predikat", "truth", "fairness", "table"}
    gap0 = view.last["table"].loc[_kf("sb_gap_close")].iloc[1]
    png0 = view.out_box.children[0].value
    view.set(scenario__rater__favouritism=1.2)
    assert view.n_updates == 2  # one refresh per set(), however many controls change
    gap1 = view.last["table"].loc[_kf("sb_gap_close")].iloc[1]
    assert gap1 > gap0 + 15     # a planted favouritism of 1.2 SD gives close ratees many more Sangat Baik
    assert view.out_box.children[0].value != png0
    # moving the widget itself (as a user does) also refreshes
    view.widgets["scenario.rater.favouritism"].value = 0.0
    assert view.n_updates == 3 and view.last["table"].loc[_kf("sb_gap_close")].iloc[1] == pytest.approx(gap0)


def test_liveview_shows_user_errors_and_keeps_the_last_picture():
    view = widgets.rubric_designer(n=N, seed=1, lang="id")
    before = view.last
    view.set(policy__components__hasil_kerja__weight=0.0, policy__components__perilaku_kerja__weight=0.0)
    assert "at least one weight must be positive" in view.error
    assert "at least one weight" in view.status.value and view.last is before
    view.set(policy__components__hasil_kerja__weight=1.0)
    assert view.error is None
    with pytest.raises(PolicyError, match="no such control"):
        view.set(run__n=5)


def test_rubric_weights_change_the_final_score():
    view = widgets.rubric_designer(n=N, seed=1)
    view.set(policy__components__hasil_kerja__weight=1.0, policy__components__perilaku_kerja__weight=0.0)
    pol, scen, _ = widgets.apply_controls(view.values(), "permenpan-6-2022", "default")
    sim = simulate(pol, n=N, seed=1, scenario=scen)
    np.testing.assert_allclose(sim.scores[C.FINAL_SCORE], sim.scores["score_hasil_kerja"])
    rho = view.last["table"].loc[_kf("spearman")].iloc[1]
    from scipy import stats
    assert rho == pytest.approx(stats.spearmanr(sim.scores[C.FINAL_SCORE],
                                                sim.employees[C.TRUE_PERFORMANCE]).statistic)


def test_run_button_defers_updates():
    calls = []
    ctrl = widgets.Control("run.k", "int", 1, {"en": "k"}, 0, 5, 1)
    view = widgets.LiveView([ctrl], lambda v: calls.append(v) or {"t": f"k={v['run.k']}"}, run_button=True)
    view.widgets["run.k"].value = 3
    assert len(calls) == 1 and view.last["t"] == "k=1"
    view.box.children[0].children[-1].click()
    assert len(calls) == 2 and view.last["t"] == "k=3"


TRUTH, SCORE = "Kinerja sebenarnya: lebih baik dari", "Skor simulasi"
NW = 400  # the workshop's small size (notebook 05 under ASNSIM_SMALL): a pair equal at the start exists


def test_workshop_story_equal_at_the_start_sari_rises_budi_does_not():
    view = workshop.workshop(n=NW, seed=7)
    card0 = view.last["rapor"]
    assert list(card0.index) == ["Bu Sari", "Pak Budi"] and card0.index.name == "Pegawai"
    assert card0.loc["Bu Sari", "Dekat dengan atasan"] == "ya"
    assert card0.loc["Pak Budi", "Dekat dengan atasan"] == "tidak"
    # at kedekatan "tidak ada" the two are equal in truth, in skor simulasi and in predikat
    assert card0.loc["Pak Budi", TRUTH] == card0.loc["Bu Sari", TRUTH]
    assert card0.loc["Pak Budi", SCORE] == card0.loc["Bu Sari", SCORE]
    assert card0.loc["Bu Sari", "Predikat"] == card0.loc["Pak Budi", "Predikat"]
    assert "penilaian memperlakukan mereka sama" in view.last["cerita"]
    assert view.status.value == ""  # no timer on a workshop page
    sari, budi = view.story_ids["Bu Sari"], view.story_ids["Pak Budi"]
    truth = view.last["truth"]  # the scatter marks both by name
    assert {t.get_text().split(":")[0] for t in truth.axes[0].texts} == {"Bu Sari", "Pak Budi"}
    view.set(scenario__rater__favouritism=1.0)
    card1 = view.last["rapor"]
    order = list(C.PREDIKAT_ORDER)
    assert order.index(card1.loc["Bu Sari", "Predikat"]) > order.index(card0.loc["Bu Sari", "Predikat"])
    assert card1.loc["Pak Budi"].equals(card0.loc["Pak Budi"])
    assert "Yang membedakan hanya kedekatan Bu Sari dengan atasannya" in view.last["cerita"]
    assert view.story_ids == {"Bu Sari": sari, "Pak Budi": budi}


def test_workshop_story_text_agrees_with_the_card_at_every_position():
    view = workshop.workshop(n=NW, seed=7)
    for fav, _ in workshop.FAVOURITISM_LEVELS:
        for len_, _ in workshop.LENIENCY_LEVELS:
            view.set(scenario__rater__favouritism=fav, scenario__rater__leniency_sd=len_)
            card, story = view.last["rapor"], view.last["cerita"]
            s, b = card.loc["Bu Sari"], card.loc["Pak Budi"]
            assert f"lebih baik dari {s[TRUTH].split('%')[0]}% pegawai" in story  # equal: "keduanya lebih baik"
            if s[SCORE] == b[SCORE] and s["Predikat"] == b["Predikat"]:
                assert f"Skor simulasi keduanya {s[SCORE]} dan predikat keduanya <b>{s['Predikat']}</b>" in story
            elif s["Predikat"] == b["Predikat"]:
                assert f"Skor simulasi Bu Sari {s[SCORE]}, Pak Budi {b[SCORE]}" in story
            else:
                assert f"predikat Bu Sari <b>{s['Predikat']}</b>, sedangkan Pak Budi <b>{b['Predikat']}</b>" in story
            if fav == 0 and len_ > 0 and s[SCORE] != b[SCORE]:
                assert "Yang membedakan hanya atasan mereka" in story
            assert re.fullmatch(r"\d+,\d", s[SCORE])  # decimal comma


def test_story_pair_fallback_picks_closest_truth():
    emp = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3, 4], C.TRUE_PERFORMANCE: [0.0, 0.5, 0.45, 2.0],
                        C.CLOSENESS: [0, 1, 0, 0]})

    class S:
        scores = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3, 4], C.PREDIKAT: [C.BAIK] * 4})
    # nobody changes predikat: Sari is the only close employee; Budi is the closest truth at least hers
    assert workshop.story_pair(emp, S, S) == (2, 4)

    class Fav:
        scores = pd.DataFrame({C.EMPLOYEE_ID: [1, 2, 3, 4], C.PREDIKAT: [C.BAIK, C.SANGAT_BAIK, C.BAIK, C.BAIK]})
    emp2 = emp.assign(**{C.TRUE_PERFORMANCE: [0.0, 0.5, 0.55, 0.52]})
    # Sari (2) rises with favouritism; Budi is the not-close colleague closest above her (0.52, id 4)
    assert workshop.story_pair(emp2, S, Fav) == (2, 4)


def test_workshop_offers_the_runnable_regimes_and_switching_changes_the_card():
    runnable = workshop.runnable_policies(list(workshop.WORKSHOP_POLICIES))
    assert "permenpan-6-2022" in runnable
    view = workshop.workshop(n=N, seed=7)
    if len(runnable) < 2:
        assert "run.policy" not in view.widgets
        return
    dd = view.widgets["run.policy"]
    assert dd.value == "permenpan-6-2022" and dd.label == "Atasan menilai (PermenPAN-RB 6/2022)"
    assert [v for _, v in dd.options] == runnable
    other = runnable[1]
    view.set(run__policy=other, scenario__rater__favouritism=0.5)
    pol, scen, _ = widgets.apply_controls({"scenario.rater.favouritism": 0.5}, other, "neutral")
    sc = simulate(pol, n=N, seed=7, scenario=scen).scores.set_index(C.EMPLOYEE_ID)
    card = view.last["rapor"]
    ids = [view.story_ids[name] for name in card.index]
    assert card["Predikat"].tolist() == sc.loc[ids, C.PREDIKAT].tolist()
    assert card[SCORE].tolist() == [f"{v:.1f}".replace(".", ",") for v in sc.loc[ids, C.FINAL_SCORE]]


def test_runnable_policies_leaves_out_what_the_engine_cannot_run(tmp_path):
    names = workshop.runnable_policies(["permenpan-6-2022", str(tmp_path / "missing.toml")])
    assert names == ["permenpan-6-2022"]


def test_rubric_quota_and_periods_reach_the_policy_and_the_figures():
    view = widgets.rubric_designer(n=N, seed=1)
    hours0 = view.last["table"].loc[_kf("rater_hours")].iloc[1]
    view.set(policy__quota__enabled=True, policy__quota__unit_predikat="Baik", policy__periods__frequency="monthly")
    pol, scen, _ = widgets.apply_controls(view.values(), "permenpan-6-2022", "default")
    assert pol.quota.enabled and pol.quota.unit_predikat == "Baik" and pol.periods.frequency == "monthly"
    sim = simulate(pol, n=N, seed=1, scenario=scen)
    expected = widgets.key_figures(sim, "en")
    pd.testing.assert_series_equal(view.last["table"].iloc[:, 1], expected, check_names=False)
    assert view.last["table"].loc[_kf("rater_hours")].iloc[1] > hours0  # monthly evaluations cost more rater time than quarterly


def test_rubric_kurva_in_practice_reaches_the_scenario_and_moves_predikat():
    """In the default world no unit enforces the kurva; the designer's practice control brings it back."""
    view = widgets.rubric_designer(n=N, seed=1)
    assert view.values()["scenario.quota.compliance.share"] == 0.0
    before = view.last["table"].iloc[:, 1].copy()
    view.set(scenario__quota__compliance__share=1.0, scenario__quota__compliance__mode="down-first")
    pol, scen, _ = widgets.apply_controls(view.values(), "permenpan-6-2022", "default")
    assert scen.quota.compliance.share == 1.0 and scen.quota.compliance.mode == "down-first"
    sim = simulate(pol, n=N, seed=1, scenario=scen)
    pd.testing.assert_series_equal(view.last["table"].iloc[:, 1], widgets.key_figures(sim, "en"), check_names=False)
    assert not view.last["table"].iloc[:, 1].equals(before)
    assert (sim.scores[C.PREDIKAT] != sim.scores[C.PREDIKAT_RAW]).any()   # units now move employees


def test_bias_lab_correction_recovers_the_ordering_that_leniency_spoils():
    assert "standardize" in widgets.available_corrections()
    lab = widgets.bias_lab(n=N, seed=2)
    lab.set(scenario__rater__leniency_sd=0.8, run__correction="standardize")
    t = lab.last["table"]
    raw = t.loc["rank correlation: ratee's mean rating", "with your effects"]
    adj = t.loc["rank correlation: after correction", "with your effects"]
    assert adj > raw + 0.08  # centring each superior's ratings removes most of the planted leniency
    # without leniency there is little to recover: centring costs at most a little
    neutral_raw = t.loc["rank correlation: ratee's mean rating", "no effects"]
    assert abs(t.loc["rank correlation: after correction", "no effects"] - neutral_raw) < 0.1
    pol, scen, _ = widgets.apply_controls({"scenario.rater.leniency_sd": 0.8}, "permenpan-6-2022", "neutral")
    assert (raw, adj) == pytest.approx(widgets.correction_recovery(simulate(pol, n=N, seed=2, scenario=scen),
                                                                  "standardize"))


def test_liveview_reuses_the_first_layout_of_each_figure():
    view = workshop.workshop(n=N, seed=7)
    first = view.last["fairness"]
    from matplotlib.layout_engine import ConstrainedLayoutEngine
    assert isinstance(first.get_layout_engine(), ConstrainedLayoutEngine)  # solved once
    pos = [tuple(ax.get_position().bounds) for ax in first.axes]
    view.set(scenario__rater__favouritism=1.0)
    again = view.last["fairness"]
    assert again is not first and not isinstance(again.get_layout_engine(), ConstrainedLayoutEngine)
    assert [tuple(ax.get_position().bounds) for ax in again.axes] == pos
