"""Kurva distribusi (SE MenPAN-RB 03/2023): every quota row, the checker, fewest-moves enforcement,
infeasible units, and hypothesis properties against brute force."""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asnsim import columns as C
from asnsim.errors import PolicyError, QuotaInfeasible
from asnsim.policy import Quota, QuotaRule, load_policy
from asnsim.quota import LEVELS, MODES, check_quotas, enforce_quotas, rule_bounds

SK, K, BP, B, SB = LEVELS
QUOTA = load_policy("permenpan-6-2022").quota


def _scores(predikat, scores=None):
    n = len(predikat)
    return pd.DataFrame({C.EMPLOYEE_ID: np.arange(1, n + 1),
                         C.FINAL_SCORE: np.arange(n, dtype=float) if scores is None else scores,
                         C.PREDIKAT: predikat})


def _one_unit(predikat, unit_predikat, scores=None, **kw):
    s = _scores(predikat, scores)
    return enforce_quotas(s, pd.Series(["U1"] * len(s)), {"U1": unit_predikat}, QUOTA, **kw)


def test_rule_bounds_rounding():
    lo, hi = rule_bounds(QuotaRule(unit_predikat="Kurang", predikat=(K,), min_share=0.6, max_share=0.7),
                         np.array([1, 5, 10, 11]))
    assert lo.tolist() == [1, 3, 6, 7]   # ceil(0.6 n)
    assert hi.tolist() == [0, 3, 7, 7]   # floor(0.7 n)


# ---- every PermenPAN quota row: a raw distribution breaking it, the check, and the enforced result
def test_istimewa_at_most_70_percent_sangat_baik():
    raw = [SB] * 9 + [B]                       # 9 SB of 10 > 7
    v = check_quotas(pd.Series(raw), pd.Series(["U1"] * 10), {"U1": "Istimewa"}, QUOTA)
    assert v[["rule", "count", "bound", "kind"]].values.tolist() == [["Sangat Baik <= 70%", 9, 7, "max"]]
    res = _one_unit(raw, "Istimewa", scores=[50, 90, 80, 70, 95, 85, 99, 60, 75, 10])
    # the two lowest-scoring SB (50, 60) move down to Baik
    assert res.predikat.tolist() == [B, SB, SB, SB, SB, SB, SB, B, SB, B]
    assert res.units[C.N_MOVED].item() == 2 and res.units[C.QUOTA_STATUS].item() == "enforced"


def test_baik_at_most_70_percent_baik_and_one_below():
    raw = [B] * 10
    v = check_quotas(pd.Series(raw), pd.Series(["U1"] * 10), {"U1": "Baik"}, QUOTA)
    assert sorted(v["rule"]) == ["Baik <= 70%", "Butuh Perbaikan+Kurang/Misconduct >= 1"]
    res = _one_unit(raw, "Baik")
    # 3 lowest-scoring Baik move down to Butuh Perbaikan: that also gives the one BP/K needed
    assert res.predikat.tolist() == [BP] * 3 + [B] * 7
    assert res.units[C.N_MOVED].item() == 3
    assert res.units[C.QUOTA_BOUND].item() == "Baik <= 70%; Butuh Perbaikan+Kurang/Misconduct >= 1"


def test_baik_unit_without_bp_or_k_moves_exactly_one():
    raw = [SB] * 5 + [B] * 5
    res = _one_unit(raw, "Baik", scores=[9, 8, 7, 6, 5, 4, 3, 2, 1, 0])
    assert res.units[C.N_MOVED].item() == 1
    assert res.predikat.tolist() == [SB] * 5 + [B] * 4 + [BP]   # the lowest-scoring Baik


