"""Correction methods and scoring engines as data (asnsim.methods): one table each, read by every lister."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from asnsim.cli import main
from asnsim.correction import RaterAnalysis, analyze, correct
from asnsim.errors import PolicyError
from asnsim.methods import (CORRECTION_METHODS, SCORING_ENGINES, CorrectionMethod, cli_methods, correction_method,
                            markdown_table, register_correction, scoring_engine, unregister_correction,
                            widget_methods)
from asnsim.policy import load_policy

DOCS = Path(__file__).resolve().parents[1] / "docs" / "methods.md"


def _invert(ratings, ratee, rater, score, item, source, options) -> RaterAnalysis:
    """A toy correction: every rating mirrored on its scale (lo + hi - score), so the order of ratees flips."""
    y = ratings[score].to_numpy(dtype=float)
    adjusted = y.min() + y.max() - y
    frame = pd.DataFrame({"ratee_id": ratings[ratee].to_numpy(), "rater_id": ratings[rater].to_numpy(),
                          "raw": y, "adj": adjusted})
    by_ratee = frame.groupby("ratee_id", sort=True).agg(n=("raw", "size"), raw_mean=("raw", "mean"),
                                                        adjusted=("adj", "mean")).reset_index()
    by_rater = frame.groupby("rater_id", sort=True).agg(n=("raw", "size")).reset_index()
    return RaterAnalysis("toy_invert", by_rater.assign(effect=0.0, se=np.nan), by_ratee.assign(se=np.nan),
                         adjusted, info={"mirrored": True})


def _toy_sections(res) -> list[str]:
    return ["## Toy mirror", "", f"{len(res.adjusted)} ratings mirrored on their scale.", ""]


def _toy() -> CorrectionMethod:
    return CorrectionMethod("toy_invert", _invert, {"en": "mirror every rating", "id": "cerminkan tiap nilai"},
                            "lo + hi - score", "never: a test of the registry", design="centring", cli=True,
                            widget=True, sections=_toy_sections)


def test_the_tables_hold_every_built_in_method_and_engine():
    assert list(CORRECTION_METHODS) == ["standardize", "crossed", "mfrm", "mixedlm", "forum", "anchor"]
    assert cli_methods() == ["standardize", "crossed", "mfrm", "mixedlm"]
    assert widget_methods() == ["standardize", "crossed", "mfrm"]
    assert {m: e.design for m, e in CORRECTION_METHODS.items()} == {
        "standardize": "centring", "crossed": "random", "mfrm": "fixed", "mixedlm": "random",
        "forum": "calibration", "anchor": "calibration"}
    assert list(SCORING_ENGINES) == ["permenpan-6-2022", "pp-30-2019", "pp-46-2011"]
    assert scoring_engine("pp-46-2011").title == "PP 46/2011"
    with pytest.raises(ValueError, match="unknown regime 'pp-1-1974'; choose one of permenpan-6-2022"):
        scoring_engine("pp-1-1974")
    with pytest.raises(ValueError, match="registered already"):
        register_correction(correction_method("crossed"))
    with pytest.raises(ValueError, match="design must be one of"):
        CorrectionMethod("x", _invert, {}, design="bayes")


def test_docs_methods_page_lists_the_table():
    page = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- correction methods: begin.*?-->\n(.*?)<!-- correction methods: end -->", page, re.S)
    assert block is not None, "docs/methods.md lost its generated method table"
    assert block.group(1) == markdown_table(), (
        "docs/methods.md is out of date: paste python -c 'from asnsim.methods import markdown_table; "
        "print(markdown_table(), end=\"\")' between its method markers")


def test_the_policy_schema_reads_both_tables(tmp_path):
    base = tmp_path / "p.toml"
    base.write_text('name = "p"\ntitle = "p"\nextends = "permenpan-6-2022"\n[correction]\nmethod = "bayes"\n',
                    encoding="utf-8")
    with pytest.raises(PolicyError, match=r"correction.method: got 'bayes'; Input should be 'none', 'standardize', "
                                          r"'crossed', 'mfrm', 'mixedlm', 'forum' or 'anchor'"):
        load_policy(base)
    base.write_text('name = "p"\ntitle = "p"\nextends = "permenpan-6-2022"\nregime = "pp-1-1974"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"regime: got 'pp-1-1974'; Input should be 'permenpan-6-2022', "
                                          r"'pp-30-2019' or 'pp-46-2011'"):
        load_policy(base)


def _ratings() -> pd.DataFrame:
    rng = np.random.default_rng(4)
    ratee = np.repeat(np.arange(30), 3)
    rater = (ratee + np.tile([0, 1, 2], 30)) % 10
    return pd.DataFrame({"ratee_id": ratee, "rater_id": [f"r{j}" for j in rater],
                         "score": rng.integers(1, 6, ratee.size).astype(float)})


def test_a_toy_correction_flows_to_the_api_the_policy_analyze_and_compare(tmp_path, capsys):
    register_correction(_toy())
    try:
        df = _ratings()
        # the API: analyze and correct dispatch through the table, the report renders the toy's own section
        res = analyze(df, "toy_invert")
        assert np.allclose(res.adjusted, df["score"].min() + df["score"].max() - df["score"])
        text = res.to_markdown()
        assert "# Rater-effect analysis: toy_invert" in text and "## Toy mirror" in text
        assert "## Rater effects (score units" in text
        assert np.allclose(correct(df, "toy_invert")["score_adjusted"], res.adjusted)
        # the widgets offer it
        from asnsim import widgets
        assert "toy_invert" in widgets.available_corrections()
        # analyze --method lists and runs it
        with pytest.raises(SystemExit):
            main(["analyze", "--help"])
        assert "toy_invert" in capsys.readouterr().out
        path = tmp_path / "r.csv"
        df.to_csv(path, index=False)
        assert main(["analyze", str(path), "--method", "toy_invert", "--n-boot", "0", "--out",
                     str(tmp_path / "a")]) == 0
        assert "## Toy mirror" in (tmp_path / "a" / "report.md").read_text(encoding="utf-8")
        assert main(["analyze", str(path), "--method", "toy_invert", "--fixed", "x", "--out",
                     str(tmp_path / "b")]) == 2
        assert "covariates are estimated by --method crossed, not toy_invert" in capsys.readouterr().err
        # a policy accepts it, and compare's outputs carry it: mirrored ratings reverse the ordering
        pol = tmp_path / "toy.toml"
        pol.write_text('name = "toy-mirror"\ntitle = "Mirrored"\nextends = "permenpan-6-2022"\n'
                       '[correction]\nmethod = "toy_invert"\n', encoding="utf-8")
        assert load_policy(pol).correction.method == "toy_invert"
        out = tmp_path / "cmp"
        assert main(["compare", "--policies", f"permenpan-6-2022,{pol}", "--n", "80", "--reps", "2",
                     "--seed", "3", "--quiet", "--out", str(out)]) == 0
        summary = pd.read_csv(out / "summary.csv")
        rho = summary[(summary["metric"] == "spearman") & (summary["group"] == "all")].set_index("policy")["estimate"]
        assert rho["permenpan-6-2022"] > 0.3 and rho["toy-mirror"] < -0.3
    finally:
        unregister_correction("toy_invert")
    assert "toy_invert" not in CORRECTION_METHODS and "toy_invert" not in markdown_table()
    with pytest.raises(PolicyError, match="correction.method: got 'toy_invert'"):
        load_policy(pol)
