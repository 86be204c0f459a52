"""``asnsim policies [show NAME|FILE]``."""

from __future__ import annotations

from ..policy import builtin_names, load_policy, policy_to_toml


def register(sub) -> None:
    p = sub.add_parser("policies", help="list built-in policies, or show one resolved as TOML")
    p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
    p.add_argument("policy", nargs="?", help="built-in name or policy file (with 'show')")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.action == "show":
        if not args.policy:
            from ..errors import AsnsimError
            raise AsnsimError("'asnsim policies show' needs a policy name or file")
        print(policy_to_toml(load_policy(args.policy)), end="")
        return 0
    names = builtin_names()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {load_policy(name).title}")
    return 0
