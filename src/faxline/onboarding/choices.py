"""Enumerations of onboarding: order status, first sign-in decision, documents, checklists."""

from django.db import models


class OrderStatus(models.TextChoices):
    """An onboarding order gathers documents, then is completed (the final order)."""

    GATHERING = "gathering", "Gathering documents"
    COMPLETE = "complete", "Onboarding complete"


class Decision(models.TextChoices):
    """What the customer chose at first sign-in (seed 000)."""

    NONE = "", "Not decided"
    NEW_NUMBER = "new_number", "New number"
    KEEP_NUMBER = "keep_number", "Keep my number"


class Activation(models.TextChoices):
    """The final order's "ASAP or Porting"."""

    NONE = "", "Not chosen"
    ASAP = "asap", "New numbers now (ASAP)"
    PORTING = "porting", "Porting"


class NumberUse(models.TextChoices):
    FAX = "fax", "Fax"
    VOICE = "voice", "Voice"


class NativeFaxType(models.TextChoices):
    """How the client will fax once live (the final order's "Native Fax Type")."""

    NONE = "", "Not chosen"
    EMAIL = "email", "Email to fax and fax to email"
    PORTAL = "portal", "Web portal"
    API = "api", "API integration"
    FAX_MACHINE = "fax_machine", "Existing fax machine (analog adapter)"


class DocumentKind(models.TextChoices):
    """Documents of the gathering checklist (uploads)."""

    PAYMENT_AUTHORIZATION = "payment_authorization", "Payment authorization (credit card / ACH)"
    TAX_EXEMPTION = "tax_exemption", "Tax exemption form"
    PHONE_BILL = "phone_bill", "Phone bill (last 30 days)"
    CSR = "csr", "Customer Service Record (CSR)"


class ItemStatus(models.TextChoices):
    """The status of one item of the document gathering checklist."""

    MISSING = "missing", "Missing"
    RECEIVED = "received", "Received"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    EXPIRED = "expired", "Expired"


# Documents that are porting steps: refused until payment authorization is on file (as is
# every other upload).
PORTING_DOCUMENTS = (DocumentKind.PHONE_BILL, DocumentKind.CSR)
