"""A population read from an employees file: simulate --population, compare --population."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.cli import main
from asnsim.io.population import population_from_table, read_population
from asnsim.pipeline import simulate
from asnsim.rng import stage_rng

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"


def small() -> pd.DataFrame:
    return pd.DataFrame({
        C.EMPLOYEE_ID: ["Pa", "Pb", "Pc", "Pd", "Pe"],
        C.UNIT: ["Setda", "Setda", "Dinas", "Dinas", "Dinas"],
        C.SUPERVISOR_ID: [None, "Pa", "Pa", "Pc", "Pc"],
        C.POSITION: ["JPT Pratama", "Pelaksana", "Administrator", "JF Ahli Muda", "Pelaksana"],
        C.SEX: ["F", "M", "F", "M", pd.NA],
    })


def test_population_from_table_hand_worked():
    pop = population_from_table(small(), stage_rng(1, "population"))
    assert pop[C.EMPLOYEE_ID].tolist() == [1, 2, 3, 4, 5]
    assert pop[C.SUPERVISOR_ID].tolist() == [0, 1, 1, 3, 3]
    assert pop["source_id"].tolist() == ["Pa", "Pb", "Pc", "Pd", "Pe"]
    assert pop[C.POSITION_CLASS].astype(str).tolist() == ["struktural", "pelaksana", "struktural", "fungsional",
                                                          "pelaksana"]
    # Dinas is led by Pc, whose supervisor Pa sits in Setda: Setda is Dinas's parent unit
    assert pop[C.PARENT_UNIT].tolist()[2:] == ["Setda"] * 3 and pop[C.PARENT_UNIT][:2].isna().all()
    assert pop[C.SEX].astype(str).tolist() == ["F", "M", "F", "M", "unknown"]
    again = population_from_table(small(), stage_rng(1, "population"))
    pd.testing.assert_frame_equal(pop, again)
    other = population_from_table(small(), stage_rng(2, "population"))
    assert not np.allclose(pop[C.TRUE_PERFORMANCE], other[C.TRUE_PERFORMANCE])


def test_file_context_and_closeness_are_used_when_given():
    t = small().assign(**{C.UNIT_CONTEXT: [0.5, 0.5, -0.2, -0.2, -0.2], C.CLOSENESS: [1.0, 1.0, 0.0, 1.0, 0.0]})
    pop = population_from_table(t, stage_rng(1, "population"))
    assert pop[C.UNIT_CONTEXT].tolist() == [0.5, 0.5, -0.2, -0.2, -0.2]
    assert pop[C.CLOSENESS].tolist() == [0, 1, 0, 1, 0]  # the top of the tree has no supervisor to be close to


def test_true_performance_is_drawn_like_a_synthetic_population():
    n = 4000
    t = pd.DataFrame({C.EMPLOYEE_ID: [f"E{i}" for i in range(n)], C.UNIT: np.repeat(np.arange(400), 10).astype(str),
                      C.SUPERVISOR_ID: ["0"] + [f"E{i // 10}" for i in range(1, n)]})
    pop = population_from_table(t, stage_rng(3, "population"))
    assert abs(pop[C.TRUE_PERFORMANCE].mean()) < 0.06 and abs(pop[C.TRUE_PERFORMANCE].std() - 1) < 0.05
    r = np.corrcoef(pop[C.TRUE_RESULTS], pop[C.TRUE_BEHAVIOUR])[0, 1]
    assert r == pytest.approx(0.45, abs=0.05)  # the default scenario correlation (results, behaviour)


def test_simulate_with_a_population_uses_its_supervisors():
    v = read_population(SAMPLES / "employees.csv")
    sim = simulate("permenpan-6-2022", n=5, seed=4, population=v.data)
    assert len(sim.employees) == 240
    src = sim.employees.set_index(C.EMPLOYEE_ID)["source_id"]
    atasan = sim.ratings[sim.ratings[C.RATER_ROLE] == C.ATASAN].drop_duplicates(C.RATEE_ID)
    file_sup = v.data.set_index(C.EMPLOYEE_ID)[C.SUPERVISOR_ID]
    got = atasan[C.RATER_ID].map(src).fillna("0").to_numpy()
    want = file_sup.reindex(atasan[C.RATEE_ID].map(src)).to_numpy()
    assert (got == want).all()


def test_skip_invalid_drops_rows_under_a_rejected_supervisor(tmp_path):
    (tmp_path / "e.csv").write_text("employee_id,unit,supervisor_id,sex\nA,U,,F\nB,U,A,X\nC,U,B,M\nD,U,C,M\n"
                                    "E,U,A,M\n")
    v = read_population(tmp_path / "e.csv", skip_invalid=True)
    assert v.data[C.EMPLOYEE_ID].tolist() == ["A", "E"]
    rej = v.rejected().set_index("row")["reason"]
    assert "not one of the allowed values M, F" in rej[3]
    assert rej[4] == rej[5] == "the supervisor's own row was rejected"


def test_cli_simulate_population(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["simulate", "--policy", "permenpan-6-2022", "--population", str(SAMPLES / "employees.csv"),
                 "--seed", "2", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["population"]["file"] == "employees.csv" and manifest["population"]["used"] == 240
    assert len(manifest["population"]["sha256"]) == 64
    emp = pd.read_csv(out / "employees.csv")
    assert len(emp) == 240 and emp["source_id"].str.fullmatch(r"P[0-9a-f]{16}").all()


def test_cli_simulate_population_failures_write_nothing(tmp_path, capsys):
    (tmp_path / "bad.csv").write_text("employee_id,unit,supervisor_id\nA,U,\nB,U,Z\n")
    (tmp_path / "raw.csv").write_text("nip,unit\n198503122010011002,U\n199001012015032001,U\n")
    for f in ("bad.csv", "raw.csv"):
        out = tmp_path / f"run_{f}"
        assert main(["simulate", "--policy", "permenpan-6-2022", "--population", str(tmp_path / f),
                     "--out", str(out)]) == 2
        assert not out.exists()
    err = capsys.readouterr().err
    assert "row 3: column 'supervisor_id': supervisor_id 'Z' is not the employee_id of any row" in err
    assert "holds a raw NIP" in err
    out = tmp_path / "run_skip"
    assert main(["simulate", "--policy", "permenpan-6-2022", "--population", str(tmp_path / "bad.csv"),
                 "--skip-invalid", "--out", str(out)]) == 0
    assert pd.read_csv(out / "rejected_rows.csv")["row"].tolist() == [3]


def test_cli_compare_population(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert main(["compare", "--policies", "permenpan-6-2022", "--population", str(SAMPLES / "employees.csv"),
                 "--reps", "2", "--seed", "1", "--quiet", "--no-report", "--out", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    design = manifest.get("design", manifest)
    assert json.dumps(design).count("employees.csv") >= 1
