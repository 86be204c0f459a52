"""The one override path: changing a policy or a scenario by dotted keys.

A reform is its baseline plus overrides (the OpenFisca habit).  Every way of
changing a policy or a scenario goes through here: a file's ``extends``
(:mod:`asnsim.policyfiles`), ``asnsim compare --sweep``, the widgets, the
explorer's levers and uncertainties (:mod:`asnsim.explore`) and the hybrids of
a decomposition (:mod:`asnsim.why`).

- :func:`apply_overrides` ``(model, {dotted key: value}) -> new validated model``;
  an unknown key or a value the model refuses is a
  :class:`~asnsim.errors.PolicyError` naming the label and the key;
- :func:`apply_design` does the same for a policy and a scenario at once,
  sending each key where it belongs (:func:`target_of`);
- :func:`diff_policies` ``(a, b) -> {dotted key: (a value, b value)}``, the
  leaves where two models differ, such that applying the ``b`` values to ``a``
  gives ``b``;
- :func:`value_at` reads a dotted key, :func:`key_kind` says what a key takes
  (``"float"``, ``"int"``, ``"bool"``, ``"choice"``, ``"text"`` or ``"table"``);
- :func:`merge_overrides` is the rule on plain tables that all of these share.

Keys
    A key walks the model: a field of a table (``rater.favouritism``), an entry
    of a table keyed by name (``components.hasil_kerja.weight``;
    ``components.perilaku_kerja.raters.rekan``).  A name-keyed table may gain an
    entry: a rater role (``raters.rekan``, checked against the allowed roles) or
    a whole component given as a table; a key *inside* an entry that does not
    exist is an error listing the entries there are.  Setting a key to
    :data:`ABSENT` removes that entry (a file's ``drop = true``).  Values replace
    whole: a table given as a value replaces the table (a file's ``extends``
    merges key by key instead, because it passes every leaf as its own key).

The weight rule
    Component weights (``components.<c>.weight``) and a component's rater
    weights (``components.<c>.raters.<role>``) each sum to 1.  When overrides
    give some weights of such a table and leave others unset, the weights given
    are kept and the unset ones are rescaled in proportion to share what is left,
    ``w_c <- max(0, 1 - sum given) * w_c / sum unset`` (equally when the unset
    weights are all 0).  When overrides give every weight of a table (or the whole
    table), they are taken as given and must sum to 1.  So a sweep of
    ``components.hasil_kerja.weight=0.3:0.7`` moves the other components, a lever
    ``components.perilaku_kerja.raters.rekan=0:0.5`` makes room for peers by
    shrinking the other raters, and a file that names every weight is checked.

Examples
--------
>>> from asnsim.policy import load_policy
>>> p = apply_overrides(load_policy("permenpan-6-2022"), {"components.perilaku_kerja.raters.rekan": 0.4})
>>> dict(p.components["perilaku_kerja"].raters)
{'atasan': 0.6, 'rekan': 0.4}
>>> diff_policies(load_policy("permenpan-6-2022"), p)
{'components.perilaku_kerja.raters.atasan': (1.0, 0.6), 'components.perilaku_kerja.raters.rekan': (<absent>, 0.4)}
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Iterator, Literal, TypeVar, Union, get_args, get_origin

from .errors import DesignError, PolicyError

M = TypeVar("M")
Path_ = tuple[str, ...]


class _Absent:
    """A key that is not there (in a diff), or an entry to remove (as an override value)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<absent>"

    def __reduce__(self):
        return (_Absent, ())


#: a key missing on one side of :func:`diff_policies`; as an override value, removes a name-keyed entry
ABSENT = _Absent()

#: weight tables: (the path of the table, with ``*`` for any name; the key of an entry's weight, or None when the
#: entry's value is its weight)
WEIGHT_TABLES: tuple[tuple[Path_, str | None], ...] = (
    (("components",), "weight"),
    (("components", "*", "raters"), None),
)


# ---------------------------------------------------------------- plain tables

def _path(key: str | Path_) -> Path_:
    return tuple(key) if isinstance(key, tuple) else tuple(str(key).split("."))


