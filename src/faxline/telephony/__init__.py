"""Telephony: the software fax modem and the transports that carry calls.

``faxline.telephony.spandsp`` binds libspandsp (T.30 over audio and T.38) through cffi;
the transports place and answer calls carrying TIFF-F images (the sandbox PSTN by default, a
SIP trunk later) and report what happened. Telephony knows calls and images, never fax jobs
or tenants: what a number belongs to is the caller's to know (see docs/architecture.md).
"""
