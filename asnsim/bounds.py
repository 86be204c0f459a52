"""The numbers a policy or scenario file may hold: finite, and within sane ranges.

One mechanism for every model read from a file (:mod:`asnsim.policy`,
:mod:`asnsim.scenario`): their common base :class:`FrozenModel` refuses NaN
and infinity in every float field (pydantic's ``allow_inf_nan=False``), and
each number field has one of the constrained types below, which say what
the number measures and so how large it can sanely be.  A value outside its
range is an error naming the file and the dotted key, like any other
(:func:`asnsim.policy.validation_error`), before anything runs.

The limits are generous on purpose: they stop values that can only be typing
mistakes or attacks (``leniency_sd = 1e308`` overflows the simulation, a score
of ``1e308`` overflows the agreement statistics), not unusual research
settings.

======================  ==========================================  =============
type                    what it measures                            range
======================  ==========================================  =============
``Latent``              a shift on the latent scale of true         -10 .. 10
                        performance (standard deviations)
``LatentSD``            a spread or an effect size on that scale    0 .. 10
``LogSD``               a log-scale parameter of indicators         0 .. 5
``Share``               a share or probability                      0 .. 1
``ScorePoints``         a point on a rating scale, a score or a     -1e6 .. 1e6
                        capaian percentage
``Minutes``             minutes of work for one act                 0 .. 10,000
``Count``               events per year, ratees per rater           0 .. 1e6
``Money``               rupiah per year                             0 .. 1e15
======================  ==========================================  =============

Names (``Policy.name``, ``Scenario.name``) are :data:`SafeName`: letters, digits,
spaces, ``.``, ``_`` and ``-``, beginning with a letter or a digit, at most 80
characters.  A name lands in file names, table cells and reports, so it can
never start a spreadsheet formula (``=``, ``+``, ``-``, ``@``), hold a path
separator or break a line.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

LATENT_LIMIT = 10.0
LOG_LIMIT = 5.0
SCORE_LIMIT = 1e6
MINUTES_LIMIT = 10_000.0
COUNT_LIMIT = 1e6
MONEY_LIMIT = 1e15

#: the limits above: what keeps a value sane, not a natural bound of the parameter (a slider ignores them)
SANITY_LIMITS = frozenset({LATENT_LIMIT, -LATENT_LIMIT, LOG_LIMIT, -LOG_LIMIT, SCORE_LIMIT, -SCORE_LIMIT,
                           MINUTES_LIMIT, COUNT_LIMIT, MONEY_LIMIT})

Latent = Annotated[float, Field(ge=-LATENT_LIMIT, le=LATENT_LIMIT)]
LatentSD = Annotated[float, Field(ge=0, le=LATENT_LIMIT)]
LogSD = Annotated[float, Field(ge=0, le=LOG_LIMIT)]
LogShift = Annotated[float, Field(ge=-LOG_LIMIT, le=LOG_LIMIT)]
Share = Annotated[float, Field(ge=0, le=1)]
ScorePoints = Annotated[float, Field(ge=-SCORE_LIMIT, le=SCORE_LIMIT)]
Minutes = Annotated[float, Field(ge=0, le=MINUTES_LIMIT)]
Count = Annotated[float, Field(ge=0, le=COUNT_LIMIT)]
Money = Annotated[float, Field(gt=0, le=MONEY_LIMIT)]


#: what a policy or scenario name may look like (see the module notes)
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._\-]{0,79}")


def check_name(value: str) -> str:
    """Return ``value`` if it is a safe name, else raise ``ValueError`` saying what a name may hold."""
    if not NAME_PATTERN.fullmatch(value):
        raise ValueError(f"a name holds letters, digits, spaces, '.', '_' or '-', begins with a letter or a digit "
                         f"and has at most 80 characters; got {value!r}")
    return value


SafeName = Annotated[str, AfterValidator(check_name)]


class FrozenModel(BaseModel):
    """Base of every model read from a file: unknown keys are errors, objects are frozen, and no float
    field takes NaN or infinity."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    def content_hash(self) -> str:
        """:func:`content_hash` of this model."""
        return content_hash(self)


def content_hash(model: BaseModel) -> str:
    """SHA-256 of a validated model's canonical JSON (sorted keys, no spaces): the provenance of a policy or
    a scenario in every manifest.  Two models with the same hash simulate the same way."""
    import hashlib
    import json

    blob = json.dumps(model.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


__all__ = ["NAME_PATTERN", "SANITY_LIMITS", "Count", "FrozenModel", "SafeName", "check_name", "content_hash", "Latent", "LatentSD", "LogShift", "LogSD", "Minutes", "Money", "ScorePoints",
           "Share"]
