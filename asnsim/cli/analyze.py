"""``asnsim analyze``: rater effects and adjusted scores from a ratings file.

Writes ``rater_effects.csv``, ``ratee_scores.csv``, ``variance_components.csv``
(mixed models), the FACETS-style tables (mfrm), ``reliability.csv``, with
``--employees`` and ``--group`` ``fairness.csv`` (:mod:`asnsim.metrics.report`)
and ``report.md``, all at once
through :func:`asnsim.output.atomic_output_dir`.  :func:`write_core_outputs`
writes the core files into a folder, so further outputs (reliability,
fairness) can be added beside it in :func:`run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd

METHOD_CHOICES = ["standardize", "crossed", "mfrm", "mixedlm"]
#: every file ``analyze`` may write (a stale one from an earlier run into the same folder is removed)
ANALYZE_FILES = ("rater_effects.csv", "ratee_scores.csv", "variance_components.csv", "mfrm_*.csv", "report.md",
                 "reliability.csv", "fairness.csv", "rejected_rows.csv", "analysis.json")


#: one-line help in ``asnsim --help``
HELP = "measure rater effects in a ratings file and write adjusted scores"


def register(sub) -> None:
    from ..io.options import add_reading_options

    p = sub.add_parser("analyze", help=HELP)
    p.add_argument("ratings", help="ratings file (CSV, Excel or Parquet), one row per rating")
    p.add_argument("--ratee", default="ratee_id", help="column with the ratee id (default ratee_id)")
    p.add_argument("--rater", default="rater_id", help="column with the rater id (default rater_id)")
    p.add_argument("--score", default="score", help="column with the score (default score)")
    p.add_argument("--item", default=None, help="column with the item (optional; a facet for mfrm, a fixed "
                                                "effect for crossed)")
    p.add_argument("--method", choices=METHOD_CHOICES, default="crossed", help="analysis method (default crossed)")
    p.add_argument("--model", choices=["rsm", "pcm"], default="rsm",
                   help="mfrm: rating-scale (rsm) or partial-credit (pcm) thresholds")
    p.add_argument("--bias-group", default=None, help="mfrm: column for the rater x group bias table")
    p.add_argument("--allow-disconnected", action="store_true",
                   help="standardize/crossed: analyse a disconnected design anyway (comparisons across subsets "
                        "then rest on the model's assumptions); mfrm always refuses")
    p.add_argument("--employees", default=None, help="employees file (CSV/Excel/Parquet) joined on employee_id "
                                                     "(or the --ratee column), for fairness.csv")
    p.add_argument("--group", action="append", default=[], metavar="C",
                   help="employees column to compare groups by in fairness.csv (repeatable: --group sex --group unit)")
    p.add_argument("--policy", default=None, help="policy whose rules give the predikat when the employees file "
                                                  "has no predikat column (built-in name or file)")
    p.add_argument("--scale", default=None, metavar="MIN:MAX",
                   help="the rating scale, e.g. 1:3, for rwg and AC1 (default: --policy's scale, else the observed "
                        "range, said in the output); a score outside it is an error; a negative MIN: --scale=-2:2")
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates for intervals (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the bootstrap (default 1)")
    add_reading_options(p)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def load_ratings_for_analysis(path: str | Path, ratee: str, rater: str, score: str,
                              item: str | None = None, **options) -> pd.DataFrame:
    """Read a ratings file through the validated reader (:func:`asnsim.io.options.read_ratings_as_named`).

    CSV, Excel or Parquet; the columns keep the user's names.  Raises :class:`InputError` naming the file,
    row (as a spreadsheet shows it: header = row 1) and column for a missing file or column, a missing
    value, a non-numeric score, a duplicate (ratee, rater, item) row, or raw personal data (unless
    ``allow_personal_data=True``).  ``options``: ``column_map``, ``skip_invalid``,
    ``allow_personal_data``, ``sheet``.
    """
    from ..io.options import read_ratings_as_named

    df, _ = read_ratings_as_named(path, ratee, rater, score, item, **options)
    return df


def write_core_outputs(ratings: pd.DataFrame, args, folder: Path, source: str) -> dict:
    """Run the chosen method on ``ratings`` and write its tables and report into ``folder``."""
    from ..correction import analyze, check_connected
    from ..output import write_table

    if args.method == "mfrm" or not args.allow_disconnected:
        check_connected(ratings, args.ratee, args.rater, source=source)
    options = {}
    if args.method == "mfrm":
        options = {"model": args.model, "group": args.bias_group}
    res = analyze(ratings, args.method, args.ratee, args.rater, args.score, item=args.item, source=source,
                  **options)
    write_table(res.rater_effects, folder, "rater_effects")
    write_table(res.ratee_scores, folder, "ratee_scores")
    if res.variance_components is not None:
        write_table(res.variance_components, folder, "variance_components")
    for name, table in res.tables.items():
        write_table(table, folder, f"mfrm_{name}")
    (folder / "report.md").write_text(render_report(res, source), encoding="utf-8")
    return res


def load_employees_for_fairness(args) -> pd.DataFrame | None:
    """Read ``--employees`` as text (ids stay ids); numeric truth columns become numbers."""
    if args.group and not args.employees:
        raise InputError("--group", "needs --employees FILE with the group columns")
    if not args.employees:
        return None
    import pandas as pd

    from .. import columns as C
    from ..io.readers import read_raw

    raw = read_raw(args.employees)
    emp = raw.data
    for col in (C.TRUE_PERFORMANCE, C.CLOSENESS, C.UNIT_CONTEXT):
        if col in emp.columns:
            emp[col] = pd.to_numeric(emp[col], errors="coerce")
    return emp


def write_metric_outputs(ratings: pd.DataFrame, res, args, employees: pd.DataFrame | None, policy,
                         folder: Path, scale=None) -> None:
    """reliability.csv (as given and after the correction) and, with --employees/--group, fairness.csv."""
    import numpy as np

    from ..metrics.report import analyze_reports, write_reports

    rt = ratings.assign(**{args.ratee: ratings[args.ratee].astype(str)})
    tabs = analyze_reports(rt, args.ratee, args.rater, args.score, args.item, employees=employees,
                           groups=args.group, policy=policy, adjusted=np.asarray(res.adjusted, dtype=float),
                           method=args.method, n_boot=args.n_boot, rng=np.random.default_rng(args.seed),
                           employees_source=str(args.employees), scale=scale)
    write_reports(folder, tabs["reliability"], tabs.get("fairness"))


def _fmt(df: pd.DataFrame, max_rows: int = 40) -> str:
    shown = df.head(max_rows)
    text = shown.to_string(index=False, float_format=lambda v: f"{v:.3f}")
    more = f"\n... {len(df) - max_rows} more rows in the CSV" if len(df) > max_rows else ""
    return "```\n" + text + more + "\n```\n"


def render_report(res, source: str) -> str:
    """A readable Markdown report of one analysis."""
    import pandas as pd

    lines = [f"# Rater-effect analysis: {res.method}", "", f"Data: `{source}`", ""]
    info = {k: v for k, v in res.info.items() if not isinstance(v, (list, dict))}
    lines += ["## Fit", "", _fmt(pd.DataFrame({"quantity": list(info), "value": [str(v) for v in info.values()]}))]
    if res.variance_components is not None:
        vc = res.variance_components.copy()
        vc["share"] = vc["variance"] / vc["variance"].sum()
        lines += ["## Variance components", "", _fmt(vc)]
    re = res.rater_effects.sort_values("effect", ascending=False)
    unit = "logits" if res.method == "mfrm" else "score units"
    lines += [f"## Rater effects ({unit}; + = rates higher than the average rater)", "",
              "Most lenient first.", "", _fmt(re, 20)]
    if res.method == "mfrm":
        t = res.tables
        lines += ["## Summary: separation, strata, reliability (FACETS table 7 summary)", "", _fmt(t["summary"]),
                  "## Raters (measure = severity)", "", _fmt(t["raters"].sort_values("measure")),
                  "## Items", "", _fmt(t["items"]), "## Category statistics (FACETS table 8)", "",
                  _fmt(t["categories"]), "## Ratees", "", _fmt(t["ratees"].sort_values("measure"), 20)]
        if "bias" in t:
            b = t["bias"]
            lines += ["## Rater x group bias (|t| >= 2 flagged)", "", _fmt(b[b["flag"]].sort_values("t"), 30)]
        lines += ["## Unexpected responses (|standardized residual| >= 3)", "", _fmt(t["unexpected"], 20)]
    lines += ["## Ratee scores", "", _fmt(res.ratee_scores, 20)]
    return "\n".join(lines) + "\n"


def run(args) -> int:
    from ..io.options import ledger_line, read_ratings_as_named, write_rejected
    from ..output import atomic_output_dir, write_json
    from ..io.readers import parse_column_map

    from ..metrics.scale import observed_scale, resolve_scale

    policy = None
    if args.policy:
        from ..policy import load_policy
        policy = load_policy(args.policy)
    scale = resolve_scale(args.scale, policy)  # None: the observed range, said below
    ratings, validated = read_ratings_as_named(
        args.ratings, args.ratee, args.rater, args.score, args.item, column_map=parse_column_map(args.column_map),
        skip_invalid=args.skip_invalid, allow_personal_data=args.allow_personal_data, sheet=args.sheet,
        score_range=scale.range if scale else None)
    scale = scale or observed_scale(ratings[args.score])
    source = str(args.ratings)
    employees = load_employees_for_fairness(args)
    with atomic_output_dir(args.out, owned=ANALYZE_FILES) as tmp:
        res = write_core_outputs(ratings, args, tmp, source)
        info = res.info
        write_metric_outputs(ratings, res, args, employees, policy, tmp, scale)
        if args.skip_invalid:
            write_rejected(validated, tmp)
        write_json({"method": args.method, "ratings": source, "n": int(len(ratings)),
                    "scale": {"min": scale.min, "max": scale.max, "points": scale.n_points, "origin": scale.origin},
                    "info": {k: v for k, v in info.items() if isinstance(v, (int, float, str, bool, list, dict))}},
                   tmp / "analysis.json")
    print(ledger_line(validated))
    print(f"scale: {scale.describe()}")
    print(f"{args.method}: {len(ratings)} ratings analysed; tables written to {args.out}")
    return 0
