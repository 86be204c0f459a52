"""Shared small fixtures: one simulated round per common setting, built once per test session.

The fixtures are shared between tests, so treat what they return as read-only (copy a table before changing
it).  Each is small (400 employees) so that the whole suite stays fast.
"""

from __future__ import annotations

import pytest

#: The size and seed of the shared rounds.
SMALL_N, SMALL_SEED = 400, 5


@pytest.fixture(scope="session")
def small_population():
    """400 synthetic employees (default population parameters, seed 5)."""
    from asnsim.population import generate_population
    from asnsim.rng import stage_rng

    return generate_population(SMALL_N, stage_rng(SMALL_SEED, "population"))


@pytest.fixture(scope="session")
def small_round():
    """One simulated round: PermenPAN-RB 6/2022, the calibrated ``default`` scenario, 400 employees, seed 5."""
    from asnsim.pipeline import simulate

    return simulate("permenpan-6-2022", n=SMALL_N, seed=SMALL_SEED)


@pytest.fixture(scope="session")
def small_round_neutral():
    """One simulated round: PermenPAN-RB 6/2022, the ``neutral`` scenario (rules as written, no rater effect
    but noise, every unit enforces its quota), 400 employees, seed 11."""
    from asnsim.pipeline import simulate

    return simulate("permenpan-6-2022", n=SMALL_N, seed=11, scenario="neutral")
