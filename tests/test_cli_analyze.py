"""asnsim analyze: outputs, column contracts, and exit status 2 with file/row/column for bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from asnsim.cli import main
from asnsim.correction.synthetic import crossed_ratings


@pytest.fixture
def ratings_csv(tmp_path):
    df = crossed_ratings(120, np.random.default_rng(3), n_items=2)
    df["score"] = np.clip(np.round(df["score"]), 1, 5).astype(int)
    path = tmp_path / "ratings.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("method", ["standardize", "crossed", "mfrm"])
def test_outputs(ratings_csv, tmp_path, method):
    out = tmp_path / f"out_{method}"
    assert main(["analyze", str(ratings_csv), "--item", "item", "--method", method, "--out", str(out)]) == 0
    re = pd.read_csv(out / "rater_effects.csv")
    rs = pd.read_csv(out / "ratee_scores.csv")
    assert list(re.columns[:4]) == ["rater_id", "n", "effect", "se"]
    assert list(rs.columns[:5]) == ["ratee_id", "n", "raw_mean", "adjusted", "se"]
    assert re["n"].sum() == rs["n"].sum() == len(pd.read_csv(ratings_csv))
    assert (out / "report.md").read_text().startswith(f"# Rater-effect analysis: {method}")
    if method == "crossed":
        vc = pd.read_csv(out / "variance_components.csv")
        assert vc["component"].tolist() == ["ratee", "rater", "residual"] and (vc["variance"] >= 0).all()
    if method == "mfrm":
        assert "Category statistics" in (out / "report.md").read_text()
        assert (out / "mfrm_categories.csv").exists()


def _write(tmp_path, df):
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


BASE = pd.DataFrame({"ratee_id": [1, 2, 3, 1, 2, 3], "rater_id": ["a", "a", "a", "b", "b", "b"],
                     "score": [3, 2, 1, 3, 3, 2]})


@pytest.mark.parametrize("df, args, message", [
    (BASE.assign(score=["3", "2", "x", "3", "3", "2"]), [], "row 4: column 'score': not a number: 'x'"),
    (BASE.assign(score=[3, 2, None, 3, 3, 2]), [], "row 4: column 'score': missing value"),
    (BASE.assign(rater_id=[None, "a", "a", "b", "b", "b"]), [], "row 2: column 'rater_id': missing value"),
    (BASE, ["--item", "task"], "column 'task': column map says item = 'task', but the file has no such column"),
    (BASE.assign(rater_id="a"), [], "only 1 rater"),
    (pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"], "score": [1, 2, 2, 3]}),
     ["--method", "mfrm"], "disconnected into 2 subsets"),
])
def test_bad_input_exit_2(tmp_path, capsys, df, args, message):
    path = _write(tmp_path, df)
    out = tmp_path / "out"
    status = main(["analyze", str(path), "--method", "standardize", "--out", str(out), *args])
    assert status == 2
    err = capsys.readouterr().err
    assert message in err and str(path) in err and err.count("\n") == 1
    assert not out.exists()   # nothing half-written


# rows are numbered as a spreadsheet shows them (header = row 1), as everywhere in asnsim (docs/input-formats.md)


def test_disconnected_fitted_by_crossed_with_a_warning_refused_when_strict(tmp_path, capsys):
    df = pd.DataFrame({"ratee_id": [1, 2, 3, 4] * 2, "rater_id": ["a", "a", "b", "b"] * 2,
                       "score": [1.0, 2.0, 2.0, 3.0, 1.5, 2.5, 2.0, 3.5]})
    path = _write(tmp_path, df)
    assert main(["analyze", str(path), "--method", "crossed", "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "asnsim: warning:" in err and "disconnected into 2 subsets" in err
    assert "disconnected into 2 subsets" in (tmp_path / "o" / "report.md").read_text()
    design = pd.read_csv(tmp_path / "o" / "design.csv").set_index("quantity")["value"]
    assert design["n_subsets"] == "2" and design["nested"] == "True"
    assert main(["analyze", str(path), "--method", "crossed", "--allow-disconnected",
                 "--out", str(tmp_path / "o2")]) == 0
    assert main(["analyze", str(path), "--method", "crossed", "--require-connected",
                 "--out", str(tmp_path / "o3")]) == 2
    assert "--require-connected" in capsys.readouterr().err and not (tmp_path / "o3").exists()


def test_cli_and_api_take_the_same_decision(tmp_path, capsys):
    """One decision function: the API warns where the CLI warns and refuses where it refuses."""
    import warnings

    from asnsim.correction import correct
    from asnsim.errors import DesignError, DesignWarning

    df = pd.DataFrame({"ratee_id": [1, 2, 3, 4] * 2, "rater_id": ["a", "a", "b", "b"] * 2,
                       "score": [1, 2, 2, 3, 2, 2, 2, 3]})
    path = _write(tmp_path, df)
    for method in ("crossed", "standardize", "mfrm"):
        status = main(["analyze", str(path), "--method", method, "--out", str(tmp_path / method)])
        cli = "refuse" if status == 2 else ("warn" if "asnsim: warning" in capsys.readouterr().err else "fit")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                correct(df, method)
                api = "warn" if any(issubclass(w.category, DesignWarning) for w in caught) else "fit"
            except DesignError:
                api = "refuse"
        assert (method, cli) == (method, api)
        assert cli == {"crossed": "warn", "standardize": "warn", "mfrm": "refuse"}[method]


def test_rerun_with_another_method_leaves_no_tables_of_the_first(ratings_csv, tmp_path):
    """mfrm then standardize into one --out: the mfrm_*.csv tables go, the user's own file stays."""
    out = tmp_path / "same"
    base = ["analyze", str(ratings_csv), "--item", "item", "--out", str(out)]
    assert main(base + ["--method", "mfrm"]) == 0
    assert any(p.name.startswith("mfrm_") for p in out.iterdir())
    (out / "mfrm_notes.txt").write_text("mine")
    assert main(base + ["--method", "standardize"]) == 0
    names = {p.name for p in out.iterdir()}
    assert not any(n.startswith("mfrm_") and n.endswith(".csv") for n in names)
    assert "mfrm_notes.txt" in names and "variance_components.csv" not in names
    assert (out / "report.md").read_text().startswith("# Rater-effect analysis: standardize")
