"""Round trip: simulate, export in the input format, read it back through the validated reader, analyze:
the rater effects found match the planted ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim import columns as C
from asnsim.io.options import read_ratings_input
from asnsim.pipeline import simulate
from asnsim.scenario import load_scenario

crossed_mod = pytest.importorskip("asnsim.correction.crossed")


@pytest.mark.parametrize("fmt", ["csv"])
def test_exported_ratings_give_back_the_planted_rater_effects(tmp_path, fmt):
    base = load_scenario("neutral")
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=dict(leniency_sd=0.6, noise_sd=0.5))})
    sim = simulate("permenpan-6-2022", n=600, seed=4, scenario=scen)
    export = sim.ratings[[C.RATEE_ID, C.RATER_ID, C.ITEM, C.SCORE]].rename(
        columns={C.RATEE_ID: "Pegawai", C.RATER_ID: "Penilai", C.ITEM: "Butir", C.SCORE: "Nilai"})
    export["Pegawai"] = "E" + export["Pegawai"].astype(str)
    export["Penilai"] = "E" + export["Penilai"].astype(str)
    path = tmp_path / f"penilaian.{fmt}"
    if fmt == "csv":
        export.to_csv(path, index=False, sep=";", decimal=",")
    else:
        export.to_excel(path, index=False)
    v = read_ratings_input(path, {"ratee_id": "Pegawai", "rater_id": "Penilai", "item": "Butir", "score": "Nilai"},
                           score_range=(1, 3))
    assert v.ledger.summary()["used"] == len(export)
    res = crossed_mod.crossed(v.data, fixed=[C.ITEM])
    found = res.rater_effects.set_index(C.RATER_ID)["effect"]
    planted = sim.ratings.groupby(C.RATER_ID)["fx_leniency"].first()
    planted.index = "E" + planted.index.astype(str)
    both = pd.concat([found, planted], axis=1, join="inner").dropna()
    assert len(both) == sim.ratings[C.RATER_ID].nunique()
    r = np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1]
    assert r > 0.7  # 91 raters, 3-level items, conditional modes shrunk toward 0: measured 0.83
    top = both.iloc[:, 1] > both.iloc[:, 1].quantile(0.75)
    assert both.loc[top].iloc[:, 0].mean() > 0 > both.loc[~top].iloc[:, 0].mean() - 0.05


def test_cli_analyze_round_trip_and_guards(tmp_path, capsys):
    """asnsim analyze on an export with its own column names finds the planted leniency; it refuses raw
    NIPs unless told, and --skip-invalid lists rejected rows."""
    from asnsim.cli import main

    base = load_scenario("neutral")
    scen = base.model_copy(update={"rater": base.rater.model_copy(update=dict(leniency_sd=0.6, noise_sd=0.5))})
    sim = simulate("permenpan-6-2022", n=400, seed=5, scenario=scen)
    export = sim.ratings[[C.RATEE_ID, C.RATER_ID, C.ITEM, C.SCORE]].rename(
        columns={C.RATEE_ID: "Pegawai", C.RATER_ID: "Penilai", C.ITEM: "Butir", C.SCORE: "Nilai"}).astype(str)
    export.loc[len(export)] = ["1", "1", "rhk_utama_1", "9"]           # one bad row: a self-supervision score 9
    path = tmp_path / "penilaian.csv"
    export.to_csv(path, index=False)
    out = tmp_path / "a"
    args = ["analyze", str(path), "--column-map", "ratee_id=Pegawai,rater_id=Penilai,item=Butir,score=Nilai",
            "--item", "Butir", "--method", "standardize", "--allow-disconnected", "--n-boot", "20", "--out", str(out)]
    assert main(args) == 0   # no scale given to analyze: 9 is a number, so the row is used
    eff = pd.read_csv(out / "rater_effects.csv").set_index("rater_id")["effect"]
    planted = sim.ratings.groupby(C.RATER_ID)["fx_leniency"].first()
    both = pd.concat([eff, planted], axis=1, join="inner").dropna()
    assert np.corrcoef(both.iloc[:, 0], both.iloc[:, 1])[0, 1] > 0.7

    export.loc[len(export) - 1, "Nilai"] = "sembilan"
    export.to_csv(path, index=False)
    assert main([*args[:-1], str(tmp_path / "b")]) == 2 and not (tmp_path / "b").exists()
    assert main([*args[:-1], str(tmp_path / "c"), "--skip-invalid"]) == 0
    assert pd.read_csv(tmp_path / "c" / "rejected_rows.csv")["reason"].tolist() == ["not a number: 'sembilan'"]

    raw = export.assign(Penilai="1970010120000310" + export["Penilai"].astype(str).str[-2:].str.zfill(2))
    raw.to_csv(path, index=False)
    assert main([*args[:-1], str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "holds a raw NIP" in err and "asnsim anonymize" in err and not (tmp_path / "d").exists()
