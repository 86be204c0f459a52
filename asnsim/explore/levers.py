"""Levers and uncertainties: what the explorer may vary, parsed from the command line.

A *lever* is a dotted key of a design with its range (EMA workbench's term,
Kwakkel 2017): a continuous range ``KEY=LO:HI`` (``KEY=LO:HI:STEP`` for a
grid), an integer range (both ends integers, ``KEY=0:4``), or a list of
choices ``KEY=a,b,c`` (TOML scalars: numbers, ``true``/``false``, quoted or
bare text).  An *uncertainty* has the same syntax and says over which range a
behaviour parameter of the world is unknown.  Everything is checked when it is
parsed, before any work: an empty range, a choice list with one value, a
repeated key are errors that name the option and the key.

References
----------
Kwakkel, J. H. (2017). The Exploratory Modeling Workbench: an open source
toolkit for exploratory modeling, scenario discovery, and (multi-objective)
robust decision making. *Environmental Modelling & Software* 96:239-250.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from itertools import product
from typing import Any, Callable, Iterable, Literal, Sequence

import numpy as np

from ..errors import DesignError

Kind = Literal["float", "int", "choice"]


def _scalar(text: str) -> Any:
    """A TOML scalar (number, boolean, quoted string) or, failing that, the bare text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _number(text: str, where: str) -> int | float:
    value = _scalar(text.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DesignError(f"{where}: {text.strip()!r} is not a finite number")
    return value


@dataclass(frozen=True)
class Lever:
    """One dotted key and the values it may take.

    Parameters
    ----------
    key : str
        The dotted key (``components.hasil_kerja.weight``).
    kind : {"float", "int", "choice"}
        Continuous range, integer range, or a list of choices.
    low, high : float or int, optional
        Range ends, both included (``float`` and ``int``).
    step : float or int, optional
        Grid step of a range (``KEY=LO:HI:STEP``); ``None`` for a continuous range.
    choices : tuple
        The values of a ``choice`` lever, in the order given.

    Examples
    --------
    >>> Lever.parse("components.hasil_kerja.weight=0.3:0.9")
    Lever(key='components.hasil_kerja.weight', kind='float', low=0.3, high=0.9, step=None, choices=())
    >>> Lever.parse("peers=0:4").grid()
    [0, 1, 2, 3, 4]
    >>> Lever.parse("correction.method=none,standardize").choices
    ('none', 'standardize')
    """

    key: str
    kind: Kind
    low: float | int | None = None
    high: float | int | None = None
    step: float | int | None = None
    choices: tuple[Any, ...] = ()

    @classmethod
    def parse(cls, text: str, option: str = "--lever") -> "Lever":
        """Parse ``KEY=LO:HI``, ``KEY=LO:HI:STEP`` or ``KEY=a,b,c``; the error names ``option`` and the key."""
        key, sep, rhs = str(text).partition("=")
        key, rhs = key.strip(), rhs.strip()
        if not sep or not key or not rhs:
            raise DesignError(f"{option} {text!r}: expected KEY=LO:HI, KEY=LO:HI:STEP or KEY=A,B,C")
        where = f"{option} {key}"
        if "," not in rhs and rhs.count(":") in (1, 2):
            parts = rhs.split(":")
            nums = [_number(p, where) for p in parts]
            kind: Kind = "int" if all(isinstance(v, int) for v in nums) else "float"
            low, high = nums[0], nums[1]
            step = nums[2] if len(nums) == 3 else None
            lever = cls(key, kind, low if kind == "int" else float(low), high if kind == "int" else float(high),
                        None if step is None else (step if kind == "int" else float(step)))
        else:
            values = tuple(_scalar(v.strip()) for v in rhs.split(","))
            if any(v == "" for v in values):
                raise DesignError(f"{where}: an empty choice in {rhs!r}")
            lever = cls(key, "choice", choices=values)
        lever.check(option)
        return lever

    def check(self, option: str = "--lever") -> None:
        """Raise :class:`~asnsim.errors.DesignError` for an empty range or fewer than two choices."""
        where = f"{option} {self.key}"
        if self.kind == "choice":
            if len(self.choices) < 2:
                raise DesignError(f"{where}: a list of choices needs at least two values, got {list(self.choices)}")
            if len(set(map(repr, self.choices))) < len(self.choices):
                raise DesignError(f"{where}: a choice is listed twice in {list(self.choices)}")
            return
        if not self.high > self.low:
            raise DesignError(f"{where}: empty range {self.low}:{self.high} (need LO < HI)")
        if self.step is not None:
            if not self.step > 0:
                raise DesignError(f"{where}: STEP must be positive, got {self.step}")
            if self.step > self.high - self.low:
                raise DesignError(f"{where}: STEP {self.step} is larger than the range {self.low}:{self.high}")

    def as_kind(self, kind: Kind) -> "Lever":
        """The same range read as ``kind`` (``0:1`` means 0.0 to 1.0 for a float key)."""
        if kind == self.kind or self.kind == "choice":
            return self
        if kind == "float":
            return Lever(self.key, "float", float(self.low), float(self.high),
                         None if self.step is None else float(self.step))
        if kind == "int" and all(float(v).is_integer() for v in (self.low, self.high, self.step or 1)):
            return Lever(self.key, "int", int(self.low), int(self.high), None if self.step is None else int(self.step))
        raise DesignError(f"--lever {self.key}: takes whole numbers, got {self.low}:{self.high}")

    def distribution(self):
        """The optuna distribution of this lever."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.kind == "choice":
            return CategoricalDistribution(self.choices)
        if self.kind == "int":
            return IntDistribution(int(self.low), int(self.high), step=int(self.step or 1))
        return FloatDistribution(float(self.low), float(self.high), step=self.step)

    def grid(self) -> list[Any]:
        """Every value of a choice, integer or stepped lever (for exhaustive enumeration)."""
        if self.kind == "choice":
            return list(self.choices)
        if self.kind == "int":
            return list(range(int(self.low), int(self.high) + 1, int(self.step or 1)))
        if self.step is None:
            raise DesignError(f"--lever {self.key}: a continuous range has no grid; give LO:HI:STEP")
        k = int(math.floor((self.high - self.low) / self.step + 1e-9))
        return [round(self.low + i * self.step, 12) for i in range(k + 1)]

    def from_unit(self, u: np.ndarray) -> np.ndarray:
        """Map points of [0, 1) to values: uniform on the range, or equal shares of the choices or grid."""
        u = np.clip(np.asarray(u, float), 0.0, np.nextafter(1.0, 0.0))
        if self.kind == "float" and self.step is None:
            return self.low + u * (self.high - self.low)
        values = self.grid()
        picked = np.floor(u * len(values)).astype(int)
        dtype = {"choice": object, "int": np.int64}.get(self.kind, float)
        return np.array(values, dtype=dtype)[picked]

    def describe(self) -> str:
        """The lever as it is written on the command line."""
        if self.kind == "choice":
            return f"{self.key}=" + ",".join(str(v).lower() if isinstance(v, bool) else str(v) for v in self.choices)
        tail = "" if self.step is None else f":{self.step:g}"
        return f"{self.key}={self.low:g}:{self.high:g}{tail}"


@dataclass(frozen=True)
class LeverSpace:
    """The levers of an exploration (or the uncertainties of a robustness ensemble), keys unique.

    Examples
    --------
    >>> space = LeverSpace.parse(["peers=0:2", "method=none,mixed"])
    >>> space.keys, space.size()
    (('peers', 'method'), 6)
    """

    levers: tuple[Lever, ...]

    @classmethod
    def parse(cls, texts: Iterable[str | Lever], option: str = "--lever",
              check_key: Callable[[str], Kind | None] | None = None) -> "LeverSpace":
        """Parse levers and check them all before any work.

        Parameters
        ----------
        texts : iterable of str or Lever
            ``KEY=LO:HI``, ``KEY=LO:HI:STEP`` or ``KEY=A,B,C``.
        option : str
            The option named in error messages (``--lever``, ``--uncertainty``).
        check_key : callable, optional
            ``key -> kind or None``: raises for an unknown key and may say
            whether the key takes floats or integers (the range is then read
            so); ``None`` leaves the parsed kind.
        """
        levers = [t if isinstance(t, Lever) else Lever.parse(t, option) for t in texts]
        if not levers:
            raise DesignError(f"{option}: give at least one KEY=LO:HI or KEY=A,B,C")
        keys = [lv.key for lv in levers]
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise DesignError(f"{option} {dup[0]}: the key is given more than once")
        if check_key is not None:
            resolved = []
            for lv in levers:
                kind = check_key(lv.key)
                resolved.append(lv.as_kind(kind) if kind in ("float", "int") else lv)
            levers = resolved
        return cls(tuple(levers))

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(lv.key for lv in self.levers)

    def distributions(self) -> dict[str, Any]:
        """``{key: optuna distribution}`` for ``Study.ask``."""
        return {lv.key: lv.distribution() for lv in self.levers}

    def size(self) -> int:
        """Number of grid points (every lever must have a grid)."""
        return int(np.prod([len(lv.grid()) for lv in self.levers]))

    def grid(self) -> list[dict[str, Any]]:
        """Every combination of the levers' grids, the first lever varying slowest."""
        return [dict(zip(self.keys, combo)) for combo in product(*(lv.grid() for lv in self.levers))]

    def from_unit(self, u: np.ndarray) -> list[dict[str, Any]]:
        """Designs from rows of a unit hypercube sample (one column per lever)."""
        u = np.atleast_2d(np.asarray(u, float))
        cols = [lv.from_unit(u[:, j]) for j, lv in enumerate(self.levers)]
        return [{lv.key: _plain(cols[j][i]) for j, lv in enumerate(self.levers)} for i in range(len(u))]

    def describe(self) -> list[str]:
        return [lv.describe() for lv in self.levers]


def _plain(value: Any) -> Any:
    """numpy scalars to Python ones (JSON, TOML and optuna take these)."""
    return value.item() if isinstance(value, np.generic) else value


def design_key(design: dict[str, Any], keys: Sequence[str]) -> tuple:
    """A hashable identity of a design (its values in lever order), equal for equal designs."""
    return tuple((k, repr(design[k])) for k in keys)


__all__ = ["Kind", "Lever", "LeverSpace", "design_key"]