def test_butuh_perbaikan_row():
    raw = [SB] * 3 + [B] * 7                    # needs >= 6 BP and <= 1 SB
    v = check_quotas(pd.Series(raw), pd.Series(["U1"] * 10), {"U1": "Butuh Perbaikan"}, QUOTA)
    assert sorted(zip(v["rule"], v["kind"])) == [("Butuh Perbaikan >= 60%", "min"), ("Sangat Baik <= 10%", "max")]
    res = _one_unit(raw, "Butuh Perbaikan", scores=[5, 6, 7, 0, 1, 2, 3, 4, 8, 9])
    assert res.units[C.N_MOVED].item() == 6     # max(E = 2, D = 6)
    out = res.predikat.tolist()
    assert out.count(BP) == 6 and out.count(SB) == 1 and out[2] == SB   # the top-scoring SB stays


def test_kurang_row():
    raw = [B] * 10                              # needs >= 6 K, >= 1 BP
    res = _one_unit(raw, "Kurang")
    assert res.units[C.N_MOVED].item() == 7
    assert res.predikat.tolist() == [K] * 6 + [BP] + [B] * 3
    v = check_quotas(pd.Series([SB, SB, K, K, K, K, K, K, BP, B]), pd.Series(["U1"] * 10), {"U1": "Kurang"}, QUOTA)
    assert v[["rule", "count", "bound"]].values.tolist() == [["Sangat Baik <= 10%", 2, 1]]


