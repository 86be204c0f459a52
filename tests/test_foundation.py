"""The foundation slice: policy files, the 3x3 matrix, simulate's outputs and determinism."""

from __future__ import annotations

import hashlib
import json
import tomllib

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.cli import main
from asnsim.policy import Policy, Scale, load_policy
from asnsim.policyfiles import dump_toml as policy_to_toml
from asnsim.scoring import score
from asnsim.scoring.permenpan import predikat_from_matrix

# DOMAIN.md s.2, rows hasil kerja, columns perilaku (Di Bawah, Sesuai, Di Atas)
MATRIX = {
    (2, 0): "Kurang/Misconduct", (2, 1): "Baik", (2, 2): "Sangat Baik",
    (1, 0): "Kurang/Misconduct", (1, 1): "Baik", (1, 2): "Baik",
    (0, 0): "Sangat Kurang", (0, 1): "Butuh Perbaikan", (0, 2): "Butuh Perbaikan",
}


@pytest.mark.parametrize("cell,expected", sorted(MATRIX.items()))
def test_matrix_cell_by_cell(cell, expected):
    pol = load_policy("permenpan-6-2022")
    got = predikat_from_matrix(pol, np.array([cell[0]]), np.array([cell[1]]))
    assert got[0] == expected


def _ratings_for(results: list[int], behaviour: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    pol = load_policy("permenpan-6-2022")
    rows = []
    for comp, scores in (("hasil_kerja", results), ("perilaku_kerja", behaviour)):
        for item, s in zip(pol.components[comp].items, scores):
            rows.append({C.RATEE_ID: 7, C.RATER_ID: 3, C.RATER_ROLE: "atasan", C.ITEM: item,
                         C.PERIOD: "annual", C.SCORE: s, C.COMPONENT: comp})
    return pd.DataFrame(rows), pd.DataFrame({C.EMPLOYEE_ID: [7]})


@pytest.mark.parametrize("results,behaviour,r,b,pred", [
    # 3 of 4 RHK above, no utama below; perilaku mean 20/7 = 2.86 -> Di Atas
    ([3, 3, 3, 2], [3, 3, 3, 3, 3, 3, 2], C.DI_ATAS, C.DI_ATAS, "Sangat Baik"),
    # majority above but an utama RHK below -> Sesuai; perilaku mean 2.0 -> Sesuai
    ([1, 3, 3, 3], [2] * 7, C.SESUAI, C.SESUAI, "Baik"),
    # exactly half above is not "most" -> Sesuai; perilaku mean 17/7 = 2.43 < 2.5
    ([3, 3, 2, 2], [3, 3, 3, 2, 2, 2, 2], C.SESUAI, C.SESUAI, "Baik"),
    # 3 of 4 below -> Di Bawah; perilaku mean 10/7 = 1.43 < 1.5 -> Di Bawah
    ([1, 1, 1, 3], [1, 1, 1, 1, 2, 2, 2], C.DI_BAWAH, C.DI_BAWAH, "Sangat Kurang"),
    # perilaku mean 11/7 = 1.57 just above 1.5 -> Sesuai; hasil all above -> Baik
    ([3, 3, 3, 3], [1, 2, 1, 2, 1, 2, 2], C.DI_ATAS, C.SESUAI, "Baik"),
])
def test_hand_worked_scoring(results, behaviour, r, b, pred):
    pol = load_policy("permenpan-6-2022")
    ratings, employees = _ratings_for(results, behaviour)
    out = score(pol, ratings, employees)
    row = out.iloc[0]
    assert (row[C.RATING_RESULTS], row[C.RATING_BEHAVIOUR], row[C.PREDIKAT]) == (r, b, pred)


def test_final_score_is_weighted_percent():
    pol = load_policy("permenpan-6-2022")
    ratings, employees = _ratings_for([3, 3, 3, 2], [2] * 7)
    out = score(pol, ratings, employees).iloc[0]
    assert out["score_hasil_kerja"] == pytest.approx(100 * (2.75 - 1) / 2)
    assert out["score_perilaku_kerja"] == pytest.approx(50.0)
    assert out[C.FINAL_SCORE] == pytest.approx(0.5 * 87.5 + 0.5 * 50.0)


def test_scale_quantize():
    s = Scale(cutpoints=(-1.0, 1.0))
    assert s.quantize(np.array([-2, -1.0, 0, 0.999, 1.0, 5])).tolist() == [1, 2, 2, 2, 3, 3]
    num = Scale(kind="numeric", min=0, max=100, step=1, center=80, spread=10)
    assert num.quantize(np.array([0.0, 0.26, 5, -9])).tolist() == [80, 83, 100, 0]


def test_show_round_trips():
    pol = load_policy("permenpan-6-2022")
    again = Policy.model_validate(tomllib.loads(policy_to_toml(pol)))
    assert again == pol
    assert again.content_hash() == pol.content_hash()


def test_extends_overrides_one_key(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text('name = "mine"\ntitle = "t"\nextends = "permenpan-6-2022"\n'
                 '[rating]\nbehaviour_above = 2.7\n')
    pol, base = load_policy(str(f)), load_policy("permenpan-6-2022")
    assert pol.rating.behaviour_above == 2.7
    assert pol.rating.behaviour_meets == base.rating.behaviour_meets
    assert pol.components == base.components
    assert pol.content_hash() != base.content_hash()


def test_policy_is_frozen():
    pol = load_policy("permenpan-6-2022")
    with pytest.raises(Exception):
        pol.name = "x"


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))}


