"""``asnsim policies [list | show NAME|FILE | table [--markdown]]``."""

from __future__ import annotations


#: one-line help in ``asnsim --help``
HELP = "list built-in policies, show one resolved as TOML, or compare them side by side"


def register(sub) -> None:
    p = sub.add_parser("policies", help=HELP)
    p.add_argument("action", nargs="?", choices=["list", "show", "table"], default="list")
    p.add_argument("policy", nargs="?", help="built-in name or policy file (with 'show')")
    p.add_argument("--markdown", action="store_true",
                   help="with 'table': print docs/policies.md (the table plus each policy's sources and assumptions)")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..policy import builtin_names, load_policy
    from ..policyfiles import dump_toml

    if args.action == "show":
        if not args.policy:
            from ..errors import AsnsimError
            raise AsnsimError("'asnsim policies show' needs a policy name or file")
        print(dump_toml(load_policy(args.policy)), end="")
        return 0
    if args.action == "table":
        from ..policydocs import policies_markdown, policies_table
        if args.markdown:
            print(policies_markdown(), end="")
        else:
            import pandas as pd
            with pd.option_context("display.max_colwidth", 60, "display.width", 200):
                print(policies_table().to_string())
        return 0
    names = builtin_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {load_policy(name).title}")
    return 0
