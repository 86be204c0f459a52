"""``asnsim simulate``: one simulated appraisal round, written as tables."""

from __future__ import annotations

from ..outdir import locked_output

#: one-line help in ``asnsim --help``
HELP = "simulate one appraisal round under a policy and write its tables"


def register(sub) -> None:
    from ..output import FORMATS
    from ..population import PRESETS
    from .argtypes import seed, size

    p = sub.add_parser("simulate", help=HELP)
    p.add_argument("--policy", required=True, help="built-in policy name or policy file")
    p.add_argument("--n", default="500", type=size,
                   help=f"number of employees, or a size preset: {', '.join(PRESETS)} (default 500)")
    p.add_argument("--seed", type=seed, default=1, help="random seed (default 1)")
    p.add_argument("--scenario", default="default", help="behaviour scenario name or file (default: default)")
    p.add_argument("--periods", choices=["annual", "all"], default="annual",
                   help="ratings for the annual evaluation only (default) or for every period plus the annual one")
    p.add_argument("--population", default=None,
                   help="anonymized employees file (CSV, Excel, Parquet) to use instead of a synthetic population "
                        "(--n is then ignored; see docs/input-formats.md)")
    p.add_argument("--column-map", default=None, help="column names of the --population file: asnsim=yours,...")
    p.add_argument("--skip-invalid", action="store_true",
                   help="leave out invalid --population rows and write rejected_rows.csv")
    p.add_argument("--allow-personal-data", action="store_true",
                   help="accept a --population file that still holds raw NIPs or names")
    p.add_argument("--format", choices=FORMATS, default="csv", help="table format (default csv)")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def simulate_files() -> tuple[str, ...]:
    """Every file ``simulate`` may write (a stale one from an earlier run into the same folder is removed)."""
    from ..output import FORMATS

    return tuple(f"{stem}.{fmt}" for stem in ("employees", "ratings", "scores", "units", "indicators")
                 for fmt in FORMATS) + ("manifest.json", "rejected_rows.csv")


@locked_output
def run(args) -> int:
    from ..io.population import load_population_option
    from ..memory import require_memory, simulation_bytes
    from ..outdir import check_output_dir, refuse_users_files
    from ..output import atomic_output_dir, write_json, write_table
    from ..pipeline import predikat_distribution, simulate
    from ..policy import load_policy
    from ..scenario import load_scenario

    refuse_users_files(check_output_dir(args.out), simulate_files())   # before the work, not after it
    policy, scenario = load_policy(args.policy), load_scenario(args.scenario)
    pop = load_population_option(args)
    if pop is None:
        require_memory(simulation_bytes(policy, scenario, args.n, args.periods), f"simulate --n {args.n}",
                       "use a smaller --n")
    sim = simulate(policy, n=args.n, seed=args.seed, scenario=scenario, periods=args.periods,
                   population=None if pop is None else pop.data)
    with atomic_output_dir(args.out, owned=simulate_files()) as tmp:
        for stem, table in sim.tables().items():
            write_table(table, tmp, stem, args.format)
        manifest = sim.manifest()
        if pop is not None:
            from ..io.options import write_rejected
            manifest["population"] = pop.info
            write_rejected(pop, tmp)
        write_json(manifest, tmp / "manifest.json")
    dist = predikat_distribution(sim.scores)
    print(f"{sim.policy.name}: {len(sim.employees)} employees, {len(sim.ratings)} ratings, "
          f"seed {args.seed}, scenario {sim.scenario.name} -> {args.out}")
    print(dist.to_string(formatters={"share": "{:.1%}".format}))
    if sim.extra.get("quota_summary"):
        print(sim.extra["quota_summary"])
    return 0