def test_simulate_cli_is_reproducible(tmp_path, capsys):
    args = ["simulate", "--policy", "permenpan-6-2022", "--n", "300", "--out"]
    assert main(args + [str(tmp_path / "a"), "--seed", "1"]) == 0
    assert main(args + [str(tmp_path / "b"), "--seed", "1"]) == 0
    assert main(args + [str(tmp_path / "c"), "--seed", "2"]) == 0
    a, b, c = (_digests(tmp_path / x) for x in "abc")
    assert {"employees.csv", "ratings.csv", "scores.csv"} <= set(a)
    assert a == b
    assert all(a[k] != c[k] for k in ("employees.csv", "ratings.csv", "scores.csv"))
    out = capsys.readouterr().out
    assert "Sangat Baik" in out


def test_simulate_outputs_columns_and_manifest(tmp_path):
    assert main(["simulate", "--policy", "permenpan-6-2022", "--n", "200", "--seed", "5",
                 "--out", str(tmp_path)]) == 0
    emp = pd.read_csv(tmp_path / "employees.csv")
    rat = pd.read_csv(tmp_path / "ratings.csv")
    sco = pd.read_csv(tmp_path / "scores.csv")
    assert set(C.EMPLOYEE_COLUMNS) <= set(emp.columns)
    assert set(C.RATING_COLUMNS) <= set(rat.columns)
    assert set(C.SCORE_COLUMNS) <= set(sco.columns)
    assert len(emp) == len(sco) == 200
    assert emp[C.EMPLOYEE_ID].is_unique
    # every supervisor is an employee, or 0 (the kepala daerah) for the top
    assert set(emp[C.SUPERVISOR_ID]) <= set(emp[C.EMPLOYEE_ID]) | {0}
    assert set(sco[C.PREDIKAT]) <= set(C.PREDIKAT_ORDER)
    man = json.loads((tmp_path / "manifest.json").read_text())
    pol = load_policy("permenpan-6-2022")
    assert man["seed"] == 5
    assert man["policy"] == {"name": "permenpan-6-2022", "sha256": pol.content_hash()}
    assert "asnsim_version" in man


def test_out_is_a_file_exits_2(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    assert main(["simulate", "--policy", "permenpan-6-2022", "--n", "20", "--out", str(f)]) == 2
    assert f.read_text() == "x"


def test_rerun_into_the_same_folder_replaces_the_earlier_run(tmp_path, capsys):
    """simulate --format parquet after a csv run into the same --out leaves no csv tables; own files stay."""
    out = tmp_path / "o"
    base = ["simulate", "--policy", "permenpan-6-2022", "--n", "40", "--seed", "1", "--out", str(out)]
    assert main(base) == 0
    assert (out / "ratings.csv").exists()
    (out / "notes.csv").write_text("mine\n")
    assert main(base + ["--format", "parquet"]) == 0
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))   # .asnsim-output.json: asnsim's list
    assert names == ["employees.parquet", "manifest.json", "notes.csv", "ratings.parquet", "scores.parquet",
                     "units.parquet"]


def test_version_is_the_same_everywhere():
    """pyproject.toml, asnsim.__version__, CITATION.cff and the newest CHANGELOG release agree."""
    import re
    import tomllib
    from pathlib import Path

    import asnsim

    root = Path(__file__).resolve().parents[1]
    version = tomllib.loads((root / "pyproject.toml").read_text())["project"]["version"]
    assert asnsim.__version__ == version
    assert re.search(rf"^version: {re.escape(version)}$", (root / "CITATION.cff").read_text(), re.M)
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (root / "CHANGELOG.md").read_text(), re.M)
    assert releases[0] == version