def flatten(table: Mapping, prefix: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every leaf of a nested table as ``(path, value)``, in order; an empty table is a leaf (``{}``)."""
    for k, v in table.items():
        if isinstance(v, Mapping) and v:
            yield from flatten(v, prefix + (k,))
        else:
            yield prefix + (k,), v


def merge_overrides(data: dict, overrides: Mapping[str | Path_, Any]) -> dict:
    """``data`` (plain nested tables) with overrides set, and the weight rule applied; ``data`` is not changed.

    Keys are dotted strings or tuples of names; missing tables on the way are created (the model's validation
    judges the result).  An empty table (``{}``) set where a table exists changes nothing, as in TOML.
    """
    out = copy.deepcopy(data)
    given: list[Path_] = []
    for key, value in overrides.items():
        path = _path(key)
        node = out
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        last = path[-1]
        if value is ABSENT:
            node.pop(last, None)
        elif isinstance(value, Mapping) and not value and isinstance(node.get(last), dict):
            pass
        else:
            node[last] = copy.deepcopy(value)
        given.append(path)
    _rescale_weights(out, given)
    return out


def _tables(data: dict, pattern: Path_, at: Path_ = ()) -> Iterator[tuple[Path_, dict]]:
    """The tables of ``data`` matching ``pattern`` (``*`` for any name), with their paths."""
    if not pattern:
        yield at, data
        return
    head, rest = pattern[0], pattern[1:]
    for name in (list(data) if head == "*" else [head]):
        child = data.get(name) if isinstance(data, dict) else None
        if isinstance(child, dict):
            yield from _tables(child, rest, at + (name,))


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _rescale_weights(data: dict, given: list[Path_]) -> None:
    """The weight rule (see the module notes), in place."""
    for pattern, field in WEIGHT_TABLES:
        for where, table in _tables(data, pattern):
            n = len(where)
            if any(p == where[:len(p)] for p in given if len(p) <= n):
                continue  # the table itself (or what holds it) was given whole: taken as given
            weight_len = n + (2 if field else 1)
            named = {p[n] for p in given if len(p) > n and p[:n] == where
                     and (len(p) == n + 1 or (field is not None and len(p) == weight_len and p[-1] == field))}
            if not named:
                continue

            def weight(entry):
                return table[entry].get(field) if field else table[entry]

            set_, unset = [e for e in table if e in named], [e for e in table if e not in named]
            if field and any(not isinstance(table[e], dict) for e in table):
                continue
            values = [weight(e) for e in set_]
            if not unset or not all(_number(v) for v in values) or not all(_number(weight(e)) for e in unset):
                continue  # every weight given (validated as given), or a value pydantic will name
            if not all(0.0 <= v <= 1.0 for v in values):
                continue  # a weight given outside [0, 1] (or NaN) is left as given, so its own key is named
            rest = max(0.0, 1.0 - sum(values))
            total = sum(weight(e) for e in unset)
            for e in unset:
                share = weight(e) / total if total > 0 else 1.0 / len(unset)
                if field:
                    table[e][field] = rest * share
                else:
                    table[e] = rest * share


# ---------------------------------------------------------------- keys of a model

def _unwrap(tp: Any) -> Any:
    """``X | None`` -> ``X``; ``Annotated[X, ...]`` -> ``X``."""
    from types import UnionType
    from typing import Annotated

    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp: Any) -> bool:
    from pydantic import BaseModel

    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _walk(model_type: type, key: str, value: Any = None, data: Any = None) -> Any:
    """The annotation at ``key`` of ``model_type``; raises ``KeyError(message)`` for an unknown key.

    ``data`` (the model's dump) tells which entries of name-keyed tables exist: a key may go *into* an existing
    entry only, and a new entry must be given whole or be a plain value (a rater weight).
    """
    parts = key.split(".")
    tp: Any = model_type
    node = data
    for i, part in enumerate(parts):
        tp = _unwrap(tp)
        here = ".".join(parts[:i]) or "(top level)"
        if _is_model(tp):
            fields = tp.model_fields
            if part not in fields:
                raise KeyError(f"unknown key under {here}; allowed: {', '.join(fields)}")
            tp = fields[part].annotation
            node = node.get(part) if isinstance(node, dict) else None
        elif get_origin(tp) is dict:
            k_type, v_type = get_args(tp)
            k_type = _unwrap(k_type)
            if get_origin(k_type) is Literal and part not in get_args(k_type):
                raise KeyError(f"{part!r} is not allowed under {here}; allowed: "
                               f"{', '.join(map(str, get_args(k_type)))}")
            exists = isinstance(node, dict) and part in node
            if data is not None and not exists and i < len(parts) - 1:
                names = ", ".join(node) if isinstance(node, dict) and node else "none"
                raise KeyError(f"unknown key under {here}; allowed: {names} (a new entry is given as a whole table)")
            if data is not None and not exists and _is_model(_unwrap(v_type)) and value is not ABSENT \
                    and not isinstance(value, Mapping):
                names = ", ".join(node) if isinstance(node, dict) and node else "none"
                raise KeyError(f"unknown key under {here}; allowed: {names} (a new entry is given as a whole table)")
            tp = v_type
            node = node.get(part) if isinstance(node, dict) else None
        else:
            raise KeyError(f"unknown key: {here} holds a value, not a table")
    return tp


def key_kind(model: Any, key: str) -> str:
    """What a dotted key of a policy or scenario takes: ``float``, ``int``, ``bool``, ``choice``, ``text`` or ``table``.

    ``model`` is a model class or instance (an instance also checks that the entries on the way exist).
    The explorer reads a lever's range as floats or integers from this.

    Raises
    ------
    PolicyError
        For an unknown key, naming it.

    Examples
    --------
    >>> from asnsim.scenario import Scenario
    >>> key_kind(Scenario, "rater.peers"), key_kind(Scenario, "rater.favouritism"), key_kind(Scenario, "rater")
    ('int', 'float', 'table')
    """
    model_type = model if isinstance(model, type) else type(model)
    data = None if isinstance(model, type) else model.model_dump(mode="json")
    try:
        tp = _unwrap(_walk(model_type, key, None, data))
    except KeyError as exc:
        raise PolicyError(str(getattr(model, "name", "") or model_type.__name__), key, exc.args[0]) from None
    if tp is bool:
        return "bool"
    if tp is int:
        return "int"
    if tp is float:
        return "float"
    if get_origin(tp) is Literal:
        return "choice"
    if tp is str:
        return "text"
    return "table"


def value_at(model: Any, key: str) -> Any:
    """The value of a dotted key of a model (or of plain tables).

    Raises
    ------
    PolicyError
        For a key that is not there.

    Examples
    --------
    >>> from asnsim.scenario import load_scenario
    >>> value_at(load_scenario("neutral"), "quota.compliance.share")
    1.0
    """
    node = model
    for part in key.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        elif not isinstance(node, Mapping) and _is_model(type(node)) and part in type(node).model_fields:
            node = getattr(node, part)
        else:
            raise PolicyError(getattr(model, "name", "value"), key, "no such key")
    return node


# ---------------------------------------------------------------- models

def apply_overrides(base: M, overrides: Mapping[str, Any], label: str | None = None) -> M:
    """A copy of a policy or scenario with dotted-key overrides applied, and validated as a file is.

    Parameters
    ----------
    base : Policy or Scenario
        The validated starting point.
    overrides : mapping
        ``{"components.hasil_kerja.weight": 0.3, "rater.favouritism": 0.2, ...}`` (see the module notes for
        the keys allowed and the weight rule); an empty mapping returns ``base`` itself.
    label : str, optional
        Names the result in error messages (default: ``base.name``).

    Returns
    -------
    Policy or Scenario
        A new validated object of the same type.

    Raises
    ------
    PolicyError
        Naming ``label`` and the dotted key, for an unknown key or a value the model refuses.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> p = apply_overrides(load_policy("permenpan-6-2022"), {"components.hasil_kerja.weight": 0.8}, "x")
    >>> round(p.components["perilaku_kerja"].weight, 6)
    0.2
    """
    from pydantic import ValidationError

    from .policyfiles import validation_error

    if not overrides:
        return base
    label = label or str(getattr(base, "name", type(base).__name__))
    data = base.model_dump(mode="json")
    for key, value in overrides.items():
        try:
            _walk(type(base), str(key), value, data)
        except KeyError as exc:
            raise PolicyError(label, str(key), exc.args[0]) from None
    merged = merge_overrides(data, overrides)
    try:
        return type(base).model_validate(merged)
    except ValidationError as exc:
        raise validation_error(label, exc, type(base)) from None


def target_of(key: str) -> tuple[str, str]:
    """``("policy" | "scenario", key without prefix)``: where a dotted key belongs.

    A ``policy.`` or ``scenario.`` prefix decides; otherwise the first segment (``rater``, ``population``:
    scenario; ``components``, ``rating``, ``predikat``, ...: policy).

    Examples
    --------
    >>> target_of("rater.favouritism"), target_of("policy.quota.enabled")
    (('scenario', 'rater.favouritism'), ('policy', 'quota.enabled'))
    """
    from .policy import Policy
    from .scenario import Scenario

    head, _, rest = key.partition(".")
    if head in ("policy", "scenario") and rest:
        return head, rest
    in_pol, in_scen = head in Policy.model_fields, head in Scenario.model_fields
    if in_scen and not in_pol:
        return "scenario", key
    if in_pol and not in_scen:
        return "policy", key
    if in_pol and in_scen:
        raise DesignError(f"key {key!r} could be a policy or a scenario key: prefix it with 'policy.' or 'scenario.'")
    raise DesignError(f"key {key!r}: {head!r} is neither a policy key ({', '.join(Policy.model_fields)}) "
                      f"nor a scenario key ({', '.join(Scenario.model_fields)})")


def split_overrides(overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(policy overrides, scenario overrides)``, keys without their prefix (:func:`target_of`)."""
    out: dict[str, dict[str, Any]] = {"policy": {}, "scenario": {}}
    for key, value in overrides.items():
        where, rest = target_of(key)
        out[where][rest] = value
    return out["policy"], out["scenario"]


def apply_design(policy, scenario, overrides: Mapping[str, Any], label: str | None = None):
    """``(policy, scenario)`` with overrides of either applied: the explorer's design or world in one call.

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> from asnsim.scenario import load_scenario
    >>> p, s = apply_design(load_policy("pp-30-2019"), load_scenario("default"),
    ...                     {"rater.favouritism": 0.0, "components.skp.weight": 0.6})
    >>> s.rater.favouritism, round(p.components["perilaku"].weight, 9)
    (0.0, 0.4)
    """
    pol, scen = split_overrides(overrides)
    return apply_overrides(policy, pol, label), apply_overrides(scenario, scen, label)


def diff_policies(a: Any, b: Any) -> dict[str, tuple[Any, Any]]:
    """The leaves where two policies (or two scenarios) differ: ``{dotted key: (a value, b value)}``.

    Tables are compared key by key; other values (numbers, text, lists) whole.  A key present on one side only
    has :data:`ABSENT` on the other.  Applying every ``b`` value to ``a`` with :func:`apply_overrides` gives a
    model equal to ``b`` (entries ``b`` adds come after ``a``'s).  Descriptive keys (``name``, ``title``,
    ``sources``...) are compared like the others: the caller chooses what to leave out.
    """
    da = a if isinstance(a, Mapping) else a.model_dump(mode="json")
    db = b if isinstance(b, Mapping) else b.model_dump(mode="json")
    out: dict[str, tuple[Any, Any]] = {}

    def walk(x: Any, y: Any, at: Path_) -> None:
        if isinstance(x, Mapping) and isinstance(y, Mapping):
            for k in dict.fromkeys([*x, *y]):
                walk(x.get(k, ABSENT), y.get(k, ABSENT), at + (str(k),))
        elif x != y:
            out[".".join(at)] = (x, y)

    walk(da, db, ())
    return out


__all__ = ["ABSENT", "WEIGHT_TABLES", "apply_design", "apply_overrides", "diff_policies", "flatten", "key_kind",
           "merge_overrides", "split_overrides", "target_of", "value_at"]
