"""What the customer's Number Porting pages share: where a request's page is and where a
request stands (its next steps). Who may use them is ``porting.access``."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.selectors import company_list
from faxline.porting.choices import DocumentKind, FactsState, PortStatus, ReadStatus
from faxline.porting.models import PortDocument, PortRequest
from faxline.porting.validation.checks import latest_document, loa_signed_for

STATUS_STYLES = {
    PortStatus.DRAFT: "draft",
    PortStatus.NEW: "new",
    PortStatus.PENDING: "pending",
    PortStatus.IN_PROGRESS: "progress",
    PortStatus.SCHEDULED: "scheduled",
    PortStatus.COMPLETED: "completed",
    PortStatus.REJECTED: "rejected",
    PortStatus.CANCELLED: "cancelled",
}


def companies_to_pick(actor: Actor) -> list[tuple[int, str]]:
    """The companies an operator or partner may pick (administrators have their own)."""
    if not actor.spans_companies:
        return []
    return [(c.pk, c.name) for c in company_list(actor=actor)]


def detail_url(request_id: int, tab: str = "") -> str:
    """A request's page, on ``tab`` when given."""
    url = reverse("porting:detail", args=[request_id])
    return f"{url}?tab={tab}" if tab else url


def loa_url(port: PortRequest) -> str:
    """The page where the Letter of Authorization is read and signed."""
    return reverse("porting:loa", args=[port.pk])


def status_style(status: str) -> str:
    """The CSS modifier of a status badge."""
    return STATUS_STYLES.get(PortStatus(status), "draft") if status in PortStatus.values else ""


def int_or(raw: str | None, default: int) -> int:
    """``raw`` as a number, else ``default``."""
    try:
        return int(raw or default)
    except ValueError:
        return default


@dataclass(frozen=True)
class NextStep:
    """One of the steps a Draft needs before Submit."""

    title: str
    text: str
    done: bool
    url: str | None = None
    url_label: str = ""


def _document_step(
    port: PortRequest, document: PortDocument | None, add: NextStep, name: str
) -> NextStep:
    """The step of a bill or CSR: add it, then confirm the facts read from it."""
    if document is None or document.facts_state != FactsState.AWAITING:
        return add
    facts = reverse("porting:document_facts", args=[port.pk, document.pk])
    being_read = document.read_status == ReadStatus.PENDING
    return NextStep(
        f"Confirm the {name}'s facts",
        (
            f"faxline is reading the {name}; then check what it read and confirm it."
            if being_read
            else f"faxline read the {name}: check its facts and confirm or correct them. "
            "The checks use nothing of it until you do."
        ),
        False,
        facts,
        "Confirm facts",
    )


def next_steps(port: PortRequest) -> list[NextStep]:
    """Sign the LOA, add the bill (and CSR) and confirm their facts, then Submit: where
    the request stands."""
    signed = loa_signed_for(port)
    bill = latest_document(port, DocumentKind.BILL)
    csr = latest_document(port, DocumentKind.CSR)
    return [
        NextStep(
            "Sign the Letter of Authorization",
            "The authorized person signs the LOA in the portal; without it the losing "
            "carrier cannot release the numbers.",
            signed,
            loa_url(port) if not signed else None,
            "Sign the LOA",
        ),
        _document_step(
            port,
            bill,
            NextStep(
                "Upload your latest bill",
                "A copy of the current carrier's most recent bill (within 30 days), showing "
                "the account name and service address.",
                bill is not None,
                detail_url(port.pk, "files") if bill is None else None,
                "Open Files",
            ),
            "bill",
        ),
        _document_step(
            port,
            csr,
            NextStep(
                "Add the Customer Service Record (recommended)",
                "The CSR shows the BTN, name and service address exactly as the losing "
                "carrier has them; including it prevents most rejections.",
                csr is not None,
                detail_url(port.pk, "files") if csr is None else None,
                "Open Files",
            ),
            "CSR",
        ),
    ]
