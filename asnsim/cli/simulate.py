"""``asnsim simulate``: one simulated appraisal round, written as tables."""

from __future__ import annotations

from ..output import FORMATS, atomic_output_dir, write_json, write_table


def register(sub) -> None:
    from ..population import PRESETS

    p = sub.add_parser("simulate", help="simulate one appraisal round under a policy and write its tables")
    p.add_argument("--policy", required=True, help="built-in policy name or policy file")
    p.add_argument("--n", default="500",
                   help=f"number of employees, or a size preset: {', '.join(PRESETS)} (default 500)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--scenario", default="default", help="behaviour scenario name or file (default: default)")
    p.add_argument("--periods", choices=["annual", "all"], default="annual",
                   help="ratings for the annual evaluation only (default) or for every period plus the annual one")
    p.add_argument("--format", choices=FORMATS, default="csv", help="table format (default csv)")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..pipeline import predikat_distribution, simulate

    sim = simulate(args.policy, n=args.n, seed=args.seed, scenario=args.scenario, periods=args.periods)
    with atomic_output_dir(args.out) as tmp:
        for stem, table in sim.tables().items():
            write_table(table, tmp, stem, args.format)
        write_json(sim.manifest(), tmp / "manifest.json")
    dist = predikat_distribution(sim.scores)
    print(f"{sim.policy.name}: {len(sim.employees)} employees, {len(sim.ratings)} ratings, "
          f"seed {args.seed}, scenario {sim.scenario.name} -> {args.out}")
    print(dist.to_string(formatters={"share": "{:.1%}".format}))
    if sim.extra.get("quota_summary"):
        print(sim.extra["quota_summary"])
    return 0