def test_sangat_kurang_row():
    raw = [SB] + [B] * 9                        # needs >= 6 SK, >= 1 of K/BP, no SB
    res = _one_unit(raw, "Sangat Kurang", scores=[100, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    out = res.predikat.tolist()
    assert res.units[C.N_MOVED].item() == 7     # max(E = 1, D = 7)
    assert out.count(SK) == 6 and out.count(K) + out.count(BP) == 1 and out.count(SB) == 0
    assert check_quotas(res.predikat, pd.Series(["U1"] * 10), {"U1": "Sangat Kurang"}, QUOTA).empty


def test_met_units_are_untouched():
    raw = [SB] * 2 + [B] * 6 + [BP] * 2
    res = _one_unit(raw, "Baik")
    assert res.predikat.tolist() == raw
    assert res.units[C.QUOTA_STATUS].item() == "met" and res.units[C.QUOTA_BOUND].item() == ""


# ---- infeasible units
def test_one_person_kurang_unit_is_infeasible_and_reported():
    res = _one_unit([B], "Kurang")
    assert res.units[C.QUOTA_STATUS].item() == "infeasible"
    assert res.predikat.tolist() == [B]          # kept raw, and said so
    assert "1 cannot meet them" in res.summary() and "U1" in res.summary()
    with pytest.raises(QuotaInfeasible, match=r"unit U1 \(predikat Kurang, 1 employees.*Kurang/Misconduct >= 60%.*need 2 employees"):
        _one_unit([B], "Kurang", on_infeasible="raise")


def test_one_person_baik_unit_is_feasible():
    res = _one_unit([B], "Baik")                 # Baik <= floor(0.7) = 0 and one BP/K: the one person is BP
    assert res.predikat.tolist() == [BP]


def test_excluded_employees_keep_their_predikat_and_do_not_count():
    s = _scores([SB, SB, SB, SB])
    res = enforce_quotas(s, pd.Series(["U1"] * 4), {"U1": "Istimewa"}, QUOTA,
                         include=np.array([False, True, True, True]))
    # 3 under the quota, SB <= floor(2.1) = 2: employee 2 (lowest-scoring included SB) moves;
    # employee 1 (lowest score overall, excluded) keeps Sangat Baik
    assert res.predikat.tolist() == [SB, B, SB, SB]
    assert res.units[C.N_QUOTA].item() == 3


def test_many_units_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(3)
    n = 300
    unit = pd.Series(rng.integers(0, 40, n).astype(str))
    ups = {str(u): C.UNIT_PREDIKAT_ORDER[u % 5] for u in range(40)}
    s = _scores(list(np.array(LEVELS)[rng.integers(0, 5, n)]), rng.normal(size=n))
    together = enforce_quotas(s, unit, ups, QUOTA).predikat
    for u in unit.unique():
        m = (unit == u).to_numpy()
        alone = enforce_quotas(s[m], unit[m], ups, QUOTA).predikat
        assert alone.tolist() == together[m].tolist()


def test_quota_policy_validation():
    with pytest.raises(ValueError, match="overlap"):
        Quota(rules=(QuotaRule(unit_predikat="Baik", predikat=(B,), max_share=0.7),
                     QuotaRule(unit_predikat="Baik", predikat=(B, BP), min_count=1)))
    with pytest.raises(ValueError, match="sum to 1.2"):
        Quota(rules=(QuotaRule(unit_predikat="Kurang", predikat=(K,), min_share=0.6),
                     QuotaRule(unit_predikat="Kurang", predikat=(BP,), min_share=0.6)))
    with pytest.raises(ValueError, match="unknown unit predikat"):
        QuotaRule(unit_predikat="Hebat", predikat=(B,), max_share=0.5)


def test_impossible_quota_in_a_file_names_the_key(tmp_path):
    f = tmp_path / "q.toml"
    f.write_text('name = "q"\ntitle = "q"\nextends = "permenpan-6-2022"\n'
                 '[[quota.rules]]\nunit_predikat = "Kurang"\npredikat = ["Kurang/Misconduct"]\nmin_share = 0.95\n'
                 '[[quota.rules]]\nunit_predikat = "Kurang"\npredikat = ["Butuh Perbaikan"]\nmin_share = 0.1\n')
    with pytest.raises(PolicyError, match=r"q.toml: quota: .*sum to 1.05"):
        load_policy(str(f))


# ---- properties against brute force over every distribution of a small unit
@functools.lru_cache(maxsize=None)
def _compositions(n):
    """Every count vector of n employees over the five predikat (C(n+4, 4) rows)."""
    cuts = np.array(list(itertools.combinations(range(n + 4), 4)))
    return np.diff(np.column_stack([np.full(len(cuts), -1), cuts, np.full(len(cuts), n + 4)]), axis=1) - 1


def _brute_force(raw_counts, unit_predikat, n):
    """Fewest moves over every distribution meeting the quotas (None if none does)."""
    c = _compositions(n)
    ok = np.ones(len(c), dtype=bool)
    for r in QUOTA.rules:
        if r.unit_predikat == unit_predikat:
            lo, hi = rule_bounds(r, np.array([n]))
            k = c[:, [LEVELS.index(p) for p in r.predikat]].sum(axis=1)
            ok &= (lo[0] <= k) & (k <= hi[0])
    if not ok.any():
        return None
    return int((n - np.minimum(raw_counts, c[ok]).sum(axis=1)).min())


units_strategy = st.tuples(
    st.lists(st.sampled_from(LEVELS), min_size=1, max_size=7),
    st.sampled_from(C.UNIT_PREDIKAT_ORDER),
    st.randoms(use_true_random=False),
)


@settings(max_examples=100, deadline=None)
@given(units_strategy)
def test_enforcement_meets_quotas_with_fewest_moves(case):
    raw, up, rnd = case
    scores = rnd.sample(range(1000), len(raw))
    res = _one_unit(raw, up, scores=[float(x) for x in scores])
    counts = np.array([raw.count(p) for p in LEVELS])
    fewest = _brute_force(counts, up, len(raw))
    moved = int(sum(a != b for a, b in zip(raw, res.predikat)))
    if fewest is None:
        assert res.units[C.QUOTA_STATUS].item() == "infeasible"
        assert res.predikat.tolist() == raw
    else:
        assert check_quotas(res.predikat, pd.Series(["U1"] * len(raw)), {"U1": up}, QUOTA).empty
        assert moved == fewest == res.units[C.N_MOVED].item()
        assert res.units[C.QUOTA_STATUS].item() == ("met" if fewest == 0 else "enforced")


@settings(max_examples=60, deadline=None)
@given(units_strategy)
def test_movers_are_chosen_in_score_order(case):
    raw, up, rnd = case
    scores = np.array(rnd.sample(range(1000), len(raw)), dtype=float)
    res = _one_unit(raw, up, scores=scores)
    old = np.array([LEVELS.index(p) for p in raw])
    new = np.array([LEVELS.index(p) for p in res.predikat])
    for lv in range(5):
        here = old == lv
        stay = scores[here & (new == lv)]
        down = scores[here & (new < lv)]
        up_ = scores[here & (new > lv)]
        if len(stay) and len(down):
            assert down.max() < stay.min()   # the lowest-scoring move down
        if len(stay) and len(up_):
            assert up_.min() > stay.max()    # the highest-scoring move up


def test_checker_counts_by_hand():
    raw = pd.Series([SB, SB, SB, B, B, BP, K, SK, SK, SK, B, B])
    unit = pd.Series(["A"] * 5 + ["B"] * 5 + ["C"] * 2)
    v = check_quotas(raw, unit, {"A": "Istimewa", "B": "Sangat Kurang", "C": "Butuh Perbaikan"}, QUOTA)
    # A: 3 SB of 5 <= floor(3.5) = 3: met.  B: SK 3 of 5 < ceil(3) ... = 3: met; K/BP 2 >= 1: met.
    # C: BP 0 < ceil(1.2) = 2
    assert v[[C.UNIT, "rule", "count", "bound"]].values.tolist() == [["C", "Butuh Perbaikan >= 60%", 0, 2]]
    assert math.isclose(0.6 * 2, 1.2)


# ---- the organisation's predikat in a simulation
def test_unit_predikat_draw_follows_cutpoints_and_truth():
    from asnsim.quota import draw_unit_predikat
    n = 1000
    emp = pd.DataFrame({C.EMPLOYEE_ID: np.arange(1, n + 1), C.UNIT: [f"U{i:04d}" for i in range(n)],
                        C.TRUE_PERFORMANCE: np.linspace(-2, 2, n)})
    q = QUOTA.model_copy(update={"unit_noise_sd": 0.0})
    units = draw_unit_predikat(emp, q, np.random.default_rng(0))
    shares = units[C.UNIT_PREDIKAT].value_counts(normalize=True)
    # linspace is not normal, so compare with the uniform quantiles of the standardized cuts
    z = (emp[C.TRUE_PERFORMANCE] - emp[C.TRUE_PERFORMANCE].mean()) / emp[C.TRUE_PERFORMANCE].std(ddof=0)
    expected = np.diff(np.r_[0, [(z < c).mean() for c in q.unit_cutpoints], 1])
    assert [shares.get(p, 0) for p in C.UNIT_PREDIKAT_ORDER] == pytest.approx(expected)
    codes = units[C.UNIT_PREDIKAT].map({p: i for i, p in enumerate(C.UNIT_PREDIKAT_ORDER)})
    assert codes.is_monotonic_increasing   # better units never get a worse predikat without noise
    fixed = draw_unit_predikat(emp, QUOTA.model_copy(update={"unit_predikat": "Kurang"}), np.random.default_rng(0))
    assert set(fixed[C.UNIT_PREDIKAT]) == {"Kurang"} and fixed[C.N].sum() == n


def test_simulated_leaders_follow_unit_predikat_and_units_meet_quotas(small_round_neutral):
    from asnsim.quota import unit_leaders
    sim = small_round_neutral   # rules as written: all units enforce
    emp = sim.employees.set_index(C.EMPLOYEE_ID)
    sc = sim.scores.set_index(C.EMPLOYEE_ID).loc[emp.index]
    leader = unit_leaders(sim.employees)
    up = emp[C.UNIT].map(sim.units.set_index(C.UNIT)[C.UNIT_PREDIKAT])
    want = up.map({"Istimewa": C.DI_ATAS, "Baik": C.SESUAI, "Butuh Perbaikan": C.DI_BAWAH,
                   "Kurang": C.DI_BAWAH, "Sangat Kurang": C.DI_BAWAH})
    assert (sc[C.RATING_RESULTS][leader] == want[leader]).all() and leader.sum() == len(sim.units)
    assert (sc[C.PREDIKAT][leader] == sc[C.PREDIKAT_RAW][leader]).all()   # leaders are outside the quota
    ok = sim.units.loc[sim.units[C.QUOTA_STATUS] != "infeasible", C.UNIT]
    staff = ~leader & emp[C.UNIT].isin(ok).to_numpy()
    assert check_quotas(sc[C.PREDIKAT][staff], emp[C.UNIT][staff], sim.units.set_index(C.UNIT)[C.UNIT_PREDIKAT],
                        QUOTA).empty
    assert sim.units[C.N_MOVED].sum() == (sc[C.PREDIKAT] != sc[C.PREDIKAT_RAW]).sum()


@st.composite
def _random_row(draw):
    """A random set of disjoint rules for one unit predikat, with random shares and counts."""
    labels = draw(st.lists(st.integers(-1, 2), min_size=5, max_size=5))  # level -> rule slot (-1: free)
    rules = []
    for slot in range(3):
        members = tuple(LEVELS[i] for i in range(5) if labels[i] == slot)
        if not members:
            continue
        lo = draw(st.one_of(st.none(), st.sampled_from([0.1, 0.2, 0.3, 0.5])))
        hi = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.3, 0.5, 0.7])))
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        cnt = draw(st.sampled_from([0, 0, 1]))
        if lo is None and hi is None and not cnt:
            cnt = 1
        rules.append(QuotaRule(unit_predikat="Baik", predikat=members, min_share=lo, max_share=hi, min_count=cnt))
    if not rules:
        rules.append(QuotaRule(unit_predikat="Baik", predikat=(SB,), max_share=0.5))
    return rules


