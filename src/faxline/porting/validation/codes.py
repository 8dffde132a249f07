"""The finding codes: stable, documented, part of the public contract (API and CLI).

An ``error`` blocks submission; a ``warning`` informs. The order below is the order of
issue 4. Add codes at will; never rename or remove one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class CodeInfo:
    """A finding code: its severity and what it means."""

    severity: Severity
    meaning: str


CODES: dict[str, CodeInfo] = {
    "NUMBER_INVALID": CodeInfo(
        "error",
        "A number is not a valid US or Canadian geographic or toll-free number.",
    ),
    "NUMBER_DUPLICATE": CodeInfo(
        "error",
        "A number is listed twice, is in another open port request, or is already in service here.",
    ),
    "MIXED_COUNTRIES": CodeInfo(
        "error",
        "US and Canadian numbers in one request, or numbers of one country with a service "
        "address in the other.",
    ),
    "TOLL_FREE_MIXED": CodeInfo(
        "error",
        "Toll-free numbers with geographic numbers (toll-free numbers move between RespOrgs "
        "in a separate process).",
    ),
    "BTN_MISSING": CodeInfo("error", "No billing telephone number (BTN)."),
    "BTN_INVALID": CodeInfo("error", "The BTN (or the new BTN) is not a valid number."),
    "NEW_BTN_REQUIRED": CodeInfo(
        "error",
        "A partial port in which the BTN ports needs a new BTN that stays behind.",
    ),
    "ACCOUNT_NUMBER_MISSING": CodeInfo("error", "No account number with the losing carrier."),
    "PIN_REQUIRED": CodeInfo("error", "A wireless number without the account PIN."),
    "GOOGLE_VOICE_UNLOCK": CodeInfo(
        "warning", "Google Voice numbers must be unlocked before they can port."
    ),
    "AUTHORIZED_PERSON_MISSING": CodeInfo(
        "error", "No authorized person, or no first and last name."
    ),
    "PO_BOX": CodeInfo("error", "The service address is a PO box or another mailbox."),
    "POSTAL_CODE_INVALID": CodeInfo(
        "error",
        "The service address's postal code is not a ZIP / Canadian postal code of its country "
        "(or, in Canada, of its province).",
    ),
    "LOA_MISSING": CodeInfo("error", "No Letter of Authorization (LOA)."),
    "LOA_EXPIRED": CodeInfo("error", "The LOA was signed more than 30 days before as_of."),
    "LOA_FUTURE_DATED": CodeInfo("error", "The LOA is dated after as_of."),
    "LOA_SIGNER_MISMATCH": CodeInfo("error", "The LOA's signer is not the authorized person."),
    "BILL_MISSING": CodeInfo("error", "No bill from the losing carrier."),
    "BILL_STALE": CodeInfo("error", "The bill's statement is more than 30 days before as_of."),
    "CSR_MISSING": CodeInfo("warning", "No Customer Service Record (CSR)."),
    "DOCUMENT_UNCONFIRMED": CodeInfo(
        "error",
        "The bill or CSR was uploaded, but nobody has confirmed (or typed) its facts yet.",
    ),
    "NAME_MISMATCH": CodeInfo("error", "The business name differs from the CSR's account name."),
    "ADDRESS_MISMATCH": CodeInfo(
        "error", "The service address (street, unit, city, state) differs from the CSR's."
    ),
    "POSTAL_CODE_MISMATCH": CodeInfo("error", "The service postal code differs from the CSR's."),
    "BTN_MISMATCH": CodeInfo("error", "The BTN differs from the CSR's."),
    "ACCOUNT_NUMBER_MISMATCH": CodeInfo("error", "The account number differs from the CSR's."),
    "AUTHORIZED_PERSON_MISMATCH": CodeInfo(
        "error", "The authorized person is not among the CSR's authorized names."
    ),
    "NUMBER_NOT_ON_ACCOUNT": CodeInfo("error", "A number to port is not on the CSR."),
    "FULL_PORT_NUMBERS_LEFT_OUT": CodeInfo(
        "error", "A full port leaves out numbers that the CSR lists on the account."
    ),
    "BILL_NAME_MISMATCH": CodeInfo(
        "error", "The bill's account name differs from the business name."
    ),
    "BILL_ADDRESS_MISMATCH": CodeInfo(
        "error", "The bill's service address differs from the request's."
    ),
    "LINE_FEATURE_RISK": CodeInfo(
        "warning",
        "The CSR (as typed, or as read from the bill or CSR) shows DSL, a hunt group, "
        "distinctive ring, remote call forwarding or ISDN.",
    ),
    "SHARED_LINE": CodeInfo(
        "warning",
        "The line also serves a card terminal, an alarm or internet: porting disconnects them.",
    ),
    # What faxline read from the bill's or the CSR's file (issue 14). Warnings: a reading
    # may be wrong, so it informs the person who confirms the facts and never blocks alone.
    "READ_FACT_MISMATCH": CodeInfo(
        "warning",
        "A fact typed for the bill or CSR (statement date, BTN, account number) differs from "
        "the one read from the document.",
    ),
    "READ_DOCUMENT_TYPE": CodeInfo(
        "warning", "The document read is not the kind it was uploaded as (bill, CSR)."
    ),
    "READ_BILL_STALE": CodeInfo(
        "warning", "The bill's own date, as read, is more than 30 days before as_of."
    ),
    "READ_REQUEST_MISMATCH": CodeInfo(
        "warning",
        "The account name, service address, BTN or account number read from the bill or CSR "
        "differs from the request's, or the authorized person is not among the authorized "
        "names read.",
    ),
    "READ_NUMBER_NOT_ON_DOCUMENT": CodeInfo(
        "warning", "A number to port is not among the numbers read from the bill or CSR."
    ),
    "READ_NUMBERS_LEFT_OUT": CodeInfo(
        "warning",
        "A full port leaves out numbers read from the bill or CSR (beyond those the CSR's "
        "typed numbers already show).",
    ),
}


def codes_markdown() -> str:
    """The code table as Markdown (for the OpenAPI description)."""
    rows = [f"| `{code}` | {info.severity} | {info.meaning} |" for code, info in CODES.items()]
    return "\n".join(["| code | severity | meaning |", "|---|---|---|", *rows])


@dataclass(frozen=True)
class Finding:
    """One problem of a request: its code, severity, the JSON path of the field it is about
    (``numbers[2].number``, ``csr.account_name``) and a message saying what to do next."""

    code: str
    severity: Severity
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "severity": self.severity,
            "field": self.field,
            "message": self.message,
        }


def finding(code: str, field: str, message: str) -> Finding:
    """A finding of ``code`` with the code's severity."""
    return Finding(code=code, severity=CODES[code].severity, field=field, message=message)
