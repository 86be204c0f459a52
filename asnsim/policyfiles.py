"""Policy and scenario files: reading them safely, ``extends`` chains, errors that name the key, and writing TOML.

Every policy and scenario is read here (:func:`load_model`): a built-in by name or a file by path, at most
:data:`MAX_FILE_BYTES` of UTF-8 TOML nested at most :data:`MAX_NESTING` levels, its ``extends`` chain resolved
(:func:`resolve_data`, at most :data:`MAX_EXTENDS` files) and the result validated into a frozen model; a
validation error becomes one line naming the file and the dotted key (:func:`validation_error`).  A child file
changes its parent through the one override path, :func:`asnsim.overrides.merge_overrides` (the same
rule for weights as sweeps, levers and widgets).  :func:`dump_toml` writes a model or a table back as TOML
(``asnsim policies show``, ``asnsim calibrate``).
"""

from __future__ import annotations

import copy
import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import PolicyError

_BUILTIN = "policies"


def builtin_names(subdir: str = _BUILTIN) -> list[str]:
    """Names of the built-in policies (or, with ``subdir="scenarios"``, scenarios), sorted."""
    return sorted(p.name[:-5] for p in resources.files("asnsim").joinpath(subdir).iterdir()
                  if p.name.endswith(".toml"))


#: an ``extends`` chain longer than this is refused (the built-ins are at most three deep)
MAX_EXTENDS = 32
#: a policy or scenario file larger than this is refused (the largest built-in is about 10 KB)
MAX_FILE_BYTES = 1 << 20
#: tables and arrays nested deeper than this are refused (a policy needs five levels)
MAX_NESTING = 32


def _read_toml(ref: str, subdir: str = _BUILTIN) -> tuple[dict, str, Path | None]:
    """Read a built-in by name, or a file by path; return (data, label, path).

    A file must be a regular file of at most :data:`MAX_FILE_BYTES` bytes of UTF-8 TOML, nested at most
    :data:`MAX_NESTING` levels deep; anything else is a :class:`PolicyError` naming the file.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise PolicyError(repr(ref), "", "empty name: give a built-in name or a .toml file")
    path = Path(ref)
    if ref.endswith(".toml") or path.exists():
        if not path.exists():
            raise PolicyError(ref, "", "no such file")
        if not path.is_file():
            raise PolicyError(ref, "", "not a regular file (a folder, device or pipe): give a .toml file")
        label, text = str(path), _read_text(path, str(path))
    else:
        res = resources.files("asnsim").joinpath(subdir, f"{ref}.toml")
        if not res.is_file():
            kind = {"policies": "policy", "scenarios": "scenario"}.get(subdir, subdir)
            raise PolicyError(ref, "", f"no built-in {kind} of that name and no such file; "
                                       f"built-ins: {', '.join(builtin_names(subdir))}")
        label, text, path = f"{ref} (built-in)", res.read_text(encoding="utf-8"), None
    return _parse_toml(text, label), label, path


def _read_text(path: Path, label: str) -> str:
    """The file's text: at most :data:`MAX_FILE_BYTES` bytes, UTF-8 (a BOM is allowed)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PolicyError(label, "", f"cannot read the file ({exc.strerror or exc})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise PolicyError(label, "", f"larger than {MAX_FILE_BYTES // 1024} KiB: not a policy or scenario file")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise PolicyError(label, "", f"not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line}; save the file "
                                     "as UTF-8") from None


def _parse_toml(text: str, label: str) -> dict:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(label, "", f"not valid TOML: {exc}") from None
    except RecursionError:
        raise PolicyError(label, "", f"tables or arrays nested too deeply (at most {MAX_NESTING} levels)") from None
    deep = _too_deep(data)
    if deep is not None:
        raise PolicyError(label, deep, f"tables or arrays nested more than {MAX_NESTING} levels deep")
    return data


