"""faxing's side of the SANDBOX PSTN (the embedded transport of ``faxline.telephony.sandbox``).

faxing tells the sandbox which numbers are in service on this platform (numbers' selector),
takes what on-net calls deliver (part 2 of the fax engine delivers it to the number's user)
and keeps what the simulated remote fax machines received (:class:`SandboxRemoteFax`), which
operators look at under Settings ▸ Sandbox PSTN and through ``/api/v1/sandbox/``.
"""
