"""Number porting: port requests, their documents, the LOA and the first-time-right validation.

So far the package holds the validation engine (:mod:`faxline.porting.validation`), its
command ``faxline porting validate`` and its endpoint ``POST /api/v1/porting/validate``.
"""
