"""States and named groups of the porting desk."""

from django.db import models


class PortStatus(models.TextChoices):
    """A port request's status, named as the guide shows them (plus Draft before submission)."""

    DRAFT = "draft", "Draft"
    NEW = "new", "New"
    PENDING = "pending", "Pending"
    IN_PROGRESS = "in_progress", "In Progress"
    SCHEDULED = "scheduled", "Scheduled"
    COMPLETED = "completed", "Completed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


TERMINAL = frozenset({PortStatus.COMPLETED, PortStatus.CANCELLED})
# Requests that hold their numbers: a number may be in one open request at a time.
OPEN = frozenset(set(PortStatus) - TERMINAL)
# Submitted and with the porting team (what the operator console queues).
SUBMITTED = frozenset(
    {PortStatus.NEW, PortStatus.PENDING, PortStatus.IN_PROGRESS, PortStatus.SCHEDULED}
)
# The customer may still change the request directly (after that: change requests).
EDITABLE = frozenset({PortStatus.DRAFT, PortStatus.REJECTED})


class PortType(models.TextChoices):
    FULL = "full", "Full port (every number on the account)"
    PARTIAL = "partial", "Partial port (some numbers stay with the carrier)"


class LineType(models.TextChoices):
    LANDLINE = "landline", "Landline"
    WIRELESS = "wireless", "Wireless"
    VOIP = "voip", "VoIP"
    TOLL_FREE = "toll_free", "Toll-free"
    UNKNOWN = "unknown", "Unknown"


class NumberStatus(models.TextChoices):
    """The status of one number inside a request."""

    REQUESTED = "requested", "Requested"
    SCHEDULED = "scheduled", "Scheduled"
    PORTED = "ported", "Ported"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class DocumentKind(models.TextChoices):
    LOA = "loa", "Letter of Authorization (unsigned)"
    SIGNED_LOA = "signed_loa", "Letter of Authorization (signed)"
    BILL = "bill", "Phone bill"
    CSR = "csr", "Customer Service Record"
    OTHER = "other", "Other document"


class ReadStatus(models.TextChoices):
    """Whether a document's facts were read by machine (issue 14): bills and CSRs are read
    in the background after their upload; the other kinds are skipped."""

    PENDING = "pending", "Being read"
    READ = "read", "Read"
    UNREADABLE = "unreadable", "Could not be read"
    SKIPPED = "skipped", "Not read"


# The kinds whose facts are read from the file.
READ_KINDS = frozenset({DocumentKind.BILL, DocumentKind.CSR})


class FactOrigin(models.TextChoices):
    """Where a confirmed fact of a bill or CSR came from (``PortDocument.fact_origins``):
    read from the file and confirmed as read, read and corrected by the person, or typed
    (nothing was read for it, or it was typed when the file was uploaded)."""

    READ = "read", "Read"
    CORRECTED = "corrected", "Corrected"
    TYPED = "typed", "Typed"


class FactsState(models.TextChoices):
    """Whether a bill's or CSR's facts may be used by the checks: typed with the upload,
    confirmed after reading, or awaiting the person's confirmation."""

    TYPED = "typed", "Typed"
    CONFIRMED = "confirmed", "Confirmed"
    AWAITING = "awaiting", "Awaiting confirmation"


class NoteVisibility(models.TextChoices):
    PUBLIC = "public", "Customer and porting team"
    PRIVATE = "private", "Porting team only"


class ChangeStatus(models.TextChoices):
    OPEN = "open", "Waiting for the porting team"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class LinkDirection(models.TextChoices):
    INBOUND = "inbound", "Inbound only"
    INBOUND_OUTBOUND = "inbound_outbound", "Inbound and outbound"


class RejectionCode(models.TextChoices):
    """Why a losing carrier (or the porting team) rejected a request: the carrier reject
    codes of the field and the reasons of seed 004, each with its remedy in
    ``porting.requests.remedies``."""

    ACCOUNT_NUMBER = "7401", "Account number incorrect or missing"
    ADDRESS_MISMATCH = "7402", "Service address or ZIP does not match"
    BUSINESS_NAME = "7404", "Business name does not match"
    PENDING_ORDER = "7407", "Another order is pending on the number"
    ALL_DATA_MISMATCH = "7408", "The data does not match the carrier's record"
    NUMBER_INACTIVE = "7409", "Number disconnected or inactive"
    DISTINCTIVE_RING = "7410", "Distinctive ring on the line"
    DSL = "7411", "DSL on the line"
    DUE_DATE_TOO_SOON = "7412", "Requested date too soon"
    LINE_FREEZE = "7416", "Line freeze"
    HUNT_GROUP = "7419", "Hunt group"
    ISDN = "7421", "ISDN line"
    LOA_REQUESTED = "7424", "Letter of Authorization requested"
    END_USER_NAME = "7429", "End-user name does not match"
    BTN_REMAINS = "7434", "BTN ports while services remain: a new BTN is needed"
    PIN = "7435", "Wireless PIN incorrect"
    REMOTE_CALL_FORWARDING = "7437", "Remote call forwarding"
    TAX_ID = "7443", "SSN or tax ID required"
    INVALID_BTN = "7445", "Invalid billing telephone number"
    AUTHORIZING_NAME = "7473", "Authorizing name does not match"
    UNPAID_BALANCE = "balance", "Unsatisfactory business relationship (unpaid balance)"
    GOOGLE_VOICE = "google_voice", "Google Voice number not unlocked"
    NOT_PORTABLE = "not_portable", "Number not portable"
    RESOLD_ACCOUNT = "resold", "Resold account"
    UNAUTHORIZED_SIGNATURE = "signature", "LOA not signed by the authorized person"


# Rejections for missing or wrong customer data: a resubmission after them is charged.
DATA_ERRORS = frozenset(
    {
        RejectionCode.ACCOUNT_NUMBER,
        RejectionCode.ADDRESS_MISMATCH,
        RejectionCode.BUSINESS_NAME,
        RejectionCode.ALL_DATA_MISMATCH,
        RejectionCode.END_USER_NAME,
        RejectionCode.BTN_REMAINS,
        RejectionCode.PIN,
        RejectionCode.INVALID_BTN,
        RejectionCode.AUTHORIZING_NAME,
        RejectionCode.UNAUTHORIZED_SIGNATURE,
        RejectionCode.LOA_REQUESTED,
        RejectionCode.TAX_ID,
    }
)
