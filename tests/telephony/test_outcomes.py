"""Every T.30 completion code of spandsp 0.0.6 maps to one of the guide's names, with the raw
code and text kept (table-tested against the reference TSV, a fixture of facts)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from faxline.telephony.outcomes import (
    ADVICE,
    T30_CODES,
    OutcomeName,
    Retry,
    outcome_named,
    outcome_of_t30,
)

pytestmark = pytest.mark.database_independent

TSV = Path(__file__).with_name("t30-completion-codes.tsv")
GUIDE_NAMES = {
    "Busy",
    "Fast Busy",
    "No Answer",
    "Voice Answer",
    "Not a Fax Machine",
    "Sit-Tone / Operator Msg",
    "Negotiation Failed",
    "Transmission Failed",
    "Exceeded ECM Retransmit",
    "General Error",
    "Invalid Fax Number",
}


def _rows() -> list[dict[str, str]]:
    with TSV.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


ROWS = _rows()


def test_the_fixture_is_the_whole_table() -> None:
    assert [int(r["code"]) for r in ROWS] == list(range(62))
    assert sorted(T30_CODES) == list(range(62))


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r["name"])
def test_every_code_maps_to_a_guide_name_keeping_the_raw_code(row: dict[str, str]) -> None:
    code = int(row["code"])
    known = T30_CODES[code]
    assert known.symbol == row["name"]
    assert known.text == row["description"]
    outcome = outcome_of_t30(code, row["description"])
    assert outcome.t30_code == code
    assert outcome.t30_text == row["description"]
    assert outcome.cause == "t30"
    if code == 0:
        assert outcome.name is OutcomeName.SENT and outcome.success
    else:
        assert str(outcome.name) in GUIDE_NAMES
        assert not outcome.success
    assert outcome.action
    assert (outcome.retry_after_seconds is None) == (outcome.retry is Retry.NEVER)


@pytest.mark.parametrize(
    ("code", "name", "retry"),
    [
        (2, OutcomeName.NOT_A_FAX_MACHINE, Retry.LATER),
        (6, OutcomeName.NEGOTIATION_FAILED, Retry.LATER),
        (11, OutcomeName.NEGOTIATION_FAILED, Retry.NEVER),
        (16, OutcomeName.EXCEEDED_ECM_RETRANSMIT, Retry.LATER),
        (20, OutcomeName.NEGOTIATION_FAILED, Retry.LATER),
        (21, OutcomeName.TRANSMISSION_FAILED, Retry.LATER),
        (41, OutcomeName.GENERAL_ERROR, Retry.NEVER),
        (49, OutcomeName.TRANSMISSION_FAILED, Retry.LATER),
        (56, OutcomeName.NEGOTIATION_FAILED, Retry.NEVER),
    ],
)
def test_chosen_mappings(code: int, name: OutcomeName, retry: Retry) -> None:
    outcome = outcome_of_t30(code)
    assert (outcome.name, outcome.retry) == (name, retry)


def test_standard_resolution_is_the_remedy_of_code_11() -> None:
    assert "standard resolution" in outcome_of_t30(11).action


def test_an_unknown_code_is_a_general_error_keeping_it() -> None:
    outcome = outcome_of_t30(99, "Something new")
    assert outcome.name is OutcomeName.GENERAL_ERROR
    assert (outcome.t30_code, outcome.t30_text) == (99, "Something new")


def test_every_name_has_advice_and_no_free_channel_is_not_the_far_ends_fault() -> None:
    assert set(ADVICE) == set(OutcomeName)
    local = outcome_named(OutcomeName.NO_FREE_CHANNEL, cause="no_channel")
    assert local.retry is Retry.NOW and not local.far_end_fault
    assert outcome_named(OutcomeName.BUSY, cause="busy").far_end_fault
    assert outcome_named(OutcomeName.BUSY, cause="busy").as_dict()["name"] == "Busy"
