"""``asnsim demo``: every built-in policy compared on the default synthetic city.

A small ``asnsim compare --policies all`` (the five city models and the three
national regimes, when they are installed) sized to finish in about a minute
on two cores; it prints the headline table and writes the full output,
report.html included, to ``./out``.
"""

from __future__ import annotations

from .compare import add_arguments, run_compare


def register(sub) -> None:
    p = sub.add_parser("demo", help="compare every built-in policy on the default synthetic city (about a minute)")
    add_arguments(p, policies_required=False, workers=2)
    p.add_argument("--n", default="1000", help="employees in the synthetic city, or a size preset (default 1000)")
    p.add_argument("--reps", type=int, default=12, help="replicates (default 12)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="out", help="output directory (default ./out)")
    p.set_defaults(func=run)


def run(args) -> int:
    return run_compare(args, headline_title=(
        f"asnsim demo: {args.policies} policies on a synthetic city of {args.n} ASN, scenario '{args.scenario}', "
        f"{args.reps} replicates, seed {args.seed}"))
