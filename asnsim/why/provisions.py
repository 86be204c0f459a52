"""The provisions of a reform: what differs between two resolved policies, and the hybrids between them.

A *provision* is a named set of dotted policy keys (``quota`` or ``predikat.matrix``); applying it to policy
A sets those keys to policy B's values.  By default every top-level section in which A and B differ is one
provision (``components``, ``periods``, ``predikat``, ``quota``, ``rating``, ``burden``, ...); users may name
their own (``matrix=predikat.matrix,predikat.method``), and whatever differs but no named provision covers is
gathered in one more provision, ``other``, so that applying every provision gives B.

The differences are :func:`asnsim.overrides.diff_policies`'s, less what only describes (names, titles, source
notes and labels).  Hybrids are built through the one override path (:func:`asnsim.overrides.apply_overrides`:
each provision's keys set to B's values, an entry B lacks removed, validated as a policy file is); a hybrid
the validator refuses is reported with its reason, and provisions that cannot be applied one without the
other are merged into blocks (:mod:`asnsim.why.blocks`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..errors import AsnsimError, PolicyError
from ..overrides import ABSENT, apply_overrides, diff_policies, value_at
from ..policy import Policy

#: top-level keys that describe a policy rather than rule anything
META_KEYS = ("name", "title", "extends", "description", "sources", "assumptions")
#: nested keys that document a value (a source note) and never change a result
NOTE_KEYS = ("source", "label", "labels")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")


class ProvisionError(AsnsimError):
    """A provision names no key, an unknown key, or a key already in another provision."""


@dataclass(frozen=True)
class Provision:
    """A named set of dotted policy keys applied together.

    Examples
    --------
    >>> Provision.parse("matrix=predikat.matrix, predikat.method")
    Provision(name='matrix', keys=('predikat.matrix', 'predikat.method'))
    """

    name: str
    keys: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> "Provision":
        """Parse ``NAME=KEY,KEY,...`` (the command line's ``--provision``)."""
        name, eq, rhs = text.partition("=")
        name = name.strip()
        keys = tuple(k.strip() for k in rhs.split(",") if k.strip())
        if not eq or not keys or not _NAME.match(name) or name == "total":
            raise ProvisionError(f"--provision {text!r}: expected NAME=KEY,KEY,... with a name of letters, digits, "
                                 f"_ or - (not 'total'), e.g. matrix=predikat.matrix,predikat.method")
        return cls(name, keys)


def _strip_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_notes(v) for k, v in value.items() if k not in NOTE_KEYS}
    if isinstance(value, list):
        return [_strip_notes(v) for v in value]
    return value


def rule_differences(a: Policy, b: Policy) -> dict[str, tuple[Any, Any]]:
    """:func:`asnsim.overrides.diff_policies` without what describes rather than rules.

    Top-level descriptions (:data:`META_KEYS`) and source notes and labels (:data:`NOTE_KEYS`, at any depth)
    are left out; a value missing on one side is :data:`asnsim.overrides.ABSENT`.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> list(rule_differences(load_policy("permenpan-6-2022"), load_policy("salatiga")))[:3]
    ['components.hasil_kerja.measure', 'components.hasil_kerja.aspects', 'components.hasil_kerja.self_reported']
    """
    out = {}
    for key, (x, y) in diff_policies(a, b).items():
        parts = key.split(".")
        if parts[0] in META_KEYS or set(parts) & set(NOTE_KEYS) or _strip_notes(x) == _strip_notes(y):
            continue
        out[key] = (x, y)
    return out


def differing_sections(a: Policy, b: Policy) -> list[str]:
    """Top-level policy sections whose rules differ between A and B (source notes and labels ignored)."""
    return list(dict.fromkeys(k.split(".")[0] for k in rule_differences(a, b)))


def _covers(key: str, other: str) -> bool:
    """``key`` is ``other`` or a table that holds it."""
    return other == key or other.startswith(key + ".")


def _has(model: Policy | dict, key: str) -> bool:
    try:
        value_at(model, key)
    except PolicyError:
        return False
    return True


