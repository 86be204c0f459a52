"""The outcome registry: one entry per outcome, read by every table, figure, verdict and doc page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from asnsim.cli import main
from asnsim.outcomes import (FAMILIES, OUTCOMES, ROW_ORDER, Outcome, directions, headline_outcomes, markdown_table,
                             outcome, register_outcome, replicate_outcomes, sections, shown, unregister_outcome,
                             verdict_metrics)

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def _mean_final_score(r) -> float:
    """A toy outcome: the mean final score of the round."""
    return float(r.scores["final_score"].mean())


def _toy(**kw) -> Outcome:
    return Outcome("toy_mean_score", "all", "objectivity", 1, {"en": "toy mean score", "id": "skor rata-rata mainan"},
                   {"en": "toy score", "id": "skor mainan"}, _mean_final_score, **kw)


def test_an_outcome_must_say_which_way_is_better():
    with pytest.raises(TypeError):
        Outcome("x", "all", "objectivity", label={"en": "x"}, short={"en": "x"}, compute=_mean_final_score)
    with pytest.raises(ValueError, match="direction must be 1"):
        _toy(**{}).__class__("x", "all", "objectivity", 2, {"en": "x"}, {"en": "x"}, _mean_final_score)
    with pytest.raises(ValueError, match="family 'nope'"):
        Outcome("x", "all", "nope", 1, {"en": "x"}, {"en": "x"}, _mean_final_score)
    with pytest.raises(ValueError, match="show"):
        _toy(show={"front_page"})
    with pytest.raises(ValueError, match="registered already"):
        register_outcome(outcome("spearman"))


def test_the_registry_orders_what_reports_show():
    assert [o.key for o in replicate_outcomes()] == list(ROW_ORDER)
    assert all(o.direction is not None for o in OUTCOMES if o.family != "distribution")
    assert [o.metric for o in headline_outcomes()] == [
        "spearman", "share_sb_wrongly_given", "share_predikat", "share_at_least_baik", "icc1", "favouritism_premium",
        "sex_gap_conditional", "rater_hours", "true_performance_gain"]
    assert verdict_metrics() == (("spearman", "all"), ("share_sb_wrongly_given", "all"), ("icc1", "all"),
                                 ("favouritism_premium", "all"), ("sex_gap_conditional", "F-M"),
                                 ("rater_hours", "all"), ("true_performance_gain", "all"))
    assert sections() == {
        "objectivity": (("spearman", "all"), ("topk_precision", "all"), ("predikat_agreement", "all"),
                        ("share_sb_wrongly_given", "all")),
        "reliability": (("icc1", "all"), ("krippendorff_alpha_interval", "all"),
                        ("krippendorff_alpha_ordinal", "all"), ("period_rank_correlation", "all")),
        "fairness": (("favouritism_premium", "all"), ("unit_context_penalty", "all"), ("sex_gap_conditional", "F-M"),
                     ("sex_gap_raw", "F-M")),
        "burden": (("rater_hours", "all"), ("ratee_hours", "all")),
        "development": (("predikat_flip_rate", "all"), ("true_performance_gain", "all"))}
    assert [o.family for o in shown("comparison")] == ["objectivity", "reliability", "fairness", "burden",
                                                       "development"]
    assert set(directions()) == {o.metric for o in OUTCOMES if o.direction is not None}
    assert set(FAMILIES) >= {o.family for o in OUTCOMES}


def test_docs_metrics_page_lists_the_registry():
    page = DOCS.read_text(encoding="utf-8")
    block = re.search(r"<!-- outcomes: begin.*?-->\n(.*?)<!-- outcomes: end -->", page, re.S)
    assert block is not None, "docs/metrics.md lost its generated outcome table"
    assert block.group(1) == markdown_table(), (
        "docs/metrics.md is out of date: paste python -c 'from asnsim.outcomes import markdown_table; "
        "print(markdown_table(), end=\"\")' between its outcome markers")


def test_a_toy_outcome_flows_to_every_output_of_compare(tmp_path, capsys):
    toy = register_outcome(_toy(show={"headline"}, section="objectivity", decimals=2,
                                definition={"en": "mean final score of the round"}))
    try:
        assert toy.key in dict.fromkeys(o.key for o in replicate_outcomes())
        assert "toy_mean_score" in markdown_table()
        out = tmp_path / "cmp"
        assert main(["compare", "--policies", "permenpan-6-2022,pp-30-2019", "--n", "80", "--reps", "2",
                     "--seed", "3", "--quiet", "--out", str(out)]) == 0
        console = capsys.readouterr().out
        assert "toy score ↑" in console                                   # headline column with its direction
        reps = pd.read_parquet(out / "replicates.parquet")
        rows = reps[reps["metric"] == "toy_mean_score"]
        assert len(rows) == 4 and rows["value"].notna().all()              # 2 policies x 2 replicates
        summary = pd.read_csv(out / "summary.csv")
        assert (summary["metric"] == "toy_mean_score").sum() == 2
        ranking = pd.read_csv(out / "ranking.csv")
        assert set(ranking.loc[ranking["metric"] == "toy_mean_score", "direction"]) == {"higher is better"}
        paired = pd.read_csv(out / "paired.csv")
        assert (paired["metric"] == "toy_mean_score").any()
        verdicts = pd.read_csv(out / "verdicts.csv")
        v = verdicts[verdicts["metric"] == "toy_mean_score"]
        assert len(v) == 1 and "toy mean score (higher is better)" in v["sentence"].iloc[0]
        report = (out / "report.html").read_text(encoding="utf-8")
        assert "toy score ↑" in report and "mean final score of the round" in report
        head = pd.read_excel(out / "summary.xlsx", sheet_name="headline")
        assert "toy score ↑" in head.columns
    finally:
        unregister_outcome(toy)
    assert outcome("toy_mean_score") is None and "toy_mean_score" not in markdown_table()
