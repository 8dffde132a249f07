"""Documents: what any part of faxline does with a document, whoever it belongs to.

- :mod:`~faxline.documents.intake`: the content checks of an upload, behind one entry point
  (:func:`~faxline.documents.intake.accept_document`): the type decided by content, limits,
  broken files and decompression bombs refused; an image converted to PDF on request;
- :mod:`~faxline.documents.limits`: the budgets a document must fit (read from its headers
  before decoding) and the hard limits of the worker process that decodes it;
- :mod:`~faxline.documents.sandbox`: runs a decode or conversion in a fresh worker process
  with those limits, never inside a database transaction (the worker side is
  :mod:`~faxline.documents.worker`; :mod:`~faxline.documents.selftest` exercises it);
- :mod:`~faxline.documents.images`: an image (PNG, JPEG, every page of a TIFF) to PDF;
- :mod:`~faxline.documents.pdf`: counting and joining the pages of PDF files;
- :mod:`~faxline.documents.faximage`: any accepted attachment (PDF, TIFF, text, RTF,
  Word, Excel, PowerPoint, Visio, JPG/GIF/PNG) to TIFF-F, the fax's image, or the guide's
  "Invalid Attachment" with a reason (:mod:`~faxline.documents.faxcodec` is its compiled
  fast path); :mod:`~faxline.documents.office` turns Office documents into PDF through
  one warm LibreOffice (driven by :mod:`~faxline.documents.office_bridge`);
- :mod:`~faxline.documents.layout`: the house style of the PDFs faxline writes (fonts,
  colours, tables, the page band and footer, "Page n of N");
- :mod:`~faxline.documents.keys`: the platform's seal key and certificate;
- :mod:`~faxline.documents.sealing`: sealing a PDF with that key and verifying a seal;
- :mod:`~faxline.documents.received`: a received fax TIFF as the recipient's files (PDF,
  TIF, XPS, TIF-HiRes, TIF-Fax; one per page on request) and the metadata XML;
- :mod:`~faxline.documents.receipt`: the sealed delivery receipt of a sent fax.

This package knows no ports, jobs, companies or people: it imports only ``faxline.core``
(and ``faxline.config`` for its configuration error). It has no models, so it is a plain
package rather than a Django app; it becomes one (``apps.py``, migrations) the day it owns a
table. Storing documents encrypted at rest is ``faxline.core.vault``: any bytes of personal
data, not only documents, go there.
"""
