"""``asnsim analyze``: rater effects and adjusted scores from a ratings file.

Writes ``rater_effects.csv``, ``ratee_scores.csv``, ``design.csv`` (connectivity
and nesting), ``variance_components.csv`` (mixed models), ``fixed_effects.csv``
(crossed with ``--fixed`` or ``--item``), the FACETS-style tables (mfrm),
``reliability.csv``, with ``--employees`` and ``--group`` ``fairness.csv``
(:mod:`asnsim.metrics.report`) and ``report.md``, all at once through
:func:`asnsim.output.atomic_output_dir`.  The model is fitted once
(:func:`asnsim.correction.analyze`, which also takes the fit / warn / refuse
decision the Python API takes) and that fit is reused by every table and by the
report.  :func:`write_core_outputs` writes the core files into a folder, so
further outputs (reliability, fairness) can be added beside it in :func:`run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..outdir import locked_output

if TYPE_CHECKING:
    import pandas as pd

#: every file ``analyze`` may write besides a method's own tables (``<method>_<table>.csv``, see
#: :func:`analyze_files`); a stale one from an earlier run into the same folder is removed
ANALYZE_FILES = ("rater_effects.csv", "ratee_scores.csv", "variance_components.csv", "fixed_effects.csv",
                 "design.csv", "mfrm_*.csv", "report.md", "reliability.csv", "fairness.csv", "rejected_rows.csv",
                 "analysis.json")


def analyze_files() -> tuple[str, ...]:
    """:data:`ANALYZE_FILES` and the table files of every registered method (``<method>_*.csv``)."""
    from ..methods import CORRECTION_METHODS

    extra = tuple(f"{m}_*.csv" for m in CORRECTION_METHODS if f"{m}_*.csv" not in ANALYZE_FILES)
    return ANALYZE_FILES + extra


#: one-line help in ``asnsim --help``
HELP = "measure rater effects in a ratings file and write adjusted scores"


def register(sub) -> None:
    from ..io.options import add_reading_options
    from ..methods import cli_methods
    from .argtypes import MAX_N_BOOT, count, seed

    p = sub.add_parser("analyze", help=HELP)
    p.add_argument("ratings", help="ratings file (CSV, Excel or Parquet), one row per rating")
    p.add_argument("--ratee", default="ratee_id", help="column with the ratee id (default ratee_id)")
    p.add_argument("--rater", default="rater_id", help="column with the rater id (default rater_id)")
    p.add_argument("--score", default="score", help="column with the score (default score)")
    p.add_argument("--item", default=None, help="column with the item (optional; a facet for mfrm, a fixed "
                                                "effect for crossed)")
    p.add_argument("--method", choices=cli_methods(), default="crossed",
                   help="analysis method (default crossed; docs/methods.md)")
    p.add_argument("--fixed", default=None, metavar="FORMULA",
                   help="crossed: covariates as a formula's right-hand side, e.g. \"same_sex + C(unit_type)\" "
                        "(columns of the ratings file); writes fixed_effects.csv with Satterthwaite df")
    p.add_argument("--model", choices=["rsm", "pcm"], default="rsm",
                   help="mfrm: rating-scale (rsm) or partial-credit (pcm) thresholds")
    p.add_argument("--bias-group", default=None, help="mfrm: column for the rater x group bias table")
    p.add_argument("--require-connected", action="store_true",
                   help="refuse a disconnected design (by default crossed, mixedlm and standardize fit it and say "
                        "what the subsets mean; mfrm refuses it unless --subsets is given)")
    p.add_argument("--allow-disconnected", action="store_true",
                   help="accepted for older scripts: disconnected designs are analysed by default now")
    p.add_argument("--subsets", choices=["largest", "each"], default=None,
                   help="mfrm on a disconnected design: analyse the largest connected subset, or each subset "
                        "separately (measures are comparable only within a subset)")
    p.add_argument("--cuts", default=None, metavar="C1,C2,...",
                   help="mfrm: cut a fine-grained score (a 0-120 scale, say) into bands at these points, e.g. "
                        "50,70,90,110; the analysis is on the band numbers")
    p.add_argument("--employees", default=None, help="employees file (CSV/Excel/Parquet) joined on employee_id "
                                                     "(or the --ratee column), for fairness.csv")
    p.add_argument("--group", action="append", default=[], metavar="C",
                   help="employees column to compare groups by in fairness.csv (repeatable: --group sex --group unit)")
    p.add_argument("--policy", default=None, help="policy whose rules give the predikat when the employees file "
                                                  "has no predikat column (built-in name or file)")
    p.add_argument("--scale", default=None, metavar="MIN:MAX",
                   help="the rating scale, e.g. 1:3, for rwg and AC1 (default: --policy's scale, else the observed "
                        "range, said in the output); a score outside it is an error; a negative MIN: --scale=-2:2")
    p.add_argument("--n-boot", type=count(0, MAX_N_BOOT), default=1000,
                   help="bootstrap replicates for intervals (default 1000)")
    p.add_argument("--seed", type=seed, default=1, help="seed of the bootstrap (default 1)")
    add_reading_options(p)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def _cuts(text: str | None) -> list[float] | None:
    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise InputError("--cuts", f"cut points must be numbers separated by commas, got {text!r}") from None


#: ``analyze``'s method options: keyword (as a method's ``cli_options`` names it) -> its value from the arguments
_OPTION_VALUES = {"formula": lambda args, rows: args.fixed, "rows": lambda args, rows: rows,
                  "model": lambda args, rows: args.model, "group": lambda args, rows: args.bias_group,
                  "subsets": lambda args, rows: args.subsets, "cuts": lambda args, rows: _cuts(args.cuts)}


def method_options(args, rows=None) -> dict:
    """The options ``--method`` takes (its table entry's ``cli_options``), from the command's arguments.

    ``--fixed`` given to a method that estimates no covariates is an :class:`InputError`.
    """
    from ..methods import CORRECTION_METHODS, correction_method

    entry = correction_method(args.method)
    if args.fixed and "formula" not in entry.cli_options:
        takers = " or ".join(f"--method {m.name}" for m in CORRECTION_METHODS.values() if "formula" in m.cli_options)
        raise InputError("--fixed", f"covariates are estimated by {takers}, not {args.method}")
    return {key: _OPTION_VALUES[key](args, rows) for key in entry.cli_options}


def write_core_outputs(ratings: pd.DataFrame, args, folder: Path, source: str, rows=None):
    """Run the chosen method on ``ratings`` (one fit) and write its tables and report into ``folder``.

    Warnings of the analysis (design, iteration cap) are printed on stderr as ``asnsim: warning: ...``.
    """
    import sys
    import warnings

    from ..correction import analyze
    from ..errors import AsnsimWarning
    from ..output import write_table, write_text

    options = method_options(args, rows)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", AsnsimWarning)
        res = analyze(ratings, args.method, args.ratee, args.rater, args.score, item=args.item, source=source,
                      require_connected=args.require_connected, **options)
    for w in caught:
        if issubclass(w.category, AsnsimWarning):
            print(f"asnsim: warning: {w.message}", file=sys.stderr)
    write_table(res.rater_effects, folder, "rater_effects")
    write_table(res.ratee_scores, folder, "ratee_scores")
    if res.design is not None:
        write_table(res.design.table().assign(value=lambda t: t["value"].astype(str)), folder, "design")
    if res.variance_components is not None:
        write_table(res.variance_components, folder, "variance_components")
    for name, table in res.tables.items():
        write_table(table, folder, name if name == "fixed_effects" else f"{res.method}_{name}")
    write_text(res.to_markdown(source), folder / "report.md")
    return res


def load_employees_for_fairness(args) -> pd.DataFrame | None:
    """Read ``--employees`` as text (ids stay ids); numeric truth columns become numbers."""
    if args.group and not args.employees:
        raise InputError("--group", "needs --employees FILE with the group columns")
    if not args.employees:
        return None
    import pandas as pd

    from .. import columns as C
    from ..io.gate import read_input

    raw = read_input(args.employees, allow_personal_data=args.allow_personal_data)
    emp = raw.data
    for col in (C.TRUE_PERFORMANCE, C.CLOSENESS, C.UNIT_CONTEXT):
        if col in emp.columns:
            emp[col] = pd.to_numeric(emp[col], errors="coerce")
    return emp


def write_metric_outputs(ratings: pd.DataFrame, res, args, employees: pd.DataFrame | None, policy,
                         folder: Path, scale=None) -> None:
    """reliability.csv (as given and after the correction) and, with --employees/--group, fairness.csv."""
    import numpy as np

    from ..metrics.report import analyze_reports, variance_component_fits
    from ..output import REPORT_FLOAT_FORMAT, write_table

    rt = ratings.assign(**{args.ratee: ratings[args.ratee].astype(str)})
    adjusted = np.asarray(res.adjusted, dtype=float)
    # a method's REML fit of score ~ (1|ratee) + (1|rater) is the reliability model unless items or
    # covariates were in it
    same_model = not args.item and not args.fixed and res.fit is not None
    fits = variance_component_fits(rt, args.ratee, args.rater, args.score, args.item, adjusted,
                                   reuse=res.fit if same_model else None)
    tabs = analyze_reports(rt, args.ratee, args.rater, args.score, args.item, employees=employees,
                           groups=args.group, policy=policy, adjusted=adjusted,
                           method=args.method, n_boot=args.n_boot, rng=np.random.default_rng(args.seed),
                           employees_source=str(args.employees), scale=scale, fits=fits)
    for stem in ("reliability", "fairness"):
        if tabs.get(stem) is not None:
            write_table(tabs[stem], folder, stem, float_format=REPORT_FLOAT_FORMAT)


@locked_output
def run(args) -> int:
    from ..io.options import ledger_line, read_ratings_as_named, write_rejected
    from ..io.readers import parse_column_map
    from ..metrics.scale import observed_scale, resolve_scale
    from ..outdir import check_output_dir, refuse_users_files
    from ..output import atomic_output_dir, write_json

    owned = analyze_files()
    refuse_users_files(check_output_dir(args.out), owned)   # before the work, not after it

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
    rows = validated.data["source_row"].to_numpy() if "source_row" in validated.data else None
    with atomic_output_dir(args.out, owned=owned) as tmp:
        res = write_core_outputs(ratings, args, tmp, source, rows)
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
    print(summary_line(res, len(ratings), args.out))
    return 0


def summary_line(res, n: int, out: str) -> str:
    """What ``analyze`` prints at the end: the design, the main estimates, where the tables are."""
    parts = [f"{res.method}: {n} ratings analysed"]
    d = res.design
    if d is not None:
        parts.append(f"{d.n_ratees} ratees, {d.n_raters} raters, {d.n_subsets} connected subset"
                     f"{'s' if d.n_subsets != 1 else ''}" + (" (nested: one rater per ratee)" if d.nested else ""))
    if res.variance_components is not None:
        vc = res.variance_components.set_index("component")["variance"]
        parts.append("variance " + ", ".join(f"{k} {v:.3g}" for k, v in vc.items()))
    if "subsets_analysed" in res.info:
        parts.append(f"{res.info['subsets_analysed']} of {res.info['n_subsets']} subsets analysed")
    return "; ".join(parts) + f"; tables written to {out}"
