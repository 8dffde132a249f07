"""What the customer does after each rejection, in the manner of seed 004."""

from __future__ import annotations

from faxline.porting.choices import RejectionCode as R

REMEDIES: dict[str, str] = {
    R.ACCOUNT_NUMBER: "The account number is wrong or missing. Find it on your latest bill or "
    "ask your current carrier for it, correct it on the request and resubmit.",
    R.ADDRESS_MISMATCH: "The service address or ZIP code does not match your current "
    "carrier's record. Ask them for your Customer Service Record (CSR), copy the service "
    "address exactly as it appears there, and resubmit.",
    R.BUSINESS_NAME: "The business name does not match your current carrier's record. Use "
    "the name exactly as it appears on your bill or CSR and resubmit.",
    R.PENDING_ORDER: "Another order is pending on this number at your current carrier. Ask "
    "them to complete or cancel it, then resubmit.",
    R.ALL_DATA_MISMATCH: "Name, address and account details do not match your current "
    "carrier's record. Request your CSR, correct every field to match it, and resubmit.",
    R.NUMBER_INACTIVE: "The number is disconnected or inactive. Ask your current carrier to "
    "reinstate it; a number must be active to port. Then resubmit.",
    R.DISTINCTIVE_RING: "The line has distinctive ring. Ask your current carrier to remove "
    "it, then resubmit.",
    R.DSL: "The line carries DSL internet, which porting would disconnect. Move the internet "
    "service first, or keep the line and forward calls instead; then resubmit.",
    R.DUE_DATE_TOO_SOON: "The requested date was too soon for the losing carrier. Choose a "
    "later date and resubmit.",
    R.LINE_FREEZE: "Your current carrier has a port freeze on the line. Ask them to lift it, "
    "then resubmit.",
    R.HUNT_GROUP: "The number is part of a hunt group. Ask your current carrier to remove it "
    "from the group, then resubmit.",
    R.ISDN: "The line is ISDN. Ask your current carrier how to convert or release it, then "
    "resubmit.",
    R.LOA_REQUESTED: "The losing carrier wants the Letter of Authorization. Sign it (again) "
    "and resubmit.",
    R.END_USER_NAME: "The end-user name does not match. Use the name exactly as on your bill "
    "and resubmit.",
    R.BTN_REMAINS: "The billing telephone number ports while other services stay on the "
    "account. Give a new BTN for what stays and resubmit.",
    R.PIN: "The wireless PIN (port-out passcode) is wrong. Get the port-out PIN from your "
    "wireless carrier, enter it and resubmit.",
    R.REMOTE_CALL_FORWARDING: "Remote call forwarding is on the line. Ask your current "
    "carrier to remove it, then resubmit.",
    R.TAX_ID: "The losing carrier asks for the tax ID on the account. Add it in a note and "
    "resubmit.",
    R.INVALID_BTN: "The billing telephone number is not valid for this account. Confirm "
    "the BTN with your current carrier (it is on the CSR) and resubmit.",
    R.AUTHORIZING_NAME: "The person who authorized the port is not on the account. Have the "
    "authorized person sign a new Letter of Authorization and resubmit.",
    R.UNPAID_BALANCE: "Your current carrier reports an unpaid balance or an early "
    "termination fee. Pay it, then resubmit.",
    R.GOOGLE_VOICE: "The Google Voice number is not unlocked. Unlock it in Google Voice "
    "(Settings ▸ Phone numbers ▸ Unlock), pay Google's fee, then resubmit.",
    R.NOT_PORTABLE: "The number cannot be ported to our network. Choose a new number, or "
    "keep the line and forward its calls to a faxline number.",
    R.RESOLD_ACCOUNT: "The account is resold by another company. Get the CSR from that "
    "reseller, correct the request to match it and resubmit.",
    R.UNAUTHORIZED_SIGNATURE: "The LOA was not signed by the account's authorized person. "
    "Have them sign a new Letter of Authorization and resubmit.",
}


def remedy_for(code: str) -> str:
    """What to do next after a rejection with ``code``."""
    return REMEDIES.get(code, "Read the porting team's note, fix what it says and resubmit.")
