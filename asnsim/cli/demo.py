"""``asnsim demo``: every built-in policy on the default synthetic city, side by side."""

from __future__ import annotations

from .. import columns as C


def register(sub) -> None:
    p = sub.add_parser("demo", help="compare the built-in policies on the default synthetic city")
    p.add_argument("--n", type=int, default=2000, help="employees in the synthetic city (default 2000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="out", help="output directory (default ./out)")
    p.set_defaults(func=run)


def run(args) -> int:
    import pandas as pd

    from ..output import atomic_output_dir, write_table
    from ..pipeline import predikat_distribution, simulate
    from ..policy import builtin_names

    rows = {}
    for name in builtin_names():
        sim = simulate(name, n=args.n, seed=args.seed)
        rows[name] = predikat_distribution(sim.scores)["share"]
    table = pd.DataFrame(rows).T.rename_axis("policy")
    table = table[[p for p in C.PREDIKAT_ORDER[::-1]]]
    with atomic_output_dir(args.out) as tmp:
        write_table(table.reset_index(), tmp, "demo_predikat_distribution")
    print(f"Predikat distribution, synthetic city of {args.n} ASN, seed {args.seed}, scenario 'default':")
    print((table * 100).round(1).to_string())
    print(f"(percent of employees; table written to {args.out}/demo_predikat_distribution.csv)")
    return 0