@settings(max_examples=80, deadline=None)
@given(_random_row(), st.lists(st.sampled_from(LEVELS), min_size=1, max_size=6), st.randoms(use_true_random=False),
       st.sampled_from(MODES))
def test_any_disjoint_rules_are_met_with_fewest_moves(rules, raw, rnd, mode):
    """Every compliance mode meets the quotas with the fewest moves (only the direction differs)."""
    try:
        quota = Quota(rules=tuple(rules))
    except ValueError:  # minimum shares summing over 1: the validator refuses the policy
        return
    s = _scores(raw, [float(x) for x in rnd.sample(range(1000), len(raw))])
    res = enforce_quotas(s, pd.Series(["U1"] * len(raw)), {"U1": "Baik"}, quota, mode=mode)
    n = len(raw)
    c = _compositions(n)
    ok = np.ones(len(c), dtype=bool)
    for r in rules:
        lo, hi = rule_bounds(r, np.array([n]))
        k = c[:, [LEVELS.index(p) for p in r.predikat]].sum(axis=1)
        ok &= (lo[0] <= k) & (k <= hi[0])
    counts = np.array([raw.count(p) for p in LEVELS])
    if not ok.any():
        assert res.units[C.QUOTA_STATUS].item() == "infeasible" and res.predikat.tolist() == raw
        return
    fewest = int((n - np.minimum(counts, c[ok]).sum(axis=1)).min())
    assert check_quotas(res.predikat, pd.Series(["U1"] * n), {"U1": "Baik"}, quota).empty
    assert sum(a != b for a, b in zip(raw, res.predikat)) == fewest


