"""Provisions that cannot be separated are merged into blocks, and the invalid hybrids are reported."""

from __future__ import annotations

import pytest

from asnsim.why.blocks import separable_blocks


def _bit(mask, i):
    return mask >> i & 1


def test_two_provisions_that_must_agree_are_merged_and_every_invalid_hybrid_is_reported():
    # as regime and predikat between PP 30/2019 and PermenPAN-RB 6/2022: half of the 2**7 hybrids are invalid
    calls = []

    def oracle(m):
        calls.append(m)
        return None if _bit(m, 0) == _bit(m, 4) else "regime without its predikat rule"

    blocks, invalid = separable_blocks(7, oracle)
    assert blocks == [0b10001, 0b10, 0b100, 0b1000, 0b100000, 0b1000000]
    assert len(calls) == len(set(calls)) <= 2 ** 7  # each coalition asked once
    assert all(_bit(m, 0) != _bit(m, 4) for m in invalid) and set(invalid.values()) == {
        "regime without its predikat rule"}


def test_valid_everywhere_keeps_every_provision_apart():
    blocks, invalid = separable_blocks(4, lambda m: None)
    assert blocks == [1, 2, 4, 8] and invalid == {}


def test_a_chain_of_requirements_merges_the_chain():
    # 1 needs 0 and 2 needs 1 (a provision that only makes sense on top of another): one block of three
    def oracle(m):
        if _bit(m, 1) and not _bit(m, 0):
            return "1 without 0"
        if _bit(m, 2) and not _bit(m, 1):
            return "2 without 1"
        return None

    blocks, invalid = separable_blocks(4, oracle)
    assert sorted(blocks) == [0b111, 0b1000]
    assert invalid[0b10] == "1 without 0"


def test_an_invalid_end_point_is_an_error():
    with pytest.raises(ValueError, match="target policy is not valid: broken"):
        separable_blocks(3, lambda m: "broken" if m == 7 else None)
