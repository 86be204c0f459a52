"""``asnsim calibrate``: fit a behaviour scenario's rater parameters to observed ratings."""

from __future__ import annotations

from pathlib import Path


#: one-line help in ``asnsim --help``
HELP = "fit rater parameters (leniency, noise, scale use) to observed ratings and write a scenario file"


def register(sub) -> None:
    from ..io.options import add_input_options
    from .argtypes import MAX_BOOTSTRAP, count, name, seed

    p = sub.add_parser("calibrate", help=HELP,
                       description="Fit leniency spread and mean, residual noise, scale use and the correlation of "
                                   "the true components from supervisor ratings, and write a scenario TOML that "
                                   "asnsim simulate --scenario accepts.")
    p.add_argument("ratings", help="ratings file (CSV, Excel or Parquet; see docs/input-formats.md)")
    add_input_options(p)
    p.add_argument("--component", default=None, help="column naming each item's policy component (optional)")
    p.add_argument("--policy", default="permenpan-6-2022", help="policy whose items and scales the ratings follow")
    p.add_argument("--employees", default=None,
                   help="employees file (same IDs as the ratings) to fit the in-group bias on --group")
    p.add_argument("--group", default="sex", help="employees column for the in-group bias (default sex)")
    p.add_argument("--base", default="neutral", help="scenario the calibrated one extends (default neutral)")
    p.add_argument("--name", default="calibrated", type=name, help="name of the written scenario (default calibrated)")
    p.add_argument("--bootstrap", type=count(0, MAX_BOOTSTRAP), default=50, help="rater-bootstrap replicates for SEs (default 50)")
    p.add_argument("--seed", type=seed, default=1, help="seed of the bootstrap (default 1)")
    p.add_argument("--out", required=True, help="scenario file to write (.toml)")
    p.set_defaults(func=run)


def run(args) -> int:
    from .. import columns as C
    from ..calibrate import calibrate, scenario_toml
    from ..errors import AsnsimError
    from ..io.options import column_map_from_args, ledger_line, read_ratings_input, write_rejected
    from ..policy import load_policy
    from ..rng import stage_rng
    from ..scenario import load_scenario

    from ..output import atomic_file, check_output_file, write_text

    check_output_file(args.out)
    out = Path(args.out)
    if out.suffix != ".toml":
        raise AsnsimError(f"{out}: --out must be a .toml scenario file")
    policy = load_policy(args.policy)
    load_scenario(args.base)
    scales = [c.scale for c in policy.components.values() if c.measure == "rating"]
    score_range = (min(s.min for s in scales), max(s.max for s in scales))
    cmap = column_map_from_args(args)
    if args.component:
        cmap[C.COMPONENT] = args.component
    v = read_ratings_input(args.ratings, cmap, score_range, args.skip_invalid, args.allow_personal_data,
                           args.sheet)
    print(ledger_line(v))
    employees = None
    if args.employees:
        from ..io.gate import read_input
        from ..io.schemas import read_table
        raw = read_input(args.employees, allow_personal_data=args.allow_personal_data)
        employees = read_table(raw, "employees", skip_invalid=args.skip_invalid).data
        if args.group not in employees.columns or employees[args.group].isna().all():
            raise AsnsimError(f"{args.employees}: --group {args.group}: the employees file has no such values")
    cal = calibrate(v.data, policy, source=v.raw.source, bootstrap=args.bootstrap,
                    rng=stage_rng(args.seed, "bootstrap"), employees=employees, group=args.group)
    text = scenario_toml(cal, args.name, v.raw.source, base=args.base)
    with atomic_file(out) as tmp:
        write_text(text, tmp)
        load_scenario(str(tmp))  # the file must load before it replaces anything
        rejected = (write_rejected(v, out.parent, name=f"{out.stem}_rejected_rows.csv") if args.skip_invalid
                    else None)
    print(f"{cal.n_ratings} supervisor ratings, {cal.n_raters} raters, {cal.n_ratees} ratees -> {out}")
    for k, val in cal.params().items():
        se = f"  (SE {cal.se[k]:.3f})" if k in cal.se else ""
        print(f"  {k:14s} {val:8.3f}{se}")
    for k, val in cal.group_effects.items():
        print(f"  {k:14s} {val:8.3f}" + (f"  (on {cal.group_attribute})" if k == "ingroup_bias" else ""))
    if cal.component_corr is not None:
        print(f"  {'component_corr':14s} {cal.component_corr:8.3f}")
    print(cal.by_component.round(3).to_string(index=False))
    for note in cal.notes:
        print(f"assumed {note['key']} = {note['value']}: {note['reason']}")
    if rejected is not None:
        print(f"rejected rows with reasons: {rejected}")
    return 0