# ---- compliance (practice, from the scenario): who moves in each mode, and units that do not enforce
def _mode_case():
    """A Baik unit of ten Baik (scores below) that must send 3 away (at most 70% Baik, at least one BP/K);
    two one-person units supply the level means: Sangat Baik 95, Butuh Perbaikan 5, so the midpoint is 50."""
    sc = [8, 10, 12, 50, 52, 55, 60, 62, 65, 93]
    s = _scores([B] * 10 + [SB, BP], sc + [95, 5])
    unit = pd.Series(["U1"] * 10 + ["U2", "U3"])
    return s, unit, {"U1": "Baik", "U2": "Istimewa", "U3": "Butuh Perbaikan"}


@pytest.mark.parametrize("mode, expected", [
    # the rule's intent: the three lowest-scoring move down
    ("down-first", [BP, BP, BP] + [B] * 7),
    # the lowest moves down for the one BP/K the unit needs, the two highest move up
    ("up-first", [BP] + [B] * 7 + [SB, SB]),
    # after the lowest (8) fills the BP/K minimum, the two left nearest a neighbouring level are 93
    # (43 from the midpoint 50, nearer Sangat Baik) and 10 (40, nearer Butuh Perbaikan); 12 (38) stays
    ("nearest", [BP, BP] + [B] * 7 + [SB]),
])
def test_compliance_modes_move_known_employees(mode, expected):
    s, unit, ups = _mode_case()
    res = enforce_quotas(s, unit, ups, QUOTA, mode=mode)
    assert res.predikat.tolist()[:10] == expected
    assert res.units.set_index(C.UNIT).loc["U1", C.N_MOVED] == 3   # the same, fewest, moves in every mode
    assert check_quotas(res.predikat[:10], unit[:10], ups, QUOTA).empty


