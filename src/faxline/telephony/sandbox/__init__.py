"""SANDBOX PSTN: the embedded transport that simulates the telephone network.

Nothing here reaches a real telephone line. Calls between numbers in service on this
platform stay on-net, the fictitious test numbers NXX-555-0100..0199 give fixed outcomes, and
every other number reaches a simulated remote fax machine (see :mod:`.pstn` and
:mod:`.testnumbers`). The transport is
:class:`faxline.telephony.sandbox.pstn.SandboxPSTN`.
"""
