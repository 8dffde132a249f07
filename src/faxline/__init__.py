"""faxline: an open-source cloud fax platform."""

__version__ = "0.1.0"