def test_nearest_sends_everyone_down_without_a_level_above():
    # no one holds Sangat Baik anywhere: the level above attracts nobody, so nearest is down-first here
    s = _scores([B] * 10)
    near = _one_unit([B] * 10, "Baik", mode="nearest").predikat.tolist()
    assert near == _one_unit([B] * 10, "Baik").predikat.tolist() == [BP, BP, BP] + [B] * 7
    assert len(s) == 10


def test_a_unit_that_does_not_enforce_keeps_its_raw_predikat():
    s, unit, ups = _mode_case()
    res = enforce_quotas(s, unit, ups, QUOTA, enforcing={"U1": False})
    assert res.predikat.tolist()[:10] == [B] * 10
    st_ = res.units.set_index(C.UNIT)[C.QUOTA_STATUS]
    assert st_.to_dict() == {"U1": "not enforced", "U2": "enforced", "U3": "met"}
    assert "1 break them without enforcing" in res.summary()
    assert not res.violations.empty   # the broken quota is still reported


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be one of"):
        _one_unit([B] * 3, "Baik", mode="sideways")


def test_enforcing_units_are_common_to_policies_and_nested_in_the_share():
    from asnsim.pipeline import simulate
    from asnsim.scenario import load_scenario
    neutral = load_scenario("neutral")

    def practice(share):
        q = neutral.quota.model_copy(update={"compliance": neutral.quota.compliance.model_copy(
            update={"share": share})})
        return neutral.model_copy(update={"quota": q})

    def status(policy, share):
        return simulate(policy, n=1500, seed=4, scenario=practice(share)).units.set_index(C.UNIT)[C.QUOTA_STATUS]

    a, b = status("permenpan-6-2022", 0.3), status("gayungan", 0.3)
    both = (a != "met") & (b != "met")          # units whose raw predikat break a quota under both policies
    assert both.sum() > 30 and (a[both] == "not enforced").any()
    # the same units ignore the kurva under both policies (one draw per unit, whatever the policy)
    assert ((a[both] == "not enforced") == (b[both] == "not enforced")).all()
    more = status("permenpan-6-2022", 0.6)
    assert set(more[more == "not enforced"].index) < set(a[a == "not enforced"].index)  # a larger share adds units
    assert not (status("permenpan-6-2022", 1.0) == "not enforced").any()   # rules as written: every unit enforces
