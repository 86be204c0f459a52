"""Agreement on the rating scale, not the observed range: rwg's null variance and AC1's category count."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from agreement.metrics import gwets_gamma

from asnsim.cli import main
from asnsim.errors import AsnsimError, InputError
from asnsim.metrics.report import reliability_report
from asnsim.metrics.scale import RatingScale, observed_scale, parse_scale, policy_scale, resolve_scale
from asnsim.policy import load_policy

# Lenient raters: five raters per ratee use only 2 and 3 of the PermenPAN 1-3 scale.
#   ratee A: 3 3 3 3 3   var 0      ratee B: 2 3 3 3 3   var 0.2
#   ratee C: 2 2 3 3 3   var 0.3    ratee D: 2 2 2 2 2   var 0
LENIENT = pd.DataFrame({"ratee": np.repeat(list("ABCD"), 5), "rater": list("vwxyz") * 4,
                        "score": [3, 3, 3, 3, 3, 2, 3, 3, 3, 3, 2, 2, 3, 3, 3, 2, 2, 2, 2, 2]})


def _values(**kw) -> pd.Series:
    return reliability_report(LENIENT, "ratee", "rater", "score", n_boot=0, **kw).set_index("metric").value


def test_rwg_hand_worked_on_the_scale_and_on_the_observed_range():
    # James, Demaree & Wolf (1984): rwg = 1 - s2_x / s2_EU, s2_EU = (A^2 - 1)/12, negative values set to 0.
    # On the 1-3 scale A = 3, s2_EU = 8/12:  A 1, B 1 - 0.2*1.5 = 0.7, C 1 - 0.3*1.5 = 0.55, D 1 -> mean 0.8125
    # On the observed 2-3 range A = 2, s2_EU = 3/12:  A 1, B 1 - 0.8 = 0.2, C 1 - 1.2 -> 0, D 1 -> mean 0.55
    given = _values(scale="1:3")
    observed = _values()
    assert given["rwg_mean"] == pytest.approx(3.25 / 4, abs=1e-12)
    assert given["rwg_median"] == pytest.approx(0.85, abs=1e-12)
    assert given["rwg_share_070"] == pytest.approx(0.75)
    assert observed["rwg_mean"] == pytest.approx(2.2 / 4, abs=1e-12)
    assert (given["scale_min"], given["scale_max"], given["scale_points"], given["scale_observed"]) == (1, 3, 3, 0)
    assert (observed["scale_min"], observed["scale_max"], observed["scale_observed"]) == (2, 3, 1)
    # the policy gives the same scale as --scale 1:3
    assert _values(policy=load_policy("permenpan-6-2022"))["rwg_mean"] == given["rwg_mean"]


def test_ac1_counts_every_category_of_the_scale():
    # p_a = mean over ratees of sum_k r_k (r_k - 1) / (m (m - 1)), m = 5: (1 + 12/20 + 8/20 + 1)/4 = 0.75
    # pi_2 = (0 + .2 + .4 + 1)/4 = 0.4, pi_3 = 0.6;  sum pi (1 - pi) = 0.48
    # q = 3 (scale): p_e = 0.48/2 = 0.24 -> AC1 = 0.51/0.76;  q = 2 (observed): p_e = 0.48 -> 0.27/0.52
    assert _values(scale="1:3")["gwet_ac1"] == pytest.approx(0.51 / 0.76, abs=1e-12)
    assert _values()["gwet_ac1"] == pytest.approx(0.27 / 0.52, abs=1e-12)
    # Fleiss' kappa does not depend on unused categories
    assert _values(scale="1:3")["fleiss_kappa"] == pytest.approx(_values()["fleiss_kappa"], abs=1e-12)


def test_ac1_equals_the_agreement_package_with_unused_categories():
    counts = np.array([[0, 0, 5], [0, 1, 4], [0, 2, 3], [0, 5, 0]], float)
    assert _values(scale="1:3")["gwet_ac1"] == pytest.approx(gwets_gamma(counts), abs=1e-12)
    assert _values()["gwet_ac1"] == pytest.approx(gwets_gamma(counts[:, 1:]), abs=1e-12)
    # a wider scale (1-5): q = 5
    assert _values(scale="1:5")["gwet_ac1"] == pytest.approx(
        gwets_gamma(np.column_stack([counts, np.zeros((4, 2))])), abs=1e-12)


def test_scores_off_the_scale_are_an_error_naming_row_and_column():
    bad = LENIENT.assign(score=LENIENT.score.where(LENIENT.index != 7, 4))
    with pytest.raises(InputError, match=r"row 7: column 'score': score 4 outside the scale 1 to 3"):
        reliability_report(bad, "ratee", "rater", "score", n_boot=0, scale="1:3")
    with pytest.raises(InputError, match="row 7"):
        reliability_report(bad, "ratee", "rater", "score", n_boot=0, policy=load_policy("permenpan-6-2022"))


@pytest.mark.parametrize("text, message", [("1-3", "expected MIN:MAX"), ("3:1", "MIN must be a number below MAX"),
                                           ("1:nan", "MIN must be"), ("1:2.5", "whole number of points"),
                                           ("a:b", "expected MIN:MAX")])
def test_parse_scale_rejects(text, message):
    with pytest.raises(AsnsimError, match=message):
        parse_scale(text)


def test_scale_sources():
    assert policy_scale(load_policy("pp-30-2019")).range == (0.0, 120.0)
    assert policy_scale(load_policy("sawahlunto")).n_points == 121
    assert resolve_scale((1, 5)).n_points == 5 and resolve_scale() is None
    assert resolve_scale("1:3", load_policy("pp-46-2011")).range == (1, 3)   # --scale wins over --policy
    assert observed_scale([1.0, 1.5, 3.0]).n_points == 5                     # half points: steps of 0.5
    assert RatingScale(1, 3).on_points([1, 2, 3]) and not RatingScale(1, 3).on_points([1.5])


def test_policy_with_several_scales_asks_for_scale(tmp_path):
    path = tmp_path / "mixed.toml"
    path.write_text('name = "mixed"\nextends = "permenpan-6-2022"\ntitle = "mixed scales"\n'
                    '[components.perilaku_kerja.scale]\nkind = "ordinal"\nmin = 1\nmax = 5\n'
                    'cutpoints = [-1.5, -0.5, 0.5, 1.5]\nlabels = []\n'
                    '[rating]\nbehaviour_above = 4.0\nbehaviour_meets = 2.5\n', encoding="utf-8")
    with pytest.raises(AsnsimError, match=r"hasil_kerja: 1 to 3; perilaku_kerja: 1 to 5\); give --scale"):
        policy_scale(load_policy(path))


def test_cli_analyze_scale_option(tmp_path, capsys):
    path = tmp_path / "lenient.csv"
    LENIENT.to_csv(path, index=False)
    common = ["analyze", str(path), "--ratee", "ratee", "--rater", "rater", "--score", "score",
              "--method", "standardize", "--n-boot", "0"]
    assert main(common + ["--out", str(tmp_path / "observed")]) == 0
    assert "scale: 2 to 3 (2 points; assumed from the observed scores" in capsys.readouterr().out
    assert main(common + ["--scale", "1:3", "--out", str(tmp_path / "given")]) == 0
    assert "scale: 1 to 3 (3 points; given)" in capsys.readouterr().out
    rel = pd.read_csv(tmp_path / "given" / "reliability.csv").set_index("metric").value
    assert rel["rwg_mean"] == pytest.approx(0.8125, abs=1e-6)
    assert pd.read_csv(tmp_path / "observed" / "reliability.csv").set_index("metric").value["rwg_mean"] == \
        pytest.approx(0.55, abs=1e-6)
    info = json.loads((tmp_path / "given" / "analysis.json").read_text())
    assert info["scale"] == {"min": 1.0, "max": 3.0, "points": 3, "origin": "given"}
    assert main(common + ["--policy", "permenpan-6-2022", "--out", str(tmp_path / "policy")]) == 0
    assert "scale: 1 to 3 (3 points; from policy permenpan-6-2022)" in capsys.readouterr().out
    # a score off the scale: exit 2, the file's row (header = row 1) and the column, nothing written
    LENIENT.assign(score=LENIENT.score.where(LENIENT.index != 7, 4)).to_csv(path, index=False)
    assert main(common + ["--scale", "1:3", "--out", str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert f"{path}: row 9: column 'score': score outside the scale 1 to 3" in err and err.count("\n") == 1
    assert not (tmp_path / "bad").exists()
    assert main(common + ["--scale", "1..3", "--out", str(tmp_path / "bad")]) == 2
    assert "--scale: expected MIN:MAX" in capsys.readouterr().err