def _too_deep(data: dict) -> str | None:
    """The dotted key of the first value nested deeper than :data:`MAX_NESTING`, else None (iterative)."""
    stack: list[tuple[Any, tuple, int]] = [(data, (), 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_NESTING:
            return ".".join(map(str, where[:8])) + (" ..." if len(where) > 8 else "")
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if isinstance(v, (dict, list)):
                stack.append((v, where + (k,), depth + 1))
    return None


#: list-valued keys that accumulate along an ``extends`` chain instead of replacing
_ACCUMULATE = ("sources", "assumptions")


def file_overrides(data: dict) -> dict[tuple[str, ...], Any]:
    """A child file as overrides of its parent: every leaf its own key, a component with ``drop = true`` removed.

    So ``extends`` merges tables key by key, through the one override path
    (:func:`asnsim.overrides.merge_overrides`, with its weight rule).
    """
    from .overrides import ABSENT, flatten

    out: dict[tuple[str, ...], Any] = {}
    comps = data.get("components")
    for path, value in flatten(data):
        if path[0] == "components" and len(path) >= 2 and isinstance(comps, dict) \
                and isinstance(comps.get(path[1]), dict) and comps[path[1]].get("drop") is True:
            out[path[:2]] = ABSENT
        else:
            out[path] = value
    return out


def resolve_data(ref: str, subdir: str = _BUILTIN) -> tuple[dict, str]:
    """Read a policy (or scenario) and apply its ``extends`` chain; return (merged data, label).

    Tables merge key by key and other values replace, except ``sources`` and
    ``assumptions``, which accumulate (the parent's first), so a city model
    keeps the provenance of what it inherits.  A component table holding
    ``drop = true`` removes that component of the parent, so a city model can
    replace a national component (Sawahlunto's competencies replace PP 30's
    perilaku).  Weights follow the one rule of :mod:`asnsim.overrides`: a
    file that sets some component (or rater) weights and leaves others unset
    rescales the unset ones to share the rest; a file that sets them all is
    checked as written.

    A relative ``.toml`` parent is found beside the file that names it.  Files
    are compared by their resolved paths, so a chain that comes back to a file
    under another spelling (``../in/d.toml`` inside ``in/d.toml``, a symlink)
    is a circular chain; a chain longer than :data:`MAX_EXTENDS` is refused.
    """
    chain: list[tuple[dict, str]] = []
    seen: dict[Any, str] = {}
    current = ref
    while True:
        data, label, path = _read_toml(current, subdir)
        ident = ("file", path.resolve()) if path is not None else ("built-in", current)
        if ident in seen:
            names = [lbl for _, lbl in chain] + [label]
            raise PolicyError(chain[-1][1], "extends", f"circular extends chain: {' -> '.join(names)}")
        seen[ident] = label
        chain.append((data, label))
        parent = data.get("extends")
        if parent is None:
            break
        if not isinstance(parent, str) or not parent.strip():
            raise PolicyError(label, "extends", "must be a policy name or a path (a non-empty string)")
        if len(chain) >= MAX_EXTENDS:
            raise PolicyError(chain[0][1], "extends", f"the extends chain is longer than {MAX_EXTENDS} files "
                                                      f"({chain[0][1]} -> {chain[1][1]} -> ... -> {label})")
        if path is not None and not Path(parent).is_absolute() and parent.endswith(".toml"):
            parent = str(path.parent / parent)
        current = parent
    from .overrides import merge_overrides

    merged = chain[-1][0]
    for data, _ in reversed(chain[:-1]):   # from the root of the chain down to the file asked for
        base = merged
        merged = merge_overrides(base, file_overrides(data))
        for key in _ACCUMULATE:  # provenance accumulates along the chain, parent first
            if isinstance(base.get(key), list) and isinstance(data.get(key), list):
                merged[key] = copy.deepcopy(base[key]) + copy.deepcopy(data[key])
    return merged, chain[0][1]


def _unwrap(tp: Any) -> Any:
    """Strip ``X | None`` so the walk below sees the model type."""
    from types import UnionType
    from typing import Union, get_args, get_origin

    if get_origin(tp) in (Union, UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return args[0] if args else None
    return tp


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str] | None:
    """Walk ``model`` along ``loc`` and return the field names allowed at its end."""
    from typing import get_args, get_origin

    current: Any = model
    for part in loc[:-1]:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = _unwrap(field.annotation) if field else None
        elif get_origin(current) is dict:
            current = _unwrap(get_args(current)[1])
        elif get_origin(current) is tuple:
            current = _unwrap(get_args(current)[0])
        else:
            return None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


#: pydantic error types whose message gains the offending value
_SHOW_INPUT = ("finite_number", "greater_than", "greater_than_equal", "less_than", "less_than_equal",
               "string_pattern_mismatch")


def _is_type_tag(part: Any) -> bool:
    """pydantic names the branch of a union in an error's location (``float``, ``tuple[...]``): not a key."""
    return isinstance(part, str) and (part in ("float", "int", "str", "bool") or "[" in part)


def validation_error(label: str, exc: ValidationError, model: type[BaseModel]) -> PolicyError:
    """Turn pydantic's first error into a one-line :class:`PolicyError` naming file and dotted key."""
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if not _is_type_tag(p))
    dotted = ".".join(str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, loc)
        msg = "unknown key" + (f"; allowed: {', '.join(allowed)}" if allowed else "")
    else:
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"].endswith(("_type", "_parsing")) or err["type"] in _SHOW_INPUT:
            msg += f" (got {err.get('input')!r})"
        if err["type"] == "literal_error":
            msg = f"got {err.get('input')!r}; {msg}"
    more = len(exc.errors()) - 1
    if more:
        msg += f" (and {more} more problem{'s' if more > 1 else ''})"
    return PolicyError(label, dotted, msg)




def load_model(ref: str | Path, model: type[BaseModel], subdir: str):
    """Resolve ``ref`` (name or path, with ``extends``) and validate it into ``model``."""
    if isinstance(ref, model):
        return ref
    data, label = resolve_data(str(ref), subdir)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise validation_error(label, exc, model) from None


def dump_toml(obj: Any) -> str:
    """A policy, a scenario or plain tables as TOML text, in their key order (values that are None left out).

    The one TOML writer: ``asnsim policies show`` prints a resolved policy with it and ``asnsim calibrate``
    writes its scenario file with it; reading the text back gives the same model.

    Examples
    --------
    >>> print(dump_toml({"name": "x", "rater": {"favouritism": 0.2}}), end="")
    name = "x"
    <BLANKLINE>
    [rater]
    favouritism = 0.2
    """
    if isinstance(obj, BaseModel):
        obj = obj.model_dump(mode="json", exclude_none=True)
    return _dump_tables(obj)


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(type(v))


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() else json.dumps(k, ensure_ascii=False)


def _dump_tables(data: dict, prefix: str = "") -> str:
    lines, tables, arrays = [], [], []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append((k, v))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            arrays.append((k, v))
        else:
            lines.append(f"{_key(k)} = {_toml_value(v)}")
    out = "\n".join(lines)
    for k, v in tables:
        name = f"{prefix}{_key(k)}"
        out += f"\n\n[{name}]\n" + _dump_tables(v, name + ".")
    for k, v in arrays:
        for item in v:
            out += f"\n\n[[{prefix}{_key(k)}]]\n" + _dump_tables(item, f"{prefix}{_key(k)}.")
    return out.strip() + ("\n" if not prefix else "")


__all__ = ["MAX_EXTENDS", "MAX_FILE_BYTES", "MAX_NESTING", "builtin_names", "dump_toml", "file_overrides",
           "load_model", "resolve_data", "validation_error"]