def resolve_provisions(a: Policy, b: Policy, named: list[Provision] | None = None) -> list[Provision]:
    """The provisions of the change from A to B: one per differing section, or the named ones plus ``other``.

    Raises
    ------
    ProvisionError
        A named key that is in neither policy, a key inside an entry only one policy has (name the entry),
        a key named twice (or inside another named key), two provisions with one name, or no difference at
        all between A and B.
    """
    diffs = rule_differences(a, b)
    if not diffs:
        raise ProvisionError(f"{a.name} and {b.name} do not differ in any rule: nothing to decompose")
    if not named:
        return [Provision(s, (s,)) for s in dict.fromkeys(k.split(".")[0] for k in diffs)]
    names = [p.name for p in named]
    dup = sorted({n for n in names if names.count(n) > 1} | ({"other"} & set(names)))
    if dup:
        raise ProvisionError(f"--provision: {', '.join(dup)} named more than once (or reserved)")
    keys = [k for p in named for k in p.keys]
    for key in keys:
        if key.split(".")[0] in META_KEYS:
            raise ProvisionError(f"--provision: {key} describes a policy and rules nothing")
        if not (_has(a, key) or _has(b, key)):
            raise ProvisionError(f"--provision: {key} is a key of neither {a.name} nor {b.name}")
        holder = next((d for d in diffs if _covers(d, key) and d != key), None)
        if holder is not None:
            side = b.name if diffs[holder][0] is ABSENT else a.name
            raise ProvisionError(f"--provision: {key} is inside {holder}, which only {side} has; "
                                 f"name the table that holds it ({holder})")
        clash = [k for k in keys if k != key and _covers(key, k)]
        if clash or keys.count(key) > 1:
            raise ProvisionError(f"--provision: {key} is named twice (also as {', '.join(clash) or key})")
    rest = _uncovered(list(diffs), keys)
    return list(named) + ([Provision("other", tuple(rest))] if rest else [])


def _uncovered(diffs: list[str], keys: list[str]) -> list[str]:
    """The differences no named key covers, each as the largest table that holds no named key."""
    out: list[str] = []
    for leaf in diffs:
        if any(_covers(k, leaf) for k in keys):
            continue
        parts = leaf.split(".")
        for depth in range(1, len(parts) + 1):
            table = ".".join(parts[:depth])
            if not any(_covers(table, k) for k in keys):
                out.append(table)
                break
    return list(dict.fromkeys(out))


def overrides_for(b: Policy, provisions: list[Provision], mask: int) -> dict[str, Any]:
    """The dotted-key overrides that apply the provisions in ``mask`` to A: each key set to B's value.

    A key B lacks is :data:`~asnsim.overrides.ABSENT` (the entry is removed); a table is given whole, so
    applying every provision gives B's rules exactly (the weight rule of :mod:`asnsim.overrides` acts only
    where a provision gives some weights of a table and not the others).
    """
    target = b.model_dump(mode="json")
    out: dict[str, Any] = {}
    for i, prov in enumerate(provisions):
        if mask >> i & 1:
            for key in prov.keys:
                out[key] = value_at(target, key) if _has(target, key) else ABSENT
    return out


def build_hybrid(a: Policy, b: Policy, provisions: list[Provision], mask: int) -> Policy:
    """A with the provisions in ``mask`` taken from B, through :func:`asnsim.overrides.apply_overrides`.

    Raises
    ------
    PolicyError
        When the hybrid is no valid policy (naming the hybrid and the key).
    """
    if mask == 0:
        return a
    return apply_overrides(a, overrides_for(b, provisions, mask), hybrid_name(a, provisions, mask))


def hybrid_name(a: Policy, provisions: list[Provision], mask: int) -> str:
    """``A+p1+p2``: the starting policy and the provisions applied."""
    names = [p.name for i, p in enumerate(provisions) if mask >> i & 1]
    return "+".join([a.name, *names])


def validity(a: Policy, b: Policy, provisions: list[Provision]):
    """An oracle for :func:`asnsim.why.blocks.separable_blocks`: None for a valid hybrid, else the reason."""
    def oracle(mask: int) -> str | None:
        try:
            build_hybrid(a, b, provisions, mask)
        except PolicyError as exc:
            return str(exc).removeprefix(hybrid_name(a, provisions, mask) + ": ")
        return None
    return oracle


__all__ = ["META_KEYS", "NOTE_KEYS", "Provision", "ProvisionError", "build_hybrid", "differing_sections",
           "hybrid_name", "overrides_for", "resolve_provisions", "rule_differences", "validity"]
