"""``asnsim calibrate``: fit a behaviour scenario's rater parameters to observed ratings (placeholder until wired)."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("calibrate", help="fit rater parameters (leniency, noise, scale use) to observed ratings")
    p.set_defaults(func=lambda args: 0)
